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
    /// Reconcile 835 remittances against 837 claims into a ledger.
    Reconcile(ReconcileArgs),
    /// List every stored event of a history store, by payment date.
    History(HistoryArgs),
    /// Write a synthetic 835 or 837 (benchmarks and tests; undocumented).
    #[command(hide = true)]
    Generate(GenerateArgs),
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

/// Flags of `remit reconcile`.
#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {
    /// Files or folders (searched recursively); 835s and 837s are told apart by content.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Fee schedule CSV: procedure,modifier,allowed[,payer].
    #[arg(long, value_name = "CSV")]
    pub fee_schedule: Option<PathBuf>,
    /// History store (SQLite, created owner-only if missing); without it, history lives in memory for the run.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Reconcile as of this date (default today): later remittances are ignored.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<jiff::civil::Date>,
    /// Days to appeal a medical-necessity denial.
    #[arg(long, default_value_t = 180, value_name = "DAYS")]
    pub medical_appeal_days: i32,
    /// Days to appeal an administrative denial, underpayment or recoupment.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    pub administrative_appeal_days: i32,
    /// Worker threads for reading files (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The history store written by `remit reconcile --db`.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Only this claim (CLP01 / CLM01).
    #[arg(long, value_name = "ID")]
    pub claim: Option<String>,
    /// Only this member id.
    #[arg(long, value_name = "ID")]
    pub member: Option<String>,
    /// Only this procedure code.
    #[arg(long, value_name = "CODE")]
    pub procedure: Option<String>,
    /// Only events paid on or after this date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<jiff::civil::Date>,
    /// Only events paid on or before this date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<jiff::civil::Date>,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which file `remit generate` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GeneratedKind {
    /// Remittances.
    #[value(name = "835")]
    I835,
    /// Professional claims.
    #[value(name = "837")]
    I837,
}

/// Flags of the hidden `remit generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// 835 remittances or 837 claims.
    #[arg(long, value_enum)]
    pub kind: GeneratedKind,
    /// Stop before the file would exceed this many bytes (with
    /// `--matching-835`: the `--bytes` the 835 was written with).
    #[arg(long, value_name = "N")]
    pub bytes: u64,
    /// Seed of every random choice (same seed, same bytes).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// With `--kind 837`: the claims answered by this 835, written by
    /// `remit generate --kind 835` with the same `--bytes` and `--seed`.
    #[arg(long, value_name = "FILE")]
    pub matching_835: Option<PathBuf>,
}
