//! One X12 input read end to end: segments → envelope → the 835, 837, 999,
//! 277 or 276 parser chosen by each transaction's ST01 and GS08 (never by
//! file name); TA1 interchange acknowledgments are read where they sit.
//!
//! The reader yields typed events as soon as each claim is complete and
//! gathers every finding (syntax notices, envelope, parser, balancing) so
//! the caller can decide whether the input is usable.

use std::collections::VecDeque;
use std::io::Read;

use jiff::civil::Date;

use crate::acks::{AckEvent, FunctionalAckParser, StatusEvent, StatusParser};
use crate::claim::{ClaimEvent, ClaimParser};
use crate::diagnostic::{Expected, Issue, Rule, Severity, shown_element};
use crate::envelope::{Envelope, Role, TransactionId};
use crate::remittance::parser::ClaimPool;
use crate::remittance::{ClaimPayment, RemittanceEvent, RemittanceParser};
use crate::x12::{Notice, Position, ReadError, Segment, SegmentReader, SliceReader, value};

/// A source of segments: a streaming reader or a slice reader.
pub trait SegmentSource {
    /// The next segment, or `None` at the end.
    fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError>;
    /// Notices gathered so far.
    fn take_notices(&mut self) -> Vec<Notice>;
    /// True when notices are waiting (so that taking none costs nothing).
    fn has_notices(&self) -> bool {
        true
    }
}

impl<R: Read> SegmentSource for SegmentReader<R> {
    fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        SegmentReader::next_segment(self)
    }
    fn take_notices(&mut self) -> Vec<Notice> {
        SegmentReader::take_notices(self)
    }
    fn has_notices(&self) -> bool {
        SegmentReader::has_notices(self)
    }
}

impl SegmentSource for SliceReader<'_> {
    fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        Ok(SliceReader::next_segment(self)?)
    }
    fn take_notices(&mut self) -> Vec<Notice> {
        SliceReader::take_notices(self)
    }
    fn has_notices(&self) -> bool {
        SliceReader::has_notices(self)
    }
}

/// What a document yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentEvent {
    /// Part of an 835 transaction.
    Remittance(RemittanceEvent),
    /// Part of an 837 transaction.
    Claim(ClaimEvent),
    /// A TA1, or a whole 999 transaction.
    Acknowledgment(AckEvent),
    /// Part of a 277CA, 277 or 276 transaction.
    Status(StatusEvent),
    /// A transaction that ended without SE; what it yielded must be dropped.
    Aborted(Box<TransactionId>),
}

enum Parser {
    Remittance(RemittanceParser),
    Claim(Box<ClaimParser>),
    FunctionalAck(Box<FunctionalAckParser>),
    Status(Box<StatusParser>),
    Skip,
}

/// Reads one X12 input and yields its typed events.
pub struct DocumentReader<S> {
    source: S,
    state: Dispatch,
}

/// Everything but the source, so a borrowed segment can be handed over.
struct Dispatch {
    envelope: Envelope,
    parser: Option<Parser>,
    /// Claim payments handed back, for the next 835 transaction.
    pool: ClaimPool,
    events: VecDeque<DocumentEvent>,
    issues: Vec<Issue>,
    last: Position,
    done: bool,
    /// ISA09 of the open interchange, GS04 of the open group: the dates an
    /// acknowledgment was issued on.
    interchange_date: Option<Date>,
    group_date: Option<Date>,
}

impl<R: Read> DocumentReader<SegmentReader<R>> {
    /// A streaming document over any reader.
    pub fn from_reader(source: R) -> Self {
        Self::new(SegmentReader::new(source))
    }
}

impl<'a> DocumentReader<SliceReader<'a>> {
    /// A document over bytes in memory.
    pub fn from_slice(bytes: &'a [u8]) -> Self {
        Self::new(SliceReader::new(bytes))
    }
}

impl<S: SegmentSource> DocumentReader<S> {
    /// A document over a segment source.
    pub fn new(source: S) -> Self {
        DocumentReader {
            source,
            state: Dispatch {
                envelope: Envelope::new(),
                parser: None,
                pool: ClaimPool::default(),
                events: VecDeque::new(),
                issues: Vec::new(),
                last: Position::default(),
                done: false,
                interchange_date: None,
                group_date: None,
            },
        }
    }

