//! Excel workbook writer (`--format xlsx`, rust_xlsxwriter): one worksheet
//! named after the table, for billing staff who open outputs in a
//! spreadsheet. A CSV import there turns trace `0048213` into `48213` and a
//! 14-digit payer claim number into `7.70224E+13`; here every cell has the
//! type its column declares ([`ColumnType`]):
//!
//! | column | cell |
//! |---|---|
//! | text (codes, identifiers, names) | a string, never a number |
//! | money | a number, shown `#,##0.00` |
//! | quantity, integer | a number |
//! | date | a real date, shown `yyyy-mm-dd` |
//! | list (flags, remarks, modifiers) | a string, joined as in CSV |
//!
//! An empty cell is left blank. The header row is bold and frozen, the
//! table has an auto-filter, and each column is as wide as its widest cell
//! (capped at [`MAX_WIDTH`]). Strings are stored as they are: an xlsx
//! string cell is never run as a formula, so nothing is neutralised.
//!
//! Memory stays bounded: rows arrive as the typed batches Parquet uses
//! ([`super::batches`], which also holds back a `remit lines` input that
//! may still be rejected), and the worksheet is in rust_xlsxwriter's
//! constant-memory mode, which streams each finished row to an unnamed
//! temporary file. The workbook is assembled at [`Sink::finish`] into
//! another unnamed temporary file, then copied to the output: an xlsx is a
//! zip archive, written whole, so it cannot stream to standard output
//! (the command line asks for `--out`).

use std::io::{Seek, SeekFrom, Write};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, XlsxError};

use super::batches::{BatchSink, BatchTarget, io};
use super::{Column, ColumnType};

/// Widest column, in characters: long reasons wrap off screen, not the
/// whole sheet.
pub const MAX_WIDTH: usize = 60;
/// Rows a worksheet holds (Excel's limit), the header included.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's serial number of 1970-01-01 (Arrow's `date32` day 0).
const EXCEL_EPOCH_1970: f64 = 25_569.0;

/// Writes rows as one xlsx workbook.
pub type XlsxSink<'w, R> = BatchSink<'w, R, XlsxTarget>;

impl<'w, R> XlsxSink<'w, R> {
    /// An xlsx writer on `out`; `sheet` names the worksheet.
    pub fn new(out: Box<dyn Write + 'w>, sheet: &str) -> Self {
        BatchSink::with_target(out, XlsxTarget::new(sheet))
    }
}

/// The xlsx end of an [`XlsxSink`].
pub struct XlsxTarget {
    workbook: Workbook,
    sheet: String,
    kinds: Vec<ColumnType>,
    /// Widest cell of each column so far, in characters.
    widths: Vec<usize>,
    /// The next row to write (0 is the header).
    row: u32,
    money: CellFormat,
    date: CellFormat,
    /// One list cell's text.
    text: String,
}

fn xlsx(e: XlsxError) -> std::io::Error {
    io(format!("xlsx: {e}"))
}

impl XlsxTarget {
    fn new(sheet: &str) -> XlsxTarget {
        XlsxTarget {
            workbook: Workbook::new(),
            sheet: sheet.to_string(),
            kinds: Vec::new(),
            widths: Vec::new(),
            row: 0,
            money: CellFormat::new().set_num_format("#,##0.00"),
            date: CellFormat::new().set_num_format("yyyy-mm-dd"),
            text: String::new(),
        }
    }

    /// Notes a cell of `chars` characters in column `col`.
    fn seen(&mut self, col: usize, chars: usize) {
        self.widths[col] = self.widths[col].max(chars);
    }
}

/// The characters `#,##0.00` shows for `cents`.
fn money_chars(cents: i128) -> usize {
    let whole = (cents.unsigned_abs() / 100).to_string().len();
    usize::from(cents < 0) + whole + (whole - 1) / 3 + 3
}

impl BatchTarget for XlsxTarget {
    fn begin<R>(&mut self, _schema: SchemaRef, columns: &[Column<R>]) -> std::io::Result<()> {
        let header = CellFormat::new().set_bold();
        let sheet = self.workbook.add_worksheet_with_constant_memory();
        sheet.set_name(&self.sheet).map_err(xlsx)?;
        for (col, column) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, column.name, &header)
                .map_err(xlsx)?;
        }
        self.kinds = columns.iter().map(|c| c.kind).collect();
        // Room for the header and its filter button.
        self.widths = columns.iter().map(|c| c.name.len() + 3).collect();
        self.row = 1;
        Ok(())
    }

    fn write(&mut self, batch: &RecordBatch, _out: &mut dyn Write) -> std::io::Result<()> {
        let rows = batch.num_rows() as u32;
        if self.row.saturating_add(rows) > MAX_ROWS {
            return Err(io(format!(
                "xlsx: a worksheet holds at most {} rows; write this table as csv or parquet",
                MAX_ROWS - 1
            )));
        }
        // Row by row: constant-memory mode streams a row out once a later
        // one is started, and ignores writes to it after that.
        for i in 0..batch.num_rows() {
            for col in 0..batch.num_columns() {
                self.write_cell(batch.column(col).as_ref(), i, col)?;
            }
        }
        self.row += rows;
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let last_row = self.row.saturating_sub(1);
        let last_col = self.kinds.len().saturating_sub(1) as u16;
        let widths = std::mem::take(&mut self.widths);
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx)?;
        for (col, width) in widths.into_iter().enumerate() {
            sheet
                .set_column_width(col as u16, (width.min(MAX_WIDTH) + 1) as f64)
                .map_err(xlsx)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
        if !self.kinds.is_empty() {
            sheet.autofilter(0, 0, last_row, last_col).map_err(xlsx)?;
        }
        // The archive is assembled in an unnamed temporary file (never in
        // memory), then copied to the output.
        let mut file = tempfile::tempfile()?;
        self.workbook.save_to_writer(&mut file).map_err(xlsx)?;
        file.seek(SeekFrom::Start(0))?;
        std::io::copy(&mut file, out)?;
        Ok(())
    }
}

