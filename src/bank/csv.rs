//! Bank statements exported as CSV: a header row, then one entry per row
//! with a date, a signed amount (credits positive), and a description (the
//! ACH company entry and CCD+ addenda, or a check deposit's text), plus an
//! optional reference column. Column names come from flags.
//!
//! Knows bank CSV rows, not remittances or matching.

use super::{Deposit, Position, Problem};
use crate::tabular::{Header, date, money};

/// The names of the columns to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvColumns {
    /// The booking date (required).
    pub date: String,
    /// The signed amount (required).
    pub amount: String,
    /// Free text carrying the references (optional).
    pub description: String,
    /// The bank's reference for the entry (optional; when absent, a
    /// `REF <word>` in the description is used).
    pub reference: String,
}

impl Default for CsvColumns {
    fn default() -> Self {
        CsvColumns {
            date: "date".into(),
            amount: "amount".into(),
            description: "description".into(),
            reference: "reference".into(),
        }
    }
}

fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        position: Position::Line(line),
        message: message.into(),
    }
}

/// Reads every row of a bank CSV as an entry; the problems say which lines
/// could not be read (then the entries must not be used).
pub fn read(source: &str, text: &str, columns: &CsvColumns) -> (Vec<Deposit>, Vec<Problem>) {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => Header::new(h.iter()),
        Err(e) => {
            return (
                Vec::new(),
                vec![problem(1, format!("unreadable header: {e}"))],
            );
        }
    };
    let (Some(date_at), Some(amount_at)) =
        (header.column(&columns.date), header.column(&columns.amount))
    else {
        let message = format!(
            "the header has no {:?} and {:?} columns (set them with --bank-date-column and --bank-amount-column)",
            columns.date, columns.amount
        );
        return (Vec::new(), vec![problem(1, message)]);
    };
    let at = Columns {
        date: date_at,
        amount: amount_at,
        description: header.column(&columns.description),
        reference: header.column(&columns.reference),
    };
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) if r.iter().all(str::is_empty) => {}
            Ok(r) => match entry(source, &r, line_of(text, r.position()), &at, columns) {
                Ok(d) => entries.push(d),
                Err(p) => problems.push(p),
            },
            Err(e) => {
                problems.push(problem(line_of(text, e.position()), "unreadable CSV row"));
            }
        }
    }
    (entries, problems)
}

struct Columns {
    date: usize,
    amount: usize,
    description: Option<usize>,
    reference: Option<usize>,
}

/// The 1-based line a record starts on, counted from its byte offset (the
/// csv crate counts neither the blank lines it skips nor, in its offset,
/// the line breaks before the record).
pub fn line_of(text: &str, position: Option<&::csv::Position>) -> usize {
    let bytes = text.as_bytes();
    let mut byte = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
    while byte < bytes.len() && matches!(bytes[byte], b'\n' | b'\r') {
        byte += 1;
    }
    1 + memchr::memchr_iter(b'\n', &bytes[..byte]).count()
}

fn entry(
    source: &str,
    r: &::csv::StringRecord,
    line: usize,
    at: &Columns,
    names: &CsvColumns,
) -> Result<Deposit, Problem> {
    let cell = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or("");
    let date_text = cell(Some(at.date));
    let date = date(date_text).ok_or_else(|| {
        problem(
            line,
            format!(
                "{} {date_text:?} is not a date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY)",
                names.date
            ),
        )
    })?;
    let amount_text = cell(Some(at.amount));
    let amount = money(amount_text).ok_or_else(|| {
        problem(
            line,
            format!("{} {amount_text:?} is not an amount", names.amount),
        )
    })?;
    let text = cell(at.description).to_string();
    let bank_ref = match cell(at.reference) {
        "" => reference_in(&text).unwrap_or("").to_string(),
        given => given.to_string(),
    };
    Ok(Deposit {
        source: source.to_string(),
        position: Position::Line(line),
        date,
        amount,
        type_code: None,
        bank_ref,
        customer_ref: String::new(),
        text,
    })
}

/// The word after `REF` in a description, as many banks' exports write
/// the bank reference.
fn reference_in(text: &str) -> Option<&str> {
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        if word.eq_ignore_ascii_case("REF") || word.eq_ignore_ascii_case("REF:") {
            return words.next();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn read_default(text: &str) -> (Vec<Deposit>, Vec<String>) {
        let (d, p) = read("bank.csv", text, &CsvColumns::default());
        (d, p.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn rows_become_entries_with_their_line() {
        let (d, p) = read_default(
            "date,amount,description\n2024-02-07,466.90,ACME CCD TRN*1*T1*P\\ REF RB1\n\n2024-12-06,59.60,CHECK 0048213\n",
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].bank_ref, "RB1");
        assert_eq!(d[0].amount, Decimal::new(46690, 2));
        assert_eq!(d[1].position, Position::Line(4));
        assert_eq!(d[1].bank_ref, "");
    }

    #[test]
    fn columns_are_named_by_the_caller() {
        let columns = CsvColumns {
            date: "Posted".into(),
            amount: "Credit".into(),
            description: "Memo".into(),
            reference: "Ref".into(),
        };
        let (d, p) = read(
            "bank.csv",
            "Posted,Memo,Credit,Ref\n02/07/2024,X,\"$1,000.00\",R9\n",
            &columns,
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(d[0].amount, Decimal::new(100000, 2));
        assert_eq!(d[0].bank_ref, "R9");
        assert_eq!(d[0].text, "X");
    }

    #[test]
    fn bad_cells_are_reported_with_their_line() {
        let (_, p) =
            read_default("date,amount\n2024-02-07,1.00\n2024-13-01,2.00\n2024-02-08,two\n");
        assert_eq!(
            p,
            vec![
                "line 3: date \"2024-13-01\" is not a date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY)",
                "line 4: amount \"two\" is not an amount"
            ]
        );
        let (_, p) = read_default("when,amount\n");
        assert!(
            p[0].starts_with("line 1: the header has no \"date\""),
            "{p:?}"
        );
    }
}
