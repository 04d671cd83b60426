//! The external-review paragraph of a medical-necessity appeal: the
//! member's right to an independent external review where the plan's state
//! (or the plan itself) provides one. The words differ by state and plan
//! and change with the law, so they come from a CSV the practice keeps:
//!
//! ```csv
//! state,plan,text
//! NJ,,"Under New Jersey law the member may ask for an independent ..."
//! ,MB,"Medicare: after the redetermination, the member may ask ..."
//! ```
//!
//! `state` is a two-letter code or empty (any state); `plan` is a payer id,
//! payer name or CLP06 filing indicator, or empty (any plan). The most
//! specific row wins: state and plan, then plan, then state, then the row
//! with neither, then the neutral built-in text [`NEUTRAL_REVIEW_NOTICE`].
//! Errors name the file, line and column; nothing is kept from a file with
//! one.

use std::path::Path;

/// The text used when no row applies: says the right may exist without
/// asserting any state's law.
pub const NEUTRAL_REVIEW_NOTICE: &str = "If this denial is upheld on the ground that the \
service was not medically necessary, the member may have the right to an independent external \
review by a reviewer not affiliated with the plan, under the law that governs the plan. Please \
state in your decision whether an external review is available and how to request one.";

/// One row: where it applies and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Notice {
    line: u64,
    state: String,
    plan: String,
    text: String,
}

/// The external-review texts by state and plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewNotices {
    rows: Vec<Notice>,
}

/// Why a notices file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum NoticesError {
    /// The file could not be read.
    #[error("cannot read review notices {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A problem at a line and column.
    #[error("{file}:{line}:{column}: {message}")]
    At {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl ReviewNotices {
    /// No rows: every lookup gives the neutral text.
    pub fn neutral() -> Self {
        ReviewNotices::default()
    }

    /// Reads a notices file.
    pub fn load(path: &Path) -> Result<ReviewNotices, NoticesError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| NoticesError::Io {
            file: file.clone(),
            source,
        })?;
        ReviewNotices::from_csv(&bytes, &file)
    }

    /// Reads notices CSV; `file` names it in errors.
    pub fn from_csv(bytes: &[u8], file: &str) -> Result<ReviewNotices, NoticesError> {
        let at = |line: u64, column: usize, message: String| NoticesError::At {
            file: file.to_string(),
            line,
            column,
            message,
        };
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| at(1, 1, format!("cannot read the header: {}", csv_message(&e))))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        if header != ["state", "plan", "text"] {
            return Err(at(1, 1, "the header must be `state,plan,text`".into()));
        }
        let mut rows: Vec<Notice> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(1, |p| p.line());
                at(line, 1, format!("cannot read the CSV: {}", csv_message(&e)))
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let state = record[0].trim().to_ascii_uppercase();
            let plan = record[1].trim().to_string();
            let text = record[2].trim().to_string();
            if !(state.is_empty()
                || state.len() == 2 && state.chars().all(|c| c.is_ascii_alphabetic()))
            {
                return Err(at(
                    line,
                    1,
                    format!("state {state:?}: expected a two-letter code or nothing"),
                ));
            }
            if text.is_empty() {
                return Err(at(line, 3, "the text is empty".into()));
            }
            if let Some(other) = rows
                .iter()
                .find(|r| r.state == state && r.plan.eq_ignore_ascii_case(&plan))
            {
                return Err(at(
                    line,
                    1,
                    format!("the same state and plan as line {}", other.line),
                ));
            }
            rows.push(Notice {
                line,
                state,
                plan,
                text,
            });
        }
        Ok(ReviewNotices { rows })
    }

    /// The text for a plan (`plan_keys`: its plan id or filing indicator,
    /// the payer's id and name — any may match a row's `plan`) in `state`.
    pub fn lookup(&self, state: &str, plan_keys: &[&str]) -> &str {
        let plan_matches = |row: &Notice| {
            plan_keys
                .iter()
                .any(|k| !k.is_empty() && row.plan.eq_ignore_ascii_case(k))
        };
        let state_matches =
            |row: &Notice| !state.is_empty() && row.state.eq_ignore_ascii_case(state);
        let tiers: [&dyn Fn(&Notice) -> bool; 4] = [
            &|r| state_matches(r) && plan_matches(r),
            &|r| r.state.is_empty() && plan_matches(r),
            &|r| state_matches(r) && r.plan.is_empty(),
            &|r| r.state.is_empty() && r.plan.is_empty(),
        ];
        tiers
            .iter()
            .find_map(|tier| self.rows.iter().find(|r| tier(r)))
            .map_or(NEUTRAL_REVIEW_NOTICE, |r| r.text.as_str())
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields, the header {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".into(),
        _ => "malformed CSV".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str =
        "state,plan,text\nNJ,,NJ text\n,MB,Medicare text\nNJ,12,NJ PPO text\n,,Any text\n";

    #[test]
    fn the_most_specific_row_wins() {
        let n = ReviewNotices::from_csv(CSV.as_bytes(), "n.csv").unwrap();
        assert_eq!(n.lookup("NJ", &["12", "60054"]), "NJ PPO text");
        assert_eq!(n.lookup("NY", &["MB"]), "Medicare text");
        assert_eq!(n.lookup("NJ", &["HM"]), "NJ text");
        assert_eq!(n.lookup("NY", &["HM"]), "Any text");
        assert_eq!(
            ReviewNotices::neutral().lookup("NJ", &["12"]),
            NEUTRAL_REVIEW_NOTICE
        );
    }

    #[test]
    fn bad_rows_are_named() {
        let err = |csv: &str| {
            ReviewNotices::from_csv(csv.as_bytes(), "n.csv")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("state,plan,text\nNJ,,a\nnj,,b\n"),
            "n.csv:3:1: the same state and plan as line 2"
        );
        assert_eq!(
            err("state,plan,text\nNew Jersey,,a\n"),
            "n.csv:2:1: state \"NEW JERSEY\": expected a two-letter code or nothing"
        );
        assert_eq!(
            err("state,plan,text\nNJ,,\n"),
            "n.csv:2:3: the text is empty"
        );
        assert_eq!(
            err("state,text\n"),
            "n.csv:1:1: the header must be `state,plan,text`"
        );
    }
}
