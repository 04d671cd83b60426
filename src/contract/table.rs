//! The CSV layer shared by contract, fee-schedule and reference files:
//! fixed column names found in any order, rows with their file and line,
//! and the cell spellings (amounts, percentages, dates, modifiers) all three
//! accept. Knows cells, not what a row means.

use std::io::Read;
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::error::{ContractError, RowRef};
use crate::text::Text;

/// A CSV file being read: its name, header and records.
pub(crate) struct Table<R> {
    pub file: Arc<str>,
    /// Header names, lower case, trimmed, BOM removed.
    pub names: Vec<String>,
    reader: csv::Reader<R>,
}

/// Where each column of a format sits in a file (`None`: not in the file).
pub(crate) struct Columns {
    positions: Vec<Option<usize>>,
    width: usize,
}

/// One data row: where it is and its cells.
pub(crate) struct Row {
    pub at: RowRef,
    record: csv::StringRecord,
}

impl<R: Read> Table<R> {
    /// Reads the header of `input`.
    pub fn open(
        file: Arc<str>,
        input: R,
        expected: &'static str,
    ) -> Result<Table<R>, ContractError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(input);
        let header = reader.headers().map_err(|e| csv_error(&file, &e))?;
        let names: Vec<String> = header
            .iter()
            .map(|n| n.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        if names.iter().all(String::is_empty) {
            return Err(ContractError::Empty { file, expected });
        }
        Ok(Table {
            file,
            names,
            reader,
        })
    }

    /// True when the header names `column`.
    pub fn has(&self, column: &str) -> bool {
        self.names.iter().any(|n| n == column)
    }

    /// Places the columns of a format (`spec`), refusing unknown, repeated
    /// and missing required columns.
    pub fn columns(
        &self,
        spec: &[&'static str],
        required: &[&'static str],
        kind: &'static str,
        expected: &'static str,
    ) -> Result<Columns, Vec<ContractError>> {
        let mut errors = Vec::new();
        let mut positions = vec![None; spec.len()];
        for (i, name) in self.names.iter().enumerate() {
            match spec.iter().position(|s| s == name) {
                Some(c) if positions[c].is_some() => errors.push(ContractError::DuplicateColumn {
                    file: self.file.clone(),
                    column: name.clone(),
                }),
                Some(c) => positions[c] = Some(i),
                // A trailing empty header cell is what spreadsheets write
                // for a stray comma; only named columns are refused.
                None if name.is_empty() => {}
                None => errors.push(ContractError::UnknownColumn {
                    file: self.file.clone(),
                    column: name.clone(),
                    kind,
                    expected,
                }),
            }
        }
        for r in required {
            let c = spec.iter().position(|s| s == r).expect("required ⊆ spec");
            if positions[c].is_none() {
                errors.push(ContractError::MissingColumn {
                    file: self.file.clone(),
                    column: r,
                });
            }
        }
        if errors.is_empty() {
            Ok(Columns {
                positions,
                width: self.names.len(),
            })
        } else {
            Err(errors)
        }
    }

    /// The data rows, skipping rows whose cells are all blank (spreadsheets
    /// write them at the end). A row wider than the header is an error.
    pub fn rows(
        self,
        columns: &Columns,
    ) -> impl Iterator<Item = Result<Row, ContractError>> + use<R> {
        let file = self.file;
        let width = columns.width;
        self.reader.into_records().filter_map(move |record| {
            let record = match record {
                Ok(r) => r,
                Err(e) => return Some(Err(csv_error(&file, &e))),
            };
            let at = RowRef {
                file: file.clone(),
                line: record.position().map_or(0, |p| p.line()),
            };
            if record.iter().all(|c| c.trim().is_empty()) {
                return None;
            }
            // Cells past the header are allowed only when blank (a trailing
            // comma); anything else would be a value in no column.
            let used = (0..record.len())
                .rev()
                .find(|&i| !record[i].trim().is_empty())
                .map_or(0, |i| i + 1);
            if used > width {
                return Some(Err(ContractError::RowWidth {
                    at,
                    cells: record.len(),
                    columns: width,
                }));
            }
            Some(Ok(Row { at, record }))
        })
    }
}

impl Row {
    /// The trimmed cell of column `c` of the format (empty when the file
    /// has no such column or the row is short).
    pub fn cell<'r>(&'r self, columns: &Columns, c: usize) -> &'r str {
        columns.positions[c]
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }

    /// A `BadCell` error for this row.
    pub fn bad(
        &self,
        column: &'static str,
        value: &str,
        expected: impl Into<String>,
    ) -> ContractError {
        ContractError::BadCell {
            at: self.at.clone(),
            column,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

fn csv_error(file: &Arc<str>, e: &csv::Error) -> ContractError {
    ContractError::Csv {
        file: file.clone(),
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    }
}

/// A non-negative amount (`85`, `85.00`, `$1,085.00`).
pub(crate) fn amount(text: &str) -> Option<Decimal> {
    crate::tabular::money(text).filter(|d| *d >= Decimal::ZERO)
}

/// A percentage `40`, `40%` or `12.5 %`, between 0 and `max`.
pub(crate) fn percent(text: &str, max: u32) -> Option<Decimal> {
    let digits = text.trim().strip_suffix('%').unwrap_or(text).trim();
    let p = crate::x12::value::decimal(digits.as_bytes())?;
    (p >= Decimal::ZERO && p <= Decimal::from(max)).then_some(p)
}

/// A date in any spelling the other CSV readers accept.
pub(crate) fn date(text: &str) -> Option<Date> {
    crate::tabular::date(text)
}

/// A procedure code: letters and digits, upper-cased.
pub(crate) fn procedure(text: &str) -> Option<Text> {
    (!text.is_empty() && text.len() <= 48 && text.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| Text::from(text.to_ascii_uppercase()))
}

/// Modifiers as a sorted, de-duplicated set of two-character codes,
/// separated by `:`, `;`, `,` or blanks (`GP:59`, `26 RT`). Empty → empty.
pub(crate) fn modifiers(text: &str) -> Option<Vec<Text>> {
    let mut set = Vec::new();
    for m in text.split([':', ';', ',', ' ']).filter(|m| !m.is_empty()) {
        if m.len() != 2 || !m.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        set.push(Text::from(m.to_ascii_uppercase()));
    }
    set.sort_unstable();
    set.dedup();
    Some(set)
}

/// A line's modifiers as a set, upper-cased, blanks dropped.
pub(crate) fn line_modifiers(modifiers: &[Text]) -> Vec<Text> {
    let mut set: Vec<Text> = modifiers
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .map(|m| Text::from(m.to_ascii_uppercase()))
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// A payer or plan as compared: upper case, runs of blanks as one space.
pub(crate) fn normalise(text: &str) -> Text {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_ascii_uppercase());
    }
    Text::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_spellings() {
        assert_eq!(amount("$1,085.00"), Some(Decimal::new(108500, 2)));
        assert_eq!(amount("-1"), None);
        assert_eq!(percent("40", 100), Some(Decimal::from(40)));
        assert_eq!(percent(" 12.5 % ", 100), Some(Decimal::new(125, 1)));
        assert_eq!(percent("150", 100), None);
        assert_eq!(percent("fifty", 100), None);
        assert_eq!(
            modifiers("gp:59 GP"),
            Some(vec![Text::from("59"), Text::from("GP")])
        );
        assert_eq!(modifiers(""), Some(vec![]));
        assert_eq!(modifiers("GPX"), None);
        assert_eq!(procedure("g0283"), Some(Text::from("G0283")));
        assert_eq!(procedure("97-110"), None);
        assert_eq!(normalise("  Acme   Health plan "), "ACME HEALTH PLAN");
    }
}
