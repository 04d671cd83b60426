//! The typed formats' common half: rows into Arrow record batches of the
//! table's declared types ([`super::schema::BatchBuilder`]), handed to a
//! [`BatchTarget`] — the Parquet writer or the xlsx writer — every
//! [`BATCH_ROWS`] rows, so memory holds one batch whatever the number of
//! rows.
//!
//! A command that may still reject the input whose rows it is writing
//! (`remit lines`) says so with [`Sink::begin_input`], then keeps them with
//! [`Sink::flush`] or drops them with [`Sink::discard`]: neither Parquet
//! nor xlsx bytes can be cut back once written (a footer or an archive
//! lists what came before), so an input's rows are held back until then —
//! in memory up to [`BATCH_ROWS`] rows, then spilled to an unnamed
//! temporary file in Arrow IPC form.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::schema::BatchBuilder;
use super::{Column, Sink};

/// Rows per record batch handed to the target.
pub const BATCH_ROWS: usize = 8192;

/// Where typed batches go.
pub trait BatchTarget {
    /// Starts the output of a table with this schema and these columns.
    fn begin<R>(&mut self, schema: SchemaRef, columns: &[Column<R>]) -> std::io::Result<()>;
    /// Writes a batch (bytes, if any, to `out`).
    fn write(&mut self, batch: &RecordBatch, out: &mut dyn Write) -> std::io::Result<()>;
    /// Ends the output (its last bytes to `out`).
    fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()>;
}

/// A [`Sink`] that writes typed batches to a [`BatchTarget`].
pub struct BatchSink<'w, R: 'static, T> {
    out: Box<dyn Write + 'w>,
    target: T,
    rows: Option<BatchBuilder<R>>,
    /// Inside an input that may still be dropped ([`Sink::begin_input`]).
    holding: bool,
    /// Its full batches, not yet kept or dropped.
    held: Option<Spill>,
}

/// Batches held back, in an unnamed temporary file (Arrow IPC stream).
struct Spill {
    writer: arrow_ipc::writer::StreamWriter<File>,
}

/// An error of the columnar libraries as an I/O error.
pub fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl<'w, R, T: BatchTarget> BatchSink<'w, R, T> {
    /// A sink writing through `target` to `out`.
    pub fn with_target(out: Box<dyn Write + 'w>, target: T) -> Self {
        BatchSink {
            out,
            target,
            rows: None,
            holding: false,
            held: None,
        }
    }

    /// Holds a full batch until the caller keeps or drops it.
    fn hold(&mut self, batch: &RecordBatch) -> std::io::Result<()> {
        if self.held.is_none() {
            let file = tempfile::tempfile()?;
            let writer =
                arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).map_err(io)?;
            self.held = Some(Spill { writer });
        }
        let spill = self.held.as_mut().expect("just made");
        spill.writer.write(batch).map_err(io)
    }

    /// The batches held back, handed to the target.
    fn release(&mut self) -> std::io::Result<()> {
        let Some(spill) = self.held.take() else {
            return Ok(());
        };
        let mut file = spill.writer.into_inner().map_err(io)?;
        file.flush()?;
        file.seek(SeekFrom::Start(0))?;
        let reader = arrow_ipc::reader::StreamReader::try_new(file, None).map_err(io)?;
        for batch in reader {
            self.target.write(&batch.map_err(io)?, &mut self.out)?;
        }
        Ok(())
    }
}

impl<R, T: BatchTarget> Sink<R> for BatchSink<'_, R, T> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        let rows = BatchBuilder::new(columns);
        self.target.begin(rows.schema(), columns)?;
        self.rows = Some(rows);
        Ok(())
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        let rows = self
            .rows
            .as_mut()
            .ok_or_else(|| io("a row before the table began"))?;
        rows.push(row)?;
        if rows.len() >= BATCH_ROWS {
            let batch = rows.finish();
            if self.holding {
                self.hold(&batch)?;
            } else {
                self.target.write(&batch, &mut self.out)?;
            }
        }
        Ok(())
    }

    fn begin_input(&mut self) -> std::io::Result<()> {
        self.flush()?;
        self.holding = true;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.holding = false;
        self.release()?;
        if let Some(rows) = self.rows.as_mut().filter(|r| !r.is_empty()) {
            let batch = rows.finish();
            self.target.write(&batch, &mut self.out)?;
        }
        Ok(())
    }

    fn discard(&mut self) -> std::io::Result<()> {
        self.holding = false;
        self.held = None;
        if let Some(rows) = self.rows.as_mut() {
            rows.finish();
        }
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.flush()?;
        self.target.finish(&mut self.out)?;
        self.out.flush()
    }
}
