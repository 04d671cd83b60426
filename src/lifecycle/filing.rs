//! Timely filing: each payer's limit for getting a claim to it, the
//! deadline and days left for a claim, and the proof of timely submission
//! that turns a CARC 29 ("the time limit for filing has expired") denial
//! into an appeal.
//!
//! Limits come from a small CSV (`scope,key,days_from_service,
//! days_from_primary_payment,note`) — the built-in defaults are
//! `data/filing-limits.csv`; a user's file adds or replaces rows. A limit is
//! found by the payer id first (scope `payer`, the 837's NM1*PR NM109), then
//! by the claim filing indicator (scope `indicator`, SBR09: `MA`/`MB`
//! Medicare, `MC` Medicaid…), then the `default` row.
//!
//! Counting: a primary claim's limit runs from the date of service (the
//! first day for professional and dental claims — the earliest line, the
//! conservative reading — and the statement's last day for institutional
//! claims, as Medicare counts); a secondary claim's from the primary
//! payer's payment when the row gives `days_from_primary_payment` and the
//! payment date is known, else from the date of service.

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use jiff::ToSpan;
use jiff::civil::Date;

use super::state::{AckEvidence, ClaimLifecycle};
use super::submission::SubmittedClaim;
use crate::text::Text;

/// The built-in limits.
const BUILTIN_CSV: &str = include_str!("../../data/filing-limits.csv");

/// Days before a deadline from which an open claim is "due soon": two
/// weeks leaves time to correct and resend a rejected claim.
pub const DUE_SOON_DAYS: i64 = 14;

/// What a limit row applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitScope {
    /// One payer, by its id (837 NM1*PR NM109).
    Payer(Text),
    /// A claim filing indicator (SBR09).
    Indicator(Text),
    /// Everything else.
    Default,
}

/// One payer's (or kind of payer's) filing limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilingLimit {
    /// What it applies to.
    pub scope: LimitScope,
    /// Days from the date of service.
    pub days_from_service: u32,
    /// Days from the primary payer's payment, for secondary claims (`None`:
    /// secondary claims count from the date of service too).
    pub days_from_primary_payment: Option<u32>,
    /// Where the number comes from, and how sure it is.
    pub note: String,
}

/// Errors reading a limits file.
#[derive(Debug, thiserror::Error)]
pub enum FilingLimitError {
    /// The file could not be read.
    #[error("cannot read filing limits {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("filing limits line {line}: {source}")]
    Csv {
        /// 1-based line.
        line: u64,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// A header without a needed column.
    #[error(
        "filing limits: missing column {0:?} (expected scope,key,days_from_service,days_from_primary_payment,note)"
    )]
    MissingColumn(&'static str),
    /// A row we cannot use.
    #[error("filing limits line {line}: {message}")]
    Row {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Filing limits by payer, filing indicator and default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilingLimits {
    rows: Vec<FilingLimit>,
}

impl FilingLimits {
    /// The built-in defaults, `data/filing-limits.csv`.
    pub fn builtin() -> &'static FilingLimits {
        static BUILTIN: OnceLock<FilingLimits> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            FilingLimits::from_csv(BUILTIN_CSV.as_bytes()).expect("data/filing-limits.csv is valid")
        })
    }

    /// Reads limits from CSV. A file needs no `default` row of its own: merge
    /// it over the built-in list with [`FilingLimits::merged_with`].
    pub fn from_csv(reader: impl Read) -> Result<FilingLimits, FilingLimitError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv
            .headers()
            .map_err(|source| FilingLimitError::Csv { line: 1, source })?;
        let header = crate::tabular::Header::new(header.iter());
        let column = |name| {
            header
                .column(name)
                .ok_or(FilingLimitError::MissingColumn(name))
        };
        let (scope_at, key_at, days_at) = (
            column("scope")?,
            column("key")?,
            column("days_from_service")?,
        );
        let (primary_at, note_at) = (
            header.column("days_from_primary_payment"),
            header.column("note"),
        );
        let mut rows = Vec::new();
        for record in csv.records() {
            let record = record.map_err(|source| FilingLimitError::Csv {
                line: source.position().map_or(0, |p| p.line()),
                source,
            })?;
            if record.iter().all(str::is_empty) {
                continue;
            }
            let line = record.position().map_or(0, |p| p.line());
            let field = |at: Option<usize>| at.and_then(|at| record.get(at)).unwrap_or("");
            let row_error = |message: String| FilingLimitError::Row { line, message };
            let key = field(Some(key_at));
            let scope = match field(Some(scope_at)).to_ascii_lowercase().as_str() {
                "payer" if !key.is_empty() => LimitScope::Payer(key.into()),
                "indicator" if !key.is_empty() => {
                    LimitScope::Indicator(key.to_ascii_uppercase().into())
                }
                "default" => LimitScope::Default,
                other => {
                    return Err(row_error(format!(
                        "scope {other:?} with key {key:?}: expected payer or indicator with a key, or default"
                    )));
                }
            };
            let days = |text: &str, what: &str| {
                text.parse::<u32>()
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .ok_or_else(|| {
                        row_error(format!(
                            "{what} {text:?} is not a number of days (1 to 3650)"
                        ))
                    })
            };
            let days_from_service = days(field(Some(days_at)), "days_from_service")?;
            let primary = field(primary_at);
            let days_from_primary_payment = if primary.is_empty() {
                None
            } else {
                Some(days(primary, "days_from_primary_payment")?)
            };
            rows.push(FilingLimit {
                scope,
                days_from_service,
                days_from_primary_payment,
                note: field(note_at).to_string(),
            });
        }
        Ok(FilingLimits { rows })
    }

    /// Reads limits from a file (see [`FilingLimits::from_csv`]).
    pub fn load(path: &Path) -> Result<FilingLimits, FilingLimitError> {
        let file = std::fs::File::open(path).map_err(|source| FilingLimitError::Io {
            path: path.display().to_string(),
            source,
        })?;
        FilingLimits::from_csv(file)
    }

    /// `other`'s rows ahead of ours: a user's payer, indicator or default
    /// row wins over a built-in one with the same scope.
    pub fn merged_with(&self, other: &FilingLimits) -> FilingLimits {
        let mut rows = other.rows.clone();
        rows.extend(
            self.rows
                .iter()
                .filter(|r| !other.rows.iter().any(|o| o.scope == r.scope))
                .cloned(),
        );
        FilingLimits { rows }
    }

    /// The limit that applies to a claim: by payer id, then filing
    /// indicator, then default. `None` only for a list without a default.
    pub fn limit_for(&self, claim: &SubmittedClaim) -> Option<&FilingLimit> {
        let payer = LimitScope::Payer(claim.payer_id.clone());
        let indicator = LimitScope::Indicator(claim.filing_indicator.to_ascii_uppercase());
        [payer, indicator, LimitScope::Default]
            .iter()
            .find_map(|scope| self.rows.iter().find(|r| r.scope == *scope))
    }
}

