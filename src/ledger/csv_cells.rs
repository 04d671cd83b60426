//! One CSV cell written into a row, as the `csv` crate would write it and
//! made safe for spreadsheets: what [`super::csv_sink`]'s generic column
//! loop and the ledger's own row writer ([`super::row::write_csv`]) both
//! write with, so neither needs the other.
//!
//! A row is formatted straight into a window of the output buffer (a
//! slice of initialised bytes, [`write_fitting`]) with a cursor kept in a
//! register: a write is one bounds test and a copy, not a `Vec`'s length
//! and capacity reloaded, tested and stored again for every byte pushed
//! (a store through the vector may alias its own fields, so the compiler
//! cannot keep them in registers). A write that does not fit marks the row
//! [`CsvCells::full`] and writes nothing; the row is then written again in
//! a window twice as large — the rare row longer than the 4 KiB window.
//!
//! Text is tested where it lies and copied once: a short cell (up to 64
//! bytes, most of them) read as overlapping words (16–32 bytes: two
//! overlapping 16-byte registers), tested and laid out on the stack and
//! copied as one fixed-size block (up to 32 bytes, in quotes when a comma
//! is all it holds); a long one (the reason) tested for a comma or a line
//! end up to the first, for a double quote by `memchr`, and copied once
//! in quotes; any other quoted with its quotes doubled when it needs to be. A text cell a
//! spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
//! tab or carriage return) is prefixed with a single quote; money is
//! written from the decimal's integer cents and dates two digits at a
//! time, both as bytes on the stack; lists, flags and adjustments are
//! joined in place. [`CsvCells::next`] writes the comma before a cell with
//! the cell's own bytes where it can (short text, money, dates).

use jiff::civil::Date;
use rust_decimal::Decimal;
use wide::u8x16;

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

/// Non-zero exactly when a byte of `word` is a comma or a double quote:
/// a cell holding one is quoted, whatever else it holds.
#[inline(always)]
fn comma_or_quote(word: u64) -> u64 {
    let byte = |b: u8| ONES * u64::from(b);
    let (comma, quote) = (word ^ byte(b','), word ^ byte(b'"'));
    (comma.wrapping_sub(ONES) & !comma | quote.wrapping_sub(ONES) & !quote) & HIGHS
}

/// Non-zero exactly when a byte of `word` is a double quote.
#[inline(always)]
fn quote(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    quote.wrapping_sub(ONES) & !quote & HIGHS
}

/// Non-zero exactly when a byte of `word` is a control byte (below a
/// space): CR and LF make a cell quoted, a tab does not.
#[inline(always)]
fn control(word: u64) -> u64 {
    word.wrapping_sub(ONES * 0x20) & !word & HIGHS
}

/// Non-zero when a byte of `word` may be one of [`NEEDS_QUOTES`]: a comma,
/// a quote or a control byte (CR and LF are control bytes; a tab is one
/// too, which [`needs_quotes`] then tells apart).
#[inline(always)]
fn special(word: u64) -> u64 {
    comma_or_quote(word) | control(word)
}

/// Per byte of `bytes`, all ones when it may be one of [`NEEDS_QUOTES`]
/// (as [`special`], sixteen bytes at a time): a comma, a double quote or a
/// control byte.
#[inline(always)]
fn special16(v: u8x16) -> u8x16 {
    v.simd_eq(u8x16::splat(b','))
        | v.simd_eq(u8x16::splat(b'"'))
        | v.min(u8x16::splat(0x1F)).simd_eq(v)
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

/// True when `text` (at least 16 bytes: a long cell) holds a double
/// quote: sixteen bytes at a time, the registers' matches ORed together
/// and tested once at the end (the last register overlapping the one
/// before it). A row's reason is ~130 bytes, under ten registers: inline,
/// this costs less than the call and set-up of `memchr` (~95 instructions
/// a reason, though `memchr` reads 32 bytes at a time).
#[inline(always)]
fn holds_quote(text: &[u8]) -> bool {
    let quote = u8x16::splat(b'"');
    let mut chunks = text.chunks_exact(16);
    let mut seen = u8x16::splat(0);
    for chunk in &mut chunks {
        seen |= u8x16::new(load(chunk)).simd_eq(quote);
    }
    if !chunks.remainder().is_empty() {
        seen |= u8x16::new(load(&text[text.len() - 16..])).simd_eq(quote);
    }
    seen.any()
}

/// True when a spreadsheet would read text starting like `text` as a
/// formula.
#[inline(always)]
fn formula_like(text: &[u8]) -> bool {
    // One load from a table, not six compares (~10 text cells a row).
    text.first().is_some_and(|&b| FORMULA_START[usize::from(b)])
}

/// The first bytes that make a spreadsheet read text as a formula: `=`,
/// `+`, `-`, `@`, tab and carriage return.
const FORMULA_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let starts = [b'=', b'+', b'-', b'@', b'\t', b'\r'];
    while i < starts.len() {
        table[starts[i] as usize] = true;
        i += 1;
    }
    table
};

/// ASCII letters and digits: the bytes of an adjustment's codes that
/// [`CsvCells::plain_adjustments`] writes in place.
const ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// What the short-text path did with a cell ([`CsvCells::plain_short`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Short {
    /// Written: 1–32 bytes needing no formula quote, as they are or (with
    /// a comma) in quotes; 33–64 bytes needing neither.
    Written,
    /// Not written: a short text that holds a double quote, so is quoted
    /// with its quotes doubled (and, not starting like a formula, not
    /// neutralised).
    Quoted,
    /// Not written, and not yet known: empty, long, starting like a
    /// formula, or holding a control byte (a tab needs no quotes).
    Unknown,
}

