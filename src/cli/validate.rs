//! `remit validate`: reads every input completely and prints, per file, what
//! it holds and every finding with its position. Exit 0 only when all are
//! valid.

use std::fs::File;
use std::io::Write;

use super::args::ValidateArgs;
use super::inputs::{Input, discover};
use super::{EXIT_INPUT, EXIT_OK};
use crate::diagnostic::{Issue, Rule, Severity};
use crate::ledger::money;
use crate::scan::{Discard, FileSummary, scan_reader};

pub fn run(args: &ValidateArgs) -> anyhow::Result<u8> {
    let found = discover(&args.paths);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_valid = found.errors.is_empty();
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    for (path, error) in &found.errors {
        writeln!(out, "{}: cannot read: {error}", path.display())?;
    }
    for input in &found.inputs {
        let summary = validate_file(input);
        all_valid &= summary.issues.is_valid();
        print_summary(&mut out, input, &summary, args.quiet)?;
    }
    Ok(if all_valid { EXIT_OK } else { EXIT_INPUT })
}

/// Reads one input completely (an unreadable file is a fatal finding).
pub fn validate_file(input: &Input) -> FileSummary {
    match File::open(&input.path) {
        Ok(file) => scan_reader(file, &mut Discard),
        Err(e) => {
            let mut summary = FileSummary::default();
            let issue = Issue::new(
                Severity::Fatal,
                Rule::Syntax,
                Default::default(),
                format!("cannot open: {e}"),
            );
            summary.issues.push(issue);
            summary
        }
    }
}

fn print_summary(
    out: &mut dyn Write,
    input: &Input,
    s: &FileSummary,
    quiet: bool,
) -> std::io::Result<()> {
    if quiet && s.issues.0.is_empty() {
        return Ok(());
    }
    let verdict = if s.issues.has_fatal() {
        "REJECTED"
    } else if s.issues.is_valid() {
        "valid"
    } else {
        "INVALID"
    };
    // Acknowledgments and status reports count as transactions; their
    // claims are statuses, not billed or paid claims.
    let statuses = if s.claim_statuses > 0 {
        format!(", {} claim status(es)", s.claim_statuses)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}: {verdict}: {} — {} interchange(s), {} transaction(s), {} claim(s){statuses}, {} service line(s); billed {}, paid {}",
        input.display(),
        if s.kind().is_empty() {
            "X12".to_string()
        } else {
            s.kind()
        },
        s.interchanges,
        s.remittances + s.claim_batches + s.acknowledgments + s.status_reports,
        s.claims,
        s.lines,
        money(s.billed),
        money(s.paid),
    )?;
    for issue in &s.issues.0 {
        writeln!(out, "  {issue}")?;
    }
    Ok(())
}
