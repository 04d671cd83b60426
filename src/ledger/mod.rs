//! Ledger output: tables of named columns, written as CSV, JSON Lines,
//! XML, Parquet or xlsx.
//!
//! Writers know rows and columns, not matching or X12. Any table (the
//! reconciliation ledger, `remit lines`, the appeal worklist…) is a list of
//! [`Column`]s declared once beside its row type ([`table`]), and is
//! written by the same [`Sink`]s, so formats behave the same everywhere:
//! money with exactly two decimals, dates `YYYY-MM-DD`, CSV safe to open in
//! a spreadsheet, JSON amounts as exact decimal strings, xlsx identifiers
//! as text and money as numbers.

mod batches;
mod csv_cells;
mod csv_sink;
mod jsonl;
mod parquet_sink;
pub mod row;
pub mod schema;
pub mod table;
mod xlsx_sink;
mod xml;

use std::io::Write;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::line::{Flags, push_adjustments};
use crate::money::{push_money, push_quantity};
use crate::remittance::Adjustment;
use crate::text::Text;

pub use csv_sink::CsvSink;
pub use jsonl::JsonLinesSink;
pub use parquet_sink::ParquetSink;
pub use table::{Column, ColumnType};
pub use xlsx_sink::XlsxSink;
pub use xml::XmlSink;

/// One cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Nothing.
    Empty,
    /// Free text (may be neutralised in CSV).
    Text(&'a str),
    /// Owned text.
    Owned(String),
    /// Money: written with exactly two decimals.
    Money(Decimal),
    /// A number written as is (units, counts).
    Number(Decimal),
    /// An integer.
    Integer(i64),
    /// A date, `YYYY-MM-DD`.
    Date(Date),
    /// Codes joined with a separator (`25:59`), written in place: a list
    /// column costs no `String` a row.
    Joined(&'a [Text], char),
    /// A line's flags, `;`-separated in ledger order.
    Flags(Flags),
    /// CAS adjustments, `GROUP-REASON:AMOUNT;…`.
    Adjustments(&'a [Adjustment]),
}

impl Cell<'_> {
    /// The cell as text, as CSV and XML show it (without neutralising).
    pub fn render(&self) -> String {
        let mut text = String::new();
        self.render_into(&mut text);
        text
    }

    /// Appends [`Cell::render`]'s text to `out`. The writers render every
    /// cell of a row into one reused buffer: no allocation per cell.
    #[inline]
    pub fn render_into(&self, out: &mut String) {
        match self {
            Cell::Empty => {}
            Cell::Text(s) => out.push_str(s),
            Cell::Owned(s) => out.push_str(s),
            Cell::Money(d) => push_money(out, *d),
            Cell::Number(d) => push_quantity(out, *d),
            Cell::Integer(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Cell::Date(d) => push_date(out, *d),
            Cell::Joined(parts, sep) => {
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push(*sep);
                    }
                    out.push_str(part);
                }
            }
            Cell::Flags(flags) if flags.is_empty() => {}
            Cell::Flags(flags) => {
                for (i, flag) in flags.iter().enumerate() {
                    if i > 0 {
                        out.push(';');
                    }
                    out.push_str(flag.as_str());
                }
            }
            Cell::Adjustments(adjustments) => push_adjustments(out, adjustments),
        }
    }

    /// True for money, numbers and integers.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Money(_) | Cell::Number(_) | Cell::Integer(_))
    }

    /// A text cell, or empty when the text is empty.
    pub fn text(s: &str) -> Cell<'_> {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    /// A money cell, or empty when absent.
    pub fn money(d: Option<Decimal>) -> Cell<'static> {
        d.map_or(Cell::Empty, Cell::Money)
    }

    /// A date cell, or empty when absent.
    pub fn date(d: Option<Date>) -> Cell<'static> {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

