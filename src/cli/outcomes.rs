//! Appeal outcomes on the command line: `remit outcomes import` (the
//! practice's CSV into the store), `remit outcomes list`, where each
//! worklist item stands given the stored outcomes and later remittances
//! (used by `remit appeals`), and the denial analytics (`remit denials`,
//! and the table `remit report` adds).
//!
//! What `remit appeals` and `remit report` share with these commands (the
//! stored outcomes, tracking, the analytics) is in [`super::tracking`].

use super::args::{DenialsArgs, OutcomesArgs};
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use super::store::open_sqlite;
use super::tracking::{
    ANALYTICS_COLUMNS, Outcomes, analytics_lines, check_range, record, stored_outcomes, summary,
    tally_rows,
};
use super::{EXIT_INPUT, EXIT_OK, Stop};
use crate::codes::CodeList;
use crate::history::sqlite::outcomes::OutcomeRecord;
use crate::ledger::{Cell, Column, ColumnType, sink};
use crate::outcomes::analyze;
use ColumnType::{Money, Text as Txt};

/// Runs `remit outcomes`: imports the files (every file is read and
/// checked first; nothing is stored while one has a problem), then writes
/// every stored outcome.
pub fn run(args: &OutcomesArgs) -> anyhow::Result<u8> {
    let mut records: Vec<OutcomeRecord> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for file in &args.files {
        match crate::outcomes::load::load(file) {
            Ok(outcomes) => records.extend(outcomes.iter().map(record)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Stop::new(EXIT_INPUT, problems.join("\n")).into());
    }
    let in_store =
        |e: crate::history::StoreError| anyhow::anyhow!("--db {}: {e}", args.db.display());
    let mut store = open_sqlite(&args.db, CodeList::builtin())?;
    let mut out = Output::create(&args.output.out)?;
    if !args.files.is_empty() {
        let done = store.import_outcomes(&records).map_err(in_store)?;
        eprintln!(
            "outcomes: {} row(s) read from {} file(s): {} added, {} updated, {} unchanged",
            records.len(),
            args.files.len(),
            done.added,
            done.updated,
            done.unchanged
        );
    }
    let stored = store.outcomes().map_err(in_store)?;
    let mut sink = sink(
        args.output.format,
        Box::new(&mut out),
        "outcomes",
        "outcome",
    );
    sink.begin(OUTCOME_COLUMNS)?;
    for r in &stored {
        sink.row(r)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    eprintln!("outcomes: {} appeal(s) stored", stored.len());
    Ok(EXIT_OK)
}

/// Runs `remit denials`.
pub fn denials(args: &DenialsArgs) -> anyhow::Result<u8> {
    check_range(&args.range)?;
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        None,
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, config)?;
    // Read the outcomes before any output is opened: a bad store stops here.
    let codes = prepared.config.codes();
    let outcomes = Outcomes::new(stored_outcomes(args.input.db.as_deref(), codes)?);
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let lines = analytics_lines(&rows, &outcomes, codes);
    let a = analyze(&lines, args.range.from, args.range.to);
    let mut sink = sink(args.output.format, Box::new(&mut out), "denials", "group");
    sink.begin(ANALYTICS_COLUMNS)?;
    for row in tally_rows(&a) {
        sink.row(&row)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    eprintln!("{}", summary(&a.total));
    Ok(tally.exit_code())
}

type O = Column<OutcomeRecord>;

/// The columns of `remit outcomes`: every stored outcome.
static OUTCOME_COLUMNS: &[Column<OutcomeRecord>] = &[
    O::new("payer", Txt, |r| Cell::text(&r.payer)),
    O::new("claim_id", Txt, |r| Cell::text(&r.claim_id)),
    O::new("service_date", ColumnType::Date, |r| {
        Cell::date(r.service_date)
    }),
    O::new("procedure", Txt, |r| Cell::text(&r.procedure)),
    O::new("modifiers", Txt, |r| Cell::text(&r.modifiers)),
    O::new("filed", ColumnType::Date, |r| Cell::Date(r.filed)),
    O::new("outcome", Txt, |r| Cell::text(&r.outcome)),
    O::new("decided", ColumnType::Date, |r| Cell::date(r.decided)),
    O::new("recovered", Money, |r| Cell::Money(r.recovered)),
    O::new("reference", Txt, |r| Cell::text(&r.reference)),
    O::new("notes", Txt, |r| Cell::text(&r.notes)),
    O::new("source", Txt, |r| Cell::text(&r.source)),
];