/// Cents in one unit of an amount's last decimal, by its scale (0–2): a
/// `static`, so that a money cell reads one entry rather than building
/// the array on the stack first (as a local constant array was).
static CENTS_PER_UNIT: [u64; 3] = [100, 10, 1];

/// A short text as [`CsvCells::plain_short`] read it, for the cell whose
/// test found a byte to look at more closely (a member's `LAST, FIRST`, on
/// nearly every row): which kind of byte, from the same registers or word,
/// with no second read. The variant is known where it is made (one per
/// length), so the compiler keeps only its own arm.
#[derive(Clone, Copy)]
enum Read {
    /// 1–7 bytes, as one word (bytes repeated or padded with letters).
    Word(u64),
    /// 8–32 bytes, as two (possibly overlapping, or the same) registers.
    Registers(u8x16, u8x16),
}

impl Read {
    /// True when a byte read is a double quote.
    #[inline(always)]
    fn quote(self) -> bool {
        match self {
            Read::Word(word) => quote(word) != 0,
            Read::Registers(a, b) => {
                let q = u8x16::splat(b'"');
                (a.simd_eq(q) | b.simd_eq(q)).any()
            }
        }
    }

    /// True when a byte read is a control byte (below a space).
    #[inline(always)]
    fn control(self) -> bool {
        match self {
            Read::Word(word) => control(word) != 0,
            Read::Registers(a, b) => {
                let low = u8x16::splat(0x1F);
                (a.min(low).simd_eq(a) | b.min(low).simd_eq(b)).any()
            }
        }
    }
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

/// Bytes reused by the rare cells that are not written straight into the
/// row: amounts and dates through the `String` formatters, a list cell
/// taken out to be quoted.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    text: String,
    bytes: Vec<u8>,
}

/// Formats one record with `write` into `buffer` from `from` and returns
/// where it ends. `write` is handed the buffer's bytes from `from` on, at
/// least `room` of them (the buffer is extended with zeros to hold them),
/// writes the record from their start through a [`CsvCells`] of its own
/// and returns [`CsvCells::finish`]; when the record does not fit, it is
/// written again with twice the room. `write` must write the same bytes
/// each time (it is a function of its row).
///
/// The [`CsvCells`] is made by `write` itself, not handed to it: a local
/// of the function that writes the cells, its cursor and window stay in
/// registers — behind a pointer, every byte stored might alias them, and
/// they would be reloaded and stored again at every write.
#[inline(always)]
pub(super) fn write_fitting(
    buffer: &mut Vec<u8>,
    from: usize,
    room: usize,
    scratch: &mut Scratch,
    mut write: impl FnMut(&mut [u8], &mut Scratch) -> Option<usize>,
) -> usize {
    let mut room = room;
    loop {
        if buffer.len() < from + room {
            grow(buffer, from + room);
        }
        if let Some(len) = write(&mut buffer[from..], scratch) {
            return from + len;
        }
        room = 2 * (buffer.len() - from);
    }
}

/// Extends `buffer` with zeros to `len` bytes.
#[cold]
#[inline(never)]
pub(super) fn grow(buffer: &mut Vec<u8>, len: usize) {
    buffer.resize(len, 0);
}

/// The longest row the ledger's writer formats in a [`RowWindow`]: 4 KiB
/// (a ledger row is ~300 bytes); a longer one is written by the column
/// loop instead (see [`super::csv_sink`]).
pub(super) const ROW_ROOM: usize = 1 << 12;

/// Bytes past [`ROW_ROOM`] that a fixed-size write may reach: at least the
/// widest block any cell copies (a test at compile time holds each write
/// to it).
const ROW_PAD: usize = 128;

/// The window the ledger's own writer formats a row in: [`ROW_ROOM`]
/// bytes and the [`ROW_PAD`] after them.
pub(super) type RowWindow = [u8; ROW_ROOM + ROW_PAD];

/// Where a record's bytes go: a slice of initialised bytes (the generic
/// column loop and the out-of-line writers: every write tested against
/// its length), or a [`RowWindow`] (the ledger's writer: a fixed-size
/// write at the cursor taken modulo [`ROW_ROOM`], no test).
pub(super) trait Window {
    /// The `W` bytes at `at`, or `None` when they are past the window.
    fn chunk<const W: usize>(&mut self, at: usize) -> Option<&mut [u8; W]>;

    /// The whole window, for writes of any length (tested).
    fn slice(&mut self) -> &mut [u8];

    /// True when a record that ends at `at` was written where it belongs
    /// (see [`CsvCells::finish`]).
    fn holds(at: usize) -> bool;
}

impl Window for [u8] {
    #[inline(always)]
    fn chunk<const W: usize>(&mut self, at: usize) -> Option<&mut [u8; W]> {
        self.get_mut(at..)
            .and_then(|rest| rest.first_chunk_mut::<W>())
    }

    #[inline(always)]
    fn slice(&mut self) -> &mut [u8] {
        self
    }

    #[inline(always)]
    fn holds(_: usize) -> bool {
        true
    }
}

