//! A borrowed X12 segment: its bytes, its delimiters and its position.
//!
//! A segment from a reader carries where its elements start, found by the
//! lexer in the same pass that found its terminator ([`ElementStarts`]);
//! a segment wrapped by hand finds them with a scan when asked. Components
//! are found lazily with `memchr` on the borrowed bytes; nothing is copied
//! or allocated. Element numbers follow X12 usage: element 1 is the first
//! after the segment identifier (`CLP01`). The identifier is also kept as
//! one integer ([`SegmentId`]), so that dispatching on it is one compare.

use super::{Controls, Delimiters, Position};

/// One segment, without its terminator, borrowed from the input buffer.
///
/// It stays small (the control numbers are borrowed from the reader) so
/// that handing segments out costs next to nothing; [`Segment::pos`] builds
/// the full position when one is needed.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    raw: &'a [u8],
    /// `raw` as text, when the reader already checked it is UTF-8.
    text: Option<&'a str>,
    id_len: usize,
    id: SegmentId,
    /// Where the elements start, when the reader's lexer found them: at
    /// most [`LOCATED`] starts, as [`ElementStarts`] keeps them.
    starts: Option<&'a [u32]>,
    delims: Delimiters,
    byte: u64,
    number: u64,
    controls: &'a Controls,
}

impl<'a> Segment<'a> {
    /// Wraps raw segment bytes (without terminator) found outside any reader.
    pub fn new(raw: &'a [u8], delims: Delimiters) -> Self {
        let id_len = id_len(raw, delims.element);
        Segment {
            raw,
            text: None,
            id_len,
            id: SegmentId::of(&raw[..id_len]),
            starts: None,
            delims,
            byte: 0,
            number: 0,
            controls: &Controls::NONE,
        }
    }

    /// Wraps raw segment bytes at a known place of a reader's input;
    /// `text` is `raw` as text when the reader has checked it is UTF-8;
    /// `starts` are where the lexer found its elements.
    #[inline]
    pub(crate) fn located(
        raw: &'a [u8],
        text: Option<&'a str>,
        (id_len, id): (usize, SegmentId),
        starts: &'a ElementStarts,
        delims: Delimiters,
        (byte, number): (u64, u64),
        controls: &'a Controls,
    ) -> Self {
        Self::with_starts(
            raw,
            text,
            (id_len, id),
            starts.as_slice(),
            delims,
            (byte, number),
            controls,
        )
    }

    /// [`Segment::located`] with the element starts as a slice (a batch
    /// reader keeps those of all its segments in one array): one past each
    /// element separator, relative to the segment's first byte, at most
    /// [`LOCATED`] of them (more are found by scanning).
    #[inline]
    pub(crate) fn with_starts(
        raw: &'a [u8],
        text: Option<&'a str>,
        (id_len, id): (usize, SegmentId),
        starts: &'a [u32],
        delims: Delimiters,
        (byte, number): (u64, u64),
        controls: &'a Controls,
    ) -> Self {
        debug_assert!(text.is_none_or(|t| t.as_bytes() == raw));
        debug_assert_eq!(id, SegmentId::of(&raw[..id_len]));
        debug_assert!(starts.len() <= LOCATED);
        Segment {
            raw,
            text,
            id_len,
            id,
            starts: Some(starts),
            delims,
            byte,
            number,
            controls,
        }
    }

