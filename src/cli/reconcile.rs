//! `remit reconcile`: read 835s and 837s (in parallel), apply remittances in
//! payment order to the line histories, write the ledger, and print a
//! summary on standard error.

use super::args::ReconcileArgs;
use super::output::Output;
use super::runner::{Prepared, decide_inputs};
use super::settings;
use crate::ledger::row::COLUMNS;
use crate::ledger::sink;

pub fn run(args: &ReconcileArgs) -> anyhow::Result<u8> {
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        Some((&args.interest.prompt_pay, args.interest.rate.as_deref())),
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let mut sink = sink(args.output.format, Box::new(&mut out), "ledger", "entry");
    sink.begin(COLUMNS)?;
    let tally = decide_inputs(&args.input, &prepared, |row| {
        sink.row(row)?;
        Ok(())
    })?;
    sink.finish()?;
    drop(sink);
    tally.require_usable(&args.output.out)?;
    out.commit()?;
    tally.print();
    Ok(tally.exit_code())
}