/// A fixed-size write lands at the cursor modulo [`ROW_ROOM`], which the
/// compiler can prove in bounds: one `and` instead of a subtraction, two
/// compares and a branch a write (~40 writes a row). A record that ends
/// before [`ROW_ROOM`] has every write where it belongs (the cursor only
/// grows, so each write started before it); a longer one may have wrapped
/// onto its own start and is not taken ([`Window::holds`]: the caller
/// writes it again some other way). Out of bounds is never possible: a
/// wrapped write still ends inside the pad.
impl Window for RowWindow {
    #[inline(always)]
    fn chunk<const W: usize>(&mut self, at: usize) -> Option<&mut [u8; W]> {
        const { assert!(W <= ROW_PAD) };
        self[at & (ROW_ROOM - 1)..].first_chunk_mut::<W>()
    }

    #[inline(always)]
    fn slice(&mut self) -> &mut [u8] {
        self
    }

    #[inline(always)]
    fn holds(at: usize) -> bool {
        at < ROW_ROOM
    }
}

/// The cells of one record being written into a window of a buffer (see
/// [`write_fitting`] and [`Window`]): what the generic loop over a table's
/// columns and the ledger's own writer ([`super::row::write_csv`]) both
/// write with.
pub(super) struct CsvCells<'b, O: Window + ?Sized = [u8]> {
    /// The window: the record is written from its start.
    out: &'b mut O,
    /// Where the next byte goes.
    at: usize,
    /// A write did not fit in `out` (and wrote nothing): the record is
    /// written again in a larger window.
    full: bool,
    scratch: &'b mut Scratch,
}

impl CsvCells<'_> {
    /// The window the record is being written in.
    #[inline(always)]
    fn cells_at(
        out: &mut [u8],
        at: usize,
        scratch: &mut Scratch,
        write: impl FnOnce(&mut CsvCells<'_>),
    ) -> Option<usize> {
        let mut cells = CsvCells {
            out,
            at,
            full: false,
            scratch,
        };
        write(&mut cells);
        (!cells.full).then_some(cells.at)
    }
}

impl<'b, O: Window + ?Sized> CsvCells<'b, O> {
    /// A record written from the start of `out`; `scratch` is reused by
    /// the rare cells formatted elsewhere first.
    #[inline(always)]
    pub(super) fn new(out: &'b mut O, scratch: &'b mut Scratch) -> Self {
        CsvCells {
            out,
            at: 0,
            full: false,
            scratch,
        }
    }

    /// How long the record is, or `None` when it did not fit.
    #[inline(always)]
    pub(super) fn finish(self) -> Option<usize> {
        (!self.full && O::holds(self.at)).then_some(self.at)
    }

    /// How many bytes the record holds so far.
    #[inline(always)]
    pub(super) fn len(&self) -> usize {
        self.at
    }

    /// Takes up what an out-of-line writer ([`Self::cells_at`]) returned.
    #[inline(always)]
    fn resume(&mut self, at: Option<usize>) {
        match at {
            Some(at) => self.at = at,
            None => self.full = true,
        }
    }

    /// Writes the first `len` bytes of `block` (all `W` of them are
    /// copied, so `W` bytes of room are needed): one bounds test and a
    /// copy of a fixed size, no call.
    #[inline(always)]
    fn block<const W: usize>(&mut self, block: &[u8; W], len: usize) {
        debug_assert!(len <= W);
        match self.out.chunk::<W>(self.at) {
            Some(to) => {
                *to = *block;
                self.at += len;
            }
            None => self.full = true,
        }
    }

    /// Writes one byte.
    #[inline(always)]
    fn byte(&mut self, byte: u8) {
        match self.out.chunk::<1>(self.at) {
            Some([to]) => {
                *to = byte;
                self.at += 1;
            }
            None => self.full = true,
        }
    }

    /// Writes `n` commas (`n` at most 16): the empty cells of an absent
    /// group of columns, as one write.
    #[inline(always)]
    pub(super) fn commas(&mut self, n: usize) {
        self.block(&[b','; 16], n.min(16));
    }

    /// Writes `bytes`: up to 64 as one fixed-size block laid out from
    /// overlapping loads (no call to copy a few bytes), more by `memcpy`.
    #[inline(always)]
    fn bytes(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        if n > 16 {
            if n > 32 {
                // 33–64 (the payment's first cells, ~60 bytes on every row):
                // two overlapping 32-byte halves.
                if n > 64 {
                    return self.long(bytes);
                }
                let mut block = [0u8; 64];
                block[..32].copy_from_slice(&bytes[..32]);
                block[n - 32..n].copy_from_slice(&bytes[n - 32..]);
                return self.block(&block, n);
            }
            let mut block = [0u8; 32];
            block[..16].copy_from_slice(&bytes[..16]);
            block[n - 16..n].copy_from_slice(&bytes[n - 16..]);
            return self.block(&block, n);
        }
        let mut block = [0u8; 16];
        if n >= 8 {
            block[..8].copy_from_slice(&bytes[..8]);
            block[n - 8..n].copy_from_slice(&bytes[n - 8..]);
        } else if n >= 4 {
            block[..4].copy_from_slice(&bytes[..4]);
            block[n - 4..n].copy_from_slice(&bytes[n - 4..]);
        } else if n > 0 {
            block[0] = bytes[0];
            block[n / 2] = bytes[n / 2];
            block[n - 1] = bytes[n - 1];
        }
        self.block(&block, n);
    }

