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
    /// The appeal worklist: open denied, underpaid and recouped lines by deadline.
    Appeals(AppealsArgs),
    /// The regulator resolution report: every claim line with interest owed and paid.
    Resolution(ResolutionArgs),
    /// A self-contained HTML report: headline figures, charts and worklists.
    Report(ReportArgs),
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
    /// What to read and how to decide.
    #[command(flatten)]
    pub input: DecideArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Inputs and decision settings shared by `reconcile`, `appeals`,
/// `resolution` and `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct DecideArgs {
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
    /// Rules for deadlines, interest and reason codes.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Worker threads for reading files (default: all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
}

/// Flags shared by every command that decides events.
#[derive(Debug, Clone, clap::Args)]
pub struct RuleArgs {
    /// Days to appeal a medical-necessity denial.
    #[arg(long, default_value_t = 180, value_name = "DAYS")]
    pub medical_appeal_days: i32,
    /// Days to appeal an administrative denial, underpayment or recoupment.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    pub administrative_appeal_days: i32,
    /// Prompt-pay interest rule: nj, medicare (with --rate), none, or custom:days=N,rate=P.
    #[arg(long, value_name = "RULE", default_value = "none")]
    pub prompt_pay: String,
    /// Yearly interest rate (0.04625 or 4.625%), e.g. the Treasury prompt-payment rate for medicare.
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
    /// A current CARC/RARC list (CSV: code, description, start and stop dates) to use over the built-in one; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub code_list: Vec<PathBuf>,
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

/// Flags of `remit appeals`.
#[derive(Debug, clap::Args)]
pub struct AppealsArgs {
    /// What to read and how to decide (with --db, the whole stored history is considered).
    #[command(flatten)]
    pub input: DecideArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit resolution`.
#[derive(Debug, clap::Args)]
pub struct ResolutionArgs {
    /// What to read and how to decide (`--prompt-pay` is required).
    #[command(flatten)]
    pub input: DecideArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// What to read and how to decide (with --db, the whole stored history is reported).
    #[command(flatten)]
    pub input: DecideArgs,
    /// The HTML file to write (created owner-only), or `-` for standard output.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// Show member names and ids in full (masked by default).
    #[arg(long)]
    pub show_phi: bool,
    /// Appeal deadlines within this many days count as money at risk.
    #[arg(long, value_name = "DAYS", default_value_t = crate::reports::page::DEFAULT_DEADLINE_DAYS)]
    pub deadline_days: i64,
    /// Most rows any table of the page carries; the rest are counted and left out.
    #[arg(long, value_name = "N", default_value_t = crate::reports::page::DEFAULT_TABLE_ROWS)]
    pub table_rows: usize,
}
