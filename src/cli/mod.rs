//! The command line: flags, inputs, terminals and exit codes. The only
//! place that knows about files on disk, standard streams and clap.
//!
//! One module per command (`appeals`, `deposits`, `history`, `lines`,
//! `posting`, `reconcile`, `report`, `resolution`, `split`, `stages`,
//! `validate`, `generate`); a command imports no other command. What they
//! share: `args` (clap), `settings` (flags resolved once into the
//! pipeline's `Config`), `store` (`--db`), `runner` (`pipeline::run` with
//! progress, findings and the summary on standard error), `inputs`,
//! `output`, `progress` and `bank`.

mod appeals;
pub mod args;
mod bank;
pub mod columnar;
mod contracts;
mod deposits;
mod documents;
mod eob;
mod generate;
mod history;
pub mod inputs;
mod letters;
mod lifecycle;
mod lines;
mod outcomes;
pub mod output;
mod posting;
pub mod progress;
mod reconcile;
mod report;
mod resolution;
mod runner;
mod settings;
mod split;
mod stages;
mod store;
mod tracking;
mod validate;

use std::process::ExitCode;

pub use args::{Args, Command};

/// Exit status: everything was read, used and valid.
pub const EXIT_OK: u8 = 0;
/// Exit status: some input could not be used (not X12, truncated,
/// unreadable, a bank or posting file with problems), or no X12 input was
/// found at all. The other inputs were processed; when none was usable,
/// nothing was written.
pub const EXIT_INPUT: u8 = 1;
/// Exit status: a usage error (a bad option, an option's file missing or
/// malformed, a `--db` that is not a remit store) or an output that could
/// not be written. Nothing was written: every output is as it was.
pub const EXIT_FAILURE: u8 = 2;
/// Exit status: completed with findings. Every input was used and every
/// output written, but some input breaks an X12 rule that leaves its money
/// readable: a remittance that does not balance, a count or control number
/// that does not match. A scheduled job can tell this from a clean run.
pub const EXIT_FINDINGS: u8 = 3;

/// Every exit status with its meaning, most serious first: when several
/// apply, the first wins. The README's table and `--help` come from here.
pub const EXIT_STATUSES: &[(u8, &str)] = &[
    (
        EXIT_FAILURE,
        "usage error or output not written (outputs left as they were)",
    ),
    (
        EXIT_INPUT,
        "an input was rejected, or no X12 was found (nothing written if no input was usable)",
    ),
    (
        EXIT_FINDINGS,
        "completed with findings: an input breaks an X12 rule, e.g. a remittance that does not balance",
    ),
    (EXIT_OK, "every input read, used and valid"),
];

/// The `Exit status:` paragraph of every command's `--help`.
pub fn exit_status_help() -> String {
    let mut text = String::from("Exit status:");
    for (code, meaning) in EXIT_STATUSES {
        text.push_str(&format!("\n  {code}  {meaning}"));
    }
    text
}

/// The more serious of two exit statuses (see [`EXIT_STATUSES`]).
pub fn worst(a: u8, b: u8) -> u8 {
    let rank = |code: u8| {
        EXIT_STATUSES
            .iter()
            .position(|(c, _)| *c == code)
            .unwrap_or(0)
    };
    if rank(a) <= rank(b) { a } else { b }
}

/// A run that stops with a given exit status and a message, before
/// writing anything (e.g. no X12 found: status 1, not 2).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Stop {
    /// The exit status.
    pub code: u8,
    /// What to print, after `remit: `.
    pub message: String,
}

impl Stop {
    /// Stops with `code`, saying `message`.
    pub fn new(code: u8, message: impl Into<String>) -> Stop {
        Stop {
            code,
            message: message.into(),
        }
    }
}

/// The stop of a run in which no input could be used: status 1, and the
/// output `out` left as it was rather than replaced by an empty one.
pub fn no_usable_input(out: &std::path::Path) -> anyhow::Error {
    let kept = if out.as_os_str() == "-" {
        String::new()
    } else {
        format!("; {} was left as it was", out.display())
    };
    Stop::new(EXIT_INPUT, format!("no usable X12 input{kept}")).into()
}