    /// The segment identifier, e.g. `b"CLP"`.
    pub fn id(&self) -> &'a [u8] {
        &self.raw[..self.id_len]
    }

    /// The segment identifier as one integer, for dispatch
    /// (`seg.code() == ids::CLP`).
    #[inline]
    pub fn code(&self) -> SegmentId {
        self.id
    }

    /// The segment identifier as text (`"?"` if not ASCII).
    pub fn id_str(&self) -> &'a str {
        std::str::from_utf8(self.id()).unwrap_or("?")
    }

    /// True when the identifier equals `id`.
    pub fn is(&self, id: &[u8]) -> bool {
        self.id() == id
    }

    /// The same segment placed at byte `byte`, ordinal `number`: a reader
    /// of bytes copied out of a larger input (one transaction read again,
    /// issue 17) reports where they sit in that input.
    pub fn relocated(self, byte: u64, number: u64) -> Segment<'a> {
        Segment {
            byte,
            number,
            ..self
        }
    }

    /// The raw bytes of the segment, without terminator.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Where the segment starts in its input.
    pub fn pos(&self) -> Position {
        Position {
            byte: self.byte,
            segment: self.number,
            interchange: self.controls.interchange,
            transaction: self.controls.transaction,
        }
    }

    /// The delimiters of the interchange the segment belongs to.
    pub fn delimiters(&self) -> Delimiters {
        self.delims
    }

    /// Element `n` (1-based); empty when absent.
    #[inline]
    pub fn element(&self, n: usize) -> &'a [u8] {
        // The located elements inline (the screens read several per
        // segment), the rest out of line.
        if let Some(starts) = self.starts
            && n <= INDEXED
        {
            let count = starts.len();
            if n.wrapping_sub(1) >= count {
                return b"";
            }
            let start = starts[n - 1] as usize;
            let end = match starts.get(n) {
                Some(&next) => next as usize - 1,
                None => self.raw.len(),
            };
            return self.raw.get(start..end).unwrap_or_default();
        }
        self.element_beyond(n)
    }

    /// Element `n` (as [`Segment::element`]) and, when the segment has
    /// eight bytes ending where the element ends, those eight bytes as a
    /// little-endian word (the element its high bytes): a short element
    /// read a word at a time, without copying it.
    #[inline]
    pub fn element_word(&self, n: usize) -> (&'a [u8], Option<u64>) {
        if let Some(starts) = self.starts
            && n <= INDEXED
        {
            let count = starts.len();
            if n.wrapping_sub(1) >= count {
                return (b"", None);
            }
            let start = starts[n - 1] as usize;
            let end = match starts.get(n) {
                Some(&next) => next as usize - 1,
                None => self.raw.len(),
            };
            let element = self.raw.get(start..end).unwrap_or_default();
            let word = self
                .raw
                .get(end.wrapping_sub(8)..end)
                .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
                .map(u64::from_le_bytes);
            return (element, word);
        }
        (self.element_beyond(n), None)
    }

    /// [`Segment::element`] of a segment not from a reader, or beyond the
    /// located elements.
    #[inline(never)]
    fn element_beyond(&self, n: usize) -> &'a [u8] {
        match self.starts {
            Some(starts) => element_at(starts, self.raw, self.delims.element, n),
            None => self.elements().nth(n.wrapping_sub(1)).unwrap_or(b""),
        }
    }

    /// Element `n` as trimmed text; empty when absent or not UTF-8.
    pub fn text(&self, n: usize) -> &'a str {
        std::str::from_utf8(self.element(n))
            .unwrap_or("")
            .trim_matches(' ')
    }

    /// A number no element after which has a byte: the number of
    /// elements when the lexer located all of them, else `usize::MAX`
    /// (loops over optional elements stop early with it).
    #[inline]
    pub fn last_element(&self) -> usize {
        match self.starts {
            Some(starts) if starts.len() < LOCATED => starts.len(),
            _ => usize::MAX,
        }
    }

    /// The elements after the identifier, in order.
    pub fn elements(&self) -> Split<'a> {
        let has_elements = self.raw.len() > self.id_len;
        let rest = if has_elements {
            &self.raw[self.id_len + 1..]
        } else {
            &self.raw[self.raw.len()..]
        };
        Split::new(rest, self.delims.element, has_elements)
    }

    /// The elements after the identifier, located once for direct access.
    #[inline]
    pub fn fields(&self) -> Elements<'a> {
        Elements::new(self)
    }

    /// Number of elements after the identifier (trailing empties included).
    pub fn element_count(&self) -> usize {
        memchr::memchr_iter(self.delims.element, self.raw).count()
    }

    /// The components of element `n`.
    pub fn components(&self, n: usize) -> Split<'a> {
        let element = self.element(n);
        Split::new(element, self.delims.component, true)
    }

    /// Component `m` (1-based) of element `n`; empty when absent.
    pub fn component(&self, n: usize, m: usize) -> &'a [u8] {
        self.components(n).nth(m.wrapping_sub(1)).unwrap_or(b"")
    }

    /// Splits a composite element's bytes into components.
    pub fn split_components(&self, element: &'a [u8]) -> Split<'a> {
        Split::new(element, self.delims.component, true)
    }
}

