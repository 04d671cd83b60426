//! CSV ledger writer. Text cells that a spreadsheet would run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return) are prefixed
//! with a single quote; money and numbers are written as plain numbers.
//!
//! Rows are formatted straight into one reusable buffer: each cell renders
//! itself in place ([`Cell::render_into`]: money from the decimal's integer
//! mantissa, dates digit by digit, lists and flags joined in place), then
//! the field is neutralised and quoted in place when — rarely — it needs to
//! be. The buffer goes to the output in blocks of about 64 KiB. This is
//! issue 17's fast ledger writer (≤ 2,000 instructions a row; the README's
//! targets table has the figures): the `csv` crate's writer, fed one field
//! at a time, cost most of the ~20,000 instructions a row it replaces, and
//! its record fast path would still need every cell rendered to a separate
//! buffer first.
//!
//! The output is the `csv` crate's, byte for byte (its `QuoteStyle::Necessary`
//! with CRLF terminators, which the test below holds the writer to): a field
//! is quoted when it holds a comma, a double quote, CR or LF, a quote inside
//! is doubled, and a row with no bytes at all is written `""`.

use std::io::Write;

use super::{Cell, Column, Sink};

/// Rows are handed to the output when the buffer holds this many bytes.
const BLOCK: usize = 1 << 16;

/// Writes rows as CSV with a header line.
pub struct CsvSink<'w, R: 'static> {
    out: Box<dyn Write + 'w>,
    columns: &'static [Column<R>],
    /// Rows formatted and not yet handed to `out`.
    buffer: String,
    /// A field being quoted, reused.
    field: String,
}

impl<'w, R> CsvSink<'w, R> {
    /// A CSV writer on `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        CsvSink {
            out,
            columns: &[],
            buffer: String::with_capacity(BLOCK + 4096),
            field: String::new(),
        }
    }

    /// Ends the record begun at `start` (CRLF, or `""` CRLF for a record
    /// with no bytes, so that it still reads as one empty field) and hands
    /// a full block to the output.
    fn end_record(&mut self, start: usize) -> std::io::Result<()> {
        if self.buffer.len() == start {
            self.buffer.push_str("\"\"");
        }
        self.buffer.push_str("\r\n");
        if self.buffer.len() >= BLOCK {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hands every formatted row to the output.
    fn write_out(&mut self) -> std::io::Result<()> {
        self.out.write_all(self.buffer.as_bytes())?;
        self.buffer.clear();
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

/// Bytes that make the `csv` crate quote a field: the delimiter, the quote,
/// and both line-ending bytes (a reader takes a lone CR as a line end too).
const NEEDS_QUOTES: [bool; 256] = {
    let mut table = [false; 256];
    table[b',' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

/// True when `text` holds a byte of [`NEEDS_QUOTES`]. Eight bytes at a
/// time (a word-wide test for a zero byte after XOR with each special
/// byte, and one for any control byte, which covers CR and LF): the
/// ledger's text is most of its bytes, and a byte-by-byte table lookup was
/// most of a row's cost.
#[inline]
fn needs_quotes(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `word` is below `n` (n <= 0x80): the classic "has less".
    let has_less = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let has_byte = |word: u64, b: u8| has_less(word ^ (ONES * u64::from(b)), 1);
    let mut chunks = text.chunks_exact(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(bytes);
        if (has_byte(word, b',') | has_byte(word, b'"') | has_less(word, 0x20)) != 0
            && chunk.iter().any(|&b| NEEDS_QUOTES[usize::from(b)])
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| NEEDS_QUOTES[usize::from(b)])
}

/// True when the text cell `text` needs [`escape_text_field`]: it starts
/// like a formula, or holds a byte that needs quotes.
#[inline]
fn needs_escaping(text: &[u8]) -> bool {
    matches!(
        text.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) || needs_quotes(text)
}

/// Makes the text cell `buffer[start..]` safe in CSV: a quote before text a
/// spreadsheet would read as a formula, then CSV quoting when the text
/// holds a delimiter, a quote or a line end. Called only for the few
/// fields [`needs_escaping`] picks out.
#[cold]
#[inline(never)]
fn escape_text_field(buffer: &mut String, start: usize, field: &mut String) {
    let text = &buffer.as_bytes()[start..];
    let neutralise = matches!(
        text.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if !needs_quotes(text) {
        if neutralise {
            buffer.insert(start, '\'');
        }
        return;
    }
    if memchr::memchr(b'"', text).is_none() {
        // Quotes around, nothing to double inside (a reason's commas).
        buffer.insert_str(start, if neutralise { "\"'" } else { "\"" });
        buffer.push('"');
        return;
    }
    // `start` is where a cell began: a character boundary.
    field.clear();
    field.push_str(&buffer[start..]);
    buffer.truncate(start);
    buffer.push('"');
    if neutralise {
        buffer.push('\'');
    }
    for (i, part) in field.split('"').enumerate() {
        if i > 0 {
            buffer.push_str("\"\"");
        }
        buffer.push_str(part);
    }
    buffer.push('"');
}

impl<R> Sink<R> for CsvSink<'_, R> {
    fn begin(&mut self, columns: &'static [Column<R>]) -> std::io::Result<()> {
        self.columns = columns;
        let start = self.buffer.len();
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                self.buffer.push(',');
            }
            let at = self.buffer.len();
            self.buffer.push_str(column.name);
            // A header is written as the csv crate wrote it: quoted when
            // needed, never neutralised.
            if self.buffer.as_bytes()[at..]
                .iter()
                .any(|&b| NEEDS_QUOTES[usize::from(b)])
            {
                let name = self.buffer.split_off(at);
                self.buffer.push('"');
                self.buffer.push_str(&name.replace('"', "\"\""));
                self.buffer.push('"');
            }
        }
        self.end_record(start)
    }

    fn row(&mut self, row: &R) -> std::io::Result<()> {
        let start = self.buffer.len();
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                self.buffer.push(',');
            }
            let cell = column.read(row);
            let at = self.buffer.len();
            cell.render_into(&mut self.buffer);
            // Money, quantities and integers are digits, a sign and a
            // point: never quoted, and a minus sign is a number's. Flags
            // are fixed upper-case names.
            if !matches!(
                cell,
                Cell::Money(_) | Cell::Number(_) | Cell::Integer(_) | Cell::Flags(_) | Cell::Empty
            ) && needs_escaping(&self.buffer.as_bytes()[at..])
            {
                escape_text_field(&mut self.buffer, at, &mut self.field);
            }
        }
        self.end_record(start)
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
    use crate::ledger::ColumnType;
    use crate::ledger::testing::{Row, table};
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
        for len in 0..24 {
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

    #[test]
    fn an_empty_record_is_one_empty_field() {
        let columns = table(&[("only", ColumnType::Text)]);
        let rows = [Row(vec![Cell::Empty]), Row(vec![Cell::Text("=x")])];
        let written = by_sink(columns, &rows);
        assert_eq!(written, b"only\r\n\"\"\r\n'=x\r\n");
        assert_eq!(written, by_csv_crate(columns, &rows));
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
