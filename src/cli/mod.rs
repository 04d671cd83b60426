//! The command line: flags, inputs, terminals and exit codes. The only
//! place that knows about files on disk, standard streams and clap.

mod appeals;
pub mod args;
mod deposits;
mod generate;
mod history;
pub mod inputs;
mod lines;
pub mod output;
pub mod parallel;
mod posting;
mod reconcile;
mod report;
mod resolution;
mod split;
mod stages;
mod validate;

use std::process::ExitCode;

pub use args::{Args, Command};

/// Exit status: everything read and valid.
pub const EXIT_OK: u8 = 0;
/// Exit status: some input was rejected or invalid.
pub const EXIT_INPUT: u8 = 1;
/// Exit status: usage error or output could not be written.
pub const EXIT_FAILURE: u8 = 2;

/// Runs a parsed command line.
pub fn run(args: Args) -> ExitCode {
    let result = match args.command {
        Command::Validate(a) => validate::run(&a),
        Command::Lines(a) => lines::run(&a),
        Command::Reconcile(a) => reconcile::run(&a),
        Command::History(a) => history::run(&a),
        Command::Appeals(a) => appeals::run(&a),
        Command::Resolution(a) => resolution::run(&a),
        Command::Events(a) => stages::events(&a),
        Command::Decide(a) => stages::decide(&a),
        Command::Generate(a) => generate::run(&a),
        Command::Split(a) => split::run(&a),
        Command::Deposits(a) => deposits::run(&a),
        Command::Posting(a) => posting::run(&a),
        Command::Report(a) => report::run(&a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader of standard output went away (`remit lines … | head`):
        // it has what it wanted, so stop quietly, as other Unix tools do.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("remit: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Whether an error comes from writing to a pipe whose reader has closed.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
