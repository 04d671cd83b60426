//! One CSV cell written into a row's byte buffer, as the `csv` crate would
//! write it and made safe for spreadsheets: what [`super::csv_sink`]'s
//! generic column loop and the ledger's own row writer
//! ([`super::row::write_csv`]) both write with, so neither needs the other.
//!
//! Text is tested where it lies and copied once: a short cell (up to 32
//! bytes, most of them) read as overlapping words, tested and laid out on
//! the stack and copied as one fixed-size block, a long one tested by
//! `memchr`; already quoted when — rarely — it needs to be. A text cell a
//! spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) is prefixed with a single quote; money is
//! written from the decimal's integer cents and dates two digits at a
//! time, both as bytes on the stack; lists, flags and adjustments are
//! joined in place. [`CsvCells::next`] writes the comma before a cell with
//! the cell's own bytes where it can (short text, money, dates).

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Cell;
use crate::line::Flags;
use crate::money::{push_money, push_quantity};
use crate::remittance::Adjustment;

/// Bytes that make the `csv` crate quote a field: the delimiter, the quote,
/// and both line-ending bytes (a reader takes a lone CR as a line end too).
pub(super) const NEEDS_QUOTES: [bool; 256] = {
    let mut table = [false; 256];
    table[b',' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\r' as usize] = true;
    table[b'\n' as usize] = true;
    table
};

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// Non-zero when a byte of `word` may be one of [`NEEDS_QUOTES`]: a comma,
/// a quote or a control byte (CR and LF are control bytes; a tab is one
/// too, which [`needs_quotes`] then tells apart).
#[inline(always)]
fn special(word: u64) -> u64 {
    let byte = |b: u8| ONES * u64::from(b);
    let (comma, quote) = (word ^ byte(b','), word ^ byte(b'"'));
    let below_space = word.wrapping_sub(byte(0x20)) & !word;
    (comma.wrapping_sub(ONES) & !comma | quote.wrapping_sub(ONES) & !quote | below_space) & HIGHS
}

/// The `N` bytes at the start of `bytes` (which holds exactly `N`).
#[inline(always)]
fn load<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

/// True when `text` holds a byte of [`NEEDS_QUOTES`]: beyond 32 bytes by
/// `memchr`; up to 32 eight bytes at a time, the last word overlapping the one before it, and a short text
/// read as two overlapping halves — a word test whatever the length, with
/// no byte-by-byte tail (most cells are shorter than eight bytes). A word
/// with a control byte is looked at byte by byte (a tab needs no quotes).
#[inline(always)]
pub(super) fn needs_quotes(text: &[u8]) -> bool {
    // Exactly, for a word the test picked out.
    let exact = |bytes: &[u8]| bytes.iter().any(|&b| NEEDS_QUOTES[usize::from(b)]);
    let n = text.len();
    if n > 32 {
        // A long text (a reason, a name): memchr's vector scans, a
        // register of bytes at a time — most such texts hold a comma early.
        return memchr::memchr3(b',', b'"', b'\n', text).is_some()
            || memchr::memchr(b'\r', text).is_some();
    }
    if n >= 8 {
        let mut chunks = text.chunks_exact(8);
        for chunk in &mut chunks {
            if special(u64::from_le_bytes(load(chunk))) != 0 && exact(chunk) {
                return true;
            }
        }
        let last = &text[n - 8..];
        !chunks.remainder().is_empty()
            && special(u64::from_le_bytes(load(last))) != 0
            && exact(last)
    } else if n >= 4 {
        let low = u32::from_le_bytes(load(&text[..4]));
        let high = u32::from_le_bytes(load(&text[n - 4..]));
        special(u64::from(low) | u64::from(high) << 32) != 0 && exact(text)
    } else if n >= 2 {
        let low = u16::from_le_bytes(load(&text[..2]));
        let high = u16::from_le_bytes(load(&text[n - 2..]));
        let half = u64::from(low) | u64::from(high) << 16;
        special(half | half << 32) != 0 && exact(text)
    } else {
        exact(text)
    }
}

/// True when a spreadsheet would read text starting like `text` as a
/// formula.
#[inline(always)]
fn formula_like(text: &[u8]) -> bool {
    matches!(
        text.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Appends the text cell `text`, made safe in CSV: a quote before text a
/// spreadsheet would read as a formula, then CSV quoting when the text
/// holds a delimiter, a quote or a line end.
/// With `SEP`, a comma first (one write with a short text).
#[inline(always)]
fn push_text<const SEP: bool>(out: &mut Vec<u8>, text: &[u8]) {
    if push_plain_short::<SEP>(out, text) {
        return;
    }
    if SEP {
        out.push(b',');
    }
    let neutralise = formula_like(text);
    if needs_quotes(text) {
        push_quoted(out, text, neutralise);
        return;
    }
    if neutralise {
        out.push(b'\'');
    }
    out.extend_from_slice(text);
}

/// Appends `text` as it is when it is short (1–32 bytes), needs no quotes
/// and does not start like a formula — most text cells (codes, ids,
/// names); false, having written nothing, otherwise. The text is read as
/// overlapping words (the same words the quote test looks at), laid out
/// on the stack and copied as one fixed-size block, the buffer then cut
/// back to the text: no call to copy a few bytes. A word with a control
/// byte (a tab needs no quotes) is left to the exact path. With `SEP`,
/// the comma before the cell is the block's first byte.
#[inline(always)]
fn push_plain_short<const SEP: bool>(out: &mut Vec<u8>, text: &[u8]) -> bool {
    let n = text.len();
    if n == 0 || n > 32 || formula_like(text) {
        return false;
    }
    // The text is laid out in `body`, after the comma when there is one.
    let mut block = [b','; 33];
    let body = &mut block[usize::from(SEP)..usize::from(SEP) + 32];
    if n >= 16 {
        let words: [[u8; 8]; 4] = [
            load(&text[..8]),
            load(&text[8..16]),
            load(&text[n - 16..n - 8]),
            load(&text[n - 8..]),
        ];
        if words
            .iter()
            .fold(0, |any, word| any | special(u64::from_le_bytes(*word)))
            != 0
        {
            return false;
        }
        body[..8].copy_from_slice(&words[0]);
        body[8..16].copy_from_slice(&words[1]);
        body[n - 16..n - 8].copy_from_slice(&words[2]);
        body[n - 8..n].copy_from_slice(&words[3]);
    } else if n >= 8 {
        let (low, high): ([u8; 8], [u8; 8]) = (load(&text[..8]), load(&text[n - 8..]));
        if special(u64::from_le_bytes(low)) | special(u64::from_le_bytes(high)) != 0 {
            return false;
        }
        body[..8].copy_from_slice(&low);
        body[n - 8..n].copy_from_slice(&high);
    } else if n >= 4 {
        let (low, high): ([u8; 4], [u8; 4]) = (load(&text[..4]), load(&text[n - 4..]));
        let word = u64::from(u32::from_le_bytes(low)) | u64::from(u32::from_le_bytes(high)) << 32;
        if special(word) != 0 {
            return false;
        }
        body[..4].copy_from_slice(&low);
        body[n - 4..n].copy_from_slice(&high);
    } else {
        // One to three bytes: the first and the last two (overlapping).
        let (first, last) = (text[0], text[n - 1]);
        let middle = text[n / 2];
        let word = u64::from_le_bytes([first, middle, last, b'a', b'a', b'a', b'a', b'a']);
        if special(word) != 0 {
            return false;
        }
        body[0] = first;
        body[n / 2] = middle;
        body[n - 1] = last;
    }
    let len = out.len() + usize::from(SEP) + n;
    out.extend_from_slice(&block);
    out.truncate(len);
    true
}

/// Appends `text` in quotes, its own quotes doubled, after a single quote
/// when `neutralise`.
#[inline(never)]
pub(super) fn push_quoted(out: &mut Vec<u8>, text: &[u8], neutralise: bool) {
    out.push(b'"');
    if neutralise {
        out.push(b'\'');
    }
    let mut rest = text;
    // Most quoted fields (a name, a reason) hold commas, not quotes.
    while let Some(at) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(&rest[..=at]);
        out.push(b'"');
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// Makes the cell rendered in place at `buffer[at..]` (a list, adjustments)
/// safe in CSV, as [`push_text`] would have written it.
#[inline]
fn escape_in_place(buffer: &mut Vec<u8>, at: usize) {
    if buffer.len() == at {
        return;
    }
    let text = &buffer[at..];
    if formula_like(text) || needs_quotes(text) {
        let text = buffer.split_off(at);
        push_text::<false>(buffer, &text);
    }
}

/// Appends money with exactly two decimals, as [`push_money`] writes it:
/// from whole cents on the stack for every amount of at most two decimals
/// that fits 64 bits, through [`push_money`] (into `scratch`) otherwise.
///
/// Inlined into every money cell: the common path is a few loads, one
/// multiplication and [`push_cents`] (a call cost as much as the rest).
#[inline(always)]
fn push_money_bytes<const SEP: bool>(out: &mut Vec<u8>, d: Decimal, scratch: &mut String) {
    // The common amount, read from the decimal's documented serialized
    // form (flags with the scale in bits 16–23 and the sign in bit 31,
    // then the 96-bit mantissa, low word first): a mantissa of 32 bits
    // and a scale of at most two, whole cents with one multiplication.
    let raw = d.serialize();
    let flags = u32::from_le_bytes(load(&raw[..4]));
    let (low, high) = (
        u32::from_le_bytes(load(&raw[4..8])),
        u64::from_le_bytes(load(&raw[8..])),
    );
    let scale = ((flags >> 16) & 0xFF) as usize;
    if high == 0 && scale <= 2 {
        // At most (2^32 - 1) × 100: well inside an i64.
        let cents = (u64::from(low) * [100, 10, 1][scale]) as i64;
        push_cents::<SEP>(out, if flags >> 31 == 0 { cents } else { -cents });
        return;
    }
    push_money_rare::<SEP>(out, d, scratch);
}

/// [`push_money_bytes`] for an amount beyond its common path: a mantissa
/// over 32 bits or more than two decimals.
#[cold]
#[inline(never)]
fn push_money_rare<const SEP: bool>(out: &mut Vec<u8>, d: Decimal, scratch: &mut String) {
    if SEP {
        out.push(b',');
    }
    let scale = d.scale() as usize;
    let cents = i64::try_from(d.mantissa())
        .ok()
        .zip([100i64, 10, 1].get(scale))
        .and_then(|(m, &factor)| m.checked_mul(factor));
    let Some(cents) = cents else {
        scratch.clear();
        push_money(scratch, d);
        out.extend_from_slice(scratch.as_bytes());
        return;
    };
    push_cents::<false>(out, cents);
}

/// "00", "01", … "99": two digits at a time.
const PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut n = 0;
    while n < 100 {
        pairs[2 * n] = b'0' + (n / 10) as u8;
        pairs[2 * n + 1] = b'0' + (n % 10) as u8;
        n += 1;
    }
    pairs
};

/// Appends `cents` as money: the whole part, a point, two digits; zero
/// has no sign (`0.00`, never `-0.00`). The text is laid out on the stack
/// from the right (no count of digits first) and copied as one fixed-size
/// block from where it starts (the buffer is then cut back to the text):
/// no call to copy a few bytes.
#[inline(always)]
fn push_cents<const SEP: bool>(out: &mut Vec<u8>, cents: i64) {
    // The text ends at END; the block copied from its start is WIDTH
    // long, so the array holds END + WIDTH bytes. At most 21 bytes of
    // text: a sign, 17 digits (an i64 of cents has at most 19), a point
    // and two digits, after a comma with `SEP`.
    const WIDTH: usize = 24;
    const END: usize = 24;
    let mut text = [0u8; END + WIDTH];
    let all = cents.unsigned_abs();
    let (mut whole, fraction) = (all / 100, (all % 100) as usize);
    let mut at = END - 3;
    text[at] = b'.';
    text[at + 1..END].copy_from_slice(&PAIRS[2 * fraction..2 * fraction + 2]);
    while whole >= 100 {
        let pair = (whole % 100) as usize;
        whole /= 100;
        at -= 2;
        text[at..at + 2].copy_from_slice(&PAIRS[2 * pair..2 * pair + 2]);
    }
    if whole >= 10 {
        at -= 2;
        let pair = whole as usize;
        text[at..at + 2].copy_from_slice(&PAIRS[2 * pair..2 * pair + 2]);
    } else {
        at -= 1;
        text[at] = b'0' + whole as u8;
    }
    if cents < 0 {
        at -= 1;
        text[at] = b'-';
    }
    if SEP {
        at -= 1;
        text[at] = b',';
    }
    let len = out.len() + (END - at);
    out.extend_from_slice(&text[at..at + WIDTH]);
    out.truncate(len);
}

/// Appends a quantity as [`push_quantity`] writes it: a whole number
/// directly, anything else through [`push_quantity`] (into `scratch`).
#[inline]
fn push_quantity_bytes(out: &mut Vec<u8>, d: Decimal, scratch: &mut String) {
    match i64::try_from(d.mantissa()) {
        Ok(whole) if d.scale() == 0 => {
            out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
        }
        _ => {
            scratch.clear();
            push_quantity(scratch, d);
            out.extend_from_slice(scratch.as_bytes());
        }
    }
}

/// Appends `date` as `YYYY-MM-DD`, digit by digit for the years a ledger
/// holds; a year outside 1–9999 as jiff writes it (a sign and six digits,
/// neutralised like any text that starts with one).
#[inline]
fn push_date_bytes<const SEP: bool>(out: &mut Vec<u8>, date: Date, scratch: &mut String) {
    let year = date.year();
    if !(1..=9999).contains(&year) {
        if SEP {
            out.push(b',');
        }
        use std::fmt::Write;
        scratch.clear();
        // Writing into a String cannot fail.
        let _ = write!(scratch, "{date}");
        push_text::<false>(out, scratch.as_bytes());
        return;
    }
    let year = year as usize;
    let (century, rest) = (year / 100, year % 100);
    let (month, day) = (date.month() as usize, date.day() as usize);
    let pair = |n: usize| [PAIRS[2 * n], PAIRS[2 * n + 1]];
    let [y1, y2] = pair(century);
    let [y3, y4] = pair(rest);
    let [m1, m2] = pair(month);
    let [d1, d2] = pair(day);
    let text = [b',', y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2];
    out.extend_from_slice(&text[usize::from(!SEP)..]);
}

/// Appends a line's flags, `;`-separated (fixed upper-case names).
#[inline]
fn push_flags(out: &mut Vec<u8>, flags: Flags) {
    for (i, flag) in flags.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(flag.as_str().as_bytes());
    }
}

/// Appends adjustments as `GROUP-REASON:AMOUNT;…` (as
/// [`crate::line::push_adjustments`] writes them).
#[inline]
fn push_adjustments_bytes(out: &mut Vec<u8>, adjustments: &[Adjustment], scratch: &mut String) {
    for (i, a) in adjustments.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(a.group.as_bytes());
        out.push(b'-');
        out.extend_from_slice(a.reason.as_bytes());
        out.push(b':');
        push_money_bytes::<false>(out, a.amount, scratch);
    }
}

/// The cells of one row being written into a [`CsvSink`]'s buffer: what
/// the generic loop over a table's columns and the ledger's own writer
/// ([`super::row::write_csv`]) both write with.
pub(super) struct CsvCells<'b> {
    buffer: &'b mut Vec<u8>,
    scratch: &'b mut String,
}

