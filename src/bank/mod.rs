//! Bank deposits: what actually arrived in the practice's account, read
//! from BAI2 cash-management files ([`bai2`]) or CSV exports ([`csv`]),
//! told apart by content. Also the references a deposit carries (the CCD+
//! `TRN*1*trace*payer` addenda, bank and customer references, check
//! numbers) that remittances are matched on.
//!
//! Knows bank files and their records, not 835s or matching rules.

pub mod bai2;
pub mod csv;

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;

pub use self::csv::CsvColumns;

/// One deposit (or a payer's debit carrying a trace) as the bank reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deposit {
    /// The bank file it came from.
    pub source: String,
    /// Where it is: the BAI2 record of its `16` detail, or the CSV line.
    pub position: Position,
    /// The day the bank booked it (BAI2: the group's as-of date).
    pub date: Date,
    /// Amount: credits positive, debits negative.
    pub amount: Decimal,
    /// BAI2 detail type code (165 preauthorized ACH credit, 175 check
    /// deposit…); `None` for CSV.
    pub type_code: Option<u16>,
    /// The bank's reference for the entry.
    pub bank_ref: String,
    /// The customer (originator) reference, e.g. a check number.
    pub customer_ref: String,
    /// Free text: payer name, ACH company entry, CCD+ addenda.
    pub text: String,
}

impl Deposit {
    /// The trace numbers (TRN02) of every CCD+ `TRN*1*trace*payer` addenda
    /// in the deposit's text and references.
    pub fn ccd_traces(&self) -> Vec<&str> {
        [&self.text, &self.customer_ref, &self.bank_ref]
            .into_iter()
            .flat_map(|field| ccd_traces(field))
            .collect()
    }

    /// Every word of the deposit's references and text, normalised for
    /// lookups (see [`normalise`]).
    pub fn words(&self) -> impl Iterator<Item = String> + '_ {
        [&self.bank_ref, &self.customer_ref, &self.text]
            .into_iter()
            .flat_map(|field| field.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(normalise)
    }

    /// The deposit as people name it: `2024-02-07 466.90 (RB2402070001)`,
    /// with the bank reference, else the record it came from.
    pub fn label(&self) -> String {
        let reference = if self.bank_ref.is_empty() {
            format!("{} {}", self.source, self.position)
        } else {
            self.bank_ref.clone()
        };
        format!(
            "{} {} ({reference})",
            self.date,
            crate::money::money(self.amount)
        )
    }
}

/// A reference normalised for comparison: upper case, and a number without
/// its leading zeros (banks often drop them from check numbers).
pub fn normalise(word: &str) -> String {
    let upper = word.trim().to_ascii_uppercase();
    if !upper.is_empty() && upper.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = upper.trim_start_matches('0');
        return if trimmed.is_empty() { "0" } else { trimmed }.to_string();
    }
    upper
}

/// TRN02 of every `TRN*…*trace*…` addenda in `text` (CCD+ uses `*`
/// between elements and `\` or `~` after the segment).
pub fn ccd_traces(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("TRN*").filter_map(|(at, _)| {
        let segment = &text[at..];
        let end = segment
            .find(['\\', '~', ' ', '\n', '\r'])
            .unwrap_or(segment.len());
        let trace = segment[..end].split('*').nth(2)?;
        (!trace.is_empty()).then_some(trace)
    })
}

/// Where a problem in a bank file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// A BAI2 record (physical line) number, 1-based.
    Record(usize),
    /// A CSV line number, 1-based.
    Line(usize),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Record(n) => write!(f, "record {n}"),
            Position::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// One thing wrong with a bank file. Messages name record types, amounts
/// and counts, never the text of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// A bank file that cannot be used: every problem found in it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct BankError {
    /// The file.
    pub file: String,
    /// What is wrong, in file order.
    pub problems: Vec<Problem>,
}

/// The two formats a bank file can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BankFormat {
    /// BAI2 cash-management records.
    Bai2,
    /// A CSV export with a header row.
    Csv,
}

/// A bank file's usable deposits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankFile {
    /// The file.
    pub source: String,
    /// How it was read.
    pub format: BankFormat,
    /// Credits, and debits that carry a CCD+ trace (a payer taking money
    /// back), in file order.
    pub deposits: Vec<Deposit>,
    /// Entries left out: other debits, zero amounts, non-credit details.
    pub skipped: usize,
}

/// The format of a bank file, by content: BAI2 starts with an `01` record.
pub fn detect(text: &str) -> BankFormat {
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.starts_with("01,") {
        BankFormat::Bai2
    } else {
        BankFormat::Csv
    }
}

