//! The commands of a claim's life before its 835 (issue 22): `remit
//! resubmit` (the fix-and-resubmit worklist), `remit aging` (A/R aging by
//! payer) and `remit status-requests` (a 276 batch for aged claims without
//! an answer). Each reconciles its inputs like `remit reconcile` — 837s,
//! 835s, 999s, 277CAs and 277s, with or without `--db` — and reads the
//! claims still unanswered with their acknowledgments.

use std::io::Write;

use anyhow::Context;

use super::args::{LifecycleArgs, StatusRequestsArgs};
use super::inputs::read_option_file;
use super::output::Output;
use super::runner::{Prepared, Tally, report_rows};
use super::settings;
use crate::ledger::sink;
use crate::lifecycle::{FrontEndState, RequestPolicy, needs_status_request};
use crate::money::money;
use crate::pipeline::FrontEnd;
use crate::reports::lifecycle::{AGING_COLUMNS, AgingRecord, RESUBMIT_COLUMNS, aging as age_rows};
use crate::status_request::{EnvelopeConfig, StatusInquiry, write_status_requests};

fn prepare(args: &LifecycleArgs) -> anyhow::Result<Prepared> {
    let config = settings::config(args.input.as_of, None, None, None, Some(&args.codes))?;
    Prepared::new(&args.input, config)
}

/// The front end of a finished run.
fn front_end(tally: &Tally) -> anyhow::Result<&FrontEnd> {
    tally
        .front_end
        .as_ref()
        .context("no claim was reconciled (internal: the run ended early)")
}

/// `remit resubmit`: the claims a 999 or 277CA turned away (and those the
/// payer asks information about), soonest filing deadline first. Apart from
/// `remit appeals`: nothing here was adjudicated, so nothing is appealed;
/// the claim is corrected and sent again, before its filing deadline.
pub fn resubmit(args: &LifecycleArgs) -> anyhow::Result<u8> {
    let prepared = prepare(args)?;
    let mut out = Output::create(&args.output.out)?;
    let (_, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let items = front_end(&tally)?.worklist();
    let mut sink = sink(args.output.format, Box::new(&mut out), "resubmit", "claim");
    sink.begin(RESUBMIT_COLUMNS)?;
    for item in &items {
        sink.row(item)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    let missed = items
        .iter()
        .filter(|i| {
            i.deadline
                .as_ref()
                .is_some_and(|d| d.days_left(prepared.as_of()) < 0)
        })
        .count();
    eprintln!(
        "resubmit worklist: {} claim(s), {} past the filing deadline",
        items.len(),
        missed
    );
    Ok(tally.exit_code())
}

/// `remit aging`: unanswered money by payer, from the date of service and
/// from submission, each basis with a TOTAL row equal to the ledger's
/// unanswered total.
pub fn aging(args: &LifecycleArgs) -> anyhow::Result<u8> {
    let prepared = prepare(args)?;
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let tables = age_rows(&rows, prepared.as_of());
    let mut sink = sink(args.output.format, Box::new(&mut out), "aging", "row");
    sink.begin(AGING_COLUMNS)?;
    for record in AgingRecord::all(&tables) {
        sink.row(&record)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    eprintln!(
        "aging: {} unanswered in {} claim(s) as of {}",
        money(tables[0].total.total),
        tables[0].total.items,
        prepared.as_of()
    );
    Ok(tally.exit_code())
}

/// `remit status-requests`: a 276 batch asking each payer about its claims
/// sent at least `--min-age-days` ago that no 835 answered, not rejected
/// (those go on the resubmit worklist), not answered by a 277 lately.
pub fn status_requests(args: &StatusRequestsArgs) -> anyhow::Result<u8> {
    let config = settings::config(args.input.as_of, None, None, None, Some(&args.codes))?;
    let prepared = Prepared::new(&args.input, config)?;
    // The envelope is checked before anything is read or written.
    let bytes = read_option_file("--envelope", &args.envelope)?;
    let envelope = EnvelopeConfig::from_csv(bytes.as_slice())
        .with_context(|| format!("--envelope {}", args.envelope.display()))?;
    let mut out = Output::create(&args.out)?;
    let (_, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.out)?;
    let as_of = prepared.as_of();
    let policy = RequestPolicy {
        min_age_days: args.min_age_days,
        ..RequestPolicy::default()
    };
    let mut inquiries = Vec::new();
    let mut not_asked = 0;
    for (claim, life, billed) in front_end(&tally)?.open_claims() {
        if needs_status_request(&claim, &life, &policy, as_of) {
            inquiries.push(StatusInquiry::from_claim(&billed, &life.payer_claim_number));
        } else if life.state != FrontEndState::Submitted || claim.submitted.is_some() {
            not_asked += 1;
        }
    }
    let created = as_of.at(12, 0, 0, 0);
    let batch = write_status_requests(&inquiries, &envelope, created);
    tally.print();
    for (claim, why) in &batch.skipped {
        eprintln!("status-requests: claim {claim} not asked about: {why}");
    }
    if batch.asked.is_empty() {
        eprintln!(
            "status-requests: no claim to ask about ({} unanswered claim(s) too recent, rejected or answered lately); {} left as it was",
            not_asked,
            args.out.display()
        );
        return Ok(tally.exit_code());
    }
    out.write_all(&batch.bytes)
        .with_context(|| format!("--out {}", args.out.display()))?;
    out.commit()?;
    eprintln!(
        "status-requests: wrote {} asking about {} claim(s) (ISA13/GS06 {}); the next batch's control_number is {}",
        args.out.display(),
        batch.asked.len(),
        envelope.control_number,
        batch.next_control
    );
    Ok(tally.exit_code())
}