/// The `remit` binary: parses the command line and runs it.
pub fn main() -> ExitCode {
    use clap::Parser;
    run(Args::parse())
}

/// Runs a parsed command line.
pub fn run(args: Args) -> ExitCode {
    // Flags that clap cannot check one by one, checked before any command
    // opens an input or an output.
    if let Some(Err(message)) = args.command.table_output().map(|o| o.check()) {
        eprintln!("remit: {message}");
        return ExitCode::from(EXIT_FAILURE);
    }
    let result = match args.command {
        Command::Validate(a) => validate::run(&a),
        Command::Lines(a) => lines::run(&a),
        Command::Reconcile(a) => reconcile::run(&a),
        Command::History(a) => history::run(&a),
        Command::Appeals(a) => appeals::run(&a),
        Command::Resolution(a) => resolution::run(&a),
        Command::Contracts(a) => contracts::run(&a),
        Command::Events(a) => stages::events(&a),
        Command::Decide(a) => stages::decide(&a),
        Command::Generate(a) => generate::run(&a),
        Command::Split(a) => split::run(&a),
        Command::Deposits(a) => deposits::run(&a),
        Command::Posting(a) => posting::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Resubmit(a) => lifecycle::resubmit(&a),
        Command::Aging(a) => lifecycle::aging(&a),
        Command::StatusRequests(a) => lifecycle::status_requests(&a),
        Command::Eob(a) => eob::run(&a),
        Command::Outcomes(a) => outcomes::run(&a),
        Command::Denials(a) => outcomes::denials(&a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader of standard output went away (`remit lines … | head`):
        // it has what it wanted, so stop quietly, as other Unix tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("remit: {}", error_text(&e));
            let code = e.downcast_ref::<Stop>().map_or(EXIT_FAILURE, |s| s.code);
            ExitCode::from(code)
        }
    }
}

/// An error and its causes on one line, each said once: a cause whose
/// words an outer message already quotes (`cannot read x.csv: No such
/// file` over the OS's `No such file`), or that only restates the cause
/// before it with a prefix (SQLite's `Error code 26: file is not a
/// database` under `file is not a database`), is left out.
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    let mut previous = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        let repeated = text.contains(&part) || (!previous.is_empty() && part.ends_with(&previous));
        if !text.is_empty() && part.starts_with(&text) {
            // The cause already says what the context said, and more.
            text = part.clone();
        } else if !repeated && !part.is_empty() {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        previous = part;
    }
    text
}

/// Whether an error comes from writing to a pipe whose reader has closed.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_says_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = anyhow::Error::new(io)
            .context("cannot read code list x.csv: No such file or directory");
        assert_eq!(
            error_text(&e),
            "cannot read code list x.csv: No such file or directory"
        );
        let e = anyhow::anyhow!("Error code 26: file is not a database")
            .context("file is not a database")
            .context("store.db: not a remit history store");
        assert_eq!(
            error_text(&e),
            "store.db: not a remit history store: file is not a database"
        );
        let e = anyhow::anyhow!("line 3: bad amount").context("fees.csv");
        assert_eq!(error_text(&e), "fees.csv: line 3: bad amount");
        let e = anyhow::anyhow!("cannot write r.html: disk full").context("cannot write r.html");
        assert_eq!(error_text(&e), "cannot write r.html: disk full");
    }

    #[test]
    fn the_most_serious_status_wins() {
        assert_eq!(worst(EXIT_OK, EXIT_FINDINGS), EXIT_FINDINGS);
        assert_eq!(worst(EXIT_FINDINGS, EXIT_INPUT), EXIT_INPUT);
        assert_eq!(worst(EXIT_FAILURE, EXIT_INPUT), EXIT_FAILURE);
        assert_eq!(worst(EXIT_OK, EXIT_OK), EXIT_OK);
    }

    #[test]
    fn help_lists_every_exit_status() {
        let help = exit_status_help();
        for code in [EXIT_OK, EXIT_INPUT, EXIT_FAILURE, EXIT_FINDINGS] {
            assert!(help.contains(&format!("\n  {code}  ")), "{help}");
        }
    }
}
