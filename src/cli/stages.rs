//! `remit events` and `remit decide`: the two stages a cluster job pipes
//! data through (see `spark/remit_job.py`). `events` writes one JSON record
//! per 835 event and 837 claim; `decide` reads records (sorted by partition
//! or not) and writes the ledger rows as JSON Lines, with the same engine
//! and rules as `remit reconcile`.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use base64::Engine;

use super::args::{DecideStageArgs, EventsArgs};
use super::inputs::{Discovery, Input, discover, looks_like_x12, open_regular, starts_like_x12};
use super::output::Output;
use super::progress::Progress;
use super::settings;
use super::{EXIT_INPUT, EXIT_OK};
use crate::diagnostic::Severity;
use crate::ledger::row::COLUMNS;
use crate::ledger::{Format, sink};
use crate::pipeline::{InputContent, read_input};
use crate::pipeline::{parallel_jobs, parallel_map};
use crate::stages::{Record, RejectedRecord, decide_records, records};

pub fn events(args: &EventsArgs) -> anyhow::Result<u8> {
    let (sources, mut ok) = sources(args)?;
    let mut out = Output::create(&args.out)?;
    // Progress counts files named as arguments or paths (contents arrive
    // on standard input and are read already).
    let files = Discovery {
        inputs: sources
            .iter()
            .filter_map(|s| match s {
                Source::File(input) => Some(input.clone()),
                _ => None,
            })
            .collect(),
        ..Discovery::default()
    };
    let progress = Progress::new(&files, args.quiet.quiet);
    let contents = parallel_map(&sources, parallel_jobs(args.jobs), |source| {
        let content = source.read(&progress);
        progress.file_done();
        content
    });
    progress.finish();
    for (source, content) in sources.iter().zip(contents) {
        let name = source.name();
        let batch = match content {
            Ok(content) => match first_fatal(&content) {
                Some(message) => rejected(name, message),
                None => records(&name, &content),
            },
            Err(message) => rejected(name, message),
        };
        ok &= !matches!(batch.first(), Some(Record::Rejected(_)));
        for record in batch {
            let record = if args.history {
                record.into_history()
            } else {
                record
            };
            serde_json::to_writer(&mut out, &record)?;
            out.write_all(b"\n")?;
        }
    }
    out.commit()?;
    Ok(if ok || args.keep_going {
        EXIT_OK
    } else {
        EXIT_INPUT
    })
}

/// Where one input of the events stage comes from.
enum Source {
    /// A file to open.
    File(Input),
    /// A file's content, read from standard input.
    Content { name: String, bytes: Vec<u8> },
    /// A line of standard input that holds no usable content.
    Unreadable { name: String, message: String },
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::File(input) => input.display(),
            Source::Content { name, .. } | Source::Unreadable { name, .. } => name.clone(),
        }
    }

    /// The content, or why there is none (the input is then rejected).
    fn read(&self, progress: &Progress) -> Result<InputContent, String> {
        match self {
            Source::File(input) => open_regular(&input.path)
                .map(|f| read_input(&input.display(), progress.reader(f)))
                .map_err(|e| format!("cannot open: {e}")),
            Source::Content { name, bytes } => Ok(read_input(name, bytes.as_slice())),
            Source::Unreadable { message, .. } => Err(message.clone()),
        }
    }
}

/// The inputs named by the arguments and, with `--paths-from-stdin` or
/// `--contents-from-stdin`, by standard input; and whether all were found.
fn sources(args: &EventsArgs) -> anyhow::Result<(Vec<Source>, bool)> {
    let found = discover(&args.paths);
    // With input on standard input, an empty list is an empty partition of
    // a cluster job, not a mistake.
    if !args.paths_from_stdin && !args.contents_from_stdin {
        found.require_inputs(&args.paths)?;
    }
    let mut ok = report(&found);
    let mut sources: Vec<Source> = found.inputs.into_iter().map(Source::File).collect();
    if args.paths_from_stdin {
        let listed: Vec<PathBuf> = stdin_lines()?.into_iter().map(PathBuf::from).collect();
        let found = discover(&listed);
        ok &= report(&found);
        for input in found.inputs {
            // A listing stands for a folder: files that are not X12 are skipped.
            if looks_like_x12(&input.path) {
                sources.push(Source::File(input));
            } else {
                eprintln!("{}: not X12 (no ISA segment); skipped", input.display());
            }
        }
    }
    if args.contents_from_stdin {
        for line in stdin_lines()? {
            sources.extend(decode_content(&line));
        }
    }
    Ok((sources, ok))
}

/// One `NAME<TAB>BASE64` line of `--contents-from-stdin`; `None` (with a
/// note) when the content is not X12.
fn decode_content(line: &str) -> Option<Source> {
    let Some((name, encoded)) = line.split_once('\t') else {
        let name: String = line.chars().take(80).collect();
        let message = "expected NAME<TAB>BASE64 CONTENT on standard input".to_string();
        return Some(Source::Unreadable { name, message });
    };
    let name = name.to_string();
    match base64::engine::general_purpose::STANDARD.decode(encoded.trim()) {
        Ok(bytes) if starts_like_x12(&bytes) => Some(Source::Content { name, bytes }),
        Ok(_) => {
            eprintln!("{name}: not X12 (no ISA segment); skipped");
            None
        }
        Err(e) => Some(Source::Unreadable {
            name,
            message: format!("content is not base64: {e}"),
        }),
    }
}

/// The non-empty lines of standard input, trimmed.
fn stdin_lines() -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.context("cannot read standard input")?;
        if !line.trim().is_empty() {
            lines.push(line.trim().to_string());
        }
    }
    Ok(lines)
}

/// Prints what discovery could not read or skipped; true when it read all.
fn report(found: &Discovery) -> bool {
    for note in &found.skipped {
        eprintln!("{note}");
    }
    for (path, error) in &found.errors {
        eprintln!("{}: {error}", path.display());
    }
    found.errors.is_empty()
}

/// The first fatal finding of an input, if any.
fn first_fatal(content: &InputContent) -> Option<String> {
    content
        .summary
        .issues
        .0
        .iter()
        .find(|i| i.severity == Severity::Fatal)
        .map(|issue| issue.to_string())
}

/// The record of a rejected input, reported on standard error too.
fn rejected(source: String, message: String) -> Vec<Record> {
    eprintln!("{source}: {message}");
    vec![Record::Rejected(RejectedRecord { source, message })]
}

pub fn decide(args: &DecideStageArgs) -> anyhow::Result<u8> {
    let config = settings::config(
        args.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        Some((&args.interest.prompt_pay, args.interest.rate.as_deref())),
        Some(&args.codes),
    )?;
    let mut out = Output::create(&args.out)?;
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
    let rows = decide_records(parsed, &config)?;
    let mut sink = sink(Format::Jsonl, Box::new(&mut out), "ledger", "entry");
    sink.begin(COLUMNS)?;
    for row in &rows {
        sink.row(row)?;
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    Ok(EXIT_OK)
}
