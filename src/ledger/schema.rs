//! The typed columnar schema of remit's tables — the one place that says
//! which Arrow type each column has and how a row's [`Cell`] fills it. The
//! Parquet sink (`--format parquet`), the Python package and the Spark job
//! all write these types, so a column reads the same everywhere:
//!
//! | kind | Arrow type | filled from | columns (ledger, `lines`) |
//! |---|---|---|---|
//! | [`ColumnType::Text`] | `utf8` (null when empty) | any cell, as CSV renders it (never neutralised) | codes and identifiers: `source`, `payer`, `payee_npi`, `trace`, `claim_id`, `payer_claim_id`, `claim_status`, `member_id`, `member_name`, `procedure`, `adjustments`, `status`, `prior_trace`, `matched_claim_line`, `reason`, `payer_id`, `line_control`, `paid_procedure`, `revenue_code`, `interchange`, `transaction`, `receipt_source`, `superseded_by` |
//! | [`ColumnType::Money`] | `decimal128(18, 2)` | [`Cell::Money`], rounded to the cent as CSV writes it | `billed`, `allowed`, `paid`, `patient_resp`, `prior_paid`, `expected`, `variance`, `net_paid`, `interest_owed`, `interest_paid`, `interest_difference`, `at_stake` |
//! | [`ColumnType::Quantity`] | `decimal128(18, 4)` | [`Cell::Number`]; more than 4 decimals is an error, never rounded | `units` |
//! | [`ColumnType::Date`] | `date32` | [`Cell::Date`] | `payment_date`, `service_date`, `prior_payment_date`, `appeal_by`, `received_date`, `due_date` |
//! | [`ColumnType::Integer`] | `int64` | [`Cell::Integer`] | `age_days`, `days_late` |
//! | [`ColumnType::List`] | `list<utf8>` (empty list when empty) | text split on the ledger's separator | `flags` (`;`), `remarks` (`;`), `modifiers` (`:`) |
//!
//! The worklists (`appeals`, `resolution`, `deposits`, `posting`) add
//! their own money (`amount_at_stake`, `denied`, `promised`, `received`,
//! `difference`, `posted`…), date (`deposit_date`) and count (`days_left`)
//! columns, declared in [`DECLARED`] with the same rule.
//!
//! An empty cell is null (an empty list for lists). A column no table here
//! declares is `utf8`, rendered as CSV renders it, so every tabular output
//! can be written as Parquet. A cell of another kind than its column's
//! (a date in a money column) is an error naming the column: a schema that
//! no longer matches its rows must fail loudly, not write strings.

use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, Date32Builder, Decimal128Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Cell, Record};

/// Precision of every decimal column: 18 digits fit an `i64`, which every
/// engine (Spark, DuckDB, pandas, Polars) reads as an exact decimal.
pub const DECIMAL_PRECISION: u8 = 18;
/// Scale of money columns: cents.
pub const MONEY_SCALE: i8 = 2;
/// Scale of quantity columns (units): X12 units are decimals.
pub const QUANTITY_SCALE: i8 = 4;

/// The Arrow type of a column and how its cells fill it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// `utf8`: codes, identifiers, names, free text.
    Text,
    /// `decimal128(18, 2)`.
    Money,
    /// `decimal128(18, 4)`: units.
    Quantity,
    /// `date32`.
    Date,
    /// `int64`: counts and day numbers.
    Integer,
    /// `list<utf8>`: the cell's text split on the separator.
    List(char),
}

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