/// Reads a bank file of either format; `columns` names the CSV columns.
pub fn read(source: &str, bytes: &[u8], columns: &CsvColumns) -> Result<BankFile, BankError> {
    let text = String::from_utf8_lossy(bytes);
    let format = detect(&text);
    let (entries, problems) = match format {
        BankFormat::Bai2 => bai2::read(source, &text),
        BankFormat::Csv => csv::read(source, &text, columns),
    };
    if !problems.is_empty() {
        return Err(BankError {
            file: source.to_string(),
            problems,
        });
    }
    let total = entries.len();
    let deposits: Vec<Deposit> = entries.into_iter().filter(is_deposit).collect();
    Ok(BankFile {
        source: source.to_string(),
        format,
        skipped: total - deposits.len(),
        deposits,
    })
}

/// Credits are deposits; a debit counts only when it carries a CCD+ trace
/// (a payer's debit answering a negative remittance), so that payroll and
/// rent never show up as unexplained money.
fn is_deposit(entry: &Deposit) -> bool {
    if entry.amount > Decimal::ZERO {
        return true;
    }
    entry.amount < Decimal::ZERO && !entry.ccd_traces().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deposit(text: &str, customer_ref: &str) -> Deposit {
        Deposit {
            source: "bank.csv".into(),
            position: Position::Line(2),
            date: Date::constant(2024, 2, 7),
            amount: Decimal::new(46690, 2),
            type_code: None,
            bank_ref: "RB1".into(),
            customer_ref: customer_ref.into(),
            text: text.into(),
        }
    }

    #[test]
    fn ccd_plus_traces_are_found_with_either_terminator() {
        let d = deposit(
            "ACME HCCLAIMPMT CCD TRN*1*2024020700117*1310060054\\ REF X",
            "",
        );
        assert_eq!(d.ccd_traces(), vec!["2024020700117"]);
        let d = deposit("TRN*1*A1*B~TRN*1*A2*B", "");
        assert_eq!(d.ccd_traces(), vec!["A1", "A2"]);
        assert!(deposit("TRN*1", "").ccd_traces().is_empty());
    }

    #[test]
    fn numbers_compare_without_leading_zeros() {
        assert_eq!(normalise("0048213"), "48213");
        assert_eq!(normalise("000"), "0");
        assert_eq!(normalise("mc24"), "MC24");
        let d = deposit("REMOTE DEPOSIT CHECK 48213", "");
        assert!(d.words().any(|w| w == normalise("0048213")));
    }

    #[test]
    fn debits_without_a_trace_are_not_deposits() {
        let mut d = deposit("PAYROLL", "");
        d.amount = Decimal::new(-100, 0);
        assert!(!is_deposit(&d));
        d.text = "ACME TRN*1*T1*P\\".into();
        assert!(is_deposit(&d));
        d.amount = Decimal::ZERO;
        assert!(!is_deposit(&d));
    }

    #[test]
    fn the_format_is_told_by_content() {
        assert_eq!(detect("\u{feff}\n01,BANK,CUST/\n"), BankFormat::Bai2);
        assert_eq!(detect("date,amount\n"), BankFormat::Csv);
    }

    #[test]
    fn the_sample_bai2_and_csv_hold_the_same_deposits() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/bank");
        let load = |name: &str| {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            read(name, &bytes, &CsvColumns::default()).unwrap()
        };
        let (bai2, csv) = (load("deposits.bai2"), load("deposits.csv"));
        assert_eq!(
            (bai2.format, csv.format),
            (BankFormat::Bai2, BankFormat::Csv)
        );
        assert_eq!(bai2.deposits.len(), 22);
        let key = |d: &Deposit| {
            (
                d.date,
                d.amount,
                d.bank_ref.clone(),
                d.ccd_traces().join(","),
            )
        };
        let a: Vec<_> = bai2.deposits.iter().map(key).collect();
        let b: Vec<_> = csv.deposits.iter().map(key).collect();
        assert_eq!(a, b);
        let total: Decimal = bai2.deposits.iter().map(|d| d.amount).sum();
        assert_eq!(total, Decimal::new(294177, 2));
    }

    #[test]
    fn a_label_names_the_bank_reference_or_the_record() {
        let mut d = deposit("", "");
        assert_eq!(d.label(), "2024-02-07 466.90 (RB1)");
        d.bank_ref.clear();
        assert_eq!(d.label(), "2024-02-07 466.90 (bank.csv line 2)");
    }
}
