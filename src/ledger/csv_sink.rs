//! CSV ledger writer. Text cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed
//! with a single quote; money and numbers are written as plain numbers.
//!
//! Rows are formatted straight into the output buffer, each in a window
//! of its initialised bytes with a cursor kept in a register: the
//! ledger's rows in a fixed 4 KiB window whose short writes need no
//! bounds test ([`super::csv_cells::RowWindow`]; a row that reaches 4 KiB
//! is written by the column loop instead), any other table's in a slice
//! ([`super::csv_cells::write_fitting`]; a row that outgrows it is
//! formatted again in a larger one). A short text cell (up to 64 bytes) is
//! tested a word or a 16-byte register at a time and copied as one
//! fixed-size block with the comma before it (in quotes, when a comma is
//! all it holds), a long one (the reason) tested up to its first comma and
//! copied once, both quoted when they need to be; money is written from
//! the decimal's integer cents and dates two digits at a time, both as
//! bytes on the stack; lists, flags and adjustments are joined in place
//! (plain adjustments, `CO-45:12.00`, with no escape rescan). The
//! ledger's eight cells that come from the payment (source, payer, payee,
//! trace, payment date, payer id, interchange, transaction) are formatted
//! once per transaction and copied into each of its rows
//! ([`super::row::PaymentCells`]); an absent interest or standing group is
//! one run of commas, and so are the seven columns flags … expected_basis
//! when none has a cell (95% of rows); the claim status words are copied
//! from a table of their CSV cells. The buffer goes to the output in
//! blocks of about 64 KiB. This is issue 17's fast ledger writer (target
//! ≤ 2,000 instructions a row): 1,883 instructions a row on a generated
//! 4 MB set (callgrind, 2026-12-07, branch `csv-2000b`; 2,143 before it,
//! 2,697 before branch `csv-2000`, 3,140 with the row pushed into a
//! `Vec`, 4,375 before the payment cells, the block copies, the folded
//! commas and inlined money; ~20,000 with the `csv` crate's writer, fed
//! one field at a time). The README's targets table has the method and
//! the breakdown.
//!
//! The output is the `csv` crate's, byte for byte (its `QuoteStyle::Necessary`
//! with CRLF terminators, which the test below holds the writer to): a field
//! is quoted when it holds a comma, a double quote, CR or LF, a quote inside
//! is doubled, and a row with no bytes at all is written `""`.

use std::any::Any;
use std::io::Write;

use super::csv_cells::{CsvCells, RowWindow, Scratch, grow, write_fitting};
use super::row::{COLUMNS as LEDGER, PaymentCells};
use super::{Column, Sink};
use crate::line::DecidedLine;

/// Rows are handed to the output when the buffer holds this many bytes.
const BLOCK: usize = 1 << 16;

/// The room a record is first formatted in (a ledger row is ~300 bytes);
/// a longer one is formatted again in twice the room, and so on.
const ROW: usize = 1 << 12;

/// Writes rows as CSV with a header line.
pub struct CsvSink<'w, R: 'static> {
    out: Box<dyn Write + 'w>,
    columns: &'static [Column<R>],
    /// Rows formatted and not yet handed to `out`, in `buffer[..filled]`;
    /// the next row is formatted in place after them (every byte of the
    /// buffer is initialised, so a row is written into a plain slice).
    /// Bytes, not a `String`: digits and separators go in without UTF-8
    /// checks, and every byte comes from a `&str` or is ASCII, so the
    /// output stays UTF-8.
    buffer: Vec<u8>,
    /// How many bytes of `buffer` hold formatted rows.
    filled: usize,
    /// Reused by the rare cells formatted elsewhere first.
    scratch: Scratch,
    /// The table is the reconciliation ledger's: rows are written by its
    /// own writer, [`super::row::write_csv`], not cell by cell through the
    /// column list (one indirect call and one match a cell).
    ledger: bool,
    /// The ledger's payment cells, formatted once per transaction.
    payment: PaymentCells,
}

impl<'w, R> CsvSink<'w, R> {
    /// A CSV writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        CsvSink {
            out,
            columns: &[],
            buffer: vec![0; BLOCK + ROW],
            filled: 0,
            scratch: Scratch::default(),
            ledger: false,
            payment: PaymentCells::default(),
        }
    }

    /// Takes up the record formatted up to `end` and hands a full block
    /// to the output.
    #[inline(always)]
    fn took(&mut self, end: usize) -> std::io::Result<()> {
        self.filled = end;
        if end >= BLOCK {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hands every formatted row to the output.
    fn write_out(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buffer[..self.filled])?;
        self.filled = 0;
        Ok(())
    }
}

