//! `remit events` and `remit decide`: the two stages a cluster job pipes
//! data through (see `spark/remit_job.py`). `events` writes one JSON record
//! per 835 event and 837 claim; `decide` reads records (sorted by partition
//! or not) and writes the ledger rows as JSON Lines, with the same engine
//! and rules as `remit reconcile`.

use std::fs::File;
use std::io::{BufRead, Write};

use anyhow::Context;

use super::args::{DecideStageArgs, EventsArgs};
use super::inputs::{Input, discover};
use super::output::open;
use super::reconcile::{as_of, code_list, read_fee_schedule, rules};
use super::{EXIT_INPUT, EXIT_OK, parallel};
use crate::diagnostic::Severity;
use crate::ledger::row::COLUMNS;
use crate::ledger::{Format, sink};
use crate::reconcile::read_input;
use crate::stages::{Record, RejectedRecord, decide_records, records};

pub fn events(args: &EventsArgs) -> anyhow::Result<u8> {
    let mut paths = args.paths.clone();
    if args.paths_from_stdin {
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            if !line.trim().is_empty() {
                paths.push(line.trim().into());
            }
        }
    }
    let found = discover(&paths);
    let mut out = open(&args.out)?;
    let mut ok = found.errors.is_empty();
    for (path, error) in &found.errors {
        eprintln!("{}: cannot read: {error}", path.display());
    }
    let contents = parallel::map(&found.inputs, parallel::jobs(args.jobs), |input: &Input| {
        File::open(&input.path).map(|f| read_input(&input.display(), f))
    });
    for (input, content) in found.inputs.iter().zip(contents) {
        let source = input.display();
        let content = content.with_context(|| format!("cannot open {source}"))?;
        let fatal = content
            .summary
            .issues
            .0
            .iter()
            .find(|i| i.severity == Severity::Fatal);
        let batch = match fatal {
            Some(issue) => {
                eprintln!("{source}: {issue}");
                ok = false;
                vec![Record::Rejected(RejectedRecord {
                    source: source.clone(),
                    message: issue.to_string(),
                })]
            }
            None => records(&source, &content),
        };
        let batch = batch
            .into_iter()
            .map(|r| if args.history { r.into_history() } else { r });
        for record in batch {
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(if ok || args.keep_going {
        EXIT_OK
    } else {
        EXIT_INPUT
    })
}

pub fn decide(args: &DecideStageArgs) -> anyhow::Result<u8> {
    let schedule = read_fee_schedule(args.fee_schedule.as_deref())?;
    let rules = rules(&args.rules, args.as_of.or(Some(as_of(None))))?;
    let codes = code_list(&args.rules)?;
    let mut parsed = Vec::new();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line)
            .with_context(|| format!("standard input line {}: not a remit events record", n + 1))?;
        parsed.push(record);
    }
    let rows = decide_records(parsed, schedule.as_ref(), &rules, &codes)?;
    let out = open(&args.out)?;
    let mut sink = sink(Format::Jsonl, out, "ledger", "entry");
    sink.begin(COLUMNS)?;
    for row in &rows {
        sink.row(row)?;
    }
    sink.finish()?;
    Ok(EXIT_OK)
}