    /// Takes the findings recorded so far.
    pub fn take_issues(&mut self) -> Vec<Issue> {
        std::mem::take(&mut self.state.issues)
    }

    /// Hands back a claim payment (from [`DocumentEvent::Remittance`]) the
    /// caller is done with, so that later claims reuse its memory.
    pub fn recycle(&mut self, claim: Box<ClaimPayment>) {
        match &mut self.state.parser {
            Some(Parser::Remittance(p)) => p.recycle(claim),
            _ => self.state.pool.give(claim),
        }
    }

    /// Number of interchanges (ISA) seen so far.
    pub fn interchanges(&self) -> u64 {
        self.state.envelope.interchanges()
    }

    /// The next event; `Ok(None)` at the end. A syntax or I/O error ends the
    /// document (it is also recorded as a fatal finding).
    pub fn next_event(&mut self) -> Result<Option<DocumentEvent>, ReadError> {
        loop {
            if let Some(event) = self.state.events.pop_front() {
                return Ok(Some(event));
            }
            if self.state.done {
                return Ok(None);
            }
            self.step()?;
        }
    }

    fn step(&mut self) -> Result<(), ReadError> {
        let state = &mut self.state;
        match self.source.next_segment() {
            Ok(Some(seg)) => state.segment(&seg),
            Ok(None) => state.end_of_input(),
            Err(e) => {
                let (pos, message) = match &e {
                    ReadError::Syntax(e) => (e.pos, e.kind.to_string()),
                    ReadError::Io(e) => (state.last, format!("read failed: {e}")),
                };
                state.fail(pos, message);
                self.collect_notices();
                return Err(e);
            }
        }
        if self.source.has_notices() {
            self.collect_notices();
        }
        Ok(())
    }

    fn collect_notices(&mut self) {
        for notice in self.source.take_notices() {
            let issue = Issue::new(
                Severity::Warning,
                Rule::Skipped,
                notice.pos,
                notice.to_string(),
            );
            self.state.issues.push(issue);
        }
    }
}

impl Dispatch {
    fn segment(&mut self, seg: &Segment<'_>) {
        self.last = seg.pos();
        match self.envelope.feed(seg) {
            Role::Body => self.body(seg),
            Role::TransactionStart => {
                self.abort_open();
                let pool = std::mem::take(&mut self.pool);
                let date = self.group_date.or(self.interchange_date);
                self.parser = Some(start_parser(
                    self.envelope.transaction(),
                    seg,
                    pool,
                    date,
                    &mut self.issues,
                ));
            }
            Role::TransactionEnd => self.end_transaction(seg.pos()),
            Role::Stray => {}
            Role::InterchangeAck => self.interchange_ack(seg),
            Role::InterchangeStart => {
                self.abort_open();
                // ISA09 is YYMMDD; X12 5010 interchanges are all 20YY.
                let raw = seg.element(9).trim_ascii();
                self.interchange_date = (raw.len() == 6)
                    .then(|| value::date(&[b"20", raw].concat()))
                    .flatten();
                self.group_date = None;
            }
            Role::GroupStart => {
                self.abort_open();
                self.group_date = value::date(seg.element(4));
            }
            _ => self.abort_open(),
        }
        if self.parser_has_output() {
            self.drain();
        }
        if self.envelope.has_issues() {
            self.issues.extend(self.envelope.take_issues());
        }
    }

    /// True when the parser has events or findings to hand over.
    #[inline]
    fn parser_has_output(&self) -> bool {
        match &self.parser {
            Some(Parser::Remittance(p)) => p.has_output(),
            Some(Parser::Claim(p)) => p.has_output(),
            Some(Parser::FunctionalAck(p)) => p.has_output(),
            Some(Parser::Status(p)) => p.has_output(),
            _ => false,
        }
    }

    fn end_of_input(&mut self) {
        self.envelope.finish(self.last);
        self.abort_open();
        self.issues.extend(self.envelope.take_issues());
        self.done = true;
    }

    fn fail(&mut self, pos: Position, message: String) {
        self.issues
            .push(Issue::new(Severity::Fatal, Rule::Syntax, pos, message));
        self.abort_open();
        self.done = true;
    }

