//! The push core of the syntax layer: finds segments in a byte slice.
//!
//! The lexer never does I/O and never allocates. It is handed whatever bytes
//! are available and answers with one [`Token`]: a segment (as offsets into
//! the slice), a notice about skipped bytes, a request for more bytes, or the
//! end. "Need more bytes" is a normal state, not an error. Delimiters are read
//! from every ISA; text before the first ISA and between interchanges is
//! skipped and reported; CR/LF after terminators is ignored.

use super::delims::{DelimiterError, describe_byte, find_unusable_isa, read_isa};
use wide::u8x16;

use super::segment::{ElementStarts, SegmentId};
use super::{Control, Controls, Delimiters, Position, Segment, ids};

/// Longest segment accepted by default; longer means a missing terminator.
pub const DEFAULT_MAX_SEGMENT_LEN: usize = 1 << 20;

/// Something the lexer skipped or tolerated, reported as a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// Bytes before the first ISA (a byte-order mark, blank lines, a header).
    SkippedBeforeFirstInterchange {
        /// Number of bytes skipped.
        len: u64,
        /// True when the skipped bytes start with a UTF-8 byte-order mark.
        bom: bool,
    },
    /// Non-blank bytes after an IEA that do not start a new ISA.
    SkippedOutsideInterchange {
        /// Number of bytes skipped.
        len: u64,
    },
    /// The input ended without a terminator after its last segment.
    UnterminatedLastSegment,
}

/// A warning from the syntax layer with the place it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub kind: NoticeKind,
    /// Where: the first skipped byte, or the unterminated segment.
    pub pos: Position,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            NoticeKind::SkippedBeforeFirstInterchange { len, bom } => write!(
                f,
                "skipped {len} byte(s) before the first ISA{}",
                if *bom { " (UTF-8 byte-order mark)" } else { "" }
            ),
            NoticeKind::SkippedOutsideInterchange { len } => {
                write!(f, "skipped {len} byte(s) of text outside any interchange")
            }
            NoticeKind::UnterminatedLastSegment => {
                f.write_str("the last segment has no segment terminator")
            }
        }
    }
}

/// A syntax error: the bytes cannot be read as X12 segments.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxErrorKind {
    /// No ISA segment anywhere in the input.
    #[error("no ISA segment found: not an X12 interchange")]
    NoInterchange,
    /// No usable ISA, but one whose element separator is a blank, letter
    /// or digit (a tab-separated file, say): the byte is named.
    #[error(
        "ISA found, but its element separator is {}: a blank, letter or digit cannot be an X12 delimiter, so the input is not read as X12 (expected a separator such as '*' after ISA)",
        describe_byte(*.0)
    )]
    UnusableElementSeparator(u8),
    /// The ISA segment's delimiters cannot be read.
    #[error("unreadable ISA segment: {0}")]
    BadIsa(DelimiterError),
    /// A segment identifier that is not 2-3 upper-case letters or digits,
    /// described by length and kind of characters (see
    /// `value::describe`): a terminator inside a
    /// name makes the rest of the name look like a segment identifier.
    #[error(
        "bad segment identifier of {0}: expected 2-3 upper-case letters or digits (is a segment cut or mistyped?)"
    )]
    BadSegmentId(String),
    /// No segment terminator within the length limit.
    #[error("no segment terminator {terminator:?} within {limit} bytes")]
    SegmentTooLong {
        /// The terminator that was looked for.
        terminator: char,
        /// The limit in bytes.
        limit: usize,
    },
}

/// A syntax error with the place it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {kind}")]
pub struct SyntaxError {
    /// What is wrong.
    pub kind: SyntaxErrorKind,
    /// Where.
    pub pos: Position,
}

/// What the lexer found at the front of its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// A segment: its bytes are `input[start..end]`; its position and
    /// delimiters are [`Lexer::position`] and [`Lexer::delimiters`].
    Segment {
        /// Offset of the first byte in the input slice.
        start: usize,
        /// Offset one past the last byte (terminator excluded).
        end: usize,
        /// Length of the segment identifier.
        id_len: usize,
        /// The identifier as one integer.
        id: SegmentId,
    },
    /// A notice is waiting in [`Lexer::take_notice`].
    Notice,
    /// More bytes are needed (only when not at end of input).
    NeedMore,
    /// The input is exhausted.
    End,
}

