//! Segment readers over the push lexer: one streams from any `Read` with a
//! bounded buffer, one walks a byte slice already in memory.
//!
//! Both hand out [`Segment`]s that borrow their bytes (from the reader's
//! buffer, or from the slice) and keep the lexer's notices for the caller.

use std::io::Read;

use super::Segment;
use super::lexer::{Lexer, Notice, SyntaxError, Token};
use super::segment::SegmentId;

/// Initial size of a streaming reader's buffer.
pub const DEFAULT_BUFFER_LEN: usize = 64 * 1024;

/// Why reading segments stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The underlying reader failed.
    #[error("read failed: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not X12.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
}

impl From<Box<SyntaxError>> for ReadError {
    fn from(e: Box<SyntaxError>) -> Self {
        ReadError::Syntax(*e)
    }
}

/// Streams segments from any `Read`; memory is bounded by the longest segment.
pub struct SegmentReader<R> {
    source: R,
    buf: Vec<u8>,
    /// `buf[..checked.len()]` as text: bytes are checked as UTF-8 once, as
    /// they are read, so that segments need no check of their own. It stops
    /// before bytes that are not UTF-8 (until they leave the buffer).
    checked: String,
    start: usize,
    end: usize,
    eof: bool,
    lexer: Lexer,
    notices: Vec<Notice>,
}

impl<R: Read> SegmentReader<R> {
    /// A reader with the default buffer and segment-length limit.
    pub fn new(source: R) -> Self {
        Self::with_lexer(source, Lexer::new())
    }

    /// A reader using a configured lexer.
    pub fn with_lexer(source: R, lexer: Lexer) -> Self {
        SegmentReader {
            source,
            buf: vec![0; DEFAULT_BUFFER_LEN],
            checked: String::new(),
            start: 0,
            end: 0,
            eof: false,
            lexer,
            notices: Vec::new(),
        }
    }

    /// The next segment, or `None` at the end of the input.
    pub fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        loop {
            let step = self.lexer.step(&self.buf[self.start..self.end], self.eof)?;
            let base = self.start;
            self.start += step.consumed;
            match step.token {
                Token::Segment {
                    start,
                    end,
                    id_len,
                    id,
                } => {
                    let (from, to) = (base + start, base + end);
                    let raw = &self.buf[from..to];
                    let text = self.checked.get(from..to);
                    return Ok(Some(ended(&self.lexer, raw, text, (id_len, id))));
                }
                Token::Notice => self.notices.extend(self.lexer.take_notice()),
                Token::NeedMore => self.fill()?,
                Token::End => return Ok(None),
            }
        }
    }

    /// Notices gathered so far (skipped text, missing final terminator).
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// True when notices are waiting.
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    /// Bytes read from the source so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.lexer.offset()
    }

    /// Moves unread bytes to the front, grows the buffer if it is full, and
    /// reads more.
    fn fill(&mut self) -> Result<(), ReadError> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.drop_checked(self.start);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let limit = self.lexer.max_segment_len() + 2 * DEFAULT_BUFFER_LEN;
            let grown = (self.buf.len() * 2).min(limit).max(self.buf.len() + 1);
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
                    self.check_text();
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl<R> SegmentReader<R> {
    /// Forgets the checked text of the first `len` bytes, which left the
    /// buffer.
    fn drop_checked(&mut self, len: usize) {
        if self.checked.is_char_boundary(len) && len <= self.checked.len() {
            self.checked.drain(..len);
        } else {
            self.checked.clear();
        }
    }

    /// Extends the checked text over the bytes read since, up to the first
    /// byte that is not (or not yet) UTF-8.
    fn check_text(&mut self) {
        let from = self.checked.len();
        if from >= self.end {
            return;
        }
        let fresh = &self.buf[from..self.end];
        let valid = match std::str::from_utf8(fresh) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&fresh[..e.valid_up_to()]).unwrap_or_default(),
        };
        self.checked.push_str(valid);
    }
}

/// Walks the segments of a byte slice; segments borrow from the slice.
pub struct SliceReader<'a> {
    input: &'a [u8],
    /// `input[checked_from..]` as text up to its first byte that is not
    /// UTF-8: checked once per stretch, not once per segment.
    checked: &'a str,
    checked_from: usize,
    at: usize,
    lexer: Lexer,
    notices: Vec<Notice>,
}

impl<'a> SliceReader<'a> {
    /// A reader over the whole of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        SliceReader {
            input,
            checked: "",
            checked_from: 0,
            at: 0,
            lexer: Lexer::new(),
            notices: Vec::new(),
        }
    }

    /// The next segment, or `None` at the end of the input.
    #[inline]
    pub fn next_segment(&mut self) -> Result<Option<Segment<'_>>, SyntaxError> {
        loop {
            let step = self
                .lexer
                .step(&self.input[self.at..], true)
                .map_err(|e| *e)?;
            let base = self.at;
            self.at += step.consumed;
            match step.token {
                Token::Segment {
                    start,
                    end,
                    id_len,
                    id,
                } => {
                    let (from, to) = (base + start, base + end);
                    let text = self.text(from, to);
                    let raw = &self.input[from..to];
                    return Ok(Some(ended(&self.lexer, raw, text, (id_len, id))));
                }
                Token::Notice => self.notices.extend(self.lexer.take_notice()),
                Token::NeedMore | Token::End => return Ok(None),
            }
        }
    }

    /// Notices gathered so far.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// True when notices are waiting.
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    /// `input[from..to]` as text, if it is UTF-8: sliced from the checked
    /// stretch, which is extended (a stretch at a time) when needed.
    #[inline]
    fn text(&mut self, from: usize, to: usize) -> Option<&'a str> {
        let end = self.checked_from + self.checked.len();
        if from < self.checked_from || to > end {
            self.check_from(from, to);
        }
        self.checked
            .get(from - self.checked_from..to.checked_sub(self.checked_from)?)
    }

    /// Checks a stretch of at least `CHECKED_STRETCH` bytes from `from`.
    fn check_from(&mut self, from: usize, to: usize) {
        let input: &'a [u8] = self.input;
        let until = input.len().min(to.max(from + CHECKED_STRETCH));
        let stretch = &input[from..until];
        self.checked_from = from;
        self.checked = match std::str::from_utf8(stretch) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(&stretch[..e.valid_up_to()]).unwrap_or_default(),
        };
    }
}

/// Bytes of a slice checked as UTF-8 at once by [`SliceReader`].
const CHECKED_STRETCH: usize = 64 * 1024;

/// The segment `lexer` has just ended: `raw` its bytes and `text` the same
/// bytes as checked text (when the reader checks them); where its elements
/// start, its delimiters, position and control numbers are the lexer's.
/// Both readers build their segments here.
fn ended<'a>(
    lexer: &'a Lexer,
    raw: &'a [u8],
    text: Option<&'a str>,
    id: (usize, SegmentId),
) -> Segment<'a> {
    Segment::located(
        raw,
        text,
        id,
        lexer.element_starts(),
        lexer.delimiters(),
        lexer.location(),
        lexer.controls(),
    )
}
