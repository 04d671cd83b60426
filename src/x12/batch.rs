//! A batch segment reader for screening: lexes every complete segment of
//! its buffer in one loop into an array of records (where each segment
//! starts and ends, its identifier, where its elements start), and hands
//! them out afterwards, so that the per-segment plumbing of the push
//! interface ([`Lexer::step`](super::Lexer::step): a `Step` and `Token` per
//! segment, offsets, notices, control numbers) is not paid per segment.
//!
//! It finds the same segments, with the same element starts, as
//! [`SegmentReader`](super::SegmentReader) over the same bytes — but it
//! only serves a caller that can give up: anything the push lexer would
//! report (text outside an interchange, a bad segment identifier, a
//! segment without terminator or longer than the limit, an unreadable
//! ISA) or an I/O error is [`Unusual`], and that caller reads the input
//! again with the push lexer, whose notices and errors are the ones
//! worded. So it needs no notices, positions or control numbers of its
//! own: the segments it hands out carry their byte offset and ordinal,
//! but no control numbers.
//!
//! Segments spanning the end of the buffer are lexed again, whole, after
//! the buffer is refilled; the buffer grows (up to the segment-length
//! limit) when one segment does not fit.

use std::io::Read;

use super::delims::read_isa;
use super::lexer::{DEFAULT_MAX_SEGMENT_LEN, byte_masks, skip_blanks, starts_isa};
use super::reader::DEFAULT_BUFFER_LEN;
use super::segment::{ElementStarts, LOCATED, SegmentId};
use super::{Controls, Delimiters, Segment, ids};

/// The batch reader cannot vouch for the input: the push lexer would
/// report something (or the source failed). Read it again with
/// [`SegmentReader`](super::SegmentReader) to know what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unusual;

/// One segment of the batch: `buf[start..end]`, terminator excluded; its
/// element starts are `starts[first..first + located]` (at most
/// [`LOCATED`]: the ones a [`Segment`] keeps). Twenty bytes: offsets in
/// the buffer fit 32 bits (it never grows past the segment-length limit
/// and two reads), the identifier's length is in the identifier, and the
/// delimiters are the batch's (a batch ends before each ISA).
#[derive(Clone, Copy, Debug)]
struct Record {
    start: u32,
    end: u32,
    first: u32,
    located: u32,
    id: SegmentId,
}

/// Where upcoming terminators and element separators are, for one block
/// of at most 64 bytes of the buffer (as the push lexer keeps them).
#[derive(Clone, Copy, Debug, Default)]
struct Masks {
    /// Offset in the buffer of the byte bit 0 describes.
    block: usize,
    /// Bytes described.
    len: usize,
    terminators: u64,
    separators: u64,
}

/// The lexing state, apart from the buffer it reads.
#[derive(Debug)]
struct Lexing {
    delims: Delimiters,
    in_interchange: bool,
    seen_isa: bool,
    /// True once the input is read to its end without anything unusual.
    done: bool,
    /// True when the last batch ended before an ISA, not for want of
    /// bytes: the next is lexed from the buffer as it is (a refill would
    /// move its bytes to the front for nothing).
    at_isa: bool,
    masks: Masks,
    records: Vec<Record>,
    /// Element starts of the batch's segments, relative to each segment's
    /// first byte; `starts[..used]` are recorded, and at least 64 more
    /// entries always exist, so a block's separators are written without
    /// a bound check each.
    starts: Vec<u32>,
    used: usize,
    max_segment_len: usize,
}

/// Streams segments from any `Read` a buffer at a time (see the module
/// documentation).
pub struct BatchReader<R> {
    source: R,
    buf: Vec<u8>,
    /// `buf[start..end]` is not lexed yet.
    start: usize,
    end: usize,
    eof: bool,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Segments handed out before this batch.
    before: u64,
    lexing: Lexing,
}

impl<R: Read> BatchReader<R> {
    /// A reader with the default buffer and segment-length limit.
    pub fn new(source: R) -> Self {
        BatchReader {
            source,
            buf: vec![0; DEFAULT_BUFFER_LEN],
            start: 0,
            end: 0,
            eof: false,
            base: 0,
            before: 0,
            lexing: Lexing {
                delims: Delimiters::default(),
                in_interchange: false,
                seen_isa: false,
                done: false,
                at_isa: false,
                masks: Masks::default(),
                records: Vec::new(),
                starts: vec![0; 64],
                used: 0,
                max_segment_len: DEFAULT_MAX_SEGMENT_LEN,
            },
        }
    }

