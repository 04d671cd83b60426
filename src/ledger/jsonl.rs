//! JSON Lines ledger writer: one object per row with the column names as
//! keys; money and numbers as exact decimal strings, absent values as null.
//!
//! Each line is written as serde_json writes a compact object (keys in
//! column order), without building one: the keys are escaped once, and
//! every cell is rendered into one reused buffer.

use std::io::Write;

use super::{Cell, Column, Sink};

/// Writes one JSON object per line.
pub struct JsonLinesSink<'w, R: 'static> {
    out: Box<dyn Write + 'w>,
    columns: &'static [Column<R>],
    /// Each column's `"name":`, escaped once.
    keys: Vec<Vec<u8>>,
    /// The line being written.
    line: Vec<u8>,
    /// One cell's text.
    text: String,
}

impl<'w, R> JsonLinesSink<'w, R> {
    /// A JSON Lines writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonLinesSink {
            out,
            columns: &[],
            keys: Vec::new(),
            line: Vec::new(),
            text: String::new(),
        }
    }
}

impl<R> Sink<R> for JsonLinesSink<'_, R> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        self.columns = columns;
        self.keys = columns
            .iter()
            .map(|c| {
                let mut key = serde_json::to_vec(c.name)?;
                key.push(b':');
                Ok(key)
            })
            .collect::<serde_json::Result<_>>()?;
        Ok(())
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        self.line.clear();
        self.line.push(b'{');
        for (i, (column, key)) in self.columns.iter().zip(&self.keys).enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            self.line.extend_from_slice(key);
            match column.read(row) {
                Cell::Empty => self.line.extend_from_slice(b"null"),
                Cell::Integer(n) => {
                    let _ = write!(self.line, "{n}");
                }
                cell => {
                    self.text.clear();
                    cell.render_into(&mut self.text);
                    serde_json::to_writer(&mut self.line, self.text.as_str())?;
                }
            }
        }
        self.line.extend_from_slice(b"}\n");
        self.out.write_all(&self.line)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
