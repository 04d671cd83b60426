//! The typed columnar schema of remit's tables — how each
//! [`ColumnType`] maps to an Arrow type and how a row's [`Cell`] fills it.
//! The Parquet sink (`--format parquet`), the xlsx sink, the Python package
//! and the Spark job all build these batches, so a column reads the same
//! everywhere. Each table declares its columns' types once, beside its row
//! type ([`super::table`]):
//!
//! | kind | Arrow type | filled from |
//! |---|---|---|
//! | [`ColumnType::Text`] | `utf8` (null when empty) | any cell, as CSV renders it (never neutralised) |
//! | [`ColumnType::Money`] | `decimal128(18, 2)` | [`Cell::Money`], rounded to the cent as CSV writes it |
//! | [`ColumnType::Quantity`] | `decimal128(18, 4)` | [`Cell::Number`]; more than 4 decimals is an error, never rounded |
//! | [`ColumnType::Date`] | `date32` | [`Cell::Date`] |
//! | [`ColumnType::Integer`] | `int64` | [`Cell::Integer`] |
//! | [`ColumnType::List`] | `list<utf8>` (empty list when empty) | text split on the column's separator |
//!
//! An empty cell is null (an empty list for lists). A cell of another kind
//! than its column's (a date in a money column) is an error naming the
//! column: a declaration that no longer matches its rows must fail loudly,
//! not write strings.

use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, Date32Builder, Decimal128Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use super::Cell;
use super::table::Column as TableColumn;

/// Precision of every decimal column: 18 digits fit an `i64`, which every
/// engine (Spark, DuckDB, pandas, Polars) reads as an exact decimal.
pub const DECIMAL_PRECISION: u8 = 18;
/// Scale of money columns: cents.
pub const MONEY_SCALE: i8 = 2;
/// Scale of quantity columns (units): X12 units are decimals.
pub const QUANTITY_SCALE: i8 = 4;

pub use super::table::ColumnType;

impl ColumnType {
    /// The Arrow type.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Money => DataType::Decimal128(DECIMAL_PRECISION, MONEY_SCALE),
            ColumnType::Quantity => DataType::Decimal128(DECIMAL_PRECISION, QUANTITY_SCALE),
            ColumnType::Date => DataType::Date32,
            ColumnType::Integer => DataType::Int64,
            ColumnType::List(_) => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
        }
    }
}

/// The Arrow schema of a table with these columns (every field nullable).
pub fn schema<R>(columns: &[TableColumn<R>]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, c.kind.data_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// One column being filled.
enum Column {
    Text(StringBuilder),
    Decimal(Decimal128Builder, u32),
    Date(Date32Builder),
    Integer(Int64Builder),
    List(ListBuilder<StringBuilder>, char),
}

/// Rows of one table turned into Arrow record batches, column by column
/// in the declared types.
pub struct BatchBuilder<R: 'static> {
    schema: SchemaRef,
    table: &'static [TableColumn<R>],
    columns: Vec<Column>,
    rows: usize,
}

/// A cell that does not fit its column's type.
fn mismatch(schema: &Schema, column: usize, cell: &Cell<'_>) -> std::io::Error {
    let field = schema.field(column);
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "column {} is {} but a row holds {cell:?}",
            field.name(),
            field.data_type()
        ),
    )
}

/// Days from 1970-01-01 (Arrow's `date32`).
pub fn date32(date: Date) -> i32 {
    let epoch = Date::constant(1970, 1, 1);
    // A civil date's distance from the epoch is whole days.
    (date.duration_since(epoch).as_secs() / 86_400) as i32
}

/// `d` as the integer of a decimal of `scale`, when it fits without losing
/// a digit and within the precision.
pub fn decimal_units(d: Decimal, scale: u32) -> Option<i128> {
    let mut scaled = d.normalize();
    if scaled.scale() > scale {
        return None;
    }
    scaled.rescale(scale);
    let m = scaled.mantissa();
    (m.abs() < 10i128.pow(DECIMAL_PRECISION as u32)).then_some(m)
}