/// Length of the identifier: the bytes before the first element separator.
/// Identifiers are 2-3 bytes, so a short scalar scan beats `memchr` here.
fn id_len(raw: &[u8], separator: u8) -> usize {
    let head = raw.len().min(4);
    match raw[..head].iter().position(|&b| b == separator) {
        Some(at) => at,
        None if raw.len() <= 4 => raw.len(),
        None => memchr::memchr(separator, raw).unwrap_or(raw.len()),
    }
}

/// A segment identifier of two or three bytes read as one integer (its
/// bytes little-endian), so that telling segments apart is an integer
/// compare rather than a slice compare; [`ids`](super::ids) names the
/// ones remit reads. An identifier of another length, or with a NUL byte,
/// is [`SegmentId::OTHER`] (the lexer accepts only 2-3 letters or digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SegmentId(u32);

impl SegmentId {
    /// Any identifier that is not 2-3 bytes without a NUL.
    pub const OTHER: SegmentId = SegmentId(0);

    /// The integer of identifier `id`.
    #[inline]
    pub const fn of(id: &[u8]) -> SegmentId {
        match *id {
            [a, b] if a != 0 && b != 0 => SegmentId(a as u32 | (b as u32) << 8),
            [a, b, c] if a != 0 && b != 0 && c != 0 => {
                SegmentId(a as u32 | (b as u32) << 8 | (c as u32) << 16)
            }
            _ => SegmentId::OTHER,
        }
    }

    /// The integer of an identifier already checked to be 2-3 letters or
    /// digits (so without a NUL byte): [`SegmentId::of`] without its checks.
    #[inline]
    pub(crate) fn of_checked(a: u8, b: u8, c: Option<u8>) -> SegmentId {
        let third = match c {
            Some(c) => (c as u32) << 16,
            None => 0,
        };
        SegmentId(a as u32 | (b as u32) << 8 | third)
    }

    /// The identifier's length when it has 2-3 bytes (3 when it has a
    /// third byte).
    #[inline]
    pub(crate) fn byte_len(self) -> usize {
        2 + usize::from(self.0 >> 16 != 0)
    }

    /// The first byte of the identifier (0 for [`SegmentId::OTHER`]).
    #[inline]
    pub fn first_byte(self) -> u8 {
        self.0 as u8
    }
}

/// Most elements located up front (every element of every 835 and 837
/// segment: MIA and TS3 have 24); later ones are scanned.
const INDEXED: usize = 24;

/// Most element starts kept per segment: the separator after the
/// identifier and one after each of the first `INDEXED` elements.
pub(crate) const LOCATED: usize = INDEXED + 1;

/// Where a segment's elements start: one past each of its first
/// [`LOCATED`] element separators, in bytes from the segment's first
/// byte. The first is one past the separator after the identifier, where
/// element 1 starts; element `n` ends one before start `n + 1` (or at the
/// segment's end). The lexer records them while it looks for the
/// terminator, from the same separator mask.
#[derive(Clone, Copy, Debug, Default)]
pub struct ElementStarts {
    /// Starts recorded (at most [`LOCATED`]).
    count: u32,
    at: [u32; LOCATED],
}

