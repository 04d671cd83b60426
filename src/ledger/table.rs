//! Tables as declared columns: each tabular output (the ledger, `lines`,
//! the worklists) is one list of [`Column`]s — a name, a [`ColumnType`]
//! and the function that reads the cell from a row — declared once beside
//! the row type. Every writer (CSV, JSON Lines, XML, Parquet, xlsx) and the
//! Arrow adapter iterate over that list, so a column's name, its place, its
//! type and its content cannot drift apart: there are no column numbers.
//!
//! Adding a column is one entry in the table's list (and, for `lines`, its
//! name in [`super::row::LINES_NAMES`]); every format picks it up.

use super::Cell;

/// What a column holds. Decides the typed formats' types (Parquet/Arrow in
/// [`super::schema`], xlsx cell types and number formats) and nothing in
/// the text formats, which write every cell as [`Cell::render`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// Codes, identifiers, names, free text: always text, never a number
    /// (a trace `0048213` keeps its leading zero).
    Text,
    /// Money: exactly two decimals.
    Money,
    /// A decimal quantity (units).
    Quantity,
    /// A calendar date.
    Date,
    /// A count or a number of days.
    Integer,
    /// Several codes in one cell, joined with the separator.
    List(char),
}

/// One named column of a table of rows `R`.
pub struct Column<R> {
    /// The header: CSV header, JSON key, XML element, Parquet field.
    pub name: &'static str,
    /// What the cells hold.
    pub kind: ColumnType,
    /// The cell of a row. A plain function, not a closure object: a table
    /// is a `static` and reading a cell is one indirect call.
    pub cell: for<'a> fn(&'a R) -> Cell<'a>,
}

impl<R> Column<R> {
    /// A column called `name` of `kind` whose cells `cell` reads.
    pub const fn new(
        name: &'static str,
        kind: ColumnType,
        cell: for<'a> fn(&'a R) -> Cell<'a>,
    ) -> Column<R> {
        Column { name, kind, cell }
    }

    /// The cell of `row` in this column.
    #[inline]
    pub fn read<'a>(&self, row: &'a R) -> Cell<'a> {
        (self.cell)(row)
    }
}

// Not derived: a derive would ask `R: Clone`, and a column never holds an `R`.
impl<R> Clone for Column<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Column<R> {}

impl<R> std::fmt::Debug for Column<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Column")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

/// The column names of `table`, in order.
pub fn names<R>(table: &[Column<R>]) -> Vec<&'static str> {
    table.iter().map(|c| c.name).collect()
}

/// The columns of `table` named `wanted`, in the order of `wanted`; the
/// error is the first name `table` lacks.
pub fn select<R>(table: &[Column<R>], wanted: &[&str]) -> Result<Vec<Column<R>>, String> {
    wanted
        .iter()
        .map(|name| {
            table
                .iter()
                .find(|c| c.name == *name)
                .copied()
                .ok_or_else(|| (*name).to_string())
        })
        .collect()
}
