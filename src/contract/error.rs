//! What can go wrong reading contract and reference files, and pricing a
//! line against them. Load errors name the file, line and column; pricing
//! errors name the contract rows involved, never the patient.

use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;

use crate::text::Text;

/// Where a row came from: the file as the user named it, and its 1-based
/// line. Shown as `contracts.csv:97` in errors and in `expected_basis`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowRef {
    /// The file (as given to the loader).
    pub file: Arc<str>,
    /// 1-based line number of the row.
    pub line: u64,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One problem in a contract or reference file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// The CSV could not be read (I/O, bad quoting, bad UTF-8).
    #[error("{file}:{line}: cannot read the CSV: {message}")]
    Csv {
        /// The file.
        file: Arc<str>,
        /// 1-based line (1 when the header itself is unreadable).
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// The file has no header row.
    #[error("{file}: the file is empty; the first line must name the columns ({expected})")]
    Empty {
        /// The file.
        file: Arc<str>,
        /// The column names the file may use.
        expected: &'static str,
    },
    /// A header names a column the format does not have.
    #[error("{file}:1: column {column:?} is not a {kind} column (the columns are: {expected})")]
    UnknownColumn {
        /// The file.
        file: Arc<str>,
        /// The header text found.
        column: String,
        /// `contract`, `fee schedule` or `reference schedule`.
        kind: &'static str,
        /// The column names the file may use.
        expected: &'static str,
    },
    /// A header names a column twice.
    #[error("{file}:1: column {column:?} appears twice in the header")]
    DuplicateColumn {
        /// The file.
        file: Arc<str>,
        /// The repeated column.
        column: String,
    },
    /// A required column is missing from the header.
    #[error("{file}:1: the header has no {column:?} column")]
    MissingColumn {
        /// The file.
        file: Arc<str>,
        /// The missing column.
        column: &'static str,
    },
    /// A row has more cells than the header has columns.
    #[error("{at}: the row has {cells} cells but the header names {columns} columns")]
    RowWidth {
        /// The row.
        at: RowRef,
        /// Cells found.
        cells: usize,
        /// Columns in the header.
        columns: usize,
    },
    /// A cell's value is not what its column holds.
    #[error("{at}: column {column:?}: {value:?} is not {expected}")]
    BadCell {
        /// The row.
        at: RowRef,
        /// The column name.
        column: &'static str,
        /// The cell's text.
        value: String,
        /// What the column holds.
        expected: String,
    },
    /// Two rows of the same scope with no dates (or the same dates): no
    /// rule can choose between them.
    #[error(
        "{first} and {second} are ambiguous: both set {scope}{when}; merge them or give them different scopes or dates"
    )]
    Ambiguous {
        /// The earlier row.
        first: RowRef,
        /// The later row.
        second: RowRef,
        /// The shared scope, e.g. `payer ACME, procedure 97110`.
        scope: String,
        /// ` from 2024-01-01 to 2024-12-31` when both rows carry those dates.
        when: String,
    },
    /// Two dated rows of the same scope whose effective dates overlap.
    #[error("{first} and {second} overlap: both set {scope} {days} (dates are inclusive)")]
    OverlappingDates {
        /// The earlier row.
        first: RowRef,
        /// The later row.
        second: RowRef,
        /// The shared scope.
        scope: String,
        /// The days both rows cover: `from 2024-07-01 to 2024-12-31`,
        /// `from 2024-07-01 on`, `up to 2023-12-31`.
        days: String,
    },
    /// A rate names a reference schedule no `--reference` loaded.
    #[error("{at}: column \"rate\": no reference schedule is called {name:?} (loaded: {loaded})")]
    UnknownReference {
        /// The row.
        at: RowRef,
        /// The name in the rate.
        name: String,
        /// The names that were loaded, or `none`.
        loaded: String,
    },
    /// Two reference schedules with the same name.
    #[error("reference schedule {name:?} is given twice ({first} and {second})")]
    DuplicateReference {
        /// The name.
        name: String,
        /// The first file.
        first: Arc<str>,
        /// The second file.
        second: Arc<str>,
    },
    /// A reference name that cannot be used.
    #[error("reference schedule name {name:?}: {why}")]
    BadReferenceName {
        /// The name given.
        name: String,
        /// Why it is refused.
        why: &'static str,
    },
}

/// Every problem found while loading a set of contract and reference files.
/// Loading stops nothing early: all files are read and all their problems
/// reported together, and nothing is loaded when there is any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<ContractError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "{n} problem{} in the contract files; nothing was loaded",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Why a line that a contract covers could not be priced. The line gets no
/// `expected`; the caller should say why (this text has no PHI).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// Two rows (or two reference rows) tie for the line; see the
    /// specificity order in the module documentation.
    #[error("{first} and {second} both price {procedure} and neither is more specific")]
    Ambiguous {
        /// One row.
        first: RowRef,
        /// The other.
        second: RowRef,
        /// Procedure and modifiers of the line.
        procedure: String,
    },
    /// The row is a percentage of a reference schedule that has no amount
    /// for the line.
    #[error("{row}: reference schedule {schedule} has no amount for {procedure}{on}")]
    NoReferenceAmount {
        /// The contract row.
        row: RowRef,
        /// The schedule's name.
        schedule: String,
        /// Procedure and modifiers.
        procedure: String,
        /// ` on 2024-03-01` when the line has a date of service.
        on: String,
    },
    /// A 26/TC (or assistant-at-surgery) line whose row prices only the
    /// global service, with no share for the component in the contract:
    /// pricing it at the global amount would flag every such line.
    #[error(
        "{row}: {procedure} has modifier {modifier} but the row prices the global service and no {rule} rule gives its share"
    )]
    NoShare {
        /// The contract row.
        row: RowRef,
        /// Procedure and modifiers.
        procedure: String,
        /// The modifier that needs a share.
        modifier: String,
        /// The rule that would give it (`professional`, `technical`,
        /// `assistant`).
        rule: &'static str,
    },
    /// Units billed are zero or negative, so there is nothing to price.
    #[error("{row}: {procedure} has {units} units billed; nothing to price")]
    Units {
        /// The contract row.
        row: RowRef,
        /// Procedure and modifiers.
        procedure: String,
        /// The units.
        units: String,
    },
    /// The arithmetic overflowed (absurd amounts or units in the input).
    #[error("{row}: the amount for {procedure} is out of range")]
    Overflow {
        /// The contract row.
        row: RowRef,
        /// Procedure and modifiers.
        procedure: String,
    },
}

/// ` on 2024-03-01`, or nothing without a date.
pub(crate) fn on_date(date: Option<Date>) -> String {
    date.map(|d| format!(" on {d}")).unwrap_or_default()
}

/// `97110-GP-59`: a code and its modifiers as people write them (and as
/// every error names a procedure).
pub(crate) fn code_with_modifiers(procedure: &str, modifiers: &[Text]) -> String {
    let mut s = procedure.to_string();
    for m in modifiers {
        s.push('-');
        s.push_str(m);
    }
    s
}
