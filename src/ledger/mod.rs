//! Ledger output: rows as named cells, written as CSV, JSON Lines or XML.
//!
//! Writers know rows and columns, not matching or X12. Any table (the
//! reconciliation ledger, `remit lines`, the appeal worklist…) implements
//! [`Record`] and is written by the same [`Sink`]s, so formats behave the
//! same everywhere: money with exactly two decimals, dates `YYYY-MM-DD`, CSV
//! safe to open in a spreadsheet, JSON amounts as exact decimal strings.

mod csv_sink;
mod jsonl;
mod parquet_sink;
pub mod row;
pub mod schema;
mod xml;

use std::io::Write;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::money::{money, unsigned_zero};

pub use csv_sink::CsvSink;
pub use jsonl::JsonLinesSink;
pub use parquet_sink::ParquetSink;
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
}

impl Cell<'_> {
    /// The cell as text, as CSV and XML show it (without neutralising).
    pub fn render(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => (*s).to_string(),
            Cell::Owned(s) => s.clone(),
            Cell::Money(d) => money(*d),
            Cell::Number(d) => unsigned_zero(d.normalize()).to_string(),
            Cell::Integer(i) => i.to_string(),
            Cell::Date(d) => d.to_string(),
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

/// A row of some table: cells by column index.
pub trait Record {
    /// The cell of column `column` (an index into the table's column names).
    fn cell(&self, column: usize) -> Cell<'_>;
}

/// A table writer: the same interface for every format.
pub trait Sink {
    /// Starts the table with its column names.
    fn begin(&mut self, columns: &[&str]) -> std::io::Result<()>;
    /// Writes one row.
    fn row(&mut self, row: &dyn Record) -> std::io::Result<()>;
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
}

/// A sink of `format` writing to `out`; `root`/`entry` name the XML elements.
pub fn sink<'w>(
    format: Format,
    out: Box<dyn Write + 'w>,
    root: &str,
    entry: &str,
) -> Box<dyn Sink + 'w> {
    match format {
        Format::Csv => Box::new(CsvSink::new(out)),
        Format::Jsonl => Box::new(JsonLinesSink::new(out)),
        Format::Xml => Box::new(XmlSink::new(out, root, entry)),
        Format::Parquet => Box::new(ParquetSink::new(out)),
    }
}

#[cfg(test)]
mod tests;
