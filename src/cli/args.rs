//! Command-line flags, mirrored one to one (resolved in `config`/commands).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::ledger::Format;

/// remit: reconcile X12 835 remittances against 837 claims.
#[derive(Debug, Parser)]
#[command(name = "remit", version, about, long_about = None)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check X12 files: envelopes, counts, loops, TR3 balancing.
    Validate(ValidateArgs),
    /// Write every 835 service line as one row.
    Lines(LinesArgs),
}

/// Flags of `remit validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print only files with errors or warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Output flags shared by table-writing commands.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Output file, or `-` for standard output.
    #[arg(long, default_value = "-")]
    pub out: PathBuf,
}

/// Flags of `remit lines`.
#[derive(Debug, clap::Args)]
pub struct LinesArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}