/// One answer of the lexer: a token and how many input bytes it used up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// What was found.
    pub token: Token,
    /// Bytes of the input that are finished with; the caller drops them.
    pub consumed: usize,
}

/// The push lexer's state between calls.
#[derive(Debug)]
pub struct Lexer {
    delimiters: Delimiters,
    in_interchange: bool,
    seen_isa: bool,
    offset: u64,
    segments: u64,
    controls: Controls,
    clear: Clear,
    max_segment_len: usize,
    skipped: u64,
    skip_start: u64,
    skip_bom: bool,
    notice: Option<Notice>,
    masks: BlockMasks,
    /// Where the elements of the segment last returned start.
    starts: ElementStarts,
    last_byte: u64,
    /// Offset and separator of an ISA that could not be used, before the
    /// first usable one.
    unusable_isa: Option<(u64, u8)>,
}

/// Control numbers to forget before the next step (an SE or IEA keeps its
/// own until the caller is done with it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Clear {
    #[default]
    Nothing,
    Transaction,
    Interchange,
}

/// Where upcoming segment terminators and element separators are, one
/// 64-byte block at a time: a bit per byte, found sixteen bytes a compare
/// (SSE2 through `wide`), so that finding the end of a short segment and
/// the starts of its elements costs a few instructions per segment
/// instead of a `memchr` call per segment and a second pass per element.
#[derive(Debug)]
struct BlockMasks {
    /// Absolute offset of the byte that bit 0 of the masks describes.
    block: u64,
    /// Bytes of the input the masks describe (at most 64).
    len: u64,
    /// Bit `i` is set when byte `block + i` is the segment terminator.
    terminators: u64,
    /// Bit `i` is set when byte `block + i` is the element separator.
    separators: u64,
}

impl BlockMasks {
    fn new() -> Self {
        BlockMasks {
            block: 0,
            len: 0,
            terminators: 0,
            separators: 0,
        }
    }

    fn clear(&mut self) {
        *self = BlockMasks::new();
    }

    /// Offset in `input` (which starts at absolute `base`) of the first
    /// terminator at or after `from`; `starts` gets the element starts of
    /// the segment from `from` to it (relative to `from`: one past each
    /// element separator, as [`ElementStarts`] says).
    #[inline]
    fn next(
        &mut self,
        input: &[u8],
        base: u64,
        from: usize,
        (terminator, separator): (u8, u8),
        starts: &mut ElementStarts,
    ) -> Option<usize> {
        let segment = base + from as u64;
        let mut wanted = segment;
        starts.clear();
        loop {
            let end = self.block + self.len;
            if wanted >= self.block && wanted < end {
                let ahead = u64::MAX << (wanted - self.block);
                let terminators = self.terminators & ahead;
                // One past a separator, relative to the segment's start
                // (wrapping: the block may begin before the segment).
                let one_past = self.block.wrapping_sub(segment).wrapping_add(1);
                if terminators != 0 {
                    let at = terminators.trailing_zeros();
                    let before = (1u64 << at) - 1;
                    starts.record(self.separators & ahead & before, one_past);
                    return Some((self.block + u64::from(at) - base) as usize);
                }
                starts.record(self.separators & ahead, one_past);
                wanted = end;
            }
            let start = (wanted - base) as usize;
            if start >= input.len() {
                return None;
            }
            let bytes = &input[start..input.len().min(start + 64)];
            self.block = wanted;
            self.len = bytes.len() as u64;
            (self.terminators, self.separators) = byte_masks(bytes, terminator, separator);
        }
    }
}

/// Bit `i` of the first mask set when `bytes[i]` is `a`, of the second when
/// it is `b`; `bytes` is at most 64 long.
#[inline]
pub(super) fn byte_masks(bytes: &[u8], a: u8, b: u8) -> (u64, u64) {
    match <&[u8; 64]>::try_from(bytes) {
        Ok(block) => block_masks(block, a, b),
        Err(_) => {
            // The last bytes of the input or buffer: padded, and the bits
            // of the padding dropped.
            let mut block = [0u8; 64];
            block[..bytes.len()].copy_from_slice(bytes);
            let (ma, mb) = block_masks(&block, a, b);
            // Shorter than 64: the shift cannot overflow.
            let keep = (1u64 << bytes.len()) - 1;
            (ma & keep, mb & keep)
        }
    }
}