/// A claim's filing deadline and how it was counted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FilingDeadline {
    /// The last day the payer must receive the claim.
    pub date: Date,
    /// The day counting starts from.
    pub counted_from: Date,
    /// The limit in days.
    pub days: u32,
    /// In words: `90 days from the date of service 2024-11-12 (default for
    /// payers without a configured limit)`.
    pub basis: String,
}

impl FilingDeadline {
    /// Days from `as_of` to the deadline: 0 on the last day, negative once
    /// it has passed.
    pub fn days_left(&self, as_of: Date) -> i64 {
        i64::from((self.date - as_of).get_days())
    }
}

/// A claim's filing deadline under `limits`. `primary_paid` is the primary
/// payer's payment date (its 835 BPR16) for a secondary claim. `None` when
/// the claim has no date of service or no limit applies.
pub fn filing_deadline(
    claim: &SubmittedClaim,
    limits: &FilingLimits,
    primary_paid: Option<Date>,
) -> Option<FilingDeadline> {
    let limit = limits.limit_for(claim)?;
    let rule = match &limit.scope {
        LimitScope::Payer(id) => format!("limit configured for payer {id}"),
        LimitScope::Indicator(code) => format!("limit for claim filing indicator {code}"),
        LimitScope::Default => "default for payers without a configured limit".to_string(),
    };
    // Institutional claims count from the statement's last day; others from
    // the first day of service, so a multi-day claim is never flagged late.
    let service = if claim.institutional {
        claim.service_to.or(claim.service_from)
    } else {
        claim.service_from
    }?;
    let secondary = claim
        .is_secondary()
        .then_some(limit.days_from_primary_payment)
        .flatten();
    let (days, counted_from, what) = match (secondary, primary_paid) {
        (Some(days), Some(paid)) => (days, paid, "the primary payer's payment"),
        (Some(_), None) => (
            limit.days_from_service,
            service,
            "the date of service (the primary payer's payment date is not known)",
        ),
        (None, _) => (limit.days_from_service, service, "the date of service"),
    };
    let date = counted_from.checked_add(i64::from(days).days()).ok()?;
    Some(FilingDeadline {
        date,
        counted_from,
        days,
        basis: format!("{days} days from {what} {counted_from} ({rule})"),
    })
}

