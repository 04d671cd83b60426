//! The envelope values of a 276 batch, from a small CSV of `setting,value`
//! rows (the shape of remit's other inputs): who sends it to whom (ISA
//! qualifiers and ids, GS application codes), the information receiver
//! named in loop 2100B, the control number to use, and test or production.
//!
//! Every value is checked when the file is read, so a command can refuse a
//! bad configuration before it writes anything.

use std::io::Read;
use std::path::Path;

/// Errors reading the envelope configuration.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeConfigError {
    /// The file could not be read.
    #[error("cannot read status-request configuration {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("status-request configuration line {line}: {source}")]
    Csv {
        /// 1-based line.
        line: u64,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// A setting is missing, unknown or has a bad value.
    #[error("status-request configuration: {0}")]
    Setting(String),
}

/// The envelope of a 276 batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeConfig {
    /// ISA05 (`ZZ` mutually defined, `30` tax id…).
    pub sender_qualifier: String,
    /// ISA06, at most 15 characters.
    pub sender_id: String,
    /// ISA07.
    pub receiver_qualifier: String,
    /// ISA08, at most 15 characters.
    pub receiver_id: String,
    /// GS02 (defaults to ISA06).
    pub application_sender: String,
    /// GS03 (defaults to ISA08).
    pub application_receiver: String,
    /// 2100B NM103: the information receiver (the practice or billing
    /// service asking).
    pub information_receiver_name: String,
    /// 2100B NM109 (qualifier 46, the ETIN the clearinghouse assigned).
    pub information_receiver_id: String,
    /// ISA13 and GS06 of this batch, 1 to 999999999. The caller keeps the
    /// next one ([`crate::status_request::StatusRequestBatch::next_control`]).
    pub control_number: u32,
    /// ISA15: `P` production or `T` test.
    pub usage: String,
    /// ISA14: `1` to ask for a TA1, else `0`.
    pub acknowledgment_requested: String,
}

/// The settings a file may hold; the first group is required.
const REQUIRED: [&str; 7] = [
    "sender_qualifier",
    "sender_id",
    "receiver_qualifier",
    "receiver_id",
    "information_receiver_name",
    "information_receiver_id",
    "control_number",
];
const OPTIONAL: [&str; 4] = [
    "application_sender",
    "application_receiver",
    "usage",
    "acknowledgment_requested",
];

impl EnvelopeConfig {
    /// Reads `setting,value` rows (header required; settings in any order).
    pub fn from_csv(reader: impl Read) -> Result<EnvelopeConfig, EnvelopeConfigError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv
            .headers()
            .map_err(|source| EnvelopeConfigError::Csv { line: 1, source })?;
        let header = crate::tabular::Header::new(header.iter());
        let (Some(name_at), Some(value_at)) = (header.column("setting"), header.column("value"))
        else {
            return Err(EnvelopeConfigError::Setting(
                "the header must be `setting,value`".into(),
            ));
        };
        let mut values: Vec<(String, String)> = Vec::new();
        for record in csv.records() {
            let record = record.map_err(|source| EnvelopeConfigError::Csv {
                line: source.position().map_or(0, |p| p.line()),
                source,
            })?;
            let name = record.get(name_at).unwrap_or("").to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
                return Err(EnvelopeConfigError::Setting(format!(
                    "unknown setting {name:?} (expected one of {})",
                    REQUIRED
                        .iter()
                        .chain(&OPTIONAL)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if values.iter().any(|(n, _)| *n == name) {
                return Err(EnvelopeConfigError::Setting(format!("{name} is set twice")));
            }
            values.push((name, record.get(value_at).unwrap_or("").to_string()));
        }
        let get = |name: &str| {
            values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &str| {
            get(name).ok_or_else(|| EnvelopeConfigError::Setting(format!("{name} is missing")))
        };
        let control = required("control_number")?;
        let control_number = control
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=999_999_999).contains(n))
            .ok_or_else(|| {
                EnvelopeConfigError::Setting(format!(
                    "control_number {control:?} is not a number from 1 to 999999999"
                ))
            })?;
        let config = EnvelopeConfig {
            sender_qualifier: required("sender_qualifier")?,
            sender_id: required("sender_id")?,
            receiver_qualifier: required("receiver_qualifier")?,
            receiver_id: required("receiver_id")?,
            application_sender: get("application_sender").unwrap_or(required("sender_id")?),
            application_receiver: get("application_receiver").unwrap_or(required("receiver_id")?),
            information_receiver_name: required("information_receiver_name")?,
            information_receiver_id: required("information_receiver_id")?,
            control_number,
            usage: get("usage").unwrap_or_else(|| "P".into()),
            acknowledgment_requested: get("acknowledgment_requested").unwrap_or_else(|| "0".into()),
        };
        config.check()?;
        Ok(config)
    }

    /// Reads the configuration from a file.
    pub fn load(path: &Path) -> Result<EnvelopeConfig, EnvelopeConfigError> {
        let file = std::fs::File::open(path).map_err(|source| EnvelopeConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        EnvelopeConfig::from_csv(file)
    }

    /// Lengths, code values and delimiters, as the envelope requires.
    fn check(&self) -> Result<(), EnvelopeConfigError> {
        let bad = |message: String| Err(EnvelopeConfigError::Setting(message));
        for (name, value, max) in [
            ("sender_qualifier", &self.sender_qualifier, 2),
            ("receiver_qualifier", &self.receiver_qualifier, 2),
            ("sender_id", &self.sender_id, 15),
            ("receiver_id", &self.receiver_id, 15),
            ("application_sender", &self.application_sender, 15),
            ("application_receiver", &self.application_receiver, 15),
            (
                "information_receiver_name",
                &self.information_receiver_name,
                60,
            ),
            ("information_receiver_id", &self.information_receiver_id, 80),
        ] {
            if value.chars().count() > max {
                return bad(format!("{name} {value:?} is longer than {max} characters"));
            }
            if let Some(c) = super::delimiter_in(value) {
                return bad(format!(
                    "{name} {value:?} contains {c:?}, a delimiter of the batch"
                ));
            }
            if !value.is_ascii() {
                return bad(format!("{name} {value:?} is not plain ASCII"));
            }
        }
        if self.sender_qualifier.len() != 2 || self.receiver_qualifier.len() != 2 {
            return bad(
                "sender_qualifier and receiver_qualifier have two characters (ZZ, 30, 01…)".into(),
            );
        }
        if !matches!(self.usage.as_str(), "P" | "T") {
            return bad(format!(
                "usage {:?} is not P (production) or T (test)",
                self.usage
            ));
        }
        if !matches!(self.acknowledgment_requested.as_str(), "0" | "1") {
            return bad(format!(
                "acknowledgment_requested {:?} is not 0 or 1",
                self.acknowledgment_requested
            ));
        }
        Ok(())
    }
}
