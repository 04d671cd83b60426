//! `remit appeals`: the appeal worklist — every denied (not previously
//! paid), underpaid or recouped line still open, by payer and deadline,
//! with the amount at stake and the days left — and, with `--letters`, one
//! appeal letter per claim.
//!
//! With `--db`, the appeal outcomes stored there (`remit outcomes import`)
//! say where each item stands: `open`, `filed` (waiting) or `no_answer`
//! stay on the worklist; `won`, `partial` and `lost` are resolved and
//! leave it, as does an appealed line a later remittance paid. Letters are
//! written only for items still `open`: an appeal already filed is not
//! written again.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::args::AppealsArgs;
use super::letters::LetterJob;
use super::output::Output;
use super::runner::{Prepared, report_rows};
use super::settings;
use super::tracking::Tracking;
use crate::ledger::sink;
use crate::money::money;
use crate::outcomes::ItemState;
use crate::reports::appeals::{AppealItem, AppealTracking, COLUMNS, letter_items, worklist};

pub fn run(args: &AppealsArgs) -> anyhow::Result<u8> {
    let config = settings::config(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        Some((&args.interest.prompt_pay, args.interest.rate.as_deref())),
        Some(&args.codes),
    )?;
    // Every letter option is read and checked before anything is written.
    let letters = LetterJob::load(&args.letters)?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let (rows, tally) = report_rows(&args.input, &prepared)?;
    tally.require_usable(&args.output.out)?;
    let tracking = Tracking::load(&rows, args.input.db.as_deref(), prepared.config.codes())?;
    let track = |item: &AppealItem| tracking.track(item);
    let letter_rows = letters
        .as_ref()
        .map(|_| letter_items(rows.iter().cloned(), prepared.as_of()));
    let items = worklist(rows, prepared.as_of());
    let mut resolved = 0usize;
    let listed: Vec<AppealItem> = items
        .into_iter()
        .filter_map(|mut item| {
            let tracked = track(&item);
            let keep = tracked.state.on_worklist();
            resolved += usize::from(!keep);
            item.tracking = Some(AppealTracking {
                state: tracked.state.as_str(),
                filed: tracked.filed,
                note: tracked.reason,
            });
            keep.then_some(item)
        })
        .collect();
    // Letters first: a letter that cannot be written leaves the worklist
    // output as it was.
    let mut letters_written = None;
    if let (Some(job), Some(candidates)) = (&letters, &letter_rows) {
        let open: Vec<&AppealItem> = candidates
            .iter()
            .filter(|i| track(i).state == ItemState::Open)
            .collect();
        let rules = &prepared.config.rules;
        let written = job.write(
            &open,
            prepared.config.codes(),
            prepared.as_of(),
            &rules.medical_necessity_carcs,
            &args.interest.prompt_pay,
        )?;
        letters_written = Some((written, candidates.len() - open.len()));
    }
    let mut sink = sink(args.output.format, Box::new(&mut out), "appeals", "appeal");
    sink.begin(COLUMNS)?;
    let mut by_payer: BTreeMap<&str, (usize, usize, Decimal)> = BTreeMap::new();
    for item in &listed {
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
    eprintln!("appeal worklist: {} open line(s)", listed.len());
    if resolved > 0 {
        eprintln!("  {resolved} appealed line(s) resolved (won, partly won or lost) and left out");
    }
    for (payer, (open, passed, stake)) in by_payer {
        eprintln!(
            "  {payer}: {open} open, {passed} past the deadline, {} at stake",
            money(stake)
        );
    }
    if let (Some(((written, retired), filed)), Some(dir)) = (letters_written, &args.letters.letters)
    {
        eprintln!(
            "appeal letters: {written} claim(s) written to {}{}",
            dir.display(),
            if filed > 0 {
                format!(" ({filed} line(s) already appealed left out)")
            } else {
                String::new()
            }
        );
        if retired > 0 {
            eprintln!(
                "  {retired} letter file(s) of an earlier run whose item left the worklist (appealed, won, lost or paid) moved to {}",
                dir.join("archive").display()
            );
        }
    }
    Ok(tally.exit_code())
}
