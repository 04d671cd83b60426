//! Claim adjustment group codes, CARCs and RARCs, and the words for them.
//!
//! This module owns the reason-code list: the five claim adjustment group
//! codes (CO, PR, OA, PI and the withdrawn CR), the Claim Adjustment Reason
//! Codes (X12 code source 139) with a category and a medical-necessity flag
//! each, and the Remittance Advice Remark Codes (code source 411), all with
//! short plain-English descriptions and start/stop dates. The built-in list is
//! `data/codes.csv`, compiled into the binary; users can load a replacement in
//! the shape the X12 site exports and merge it over the built-in one.
//!
//! It turns a ledger row's adjustments (`CO-197:100.00`) and remarks (`N130`)
//! into words such as "Denied: precertification/authorization absent (CARC
//! 197)". Codes it does not know are shown as unknown, never dropped.
//!
//! ```
//! use remit::{CodeList, describe_adjustment, reason_in_words};
//! use rust_decimal::Decimal;
//!
//! let list = CodeList::builtin();
//! assert_eq!(
//!     describe_adjustment(list, "CO", "197"),
//!     "Denied: precertification/authorization absent (CARC 197)"
//! );
//! let row = [("CO", "197", Decimal::new(10000, 2))];
//! assert_eq!(
//!     reason_in_words(list, &row, &["N130"]),
//!     "Denied: precertification/authorization absent (CARC 197, 100.00); \
//!      Remark N130: consult plan benefit documents"
//! );
//! ```
//!
//! It knows nothing of X12 syntax, 835 loops, files other than a code list,
//! or how a ledger is written.

mod load;
mod words;

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use compact_str::CompactString;
use indexmap::IndexMap;
use jiff::civil::Date;

pub use words::{
    claim_status_words, describe_adjustment, describe_provider_adjustment, describe_remark,
    reason_in_words,
};

/// The built-in list, `data/codes.csv`.
const BUILTIN_CSV: &str = include_str!("../../data/codes.csv");

/// A claim adjustment group code (CAS01): who carries an adjustment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GroupCode {
    /// CO, contractual obligation: the provider writes it off.
    Co,
    /// PR, patient responsibility: the patient (or a later payer) owes it.
    Pr,
    /// OA, other adjustment: no other group applies.
    Oa,
    /// PI, payer-initiated reduction: neither patient nor contract.
    Pi,
    /// CR, correction and reversal: removed from the 5010 835, still read.
    Cr,
    /// Any other value, kept as sent (upper-cased).
    Unknown(CompactString),
}

impl GroupCode {
    /// Parses a group code, ignoring case and surrounding blanks. Never fails:
    /// anything unrecognised becomes [`GroupCode::Unknown`].
    pub fn parse(text: &str) -> GroupCode {
        let code = text.trim().to_ascii_uppercase();
        match code.as_str() {
            "CO" => GroupCode::Co,
            "PR" => GroupCode::Pr,
            "OA" => GroupCode::Oa,
            "PI" => GroupCode::Pi,
            "CR" => GroupCode::Cr,
            _ => GroupCode::Unknown(CompactString::from(code)),
        }
    }

    /// The two-letter code, as it appears in CAS01.
    pub fn as_str(&self) -> &str {
        match self {
            GroupCode::Co => "CO",
            GroupCode::Pr => "PR",
            GroupCode::Oa => "OA",
            GroupCode::Pi => "PI",
            GroupCode::Cr => "CR",
            GroupCode::Unknown(code) => code,
        }
    }

    /// True for CR, which the 5010 835 no longer allows; files that still
    /// carry it are read and the adjustment flagged.
    #[cfg(test)]
    pub fn is_deprecated(&self) -> bool {
        matches!(self, GroupCode::Cr)
    }

    /// True for the four group codes a 5010 835 may carry.
    #[cfg(test)]
    pub fn is_known(&self) -> bool {
        !matches!(self, GroupCode::Unknown(_))
    }

