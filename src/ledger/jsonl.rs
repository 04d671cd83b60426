//! JSON Lines ledger writer: one object per row with the column names as
//! keys; money and numbers as exact decimal strings, absent values as null.

use std::io::Write;

use serde_json::{Map, Value};

use super::{Cell, Record, Sink};

/// Writes one JSON object per line.
pub struct JsonLinesSink<'w> {
    out: Box<dyn Write + 'w>,
    columns: Vec<String>,
}

impl<'w> JsonLinesSink<'w> {
    /// A JSON Lines writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonLinesSink {
            out,
            columns: Vec::new(),
        }
    }
}

fn json_value(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Empty => Value::Null,
        Cell::Integer(i) => Value::from(i),
        other => Value::String(other.render()),
    }
}

impl Sink for JsonLinesSink<'_> {
    fn begin(&mut self, columns: &[&str]) -> std::io::Result<()> {
        self.columns = columns.iter().map(|c| c.to_string()).collect();
        Ok(())
    }

    fn row(&mut self, row: &dyn Record) -> std::io::Result<()> {
        let mut object = Map::with_capacity(self.columns.len());
        for (i, name) in self.columns.iter().enumerate() {
            object.insert(name.clone(), json_value(row.cell(i)));
        }
        serde_json::to_writer(&mut self.out, &Value::Object(object))?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