/// Rows not yet written reach the output when the writer is dropped, as
/// they did with the `csv` crate's writer (whose drop flushes): a caller
/// that stops early still sees every row it wrote (errors cannot be
/// reported from a drop; a caller that wants them calls [`Sink::finish`]).
impl<R> Drop for CsvSink<'_, R> {
    fn drop(&mut self) {
        if self.write_out().is_ok() {
            let _ = self.out.flush();
        }
    }
}

impl<R: 'static> Sink<R> for CsvSink<'_, R> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        self.columns = columns;
        // The ledger's table itself (not a selection of its columns).
        self.ledger = std::ptr::eq(columns.as_ptr().cast::<()>(), LEDGER.as_ptr().cast::<()>())
            && columns.len() == LEDGER.len();
        let end = write_fitting(
            &mut self.buffer,
            self.filled,
            ROW,
            &mut self.scratch,
            |out, scratch| {
                let mut cells = CsvCells::new(out, scratch);
                for (i, column) in columns.iter().enumerate() {
                    // A header is written as the csv crate wrote it:
                    // quoted when needed, never neutralised.
                    if i > 0 {
                        cells.header::<true>(column.name);
                    } else {
                        cells.header::<false>(column.name);
                    }
                }
                cells.end_record();
                cells.finish()
            },
        );
        self.took(end)
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        // The ledger's own writer when this is the ledger (a test holds it
        // to the loop's bytes); the downcast is decided at compile time.
        if let Some(line) = (row as &dyn Any).downcast_ref::<DecidedLine>() {
            if self.ledger {
                let from = self.filled;
                if self.buffer.len() < from + size_of::<RowWindow>() {
                    grow(&mut self.buffer, from + size_of::<RowWindow>());
                }
                if let Some(window) =
                    self.buffer[from..].first_chunk_mut::<{ size_of::<RowWindow>() }>()
                {
                    let written =
                        super::row::write_csv(line, window, &mut self.scratch, &mut self.payment);
                    if let Some(len) = written {
                        return self.took(from + len);
                    }
                }
                // A row of ROW_ROOM bytes or more (a very long reason or
                // name): the column loop below, which writes the same bytes
                // (`tests/ledger_csv.rs`) in as much room as it needs.
            }
        }
        let columns = self.columns;
        let end = write_fitting(
            &mut self.buffer,
            self.filled,
            ROW,
            &mut self.scratch,
            |out, scratch| {
                let mut cells = CsvCells::new(out, scratch);
                for (i, column) in columns.iter().enumerate() {
                    if i > 0 {
                        cells.next(column.read(row));
                    } else {
                        cells.cell(column.read(row));
                    }
                }
                cells.end_record();
                cells.finish()
            },
        );
        self.took(end)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write_out()?;
        self.out.flush()
    }

    fn finish(&mut self) -> std::io::Result<()> {
        self.write_out()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::csv_cells::{NEEDS_QUOTES, needs_quotes};
    use crate::ledger::testing::{Row, table};
    use crate::ledger::{Cell, ColumnType};
    use proptest::prelude::*;

    /// What the writer wrote before it formatted rows in place: every cell
    /// rendered, neutralised, and handed to the `csv` crate's writer.
    fn by_csv_crate(columns: &'static [Column<Row>], rows: &[Row]) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(columns.iter().map(|c| c.name)).unwrap();
        for row in rows {
            for column in columns {
                let cell = column.read(row);
                let mut text = cell.render();
                if !cell.is_numeric() && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    text.insert(0, '\'');
                }
                writer.write_field(&text).unwrap();
            }
            writer.write_record(None::<&[u8]>).unwrap();
        }
        writer.into_inner().unwrap()
    }

    fn by_sink(columns: &'static [Column<Row>], rows: &[Row]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut sink = CsvSink::new(Box::new(&mut out));
            sink.begin(columns).unwrap();
            for row in rows {
                sink.row(row).unwrap();
            }
            sink.finish().unwrap();
        }
        out
    }

    fn leak(text: String) -> &'static str {
        Box::leak(text.into_boxed_str())
    }

    /// Text cells drawn from what breaks CSV: delimiters, quotes, line
    /// ends, formula starts, and non-ASCII text.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just(","),
                Just("\""),
                Just("\r"),
                Just("\n"),
                Just("="),
                Just("+"),
                Just("-"),
                Just("@"),
                Just("\t"),
                Just("'"),
                Just(" "),
                Just("é"),
                Just("AB"),
                Just("12.5"),
            ],
            0..6,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn rows_equal_the_csv_crate_byte_for_byte(
            rows in proptest::collection::vec(
                (text(), text(), any::<i64>(), 0u32..6, any::<bool>()),
                0..8,
            )
        ) {
            let columns = table(&[
                ("text", ColumnType::Text),
                ("more, text", ColumnType::Text),
                ("money", ColumnType::Money),
                ("units", ColumnType::Quantity),
                ("when", ColumnType::Date),
            ]);
            let rows: Vec<Row> = rows
                .into_iter()
                .map(|(a, b, cents, scale, dated)| {
                    let amount = rust_decimal::Decimal::new(cents, scale);
                    Row(vec![
                        Cell::text(leak(a)),
                        Cell::Owned(b),
                        Cell::Money(amount),
                        Cell::Number(amount),
                        if dated {
                            Cell::Date(jiff::civil::date(2024, 2, 29))
                        } else {
                            Cell::Empty
                        },
                    ])
                })
                .collect();
            prop_assert_eq!(by_sink(columns, &rows), by_csv_crate(columns, &rows));
        }
    }

    #[test]
    fn word_wide_scan_finds_every_special_byte_anywhere() {
        // Up to 32 bytes the word test, beyond it memchr.
        for len in 0..48 {
            for at in 0..len {
                for special in [b',', b'"', b'\r', b'\n'] {
                    let mut text = vec![b'a'; len];
                    text[at] = special;
                    assert!(needs_quotes(&text), "{special} at {at} of {len}");
                }
                // Near misses: other control bytes, '+' (0x2B), '-' (0x2D),
                // '!' (0x21), '#' (0x23) and bytes with the high bit set.
                for other in [b'\t', 0x0B, 0x2B, 0x2D, 0x21, 0x23, 0xAC, 0xA2, 0x8D] {
                    let mut text = vec![b'a'; len];
                    text[at] = other;
                    let expected = other < 0x20 && NEEDS_QUOTES[usize::from(other)];
                    assert_eq!(needs_quotes(&text), expected, "{other} at {at} of {len}");
                }
            }
        }
    }

    /// Text of every length through the short copy (1–32 bytes, written
    /// as it is or — with a comma alone — in quotes), the medium copy
    /// (33–64), the long one pass (65 and more: in quotes when it holds a
    /// comma or a line end), the word test and memchr, with a byte that matters at every
    /// place, alone and with a comma elsewhere: as the `csv` crate writes
    /// it, formula starts neutralised.
    #[test]
    fn text_of_every_length_is_written_as_the_csv_crate_writes_it() {
        let columns = table(&[("a", ColumnType::Text), ("b", ColumnType::Text)]);
        let mut rows = Vec::new();
        // Beyond 64 bytes, lengths that end a sixteen-byte chunk and lengths
        // that leave a few bytes after the last (the long text's one pass).
        for len in (1..80).chain([95, 96, 97, 128, 129, 200]) {
            for at in 0..len {
                for byte in [b',', b'"', b'\r', b'\n', b'\t', b'=', b'-', b'@', b'x'] {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    let alone = leak(String::from_utf8(text.clone()).unwrap());
                    rows.push(Row(vec![Cell::Text(alone), Cell::Text("tail")]));
                    text[(at + len / 2) % len] = b',';
                    let with_comma = leak(String::from_utf8(text).unwrap());
                    rows.push(Row(vec![Cell::Text("head"), Cell::Text(with_comma)]));
                }
            }
        }
        assert_eq!(by_sink(columns, &rows), by_csv_crate(columns, &rows));
    }

    /// Adjustments written in place (two-byte groups, reasons of one to
    /// three bytes) and by the general path (any other shape, a byte CSV
    /// quotes, a formula start), alone and mixed in one cell: as the `csv`
    /// crate writes them.
    #[test]
    fn adjustments_of_every_shape_are_written_as_the_csv_crate_writes_them() {
        use crate::remittance::Adjustment;
        let adjustment = |group: &str, reason: &str, cents: i64| Adjustment {
            group: group.into(),
            reason: reason.into(),
            amount: rust_decimal::Decimal::new(cents, 2),
            quantity: None,
        };
        let codes = [
            ("CO", "45"),
            ("PR", "1"),
            ("OA", "23"),
            ("PI", "B7"),
            ("CO", "P32"),
            ("CO", "2345"),
            ("C", "45"),
            ("COX", "45"),
            ("", "45"),
            ("CO", ""),
            ("=C", "45"),
            ("-C", "1"),
            ("@C", "1"),
            ("+C", "1"),
            ("C=", "1"),
            ("C,", "1"),
            ("CO", "4,"),
            ("CO", "\"1"),
            ("CO", "1\t"),
            ("\tC", "1"),
            ("CO", "\r"),
            ("CO", "é"),
            ("PLB", "WO"),
        ];
        let columns = table(&[("a", ColumnType::Text), ("adjustments", ColumnType::Text)]);
        let mut rows = Vec::new();
        for (i, &(g1, r1)) in codes.iter().enumerate() {
            for &(g2, r2) in &codes {
                let cents = [0, 12345, -500, 7, 4_294_967_296_000][i % 5];
                let lists: [Vec<Adjustment>; 3] = [
                    vec![adjustment(g1, r1, cents)],
                    vec![adjustment(g1, r1, cents), adjustment(g2, r2, -cents)],
                    vec![
                        adjustment(g2, r2, 100),
                        adjustment(g1, r1, cents),
                        adjustment("CO", "45", 1),
                    ],
                ];
                for list in lists {
                    let list: &'static [Adjustment] = list.leak();
                    rows.push(Row(vec![Cell::Text("x"), Cell::Adjustments(list)]));
                }
            }
        }
        rows.push(Row(vec![Cell::Text("x"), Cell::Adjustments(&[])]));
        assert_eq!(
            String::from_utf8(by_sink(columns, &rows)).unwrap(),
            String::from_utf8(by_csv_crate(columns, &rows)).unwrap()
        );
    }

    /// Quantities of one digit (written without itoa) and around them.
    #[test]
    fn small_quantities_are_written_as_the_csv_crate_writes_them() {
        let columns = table(&[("units", ColumnType::Quantity), ("t", ColumnType::Text)]);
        let mut rows = Vec::new();
        for mantissa in -12..=12 {
            for scale in 0..3 {
                let units = rust_decimal::Decimal::new(mantissa, scale);
                rows.push(Row(vec![Cell::Number(units), Cell::Text("x")]));
            }
        }
        assert_eq!(by_sink(columns, &rows), by_csv_crate(columns, &rows));
    }

    /// Amounts each side of the short money layout's limit (100,000,000.00)
    /// and of a 32-bit mantissa, at every scale up to two: as the `csv`
    /// crate writes them.
    #[test]
    fn amounts_around_each_layouts_limit_are_written_as_the_csv_crate_writes_them() {
        let columns = table(&[("t", ColumnType::Text), ("money", ColumnType::Money)]);
        let mut rows = Vec::new();
        for base in [
            0i64,
            1,
            99,
            100,
            4_294_967_295,
            9_999_999_999,
            i64::MAX / 1000,
        ] {
            for mantissa in [base, base + 1, -base, -base - 1] {
                for scale in 0..3 {
                    let amount = rust_decimal::Decimal::new(mantissa, scale);
                    rows.push(Row(vec![Cell::Text("x"), Cell::Money(amount)]));
                }
            }
        }
        assert_eq!(by_sink(columns, &rows), by_csv_crate(columns, &rows));
    }

    #[test]
    fn an_empty_record_is_one_empty_field() {
        let columns = table(&[("only", ColumnType::Text)]);
        let rows = [Row(vec![Cell::Empty]), Row(vec![Cell::Text("=x")])];
        let written = by_sink(columns, &rows);
        assert_eq!(written, b"only\r\n\"\"\r\n'=x\r\n");
        assert_eq!(written, by_csv_crate(columns, &rows));
    }

    /// A row is formatted in a window of the buffer and formatted again
    /// in a larger one when it outgrows it: rows far longer than the first
    /// window (quotes doubled, commas, formula starts, lists that need
    /// quoting), between short rows and across a block's end, are written
    /// as the `csv` crate writes them.
    #[test]
    fn rows_longer_than_the_window_are_written_whole() {
        use crate::text::Text;

        let columns = table(&[
            ("text", ColumnType::Text),
            ("owned", ColumnType::Text),
            ("list", ColumnType::List(';')),
            ("money", ColumnType::Money),
        ]);
        let list: &'static [Text] = Box::leak(Box::new([
            Text::from("=A,1"),
            Text::from("B\"C"),
            Text::from("C"),
        ]));
        let mut rows = Vec::new();
        for (n, size) in [10usize, ROW, 3 * ROW, 70_000, 5, 200_000, 1]
            .into_iter()
            .enumerate()
        {
            let text = leak(format!(
                "{}{}",
                ["=", "a", "\"", ","][n % 4],
                "x\",y".repeat(size / 4)
            ));
            rows.push(Row(vec![
                Cell::Text(text),
                Cell::Owned("\"".repeat(size / 2)),
                if n % 2 == 0 {
                    Cell::Joined(list, ';')
                } else {
                    Cell::Empty
                },
                Cell::Money(rust_decimal::Decimal::new(-12345, 2)),
            ]));
            rows.push(Row(vec![
                Cell::Text("short"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]));
        }
        assert_eq!(by_sink(columns, &rows), by_csv_crate(columns, &rows));
    }

    #[test]
    fn rows_beyond_a_block_are_all_written_in_order() {
        let columns = table(&[("n", ColumnType::Integer), ("t", ColumnType::Text)]);
        let rows: Vec<Row> = (0..20_000)
            .map(|n| Row(vec![Cell::Integer(n), Cell::Text("a,b")]))
            .collect();
        assert_eq!(by_sink(columns, &rows), by_csv_crate(columns, &rows));
    }
}