    /// A short capitalised label, used to open a sentence:
    /// "Contractual obligation", "Patient responsibility", ….
    pub fn label(&self) -> String {
        match self {
            GroupCode::Co => "Contractual obligation".into(),
            GroupCode::Pr => "Patient responsibility".into(),
            GroupCode::Oa => "Other adjustment".into(),
            GroupCode::Pi => "Payer-initiated reduction".into(),
            GroupCode::Cr => "Correction/reversal (deprecated group CR)".into(),
            GroupCode::Unknown(code) => format!("Unknown group {code}"),
        }
    }

    /// What the group means, in one line.
    #[cfg(test)]
    pub fn description(&self) -> &'static str {
        match self {
            GroupCode::Co => {
                "contractual obligation: provider write-off under contract or regulation"
            }
            GroupCode::Pr => {
                "patient responsibility: may be billed to the patient or a later payer"
            }
            GroupCode::Oa => "other adjustment: used when no other group applies",
            GroupCode::Pi => {
                "payer-initiated reduction: patient not liable, no supporting contract"
            }
            GroupCode::Cr => {
                "correction and reversal — removed from the 5010 835; read from old files and flagged"
            }
            GroupCode::Unknown(_) => "unknown group code",
        }
    }
}

impl fmt::Display for GroupCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of adjustment a CARC describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CarcCategory {
    /// Payment refused or cut for a reason the provider can act on.
    Denial,
    /// Reduced under a contract, fee schedule or pricing rule.
    Contractual,
    /// Deductible, coinsurance, co-payment and the like.
    PatientResponsibility,
    /// Another payer, plan or carrier is (or was) involved.
    CoordinationOfBenefits,
    /// Duplicate or previously paid.
    Duplicate,
    /// Reporting, pending, reprocessing and other non-decisions.
    Informational,
}

impl CarcCategory {
    /// Every category, in display order.
    pub const ALL: [CarcCategory; 6] = [
        CarcCategory::Denial,
        CarcCategory::Contractual,
        CarcCategory::PatientResponsibility,
        CarcCategory::CoordinationOfBenefits,
        CarcCategory::Duplicate,
        CarcCategory::Informational,
    ];

    /// The name used in `data/codes.csv`, e.g. `patient_responsibility`.
    pub fn as_str(self) -> &'static str {
        match self {
            CarcCategory::Denial => "denial",
            CarcCategory::Contractual => "contractual",
            CarcCategory::PatientResponsibility => "patient_responsibility",
            CarcCategory::CoordinationOfBenefits => "coordination_of_benefits",
            CarcCategory::Duplicate => "duplicate",
            CarcCategory::Informational => "informational",
        }
    }

    /// Parses a CSV category name (case-insensitive; `-` or blank for `_`).
    pub fn parse(text: &str) -> Option<CarcCategory> {
        let name = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        CarcCategory::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for CarcCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which list a user file holds (the `--code-list` kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// Claim Adjustment Reason Codes only.
    Carc,
    /// Remittance Advice Remark Codes only.
    Rarc,
    /// Decide per file: our format names each row's list in a `list` column;
    /// an X12-style export without one is sorted by code shape (M…, MA…, N…
    /// digits are remarks, everything else reason codes).
    Auto,
}

/// The three lists a row can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListName {
    /// Claim adjustment group codes.
    Group,
    /// Claim Adjustment Reason Codes.
    Carc,
    /// Remittance Advice Remark Codes.
    Rarc,
}

impl ListName {
    /// The value of the `list` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ListName::Group => "group",
            ListName::Carc => "carc",
            ListName::Rarc => "rarc",
        }
    }
}

