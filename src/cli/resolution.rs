//! `remit resolution`: the regulator resolution report — one row per
//! remitted claim line with billed, allowed, paid or denied, date paid,
//! interest applied and the dates behind it, the interest remit computes
//! and the difference; totals at the end.

use super::args::ResolutionArgs;
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use crate::ledger::sink;
use crate::line::figures;
use crate::money::money;
use crate::reports::resolution::{COLUMNS, ResolutionRow, Totals, is_claim_line};

pub fn run(args: &ResolutionArgs) -> anyhow::Result<u8> {
    let interest = &args.interest;
    if interest.prompt_pay.trim().eq_ignore_ascii_case("none") {
        anyhow::bail!(
            "remit resolution needs a prompt-pay rule: --prompt-pay nj|medicare|custom:days=N,rate=P"
        );
    }
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        None,
        Some((&interest.prompt_pay, interest.rate.as_deref())),
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let mut sink = sink(args.output.format, Box::new(&mut out), "resolution", "line");
    sink.begin(COLUMNS)?;
    let mut totals = Totals::default();
    // Every row's figures too, so that the summary says what the report's
    // claim lines leave out.
    let mut all = figures::Totals::default();
    for row in rows {
        all.add(&row);
        if is_claim_line(&row) {
            totals.add(&row);
            sink.row(&ResolutionRow::Line(Box::new(row)))?;
        }
    }
    let summary = format!(
        "resolution report: {} claim line(s); {} {}, {} {}, {} {}; interest applied {}, computed {}, difference {}\n  \
         not in these lines: claim-level and provider-level (PLB) amounts {} ({} of all rows {}); \
         {} counts re-listings as denied of lines whose payment stands, {} ({}) does not",
        totals.lines,
        figures::REMITTED_CHARGE.label,
        money(totals.billed),
        figures::PAID_ON_LINES.label,
        money(totals.paid),
        figures::DENIED_AS_REPORTED.label,
        money(totals.denied),
        money(totals.interest_applied),
        money(totals.interest_computed),
        money(totals.interest_computed - totals.interest_applied),
        money(all.paid.value - totals.paid),
        figures::PAID.label,
        money(all.paid.value),
        figures::DENIED_AS_REPORTED.label,
        figures::DENIED.label,
        money(all.denied.value),
    );
    sink.row(&ResolutionRow::Totals(totals))?;
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    eprintln!("{summary}");
    Ok(tally.exit_code())
}