    /// Sets the longest segment accepted (as
    /// [`Lexer::with_max_segment_len`](super::Lexer::with_max_segment_len)
    /// does): a longer one is unusual.
    #[cfg(test)]
    pub fn with_max_segment_len(mut self, limit: usize) -> Self {
        self.lexing.max_segment_len = limit.max(super::delims::MAX_ISA_LEN);
        self
    }

    /// Lexes the next batch of segments: `Ok(true)` when there is one
    /// ([`BatchReader::len`] segments, at least one), `Ok(false)` at the
    /// end of the input.
    pub fn next_batch(&mut self) -> Result<bool, Unusual> {
        self.before += self.lexing.records.len() as u64;
        loop {
            if self.lexing.done {
                self.lexing.records.clear();
                return Ok(false);
            }
            if !self.eof && !std::mem::take(&mut self.lexing.at_isa) {
                self.fill()?;
            }
            self.start = self
                .lexing
                .lex(&self.buf[..self.end], self.start, self.eof)?;
            if !self.lexing.records.is_empty() {
                return Ok(true);
            }
            if self.eof && !self.lexing.done {
                // Nothing left to read, yet not at the end: `lex` says
                // unusual before this, so this is only a safeguard.
                return Err(Unusual);
            }
        }
    }

    /// Number of segments in the batch.
    #[inline]
    pub fn len(&self) -> usize {
        self.lexing.records.len()
    }

    /// Segment `i` of the batch (`i < len()`).
    #[inline]
    pub fn segment(&self, i: usize) -> Option<Segment<'_>> {
        let r = self.lexing.records.get(i)?;
        let raw = self.buf.get(r.start as usize..r.end as usize)?;
        let first = r.first as usize;
        let starts = self.lexing.starts.get(first..first + r.located as usize)?;
        Some(Segment::with_starts(
            raw,
            None,
            (r.id.byte_len(), r.id),
            starts,
            self.lexing.delims,
            (self.base + u64::from(r.start), self.before + i as u64 + 1),
            &Controls::NONE,
        ))
    }

    /// Moves the bytes not lexed to the front, grows the buffer if they
    /// fill it, and reads more.
    fn fill(&mut self) -> Result<(), Unusual> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let limit = self.lexing.max_segment_len + 2 * DEFAULT_BUFFER_LEN;
            if self.buf.len() >= limit {
                return Err(Unusual);
            }
            let grown = (self.buf.len() * 2).min(limit);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.source.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(Unusual),
            }
        }
    }
}

