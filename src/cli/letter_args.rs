//! Flags of the issue-21 commands and options: appeal letters
//! (`remit appeals --letters`), printable remittances (`remit eob`), appeal
//! outcomes (`remit outcomes import`) and denial analytics (`remit
//! denials`, and the range of `remit report`'s analytics). Kept apart from
//! `args.rs` so that they read as one feature.

use std::path::PathBuf;

use jiff::civil::Date;

use super::args::{AppealArgs, CodeArgs, FeeArgs, InputArgs, OutputArgs, QuietArgs, parse_date};

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
