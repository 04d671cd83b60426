//! The outcomes CSV: one row per appeal filed, imported into the store.
//!
//! ```csv
//! payer,claim_id,service_date,procedure,modifiers,filed,outcome,decided,recovered,reference,notes
//! ACME HEALTH PLAN,RC24-016,2024-03-06,99214,,2024-05-02,won,2024-06-10,185.00,APL-7781,
//! ACME HEALTH PLAN,RC24-021,,,,2024-05-20,,,,,
//! ```
//!
//! Columns in any order and case; `claim_id` and `filed` are required, the
//! rest may be missing or empty. A row without `procedure` is about every
//! open item of the claim. Every problem in the file is reported (file,
//! line, column, what was expected) and nothing is kept while there is
//! one. Messages quote dates, outcomes and amounts, never notes.

use std::collections::HashMap;
use std::path::Path;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::model::{AppealOutcome, ItemKey, Outcome};

/// The columns of an outcomes file.
pub const COLUMNS: &[&str] = &[
    "payer",
    "claim_id",
    "service_date",
    "procedure",
    "modifiers",
    "filed",
    "outcome",
    "decided",
    "recovered",
    "reference",
    "notes",
];

/// One problem in an outcomes file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct OutcomeError {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column (1 for problems of a whole row).
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Every problem of a file that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the outcomes file; nothing was imported:\n{}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct OutcomeErrors(pub Vec<OutcomeError>);

/// Reads an outcomes file.
pub fn load(path: &Path) -> Result<Vec<AppealOutcome>, OutcomeErrors> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes, &file),
        Err(e) => Err(OutcomeErrors(vec![OutcomeError {
            file,
            line: 0,
            column: 0,
            message: format!("cannot read the file: {e}"),
        }])),
    }
}

/// Reads outcomes CSV; `file` names it in errors.
pub fn parse(bytes: &[u8], file: &str) -> Result<Vec<AppealOutcome>, OutcomeErrors> {
    let mut errors: Vec<OutcomeError> = Vec::new();
    let at = |line: u64, column: usize, message: String| OutcomeError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(_) => {
            return Err(OutcomeErrors(vec![at(
                1,
                1,
                "cannot read the header (not UTF-8 CSV?)".into(),
            )]));
        }
    };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        match COLUMNS.iter().find(|c| **c == name.as_str()) {
            None => errors.push(at(
                1,
                i + 1,
                format!(
                    "unknown column {name:?}; the columns are: {}",
                    COLUMNS.join(", ")
                ),
            )),
            Some(c) if index.contains_key(c) => {
                errors.push(at(1, i + 1, format!("column {name:?} appears twice")))
            }
            Some(c) => {
                index.insert(c, i);
            }
        }
    }
    for required in ["claim_id", "filed"] {
        if !index.contains_key(required) {
            errors.push(at(1, 1, format!("the header has no {required:?} column")));
        }
    }
    if !errors.is_empty() {
        return Err(OutcomeErrors(errors));
    }
    let mut out: Vec<AppealOutcome> = Vec::new();
    let mut seen: HashMap<(ItemKey, Date), u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(at(
                    line,
                    1,
                    "cannot read the row (not UTF-8, or bad quoting)".into(),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            let message = format!(
                "the row has {} cells, the header {}",
                record.len(),
                header.len()
            );
            errors.push(at(line, 1, message));
            continue;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = Row {
            record: &record,
            index: &index,
        };
        match read_row(&row, file, line) {
            Ok(outcome) => {
                if let Some(first) = seen.insert((outcome.key.clone(), outcome.filed), line) {
                    errors.push(at(
                        line,
                        1,
                        format!("the same appeal (item and filed date) as line {first}"),
                    ));
                } else {
                    out.push(outcome);
                }
            }
            Err(problems) => errors.extend(
                problems
                    .into_iter()
                    .map(|(column, message)| at(line, column, message)),
            ),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(OutcomeErrors(errors))
    }
}

/// One record with the header's column positions.
struct Row<'a> {
    record: &'a csv::StringRecord,
    index: &'a HashMap<&'static str, usize>,
}