impl Lexing {
    /// Lexes the complete segments of `input[at..]` into the records
    /// (cleared first); returns where the first segment not lexed starts.
    /// `eof` says no bytes follow `input`.
    fn lex(&mut self, input: &[u8], mut at: usize, eof: bool) -> Result<usize, Unusual> {
        self.records.clear();
        self.used = 0;
        // The buffer moved: blocks are found again.
        self.masks = Masks::default();
        loop {
            if !self.in_interchange {
                // Between interchanges only blanks may be skipped without a
                // notice, and before the first nothing at all.
                if self.seen_isa {
                    at += skip_blanks(&input[at..]);
                }
                let rest = &input[at..];
                if rest.is_empty() && self.seen_isa {
                    self.done = eof;
                    return Ok(at);
                }
                if !starts_isa(rest) {
                    if rest.len() < 4 && !eof {
                        return Ok(at);
                    }
                    return Err(Unusual);
                }
                if !self.records.is_empty() {
                    self.at_isa = true;
                    return Ok(at);
                }
                match self.isa(input, at, eof)? {
                    Some(next) => at = next,
                    None => return Ok(at),
                }
                continue;
            }
            let mut first = match input.get(at) {
                Some(&b) => b,
                None => {
                    self.done = eof;
                    return Ok(at);
                }
            };
            if first <= b' ' {
                at += skip_blanks(&input[at..]);
                first = match input.get(at) {
                    Some(&b) => b,
                    None => {
                        self.done = eof;
                        return Ok(at);
                    }
                };
            }
            if first == b'I' && starts_isa(&input[at..]) {
                // The batch's segments share its delimiters: an ISA, which
                // may change them, begins a batch.
                if !self.records.is_empty() {
                    self.at_isa = true;
                    return Ok(at);
                }
                match self.isa(input, at, eof)? {
                    Some(next) => at = next,
                    None => return Ok(at),
                }
                continue;
            }
            let recorded = self.used;
            let Some(terminator) = self.find_end(input, at) else {
                self.used = recorded;
                // Too long, or unterminated at the end: the push lexer
                // reports either; else the rest comes with the next read.
                if input.len() - at > self.max_segment_len || eof {
                    return Err(Unusual);
                }
                return Ok(at);
            };
            if terminator - at > self.max_segment_len {
                return Err(Unusual);
            }
            let mut end = terminator;
            if self.delims.segment == b'\n' && end > at && input[end - 1] == b'\r' {
                end -= 1;
            }
            let count = self.used - recorded;
            let id_len = match self.starts.get(recorded) {
                Some(&one_past) if count > 0 => one_past as usize - 1,
                _ => end - at,
            };
            let id = identifier(input.get(at..at + id_len).unwrap_or_default())?;
            self.records.push(Record {
                start: at as u32,
                end: end as u32,
                first: recorded as u32,
                located: count.min(LOCATED) as u32,
                id,
            });
            if id == ids::IEA {
                self.in_interchange = false;
            }
            at = terminator + 1;
        }
    }

    /// Reads the ISA at `input[at..]`: records it and switches to its
    /// delimiters; `None` when more bytes are needed to read it.
    fn isa(&mut self, input: &[u8], at: usize, eof: bool) -> Result<Option<usize>, Unusual> {
        let layout = match read_isa(&input[at..], eof) {
            Ok(Some(layout)) => layout,
            Ok(None) => return Ok(None),
            Err(_) => return Err(Unusual),
        };
        self.delims = layout.delimiters;
        self.masks = Masks::default();
        self.in_interchange = true;
        self.seen_isa = true;
        let end = at + layout.len;
        let mut located = ElementStarts::default();
        located.locate(&input[at..end], self.delims.element);
        let starts = located.as_slice();
        let first = self.used;
        self.reserve(starts.len());
        let Some(dst) = self.starts.get_mut(first..first + starts.len()) else {
            return Err(Unusual);
        };
        dst.copy_from_slice(starts);
        self.used += starts.len();
        self.records.push(Record {
            start: at as u32,
            end: end as u32,
            first: first as u32,
            located: starts.len() as u32,
            id: ids::ISA,
        });
        Ok(Some(end + 1))
    }

    /// Makes room for `more` starts beyond the 64 spare ones.
    #[inline(never)]
    fn reserve(&mut self, more: usize) {
        let needed = self.used + more + 64;
        if self.starts.len() < needed {
            self.starts.resize(needed.max(2 * self.starts.len()), 0);
        }
    }

    /// Offset of the first terminator at or after `from` (the start of a
    /// segment); the element starts of the segment up to it are recorded
    /// after `starts[..used]`. `None` when `input` has no terminator
    /// after `from` (the starts recorded are then to be dropped).
    #[inline]
    fn find_end(&mut self, input: &[u8], from: usize) -> Option<usize> {
        let mut wanted = from;
        loop {
            let m = self.masks;
            let end = m.block + m.len;
            if wanted >= m.block && wanted < end {
                let ahead = u64::MAX << (wanted - m.block);
                let terminators = m.terminators & ahead;
                // One past a separator, relative to the segment's start
                // (wrapping: the block may begin before the segment).
                let one_past = (m.block as u32).wrapping_sub(from as u32).wrapping_add(1);
                if terminators != 0 {
                    let before = (terminators & terminators.wrapping_neg()) - 1;
                    self.record(m.separators & ahead & before, one_past);
                    return Some(m.block + terminators.trailing_zeros() as usize);
                }
                self.record(m.separators & ahead, one_past);
                wanted = end;
            }
            if wanted >= input.len() {
                return None;
            }
            let bytes = &input[wanted..input.len().min(wanted + 64)];
            let (terminators, separators) =
                byte_masks(bytes, self.delims.segment, self.delims.element);
            self.masks = Masks {
                block: wanted,
                len: bytes.len(),
                terminators,
                separators,
            };
        }
    }