/// The two masks of one full block, sixteen bytes a compare.
#[inline]
fn block_masks(block: &[u8; 64], a: u8, b: u8) -> (u64, u64) {
    let (va, vb) = (u8x16::splat(a), u8x16::splat(b));
    let (mut ma, mut mb) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        let bytes: [u8; 16] = chunk.try_into().unwrap_or_default();
        let v = u8x16::new(bytes);
        ma |= u64::from(v.simd_eq(va).to_bitmask()) << (16 * k);
        mb |= u64::from(v.simd_eq(vb).to_bitmask()) << (16 * k);
    }
    (ma, mb)
}

impl Default for Lexer {
    fn default() -> Self {
        Self::new()
    }
}

impl Lexer {
    /// A lexer at the start of an input.
    pub fn new() -> Self {
        Lexer {
            delimiters: Delimiters::default(),
            in_interchange: false,
            seen_isa: false,
            offset: 0,
            segments: 0,
            controls: Controls::NONE,
            clear: Clear::Nothing,
            max_segment_len: DEFAULT_MAX_SEGMENT_LEN,
            skipped: 0,
            skip_start: 0,
            skip_bom: false,
            notice: None,
            masks: BlockMasks::new(),
            starts: ElementStarts::default(),
            last_byte: 0,
            unusable_isa: None,
        }
    }

    /// Sets the longest segment accepted before reporting a missing terminator.
    pub fn with_max_segment_len(mut self, limit: usize) -> Self {
        self.max_segment_len = limit.max(crate::x12::delims::MAX_ISA_LEN);
        self
    }

    /// The longest segment accepted.
    pub fn max_segment_len(&self) -> usize {
        self.max_segment_len
    }

    /// Absolute offset of the next byte the lexer will look at.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Number of segments found so far.
    pub fn segments(&self) -> u64 {
        self.segments
    }

    /// Byte offset and ordinal of the segment last returned.
    pub fn location(&self) -> (u64, u64) {
        (self.last_byte, self.segments)
    }

    /// The control numbers around the segment last returned.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    /// Where the elements of the segment last returned start.
    #[inline]
    pub fn element_starts(&self) -> &ElementStarts {
        &self.starts
    }

    /// The delimiters of the current interchange.
    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// Takes the notice announced by `Token::Notice`.
    pub fn take_notice(&mut self) -> Option<Notice> {
        self.notice.take()
    }

    /// Looks at `input` (the bytes from [`Lexer::offset`] on) and returns the
    /// next token. `eof` says no bytes will follow `input`.
    #[inline]
    pub fn step(&mut self, input: &[u8], eof: bool) -> Result<Step, Box<SyntaxError>> {
        if self.clear != Clear::Nothing {
            self.forget_controls();
        }
        if self.notice.is_some() {
            return Ok(Step {
                token: Token::Notice,
                consumed: 0,
            });
        }
        let step = if self.in_interchange {
            self.step_inside(input, eof)?
        } else {
            self.step_outside(input, eof)?
        };
        self.offset += step.consumed as u64;
        Ok(step)
    }

    /// Forgets the control numbers an SE or IEA closed.
    fn forget_controls(&mut self) {
        match std::mem::take(&mut self.clear) {
            Clear::Nothing => {}
            Clear::Transaction => self.controls.transaction = Control::EMPTY,
            Clear::Interchange => self.controls = Controls::NONE,
        }
    }

    /// Outside an interchange: skip to the next `ISA`.
    fn step_outside(&mut self, input: &[u8], eof: bool) -> Result<Step, Box<SyntaxError>> {
        let start = if self.seen_isa && self.skipped == 0 {
            skip_blanks(input)
        } else {
            0
        };
        let rest = &input[start..];
        if starts_isa(rest) {
            if self.skipped > 0 {
                return Ok(self.flush_skip(start));
            }
            return self.read_isa(input, start, eof);
        }
        if rest.len() < 4 && !eof {
            return Ok(need_more(start));
        }
        match find_isa(rest) {
            Some(at) => {
                self.note_skip(input, start, at);
                Ok(self.flush_skip(start + at))
            }
            None if eof => self.finish_outside(input, start),
            None => {
                // Keep the last six bytes: they may begin an `ISA` (three
                // bytes) or an unusable one whose first seven bytes
                // `find_unusable_isa` reads whole.
                let keep = rest.len().min(6);
                self.note_skip(input, start, rest.len() - keep);
                Ok(need_more(start + rest.len() - keep))
            }
        }
    }

