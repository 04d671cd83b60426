//! The `remit` binary: parse arguments, run, map the outcome to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    remit::cli::run(remit::cli::Args::parse())
}
