//! `remit history`: every event in the history store, with the ledger's
//! columns, ordered by payment date — "what happened to this claim?".

use super::EXIT_OK;
use super::args::HistoryArgs;
use super::output::open;
use super::reconcile::code_list_from;
use crate::history::SqliteStore;
use crate::history::sqlite::RowFilter;
use crate::ledger::row::COLUMNS;
use crate::ledger::sink;

pub fn run(args: &HistoryArgs) -> anyhow::Result<u8> {
    if !args.db.exists() {
        anyhow::bail!("{}: no such history store", args.db.display());
    }
    let codes = code_list_from(&args.code_list)?;
    let store = SqliteStore::open_with_codes(&args.db, &codes)?;
    let filter = RowFilter {
        claim_id: args.claim.clone(),
        member_id: args.member.clone(),
        procedure: args.procedure.clone(),
        from: args.from.map(|d| d.to_string()),
        to: args.to.map(|d| d.to_string()),
    };
    let out = open(&args.output.out)?;
    let mut sink = sink(args.output.format, out, "history", "entry");
    sink.begin(COLUMNS)?;
    let count = store.rows(&filter, |row| -> anyhow::Result<()> {
        sink.row(&row)?;
        Ok(())
    })?;
    sink.finish()?;
    eprintln!("{count} event(s)");
    Ok(EXIT_OK)
}
