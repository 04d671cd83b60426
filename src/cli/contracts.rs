//! `remit contracts`: the payer scorecard — per payer and procedure, what
//! was billed, allowed and paid, the contract's expected amount and the
//! shortfall, allowed as a percentage of billed and of each `--reference`
//! schedule, denials by category, days to payment — over the input or the
//! whole `--db` history, for a range of service dates.

use super::args::ContractsArgs;
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use super::tracking::denial_category;
use crate::contract::References;
use crate::ledger::sink;
use crate::money::money;
use crate::reports::contracts::{columns, scorecard};

pub fn run(args: &ContractsArgs) -> anyhow::Result<u8> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from > to {
            anyhow::bail!("--from {from} is after --to {to}");
        }
    }
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        None,
        None,
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let none = References::default();
    let references = prepared
        .config
        .contracts
        .as_ref()
        .map_or(&none, |c| c.references());
    let card = scorecard(
        &rows,
        references,
        prepared.config.codes(),
        (args.from, args.to),
        denial_category,
    )?;
    let mut sink = sink(args.output.format, Box::new(&mut out), "scorecard", "row");
    sink.begin(columns(references))?;
    for row in &card {
        sink.row(row)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    let lines: u64 = card.iter().map(|r| r.lines).sum();
    let shortfall: rust_decimal::Decimal = card.iter().map(|r| r.shortfall).sum();
    eprintln!(
        "payer scorecard: {} payer × procedure row(s), {lines} line(s), shortfall against the contracts {}",
        card.len(),
        money(shortfall)
    );
    Ok(tally.exit_code())
}