    /// Writes `bytes` of any length by `memcpy`.
    #[inline(always)]
    fn long(&mut self, bytes: &[u8]) {
        match self.out.slice().get_mut(self.at..self.at + bytes.len()) {
            Some(to) => {
                to.copy_from_slice(bytes);
                self.at += bytes.len();
            }
            None => self.full = true,
        }
    }

    /// Appends bytes already written as cells (by another `CsvCells`).
    #[inline(always)]
    pub(super) fn raw(&mut self, cells: &[u8]) {
        self.bytes(cells);
    }

    /// Ends the record: CRLF, after `""` for a record with no bytes at all
    /// (so that it still reads as one empty field), as the `csv` crate
    /// ends one.
    #[inline(always)]
    pub(super) fn end_record(&mut self) {
        if self.at == 0 {
            self.block(b"\"\"\r\n", 4);
        } else {
            self.block(b"\r\n", 2);
        }
    }

    /// Writes a header's column name as the `csv` crate wrote it: quoted
    /// when needed, never neutralised; after a comma with `SEP`.
    pub(super) fn header<const SEP: bool>(&mut self, name: &str) {
        if SEP {
            self.byte(b',');
        }
        let name = name.as_bytes();
        if needs_quotes(name) {
            self.quoted(name, false);
        } else {
            self.bytes(name);
        }
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
    // Inlined into every cell of the ledger's row in an optimised build,
    // where each column keeps only its own kind's arm. Not in a debug
    // build: there every arm of every column would stay, with stack room
    // for each (a frame of ~2 MB, a test thread's whole stack).
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn push<const SEP: bool>(&mut self, cell: Cell<'_>) {
        let comma = |cells: &mut Self| {
            if SEP {
                cells.byte(b',');
            }
        };
        match cell {
            Cell::Empty => comma(self),
            Cell::Text(text) => self.text::<SEP>(text.as_bytes()),
            Cell::Owned(text) => self.text::<SEP>(text.as_bytes()),
            Cell::Money(amount) => self.money::<SEP>(amount),
            Cell::Number(amount) => {
                comma(self);
                self.quantity(amount);
            }
            Cell::Integer(n) => {
                comma(self);
                self.bytes(itoa::Buffer::new().format(n).as_bytes());
            }
            Cell::Date(date) => self.date::<SEP>(date),
            Cell::Flags(flags) => {
                comma(self);
                self.flags(flags);
            }
            Cell::Joined(parts, separator) => {
                comma(self);
                let at = self.at;
                let mut sep = [0u8; 4];
                let sep = separator.encode_utf8(&mut sep).as_bytes();
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        self.bytes(sep);
                    }
                    self.bytes(part.as_bytes());
                }
                self.escape_from(at);
            }
            Cell::Adjustments(adjustments) => {
                let at =
                    adjustments_at::<SEP>(self.out.slice(), self.at, self.scratch, adjustments);
                self.resume(at);
            }
        }
    }

    /// Appends the text cell `text`, made safe in CSV: a quote before text
    /// a spreadsheet would read as a formula, then CSV quoting when the
    /// text holds a delimiter, a quote or a line end. With `SEP`, a comma
    /// first (one write with a short text). A short text is tested once:
    /// the word test that lets it be copied also tells a comma or a quote
    /// (so quotes) from a control byte (which needs the exact test).
    #[inline(always)]
    fn text<const SEP: bool>(&mut self, text: &[u8]) {
        self.plain_short::<SEP>(text);
    }

    /// Writes the text cell `text` (after a comma with `SEP`) that the
    /// short path did not write (`short` says why) by [`CsvCells::exact`],
    /// out of line: each path of the short writer that gives up calls
    /// this itself, rather than returning what it did for the caller to
    /// test (a test the compiler left in every text cell of the row).
    #[inline(always)]
    fn not_short<const SEP: bool>(&mut self, text: &[u8], short: Short) {
        let at = exact_at::<SEP>(self.out.slice(), self.at, self.scratch, text, short);
        self.resume(at);
    }

    /// Writes the text cell `text` (after a comma with `SEP`) that the
    /// short path did not write (`short` says why), testing it exactly.
    #[inline(always)]
    fn exact<const SEP: bool>(&mut self, text: &[u8], short: Short) {
        if SEP {
            self.byte(b',');
        }
        if short == Short::Quoted {
            return self.quoted(text, false);
        }
        let neutralise = formula_like(text);
        if needs_quotes(text) {
            return self.quoted(text, neutralise);
        }
        if neutralise {
            self.byte(b'\'');
        }
        self.bytes(text);
    }

    /// Writes a short text cell (1–64 bytes) that does not start like a
    /// formula and holds no double quote or control byte — most text cells
    /// (codes, ids, names, a file's line) — as it is, or in quotes when it
    /// holds a comma (a member's `LAST, FIRST`); otherwise hands it to
    /// [`CsvCells::not_short`], saying why. The text is read as overlapping words (the same words
    /// the quote test looks at), laid out on the stack and copied as one
    /// fixed-size block: no call to copy a few bytes, no second test. With
    /// `SEP`, the comma before the cell is the block's first byte.
    #[inline(always)]
    fn plain_short<const SEP: bool>(&mut self, text: &[u8]) {
        let n = text.len();
        if n > 32 {
            return self.plain_medium::<SEP>(text);
        }
        if n == 0 || formula_like(text) {
            return self.not_short::<SEP>(text, Short::Unknown);
        }
        // The text is laid out from `block[2]`: `block[1]` is the comma
        // before a cell written as it is, or the opening quote. Each length
        // tests only its own words; they are kept ([`Read`]) for the cell
        // that holds a byte to look at more closely.
        if n >= 16 {
            // Two overlapping registers of sixteen bytes, tested at once.
            let mut block = [b','; 37];
            let body = &mut block[2..34];
            let (a, b): ([u8; 16], [u8; 16]) = (load(&text[..16]), load(&text[n - 16..]));
            body[..16].copy_from_slice(&a);
            body[n - 16..n].copy_from_slice(&b);
            let (a, b) = (u8x16::new(a), u8x16::new(b));
            let found = (special16(a) | special16(b)).any();
            let read = Read::Registers(a, b);
            return self.short_out::<SEP, 37, 33, 36>(text, &mut block, found, read);
        }
        // Up to fifteen bytes (most cells): a smaller block, one register
        // copied (plus two bytes in quotes).
        let mut block = [b','; 20];
        let body = &mut block[2..18];
        let word = |bytes: &[u8]| u64::from(u32::from_le_bytes(load(bytes)));
        let (found, read) = if n >= 8 {
            let (low, high): ([u8; 8], [u8; 8]) = (load(&text[..8]), load(&text[n - 8..]));
            body[..8].copy_from_slice(&low);
            body[n - 8..n].copy_from_slice(&high);
            let mut both = [0u8; 16];
            both[..8].copy_from_slice(&low);
            both[8..].copy_from_slice(&high);
            let both = u8x16::new(both);
            (special16(both).any(), Read::Registers(both, both))
        } else if n >= 4 {
            let (low, high) = (&text[..4], &text[n - 4..]);
            body[..4].copy_from_slice(low);
            body[n - 4..n].copy_from_slice(high);
            let both = word(low) | word(high) << 32;
            (special(both) != 0, Read::Word(both))
        } else {
            // One to three bytes: the first, the middle and the last.
            let (first, last) = (text[0], text[n - 1]);
            let middle = text[n / 2];
            body[0] = first;
            body[n / 2] = middle;
            body[n - 1] = last;
            let both = u64::from_le_bytes([first, middle, last, b'a', b'a', b'a', b'a', b'a']);
            (special(both) != 0, Read::Word(both))
        };
        self.short_out::<SEP, 20, 16, 18>(text, &mut block, found, read)
    }

    /// Writes the short text `text` laid out in `block` from `block[2]`
    /// (read as `read`) as [`CsvCells::plain_short`] says: `P`
    /// bytes copied when nothing in it was `found`, otherwise
    /// [`CsvCells::comma_short`] with `Q` (each at least the longest cell
    /// the block holds, with its comma and quotes).
    #[inline(always)]
    fn short_out<const SEP: bool, const B: usize, const P: usize, const Q: usize>(
        &mut self,
        text: &[u8],
        block: &mut [u8; B],
        found: bool,
        read: Read,
    ) {
        if found {
            return self.comma_short::<SEP, B, Q>(text, block, read);
        }
        let from = 2 - usize::from(SEP);
        let chunk: [u8; P] = load(&block[from..from + P]);
        self.block(&chunk, usize::from(SEP) + text.len());
    }

    /// [`CsvCells::plain_short`] for a short text with a byte to look at
    /// (laid out in `block` from `block[2]`, read as `words`): written in
    /// quotes when that byte is a comma and nothing else needs escaping,
    /// otherwise left to the exact path.
    #[inline(always)]
    fn comma_short<const SEP: bool, const B: usize, const Q: usize>(
        &mut self,
        text: &[u8],
        block: &mut [u8; B],
        read: Read,
    ) {
        let n = text.len();
        if read.quote() {
            return self.not_short::<SEP>(text, Short::Quoted);
        }
        if read.control() {
            return self.not_short::<SEP>(text, Short::Unknown);
        }
        // A comma and nothing else to escape: in quotes, still one copy.
        block[1] = b'"';
        block[2 + n] = b'"';
        let from = 1 - usize::from(SEP);
        let chunk: [u8; Q] = load(&block[from..from + Q]);
        self.block(&chunk, usize::from(SEP) + n + 2);
    }

    /// [`CsvCells::plain_short`] for 33–64 bytes (a file's name and line,
    /// a long name): written when it needs neither quotes nor a formula
    /// quote, eight words tested, no call.
    #[inline(always)]
    fn plain_medium<const SEP: bool>(&mut self, text: &[u8]) {
        let n = text.len();
        if n > 64 {
            // Written whatever it holds, out of line (~1 cell a row: the
            // reason), so that its code does not crowd the row's.
            let at = long_at::<SEP>(self.out.slice(), self.at, self.scratch, text);
            return self.resume(at);
        }
        if formula_like(text) {
            return self.not_short::<SEP>(text, Short::Unknown);
        }
        let mut block = [b','; 65];
        let body = &mut block[usize::from(SEP)..usize::from(SEP) + 64];
        let mut any = 0;
        for (i, at) in [0, 8, 16, 24, n - 32, n - 24, n - 16, n - 8]
            .into_iter()
            .enumerate()
        {
            let word: [u8; 8] = load(&text[at..at + 8]);
            any |= special(u64::from_le_bytes(word));
            // The first four words from the start, the last four to the end.
            let to = if i < 4 { 8 * i } else { n + 8 * i - 64 };
            body[to..to + 8].copy_from_slice(&word);
        }
        if any != 0 {
            return self.not_short::<SEP>(text, Short::Unknown);
        }
        self.block(&block, usize::from(SEP) + n);
    }

    /// [`CsvCells::plain_short`] for more than 64 bytes (a row's reason,
    /// ~130 bytes, most with a comma): written in quotes, with one copy,
    /// when it needs them for a comma or a line end and holds no double
    /// quote and does not start like a formula (most long cells);
    /// otherwise nothing is written and the exact path writes it. The
    /// quoting test stops at the first comma (no `memchr3` call, whose
    /// set-up costs more than the bytes it reads here).
    #[inline(always)]
    fn quoted_long<const SEP: bool>(&mut self, text: &[u8]) -> Short {
        let n = text.len();
        let lead = usize::from(SEP) + 1;
        if formula_like(text) {
            return Short::Unknown;
        }
        // A comma or a line end makes it quoted: looked for sixteen bytes
        // at a time up to the first (most long cells have a comma early).
        #[inline(always)]
        fn quoting(chunk: &[u8]) -> bool {
            let v = u8x16::new(load(chunk));
            (v.simd_eq(u8x16::splat(b','))
                | v.simd_eq(u8x16::splat(b'\r'))
                | v.simd_eq(u8x16::splat(b'\n')))
            .any()
        }
        let mut chunks = text.chunks_exact(16);
        let quoted =
            chunks.any(quoting) || (!chunks.remainder().is_empty() && quoting(&text[n - 16..]));
        // A double quote is doubled: the exact path.
        if !quoted || holds_quote(text) {
            return Short::Unknown;
        }
        let Some(out) = self.out.slice().get_mut(self.at..self.at + lead + n + 1) else {
            return Short::Unknown;
        };
        let (head, body) = out.split_at_mut(lead);
        head[0] = if SEP { b',' } else { b'"' };
        head[lead - 1] = b'"';
        let (body, end) = body.split_at_mut(n);
        body.copy_from_slice(text);
        end[0] = b'"';
        self.at += lead + n + 1;
        Short::Written
    }

    /// Writes `text` in quotes, its own quotes doubled, after a single
    /// quote when `neutralise` (out of line: ~2 cells a row).
    #[inline(always)]
    fn quoted(&mut self, text: &[u8], neutralise: bool) {
        let at = quoted_at(self.out.slice(), self.at, self.scratch, text, neutralise);
        self.resume(at);
    }

    /// Makes the cell rendered in place from `at` (a list) safe in CSV,
    /// as [`CsvCells::text`] would have written it.
    #[inline(always)]
    fn escape_from(&mut self, at: usize) {
        if self.full || self.at == at {
            return;
        }
        // Past the window only after a wrapped write, in a record that
        // will not be taken (see `Window`).
        let Some(text) = self.out.slice().get(at..self.at) else {
            self.full = true;
            return;
        };
        if formula_like(text) || needs_quotes(text) {
            let end = escape_at(self.out.slice(), at, self.at, self.scratch);
            self.resume(end);
        }
    }

    /// Appends money with exactly two decimals, as [`push_money`] writes
    /// it: from whole cents on the stack for every amount of at most two
    /// decimals that fits 64 bits, through [`push_money`] otherwise.
    ///
    /// Inlined into every money cell: the common path is a few loads, one
    /// multiplication and [`CsvCells::cents`] (a call cost as much as the
    /// rest).
    #[inline(always)]
    fn money<const SEP: bool>(&mut self, d: Decimal) {
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
            let cents = (u64::from(low) * CENTS_PER_UNIT[scale]) as i64;
            return self.cents::<SEP>(if flags >> 31 == 0 { cents } else { -cents });
        }
        let at = money_rare_at::<SEP>(self.out.slice(), self.at, self.scratch, d);
        self.resume(at);
    }

    /// Appends `cents` as money: the whole part, a point, two digits; zero
    /// has no sign (`0.00`, never `-0.00`). The text is laid out on the
    /// stack from the right (no count of digits first) and copied as one
    /// fixed-size block from where it starts: no call to copy a few bytes.
    #[inline(always)]
    fn cents<const SEP: bool>(&mut self, cents: i64) {
        // Under 100,000,000.00 (every amount of a line, nearly): at most 13
        // bytes with the comma and the sign, from a smaller array and as
        // one register.
        if cents.unsigned_abs() < 10_000_000_000 {
            self.cents_in::<SEP, 16, 16, 32>(cents);
        } else {
            self.cents_in::<SEP, 24, 24, 48>(cents);
        }
    }

    /// [`CsvCells::cents`] laid out in `ARRAY` bytes: the text ends at
    /// `END`, the block copied from its start is `WIDTH` long (`ARRAY` is
    /// `END + WIDTH`). At most 21 bytes of text — a sign, 17 digits (an
    /// i64 of cents has at most 19), a point and two digits, after a comma
    /// with `SEP` — so 24 and 24 hold any amount.
    #[inline(always)]
    fn cents_in<const SEP: bool, const END: usize, const WIDTH: usize, const ARRAY: usize>(
        &mut self,
        cents: i64,
    ) {
        let mut text = [0u8; ARRAY];
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
        let block: [u8; WIDTH] = load(&text[at..at + WIDTH]);
        self.block(&block, END - at);
    }

    /// Appends a quantity as [`push_quantity`] writes it: a whole number
    /// directly, anything else through [`push_quantity`].
    #[inline(always)]
    fn quantity(&mut self, d: Decimal) {
        match i64::try_from(d.mantissa()) {
            // One digit (a line's units, nearly always): no call to itoa.
            Ok(whole @ 0..=9) if d.scale() == 0 => self.byte(b'0' + whole as u8),
            Ok(whole) if d.scale() == 0 => {
                self.bytes(itoa::Buffer::new().format(whole).as_bytes());
            }
            _ => {
                let mut text = std::mem::take(&mut self.scratch.text);
                text.clear();
                push_quantity(&mut text, d);
                self.long(text.as_bytes());
                self.scratch.text = text;
            }
        }
    }

    /// Appends `date` as `YYYY-MM-DD`, digit by digit for the years a
    /// ledger holds; a year outside 1–9999 as jiff writes it (a sign and
    /// six digits, neutralised like any text that starts with one).
    #[inline(always)]
    fn date<const SEP: bool>(&mut self, date: Date) {
        let year = date.year();
        if !(1..=9999).contains(&year) {
            let at = date_rare_at::<SEP>(self.out.slice(), self.at, self.scratch, date);
            return self.resume(at);
        }
        let year = year as usize;
        let (century, rest) = (year / 100, year % 100);
        let (month, day) = (date.month() as usize, date.day() as usize);
        let pair = |n: usize| [PAIRS[2 * n], PAIRS[2 * n + 1]];
        let [y1, y2] = pair(century);
        let [y3, y4] = pair(rest);
        let [m1, m2] = pair(month);
        let [d1, d2] = pair(day);
        let text = [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, 0, 0, 0, 0, 0, 0];
        if SEP {
            let text = [
                b',', y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2, 0, 0, 0, 0, 0,
            ];
            self.block(&text, 11);
        } else {
            self.block(&text, 10);
        }
    }

    /// Appends a line's flags, `;`-separated (fixed upper-case names).
    #[inline(always)]
    fn flags(&mut self, flags: Flags) {
        // Most rows have none: no walk over every flag to find that out.
        if flags.is_empty() {
            return;
        }
        for (i, flag) in flags.iter().enumerate() {
            if i > 0 {
                self.byte(b';');
            }
            self.bytes(flag.as_str().as_bytes());
        }
    }

    /// Writes a comma and then adjustments as [`CsvCells::adjustments`]
    /// does, when each is a two-byte group and a reason of one to three
    /// bytes, all ASCII letters and digits (`CO-45`, `PR-2`: nearly every
    /// adjustment): such a cell needs no quoting (its amounts are digits,
    /// a sign and a point), so it is written in place, each adjustment's
    /// codes as one block, with no rescan. Returns false,
    /// with whatever it wrote left to be overwritten, for any other list.
    #[inline(always)]
    fn plain_adjustments(&mut self, adjustments: &[Adjustment]) -> bool {
        if adjustments.is_empty() {
            self.byte(b',');
            return true;
        }
        for (i, a) in adjustments.iter().enumerate() {
            let (group, reason) = (a.group.as_bytes(), a.reason.as_bytes());
            let m = reason.len();
            if group.len() != 2 || m == 0 || m > 3 {
                return false;
            }
            // One to three bytes: the first, the middle and the last. Letters
            // and digits only: nothing to quote, no formula start.
            let (r0, r1, r2) = (reason[0], reason[m / 2], reason[m - 1]);
            let alnum = |b: u8| ALNUM[usize::from(b)];
            if !(alnum(group[0]) & alnum(group[1]) & alnum(r0) & alnum(r1) & alnum(r2)) {
                return false;
            }
            // `,GG-R:` / `;GG-RRR:` — the byte after the reason is a colon.
            let mut block = [b':'; 8];
            block[0] = if i == 0 { b',' } else { b';' };
            block[1] = group[0];
            block[2] = group[1];
            block[3] = b'-';
            block[4] = r0;
            block[4 + m / 2] = r1;
            block[3 + m] = r2;
            self.block(&block, 5 + m);
            self.money::<false>(a.amount);
        }
        true
    }

    /// Appends adjustments as `GROUP-REASON:AMOUNT;…` (as
    /// [`crate::line::push_adjustments`] writes them).
    #[inline(always)]
    fn adjustments(&mut self, adjustments: &[Adjustment]) {
        for (i, a) in adjustments.iter().enumerate() {
            if i > 0 {
                self.byte(b';');
            }
            self.bytes(a.group.as_bytes());
            self.byte(b'-');
            self.bytes(a.reason.as_bytes());
            self.byte(b':');
            self.money::<false>(a.amount);
        }
    }
}

