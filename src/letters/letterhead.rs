//! The practice's letterhead: who the letters are from and how they are
//! printed, read from a small CSV of `setting,value` rows — the shape of
//! remit's other configuration files (the 276 envelope reads the same way).
//!
//! ```csv
//! setting,value
//! practice_name,Riverside Chiropractic & Family Medicine
//! address_line1,100 River Road
//! city,Riverside
//! state,NJ
//! postal_code,08075
//! phone,(856) 555-0100
//! npi,1234567893
//! signer_name,Dana Whitfield
//! signer_title,Billing Manager
//! paper,letter
//! ```
//!
//! Every value is checked when the file is read (an unknown or repeated
//! setting, a bad paper size or date style is an error naming the file, the
//! line and the column), so a command refuses a bad file before it writes
//! anything.

use std::path::Path;

use super::pdf::PageSize;

/// How dates are printed in letters and remittances.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DateStyle {
    /// `02/07/2024` (the default: what US payers print).
    #[default]
    Us,
    /// `2024-02-07`.
    Iso,
    /// `February 7, 2024`.
    Long,
}

/// The paper letters are laid out on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    /// US Letter.
    #[default]
    Letter,
    /// ISO A4.
    A4,
}

impl Paper {
    /// The PDF page size.
    pub fn page_size(self) -> PageSize {
        match self {
            Paper::Letter => PageSize::LETTER,
            Paper::A4 => PageSize::A4,
        }
    }
}

/// The practice's letterhead and print settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Letterhead {
    /// The practice's name (required).
    pub practice_name: String,
    /// Street lines.
    pub address_lines: Vec<String>,
    /// City.
    pub city: String,
    /// State (two letters): also the state whose external-review notice
    /// applies when a claim does not name its plan's state.
    pub state: String,
    /// Postal code.
    pub postal_code: String,
    /// Telephone.
    pub phone: String,
    /// Fax.
    pub fax: String,
    /// E-mail.
    pub email: String,
    /// Billing NPI.
    pub npi: String,
    /// Tax id (TIN).
    pub tax_id: String,
    /// Who payers should contact about the letter.
    pub contact_name: String,
    /// Who signs the letters.
    pub signer_name: String,
    /// The signer's title.
    pub signer_title: String,
    /// The department letters are addressed to at the payer.
    pub attention: String,
    /// Paper size of the PDF.
    pub paper: Paper,
    /// How dates are printed.
    pub date_style: DateStyle,
}

/// Why a letterhead file could not be used. Names the file, line and
/// column; values are the practice's own, never PHI.
#[derive(Debug, thiserror::Error)]
pub enum LetterheadError {
    /// The file could not be read.
    #[error("cannot read letterhead {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The CSV is malformed.
    #[error("{file}:{line}: cannot read the CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A row or the header is wrong.
    #[error("{file}:{line}:{column}: {message}")]
    Value {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A required setting is missing.
    #[error("{file}: no {setting} row (the letterhead needs the practice's name)")]
    Missing {
        /// The file.
        file: String,
        /// The setting.
        setting: &'static str,
    },
}

/// The settings a letterhead file may hold, in the order documented.
pub const SETTINGS: &[&str] = &[
    "practice_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "fax",
    "email",
    "npi",
    "tax_id",
    "contact_name",
    "signer_name",
    "signer_title",
    "attention",
    "paper",
    "date_style",
];

impl Letterhead {
    /// A letterhead with only the practice's name, Letter paper, US dates.
    pub fn named(practice_name: &str) -> Self {
        Letterhead {
            practice_name: practice_name.to_string(),
            attention: DEFAULT_ATTENTION.to_string(),
            ..Letterhead::default()
        }
    }

