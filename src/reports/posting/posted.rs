//! What the practice posted, read from a practice-management system's CSV
//! export: one row per posting with claim id, date of service, procedure,
//! payer, amount posted, adjustment posted and posting date. Column names
//! come from flags; a row that cannot be read is reported with its line
//! number and the export must not be used. Messages name columns and
//! amounts, never patients.
//!
//! Knows posting rows, not the ledger.

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::bank::csv::line_of;
use crate::tabular::{Header, date, money};

/// One posting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    /// CSV line number.
    pub line: usize,
    /// The practice's claim id (CLM01 / CLP01).
    pub claim_id: String,
    /// Date of service.
    pub service_date: Date,
    /// Procedure code as posted (modifiers after `-`, `:` or a space are
    /// ignored when matching).
    pub procedure: String,
    /// Payer name (empty when the export has none).
    pub payer: String,
    /// Payment posted (negative for a reversal or refund).
    pub amount: Decimal,
    /// Adjustment (write-off) posted.
    pub adjustment: Decimal,
    /// The day it was posted.
    pub posting_date: Option<Date>,
}

/// The names of the export's columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedColumns {
    /// Claim id (required).
    pub claim: String,
    /// Date of service (required).
    pub service_date: String,
    /// Procedure (required).
    pub procedure: String,
    /// Payer (optional).
    pub payer: String,
    /// Amount posted (required).
    pub amount: String,
    /// Adjustment posted (optional).
    pub adjustment: String,
    /// Posting date (optional).
    pub posting_date: String,
}

impl Default for PostedColumns {
    fn default() -> Self {
        PostedColumns {
            claim: "claim_id".into(),
            service_date: "service_date".into(),
            procedure: "procedure".into(),
            payer: "payer".into(),
            amount: "amount_posted".into(),
            adjustment: "adjustment_posted".into(),
            posting_date: "posting_date".into(),
        }
    }
}

/// One row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostingProblem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PostingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn problem(line: usize, message: impl Into<String>) -> PostingProblem {
    PostingProblem {
        line,
        message: message.into(),
    }
}

struct At {
    claim: usize,
    service_date: usize,
    procedure: usize,
    amount: usize,
    payer: Option<usize>,
    adjustment: Option<usize>,
    posting_date: Option<usize>,
}

/// Reads every posting; `Err` holds every row that could not be read.
pub fn read_postings(
    text: &str,
    columns: &PostedColumns,
) -> Result<Vec<Posting>, Vec<PostingProblem>> {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => Header::new(h.iter()),
        Err(e) => return Err(vec![problem(1, format!("unreadable header: {e}"))]),
    };
    let at = locate(&header, columns)?;
    let mut postings = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) if r.iter().all(str::is_empty) => {}
            Ok(r) => match posting(&r, line_of(text, r.position()), &at, columns) {
                Ok(p) => postings.push(p),
                Err(p) => problems.push(p),
            },
            Err(e) => problems.push(problem(line_of(text, e.position()), "unreadable CSV row")),
        }
    }
    if problems.is_empty() {
        Ok(postings)
    } else {
        Err(problems)
    }
}

fn locate(header: &Header, c: &PostedColumns) -> Result<At, Vec<PostingProblem>> {
    let required = [&c.claim, &c.service_date, &c.procedure, &c.amount];
    let missing: Vec<String> = required
        .iter()
        .filter(|name| header.column(name).is_none())
        .map(|name| format!("{name:?}"))
        .collect();
    if !missing.is_empty() {
        return Err(vec![problem(
            1,
            format!(
                "the header has no {} column (name the columns with the --posted-*-column flags)",
                missing.join(", ")
            ),
        )]);
    }
    let col = |name: &str| header.column(name).expect("checked above");
    Ok(At {
        claim: col(&c.claim),
        service_date: col(&c.service_date),
        procedure: col(&c.procedure),
        amount: col(&c.amount),
        payer: header.column(&c.payer),
        adjustment: header.column(&c.adjustment),
        posting_date: header.column(&c.posting_date),
    })
}

fn posting(
    r: &::csv::StringRecord,
    line: usize,
    at: &At,
    names: &PostedColumns,
) -> Result<Posting, PostingProblem> {
    let cell = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or("");
    let claim_id = cell(Some(at.claim));
    if claim_id.is_empty() {
        return Err(problem(line, format!("{} is empty", names.claim)));
    }
    let service_date = required_date(cell(Some(at.service_date)), &names.service_date, line)?;
    let amount = amount_cell(cell(Some(at.amount)), &names.amount, line)?;
    let adjustment = match cell(at.adjustment) {
        "" => Decimal::ZERO,
        text => amount_cell(text, &names.adjustment, line)?,
    };
    let posting_date = match cell(at.posting_date) {
        "" => None,
        text => Some(required_date(text, &names.posting_date, line)?),
    };
    Ok(Posting {
        line,
        claim_id: claim_id.to_string(),
        service_date,
        procedure: cell(Some(at.procedure)).to_string(),
        payer: cell(at.payer).to_string(),
        amount,
        adjustment,
        posting_date,
    })
}

fn required_date(text: &str, column: &str, line: usize) -> Result<Date, PostingProblem> {
    date(text).ok_or_else(|| {
        problem(
            line,
            format!("{column} {text:?} is not a date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY)"),
        )
    })
}

fn amount_cell(text: &str, column: &str, line: usize) -> Result<Decimal, PostingProblem> {
    money(text).ok_or_else(|| problem(line, format!("{column} {text:?} is not an amount")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_export_reads_with_the_default_columns() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/posting/posted.csv");
        let postings = read_postings(
            &std::fs::read_to_string(path).unwrap(),
            &PostedColumns::default(),
        )
        .unwrap();
        assert_eq!(postings.len(), 85);
        let first = &postings[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.claim_id, "RC23-118");
        assert_eq!(first.amount, Decimal::new(4250, 2));
        assert_eq!(first.posting_date, Some(Date::constant(2024, 2, 9)));
    }

    #[test]
    fn optional_columns_may_be_missing() {
        let postings = read_postings(
            "Claim,DOS,CPT,Paid\nRC1,01/08/2024,98941,35\n",
            &PostedColumns {
                claim: "claim".into(),
                service_date: "dos".into(),
                procedure: "cpt".into(),
                amount: "paid".into(),
                ..PostedColumns::default()
            },
        )
        .unwrap();
        assert_eq!(postings[0].adjustment, Decimal::ZERO);
        assert_eq!(
            (postings[0].payer.as_str(), postings[0].posting_date),
            ("", None)
        );
    }

    #[test]
    fn bad_rows_are_named_by_line_and_column() {
        let problems = read_postings(
            "claim_id,service_date,procedure,amount_posted,posting_date\nA,2024-01-08,98941,x,\n,2024-01-08,98941,1,\nB,2024-01-08,98941,1,someday\n",
            &PostedColumns::default(),
        )
        .unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            vec![
                "line 2: amount_posted \"x\" is not an amount",
                "line 3: claim_id is empty",
                "line 4: posting_date \"someday\" is not a date (YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY)"
            ]
        );
        let missing = read_postings("claim,amount\n", &PostedColumns::default()).unwrap_err();
        assert!(
            missing[0]
                .message
                .starts_with("the header has no \"claim_id\", \"service_date\"")
        );
    }
}
