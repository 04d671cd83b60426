//! Words for the codes of acknowledgments and claim status reports: the
//! 999/TA1 syntax codes (X12 elements 715/717, 618, 620, 621, 716, I17,
//! I18), the Health Care Claim Status Category Codes (external code source
//! 507) with the outcome each one means for a claim, the Health Care Claim
//! Status Codes (source 508) and the entity identifier codes a status can
//! name.
//!
//! The built-in list is `data/ack-codes.csv`, compiled into the binary. Its
//! descriptions are our own short paraphrases, not the official wording;
//! users can load the official lists (or any rows of their own) in the same
//! shape and merge them over the built-in one. A code the list does not
//! know is shown as unknown, never dropped.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use compact_str::CompactString;

/// The built-in list.
const BUILTIN_CSV: &str = include_str!("../../data/ack-codes.csv");

/// Which code list a code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckList {
    /// AK901 / IK501 acknowledgment codes (A, E, P, R, M, W, X).
    Ack,
    /// TA104 interchange acknowledgment codes (A, E, R).
    InterchangeAck,
    /// TA105 interchange note codes (000–031).
    InterchangeNote,
    /// IK304 segment syntax error codes.
    SegmentError,
    /// IK403 element syntax error codes.
    ElementError,
    /// IK502–IK506 transaction set syntax error codes.
    SetError,
    /// AK905–AK909 functional group syntax error codes.
    GroupError,
    /// STC01-1 claim status category codes (source 507).
    Category,
    /// STC01-2 claim status codes (source 508).
    Status,
    /// STC01-3 entity identifier codes.
    Entity,
}

impl AckList {
    const ALL: [AckList; 10] = [
        AckList::Ack,
        AckList::InterchangeAck,
        AckList::InterchangeNote,
        AckList::SegmentError,
        AckList::ElementError,
        AckList::SetError,
        AckList::GroupError,
        AckList::Category,
        AckList::Status,
        AckList::Entity,
    ];

    /// The value of the `list` column.
    pub fn as_str(self) -> &'static str {
        match self {
            AckList::Ack => "ack",
            AckList::InterchangeAck => "interchange_ack",
            AckList::InterchangeNote => "interchange_note",
            AckList::SegmentError => "segment_error",
            AckList::ElementError => "element_error",
            AckList::SetError => "set_error",
            AckList::GroupError => "group_error",
            AckList::Category => "category",
            AckList::Status => "status",
            AckList::Entity => "entity",
        }
    }

    fn parse(text: &str) -> Option<AckList> {
        let name = text.trim().to_ascii_lowercase();
        AckList::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

impl fmt::Display for AckList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a code means for the thing it acknowledges: the basis of every
/// lifecycle verdict (never the code's spelling alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Passed on to another entity (A0).
    Forwarded,
    /// Received, not yet accepted for adjudication (A1).
    Received,
    /// Accepted (999 A/E, TA1 A/E, A2, A5).
    Accepted,
    /// Some transaction sets accepted, some rejected (999 P).
    Partial,
    /// Rejected (999 R/M/W/X, TA1 R, A3, A6–A8).
    Rejected,
    /// The payer has no record of the claim (A4, D0).
    NotFound,
    /// In adjudication (P0–P2, P4, P5).
    Pending,
    /// The payer waits for the provider (P3, R0–R16, RQ).
    InformationRequested,
    /// Adjudicated (F0–F5); the 835 carries the money.
    Finalized,
    /// The status *request* could not be answered (E0–E4); says nothing
    /// about the claim.
    RequestError,
}

impl Outcome {
    const ALL: [Outcome; 10] = [
        Outcome::Forwarded,
        Outcome::Received,
        Outcome::Accepted,
        Outcome::Partial,
        Outcome::Rejected,
        Outcome::NotFound,
        Outcome::Pending,
        Outcome::InformationRequested,
        Outcome::Finalized,
        Outcome::RequestError,
    ];

