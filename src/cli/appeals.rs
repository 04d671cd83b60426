//! `remit appeals`: the appeal worklist — every denied (not previously
//! paid), underpaid or recouped line still open, by payer and deadline,
//! with the amount at stake and the days left.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::args::AppealsArgs;
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use crate::ledger::sink;
use crate::money::money;
use crate::reports::appeals::{COLUMNS, worklist};

pub fn run(args: &AppealsArgs) -> anyhow::Result<u8> {
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        Some((&args.interest.prompt_pay, args.interest.rate.as_deref())),
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let items = worklist(rows, prepared.as_of());
    let mut sink = sink(args.output.format, Box::new(&mut out), "appeals", "appeal");
    sink.begin(COLUMNS)?;
    let mut by_payer: BTreeMap<&str, (usize, usize, Decimal)> = BTreeMap::new();
    for item in &items {
        sink.row(item)?;
        let entry = by_payer
            .entry(item.row.event.context.payer.as_str())
            .or_default();
        entry.0 += 1;
        entry.1 += usize::from(item.days_left < 0);
        entry.2 += item.at_stake;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    eprintln!("appeal worklist: {} open line(s)", items.len());
    for (payer, (open, passed, stake)) in by_payer {
        eprintln!(
            "  {payer}: {open} open, {passed} past the deadline, {} at stake",
            money(stake)
        );
    }
    Ok(tally.exit_code())
}