    /// At end of input outside an interchange.
    fn finish_outside(&mut self, input: &[u8], start: usize) -> Result<Step, Box<SyntaxError>> {
        if !self.seen_isa {
            self.look_for_unusable_isa(input, start, input.len() - start);
            let (kind, byte) = match self.unusable_isa {
                Some((at, separator)) => (SyntaxErrorKind::UnusableElementSeparator(separator), at),
                None => (SyntaxErrorKind::NoInterchange, 0),
            };
            let pos = Position {
                byte,
                ..Position::default()
            };
            return Err(Box::new(SyntaxError { kind, pos }));
        }
        let rest = &input[start..];
        if !rest.iter().all(u8::is_ascii_whitespace) {
            self.note_skip(input, start, rest.len());
        }
        if self.skipped > 0 {
            return Ok(self.flush_skip(input.len()));
        }
        Ok(Step {
            token: Token::End,
            consumed: input.len(),
        })
    }

    /// Remembers the first ISA with an unusable element separator that
    /// starts in `input[start..start + len]` before any usable ISA, to name
    /// it if no usable one follows (a cold path: skipped bytes only).
    fn look_for_unusable_isa(&mut self, input: &[u8], start: usize, len: usize) {
        if self.seen_isa || self.unusable_isa.is_some() {
            return;
        }
        if let Some((at, separator)) = find_unusable_isa(&input[start..])
            && at < len
        {
            self.unusable_isa = Some((self.offset + (start + at) as u64, separator));
        }
    }

    /// Records `len` skipped bytes at `input[start..]`.
    fn note_skip(&mut self, input: &[u8], start: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.look_for_unusable_isa(input, start, len);
        if self.skipped == 0 {
            self.skip_start = self.offset + start as u64;
            self.skip_bom = !self.seen_isa && input[start..].starts_with(b"\xEF\xBB\xBF");
        }
        self.skipped += len as u64;
    }

    /// Turns the skipped bytes so far into a notice.
    fn flush_skip(&mut self, consumed: usize) -> Step {
        let len = std::mem::take(&mut self.skipped);
        let kind = if self.seen_isa {
            NoticeKind::SkippedOutsideInterchange { len }
        } else {
            NoticeKind::SkippedBeforeFirstInterchange {
                len,
                bom: self.skip_bom,
            }
        };
        let mut pos = self.position_at(0);
        pos.byte = self.skip_start;
        pos.segment = 0;
        self.notice = Some(Notice { kind, pos });
        Step {
            token: Token::Notice,
            consumed,
        }
    }

    /// Reads an ISA at `input[start..]` and switches to its delimiters.
    fn read_isa(
        &mut self,
        input: &[u8],
        start: usize,
        eof: bool,
    ) -> Result<Step, Box<SyntaxError>> {
        let layout = match read_isa(&input[start..], eof) {
            Ok(Some(layout)) => layout,
            Ok(None) => return Ok(need_more(start)),
            Err(e) => {
                return Err(Box::new(SyntaxError {
                    kind: SyntaxErrorKind::BadIsa(e),
                    pos: self.position_at(start),
                }));
            }
        };
        self.delimiters = layout.delimiters;
        self.masks.clear();
        self.in_interchange = true;
        self.seen_isa = true;
        let end = start + layout.len;
        let raw = &input[start..end];
        self.starts.locate(raw, self.delimiters.element);
        self.controls = Controls {
            interchange: Control::new(Segment::new(raw, self.delimiters).element(13)),
            transaction: Control::EMPTY,
        };
        Ok(self.emit(input, start, end, (3, ids::ISA), end + 1))
    }

