//! `remit appeals`: the appeal worklist — every denied (not previously
//! paid), underpaid or recouped line still open, by payer and deadline,
//! with the amount at stake and the days left.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::args::AppealsArgs;
use super::output::open;
use super::reconcile::{as_of, report_rows};
use crate::ledger::{money, sink};
use crate::reports::appeals::{COLUMNS, worklist};

pub fn run(args: &AppealsArgs) -> anyhow::Result<u8> {
    let (rows, tally) = report_rows(&args.input)?;
    let items = worklist(rows, as_of(args.input.as_of));
    let out = open(&args.output.out)?;
    let mut sink = sink(args.output.format, out, "appeals", "appeal");
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