impl<R> BatchBuilder<R> {
    /// A builder for a table with `columns`.
    pub fn new(table: &'static [TableColumn<R>]) -> BatchBuilder<R> {
        let schema = schema(table);
        let columns = table
            .iter()
            .map(|c| match c.kind {
                ColumnType::Text => Column::Text(StringBuilder::new()),
                t @ (ColumnType::Money | ColumnType::Quantity) => {
                    let scale = if t == ColumnType::Money {
                        MONEY_SCALE
                    } else {
                        QUANTITY_SCALE
                    };
                    let builder = Decimal128Builder::new()
                        .with_precision_and_scale(DECIMAL_PRECISION, scale)
                        .expect("18 digits with a scale below them is a valid decimal");
                    Column::Decimal(builder, scale as u32)
                }
                ColumnType::Date => Column::Date(Date32Builder::new()),
                ColumnType::Integer => Column::Integer(Int64Builder::new()),
                ColumnType::List(sep) => Column::List(ListBuilder::new(StringBuilder::new()), sep),
            })
            .collect();
        BatchBuilder {
            schema,
            table,
            columns,
            rows: 0,
        }
    }

    /// The schema of the batches.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Rows added since the last [`BatchBuilder::finish`].
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row was added since the last [`BatchBuilder::finish`].
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds a row.
    pub fn push(&mut self, row: &R) -> std::io::Result<()> {
        for (i, (column, declared)) in self.columns.iter_mut().zip(self.table).enumerate() {
            let cell = declared.read(row);
            match (column, &cell) {
                (Column::Text(b), Cell::Empty) => b.append_null(),
                (Column::Text(b), Cell::Text(s)) => b.append_value(s),
                (Column::Text(b), Cell::Owned(s)) if s.is_empty() => b.append_null(),
                (Column::Text(b), Cell::Owned(s)) => b.append_value(s),
                (Column::Text(b), other) => {
                    // Codes rendered in place (a list, flags) are empty, not
                    // an empty string, when there are none: as `Owned` was.
                    let text = other.render();
                    if text.is_empty() {
                        b.append_null()
                    } else {
                        b.append_value(text)
                    }
                }
                (Column::Decimal(b, _), Cell::Empty) => b.append_null(),
                (Column::Decimal(b, scale), Cell::Money(d) | Cell::Number(d)) => {
                    // Money is written as CSV writes it: to the cent, half
                    // away from zero. A quantity is never rounded.
                    let d = if matches!(cell, Cell::Money(_)) {
                        d.round_dp_with_strategy(*scale, RoundingStrategy::MidpointAwayFromZero)
                    } else {
                        *d
                    };
                    match decimal_units(d, *scale) {
                        Some(units) => b.append_value(units),
                        None => {
                            return Err(std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                format!(
                                    "column {}: {d} does not fit decimal({DECIMAL_PRECISION}, {scale})",
                                    self.schema.field(i).name()
                                ),
                            ));
                        }
                    }
                }
                (Column::Decimal(b, scale), Cell::Integer(n)) => {
                    b.append_value(*n as i128 * 10i128.pow(*scale))
                }
                (Column::Date(b), Cell::Empty) => b.append_null(),
                (Column::Date(b), Cell::Date(d)) => b.append_value(date32(*d)),
                (Column::Integer(b), Cell::Empty) => b.append_null(),
                (Column::Integer(b), Cell::Integer(n)) => b.append_value(*n),
                (Column::List(b, sep), cell) if !cell.is_numeric() => {
                    let text = match cell {
                        Cell::Text(s) => std::borrow::Cow::Borrowed(*s),
                        Cell::Owned(s) => std::borrow::Cow::Borrowed(s.as_str()),
                        Cell::Empty => std::borrow::Cow::Borrowed(""),
                        other => std::borrow::Cow::Owned(other.render()),
                    };
                    for item in text.split(*sep).filter(|s| !s.is_empty()) {
                        b.values().append_value(item);
                    }
                    b.append(true);
                }
                _ => return Err(mismatch(&self.schema, i, &cell)),
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows added so far as one batch; the builder starts empty again.
    pub fn finish(&mut self) -> RecordBatch {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|c| match c {
                Column::Text(b) => b.finish_arrow(),
                Column::Decimal(b, _) => b.finish_arrow(),
                Column::Date(b) => b.finish_arrow(),
                Column::Integer(b) => b.finish_arrow(),
                Column::List(b, _) => b.finish_arrow(),
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(&self.schema), arrays)
            .expect("every column is built to the schema's type and the same length")
    }
}

/// `finish` as an [`ArrayRef`] for every builder kind.
trait FinishArrow {
    fn finish_arrow(&mut self) -> ArrayRef;
}

impl<B: ArrayBuilder> FinishArrow for B {
    fn finish_arrow(&mut self) -> ArrayRef {
        ArrayBuilder::finish(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Decimal128Type, Int64Type};

    use crate::ledger::testing::{Row, table};
    use ColumnType::{Integer, List, Money, Quantity, Text};

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn cells_fill_their_declared_types() {
        let columns = table(&[
            ("claim_id", Text),
            ("paid", Money),
            ("units", Quantity),
            ("service_date", ColumnType::Date),
            ("age_days", Integer),
            ("flags", List(';')),
        ]);
        let mut b = BatchBuilder::new(columns);
        b.push(&Row(vec![
            Cell::Text("PCN1"),
            Cell::Money(dec("35.005")),
            Cell::Number(dec("1.5")),
            Cell::Date(Date::constant(2024, 1, 5)),
            Cell::Integer(261),
            Cell::Owned("RECOUPED;UNDERPAID".into()),
        ]))
        .unwrap();
        b.push(&Row(vec![Cell::Empty; 6])).unwrap();
        let batch = b.finish();
        assert_eq!(batch.num_rows(), 2);
        let paid = batch.column(1).as_primitive::<Decimal128Type>();
        assert_eq!(
            paid.value(0),
            3501,
            "half away from zero, as CSV writes 35.01"
        );
        assert!(paid.is_null(1));
        assert_eq!(
            batch.column(2).as_primitive::<Decimal128Type>().value(0),
            15000
        );
        let day = batch.column(3).as_primitive::<Date32Type>().value(0);
        assert_eq!(day, 19727, "2024-01-05 is day 19727 since 1970-01-01");
        assert_eq!(batch.column(4).as_primitive::<Int64Type>().value(0), 261);
        let flags = batch.column(5).as_list::<i32>();
        let first = flags.value(0);
        let first = first.as_string::<i32>();
        assert_eq!((first.value(0), first.value(1)), ("RECOUPED", "UNDERPAID"));
        assert_eq!(flags.value(1).len(), 0, "no flags: an empty list");
        assert!(batch.column(0).is_null(1));
        assert_eq!(
            batch.schema().field(1).data_type(),
            &DataType::Decimal128(18, 2)
        );
    }

    #[test]
    fn a_cell_of_the_wrong_kind_or_too_precise_is_an_error() {
        let mut b = BatchBuilder::new(table(&[("paid", Money)]));
        let error = b
            .push(&Row(vec![Cell::Date(Date::constant(2024, 1, 5))]))
            .unwrap_err();
        assert!(error.to_string().contains("column paid"), "{error}");
        let mut b = BatchBuilder::new(table(&[("units", Quantity)]));
        let error = b
            .push(&Row(vec![Cell::Number(dec("1.00001"))]))
            .unwrap_err();
        assert!(error.to_string().contains("decimal(18, 4)"), "{error}");
    }
}