    fn body(&mut self, seg: &Segment<'_>) {
        match &mut self.parser {
            Some(Parser::Remittance(p)) => p.segment(seg),
            Some(Parser::Claim(p)) => p.segment(seg),
            Some(Parser::FunctionalAck(p)) => p.segment(seg),
            Some(Parser::Status(p)) => p.segment(seg),
            _ => {}
        }
    }

    /// A TA1 between envelopes: handed out at once.
    fn interchange_ack(&mut self, seg: &Segment<'_>) {
        let ack = crate::acks::interchange_ack(
            seg,
            self.envelope.transaction(),
            self.interchange_date,
            &mut self.issues,
        );
        self.events
            .push_back(DocumentEvent::Acknowledgment(AckEvent::Interchange(
                Box::new(ack),
            )));
    }

    fn end_transaction(&mut self, se: Position) {
        match &mut self.parser {
            Some(Parser::Remittance(p)) => p.finish(se),
            Some(Parser::Claim(p)) => p.finish(se),
            Some(Parser::FunctionalAck(p)) => p.finish(se),
            Some(Parser::Status(p)) => p.finish(),
            _ => {}
        }
        self.drain();
        self.close_parser();
    }

    /// Drops the parser, keeping its reusable claims.
    fn close_parser(&mut self) -> Option<Parser> {
        let mut parser = self.parser.take();
        if let Some(Parser::Remittance(p)) = &mut parser {
            self.pool = p.take_pool();
        }
        parser
    }

    /// Moves parser events and findings into the document's queues.
    fn drain(&mut self) {
        match &mut self.parser {
            Some(Parser::Remittance(p)) => {
                self.events
                    .extend(std::iter::from_fn(|| p.next_event()).map(DocumentEvent::Remittance));
                self.issues.extend(p.take_issues());
            }
            Some(Parser::Claim(p)) => {
                self.events
                    .extend(std::iter::from_fn(|| p.next_event()).map(DocumentEvent::Claim));
                self.issues.extend(p.take_issues());
            }
            Some(Parser::FunctionalAck(p)) => {
                self.events.extend(
                    std::iter::from_fn(|| p.next_event()).map(DocumentEvent::Acknowledgment),
                );
                self.issues.extend(p.take_issues());
            }
            Some(Parser::Status(p)) => {
                self.events
                    .extend(std::iter::from_fn(|| p.next_event()).map(DocumentEvent::Status));
                self.issues.extend(p.take_issues());
            }
            _ => {}
        }
    }

    /// A transaction cut short by a new envelope or the end of input.
    fn abort_open(&mut self) {
        self.drain();
        if let Some(parser) = self.close_parser() {
            if !matches!(parser, Parser::Skip) {
                let id = self.envelope.transaction().clone();
                self.events.push_back(DocumentEvent::Aborted(Box::new(id)));
            }
        }
    }
}

fn start_parser(
    id: &TransactionId,
    seg: &Segment<'_>,
    pool: ClaimPool,
    date: Option<Date>,
    issues: &mut Vec<Issue>,
) -> Parser {
    match id.set_id.as_str() {
        "835" => Parser::Remittance(RemittanceParser::with_pool(id.clone(), pool)),
        "837" => Parser::Claim(Box::new(ClaimParser::new(id.clone()))),
        "999" => Parser::FunctionalAck(Box::new(FunctionalAckParser::new(id.clone(), date))),
        // 277CA (X214) and 277 responses (X212) share one loop shape, and
        // the 276 is the same hierarchy without statuses; the parser tells
        // them apart by GS08/ST03.
        "277" | "276" => Parser::Status(Box::new(StatusParser::new(id.clone()))),
        other => {
            let shown = shown_element(
                b"ST",
                other.as_bytes(),
                1,
                other.as_bytes(),
                Expected::Digits(3),
            );
            let (message, redacted) = shown.messages(|set| {
                format!("transaction set {set} is not an 835, 837, 999, 277 or 276; skipped")
            });
            issues.push(
                Issue::new(
                    Severity::Warning,
                    Rule::UnsupportedTransaction,
                    seg.pos(),
                    message,
                )
                .at_segment(b"ST")
                .with_redacted(redacted),
            );
            Parser::Skip
        }
    }
}