impl fmt::Display for ListName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One code of one list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeEntry {
    /// The code as it appears in an 835 (`45`, `B13`, `N130`).
    pub code: CompactString,
    /// A short plain-English description, starting in lower case.
    pub description: String,
    /// The category (CARCs only).
    pub category: Option<CarcCategory>,
    /// True for CARCs that deny on medical-necessity grounds (50, 55, 56,
    /// 150–154, 167…), which have their own appeal routes.
    pub medical_necessity: bool,
    /// First day the code could be used, when known.
    pub start: Option<Date>,
    /// Last day the code could be used in an original adjudication, when it
    /// has been deactivated.
    pub stop: Option<Date>,
}

impl CodeEntry {
    /// True if the code could be used on `date`: on or after its start and on
    /// or before its stop date (X12: a stopped code may not be used *after*
    /// the stop date). Unknown dates do not restrict.
    pub fn active_on(&self, date: Date) -> bool {
        self.start.is_none_or(|start| start <= date) && self.stop.is_none_or(|stop| date <= stop)
    }

    /// True if the code has a stop date (it has been or will be deactivated).
    pub fn is_deactivated(&self) -> bool {
        self.stop.is_some()
    }
}

/// Errors in one row or value of a code list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// A required field is blank.
    #[error("empty {0}")]
    Empty(&'static str),
    /// The `list` column holds something other than group, carc or rarc.
    #[error("unknown list {0:?} (expected group, carc or rarc)")]
    UnknownList(String),
    /// The `category` column holds an unknown category.
    #[error("unknown category {0:?}")]
    UnknownCategory(String),
    /// A date is neither `YYYY-MM-DD` nor `MM/DD/YYYY`.
    #[error("bad date {0:?} (expected YYYY-MM-DD or MM/DD/YYYY)")]
    BadDate(String),
    /// The `medical_necessity` column is not true/false.
    #[error("bad medical_necessity {0:?} (expected true or false)")]
    BadBool(String),
    /// The stop date is before the start date.
    #[error("stop date {stop} is before start date {start}")]
    StopBeforeStart {
        /// The start date.
        start: Date,
        /// The stop date.
        stop: Date,
    },
    /// A row of another list in a file given as one kind.
    #[error("a {found} row in a file given as a {expected} list")]
    WrongList {
        /// The kind the file was given as.
        expected: ListName,
        /// The row's `list` value.
        found: ListName,
    },
}

