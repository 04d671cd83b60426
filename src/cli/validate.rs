//! `remit validate`: reads every input completely and prints, per file, what
//! it holds and every finding with its position. Exit 0 only when all are
//! valid; 3 when some file breaks a rule but can be read, 1 when some file
//! is rejected.

use std::io::{Seek, SeekFrom, Write};

use super::args::ValidateArgs;
use super::inputs::{Input, discover, open_regular};
use super::progress::Progress;
use super::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, worst};
use crate::money::money;
use crate::scan::{Discard, FileSummary, scan_reader, screen_reader};

pub fn run(args: &ValidateArgs) -> anyhow::Result<u8> {
    let found = discover(&args.paths);
    found.require_inputs(&args.paths)?;
    let progress = Progress::new(&found, args.quiet);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut code = if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    };
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    for (path, error) in &found.errors {
        writeln!(out, "{}: {error}", path.display())?;
    }
    for input in &found.inputs {
        let summary = validate_file(input, &progress);
        progress.file_done();
        code = worst(code, file_code(&summary));
        progress.suspend(|| print_summary(&mut out, input, &summary, args.quiet))?;
    }
    progress.finish();
    Ok(code)
}

/// 1 for a rejected file, 3 for one with invalid findings, else 0.
fn file_code(summary: &FileSummary) -> u8 {
    if summary.issues.has_fatal() {
        EXIT_INPUT
    } else if !summary.issues.is_valid() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Reads one input completely (an unreadable file is a fatal finding).
///
/// The file is screened first ([`screen_reader`]): a valid 835 or 837 is
/// vouched for without building its model. Anything in doubt is read again
/// from its start by [`scan_reader`], whose findings are the ones printed,
/// so the summary is the same either way.
pub fn validate_file(input: &Input, progress: &Progress) -> FileSummary {
    match open_regular(&input.path) {
        Ok(file) => {
            if let Ok(summary) = screen_reader(progress.reader(&file)) {
                return summary;
            }
            // The progress bar has counted the bytes once already.
            match (&file).seek(SeekFrom::Start(0)) {
                Ok(_) => scan_reader(&file, &mut Discard),
                Err(e) => FileSummary::unreadable(&e),
            }
        }
        Err(e) => FileSummary::unreadable(&e),
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