    /// The name used in the `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Forwarded => "forwarded",
            Outcome::Received => "received",
            Outcome::Accepted => "accepted",
            Outcome::Partial => "partial",
            Outcome::Rejected => "rejected",
            Outcome::NotFound => "not_found",
            Outcome::Pending => "pending",
            Outcome::InformationRequested => "information_requested",
            Outcome::Finalized => "finalized",
            Outcome::RequestError => "request_error",
        }
    }

    fn parse(text: &str) -> Option<Outcome> {
        let name = text.trim().to_ascii_lowercase();
        Outcome::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// How strongly the outcome speaks against the claim, for choosing one
    /// verdict among several status codes on the same claim: a rejection
    /// outweighs an acceptance sent alongside it.
    pub fn severity(self) -> u8 {
        match self {
            Outcome::Rejected => 9,
            Outcome::NotFound => 8,
            Outcome::Partial => 7,
            Outcome::InformationRequested => 6,
            Outcome::Finalized => 5,
            Outcome::Pending => 4,
            Outcome::Accepted => 3,
            Outcome::Received => 2,
            Outcome::Forwarded => 1,
            Outcome::RequestError => 0,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One code with its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckCode {
    /// A short plain-English description, starting in lower case.
    pub description: String,
    /// What the code means for the claim or file, where it decides one.
    pub outcome: Option<Outcome>,
}

/// Errors loading an acknowledgment code list.
#[derive(Debug, thiserror::Error)]
// Loading a user's list from a file is issue 22 groundwork, not yet wired
// into a command: its variants and loaders have no caller but tests.
#[allow(dead_code)]
pub enum AckCodeError {
    /// The file could not be read.
    #[error("cannot read acknowledgment code list {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("acknowledgment code list line {line}: {source}")]
    Csv {
        /// 1-based line number.
        line: u64,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// A header without the columns we need.
    #[error(
        "acknowledgment code list: missing column {0:?} (expected list,code,description,outcome)"
    )]
    MissingColumn(&'static str),
    /// A row we cannot use.
    #[error("acknowledgment code list line {line}: {message}")]
    Row {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// The codes of every acknowledgment list, by list and code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AckCodes {
    entries: HashMap<(AckList, CompactString), AckCode>,
}

// Loading, merging and sizing a user's list are issue 22 groundwork (not
// yet wired into a command): some of these have no caller but tests.
#[allow(dead_code)]
impl AckCodes {
    /// The built-in list, `data/ack-codes.csv`, parsed once.
    pub fn builtin() -> &'static AckCodes {
        static BUILTIN: OnceLock<AckCodes> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            AckCodes::from_csv(BUILTIN_CSV.as_bytes()).expect("data/ack-codes.csv is valid")
        })
    }

    /// Reads a list in our format: `list,code,description,outcome` (any
    /// column order, any case; `outcome` optional). A later row for the same
    /// code replaces an earlier one.
    pub fn from_csv(reader: impl Read) -> Result<AckCodes, AckCodeError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv
            .headers()
            .map_err(|source| AckCodeError::Csv { line: 1, source })?;
        let header = crate::tabular::Header::new(header.iter());
        let column = |name| header.column(name).ok_or(AckCodeError::MissingColumn(name));
        let (list_at, code_at, words_at) =
            (column("list")?, column("code")?, column("description")?);
        let outcome_at = header.column("outcome");
        let mut codes = AckCodes::default();
        for record in csv.records() {
            let record = record.map_err(|source| AckCodeError::Csv {
                line: source.position().map_or(0, |p| p.line()),
                source,
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let field = |at: usize| record.get(at).unwrap_or("");
            if record.iter().all(str::is_empty) {
                continue;
            }
            let row_error = |message: String| AckCodeError::Row { line, message };
            let list = AckList::parse(field(list_at))
                .ok_or_else(|| row_error(format!("unknown list {:?}", field(list_at))))?;
            let code = field(code_at);
            if code.is_empty() {
                return Err(row_error("empty code".into()));
            }
            let outcome = match outcome_at.map(field).filter(|o| !o.is_empty()) {
                Some(text) => Some(
                    Outcome::parse(text)
                        .ok_or_else(|| row_error(format!("unknown outcome {text:?}")))?,
                ),
                None => None,
            };
            let entry = AckCode {
                description: field(words_at).to_string(),
                outcome,
            };
            codes
                .entries
                .insert((list, code.to_ascii_uppercase().into()), entry);
        }
        Ok(codes)
    }

    /// Reads a list from a file (see [`AckCodes::from_csv`]).
    pub fn load(path: &Path) -> Result<AckCodes, AckCodeError> {
        let file = std::fs::File::open(path).map_err(|source| AckCodeError::Io {
            path: path.display().to_string(),
            source,
        })?;
        AckCodes::from_csv(file)
    }

    /// This list with `other`'s rows added or replacing ours. A replacement
    /// row without an outcome keeps the built-in outcome, so an official
    /// list of words does not lose what each category means.
    pub fn merged_with(&self, other: &AckCodes) -> AckCodes {
        let mut merged = self.clone();
        for (key, entry) in &other.entries {
            let outcome = entry
                .outcome
                .or_else(|| self.entries.get(key).and_then(|e| e.outcome));
            merged.entries.insert(
                key.clone(),
                AckCode {
                    description: entry.description.clone(),
                    outcome,
                },
            );
        }
        merged
    }

    /// The entry for a code, if known.
    pub fn get(&self, list: AckList, code: &str) -> Option<&AckCode> {
        let code = code.trim();
        if let Some(entry) = self.entries.get(&(list, CompactString::from(code))) {
            return Some(entry);
        }
        self.entries
            .get(&(list, CompactString::from(code.to_ascii_uppercase())))
    }

    /// What a code means for a claim or file, if the list says.
    pub fn outcome(&self, list: AckList, code: &str) -> Option<Outcome> {
        self.get(list, code).and_then(|e| e.outcome)
    }

    /// A code in words with the code in brackets: `invalid code value
    /// (IK403 7)`; an unknown code says so.
    pub fn words(&self, list: AckList, code: &str) -> String {
        let label = element_label(list);
        match self.get(list, code) {
            Some(entry) => format!("{} ({label} {code})", entry.description),
            None => format!("{label} {code} (not in the code list)"),
        }
    }

    /// Just the description, or `code X` when unknown.
    pub fn description(&self, list: AckList, code: &str) -> String {
        match self.get(list, code) {
            Some(entry) => entry.description.clone(),
            None => format!("{} {code} (not in the code list)", element_label(list)),
        }
    }

    /// Number of codes held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no code is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The element a list's codes appear in, for messages.
fn element_label(list: AckList) -> &'static str {
    match list {
        AckList::Ack => "code",
        AckList::InterchangeAck => "TA104",
        AckList::InterchangeNote => "TA105",
        AckList::SegmentError => "IK304",
        AckList::ElementError => "IK403",
        AckList::SetError => "IK5",
        AckList::GroupError => "AK9",
        AckList::Category => "category",
        AckList::Status => "status",
        AckList::Entity => "entity",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_knows_every_category_the_lifecycle_relies_on() {
        let codes = AckCodes::builtin();
        let outcome = |c| codes.outcome(AckList::Category, c);
        assert_eq!(outcome("A1"), Some(Outcome::Received));
        assert_eq!(outcome("A2"), Some(Outcome::Accepted));
        for rejected in ["A3", "A6", "A7", "A8"] {
            assert_eq!(outcome(rejected), Some(Outcome::Rejected), "{rejected}");
        }
        assert_eq!(outcome("A4"), Some(Outcome::NotFound));
        assert_eq!(outcome("P1"), Some(Outcome::Pending));
        assert_eq!(outcome("P3"), Some(Outcome::InformationRequested));
        assert_eq!(outcome("F2"), Some(Outcome::Finalized));
        assert_eq!(outcome("E2"), Some(Outcome::RequestError));
        assert_eq!(codes.outcome(AckList::Ack, "P"), Some(Outcome::Partial));
        assert_eq!(codes.outcome(AckList::Ack, "W"), Some(Outcome::Rejected));
    }

    #[test]
    fn unknown_codes_are_named_not_dropped() {
        let codes = AckCodes::builtin();
        assert_eq!(
            codes.words(AckList::ElementError, "7"),
            "invalid code value (IK403 7)"
        );
        assert_eq!(
            codes.words(AckList::Status, "99999"),
            "status 99999 (not in the code list)"
        );
    }

    #[test]
    fn a_user_list_replaces_words_and_keeps_builtin_outcomes() {
        let user =
            "list,code,description\ncategory,A7,Official wording for A7\nstatus,9001,new code\n";
        let user = AckCodes::from_csv(user.as_bytes()).unwrap();
        let merged = AckCodes::builtin().merged_with(&user);
        let a7 = merged.get(AckList::Category, "A7").unwrap();
        assert_eq!(a7.description, "Official wording for A7");
        assert_eq!(a7.outcome, Some(Outcome::Rejected));
        assert_eq!(merged.description(AckList::Status, "9001"), "new code");
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let bad = "list,code,description,outcome\ncategory,A1,x,received\ncolour,A2,y,\n";
        let error = AckCodes::from_csv(bad.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            error,
            "acknowledgment code list line 3: unknown list \"colour\""
        );
        let bad = "list,code,description,outcome\ncategory,A1,x,maybe\n";
        let error = AckCodes::from_csv(bad.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("unknown outcome \"maybe\""), "{error}");
    }
}