impl<'b> CsvCells<'b> {
    /// Cells appended to `buffer`; `scratch` is reused for the rare
    /// amounts and dates written through the `String` formatters.
    pub(super) fn new(buffer: &'b mut Vec<u8>, scratch: &'b mut String) -> Self {
        CsvCells { buffer, scratch }
    }

    /// Appends bytes already written as cells (by another `CsvCells`).
    #[inline(always)]
    pub(super) fn raw(&mut self, cells: &[u8]) {
        self.buffer.extend_from_slice(cells);
    }

    /// How many bytes the buffer holds.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.buffer.len()
    }

    /// Appends `cell` as [`Cell::render_into`] renders it, made safe in
    /// CSV. Only text can need a formula quote or CSV quoting: money,
    /// quantities and integers are digits, a sign and a point (a minus sign
    /// is a number's), dates in 1–9999 digits and dashes, flags fixed
    /// upper-case names.
    #[inline(always)]
    pub(super) fn cell(&mut self, cell: Cell<'_>) {
        self.push::<false>(cell);
    }

    /// A comma, then `cell` as [`CsvCells::cell`] writes it: the comma
    /// written with the cell's own bytes where it can be (short text,
    /// money, dates), not as a write of its own.
    #[inline(always)]
    pub(super) fn next(&mut self, cell: Cell<'_>) {
        self.push::<true>(cell);
    }

    /// [`CsvCells::cell`], after a comma with `SEP`.
    #[inline(always)]
    fn push<const SEP: bool>(&mut self, cell: Cell<'_>) {
        let buffer = &mut *self.buffer;
        let comma = |buffer: &mut Vec<u8>| {
            if SEP {
                buffer.push(b',');
            }
        };
        match cell {
            Cell::Empty => comma(buffer),
            Cell::Text(text) => push_text::<SEP>(buffer, text.as_bytes()),
            Cell::Owned(text) => push_text::<SEP>(buffer, text.as_bytes()),
            Cell::Money(amount) => push_money_bytes::<SEP>(buffer, amount, self.scratch),
            Cell::Number(amount) => {
                comma(buffer);
                push_quantity_bytes(buffer, amount, self.scratch);
            }
            Cell::Integer(n) => {
                comma(buffer);
                buffer.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            }
            Cell::Date(date) => push_date_bytes::<SEP>(buffer, date, self.scratch),
            Cell::Flags(flags) => {
                comma(buffer);
                push_flags(buffer, flags);
            }
            Cell::Joined(parts, separator) => {
                comma(buffer);
                let at = buffer.len();
                let mut sep = [0u8; 4];
                let sep = separator.encode_utf8(&mut sep).as_bytes();
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        buffer.extend_from_slice(sep);
                    }
                    buffer.extend_from_slice(part.as_bytes());
                }
                escape_in_place(buffer, at);
            }
            Cell::Adjustments(adjustments) => {
                comma(buffer);
                let at = buffer.len();
                push_adjustments_bytes(buffer, adjustments, self.scratch);
                escape_in_place(buffer, at);
            }
        }
    }
}