    /// Inside an interchange: the next segment up to its terminator.
    #[inline]
    fn step_inside(&mut self, input: &[u8], eof: bool) -> Result<Step, Box<SyntaxError>> {
        let start = match input.first() {
            Some(&b) if b > b' ' => 0,
            _ => skip_blanks(input),
        };
        let rest = &input[start..];
        let Some(&first) = rest.first() else {
            let token = if eof { Token::End } else { Token::NeedMore };
            return Ok(Step {
                token,
                consumed: input.len(),
            });
        };
        if first == b'I' && starts_isa(rest) {
            return self.read_isa(input, start, eof);
        }
        let terminator = self.delimiters.segment;
        let delimiters = (terminator, self.delimiters.element);
        let found = self
            .masks
            .next(input, self.offset, start, delimiters, &mut self.starts);
        match found.map(|at| at - start) {
            Some(len) => {
                let end = start + trim_cr(rest, len, terminator);
                let id = self.identifier(input, start, end)?;
                Ok(self.emit(input, start, end, id, start + len + 1))
            }
            None if rest.len() > self.max_segment_len => Err(Box::new(SyntaxError {
                kind: SyntaxErrorKind::SegmentTooLong {
                    terminator: self.delimiters.segment as char,
                    limit: self.max_segment_len,
                },
                pos: self.position_at(start),
            })),
            None if eof => self.unterminated(input, start),
            None => Ok(need_more(start)),
        }
    }

    /// The last segment of the input, without a terminator: emitted, with a
    /// notice.
    fn unterminated(&mut self, input: &[u8], start: usize) -> Result<Step, Box<SyntaxError>> {
        let end = start + input[start..].trim_ascii_end().len();
        self.starts
            .locate(&input[start..end], self.delimiters.element);
        let id = self.identifier(input, start, end)?;
        let step = self.emit(input, start, end, id, input.len());
        let pos = self.position_at(start);
        self.notice = Some(Notice {
            kind: NoticeKind::UnterminatedLastSegment,
            pos: Position {
                segment: self.segments,
                ..pos
            },
        });
        Ok(step)
    }

    /// The length and integer of the identifier of the segment at
    /// `input[start..end]`, whose element starts are located: 2-3
    /// upper-case letters or digits, the first a letter, then the element
    /// separator or the end of the segment.
    #[inline]
    fn identifier(
        &self,
        input: &[u8],
        start: usize,
        end: usize,
    ) -> Result<(usize, SegmentId), Box<SyntaxError>> {
        let raw = &input[start..end];
        let id_len = self.starts.first_separator().unwrap_or(raw.len());
        let upper = |b: u8| b.wrapping_sub(b'A') < 26;
        let alnum = |b: u8| upper(b) || b.wrapping_sub(b'0') < 10;
        let valid = match raw.get(..id_len) {
            Some(&[a, b]) => upper(a) && alnum(b),
            Some(&[a, b, c]) => upper(a) && alnum(b) && alnum(c),
            _ => false,
        };
        if valid {
            return Ok((id_len, SegmentId::of(&raw[..id_len])));
        }
        Err(self.bad_identifier(raw, start))
    }

    /// The error for a segment whose identifier is not 2-3 letters or digits.
    #[cold]
    fn bad_identifier(&self, raw: &[u8], start: usize) -> Box<SyntaxError> {
        let id = Segment::new(raw, self.delimiters).id();
        let shown = super::value::describe(&id[..id.len().min(8)]);
        let mut pos = self.position_at(start);
        pos.segment = self.segments + 1;
        Box::new(SyntaxError {
            kind: SyntaxErrorKind::BadSegmentId(shown),
            pos,
        })
    }

    /// Emits the segment `input[start..end]`, updating the envelope context:
    /// an ST carries its own ST02, an SE the ST02 it closes; after IEA the
    /// lexer looks for the next ISA.
    #[inline]
    fn emit(
        &mut self,
        input: &[u8],
        start: usize,
        end: usize,
        (id_len, id): (usize, SegmentId),
        consumed: usize,
    ) -> Step {
        self.segments += 1;
        self.last_byte = self.offset + start as u64;
        if matches!(id.first_byte(), b'S' | b'I') {
            self.envelope_segment(&input[start..end], id);
        }
        Step {
            token: Token::Segment {
                start,
                end,
                id_len,
                id,
            },
            consumed,
        }
    }