impl ElementStarts {
    /// Forgets the starts of the previous segment.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.count = 0;
    }

    /// Records a start for each bit of `separators`, bit `i` standing for
    /// the byte `one_past - 1 + i` of the segment (`one_past` wraps: the
    /// bits describe a block that may begin before the segment).
    #[inline]
    pub(crate) fn record(&mut self, mut separators: u64, one_past: u64) {
        while separators != 0 {
            let n = self.count as usize;
            if n == LOCATED {
                return;
            }
            let bit = u64::from(separators.trailing_zeros());
            self.at[n] = one_past.wrapping_add(bit) as u32;
            self.count += 1;
            separators &= separators - 1;
        }
    }

    /// Finds the starts in `raw` by scanning (segments not lexed from a
    /// stream: an ISA, a last segment without terminator).
    pub(crate) fn locate(&mut self, raw: &[u8], separator: u8) {
        self.count = locate(raw, 0, separator, &mut self.at) as u32;
    }

    /// Offset of the first element separator, if any.
    #[inline]
    pub(crate) fn first_separator(&self) -> Option<usize> {
        (self.count > 0).then(|| self.at[0] as usize - 1)
    }

    /// The starts recorded, as a slice.
    #[inline]
    pub(crate) fn as_slice(&self) -> &[u32] {
        self.at.get(..self.count as usize).unwrap_or_default()
    }
}

/// Byte range of element `n` (1 to `INDEXED`) in a segment `len` bytes
/// long whose element starts are `starts`; `(0, 0)` when absent.
#[inline]
fn span(starts: &[u32], n: usize, len: usize) -> (usize, usize) {
    let count = starts.len();
    if n == 0 || n > count {
        return (0, 0);
    }
    let start = starts[n - 1] as usize;
    let end = if n < count {
        starts[n] as usize - 1
    } else {
        len
    };
    (start, end)
}

/// Element `n` (1-based) of `raw`, the segment `starts` were found in;
/// empty when absent.
#[inline]
fn element_at<'a>(starts: &[u32], raw: &'a [u8], separator: u8, n: usize) -> &'a [u8] {
    if n > INDEXED {
        return scanned(starts, raw, separator, n);
    }
    let (start, end) = span(starts, n, raw.len());
    raw.get(start..end).unwrap_or_default()
}

/// Element `n` beyond the located ones, found by scanning.
fn scanned<'a>(starts: &[u32], raw: &'a [u8], separator: u8, n: usize) -> &'a [u8] {
    let Some(&from) = starts.get(INDEXED) else {
        return b"";
    };
    let rest = raw.get(from as usize..).unwrap_or_default();
    Split::new(rest, separator, true)
        .nth(n - INDEXED - 1)
        .unwrap_or(b"")
}

/// A segment's elements located once, so that reading many of them costs
/// one pass over the bytes instead of one scan per element; and the
/// segment's text checked as UTF-8 once, so that reading an element as
/// text needs no check of its own.
#[derive(Clone, Copy, Debug)]
pub struct Elements<'a> {
    raw: &'a [u8],
    /// The whole segment as text, when it is UTF-8 and the element and
    /// component separators are ASCII (so every element is text too).
    text: Option<&'a str>,
    delims: Delimiters,
    /// Where the elements start, as the reader found them (borrowed, not
    /// copied: a copy of a variable-length slice is a `memcpy` call)…
    borrowed: Option<&'a [u32]>,
    /// …or as a scan found them, for a segment not from a reader.
    scanned: Option<ElementStarts>,
}

impl<'a> Elements<'a> {
    #[inline]
    fn new(segment: &Segment<'a>) -> Self {
        let mut elements = Self::located(segment);
        let ascii = segment.delims.element.is_ascii() && segment.delims.component.is_ascii();
        if ascii {
            elements.text = match segment.text {
                Some(text) => Some(text),
                None => std::str::from_utf8(segment.raw).ok(),
            };
        }
        elements
    }

