//! Parquet writer (`--format parquet`): the table's typed columns
//! ([`super::schema`]) written as a stream of row groups, so memory holds
//! one row group whatever the number of rows.
//!
//! Rows arrive one by one into Arrow builders; every [`BATCH_ROWS`] rows
//! become a record batch for the Parquet writer, which closes a row group
//! every [`ROW_GROUP_ROWS`] rows. Snappy compression (Spark's default).
//!
//! A command that may still reject the input whose rows it is writing
//! (`remit lines`) says so with [`Sink::begin_input`], then keeps them with
//! [`Sink::flush`] or drops them with [`Sink::discard`]: Parquet bytes
//! cannot be cut back once written (the footer lists every row group), so
//! an input's rows are held back until then — in memory up to
//! [`BATCH_ROWS`] rows, then spilled to an unnamed temporary file in Arrow
//! IPC form.
//!
//! The Parquet writer writes into a buffer that is drained into the output
//! after every batch: the output need not be `Send` (a command's output
//! may be shared with the code that keeps or drops inputs).

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::schema::BatchBuilder;
use super::{Column, Sink};

/// Rows per record batch handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8192;
/// Rows per row group: about 30 MB of ledger rows before compression.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Writes rows as one Parquet file.
pub struct ParquetSink<'w, R: 'static> {
    out: Box<dyn Write + 'w>,
    writer: Option<ArrowWriter<Vec<u8>>>,
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

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl<'w, R> ParquetSink<'w, R> {
    /// A Parquet writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        ParquetSink {
            out,
            writer: None,
            rows: None,
            holding: false,
            held: None,
        }
    }

    /// Hands a batch to the Parquet writer and what it encoded to the output.
    fn write(&mut self, batch: &RecordBatch) -> std::io::Result<()> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io("parquet: rows written before begin or after finish"))?;
        writer.write(batch).map_err(io)?;
        // The writer counts the bytes it wrote; taking them out of its
        // buffer changes no offset.
        let encoded = std::mem::take(writer.inner_mut());
        self.out.write_all(&encoded)
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

    /// The batches held back, handed to the Parquet writer.
    fn release(&mut self) -> std::io::Result<()> {
        let Some(spill) = self.held.take() else {
            return Ok(());
        };
        let mut file = spill.writer.into_inner().map_err(io)?;
        file.flush()?;
        file.seek(SeekFrom::Start(0))?;
        let reader = arrow_ipc::reader::StreamReader::try_new(file, None).map_err(io)?;
        for batch in reader {
            self.write(&batch.map_err(io)?)?;
        }
        Ok(())
    }
}

impl<R> Sink<R> for ParquetSink<'_, R> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        let rows = BatchBuilder::new(columns);
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("remit {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), rows.schema(), Some(properties));
        self.writer = Some(writer.map_err(io)?);
        self.rows = Some(rows);
        Ok(())
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        let rows = self
            .rows
            .as_mut()
            .ok_or_else(|| io("parquet: a row before begin"))?;
        rows.push(row)?;
        if rows.len() >= BATCH_ROWS {
            let batch = rows.finish();
            if self.holding {
                self.hold(&batch)?;
            } else {
                self.write(&batch)?;
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
            self.write(&batch)?;
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
        let writer = self
            .writer
            .take()
            .ok_or_else(|| io("parquet: finish before begin"))?;
        let rest = writer.into_inner().map_err(io)?;
        self.out.write_all(&rest)?;
        self.out.flush()
    }
}
