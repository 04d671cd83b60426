//! CSV ledger writer. Text cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed
//! with a single quote; money and numbers are written as plain numbers.

use std::io::Write;

use super::{Cell, Column, Sink};

/// Writes rows as CSV with a header line.
pub struct CsvSink<'w, R: 'static> {
    writer: csv::Writer<Box<dyn Write + 'w>>,
    columns: &'static [Column<R>],
    /// One cell's text, reused for every cell.
    field: String,
}

impl<'w, R> CsvSink<'w, R> {
    /// A CSV writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        CsvSink {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out),
            columns: &[],
            field: String::new(),
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

/// Replaces `text` with the cell's CSV text, neutralised when it could be
/// read as a formula.
pub fn csv_text(cell: &Cell<'_>, text: &mut String) {
    text.clear();
    cell.render_into(text);
    if !cell.is_numeric() && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        text.insert(0, '\'');
    }
}

impl<R> Sink<R> for CsvSink<'_, R> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        self.columns = columns;
        let names = columns.iter().map(|c| c.name);
        self.writer.write_record(names).map_err(io_error)?;
        Ok(())
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        for column in self.columns {
            csv_text(&column.read(row), &mut self.field);
            self.writer.write_field(&self.field).map_err(io_error)?;
        }
        // An empty record after fields ends the row (a table has columns).
        self.writer.write_record(None::<&[u8]>).map_err(io_error)?;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
