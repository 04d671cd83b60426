//! Segment readers over the push lexer: one streams from any `Read` with a
//! bounded buffer, one walks a byte slice already in memory.
//!
//! Both hand out [`Segment`]s that borrow their bytes (from the reader's
//! buffer, or from the slice) and keep the lexer's notices for the caller.

use std::io::Read;

use super::Segment;
use super::lexer::{Lexer, Notice, SyntaxError, Token};

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
                Token::Segment { start, end, id_len } => {
                    let raw = &self.buf[base + start..base + end];
                    let (delims, at) = (self.lexer.delimiters(), self.lexer.location());
                    let controls = self.lexer.controls();
                    return Ok(Some(Segment::located(raw, id_len, delims, at, controls)));
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
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Walks the segments of a byte slice; segments borrow from the slice.
pub struct SliceReader<'a> {
    input: &'a [u8],
    at: usize,
    lexer: Lexer,
    notices: Vec<Notice>,
}

impl<'a> SliceReader<'a> {
    /// A reader over the whole of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        SliceReader {
            input,
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
                Token::Segment { start, end, id_len } => {
                    let raw = &self.input[base + start..base + end];
                    let (delims, at) = (self.lexer.delimiters(), self.lexer.location());
                    let controls = self.lexer.controls();
                    return Ok(Some(Segment::located(raw, id_len, delims, at, controls)));
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
}