impl Row<'_> {
    fn cell(&self, name: &str) -> &str {
        self.index.get(name).map_or("", |&i| self.record[i].trim())
    }

    fn column(&self, name: &str) -> usize {
        self.index.get(name).map_or(1, |&i| i + 1)
    }

    /// The date in column `name`: `Ok(None)` when empty.
    fn date(&self, name: &str, problems: &mut Vec<(usize, String)>) -> Option<Date> {
        let text = self.cell(name);
        if text.is_empty() {
            return None;
        }
        let parsed = parse_date(text);
        if parsed.is_none() {
            problems.push((
                self.column(name),
                format!("{name} {text:?}: expected a date (2024-05-02, 20240502 or 05/02/2024)"),
            ));
        }
        parsed
    }
}

/// One row as an outcome, or its problems `(column, message)`.
fn read_row(row: &Row<'_>, file: &str, line: u64) -> Result<AppealOutcome, Vec<(usize, String)>> {
    let mut problems: Vec<(usize, String)> = Vec::new();
    let claim_id = row.cell("claim_id").to_string();
    if claim_id.is_empty() {
        problems.push((row.column("claim_id"), "claim_id is empty".into()));
    }
    let service_date = row.date("service_date", &mut problems);
    let filed = row.date("filed", &mut problems);
    if row.cell("filed").is_empty() {
        problems.push((
            row.column("filed"),
            "filed is empty; expected the date the appeal was filed".into(),
        ));
    }
    let decided = row.date("decided", &mut problems);
    let outcome = Outcome::parse(row.cell("outcome"));
    if outcome.is_none() {
        problems.push((
            row.column("outcome"),
            format!(
                "outcome {:?}: expected won, partial, lost, no answer, or empty while pending",
                row.cell("outcome")
            ),
        ));
    }
    let recovered = recovered(row, &mut problems);
    let procedure = row.cell("procedure").to_ascii_uppercase();
    let mut modifiers: Vec<String> = row
        .cell("modifiers")
        .split([':', ';', ','])
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty())
        .collect();
    modifiers.sort();
    if procedure.is_empty() && !modifiers.is_empty() {
        problems.push((
            row.column("modifiers"),
            "modifiers without a procedure".into(),
        ));
    }
    if let (Some(filed), Some(decided)) = (filed, decided) {
        if decided < filed {
            problems.push((
                row.column("decided"),
                format!("decided {decided} is before filed {filed}"),
            ));
        }
    }
    if let Some(outcome) = outcome {
        if !outcome.is_decided() && decided.is_some() {
            problems.push((
                row.column("decided"),
                format!("a decision date with outcome {outcome}: record the outcome too"),
            ));
        }
        if !outcome.is_decided() || outcome == Outcome::Lost {
            if let Some(amount) = recovered.filter(|r| !r.is_zero()) {
                problems.push((
                    row.column("recovered"),
                    format!("{amount} recovered on an appeal whose outcome is {outcome}"),
                ));
            }
        }
    }
    match (filed, outcome, recovered) {
        (Some(filed), Some(outcome), Some(recovered)) if problems.is_empty() => Ok(AppealOutcome {
            key: ItemKey {
                payer: row.cell("payer").to_string(),
                claim_id,
                service_date,
                procedure,
                modifiers,
            },
            filed,
            outcome,
            decided,
            recovered,
            reference: row.cell("reference").to_string(),
            notes: row.cell("notes").to_string(),
            source: format!("{file}:{line}"),
        }),
        _ => Err(problems),
    }
}

/// The `recovered` amount: empty is 0; never negative, at most cents.
fn recovered(row: &Row<'_>, problems: &mut Vec<(usize, String)>) -> Option<Decimal> {
    let text = row.cell("recovered");
    if text.is_empty() {
        return Some(Decimal::ZERO);
    }
    let parsed = Decimal::from_str_exact(&text.trim_start_matches('$').replace(',', ""))
        .ok()
        .filter(|d| !d.is_sign_negative() && d.scale() <= 2);
    if parsed.is_none() {
        problems.push((
            row.column("recovered"),
            format!("recovered {text:?}: expected an amount such as 185.00, not negative"),
        ));
    }
    parsed
}

/// `2024-05-02`, `20240502` or `05/02/2024`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(d) = text.parse::<Date>() {
        return Some(d);
    }
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| text[r].parse::<i16>().ok();
        return Date::new(n(0..4)?, n(4..6)? as i8, n(6..8)? as i8).ok();
    }
    let mut parts = text.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}