// The writers below are kept out of line (they are long and most rows need
// them at most once or twice); each takes the window and the cursor and
// gives back where it ended (`None`: it did not fit), so the row's cursor
// stays in a register around the call.

/// [`CsvCells::quoted`]: `text` in quotes from `at` in `out`.
#[inline(never)]
fn quoted_at(
    out: &mut [u8],
    at: usize,
    scratch: &mut Scratch,
    text: &[u8],
    neutralise: bool,
) -> Option<usize> {
    CsvCells::cells_at(out, at, scratch, |cells| {
        cells.block(b"\"'", 1 + usize::from(neutralise));
        let mut rest = text;
        // Most quoted fields (a name, a reason) hold commas, not quotes.
        while let Some(at) = memchr::memchr(b'"', rest) {
            cells.long(&rest[..=at]);
            cells.byte(b'"');
            rest = &rest[at + 1..];
        }
        cells.long(rest);
        cells.byte(b'"');
    })
}

/// The list cell written at `out[from..to]`, rewritten there as
/// [`CsvCells::text`] writes it (neutralised, quoted).
#[cold]
#[inline(never)]
fn escape_at(out: &mut [u8], from: usize, to: usize, scratch: &mut Scratch) -> Option<usize> {
    let mut held = std::mem::take(&mut scratch.bytes);
    held.clear();
    held.extend_from_slice(&out[from..to]);
    let end = CsvCells::cells_at(out, from, scratch, |cells| cells.text::<false>(&held));
    scratch.bytes = held;
    end
}