/// Errors loading a code list.
#[derive(Debug, thiserror::Error)]
pub enum CodeListError {
    /// The file could not be opened or read.
    #[error("cannot read code list {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The CSV itself is malformed (e.g. a row with the wrong field count).
    #[error("code list line {line}: {source}")]
    Csv {
        /// 1-based line number.
        line: u64,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// The header lacks a required column.
    #[error("code list header (line 1): no {0:?} column")]
    MissingColumn(&'static str),
    /// A row has a bad value.
    #[error("code list line {line}: {error}")]
    Row {
        /// 1-based line number of the row.
        line: u64,
        /// What is wrong with it.
        #[source]
        error: CodeError,
    },
}

impl CodeListError {
    /// The 1-based line the error is on, when it is on one.
    pub fn line(&self) -> Option<u64> {
        match self {
            CodeListError::Csv { line, .. } | CodeListError::Row { line, .. } => Some(*line),
            CodeListError::MissingColumn(_) => Some(1),
            CodeListError::Io { .. } => None,
        }
    }
}

/// Group codes, CARCs and RARCs with their descriptions, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeList {
    groups: IndexMap<CompactString, CodeEntry>,
    carcs: IndexMap<CompactString, CodeEntry>,
    rarcs: IndexMap<CompactString, CodeEntry>,
}

impl CodeList {
    /// The built-in list (`data/codes.csv`), parsed once.
    pub fn builtin() -> &'static CodeList {
        static BUILTIN: OnceLock<CodeList> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            load::parse(BUILTIN_CSV.as_bytes(), ListKind::Auto, None)
                .expect("data/codes.csv is checked by the codes tests")
        })
    }

    /// The built-in list behind an [`Arc`](std::sync::Arc), for holders
    /// that may also hold a user's list (the decision rules, the event
    /// collector of `remit lines`).
    pub fn builtin_shared() -> std::sync::Arc<CodeList> {
        static SHARED: OnceLock<std::sync::Arc<CodeList>> = OnceLock::new();
        std::sync::Arc::clone(
            SHARED.get_or_init(|| std::sync::Arc::new(CodeList::builtin().clone())),
        )
    }

    /// Reads a list in our format (with a `list` column) or in the shape the
    /// X12 site exports (`Code`, `Description`, `Start Date`, `Stop Date`…).
    /// Reason codes without a category take the built-in one when the code is
    /// known there, else a keyword guess from the description.
    pub fn from_csv_reader(reader: impl std::io::Read) -> Result<CodeList, CodeListError> {
        CodeList::from_csv_reader_as(reader, ListKind::Auto)
    }

    /// Like [`CodeList::from_csv_reader`], for a file declared to hold one kind.
    pub fn from_csv_reader_as(
        reader: impl std::io::Read,
        kind: ListKind,
    ) -> Result<CodeList, CodeListError> {
        load::parse(reader, kind, Some(CodeList::builtin()))
    }

    /// Reads a user's code list file of the given kind (see `ListKind`).
    /// Merge it over the built-in list with [`CodeList::merged_with`].
    pub fn load_user_file(
        path: impl AsRef<Path>,
        kind: ListKind,
    ) -> Result<CodeList, CodeListError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| CodeListError::Io {
            path: path.display().to_string(),
            source,
        })?;
        CodeList::from_csv_reader_as(std::io::BufReader::new(file), kind)
    }

    /// This list with every entry of `other` laid over it: codes in both take
    /// `other`'s entry, codes only in `other` are added at the end.
    pub fn merged_with(&self, other: &CodeList) -> CodeList {
        let mut merged = self.clone();
        for (code, entry) in &other.groups {
            merged.groups.insert(code.clone(), entry.clone());
        }
        for (code, entry) in &other.carcs {
            merged.carcs.insert(code.clone(), entry.clone());
        }
        for (code, entry) in &other.rarcs {
            merged.rarcs.insert(code.clone(), entry.clone());
        }
        merged
    }

    /// The CARC `code` (case and blanks ignored; `045` finds `45`).
    pub fn carc(&self, code: &str) -> Option<&CodeEntry> {
        self.carcs.get(normalise(code).as_str())
    }

    /// The RARC `code` (case and blanks ignored).
    pub fn rarc(&self, code: &str) -> Option<&CodeEntry> {
        self.rarcs.get(normalise(code).as_str())
    }

    /// The group code entry `code` (case and blanks ignored).
    pub fn group(&self, code: &str) -> Option<&CodeEntry> {
        self.groups.get(normalise(code).as_str())
    }

    /// True if `entry` could be used on `date` (see `CodeEntry::active_on`).
    pub fn active_on(&self, entry: &CodeEntry, date: Date) -> bool {
        entry.active_on(date)
    }

    /// Every CARC, in file order.
    pub fn carcs(&self) -> impl Iterator<Item = &CodeEntry> {
        self.carcs.values()
    }

    /// Every RARC, in file order.
    pub fn rarcs(&self) -> impl Iterator<Item = &CodeEntry> {
        self.rarcs.values()
    }

    /// Every group code entry, in file order.
    pub fn groups(&self) -> impl Iterator<Item = &CodeEntry> {
        self.groups.values()
    }

    /// Number of codes across the three lists.
    pub fn len(&self) -> usize {
        self.groups.len() + self.carcs.len() + self.rarcs.len()
    }

    /// True if no list holds a code.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds or replaces `entry` in `list`.
    pub fn insert(&mut self, list: ListName, entry: CodeEntry) {
        let map = match list {
            ListName::Group => &mut self.groups,
            ListName::Carc => &mut self.carcs,
            ListName::Rarc => &mut self.rarcs,
        };
        map.insert(entry.code.clone(), entry);
    }
}

