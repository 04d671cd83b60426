//! Command-line flags, mirrored one to one (resolved by each command).
//! Each command takes only the option groups that change what it writes,
//! so `--help` lists nothing that does nothing there.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use jiff::civil::Date;

use crate::ledger::Format;
use crate::split::GroupBy;
use crate::split::names::DEFAULT_TEMPLATE;

/// remit: reconcile X12 835 remittances against 837 claims.
#[derive(Debug, Parser)]
#[command(name = "remit", version, about, long_about = None, after_help = super::exit_status_help())]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// One value per process, parsed once: the size of the largest variant
// costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check X12 files: envelopes, counts, loops, TR3 balancing.
    #[command(after_help = super::exit_status_help())]
    Validate(ValidateArgs),
    /// Write every 835 service line as one row.
    #[command(after_help = super::exit_status_help())]
    Lines(LinesArgs),
    /// Reconcile 835 remittances against 837 claims into a ledger.
    #[command(after_help = super::exit_status_help())]
    Reconcile(ReconcileArgs),
    /// List every stored event of a history store, by payment date.
    #[command(after_help = super::exit_status_help())]
    History(HistoryArgs),
    /// The appeal worklist: open denied, underpaid and recouped lines by deadline.
    #[command(after_help = super::exit_status_help())]
    Appeals(AppealsArgs),
    /// The regulator resolution report: every claim line with interest owed and paid.
    #[command(after_help = super::exit_status_help())]
    Resolution(ResolutionArgs),
    /// The payer scorecard: per payer and procedure, allowed against billed, the contract and reference schedules.
    #[command(after_help = super::exit_status_help())]
    Contracts(ContractsArgs),
    /// Cluster stage 1: X12 in, one JSON record per 835 event and 837 claim out.
    #[command(after_help = super::exit_status_help())]
    Events(EventsArgs),
    /// Cluster stage 2: event records in (standard input), ledger rows out as JSON Lines.
    #[command(after_help = super::exit_status_help())]
    Decide(DecideStageArgs),
    /// Write a synthetic 835 or 837 (benchmarks and tests; undocumented).
    #[command(hide = true)]
    #[command(after_help = super::exit_status_help())]
    Generate(GenerateArgs),
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
    #[command(after_help = super::exit_status_help())]
    Split(SplitArgs),
    /// Match each 835 payment to the bank deposits (BAI2 or CSV) that paid it.
    #[command(after_help = super::exit_status_help())]
    Deposits(DepositsArgs),
    /// Compare what the practice posted with what the payers paid, line by line.
    #[command(after_help = super::exit_status_help())]
    Posting(PostingArgs),
    /// A self-contained HTML report: headline figures, charts and worklists.
    #[command(after_help = super::exit_status_help())]
    Report(ReportArgs),
    /// Printable remittances ("EOBs"): one HTML and PDF page per claim payment of the 835s.
    #[command(after_help = super::exit_status_help())]
    Eob(EobArgs),
    /// Appeal outcomes: import what was filed and what the payers answered into the store.
    #[command(after_help = super::exit_status_help())]
    Outcomes(OutcomesArgs),
    /// Denial analytics: denial, appeal and overturn rates and money recovered, by payer, month, reason, procedure and provider.
    #[command(after_help = super::exit_status_help())]
    Denials(DenialsArgs),
    /// The fix-and-resubmit worklist: claims rejected by a 999 or 277CA, by filing deadline.
    #[command(after_help = super::exit_status_help())]
    Resubmit(LifecycleArgs),
    /// A/R aging: unanswered money by payer in 0-30 … 120+ day buckets.
    #[command(after_help = super::exit_status_help())]
    Aging(LifecycleArgs),
    /// Write a 276 claim status request batch for aged claims without an answer.
    #[command(after_help = super::exit_status_help())]
    StatusRequests(StatusRequestsArgs),
}

