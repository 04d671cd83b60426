//! `remit history`: every event in the history store, with the ledger's
//! columns, ordered by payment date — "what happened to this claim?".

use super::EXIT_OK;
use super::args::HistoryArgs;
use super::output::Output;
use super::settings::code_list;
use super::store::open_sqlite;
use crate::history::sqlite::RowFilter;
use crate::ledger::row::COLUMNS;
use crate::ledger::sink;

pub fn run(args: &HistoryArgs) -> anyhow::Result<u8> {
    if !args.db.exists() {
        anyhow::bail!("{}: no such history store", args.db.display());
    }
    let codes = code_list(&args.code_list)?;
    let store = open_sqlite(&args.db, &codes)?;
    let filter = RowFilter {
        claim_id: args.claim.clone(),
        member_id: args.member.clone(),
        procedure: args.procedure.clone(),
        from: args.from.map(|d| d.to_string()),
        to: args.to.map(|d| d.to_string()),
    };
    let mut out = Output::create(&args.output.out)?;
    let mut sink = sink(args.output.format, Box::new(&mut out), "history", "entry");
    sink.begin(COLUMNS)?;
    let count = store.rows(&filter, |row| -> anyhow::Result<()> {
        sink.row(&row)?;
        Ok(())
    })?;
    sink.finish()?;
    drop(sink);
    out.commit()?;
    eprintln!("{count} event(s)");
    Ok(EXIT_OK)
}
