//! Parquet writer (`--format parquet`): the table's typed columns
//! ([`super::schema`]) written as a stream of row groups, so memory holds
//! one row group whatever the number of rows.
//!
//! Rows become typed batches in [`super::batches`] (which also holds back
//! the rows of an input that may still be dropped); the Parquet writer
//! closes a row group every [`ROW_GROUP_ROWS`] rows. Snappy compression
//! (Spark's default).
//!
//! The Parquet writer writes into a buffer that is drained into the output
//! after every batch: the output need not be `Send` (a command's output
//! may be shared with the code that keeps or drops inputs).

use std::io::Write;

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::Column;
use super::batches::{BatchSink, BatchTarget, io};

/// Rows per row group: about 30 MB of ledger rows before compression.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Writes rows as one Parquet file.
pub type ParquetSink<'w, R> = BatchSink<'w, R, ParquetTarget>;

/// The Parquet end of a [`ParquetSink`].
#[derive(Default)]
pub struct ParquetTarget {
    writer: Option<ArrowWriter<Vec<u8>>>,
}

impl<'w, R> ParquetSink<'w, R> {
    /// A Parquet writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        BatchSink::with_target(out, ParquetTarget::default())
    }
}

impl BatchTarget for ParquetTarget {
    fn begin<R>(
        &mut self,
        schema: arrow_schema::SchemaRef,
        _columns: &[Column<R>],
    ) -> std::io::Result<()> {
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("remit {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(Vec::new(), schema, Some(properties));
        self.writer = Some(writer.map_err(io)?);
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch, out: &mut dyn Write) -> std::io::Result<()> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io("parquet: rows written before begin or after finish"))?;
        writer.write(batch).map_err(io)?;
        // The writer counts the bytes it wrote; taking them out of its
        // buffer changes no offset.
        let encoded = std::mem::take(writer.inner_mut());
        out.write_all(&encoded)
    }

    fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| io("parquet: finish before begin"))?;
        let rest = writer.into_inner().map_err(io)?;
        out.write_all(&rest)
    }
}