/// Every typed column by name. Names mean the same in every table that has
/// them (the ledger, `lines`, `history`, the worklists); a name not here is
/// [`ColumnType::Text`].
pub const DECLARED: &[(&str, ColumnType)] = &[
    ("payment_date", ColumnType::Date),
    ("service_date", ColumnType::Date),
    ("modifiers", ColumnType::List(':')),
    ("units", ColumnType::Quantity),
    ("billed", ColumnType::Money),
    ("allowed", ColumnType::Money),
    ("paid", ColumnType::Money),
    ("patient_resp", ColumnType::Money),
    ("remarks", ColumnType::List(';')),
    ("flags", ColumnType::List(';')),
    ("prior_paid", ColumnType::Money),
    ("prior_payment_date", ColumnType::Date),
    ("expected", ColumnType::Money),
    ("variance", ColumnType::Money),
    ("net_paid", ColumnType::Money),
    ("appeal_by", ColumnType::Date),
    ("age_days", ColumnType::Integer),
    ("received_date", ColumnType::Date),
    ("due_date", ColumnType::Date),
    ("days_late", ColumnType::Integer),
    ("interest_owed", ColumnType::Money),
    ("interest_paid", ColumnType::Money),
    ("interest_difference", ColumnType::Money),
    ("at_stake", ColumnType::Money),
    ("claim_state_date", ColumnType::Date),
    ("filing_deadline", ColumnType::Date),
    // The worklists' own columns (appeals, resolution, deposits, posting).
    ("days_left", ColumnType::Integer),
    ("amount_at_stake", ColumnType::Money),
    ("denied", ColumnType::Money),
    ("interest_applied", ColumnType::Money),
    ("interest_computed", ColumnType::Money),
    ("promised", ColumnType::Money),
    ("received", ColumnType::Money),
    ("difference", ColumnType::Money),
    ("deposit_date", ColumnType::Date),
    ("posted", ColumnType::Money),
    ("adjustment_posted", ColumnType::Money),
    ("written_off", ColumnType::Money),
    ("remitted", ColumnType::Money),
    ("claim_level", ColumnType::Money),
    // `remit aging`.
    ("days_0_30", ColumnType::Money),
    ("days_31_60", ColumnType::Money),
    ("days_61_90", ColumnType::Money),
    ("days_91_120", ColumnType::Money),
    ("days_over_120", ColumnType::Money),
    ("no_date", ColumnType::Money),
];

/// The type of column `name`.
pub fn column_type(name: &str) -> ColumnType {
    DECLARED
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(ColumnType::Text, |(_, t)| *t)
}

/// The Arrow schema of a table with these columns (every field nullable).
pub fn schema(columns: &[&str]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(*c, column_type(c).data_type(), true))
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
pub struct BatchBuilder {
    schema: SchemaRef,
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

impl BatchBuilder {
    /// A builder for a table with `columns`.
    pub fn new(columns: &[&str]) -> BatchBuilder {
        let schema = schema(columns);
        let columns = columns
            .iter()
            .map(|c| match column_type(c) {
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

    /// Adds a row (its cells `0..columns`).
    pub fn push(&mut self, row: &dyn Record) -> std::io::Result<()> {
        for (i, column) in self.columns.iter_mut().enumerate() {
            let cell = row.cell(i);
            match (column, &cell) {
                (Column::Text(b), Cell::Empty) => b.append_null(),
                (Column::Text(b), Cell::Text(s)) => b.append_value(s),
                (Column::Text(b), Cell::Owned(s)) if s.is_empty() => b.append_null(),
                (Column::Text(b), Cell::Owned(s)) => b.append_value(s),
                (Column::Text(b), other) => b.append_value(other.render()),
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

    struct Row(Vec<Cell<'static>>);
    impl Record for Row {
        fn cell(&self, column: usize) -> Cell<'_> {
            self.0.get(column).cloned().unwrap_or(Cell::Empty)
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn cells_fill_their_declared_types() {
        let columns = [
            "claim_id",
            "paid",
            "units",
            "service_date",
            "age_days",
            "flags",
        ];
        let mut b = BatchBuilder::new(&columns);
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
        let mut b = BatchBuilder::new(&["paid"]);
        let error = b
            .push(&Row(vec![Cell::Date(Date::constant(2024, 1, 5))]))
            .unwrap_err();
        assert!(error.to_string().contains("column paid"), "{error}");
        let mut b = BatchBuilder::new(&["units"]);
        let error = b
            .push(&Row(vec![Cell::Number(dec("1.00001"))]))
            .unwrap_err();
        assert!(error.to_string().contains("decimal(18, 4)"), "{error}");
    }
}