    /// The elements located, without text: the lexer's starts when the
    /// segment came from a reader, else found by a scan.
    #[inline]
    fn located(segment: &Segment<'a>) -> Self {
        let scanned = match segment.starts {
            Some(_) => None,
            None => {
                let mut starts = ElementStarts::default();
                starts.locate(segment.raw, segment.delims.element);
                Some(starts)
            }
        };
        Elements {
            raw: segment.raw,
            text: None,
            delims: segment.delims,
            borrowed: segment.starts,
            scanned,
        }
    }

    /// Where the elements start.
    #[inline]
    fn starts(&self) -> &[u32] {
        match (self.borrowed, &self.scanned) {
            (Some(starts), _) => starts,
            (None, Some(starts)) => starts.as_slice(),
            (None, None) => &[],
        }
    }

    /// Element `n` (1-based); empty when absent.
    #[inline]
    pub fn get(&self, n: usize) -> &'a [u8] {
        element_at(self.starts(), self.raw, self.delims.element, n)
    }

    /// Element `n` as text, untrimmed (empty when absent); `None` when the
    /// segment is not UTF-8.
    #[inline]
    pub fn text(&self, n: usize) -> Option<&'a str> {
        let text = self.text?;
        if n > INDEXED {
            let element = scanned(self.starts(), self.raw, self.delims.element, n);
            return std::str::from_utf8(element).ok();
        }
        let (start, end) = span(self.starts(), n, self.raw.len());
        text.get(start..end)
    }

    /// The components of element `n` as text; `None` when the segment is
    /// not UTF-8.
    pub fn component_texts(&self, n: usize) -> Option<TextSplit<'a>> {
        let element = self.text(n)?;
        Some(TextSplit {
            rest: element,
            delim: self.delims.component,
            done: false,
        })
    }
}

/// Records in `starts` the offset after each `sep` in `raw[from..]`, up to
/// `starts.len()` of them; returns how many were recorded. Eight bytes are
/// compared at a time.
fn locate(raw: &[u8], from: usize, sep: u8, starts: &mut [u32]) -> usize {
    let pattern = u64::from_ne_bytes([sep; 8]);
    let mut count = 0;
    let mut at = from;
    while at + 8 <= raw.len() {
        let word = u64::from_le_bytes(raw[at..at + 8].try_into().expect("8 bytes"));
        let mut found = zero_byte_highs(word ^ pattern);
        while found != 0 {
            if count == starts.len() {
                return count;
            }
            starts[count] = (at + found.trailing_zeros() as usize / 8 + 1) as u32;
            count += 1;
            found &= found - 1;
        }
        at += 8;
    }
    for (i, &b) in raw[at..].iter().enumerate() {
        if b == sep {
            if count == starts.len() {
                return count;
            }
            starts[count] = (at + i + 1) as u32;
            count += 1;
        }
    }
    count
}

/// The high bit of byte `k` set when byte `k` of `word` is zero, exactly
/// (no false positives from borrows).
#[inline]
fn zero_byte_highs(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((word & LOW7).wrapping_add(LOW7)) | word) & !LOW7
}

/// The parts of a text split on one ASCII delimiter byte.
#[derive(Clone, Debug)]
pub struct TextSplit<'a> {
    rest: &'a str,
    delim: u8,
    done: bool,
}

impl<'a> TextSplit<'a> {
    /// The parts of `text` split on the ASCII byte `delim`.
    pub fn new(text: &'a str, delim: u8) -> Self {
        debug_assert!(delim.is_ascii(), "splitting text on a non-ASCII byte");
        TextSplit {
            rest: text,
            delim,
            done: false,
        }
    }
}

impl<'a> Iterator for TextSplit<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.rest.as_bytes();
        match bytes.iter().position(|&b| b == self.delim) {
            Some(at) => {
                let (part, rest) = (self.rest.get(..at)?, self.rest.get(at + 1..)?);
                self.rest = rest;
                Some(part)
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
}

/// An iterator over the parts of a byte slice split on one delimiter.
#[derive(Clone, Debug)]
pub struct Split<'a> {
    rest: &'a [u8],
    delim: u8,
    done: bool,
}