/// Appends `date` as `YYYY-MM-DD`, digit by digit for the years a ledger
/// holds; a year outside 1–9999 as jiff writes it (sign and six digits).
fn push_date(out: &mut String, date: Date) {
    let year = date.year();
    if !(1..=9999).contains(&year) {
        use std::fmt::Write;
        // Writing into a String cannot fail.
        let _ = write!(out, "{date}");
        return;
    }
    let digit = |n: i16| b'0' + n as u8;
    let (month, day) = (i16::from(date.month()), i16::from(date.day()));
    let text = [
        digit(year / 1000),
        digit(year / 100 % 10),
        digit(year / 10 % 10),
        digit(year % 10),
        b'-',
        digit(month / 10),
        digit(month % 10),
        b'-',
        digit(day / 10),
        digit(day % 10),
    ];
    // Ten ASCII digits and dashes: one copy instead of ten pushes.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// A writer of a table of rows `R`: the same interface for every format.
pub trait Sink<R> {
    /// Starts the table: its columns, in order.
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()>;
    /// Writes one row.
    fn row(&mut self, row: &R) -> std::io::Result<()>;
    /// Hands every row written so far to the writer, without ending the
    /// table (so that a caller can release or discard one input's rows).
    fn flush(&mut self) -> std::io::Result<()>;
    /// What follows belongs to one input that may still be dropped with
    /// [`Sink::discard`] (or kept with [`Sink::flush`]). Byte formats need
    /// nothing: their caller cuts the bytes back. A format whose bytes
    /// cannot be cut back (Parquet) holds the rows until then.
    fn begin_input(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    /// Drops the rows written since [`Sink::begin_input`]. Byte formats
    /// hand them to the writer, whose caller cuts them back.
    fn discard(&mut self) -> std::io::Result<()> {
        self.flush()
    }
    /// Ends the table and flushes.
    fn finish(&mut self) -> std::io::Result<()>;
}

/// The output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// An XML document.
    Xml,
    /// Apache Parquet with typed columns (money decimal(18,2), dates
    /// date32, flags list<utf8>), written in row groups.
    Parquet,
    /// An Excel workbook for spreadsheets: identifiers as text, money as
    /// numbers, dates as dates (needs `--out`).
    Xlsx,
}

/// A sink of `format` writing to `out`; `root`/`entry` name the XML elements.
pub fn sink<'w, R: 'static>(
    format: Format,
    out: Box<dyn Write + 'w>,
    root: &str,
    entry: &str,
) -> Box<dyn Sink<R> + 'w> {
    match format {
        Format::Csv => Box::new(CsvSink::new(out)),
        Format::Jsonl => Box::new(JsonLinesSink::new(out)),
        Format::Xml => Box::new(XmlSink::new(out, root, entry)),
        Format::Parquet => Box::new(ParquetSink::new(out)),
        Format::Xlsx => Box::new(XlsxSink::new(out, root)),
    }
}

#[cfg(test)]
mod tests;

/// Tables for writer tests: rows as lists of cells.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Cell, Column, ColumnType};

    /// A row: cell `i` is column `i`'s.
    pub struct Row(pub Vec<Cell<'static>>);

    impl Row {
        fn at(&self, i: usize) -> Cell<'_> {
            self.0.get(i).cloned().unwrap_or(Cell::Empty)
        }
    }

    /// The cell readers of the first eight columns (a column's reader is a
    /// plain function: it cannot capture its index).
    const READERS: [for<'a> fn(&'a Row) -> Cell<'a>; 8] = [
        |r| r.at(0),
        |r| r.at(1),
        |r| r.at(2),
        |r| r.at(3),
        |r| r.at(4),
        |r| r.at(5),
        |r| r.at(6),
        |r| r.at(7),
    ];

    /// A table of these columns (at most eight), leaked for the test.
    pub fn table(columns: &[(&'static str, ColumnType)]) -> &'static [Column<Row>] {
        let columns: Vec<Column<Row>> = columns
            .iter()
            .zip(READERS)
            .map(|(&(name, kind), cell)| Column::new(name, kind, cell))
            .collect();
        Vec::leak(columns)
    }
}