    /// ST, SE and IEA change the control numbers around the next segments.
    fn envelope_segment(&mut self, raw: &[u8], id: SegmentId) {
        match id {
            ids::ST => {
                let segment = Segment::new(raw, self.delimiters);
                self.controls.transaction = Control::new(segment.element(2));
            }
            ids::SE => self.clear = Clear::Transaction,
            ids::IEA => {
                self.in_interchange = false;
                self.clear = Clear::Interchange;
            }
            _ => {}
        }
    }

    /// The position of `input[at]` with the current controls.
    fn position_at(&self, at: usize) -> Position {
        Position {
            byte: self.offset + at as u64,
            segment: self.segments,
            interchange: self.controls.interchange,
            transaction: self.controls.transaction,
        }
    }
}

fn need_more(consumed: usize) -> Step {
    Step {
        token: Token::NeedMore,
        consumed,
    }
}

/// Number of leading CR, LF, tab and space bytes.
pub(super) fn skip_blanks(input: &[u8]) -> usize {
    input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len())
}

/// True when `bytes` begins an ISA segment (`ISA` and a separator).
pub(super) fn starts_isa(bytes: &[u8]) -> bool {
    bytes.len() >= 4
        && &bytes[..3] == b"ISA"
        && !bytes[3].is_ascii_alphanumeric()
        && !bytes[3].is_ascii_whitespace()
}

/// Offset of the next `ISA` followed by a separator.
fn find_isa(bytes: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(bytes, b"ISA").find(|&at| starts_isa(&bytes[at..]))
}

/// Segment length without a CR left before an LF terminator.
fn trim_cr(rest: &[u8], len: usize, terminator: u8) -> usize {
    if terminator == b'\n' && len > 0 && rest[len - 1] == b'\r' {
        len - 1
    } else {
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8], byte: u8) -> u64 {
        bytes
            .iter()
            .enumerate()
            .fold(0u64, |m, (i, &b)| m | (u64::from(b == byte) << i))
    }

    proptest::proptest! {
        #[test]
        fn byte_masks_mark_exactly_the_bytes(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..=64),
            a in proptest::num::u8::ANY,
            b in proptest::num::u8::ANY,
        ) {
            let masks = byte_masks(&bytes, a, b);
            proptest::prop_assert_eq!(masks, (naive(&bytes, a), naive(&bytes, b)));
        }
    }

    #[test]
    fn byte_masks_handle_neighbouring_and_high_bytes() {
        let bytes = b"~~\x7f\x80~\xff\x00~abcdefgh~*";
        let expected = [0, 1, 4, 7, 16].iter().fold(0u64, |m, i| m | (1 << i));
        assert_eq!(byte_masks(bytes, b'~', b'*'), (expected, 1 << 17));
        assert_eq!(byte_masks(&[0u8; 64], 0, 1), (u64::MAX, 0));
        // Padding never counts as a delimiter, even a NUL one.
        assert_eq!(byte_masks(&[1u8; 10], 0, 1), (0, (1 << 10) - 1));
    }

    /// The element starts the lexer records match a scan of each segment,
    /// whatever the blocks' boundaries (segments of every length, across
    /// 64-byte blocks, with more elements than are located).
    #[test]
    fn element_starts_match_a_scan() {
        let mut body = String::new();
        for n in 0..90 {
            body.push_str("REF");
            for e in 0..n % 31 {
                body.push('*');
                body.push_str(&"x".repeat((n * 7 + e) % 13));
            }
            body.push_str("~\r\n");
        }
        let input = format!(
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*0700*^*00501*000000001*0*T*:~{body}IEA*1*000000001~"
        );
        let mut reader = crate::x12::SliceReader::new(input.as_bytes());
        let mut segments = 0;
        while let Some(seg) = reader.next_segment().unwrap() {
            let scanned = Segment::new(seg.raw(), seg.delimiters());
            for n in 0..40 {
                assert_eq!(seg.element(n), scanned.element(n), "{:?} {n}", seg.raw());
            }
            assert_eq!(seg.code(), scanned.code());
            segments += 1;
        }
        assert_eq!(segments, 92);
    }
}