/// A cell of adjustments, `GROUP-REASON:AMOUNT;…`, written from `at`
/// (after a comma with `SEP`) and made safe in CSV: in place when each is
/// plain ([`CsvCells::plain_adjustments`], nearly all), otherwise written
/// and tested again.
#[inline(never)]
fn adjustments_at<const SEP: bool>(
    out: &mut [u8],
    at: usize,
    scratch: &mut Scratch,
    adjustments: &[Adjustment],
) -> Option<usize> {
    CsvCells::cells_at(out, at, scratch, |cells| {
        let start = cells.at;
        if SEP && cells.plain_adjustments(adjustments) {
            return;
        }
        cells.at = start;
        if SEP {
            cells.byte(b',');
        }
        let start = cells.at;
        cells.adjustments(adjustments);
        cells.escape_from(start);
    })
}

/// A text cell of more than 64 bytes written from `at` (after a comma with
/// `SEP`): in one pass when it can be ([`CsvCells::quoted_long`]),
/// otherwise tested exactly.
#[inline(never)]
fn long_at<const SEP: bool>(
    out: &mut [u8],
    at: usize,
    scratch: &mut Scratch,
    text: &[u8],
) -> Option<usize> {
    CsvCells::cells_at(out, at, scratch, |cells| {
        if cells.quoted_long::<SEP>(text) != Short::Written {
            cells.exact::<SEP>(text, Short::Unknown);
        }
    })
}