    /// Reads a letterhead file.
    pub fn load(path: &Path) -> Result<Letterhead, LetterheadError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| LetterheadError::Io {
            file: file.clone(),
            source,
        })?;
        Letterhead::from_csv(&bytes, &file)
    }

    /// Reads letterhead CSV; `file` names it in errors.
    pub fn from_csv(bytes: &[u8], file: &str) -> Result<Letterhead, LetterheadError> {
        let value_err = |line: u64, column: usize, message: String| LetterheadError::Value {
            file: file.to_string(),
            line,
            column,
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(bytes);
        let headers = reader.headers().map_err(|e| csv_error(file, &e))?.clone();
        let names: Vec<String> = headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        if names != ["setting", "value"] {
            return Err(value_err(
                1,
                1,
                "the header must be `setting,value`".to_string(),
            ));
        }
        let mut head = Letterhead::named("");
        let mut seen: Vec<String> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(file, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            let setting = record.get(0).unwrap_or("").trim().to_ascii_lowercase();
            let value = record.get(1).unwrap_or("").trim().to_string();
            if setting.is_empty() && value.is_empty() {
                continue;
            }
            if !SETTINGS.contains(&setting.as_str()) {
                return Err(value_err(
                    line,
                    1,
                    format!(
                        "unknown setting {setting:?}; the settings are: {}",
                        SETTINGS.join(", ")
                    ),
                ));
            }
            if seen.contains(&setting) {
                return Err(value_err(line, 1, format!("{setting} is set twice")));
            }
            seen.push(setting.clone());
            head.set(&setting, value)
                .map_err(|message| value_err(line, 2, message))?;
        }
        if head.practice_name.is_empty() {
            return Err(LetterheadError::Missing {
                file: file.to_string(),
                setting: "practice_name",
            });
        }
        Ok(head)
    }

    fn set(&mut self, setting: &str, value: String) -> Result<(), String> {
        match setting {
            "practice_name" if value.is_empty() => {
                return Err("practice_name is empty".to_string());
            }
            "practice_name" => self.practice_name = value,
            "address_line1" | "address_line2" => {
                if !value.is_empty() {
                    self.address_lines.push(value)
                }
            }
            "city" => self.city = value,
            "state" => {
                if !(value.is_empty()
                    || value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()))
                {
                    return Err(format!(
                        "state {value:?}: expected a two-letter code such as NJ"
                    ));
                }
                self.state = value.to_ascii_uppercase();
            }
            "postal_code" => self.postal_code = value,
            "phone" => self.phone = value,
            "fax" => self.fax = value,
            "email" => self.email = value,
            "npi" => {
                if !(value.is_empty()
                    || value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(format!("npi {value:?}: expected 10 digits"));
                }
                self.npi = value;
            }
            "tax_id" => self.tax_id = value,
            "contact_name" => self.contact_name = value,
            "signer_name" => self.signer_name = value,
            "signer_title" => self.signer_title = value,
            "attention" => {
                if !value.is_empty() {
                    self.attention = value
                }
            }
            "paper" => {
                self.paper = match value.to_ascii_lowercase().as_str() {
                    "letter" | "" => Paper::Letter,
                    "a4" => Paper::A4,
                    _ => return Err(format!("paper {value:?}: expected letter or a4")),
                }
            }
            "date_style" => {
                self.date_style = match value.to_ascii_lowercase().as_str() {
                    "us" | "" => DateStyle::Us,
                    "iso" => DateStyle::Iso,
                    "long" => DateStyle::Long,
                    _ => return Err(format!("date_style {value:?}: expected us, iso or long")),
                }
            }
            _ => unreachable!("settings are checked against SETTINGS first"),
        }
        Ok(())
    }

    /// The practice's address as printed.
    pub fn address(&self) -> Vec<String> {
        super::PostalAddress {
            lines: self.address_lines.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            postal_code: self.postal_code.clone(),
        }
        .printed()
    }
}

/// Where letters go at the payer when the letterhead does not say.
pub const DEFAULT_ATTENTION: &str = "Provider Appeals";

fn csv_error(file: &str, e: &csv::Error) -> LetterheadError {
    LetterheadError::Csv {
        file: file.to_string(),
        line: e.position().map_or(1, |p| p.line()),
        message: match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("the row has {len} fields, the header {expected_len}")
            }
            csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".to_string(),
            _ => "malformed CSV".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_setting() {
        let csv = "setting,value\npractice_name,Riverside Chiropractic\naddress_line1,100 River Road\n\
                   city,Riverside\nstate,nj\npostal_code,08075\nnpi,1234567893\npaper,A4\ndate_style,iso\n";
        let head = Letterhead::from_csv(csv.as_bytes(), "letterhead.csv").unwrap();
        assert_eq!(head.practice_name, "Riverside Chiropractic");
        assert_eq!(head.state, "NJ");
        assert_eq!(head.paper, Paper::A4);
        assert_eq!(head.date_style, DateStyle::Iso);
        assert_eq!(head.attention, DEFAULT_ATTENTION);
        assert_eq!(head.address(), ["100 River Road", "Riverside, NJ 08075"]);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = |csv: &str| {
            Letterhead::from_csv(csv.as_bytes(), "lh.csv")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("setting,value\npractice_name,X\npaper,legal\n"),
            "lh.csv:3:2: paper \"legal\": expected letter or a4"
        );
        assert!(
            err("setting,value\npractice_name,X\ncolour,red\n")
                .starts_with("lh.csv:3:1: unknown setting \"colour\"")
        );
        assert_eq!(
            err("setting,value\npractice_name,X\npractice_name,Y\n"),
            "lh.csv:3:1: practice_name is set twice"
        );
        assert_eq!(
            err("name,value\n"),
            "lh.csv:1:1: the header must be `setting,value`"
        );
        assert!(err("setting,value\ncity,Riverside\n").contains("no practice_name row"));
        assert!(
            err("setting,value\npractice_name,X,extra\n")
                .starts_with("lh.csv:2: cannot read the CSV")
        );
    }
}
