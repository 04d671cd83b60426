//! CSV ledger writer. Text cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed
//! with a single quote; money and numbers are written as plain numbers.

use std::io::Write;

use super::{Cell, Record, Sink};

/// Writes rows as CSV with a header line.
pub struct CsvSink<'w> {
    writer: csv::Writer<Box<dyn Write + 'w>>,
    columns: usize,
    record: Vec<String>,
}

impl<'w> CsvSink<'w> {
    /// A CSV writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        CsvSink {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            columns: 0,
            record: Vec::new(),
        }
    }
}

/// The I/O error under a CSV writer's error, kept as it is (so a closed
/// pipe is still seen as one), or the CSV error wrapped.
fn io_error(error: csv::Error) -> std::io::Error {
    if !error.is_io_error() {
        return std::io::Error::other(error);
    }
    match error.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// The cell as CSV text, neutralised when it could be read as a formula.
pub fn csv_text(cell: &Cell<'_>) -> String {
    let text = cell.render();
    if !cell.is_numeric() && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

impl Sink for CsvSink<'_> {
    fn begin(&mut self, columns: &[&str]) -> std::io::Result<()> {
        self.columns = columns.len();
        self.writer.write_record(columns).map_err(io_error)?;
        Ok(())
    }

    fn row(&mut self, row: &dyn Record) -> std::io::Result<()> {
        self.record.clear();
        self.record
            .extend((0..self.columns).map(|c| csv_text(&row.cell(c))));
        self.writer.write_record(&self.record).map_err(io_error)?;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