    /// Records a start for each bit of `separators`, bit `i` standing for
    /// the byte `one_past - 1 + i` of the segment.
    #[inline]
    fn record(&mut self, mut separators: u64, one_past: u32) {
        if separators == 0 {
            return;
        }
        let used = self.used;
        if self.starts.len() < used + 64 {
            self.reserve(0);
        }
        // At most 64 bits: one bound check for the block, none per bit.
        let Some(Ok(dst)) = self
            .starts
            .get_mut(used..used + 64)
            .map(<&mut [u32; 64]>::try_from)
        else {
            return;
        };
        let mut k = 0;
        while separators != 0 {
            dst[k & 63] = one_past.wrapping_add(separators.trailing_zeros());
            k += 1;
            separators &= separators - 1;
        }
        self.used = used + k;
    }
}

/// The identifier `id` as an integer when it is 2-3 upper-case letters or
/// digits, the first a letter (as the push lexer requires): one table
/// look-up a byte and one test for all of them.
#[inline]
fn identifier(id: &[u8]) -> Result<SegmentId, Unusual> {
    let class = |b: u8| ID_CLASS[usize::from(b)];
    match *id {
        [a, b] if class(a) & (class(b) << 1) & UPPER != 0 => Ok(SegmentId::of_checked(a, b, None)),
        [a, b, c] if class(a) & (class(b) << 1) & (class(c) << 1) & UPPER != 0 => {
            Ok(SegmentId::of_checked(a, b, Some(c)))
        }
        _ => Err(Unusual),
    }
}

/// [`ID_CLASS`] bit of a letter or digit.
const ALNUM: u8 = 1;
/// [`ID_CLASS`] bit of an upper-case letter.
const UPPER: u8 = 2;

