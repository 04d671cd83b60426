//! Command-line flags, mirrored one to one (resolved in `config`/commands).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::ledger::Format;
use crate::split::GroupBy;
use crate::split::names::DEFAULT_TEMPLATE;

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
    /// Split 835 remittances into standalone 835s, one per group of claims.
    ///
    /// Each output is a complete interchange (the original ISA, GS, ST,
    /// BPR, TRN, dates, payer and payee loops) holding only the claims of
    /// one group of one input transaction. BPR02 becomes Σ CLP04 − Σ PLB of
    /// the output (a part paying nothing becomes BPR01 H, BPR04 NON).
    /// PLB amounts whose reference (PLB03-2) is a CLP07 or CLP01 of the
    /// transaction go with that claim; the others go to a provider-level
    /// file. SE01, GE01 and IEA01 are recomputed.
    ///
    /// Control numbers: ISA13, GS06 and ST02 are kept from the original, so
    /// every output can be traced back to it (each output is its own
    /// interchange); --renumber-from numbers ISA13 and GS06 instead.
    ///
    /// A summary on standard error proves, per transaction, that the
    /// outputs' BPR02 sum to the original BPR02.
    Split(SplitArgs),
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

/// Flags of `remit split`.
#[derive(Debug, clap::Args)]
pub struct SplitArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// How claims are grouped: member (NM1*QC id, else NM1*IL), claim
    /// (CLP01), payee (N1*PE id: whole transactions), service-date (the
    /// claim's earliest line date, else DTM*232).
    #[arg(long, value_enum)]
    pub by: GroupBy,
    /// Folder receiving one file per (input transaction, group), plus a
    /// provider-level file when some PLB amount references no claim.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Output file names; placeholders {input} (input file stem), {tx}
    /// (835 transaction number in the input), {isa13}, {gs06}, {st02},
    /// {group} (group key, or provider-level), {by}, {seq} (output number
    /// in the run). Values are reduced to A-Z a-z 0-9 . _ -; a name already
    /// used in the run gets -2, -3… before its extension.
    #[arg(long, default_value = DEFAULT_TEMPLATE, value_name = "TEMPLATE")]
    pub name_template: String,
    /// Overwrite files that already exist (otherwise remit stops, exit 2).
    #[arg(long)]
    pub force: bool,
    /// Number the outputs' interchanges N, N+1, … (ISA13 and GS06) instead
    /// of keeping the original control numbers. ST02 is always kept.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=999_999_999))]
    pub renumber_from: Option<u64>,
}