impl<'a> Split<'a> {
    /// The parts of `bytes` split on `delim` (one empty part when empty).
    pub fn on(bytes: &'a [u8], delim: u8) -> Self {
        Split::new(bytes, delim, true)
    }

    fn new(bytes: &'a [u8], delim: u8, any: bool) -> Self {
        Split {
            rest: bytes,
            delim,
            done: !any,
        }
    }
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        match memchr::memchr(self.delim, self.rest) {
            Some(at) => {
                let part = &self.rest[..at];
                self.rest = &self.rest[at + 1..];
                Some(part)
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(raw: &[u8]) -> Segment<'_> {
        Segment::new(raw, Delimiters::default())
    }

    #[test]
    fn elements_are_numbered_from_one() {
        let s = seg(b"CLP*PCN1*1*100*80**12*ICN");
        assert_eq!(s.id(), b"CLP");
        assert_eq!(s.element(1), b"PCN1");
        assert_eq!(s.element(4), b"80");
        assert_eq!(s.element(5), b"");
        assert_eq!(s.element(7), b"ICN");
        assert_eq!(s.element(8), b"");
        assert_eq!(s.element(0), b"");
        assert_eq!(s.element_count(), 7);
    }

    #[test]
    fn components_split_on_component_separator() {
        let s = seg(b"SVC*HC:99213:25:59*100*80");
        let parts: Vec<&[u8]> = s.components(1).collect();
        assert_eq!(parts, vec![&b"HC"[..], b"99213", b"25", b"59"]);
        assert_eq!(s.component(1, 2), b"99213");
        assert_eq!(s.component(1, 6), b"");
        assert_eq!(s.component(2, 1), b"100");
    }

    #[test]
    fn segment_without_elements_has_none() {
        let s = seg(b"SE");
        assert_eq!(s.elements().count(), 0);
        assert_eq!(s.element(1), b"");
        assert_eq!(s.components(1).count(), 1);
    }

    #[test]
    fn indexed_elements_match_scanned_elements() {
        let long: String = (1..=40).map(|i| format!("*E{i}")).collect();
        for raw in ["CLP*A*1**80", "SE", "SE*", "LX*1", &format!("MIA{long}")] {
            let s = seg(raw.as_bytes());
            let fields = s.fields();
            for n in 0..45 {
                assert_eq!(fields.get(n), s.element(n), "{raw} element {n}");
            }
        }
    }

    #[test]
    fn element_text_matches_element_bytes() {
        let long: String = (1..=40).map(|i| format!("*E{i}")).collect();
        let raws = [
            "CLP*A*1**80".to_string(),
            "SE".into(),
            "SE*".into(),
            "SVC*HC:99213:25*100**1".into(),
            "NM1*QC*1*ÖSTER*ÅSA".into(),
            format!("MIA{long}"),
        ];
        for raw in &raws {
            let fields = seg(raw.as_bytes()).fields();
            for n in 0..45 {
                let text = fields.text(n).expect("UTF-8");
                assert_eq!(text.as_bytes(), fields.get(n), "{raw} element {n}");
            }
        }
        let latin1 = seg(b"NM1*QC*1*\xd6STER").fields();
        assert_eq!(latin1.text(3), None);
        assert_eq!(latin1.get(3), b"\xd6STER");
    }

    #[test]
    fn component_texts_split_on_the_component_separator() {
        let fields = seg(b"SVC*HC:99213::25*100").fields();
        let parts: Vec<&str> = fields.component_texts(1).unwrap().collect();
        assert_eq!(parts, ["HC", "99213", "", "25"]);
        let parts: Vec<&str> = fields.component_texts(3).unwrap().collect();
        assert_eq!(parts, [""]);
    }

    #[test]
    fn identifier_is_found_without_separator() {
        assert_eq!(seg(b"IEA").id(), b"IEA");
        assert_eq!(seg(b"NM31*X").id(), b"NM31");
    }

    #[test]
    fn text_trims_padding() {
        assert_eq!(seg(b"N1*PE*ACME  *XX*123").text(2), "ACME");
    }
}