/// [`CsvCells::exact`]: a text cell the short path did not write (empty,
/// starting like a formula, holding a quote or a control byte, or 33–64
/// bytes needing quotes) from `at`, after a comma with `SEP`.
#[inline(never)]
fn exact_at<const SEP: bool>(
    out: &mut [u8],
    at: usize,
    scratch: &mut Scratch,
    text: &[u8],
    short: Short,
) -> Option<usize> {
    CsvCells::cells_at(out, at, scratch, |cells| cells.exact::<SEP>(text, short))
}

/// [`CsvCells::money`] for an amount beyond its common path: a mantissa
/// over 32 bits or more than two decimals.
#[cold]
#[inline(never)]
fn money_rare_at<const SEP: bool>(
    out: &mut [u8],
    at: usize,
    scratch: &mut Scratch,
    d: Decimal,
) -> Option<usize> {
    CsvCells::cells_at(out, at, scratch, |cells| {
        if SEP {
            cells.byte(b',');
        }
        let scale = d.scale() as usize;
        let cents = i64::try_from(d.mantissa())
            .ok()
            .zip([100i64, 10, 1].get(scale))
            .and_then(|(m, &factor)| m.checked_mul(factor));
        match cents {
            Some(cents) => cells.cents::<false>(cents),
            None => {
                let mut text = std::mem::take(&mut cells.scratch.text);
                text.clear();
                push_money(&mut text, d);
                cells.long(text.as_bytes());
                cells.scratch.text = text;
            }
        }
    })
}