/// Flags of `remit resubmit` and `remit aging`.
#[derive(Debug, clap::Args)]
pub struct LifecycleArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Code list.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit status-requests`.
#[derive(Debug, clap::Args)]
pub struct StatusRequestsArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Code list.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// The 276 envelope: a setting,value CSV (sender, receiver, information receiver, control number).
    #[arg(long, value_name = "FILE")]
    pub envelope: PathBuf,
    /// Ask about claims sent at least this many days before --as-of.
    #[arg(long, default_value_t = 30, value_name = "DAYS", value_parser = clap::value_parser!(i64).range(0..=3660))]
    pub min_age_days: i64,
    /// Where the 276 batch is written (atomically, owner-only).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Reads a date in any of the forms remit's CSV inputs accept:
/// `2025-07-31`, `20250731` or `07/31/2025` ([`crate::tabular::date`]).
pub fn parse_date(text: &str) -> Result<Date, String> {
    crate::tabular::date(text)
        .ok_or_else(|| "expected a date such as 2025-07-31, 20250731 or 07/31/2025".to_string())
}

/// Flags of `remit validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print only files with errors or warnings, and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl Command {
    /// The output flags of a command that writes a table.
    pub fn table_output(&self) -> Option<&OutputArgs> {
        match self {
            Command::Lines(a) => Some(&a.output),
            Command::Reconcile(a) => Some(&a.output),
            Command::History(a) => Some(&a.output),
            Command::Appeals(a) => Some(&a.output),
            Command::Resolution(a) => Some(&a.output),
            Command::Deposits(a) => Some(&a.output),
            Command::Posting(a) => Some(&a.output),
            Command::Contracts(a) => Some(&a.output),
            Command::Resubmit(a) | Command::Aging(a) => Some(&a.output),
            Command::Outcomes(a) => Some(&a.output),
            Command::Denials(a) => Some(&a.output),
            _ => None,
        }
    }
}

