//! The command line: flags, inputs, terminals and exit codes. The only
//! place that knows about files on disk, standard streams and clap.

pub mod args;
mod generate;
mod history;
pub mod inputs;
mod lines;
pub mod output;
pub mod parallel;
mod reconcile;
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
        Command::Generate(a) => generate::run(&a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("remit: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