/// [`CsvCells::date`] for a year outside 1–9999: as jiff writes it, made
/// safe as text.
#[cold]
#[inline(never)]
fn date_rare_at<const SEP: bool>(
    out: &mut [u8],
    at: usize,
    scratch: &mut Scratch,
    date: Date,
) -> Option<usize> {
    use std::fmt::Write;
    let mut text = std::mem::take(&mut scratch.text);
    text.clear();
    // Writing into a String cannot fail.
    let _ = write!(text, "{date}");
    let end = CsvCells::cells_at(out, at, scratch, |cells| {
        if SEP {
            cells.byte(b',');
        }
        cells.text::<false>(text.as_bytes());
    });
    scratch.text = text;
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The long cell's quote test finds a double quote at every position
    /// of texts of 16 to 100 bytes (in each register, in the overlapping
    /// last one) and finds none in texts without one, bytes that differ
    /// from a quote by one bit included.
    #[test]
    fn a_long_cells_quote_is_found_wherever_it_is() {
        for n in 16..=100 {
            let plain: Vec<u8> = (0..n).map(|i| [b'a', b'#', b'\xA2', b','][i % 4]).collect();
            assert!(!holds_quote(&plain), "{n}");
            for at in 0..n {
                let mut text = plain.clone();
                text[at] = b'"';
                assert!(holds_quote(&text), "{n} {at}");
            }
        }
    }
}