impl XlsxTarget {
    /// Writes the cell of row `i` of a batch in column `col`.
    fn write_cell(&mut self, array: &dyn Array, i: usize, col: usize) -> std::io::Result<()> {
        let kind = self.kinds[col];
        {
            if array.is_null(i) {
                return Ok(());
            }
            let row = self.row + i as u32;
            let c = col as u16;
            let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx)?;
            let chars = match kind {
                ColumnType::Text => {
                    let text = array.as_string::<i32>().value(i);
                    sheet.write_string(row, c, text).map_err(xlsx)?;
                    text.chars().count()
                }
                ColumnType::Money | ColumnType::Quantity => {
                    let decimals = array.as_primitive::<Decimal128Type>();
                    let units = decimals.value(i);
                    // Exact to the cent: a quotient of two exact doubles is
                    // the double nearest the amount, as Excel itself reads it.
                    let value = units as f64 / 10f64.powi(i32::from(decimals.scale()));
                    if kind == ColumnType::Money {
                        sheet
                            .write_number_with_format(row, c, value, &self.money)
                            .map_err(xlsx)?;
                        money_chars(units)
                    } else {
                        sheet.write_number(row, c, value).map_err(xlsx)?;
                        value.to_string().len()
                    }
                }
                ColumnType::Date => {
                    let day = array.as_primitive::<Date32Type>().value(i);
                    let date =
                        ExcelDateTime::from_serial_datetime(f64::from(day) + EXCEL_EPOCH_1970)
                            .map_err(xlsx)?;
                    sheet
                        .write_datetime_with_format(row, c, &date, &self.date)
                        .map_err(xlsx)?;
                    10
                }
                ColumnType::Integer => {
                    let n = array.as_primitive::<Int64Type>().value(i);
                    sheet.write_number(row, c, n as f64).map_err(xlsx)?;
                    n.to_string().len()
                }
                ColumnType::List(sep) => {
                    let items = array.as_list::<i32>().value(i);
                    let items = items.as_string::<i32>();
                    if items.is_empty() {
                        return Ok(());
                    }
                    self.text.clear();
                    for (n, item) in items.iter().flatten().enumerate() {
                        if n > 0 {
                            self.text.push(sep);
                        }
                        self.text.push_str(item);
                    }
                    sheet.write_string(row, c, &self.text).map_err(xlsx)?;
                    self.text.chars().count()
                }
            };
            self.seen(col, chars);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::testing::{Row, table};
    use crate::ledger::{Cell, Sink};
    use calamine::{Data, Reader, Xlsx};

    fn row(id: &'static str, cents: i64) -> Row {
        Row(vec![
            Cell::Text(id),
            Cell::Money(rust_decimal::Decimal::new(cents, 2)),
            Cell::Date(jiff::civil::date(2024, 2, 29)),
            Cell::Integer(-3),
            Cell::Owned("RECOUPED;UNDERPAID".into()),
        ])
    }

    /// Inputs kept and dropped as `remit lines` does, the dropped one
    /// longer than a batch (so spilled): only the kept rows are in the
    /// workbook, each cell of its column's type.
    #[test]
    fn a_dropped_input_leaves_no_row_and_cells_are_typed() {
        let columns = table(&[
            ("id", ColumnType::Text),
            ("amount", ColumnType::Money),
            ("day", ColumnType::Date),
            ("days_left", ColumnType::Integer),
            ("flags", ColumnType::List(';')),
        ]);
        let mut bytes = Vec::new();
        {
            let mut sink = XlsxSink::new(Box::new(&mut bytes), "lines");
            sink.begin(columns).unwrap();
            sink.begin_input().unwrap();
            sink.row(&row("0048213", 123_456)).unwrap();
            sink.flush().unwrap();
            sink.begin_input().unwrap();
            for _ in 0..super::super::batches::BATCH_ROWS + 10 {
                sink.row(&row("DROPPED", 1)).unwrap();
            }
            sink.discard().unwrap();
            sink.begin_input().unwrap();
            sink.row(&row("=1+1", -5)).unwrap();
            sink.flush().unwrap();
            sink.finish().unwrap();
        }
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("lines").unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), 3, "header and the two kept rows");
        assert_eq!(rows[0][0], Data::String("id".into()));
        assert_eq!(
            rows[1][0],
            Data::String("0048213".into()),
            "text, zero kept"
        );
        assert_eq!(rows[1][1], Data::Float(1234.56));
        match &rows[1][2] {
            Data::DateTime(d) => assert_eq!(d.as_f64(), 45351.0, "2024-02-29"),
            other => panic!("a date, not {other:?}"),
        }
        assert_eq!(rows[1][3], Data::Float(-3.0));
        assert_eq!(rows[1][4], Data::String("RECOUPED;UNDERPAID".into()));
        assert_eq!(
            rows[2][0],
            Data::String("=1+1".into()),
            "a string, not a formula"
        );
        assert_eq!(rows[2][1], Data::Float(-0.05));
    }

    #[test]
    fn money_width_counts_separators_and_sign() {
        assert_eq!(money_chars(123_456), "1,234.56".len());
        assert_eq!(money_chars(-5), "-0.05".len());
        assert_eq!(money_chars(100_000_000), "1,000,000.00".len());
    }
}