/// Upper-cases, trims, and drops leading zeros from all-digit codes.
fn normalise(code: &str) -> CompactString {
    let code = code.trim();
    if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        let digits = code.trim_start_matches('0');
        return CompactString::from(if digits.is_empty() { "0" } else { digits });
    }
    CompactString::from(code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::load::{category_from_description, medical_necessity_from_description};
    use super::words::describe_remark;
    use super::*;
    use rust_decimal::Decimal;

    fn builtin() -> &'static CodeList {
        CodeList::builtin()
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn category(code: &str) -> Option<CarcCategory> {
        builtin()
            .carc(code)
            .unwrap_or_else(|| panic!("CARC {code} missing"))
            .category
    }

    fn user_list(csv: &str) -> CodeList {
        CodeList::from_csv_reader(csv.as_bytes()).unwrap()
    }

    fn load_error(csv: &str, kind: ListKind) -> CodeListError {
        CodeList::from_csv_reader_as(csv.as_bytes(), kind).unwrap_err()
    }

    #[test]
    fn builtin_list_is_large_and_well_formed() {
        let list = builtin();
        assert_eq!(list.groups().count(), 5);
        assert!(
            list.carcs().count() >= 300,
            "{} CARCs",
            list.carcs().count()
        );
        assert!(
            list.rarcs().count() >= 150,
            "{} RARCs",
            list.rarcs().count()
        );
        for entry in list.carcs().chain(list.rarcs()).chain(list.groups()) {
            assert!(
                !entry.description.is_empty(),
                "{} has no description",
                entry.code
            );
            assert!(
                entry.description.chars().count() <= 90,
                "{} description too long",
                entry.code
            );
        }
        assert!(list.carcs().all(|e| e.category.is_some()));
        assert!(
            list.rarcs()
                .all(|e| e.category.is_none() && !e.medical_necessity)
        );
    }

    #[test]
    fn builtin_has_letter_carcs_and_the_common_remarks() {
        for code in ["A1", "B7", "B9", "B13", "P1", "P13", "W1", "Y1", "D23"] {
            assert!(builtin().carc(code).is_some(), "CARC {code}");
        }
        let remarks = [
            "N1", "N130", "N210", "N211", "MA01", "MA02", "MA130", "MA67", "MA15", "MA18", "N381",
            "N419", "N420", "N421", "N422", "N423", "M15", "N206", "N290", "N479",
        ];
        for code in remarks {
            assert!(builtin().rarc(code).is_some(), "RARC {code}");
        }
        for n in 687..=698 {
            assert!(builtin().rarc(&format!("N{n}")).is_some(), "RARC N{n}");
        }
    }

    #[test]
    fn carc_categories_follow_the_rules_of_thumb() {
        use CarcCategory::*;
        for code in ["1", "2", "3", "66", "247", "248"] {
            assert_eq!(category(code), Some(PatientResponsibility), "CARC {code}");
        }
        for code in ["45", "59", "94", "131", "253", "42", "104", "144"] {
            assert_eq!(category(code), Some(Contractual), "CARC {code}");
        }
        for code in ["22", "23", "24", "109"] {
            assert_eq!(category(code), Some(CoordinationOfBenefits), "CARC {code}");
        }
        for code in ["18", "B13"] {
            assert_eq!(category(code), Some(Duplicate), "CARC {code}");
        }
        let denials = [
            "4", "16", "27", "29", "50", "96", "97", "119", "167", "197", "204", "242", "A1", "B7",
        ];
        for code in denials {
            assert_eq!(category(code), Some(Denial), "CARC {code}");
        }
        for code in ["129", "193", "133", "257"] {
            assert_eq!(category(code), Some(Informational), "CARC {code}");
        }
    }

    #[test]
    fn medical_necessity_denials_are_recognisable() {
        for code in ["50", "55", "56", "150", "151", "152", "167"] {
            let entry = builtin().carc(code).unwrap();
            assert!(entry.medical_necessity, "CARC {code}");
            assert_eq!(entry.category, Some(CarcCategory::Denial));
        }
        for code in ["45", "197", "1", "B13"] {
            assert!(
                !builtin().carc(code).unwrap().medical_necessity,
                "CARC {code}"
            );
        }
    }

    #[test]
    fn lookups_ignore_case_blanks_and_leading_zeros() {
        assert_eq!(builtin().carc(" b13 ").unwrap().code, "B13");
        assert_eq!(builtin().carc("045").unwrap().code, "45");
        assert_eq!(builtin().rarc("n130").unwrap().code, "N130");
        assert_eq!(builtin().group("co").unwrap().code, "CO");
        assert!(builtin().carc("ZZ9").is_none());
        assert!(builtin().carc("").is_none());
    }

    #[test]
    fn group_codes_parse_and_cr_is_deprecated() {
        assert_eq!(GroupCode::parse(" co "), GroupCode::Co);
        assert_eq!(GroupCode::parse("PR").as_str(), "PR");
        assert!(GroupCode::parse("cr").is_deprecated());
        assert!(!GroupCode::parse("OA").is_deprecated());
        let odd = GroupCode::parse("xx");
        assert_eq!(odd, GroupCode::Unknown("XX".into()));
        assert!(!odd.is_known() && !odd.is_deprecated());
        assert!(
            GroupCode::Cr
                .description()
                .contains("removed from the 5010 835")
        );
        assert!(
            builtin()
                .group("CR")
                .unwrap()
                .description
                .contains("flagged")
        );
    }

    #[test]
    fn active_on_honours_start_and_inclusive_stop() {
        let list = builtin();
        let stopped = list.carc("42").unwrap();
        assert!(list.active_on(stopped, date("2007-06-01")));
        assert!(!list.active_on(stopped, date("2007-06-02")));
        let started = list.carc("197").unwrap();
        assert!(!list.active_on(started, date("2006-10-30")));
        assert!(list.active_on(started, date("2025-01-01")));
    }

    #[test]
    fn remark_dates_come_from_the_list() {
        let list = builtin();
        let hearing = list.rarc("MA03").unwrap();
        assert_eq!(hearing.stop, Some(date("2006-10-01")));
        assert!(!list.active_on(hearing, date("2020-01-01")));
        let plan = list.rarc("N130").unwrap();
        assert_eq!((plan.start, plan.stop), (Some(date("2002-10-31")), None));
        assert!(list.rarcs().filter(|e| e.is_deactivated()).count() >= 70);
    }

    #[test]
    fn describes_adjustments_in_words() {
        let list = builtin();
        assert_eq!(
            describe_adjustment(list, "CO", "45"),
            "Contractual obligation: charge exceeds fee schedule (CARC 45)"
        );
        assert_eq!(
            describe_adjustment(list, "PR", "1"),
            "Patient responsibility: deductible (CARC 1)"
        );
        assert_eq!(
            describe_adjustment(list, "co", "197"),
            "Denied: precertification/authorization absent (CARC 197)"
        );
        assert_eq!(
            describe_adjustment(list, "CO", "ZZ9"),
            "Unknown reason code ZZ9 (CARC ZZ9)"
        );
        assert!(
            describe_adjustment(list, "PR", "204").starts_with("Denied (patient responsibility): ")
        );
        assert!(
            describe_adjustment(list, "CR", "45").starts_with("Correction/reversal (deprecated")
        );
        assert!(describe_adjustment(list, "OA", "18").starts_with("Duplicate: exact duplicate"));
    }

    #[test]
    fn describes_remarks_known_and_unknown() {
        let list = builtin();
        assert_eq!(
            describe_remark(list, "N130"),
            "Remark N130: consult plan benefit documents"
        );
        assert_eq!(
            describe_remark(list, "zz1"),
            "Remark ZZ1: unknown remark code"
        );
    }

    #[test]
    fn reason_in_words_puts_denials_first_and_skips_nothing() {
        let adjustments = [
            ("PR", "1", Decimal::new(1000, 2)),
            ("CO", "45", Decimal::new(2000, 2)),
            ("CO", "197", Decimal::new(10000, 2)),
            ("CO", "ZZ9", Decimal::new(-500, 2)),
        ];
        let words = reason_in_words(builtin(), &adjustments, &["N130", "ZZ1"]);
        assert_eq!(
            words,
            "Denied: precertification/authorization absent (CARC 197, 100.00); \
             Unknown reason code ZZ9 (CARC ZZ9, -5.00); \
             Contractual obligation: charge exceeds fee schedule (CARC 45, 20.00); \
             Patient responsibility: deductible (CARC 1, 10.00); \
             Remark N130: consult plan benefit documents; \
             Remark ZZ1: unknown remark code"
        );
        let none: [(&str, &str, Decimal); 0] = [];
        assert_eq!(reason_in_words(builtin(), &none, &[] as &[&str]), "");
    }

    #[test]
    fn x12_export_overrides_a_description_and_adds_a_code() {
        let user = user_list(
            "Code,Description,Start Date,Last Modified,Stop Date\n\
             45,Charge exceeds the fee schedule or contracted amount.,01/01/1995,11/01/2015,\n\
             999,Payment denied because the claim was filed on a full moon.,03/01/2026,,\n\
             N9999,A remark nobody has heard of yet.,2026-03-01,,12/31/2026\n",
        );
        let merged = builtin().merged_with(&user);
        let c45 = merged.carc("45").unwrap();
        assert_eq!(
            c45.description,
            "Charge exceeds the fee schedule or contracted amount."
        );
        assert_eq!(
            c45.category,
            Some(CarcCategory::Contractual),
            "builtin category kept"
        );
        assert_eq!(c45.start, Some(date("1995-01-01")));
        let new = merged.carc("999").unwrap();
        assert_eq!(
            new.category,
            Some(CarcCategory::Denial),
            "keyword heuristic"
        );
        assert_eq!(new.start, Some(date("2026-03-01")));
        let remark = merged.rarc("N9999").expect("sorted to RARC by its shape");
        assert_eq!(remark.stop, Some(date("2026-12-31")));
        assert_eq!(
            merged.carc("1").unwrap().description,
            "deductible",
            "builtin kept"
        );
        assert_eq!(merged.carcs().count(), builtin().carcs().count() + 1);
    }

    #[test]
    fn export_headers_match_in_any_case_and_with_a_bom() {
        let user = user_list("\u{feff}CODE , description,STOP_DATE\n7,Something new,\n");
        assert_eq!(user.carc("7").unwrap().description, "Something new");
        assert_eq!(
            user.carc("7").unwrap().category,
            Some(CarcCategory::Denial),
            "builtin 7"
        );
    }

    #[test]
    fn declared_kind_decides_rows_without_a_list_column() {
        let csv = "Code,Description\nN130,Read the plan booklet.\n";
        let as_rarc = CodeList::from_csv_reader_as(csv.as_bytes(), ListKind::Rarc).unwrap();
        assert!(as_rarc.rarc("N130").is_some());
        let as_carc = CodeList::from_csv_reader_as(csv.as_bytes(), ListKind::Carc).unwrap();
        assert!(as_carc.carc("N130").is_some() && as_carc.rarc("N130").is_none());
    }

    #[test]
    fn own_format_rows_of_another_list_are_refused_for_a_declared_kind() {
        let csv = "list,code,description\ncarc,45,fee schedule\nrarc,N130,plan booklet\n";
        let error = load_error(csv, ListKind::Carc);
        assert_eq!(error.line(), Some(3));
        assert!(matches!(
            error,
            CodeListError::Row {
                error: CodeError::WrongList {
                    found: ListName::Rarc,
                    ..
                },
                ..
            }
        ));
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let bad_date =
            "Code,Description,Start Date\n45,Fee schedule,01/01/1995\n46,Not covered,13/45/2001\n";
        let error = load_error(bad_date, ListKind::Auto);
        assert_eq!(error.line(), Some(3));
        assert!(error.to_string().contains("line 3"), "{error}");
        assert!(error.to_string().contains("13/45/2001"), "{error}");

        let short_row = "list,code,description,category\ncarc,45,fee,contractual\ncarc,46\n";
        let error = load_error(short_row, ListKind::Auto);
        assert!(
            matches!(error, CodeListError::Csv { line: 3, .. }),
            "{error:?}"
        );

        let bad_category = "list,code,description,category\ncarc,45,fee,contractualish\n";
        assert!(
            load_error(bad_category, ListKind::Auto)
                .to_string()
                .contains("line 2")
        );
        let bad_list = "list,code,description\nfoo,45,fee\n";
        assert_eq!(load_error(bad_list, ListKind::Auto).line(), Some(2));
        let no_code = "list,code,description\ncarc,,fee\n";
        assert_eq!(load_error(no_code, ListKind::Auto).line(), Some(2));
    }

    #[test]
    fn header_without_a_code_column_is_refused() {
        let error = load_error("Reason,Description\n45,fee\n", ListKind::Auto);
        assert!(matches!(error, CodeListError::MissingColumn("code")));
        assert_eq!(error.line(), Some(1));
    }

    #[test]
    fn stop_before_start_is_refused() {
        let error = load_error(
            "Code,Description,Start,Stop\n45,fee,2020-01-01,2019-01-01\n",
            ListKind::Carc,
        );
        assert!(matches!(
            error,
            CodeListError::Row {
                line: 2,
                error: CodeError::StopBeforeStart { .. }
            }
        ));
    }

    #[test]
    fn user_file_loads_from_disk_and_missing_file_is_an_io_error() {
        let path = std::env::temp_dir().join(format!("remit-codes-{}.csv", std::process::id()));
        std::fs::write(&path, "Code,Description\nB13,Paid before.\n").unwrap();
        let user = CodeList::load_user_file(&path, ListKind::Carc).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            user.carc("B13").unwrap().category,
            Some(CarcCategory::Duplicate)
        );
        let error = CodeList::load_user_file(&path, ListKind::Carc).unwrap_err();
        assert!(matches!(error, CodeListError::Io { .. }) && error.line().is_none());
    }

    #[test]
    fn keyword_heuristic_places_new_codes() {
        use CarcCategory::*;
        assert_eq!(
            category_from_description("Exact duplicate of a claim"),
            Duplicate
        );
        assert_eq!(
            category_from_description("Deductible for a new plan year"),
            PatientResponsibility
        );
        assert_eq!(
            category_from_description("This care may be covered by another payer"),
            CoordinationOfBenefits
        );
        assert_eq!(category_from_description("Service is not covered"), Denial);
        assert_eq!(
            category_from_description("Reduced per negotiated fee schedule"),
            Contractual
        );
        assert_eq!(
            category_from_description("Something entirely new"),
            Informational
        );
        assert!(medical_necessity_from_description(
            "Not deemed a medical necessity by the payer"
        ));
        assert!(!medical_necessity_from_description("Deductible amount"));
    }

    #[test]
    fn category_names_round_trip() {
        for category in CarcCategory::ALL {
            assert_eq!(CarcCategory::parse(category.as_str()), Some(category));
        }
        assert_eq!(
            CarcCategory::parse("Patient Responsibility"),
            Some(CarcCategory::PatientResponsibility)
        );
        assert_eq!(CarcCategory::parse("nonsense"), None);
    }
}