/// The class of each byte in a segment identifier: `ALNUM | UPPER` for
/// `A`-`Z`, `ALNUM` for `0`-`9`, nothing for the rest.
const ID_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'A'..=b'Z' => ALNUM | UPPER,
            b'0'..=b'9' => ALNUM,
            _ => 0,
        };
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::SegmentReader;
    use crate::x12::tests::Chunked;

    /// Everything a caller can ask of one segment.
    #[derive(Clone, Debug, PartialEq, Eq)]
    struct Seen {
        raw: Vec<u8>,
        id: SegmentId,
        id_len: usize,
        byte: u64,
        number: u64,
        delims: Delimiters,
        last: usize,
        elements: Vec<Vec<u8>>,
    }

    fn seen(s: &Segment<'_>) -> Seen {
        Seen {
            raw: s.raw().to_vec(),
            id: s.code(),
            id_len: s.id().len(),
            byte: s.pos().byte,
            number: s.pos().segment,
            delims: s.delimiters(),
            last: s.last_element(),
            elements: (0..32).map(|n| s.element(n).to_vec()).collect(),
        }
    }

    /// The push reader's segments, or `None` when it reports a notice or
    /// an error.
    fn pushed(input: &[u8], sizes: &[usize]) -> Option<Vec<Seen>> {
        let mut reader = SegmentReader::new(Chunked {
            input,
            sizes: sizes.to_vec(),
            next: 0,
        });
        let mut out = Vec::new();
        while let Some(s) = reader.next_segment().ok()? {
            out.push(seen(&s));
        }
        (!reader.has_notices()).then_some(out)
    }

    /// The batch reader's segments, or `None` when it finds the input
    /// unusual.
    fn batched(input: &[u8], sizes: &[usize]) -> Option<Vec<Seen>> {
        let mut reader = BatchReader::new(Chunked {
            input,
            sizes: sizes.to_vec(),
            next: 0,
        });
        let mut out = Vec::new();
        while reader.next_batch().ok()? {
            assert!(reader.len() > 0);
            for i in 0..reader.len() {
                out.push(seen(&reader.segment(i).expect("in the batch")));
            }
        }
        Some(out)
    }

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *100101*1000*^*00501*000000905*0*T*:~";

    /// Two interchanges with different delimiters (the second ends
    /// segments with LF after CR), blank lines between segments, a
    /// segment of more than 25 elements and one across several blocks.
    fn rich() -> Vec<u8> {
        let long: String = (1..=40).map(|i| format!("*E{i}")).collect();
        let wide = "x".repeat(150);
        let first = format!(
            "{ISA}\r\nGS*HP*S*R*20100101*1000*1*X*005010X221A1~ST*835*0001~BPR*I*10~\
             MIA{long}~\r\n\r\nNM1*QC*1*{wide}*A*B~TS*~SE*6*0001~GE*1*1~IEA*1*000000905~\r\n"
        );
        let second = format!(
            "{ISA}GS*HP*S*R*20100101*1000*1*X*005010X221A1~ST*835*0002~BPR*I*20~SE*3*0002~GE*1*1~IEA*1*000000905~"
        )
        .replace('*', "|")
        .replace('~', "\r\n")
        .replace("|:\r\n", "|>\n");
        format!("{first}  \n{second}\n").into_bytes()
    }

    #[test]
    fn the_same_segments_as_the_push_reader_whatever_the_split() {
        let input = rich();
        let expected = pushed(&input, &[usize::MAX]).expect("a clean input");
        assert_eq!(expected.len(), 17);
        assert!(expected.iter().any(|s| s.last == usize::MAX));
        // The first read ends at every offset: every segment, the ISA and
        // the blanks between segments are cut by the batch boundary once.
        for split in 0..=input.len() {
            let sizes = [split, usize::MAX];
            assert_eq!(
                batched(&input, &sizes).as_ref(),
                Some(&expected),
                "split {split}"
            );
        }
        // And reads of every small size.
        for size in 1..70 {
            let sizes = vec![size; input.len()];
            assert_eq!(
                batched(&input, &sizes).as_ref(),
                Some(&expected),
                "size {size}"
            );
        }
    }

    #[test]
    fn unusual_exactly_when_the_push_reader_reports_something() {
        let input = rich();
        let mut broken = Vec::new();
        // Cut at every offset (an unterminated last segment, a short ISA,
        // nothing at all, or a clean cut after a terminator).
        for cut in 0..input.len() {
            broken.push(input[..cut].to_vec());
        }
        // Text before the first ISA, between interchanges, after the last.
        broken.push([b"\xEF\xBB\xBF".as_slice(), &input].concat());
        broken.push([b"\r\n".as_slice(), &input].concat());
        let at = input.windows(5).position(|w| w == b"IEA*1").unwrap();
        let end = at + input[at..].iter().position(|&b| b == b'~').unwrap() + 1;
        broken.push([&input[..end], b"junk", &input[end..]].concat());
        broken.push([input.as_slice(), b"trailer"].concat());
        // Bad identifiers, a tab-separated file, a segment cut in two.
        broken.push(
            String::from_utf8(input.clone())
                .unwrap()
                .replace("BPR*", "bpr*")
                .into_bytes(),
        );
        broken.push(
            String::from_utf8(input.clone())
                .unwrap()
                .replace("TS*", "TSXX*")
                .into_bytes(),
        );
        broken.push(
            String::from_utf8(input.clone())
                .unwrap()
                .replace("NM1*QC*1", "NM1*Q~C*1")
                .into_bytes(),
        );
        broken.push(
            String::from_utf8(input.clone())
                .unwrap()
                .replace('*', "\t")
                .into_bytes(),
        );
        // Every byte in turn made a terminator.
        for at in (0..input.len()).step_by(3) {
            let mut edited = input.clone();
            edited[at] = b'~';
            broken.push(edited);
        }
        let (mut unusual, mut usual) = (0, 0);
        for (k, input) in broken.iter().enumerate() {
            for sizes in [vec![usize::MAX], vec![5; input.len()]] {
                let expected = pushed(input, &sizes);
                assert_eq!(
                    batched(input, &sizes),
                    expected,
                    "input {k}, sizes {}",
                    sizes[0]
                );
                if expected.is_some() {
                    usual += 1;
                } else {
                    unusual += 1;
                }
            }
        }
        assert!(
            usual > 50 && unusual > 200,
            "{usual} usual, {unusual} unusual"
        );
    }

    #[test]
    fn identifiers_are_two_or_three_upper_case_letters_or_digits_from_a_letter() {
        let upper = |b: u8| b.is_ascii_uppercase();
        let alnum = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let ok = upper(a) && alnum(b);
                assert_eq!(identifier(&[a, b]).is_ok(), ok, "{a} {b}");
                for c in [b'A', b'Z', b'0', b'9', b'a', b'*', 0, 0xC1] {
                    let ok3 = ok && alnum(c);
                    assert_eq!(identifier(&[a, b, c]).is_ok(), ok3, "{a} {b} {c}");
                    if ok3 {
                        assert_eq!(identifier(&[a, b, c]), Ok(SegmentId::of(&[a, b, c])));
                    }
                }
            }
        }
        assert_eq!(identifier(b"A"), Err(Unusual));
        assert_eq!(identifier(b"ABCD"), Err(Unusual));
        assert_eq!(identifier(b"NM1"), Ok(ids::NM1));
        assert_eq!(identifier(b"N1"), Ok(ids::N1));
    }

    #[test]
    fn a_segment_longer_than_the_buffer_is_read_whole() {
        let body = "z".repeat(3 * DEFAULT_BUFFER_LEN + 17);
        let input = format!(
            "{ISA}GS*HP*S*R*20100101*1000*1*X*005010X221A1~ST*835*0001~NTE*A*{body}~SE*3*0001~GE*1*1~IEA*1*000000905~"
        )
        .into_bytes();
        let whole = [usize::MAX; 100];
        let expected = pushed(&input, &whole).expect("a clean input");
        assert_eq!(batched(&input, &whole), Some(expected.clone()));
        assert_eq!(batched(&input, &[20_000; 100]), Some(expected));
    }

    #[test]
    fn a_segment_over_the_limit_is_unusual() {
        let limit = 4096;
        for (len, sizes) in [(limit + 1, usize::MAX), (3 * limit, 700), (limit - 40, 700)] {
            let body = "z".repeat(len);
            let input =
                format!("{ISA}GS*HP*S*R*20100101*1000*1*X*005010X221A1~NTE*{body}~").into_bytes();
            let chunks = || Chunked {
                input: &input,
                sizes: vec![sizes; input.len()],
                next: 0,
            };
            let lexer = crate::x12::Lexer::new().with_max_segment_len(limit);
            let mut push = SegmentReader::with_lexer(chunks(), lexer);
            let too_long = loop {
                match push.next_segment() {
                    Ok(Some(_)) => {}
                    Ok(None) => break false,
                    Err(_) => break true,
                }
            };
            let mut batch = BatchReader::new(chunks()).with_max_segment_len(limit);
            let unusual = loop {
                match batch.next_batch() {
                    Ok(true) => {}
                    Ok(false) => break false,
                    Err(Unusual) => break true,
                }
            };
            // Unusual whenever the push lexer may say "too long" (which
            // it says or not depending on how the bytes arrive).
            assert_eq!(unusual, len > limit, "{len}");
            assert!(unusual || !too_long, "{len}");
            assert_eq!(too_long, len > 2 * limit, "{len}");
        }
    }

    proptest::proptest! {
        #[test]
        fn random_edits_and_chunks_agree_with_the_push_reader(
            edits in proptest::collection::vec((0usize..2000, proptest::num::u8::ANY), 0..4),
            sizes in proptest::collection::vec(1usize..200, 1..40),
        ) {
            let mut input = rich();
            for (at, byte) in edits {
                let at = at % input.len();
                input[at] = byte;
            }
            proptest::prop_assert_eq!(batched(&input, &sizes), pushed(&input, &sizes));
        }

        #[test]
        fn the_batch_reader_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400), prefix in 0usize..2) {
            let mut input = if prefix == 1 { ISA.as_bytes().to_vec() } else { Vec::new() };
            input.extend(bytes);
            let _ = batched(&input, &[usize::MAX]);
            let _ = batched(&input, &[3; 200]);
        }
    }
}