/// Where an unanswered claim stands against its deadline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FilingStatus {
    /// The payer (or its clearinghouse) received it in time: the limit is
    /// met, whatever happens next.
    Met {
        /// The acknowledgment that proves it.
        proof: Box<TimelyProof>,
    },
    /// Not yet received by the payer; more than [`DUE_SOON_DAYS`] left.
    Open {
        /// Days left.
        days_left: i64,
    },
    /// Not yet received by the payer; [`DUE_SOON_DAYS`] or fewer left.
    DueSoon {
        /// Days left (0 on the last day).
        days_left: i64,
    },
    /// The deadline passed before the payer received it.
    Missed {
        /// Days since the deadline.
        days_over: i64,
    },
}

/// Where one submission stands on `as_of`. A claim counts as filed only
/// while its state says the payer has it (accepted, pending, finalized): a
/// clearinghouse acceptance later rejected by the payer files nothing.
pub fn filing_status(
    life: &ClaimLifecycle,
    deadline: &FilingDeadline,
    as_of: Date,
) -> FilingStatus {
    if life.state.is_received() {
        if let Some(proof) = proof_of_timely_filing(&[life], deadline) {
            return FilingStatus::Met {
                proof: Box::new(proof),
            };
        }
    }
    let days_left = deadline.days_left(as_of);
    if days_left < 0 {
        FilingStatus::Missed {
            days_over: -days_left,
        }
    } else if days_left <= DUE_SOON_DAYS {
        FilingStatus::DueSoon { days_left }
    } else {
        FilingStatus::Open { days_left }
    }
}

/// Proof that a claim reached the payer or its clearinghouse in time.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TimelyProof {
    /// The earliest acknowledgment of receipt on or before the deadline.
    pub earliest: AckEvidence,
    /// The earliest acknowledgment from the payer itself on or before the
    /// deadline, when there is one (the stronger proof).
    pub by_payer: Option<AckEvidence>,
    /// In words, for an appeal letter or a worklist's reason.
    pub words: String,
}

/// The proof of timely submission across a claim's submissions (the
/// original and any resubmissions): the earliest acknowledgment of receipt
/// (999 A/E, TA1 A/E, 277CA A0/A1/A2/A5, or any later pending/finalized
/// status) dated on or before the deadline. `None` when there is none.
pub fn proof_of_timely_filing(
    submissions: &[&ClaimLifecycle],
    deadline: &FilingDeadline,
) -> Option<TimelyProof> {
    let in_time = |e: &&AckEvidence| e.date.is_some_and(|d| d <= deadline.date);
    let earliest = submissions
        .iter()
        .filter_map(|life| life.first_receipt())
        .filter(in_time)
        .min_by_key(|e| e.date)?
        .clone();
    let by_payer = submissions
        .iter()
        .filter_map(|life| life.first_payer_receipt())
        .filter(in_time)
        .min_by_key(|e| e.date)
        .cloned();
    let mut words = format!(
        "received per {} ({}), on or before the filing deadline {} ({})",
        earliest.label(),
        earliest.codes.join(", "),
        deadline.date,
        deadline.basis
    );
    if let Some(payer) = by_payer.as_ref().filter(|p| **p != earliest) {
        words.push_str(&format!(
            "; the payer's own acknowledgment: {} ({})",
            payer.label(),
            payer.codes.join(", ")
        ));
    }
    Some(TimelyProof {
        earliest,
        by_payer,
        words,
    })
}

/// The verdict on a CARC 29 (timely filing) denial.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TimelyFilingDenial {
    /// True when an acknowledgment proves the claim was received in time.
    pub appealable: bool,
    /// The proof, when there is one.
    pub proof: Option<TimelyProof>,
    /// Why, in words.
    pub reason: String,
}

/// Judges a CARC 29 denial of a claim whose submissions are `submissions`
/// (their lifecycles) and whose deadline is `deadline`.
pub fn judge_timely_filing_denial(
    submissions: &[&ClaimLifecycle],
    deadline: &FilingDeadline,
) -> TimelyFilingDenial {
    if let Some(proof) = proof_of_timely_filing(submissions, deadline) {
        return TimelyFilingDenial {
            appealable: true,
            reason: format!(
                "CARC 29 contradicted: {}; appeal with this acknowledgment as proof of timely filing",
                proof.words
            ),
            proof: Some(proof),
        };
    }
    let first = submissions
        .iter()
        .filter_map(|life| life.first_receipt())
        .min_by_key(|e| e.date);
    let reason = match first {
        Some(first) => format!(
            "CARC 29 stands: the earliest acknowledgment of receipt is the {} ({}), after the filing deadline {} ({})",
            first.label(),
            first.codes.join(", "),
            deadline.date,
            deadline.basis
        ),
        None => format!(
            "CARC 29 unproven either way: no acknowledgment of receipt was read (deadline {}, {}); look for the clearinghouse's acceptance report",
            deadline.date, deadline.basis
        ),
    };
    TimelyFilingDenial {
        appealable: false,
        proof: None,
        reason,
    }
}