impl OutputArgs {
    /// Checks the flags together: an xlsx workbook is a zip archive written
    /// whole, so it goes to a file (`--out`), never to standard output.
    pub fn check(&self) -> Result<(), String> {
        if self.format == Format::Xlsx && self.out.as_os_str() == "-" {
            return Err(
                "--format xlsx writes a workbook file: give --out FILE.xlsx (a workbook cannot be streamed to standard output)"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Output flags shared by table-writing commands.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format; for a spreadsheet use xlsx (identifiers stay text), which needs --out.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Output file (replaced only when the command succeeds; owner-only), or `-` for standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
}

/// `--quiet` of the commands that read inputs.
#[derive(Debug, Clone, clap::Args)]
pub struct QuietArgs {
    /// No progress bar on standard error (it is drawn only when standard error is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Flags of `remit lines`.
#[derive(Debug, clap::Args)]
pub struct LinesArgs {
    /// Files or folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// A current CARC/RARC list (CSV) merged over the built-in one; the statuses come from its categories; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub code_list: Vec<PathBuf>,
    /// Progress.
    #[command(flatten)]
    pub quiet: QuietArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The inputs of every command that reconciles, and how they are read.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Files or folders (searched recursively); 835s, 837s, 999s, 277CAs and 277s are told apart by content.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// History store (SQLite, created owner-only if missing); without it, history lives in memory for the run.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Reconcile as of this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY) [default: today, UTC]: anything dated later is ignored.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Threads [default: all cores]: files are read N at a time; with 2 or more, deciding, decoding what it decides next, and writing rows each run on a thread of their own. The output is the same for any N.
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Timely-filing limits CSV (scope,key,days_from_service,days_from_primary_payment,note) merged over the built-in defaults.
    #[arg(long, value_name = "FILE")]
    pub filing_limits: Option<PathBuf>,
    /// Acknowledgment code lists (list,code,description[,outcome]: 999, TA1 and 277 status codes) merged over the built-in list.
    #[arg(long, value_name = "FILE")]
    pub ack_codes: Vec<PathBuf>,
    /// Progress.
    #[command(flatten)]
    pub quiet: QuietArgs,
}

/// `--contract`, `--fee-schedule` and `--reference`: what the payer should
/// allow, which makes a line UNDERPAID.
#[derive(Debug, Clone, clap::Args)]
pub struct FeeArgs {
    /// Contract CSV (repeatable): payer,plan,procedure,modifier,place,from,to,rate,max_units,rules.
    #[arg(long, value_name = "CSV")]
    pub contract: Vec<PathBuf>,
    /// The same as --contract (repeatable); an old procedure,modifier,allowed[,payer] file loads as undated flat rates.
    #[arg(long, value_name = "CSV")]
    pub fee_schedule: Vec<PathBuf>,
    /// Reference schedule that contract rates can be a percentage of, e.g. medicare=mpfs.csv (repeatable).
    #[arg(long, value_name = "NAME=CSV")]
    pub reference: Vec<String>,
}

/// Appeal deadlines (`appeal_by`).
#[derive(Debug, Clone, clap::Args)]
pub struct AppealArgs {
    /// Days to appeal a medical-necessity denial.
    #[arg(long, default_value_t = 180, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(0..=3660))]
    pub medical_appeal_days: i32,
    /// Days to appeal an administrative denial, underpayment or recoupment.
    #[arg(long, default_value_t = 90, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(0..=3660))]
    pub administrative_appeal_days: i32,
}

/// Prompt-pay interest, when it is optional.
#[derive(Debug, Clone, clap::Args)]
pub struct InterestArgs {
    /// Prompt-pay interest rule: nj, medicare (with --rate), none, or custom:days=N,rate=P.
    #[arg(long, value_name = "RULE", default_value = "none")]
    pub prompt_pay: String,
    /// Yearly interest rate (0.04625 or 4.625%), e.g. the Treasury prompt-payment rate for medicare.
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
}

/// Prompt-pay interest, when the command is about it.
#[derive(Debug, Clone, clap::Args)]
pub struct RequiredInterestArgs {
    /// Prompt-pay interest rule: nj, medicare (with --rate) or custom:days=N,rate=P.
    #[arg(long, value_name = "RULE", required = true)]
    pub prompt_pay: String,
    /// Yearly interest rate (0.04625 or 4.625%), e.g. the Treasury prompt-payment rate for medicare.
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
}

/// `--code-list`: the CARC/RARC list behind statuses and reasons.
#[derive(Debug, Clone, clap::Args)]
pub struct CodeArgs {
    /// A current CARC/RARC list (CSV: code, description, start and stop dates, optional category) merged over the built-in one: the statuses and the reason words come from it; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub code_list: Vec<PathBuf>,
}

/// Flags of `remit reconcile`.
#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// Underpayments.
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Appeal deadlines.
    #[command(flatten)]
    pub appeals: AppealArgs,
    /// Interest.
    #[command(flatten)]
    pub interest: InterestArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
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
    /// A CARC/RARC list (CSV) merged over the built-in one, used only to re-derive the decisions of a store written by an older remit; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub code_list: Vec<PathBuf>,
    /// Only this claim (CLP01 / CLM01).
    #[arg(long, value_name = "ID")]
    pub claim: Option<String>,
    /// Only this member id.
    #[arg(long, value_name = "ID")]
    pub member: Option<String>,
    /// Only this procedure code.
    #[arg(long, value_name = "CODE")]
    pub procedure: Option<String>,
    /// Only events paid on or after this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Only events paid on or before this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit appeals`.
#[derive(Debug, clap::Args)]
pub struct AppealsArgs {
    /// What to read (with --db, the whole stored history is considered).
    #[command(flatten)]
    pub input: InputArgs,
    /// Underpayments.
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Appeal deadlines.
    #[command(flatten)]
    pub appeals: AppealArgs,
    /// Interest (the INTEREST_DUE flag).
    #[command(flatten)]
    pub interest: InterestArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Appeal letters.
    #[command(flatten)]
    pub letters: LetterArgs,
}

/// Flags of `remit contracts`.
#[derive(Debug, clap::Args)]
pub struct ContractsArgs {
    /// What to read (with --db, the whole stored history is considered).
    #[command(flatten)]
    pub input: InputArgs,
    /// Contracts (expected, shortfall) and reference schedules (percent of reference).
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Reason codes (denial categories).
    #[command(flatten)]
    pub codes: CodeArgs,
    /// Only lines with a date of service on or after this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Only lines with a date of service on or before this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit resolution`.
#[derive(Debug, clap::Args)]
pub struct ResolutionArgs {
    /// What to read (with --db, the whole stored history is reported).
    #[command(flatten)]
    pub input: InputArgs,
    /// Underpayments (the UNDERPAID flag).
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Interest: required.
    #[command(flatten)]
    pub interest: RequiredInterestArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `remit events`.
#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    /// Files or folders.
    pub paths: Vec<PathBuf>,
    /// Also read file paths, one per line, from standard input (for Spark's RDD.pipe); like files found in a folder, those that are not X12 are skipped with a note.
    #[arg(long)]
    pub paths_from_stdin: bool,
    /// Read the files themselves from standard input, one per line as `NAME<TAB>BASE64 CONTENT` (for clusters without a shared file system); those that are not X12 are skipped with a note.
    #[arg(long, conflicts_with = "paths_from_stdin")]
    pub contents_from_stdin: bool,
    /// Exit 0 even when some input is rejected (it is still reported, as a `rejected` record and on standard error).
    #[arg(long)]
    pub keep_going: bool,
    /// Mark the records as history (earlier runs): they shape decisions but yield no ledger rows.
    #[arg(long)]
    pub history: bool,
    /// Threads reading files [default: all cores].
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Progress.
    #[command(flatten)]
    pub quiet: QuietArgs,
    /// Output file (replaced only when the command succeeds; owner-only), or `-` for standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
}

/// Flags of `remit decide`.
#[derive(Debug, clap::Args)]
pub struct DecideStageArgs {
    /// Decide as of this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY) [default: today, UTC]: later remittances are ignored.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Underpayments.
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Appeal deadlines.
    #[command(flatten)]
    pub appeals: AppealArgs,
    /// Interest.
    #[command(flatten)]
    pub interest: InterestArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// Output file (replaced only when the command succeeds; owner-only), or `-` for standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub out: PathBuf,
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
    /// Which practice (0 to 99) the file is for: each has payees, claim
    /// numbers, payer claim numbers and traces of its own, so the files of
    /// several practices make a clearinghouse's folder (0: the files as
    /// always; give the 837 the 835's `--practice`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub practice: u32,
    /// The file to write (replaced only when the command succeeds; owner-only).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// With `--kind 837`: the claims answered by this 835, written by
    /// `remit generate --kind 835` with the same `--bytes`, `--seed` and `--practice`.
    #[arg(long, value_name = "FILE")]
    pub matching_835: Option<PathBuf>,
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
    /// provider-level file when some PLB amount references no claim
    /// (created owner-only if missing).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Output file names; placeholders {input} (input file stem), {tx}
    /// (835 transaction number in the input), {isa13}, {gs06}, {st02},
    /// {group} (group key, or provider-level), {by}, {seq} (output number
    /// in the run). Values are reduced to A-Z a-z 0-9 . _ -; a name already
    /// used in the run gets -2, -3… before its extension.
    #[arg(long, default_value = DEFAULT_TEMPLATE, value_name = "TEMPLATE")]
    pub name_template: String,
    /// Replace files that already exist (otherwise remit stops, exit 2).
    #[arg(long)]
    pub force: bool,
    /// Number the outputs' interchanges N, N+1, … (ISA13 and GS06) instead
    /// of keeping the original control numbers. ST02 is always kept.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=999_999_999))]
    pub renumber_from: Option<u64>,
    /// Progress.
    #[command(flatten)]
    pub quiet: QuietArgs,
}

/// Flags of `remit deposits`.
#[derive(Debug, clap::Args)]
pub struct DepositsArgs {
    /// What to read (with --db, every stored remittance is matched).
    #[command(flatten)]
    pub input: InputArgs,
    /// A bank file: BAI2 or CSV, told apart by content; may be repeated.
    #[arg(long, value_name = "FILE", required = true)]
    pub bank: Vec<PathBuf>,
    /// How to read bank CSV files and how far dates may be apart.
    #[command(flatten)]
    pub bank_options: BankOptions,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Bank CSV column names and the matching window.
#[derive(Debug, Clone, clap::Args)]
pub struct BankOptions {
    /// Bank CSV: the column holding the booking date.
    #[arg(long, default_value = "date", value_name = "NAME")]
    pub bank_date_column: String,
    /// Bank CSV: the column holding the signed amount (credits positive).
    #[arg(long, default_value = "amount", value_name = "NAME")]
    pub bank_amount_column: String,
    /// Bank CSV: the column holding the description (ACH addenda, check text).
    #[arg(long, default_value = "description", value_name = "NAME")]
    pub bank_description_column: String,
    /// Bank CSV: the column holding the bank's reference, when there is one.
    #[arg(long, default_value = "reference", value_name = "NAME")]
    pub bank_reference_column: String,
    /// Days a deposit may be from the payment date when matched by amount
    /// and date, and after which a payment without a deposit counts as not
    /// received (as of --as-of).
    #[arg(long, default_value_t = 10, value_name = "DAYS", value_parser = clap::value_parser!(i32).range(0..=3660))]
    pub window_days: i32,
}

/// Flags of `remit posting`.
#[derive(Debug, clap::Args)]
pub struct PostingArgs {
    /// What to read (with --db, the whole stored history is compared).
    #[command(flatten)]
    pub input: InputArgs,
    /// Underpayments (an underpaid line is open to appeal).
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Appeal deadlines (WRITE_OFF_ON_APPEALABLE).
    #[command(flatten)]
    pub appeals: AppealArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// What the practice posted: a CSV export of its practice-management system.
    #[arg(long, value_name = "FILE")]
    pub posted: PathBuf,
    /// The export's column names.
    #[command(flatten)]
    pub columns: PostedColumnArgs,
    /// Bank files (BAI2 or CSV; may be repeated) to tie the totals to the money received.
    #[arg(long, value_name = "FILE")]
    pub bank: Vec<PathBuf>,
    /// How to read bank CSV files and how far dates may be apart.
    #[command(flatten)]
    pub bank_options: BankOptions,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Column names of the practice's posting export.
#[derive(Debug, Clone, clap::Args)]
pub struct PostedColumnArgs {
    /// Posting export: the claim id column (CLM01).
    #[arg(long, default_value = "claim_id", value_name = "NAME")]
    pub posted_claim_column: String,
    /// Posting export: the date-of-service column.
    #[arg(long, default_value = "service_date", value_name = "NAME")]
    pub posted_service_date_column: String,
    /// Posting export: the procedure column (modifiers after - or : are ignored).
    #[arg(long, default_value = "procedure", value_name = "NAME")]
    pub posted_procedure_column: String,
    /// Posting export: the payer column (optional; used to tell payers apart when present).
    #[arg(long, default_value = "payer", value_name = "NAME")]
    pub posted_payer_column: String,
    /// Posting export: the amount-posted column.
    #[arg(long, default_value = "amount_posted", value_name = "NAME")]
    pub posted_amount_column: String,
    /// Posting export: the adjustment (write-off) column (optional).
    #[arg(long, default_value = "adjustment_posted", value_name = "NAME")]
    pub posted_adjustment_column: String,
    /// Posting export: the posting-date column (optional).
    #[arg(long, default_value = "posting_date", value_name = "NAME")]
    pub posted_date_column: String,
}

/// Flags of `remit report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// What to read (with --db, the whole stored history is reported).
    #[command(flatten)]
    pub input: InputArgs,
    /// Underpayments.
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Appeal deadlines (the worklist and the money at risk).
    #[command(flatten)]
    pub appeals: AppealArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// The HTML file to write (replaced only when the command succeeds; owner-only), or `-` for standard output.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// Show member names and ids in full (masked by default).
    #[arg(long)]
    pub show_phi: bool,
    /// Appeal deadlines within this many days count as money at risk.
    #[arg(long, value_name = "DAYS", default_value_t = crate::reports::page::DEFAULT_DEADLINE_DAYS, value_parser = clap::value_parser!(i64).range(0..))]
    pub deadline_days: i64,
    /// Most rows any table of the page carries; the rest are counted and left out.
    #[arg(long, value_name = "N", default_value_t = crate::reports::page::DEFAULT_TABLE_ROWS)]
    pub table_rows: usize,
    /// The date range of the denial analytics.
    #[command(flatten)]
    pub range: RangeArgs,
}

// Flags of the letters, printable remittances, outcomes and denials commands.

/// Which documents to write for each claim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DocumentFormat {
    /// HTML and PDF.
    #[default]
    Both,
    /// HTML only.
    Html,
    /// PDF only.
    Pdf,
}

impl DocumentFormat {
    /// True when HTML files are written.
    pub fn html(self) -> bool {
        self != DocumentFormat::Pdf
    }

    /// True when PDF files are written.
    pub fn pdf(self) -> bool {
        self != DocumentFormat::Html
    }
}

/// `--letters` and what a letter is made from (`remit appeals`).
#[derive(Debug, Clone, clap::Args)]
pub struct LetterArgs {
    /// Also write one appeal letter per claim with open items into this folder (created owner-only): PAYER_CLAIM.html and .pdf.
    #[arg(long, value_name = "DIR", requires = "letterhead")]
    pub letters: Option<PathBuf>,
    /// The practice's letterhead (CSV of setting,value rows; practice_name required); needed with --letters.
    #[arg(long, value_name = "FILE", requires = "letters")]
    pub letterhead: Option<PathBuf>,
    /// A letter template (minijinja/Jinja2 HTML) replacing the built-in one.
    #[arg(long, value_name = "FILE", requires = "letters")]
    pub template: Option<PathBuf>,
    /// External-review texts by state and plan (CSV: state,plan,text) for medical-necessity denials [default: a neutral text].
    #[arg(long, value_name = "FILE", requires = "letters")]
    pub review_notices: Option<PathBuf>,
    /// Which files each letter is written as.
    #[arg(long, value_enum, default_value_t = DocumentFormat::Both, value_name = "FORMAT")]
    pub letter_format: DocumentFormat,
}

/// Flags of `remit eob`.
#[derive(Debug, clap::Args)]
pub struct EobArgs {
    /// 835 files or folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only this claim (CLP01); may be repeated [default: every claim].
    #[arg(long, value_name = "ID")]
    pub claim: Vec<String>,
    /// The folder to write into (created owner-only): PAYER_CLAIM_DATE.html and .pdf per claim payment.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The practice's letterhead (CSV of setting,value rows): its name heads the page, its paper and date style are used.
    #[arg(long, value_name = "FILE")]
    pub letterhead: Option<PathBuf>,
    /// A remittance template (minijinja/Jinja2 HTML) replacing the built-in one.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Which files each remittance is written as.
    #[arg(long, value_enum, default_value_t = DocumentFormat::Both, value_name = "FORMAT")]
    pub eob_format: DocumentFormat,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// Progress.
    #[command(flatten)]
    pub quiet: QuietArgs,
}

/// Flags of `remit outcomes`.
#[derive(Debug, clap::Args)]
pub struct OutcomesArgs {
    /// Outcomes CSVs to import (payer,claim_id,service_date,procedure,modifiers,filed,outcome,decided,recovered,reference,notes); a row stored before (same line and filing date) is updated. Without any, the stored outcomes are only listed.
    pub files: Vec<PathBuf>,
    /// The history store (created owner-only if missing).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Where and how to write the stored outcomes (after the import).
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The date range of denial analytics.
#[derive(Debug, Clone, clap::Args)]
pub struct RangeArgs {
    /// Denial analytics: only lines paid on or after this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Denial analytics: only lines paid on or before this date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
}

/// Flags of `remit denials`.
#[derive(Debug, clap::Args)]
pub struct DenialsArgs {
    /// What to read (with --db, the whole stored history and its appeal outcomes).
    #[command(flatten)]
    pub input: InputArgs,
    /// Underpayments.
    #[command(flatten)]
    pub fees: FeeArgs,
    /// Appeal deadlines.
    #[command(flatten)]
    pub appeals: AppealArgs,
    /// Reason codes.
    #[command(flatten)]
    pub codes: CodeArgs,
    /// The date range.
    #[command(flatten)]
    pub range: RangeArgs,
    /// Where and how to write.
    #[command(flatten)]
    pub output: OutputArgs,
}
