//! Inputs read twice (issue 17): a run without `--db` keeps, of every 835
//! transaction and 837 claim of an input that can be read again (a regular
//! file, bytes in memory), *where* its bytes are — not its parsed or packed
//! content — and reads and parses them again when the engine needs them: a
//! transaction when it is applied, a claim when matching reads it and for
//! its NO_REMITTANCE rows. Inputs that can be read once only (a pipe) keep
//! the packed form (`line::PackedTransaction`, `claim::PackedClaim`).
//!
//! Pass 1: a [`Locator`] sits between the segment reader and the document
//! reader and notes, in [`Marks`], the byte spans of the open interchange's
//! ISA, the open group's GS, each transaction's ST..SE, and for each 837
//! claim: its transaction's heading (ST up to the first HL), the HL loops
//! whose content it carries (the last billing provider, subscriber and
//! patient loops, each HL up to the next HL or CLM — by level code, as the
//! claim parser reads them) and the claim itself (CLM up to the next HL,
//! CLM or SE). A span is a byte offset, a length and the
//! ordinal of its first segment: 16 bytes. What a claim keeps of its spans
//! is its batch (the transaction's envelope and heading and the HL loops
//! its claims name, each once, relative to the heading: shared) and,
//! inline in the claim, its own span relative to the heading (12 bytes:
//! its CLM loop and the HL loops right before it, read with it — a
//! generated claim's subscriber and patient loops, which no other claim
//! names) and the indices in the batch of its HL loops apart from it (2
//! bytes each; the billing provider's): `claim::ClaimPlace`, no heap block
//! of its own.
//!
//! Pass 2: the spans are copied into one buffer (a claim gets a one-segment
//! SE after it) and read with the same readers, each segment placed back
//! at its byte and ordinal in the input ([`Relocate`]): what was parsed
//! carries the positions of the first read (a reason that names a claim's
//! CLM segment, the order of claims by byte), so nothing downstream can
//! tell the two reads apart.
//!
//! An input changed between the passes is never mixed with what was read
//! first: a file's size and modification time are checked against those
//! taken at the first read before each read, and what is parsed again is
//! checked against the first read (a transaction's ST..SE content hash and
//! semantic fingerprint, a claim's CLM01 and fingerprint) by
//! `PackedTransaction::unpack` and `PackedClaim::unpack`. Either fails with
//! an error naming the input, segment and byte.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use crate::claim::{BilledClaim, ClaimPlace, ClaimsAt, PLACE_PARTS, PlaceSpan, SharedBatch};
use crate::document::{DocumentReader, SegmentSource};
use crate::line::{RemittanceTransaction, TransactionAt};
use crate::scan::{Consumer, scan};
use crate::x12::{Notice, ReadError, Segment, SliceReader};

/// An input that can be read at any byte, after it was read through once.
pub trait ReadAt: Send + Sync + std::fmt::Debug {
    /// Its name (as in findings and the ledger's `source`).
    fn name(&self) -> &str;
    /// Fails when it changed since it was first read (or cannot be read).
    fn check(&self) -> Result<(), String>;
    /// Fills `buf` with its bytes from `offset` on; fails when it has
    /// fewer or cannot be read. Call [`ReadAt::check`] first.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), String>;
}

/// Bytes in memory, shared.
#[derive(Debug)]
pub struct BytesAt {
    name: String,
    bytes: Arc<[u8]>,
}

impl BytesAt {
    /// `bytes`, named `name`.
    pub fn new(name: String, bytes: Arc<[u8]>) -> BytesAt {
        BytesAt { name, bytes }
    }
}

impl ReadAt for BytesAt {
    fn name(&self) -> &str {
        &self.name
    }

    /// Shared bytes never change.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), String> {
        let from = usize::try_from(offset).unwrap_or(usize::MAX);
        let bytes = from
            .checked_add(buf.len())
            .and_then(|to| self.bytes.get(from..to))
            .ok_or_else(|| format!("{}: no bytes at byte {offset}", self.name))?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

/// Files kept open between reads, across every input of the process: a
/// folder of thousands of files must not run out of file descriptors
/// (the others are opened for each read).
const KEEP_OPEN: usize = 256;
static KEPT_OPEN: AtomicUsize = AtomicUsize::new(0);

/// A regular file, with its size and modification time at the first read.
#[derive(Debug)]
pub struct FileAt {
    name: String,
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    /// Open when fewer than [`KEEP_OPEN`] are.
    file: Option<File>,
}

impl FileAt {
    /// The regular file at `path`, named `name`; its size and time now are
    /// what every later read checks. Call it before the first read: a file
    /// changed after is then caught by the check.
    pub fn open(name: String, path: &Path) -> std::io::Result<FileAt> {
        let file = open_file(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        let keep = KEPT_OPEN.fetch_add(1, Ordering::Relaxed) < KEEP_OPEN;
        if !keep {
            KEPT_OPEN.fetch_sub(1, Ordering::Relaxed);
        }
        Ok(FileAt {
            name,
            path: path.to_path_buf(),
            len: meta.len(),
            modified: meta.modified().ok(),
            file: keep.then_some(file),
        })
    }

    /// Fails unless the file still has the size and time of the first read.
    fn check_file(&self) -> Result<(), String> {
        let meta = match &self.file {
            Some(file) => file.metadata(),
            None => std::fs::metadata(&self.path),
        };
        let meta = meta.map_err(|e| format!("{}: cannot read it again: {e}", self.name))?;
        if meta.len() != self.len || meta.modified().ok() != self.modified {
            return Err(format!(
                "{}: changed while it was reconciled (it was {} bytes, it is {}; or its modification time changed): reconcile reads its inputs twice and never mixes two versions of one; run again on files that do not change",
                self.name,
                self.len,
                meta.len()
            ));
        }
        Ok(())
    }
}

impl Drop for FileAt {
    fn drop(&mut self) {
        if self.file.is_some() {
            KEPT_OPEN.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Opens `path` for reading without blocking on a FIFO put in its place.
fn open_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

impl ReadAt for FileAt {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> Result<(), String> {
        self.check_file()
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), String> {
        let reopened;
        let file = match &self.file {
            Some(file) => file,
            None => {
                reopened = open_file(&self.path)
                    .map_err(|e| format!("{}: cannot open it again: {e}", self.name))?;
                &reopened
            }
        };
        read_exact_at(file, offset, buf)
            .map_err(|e| format!("{}: cannot read it again at byte {offset}: {e}", self.name))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(mut file: &File, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// Where some segments are in their input: from `start`, `len` bytes, the
/// first of them segment number `segment`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    start: u64,
    len: u32,
    segment: u32,
}

impl Span {
    /// From `start` to `end`, or `None` when it does not fit a span (more
    /// than 4 GiB, or past segment 2³²): then the input's content is kept
    /// packed instead.
    fn new(start: u64, end: u64, segment: u64) -> Option<Span> {
        Some(Span {
            start,
            len: u32::try_from(end.checked_sub(start)?).ok()?,
            segment: u32::try_from(segment).ok()?,
        })
    }
}

/// The ISA and GS segments a transaction is read again under, shared by
/// the transactions of one group: copied once (some 170 bytes a group),
/// not read again for each transaction and claim.
#[derive(Debug)]
pub(crate) struct Prefix {
    /// ISA and GS, each with its terminator.
    bytes: Box<[u8]>,
    /// Where each is in the input: its offset in `bytes` and its span.
    placed: [(u64, Span); 2],
    terminator: u8,
}

impl Prefix {
    /// The prefix of the ISA `isa` (raw, with its byte and segment number)
    /// and the GS `gs`, ended by `terminator`.
    fn new(isa: &(Vec<u8>, u64, u64), gs: &Segment<'_>, terminator: u8) -> Option<Prefix> {
        let (isa_raw, isa_byte, isa_segment) = isa;
        // The element separator is ISA byte 3 (read by `closing_se`).
        if isa_raw.len() < 4 {
            return None;
        }
        let mut bytes = Vec::with_capacity(isa_raw.len() + gs.raw().len() + 2);
        bytes.extend_from_slice(isa_raw);
        bytes.push(terminator);
        let gs_at = bytes.len() as u64;
        bytes.extend_from_slice(gs.raw());
        bytes.push(terminator);
        let pos = gs.pos();
        let isa_span = Span::new(*isa_byte, isa_byte + gs_at, *isa_segment)?;
        let gs_span = Span::new(
            pos.byte,
            pos.byte + (bytes.len() as u64 - gs_at),
            pos.segment,
        )?;
        Some(Prefix {
            bytes: bytes.into_boxed_slice(),
            placed: [(0, isa_span), (gs_at, gs_span)],
            terminator,
        })
    }
}

/// What is open in an 837 transaction: an HL loop or a claim.
#[derive(Debug, Default)]
enum Open {
    #[default]
    Nothing,
    /// The loop of one level (billing provider, subscriber, patient).
    Hl(usize),
    Claim {
        start: u64,
        segment: u64,
        chain: Option<Box<[Span]>>,
    },
}

/// The spans of one 837 claim read in pass 1.
#[derive(Debug)]
pub(crate) struct ClaimSpans {
    /// The ordinal of its CLM segment (to pair it with the claim the
    /// parser hands out, whose position names it).
    segment: u64,
    /// The HL loops above it, outermost first, then the claim; `None`
    /// when some did not fit a span or an HL's parent was not found.
    spans: Option<Box<[Span]>>,
}

/// The spans pass 1 found so far (see the module comment).
#[derive(Debug, Default)]
pub(crate) struct Marks {
    /// The open interchange's ISA: raw, byte, segment number.
    isa: Option<(Vec<u8>, u64, u64)>,
    /// The open group's prefix.
    prefix: Option<Arc<Prefix>>,
    /// The open transaction's ST: byte and segment number.
    st: Option<(u64, u64)>,
    /// ST..SE of the transaction whose SE was read last.
    transaction: Option<Span>,
    /// ST up to the first HL of the open (837) transaction.
    heading: Option<Span>,
    /// The last HL loop of each level read: billing provider (20),
    /// subscriber (22), patient (23).
    levels: [Option<Span>; 3],
    /// False once an HL loop was not followed (an unknown level, or a
    /// span that does not fit): the transaction's later claims are packed.
    hl_known: bool,
    open: Open,
    /// Claims ended and not handed out yet.
    claims: VecDeque<ClaimSpans>,
}

impl Marks {
    fn segment(&mut self, seg: &Segment<'_>) {
        let pos = seg.pos();
        let (start, number) = (pos.byte, pos.segment);
        match seg.id() {
            b"ISA" => {
                self.isa = Some((seg.raw().to_vec(), start, number));
                self.prefix = None;
            }
            b"GS" => {
                let terminator = seg.delimiters().segment;
                self.prefix = self
                    .isa
                    .as_ref()
                    .and_then(|isa| Prefix::new(isa, seg, terminator))
                    .map(Arc::new);
            }
            b"ST" => {
                self.st = Some((start, number));
                (self.transaction, self.heading) = (None, None);
                self.levels = [None; 3];
                self.hl_known = true;
                self.open = Open::Nothing;
                self.claims.clear();
            }
            b"HL" => self.hl(seg, start),
            b"CLM" => {
                self.close(start);
                let chain = self
                    .hl_known
                    .then(|| self.levels.iter().flatten().copied().collect());
                self.open = Open::Claim {
                    start,
                    segment: number,
                    chain,
                };
            }
            b"SE" => {
                self.close(start);
                if let Some((from, first)) = self.st.take() {
                    // The SE's terminator is one byte.
                    let end = start + seg.raw().len() as u64 + 1;
                    self.transaction = Span::new(from, end, first);
                }
            }
            _ => {}
        }
    }

    fn hl(&mut self, seg: &Segment<'_>, start: u64) {
        self.close(start);
        if self.heading.is_none()
            && let Some((from, first)) = self.st
        {
            self.heading = Span::new(from, start, first);
        }
        // As the claim parser reads them: by level code, not by HL02 (a
        // new billing provider leaves the subscriber, a new subscriber
        // ends the patient).
        let level = match seg.element(3) {
            b"20" => 0,
            b"22" => {
                self.levels[2] = None;
                1
            }
            b"23" => 2,
            // The parser keeps reading into the loop before: not followed.
            _ => {
                self.hl_known = false;
                return;
            }
        };
        let span = Span::new(start, start, seg.pos().segment);
        self.hl_known &= span.is_some();
        self.levels[level] = span;
        self.open = Open::Hl(level);
    }

    /// Ends the open HL loop or claim where the segment at `end` starts.
    fn close(&mut self, end: u64) {
        match std::mem::take(&mut self.open) {
            Open::Nothing => {}
            Open::Hl(level) => {
                let span = self.levels[level];
                self.levels[level] =
                    span.and_then(|s| Span::new(s.start, end, u64::from(s.segment)));
                self.hl_known &= self.levels[level].is_some();
            }
            Open::Claim {
                start,
                segment,
                chain,
            } => {
                let spans = chain
                    .zip(Span::new(start, end, segment))
                    .map(|(chain, claim)| {
                        let mut spans = chain.into_vec();
                        spans.push(claim);
                        spans.into_boxed_slice()
                    });
                self.claims.push_back(ClaimSpans { segment, spans });
            }
        }
    }

    /// The envelope and span of the transaction whose SE was read last.
    pub(crate) fn transaction(&self) -> Option<(Arc<Prefix>, Span)> {
        Some((Arc::clone(self.prefix.as_ref()?), self.transaction?))
    }

    /// The envelope and heading of the open (837) transaction.
    pub(crate) fn batch(&self) -> Option<(Arc<Prefix>, Span)> {
        Some((Arc::clone(self.prefix.as_ref()?), self.heading?))
    }

    /// The spans of the claim whose CLM is segment number `segment` (the
    /// claim the parser handed out: claims are handed out in the order
    /// they end, and one the parser dropped is skipped). `None` when it is
    /// not among them: the claim is then kept packed.
    pub(crate) fn claim(&mut self, segment: u64) -> Option<Box<[Span]>> {
        while let Some(next) = self.claims.pop_front() {
            if next.segment == segment {
                return next.spans;
            }
            if next.segment > segment {
                // Handed out before its CLM ended: leave the later ones.
                self.claims.push_front(next);
                return None;
            }
        }
        None
    }
}

/// The segment source of pass 1: hands each segment on and notes it in
/// the marks the input's consumer reads.
pub(crate) struct Locator<'m, S> {
    pub(crate) inner: S,
    pub(crate) marks: &'m RefCell<Marks>,
}

impl<S: SegmentSource> SegmentSource for Locator<'_, S> {
    fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        let seg = self.inner.next_segment()?;
        if let Some(seg) = &seg {
            self.marks.borrow_mut().segment(seg);
        }
        Ok(seg)
    }

    fn take_notices(&mut self) -> Vec<Notice> {
        self.inner.take_notices()
    }

    fn has_notices(&self) -> bool {
        self.inner.has_notices()
    }
}

/// The segment source of pass 2: the copied spans, each segment placed
/// back where it is in the input.
pub(crate) struct Relocate<'a> {
    inner: SliceReader<'a>,
    /// Each span's offset in the copy, and the span.
    spans: &'a [(u64, Span)],
    at: usize,
    /// The ordinal, in the copy, of the first segment of span `at`.
    first: Option<u64>,
}

impl SegmentSource for Relocate<'_> {
    fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        let Some(seg) = self.inner.next_segment()? else {
            return Ok(None);
        };
        let pos = seg.pos();
        while self
            .spans
            .get(self.at + 1)
            .is_some_and(|(from, _)| pos.byte >= *from)
        {
            self.at += 1;
            self.first = None;
        }
        let first = *self.first.get_or_insert(pos.segment);
        Ok(Some(match self.spans.get(self.at) {
            Some((from, span)) => seg.relocated(
                span.start + (pos.byte - from),
                u64::from(span.segment) + (pos.segment - first),
            ),
            None => seg,
        }))
    }

    fn take_notices(&mut self) -> Vec<Notice> {
        self.inner.take_notices()
    }

    fn has_notices(&self) -> bool {
        self.inner.has_notices()
    }
}

/// Bytes copied from an input, with where each part is in it (its offset
/// in the copy, and its span).
type Copied = (Vec<u8>, Vec<(u64, Span)>);

/// Copies `prefix`, then `spans` of `input` (checked once; spans that
/// follow each other read at once), then what `tail` makes of it all, into
/// one buffer; with where each part is in the input.
fn copy_spans(
    input: &dyn ReadAt,
    prefix: &Prefix,
    spans: &[Span],
    tail: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Result<Copied, String> {
    input.check()?;
    let total: usize = spans.iter().map(|s| s.len as usize).sum();
    let mut bytes = Vec::with_capacity(prefix.bytes.len() + total + 32);
    bytes.extend_from_slice(&prefix.bytes);
    let mut placed = Vec::with_capacity(spans.len() + 2);
    placed.extend_from_slice(&prefix.placed);
    let mut at = bytes.len();
    bytes.resize(at + total, 0);
    let mut i = 0;
    while i < spans.len() {
        // A run of spans, each starting where the one before ends.
        let from = spans[i].start;
        let mut end = i;
        while spans
            .get(end + 1)
            .is_some_and(|next| next.start == spans[end].start + u64::from(spans[end].len))
        {
            end += 1;
        }
        let len: usize = spans[i..=end].iter().map(|s| s.len as usize).sum();
        input.read_exact_at(from, &mut bytes[at..at + len])?;
        for span in &spans[i..=end] {
            placed.push((at as u64, *span));
            at += span.len as usize;
        }
        i = end + 1;
    }
    let tail = tail(&bytes);
    bytes.extend_from_slice(&tail);
    Ok((bytes, placed))
}

/// A document over a copy made by [`copy_spans`], its segments where they
/// are in the input.
fn relocated<'a>(bytes: &'a [u8], placed: &'a [(u64, Span)]) -> DocumentReader<Relocate<'a>> {
    DocumentReader::new(Relocate {
        inner: SliceReader::new(bytes),
        spans: placed,
        at: 0,
        first: None,
    })
}

/// Where one 835 transaction is: what a run keeps of it until it is
/// applied (some 80 bytes, whatever its size).
#[derive(Debug)]
pub(crate) struct TransactionSpans {
    input: Arc<dyn ReadAt>,
    prefix: Arc<Prefix>,
    /// ST..SE.
    body: Span,
    parse: ParseAgain,
}

/// Parses the one 835 transaction of bytes read again. It is the reader of
/// `pipeline::input`, handed in by it: that module uses this one to note
/// where transactions are, so this one does not use it back.
pub(crate) type ParseAgain =
    fn(&str, DocumentReader<Relocate<'_>>) -> Option<RemittanceTransaction>;

impl TransactionSpans {
    /// The transaction at `body` (ST..SE) of `input`, under `prefix`,
    /// parsed again by `parse`.
    pub(crate) fn new(
        input: Arc<dyn ReadAt>,
        (prefix, body): (Arc<Prefix>, Span),
        parse: ParseAgain,
    ) -> Self {
        TransactionSpans {
            input,
            prefix,
            body,
            parse,
        }
    }
}

impl TransactionAt for TransactionSpans {
    fn whereabouts(&self) -> String {
        let st = self.body;
        format!(
            "{}: the 835 transaction at segment {} (byte {})",
            self.input.name(),
            st.segment,
            st.start
        )
    }

    fn read_again(&self) -> Result<RemittanceTransaction, String> {
        let spans = [self.body];
        let (bytes, placed) = copy_spans(&*self.input, &self.prefix, &spans, |_| Vec::new())?;
        (self.parse)(self.input.name(), relocated(&bytes, &placed)).ok_or_else(|| {
            format!(
                "{}: is no longer one whole 835 transaction: the input changed during the run; run again",
                self.whereabouts()
            )
        })
    }
}

/// What the claims of one 837 transaction share: where its envelope and
/// heading are, its ST02 and content hash, and the HL loops of its claims,
/// each once (a billing provider's loop is shared by every claim under it;
/// a claim names them by their index here: see [`BatchPlaces`]).
#[derive(Debug)]
pub(crate) struct BatchSpans {
    input: Arc<dyn ReadAt>,
    prefix: Arc<Prefix>,
    /// ST up to the first HL.
    heading: Span,
    control: Box<str>,
    hash: u64,
    /// The HL loops its claims name, relative to the heading.
    parts: Box<[PlaceSpan]>,
}

impl BatchSpans {
    /// The spans in the input of the claim at `place`: its parts (HL
    /// loops), then its own span (CLM loop).
    fn spans_of(&self, place: &ClaimPlace) -> impl Iterator<Item = Span> {
        let heading = self.heading;
        let parts = place
            .parts()
            .iter()
            .filter_map(|&i| self.parts.get(usize::from(i)).copied());
        parts.chain([place.span()]).map(move |s| Span {
            start: heading.start + u64::from(s.offset),
            len: s.len,
            segment: heading.segment.saturating_add(s.segment),
        })
    }
}

/// Most HL loops one [`BatchSpans`] holds: its claims name them by a `u16`.
const BATCH_PARTS: usize = 1 << 16;

/// Places the claims of one 837 transaction in its batch: each HL loop
/// apart from its claim is kept once however many claims it carries, and
/// one right before it is read with it (a generated batch keeps its
/// billing provider's loop alone: ~17 bytes a claim for the whole batch
/// on the 200 MB generated pair, ~31 with each subscriber's loop kept
/// too; each claim held its three or four spans inline, 52 bytes: issue
/// 17). A transaction with more than 65,536 HL loops gets a second batch
/// (same heading) for the claims past them.
pub(crate) struct BatchPlaces {
    /// The batch being filled (its `parts` empty: they are in `parts`).
    batch: BatchSpans,
    parts: Vec<PlaceSpan>,
    seen: crate::hashing::HashMap<PlaceSpan, u16>,
    /// The batches filled before.
    done: Vec<BatchSpans>,
}

impl BatchPlaces {
    /// The 837 transaction whose heading is at `heading` of `input`, under
    /// `prefix`, with ST02 `control` and content hash `hash`.
    pub(crate) fn new(
        input: Arc<dyn ReadAt>,
        (prefix, heading): (Arc<Prefix>, Span),
        control: &str,
        hash: u64,
    ) -> Self {
        BatchPlaces {
            batch: BatchSpans {
                input,
                prefix,
                heading,
                control: control.into(),
                hash,
                parts: Box::default(),
            },
            parts: Vec::new(),
            seen: crate::hashing::HashMap::default(),
            done: Vec::new(),
        }
    }

    /// The place of the claim at `spans` (its HL loops, then its CLM
    /// loop), relative to the batch's heading — the HL loops that end
    /// where the next one or the CLM loop starts are one span with it,
    /// not parts of the batch (copied and read again the same: one run
    /// of bytes, each segment at its byte and ordinal) —, and the index of its batch
    /// in [`BatchPlaces::finish`]'s; `None` when a span is before the
    /// heading or too far past it (4 GiB, 2³² segments) or there are too
    /// many: the claim is then kept packed.
    pub(crate) fn place(&mut self, spans: &[Span]) -> Option<(usize, ClaimPlace)> {
        let heading = self.batch.heading;
        let relative = |span: &Span| {
            Some(PlaceSpan {
                offset: u32::try_from(span.start.checked_sub(heading.start)?).ok()?,
                len: span.len,
                segment: span.segment.checked_sub(heading.segment)?,
            })
        };
        let (own, parts) = spans.split_last()?;
        // The HL loops right before the CLM loop (a generated claim's
        // subscriber and patient loops: its own) are read with it, one
        // span: the batch keeps only the loops that are apart from it.
        let mut own = *own;
        let mut parts = parts;
        while let Some((last, before)) = parts.split_last()
            && last.start.checked_add(u64::from(last.len)) == Some(own.start)
            && let Some(len) = last.len.checked_add(own.len)
        {
            own = Span {
                start: last.start,
                len,
                segment: last.segment,
            };
            parts = before;
        }
        let own = relative(&own)?;
        if parts.len() > PLACE_PARTS {
            return None;
        }
        // In a fixed array, not a vector: pass 1 places every claim of an
        // input read twice (millions), an allocation each.
        let mut relative_parts = [PlaceSpan::default(); PLACE_PARTS];
        for (slot, part) in relative_parts.iter_mut().zip(parts) {
            *slot = relative(part)?;
        }
        let parts = &relative_parts[..parts.len()];
        if self.parts.len() + parts.len() > BATCH_PARTS {
            self.seal();
        }
        let mut ids = [0u16; PLACE_PARTS];
        for (id, part) in ids.iter_mut().zip(parts) {
            *id = match self.seen.get(part) {
                Some(&id) => id,
                None => {
                    let id = u16::try_from(self.parts.len()).ok()?;
                    self.parts.push(*part);
                    self.seen.insert(*part, id);
                    id
                }
            };
        }
        let place = ClaimPlace::new(own, ids.into_iter().take(parts.len()))?;
        Some((self.done.len(), place))
    }

    /// Closes the batch being filled; the next claims go to a new one.
    fn seal(&mut self) {
        let parts = std::mem::take(&mut self.parts).into_boxed_slice();
        self.seen.clear();
        let batch = BatchSpans {
            input: Arc::clone(&self.batch.input),
            prefix: Arc::clone(&self.batch.prefix),
            control: self.batch.control.clone(),
            parts,
            ..self.batch
        };
        self.done.push(batch);
    }

    /// The batches, by the index [`BatchPlaces::place`] gave.
    pub(crate) fn finish(self) -> Vec<SharedBatch> {
        let batches = self.into_batches().into_iter();
        batches
            .map(|batch| Arc::new(batch) as SharedBatch)
            .collect()
    }

    fn into_batches(mut self) -> Vec<BatchSpans> {
        self.seal();
        self.done
    }
}

/// Keeps the first billed claim it is shown.
#[derive(Default)]
struct FirstClaim(Option<BilledClaim>);

impl Consumer for FirstClaim {
    fn billed_claim(&mut self, claim: BilledClaim) {
        if self.0.is_none() {
            self.0 = Some(claim);
        }
    }
}

/// A one-segment SE ending a claim copied after its heading: the claim
/// parser hands a claim out when its transaction ends.
fn closing_se(prefix: &Prefix, control: &str) -> Vec<u8> {
    let (element, terminator) = (prefix.bytes[3], prefix.terminator);
    let mut se = vec![b'S', b'E', element, b'1', element];
    se.extend_from_slice(control.as_bytes());
    se.push(terminator);
    se
}

/// What a run keeps of an 837 claim of an input read again is its batch,
/// shared, and its [`ClaimPlace`] in it: its HL loops and CLM loop.
impl BatchSpans {
    /// Where the CLM segment of the claim at `place` is: its own span
    /// starts with the HL loops read with it (see [`BatchPlaces::place`]),
    /// so the span is read again up to the CLM; where the span starts when
    /// no CLM is found there (the input changed).
    fn clm_of(&self, place: &ClaimPlace) -> Span {
        let own = self.spans_of(place).last().unwrap_or_default();
        let found = copy_spans(&*self.input, &self.prefix, &[own], |_| Vec::new())
            .ok()
            .and_then(|(bytes, placed)| {
                let mut segments = Relocate {
                    inner: SliceReader::new(&bytes),
                    spans: &placed,
                    at: 0,
                    first: None,
                };
                while let Ok(Some(seg)) = segments.next_segment() {
                    if seg.id() == b"CLM" {
                        let pos = seg.pos();
                        return Some((pos.byte, u32::try_from(pos.segment).ok()?));
                    }
                }
                None
            });
        match found {
            Some((start, segment)) => Span {
                start,
                segment,
                ..own
            },
            None => own,
        }
    }
}

impl ClaimsAt for BatchSpans {
    fn whereabouts(&self, place: &ClaimPlace) -> String {
        let clm = self.clm_of(place);
        format!(
            "{}: the 837 claim at segment {} (byte {})",
            self.input.name(),
            clm.segment,
            clm.start
        )
    }

    fn read_again(&self, place: &ClaimPlace) -> Result<BilledClaim, String> {
        let spans: Vec<Span> = std::iter::once(self.heading)
            .chain(self.spans_of(place))
            .collect();
        let (bytes, placed) = copy_spans(&*self.input, &self.prefix, &spans, |_| {
            closing_se(&self.prefix, &self.control)
        })?;
        let mut first = FirstClaim::default();
        scan(relocated(&bytes, &placed), &mut first);
        let mut claim = first.0.ok_or_else(|| {
            format!(
                "{}: is no longer a whole claim: the input changed during the run; run again",
                self.whereabouts(place)
            )
        })?;
        claim.transaction_hash = self.hash;
        Ok(claim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::input::{read_input, read_input_located};

    fn inputs() -> Vec<PathBuf> {
        crate::x12::test_files::bundled()
    }

    /// A claim's HL loops are kept once in its batch however many claims
    /// name them, each claim's spans come back as given, and past 65,536
    /// loops the claims go to a second batch over the same heading.
    #[test]
    fn a_batch_keeps_each_hl_loop_once_and_a_full_one_is_followed_by_another() {
        let input: Arc<dyn ReadAt> = Arc::new(BytesAt::new("b".into(), Arc::from(&b""[..])));
        let prefix = Arc::new(Prefix {
            bytes: Box::default(),
            placed: [(0, Span::default()); 2],
            terminator: b'~',
        });
        let span = |start: u64, len: u32, segment: u32| Span {
            start,
            len,
            segment,
        };
        let mut places = BatchPlaces::new(input, (prefix, span(100, 10, 3)), "0001", 7);
        let billing = span(110, 20, 5);
        let mut claims = Vec::new();
        for n in 0..70_000u32 {
            // Two claims a subscriber: its loop once for both; the first
            // claim right after it, the second after the first.
            let subscriber = span(200 + u64::from(n / 2) * 100, 20, 10 + n / 2 * 8);
            let clm = span(
                220 + u64::from(n / 2) * 100 + u64::from(n % 2) * 30,
                30,
                12 + n * 4,
            );
            let spans = [billing, subscriber, clm];
            claims.push((spans, places.place(&spans).expect("placed")));
        }
        // A span before the heading, or more than three HL loops: packed.
        assert!(places.place(&[span(0, 5, 0)]).is_none());
        assert!(places.place(&[billing; 5]).is_none());
        let batches = places.into_batches();
        // 1 + 35,000 loops: one batch holds them all.
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].parts.len(), 35_001);
        for (n, (spans, (batch, place))) in claims.iter().enumerate() {
            let back: Vec<Span> = batches[*batch].spans_of(place).collect();
            if n % 2 == 0 {
                // The subscriber's loop read with its first claim, one
                // span from the loop's first byte and segment.
                let (subscriber, clm) = (spans[1], spans[2]);
                let both = span(
                    subscriber.start,
                    subscriber.len + clm.len,
                    subscriber.segment,
                );
                assert_eq!(back, [billing, both]);
            } else {
                assert_eq!(back, spans);
            }
        }
        // One subscriber a claim: 140,001 loops, in three batches, the
        // billing provider's in each.
        let input: Arc<dyn ReadAt> = Arc::new(BytesAt::new("b".into(), Arc::from(&b""[..])));
        let prefix = Arc::clone(&batches[0].prefix);
        let mut places = BatchPlaces::new(input, (prefix, span(100, 10, 3)), "0001", 7);
        let mut claims = Vec::new();
        for n in 0..140_000u32 {
            // A segment between each subscriber's loop and its claim: not
            // read with it.
            let subscriber = span(200 + u64::from(n) * 100, 20, 10 + n * 8);
            let clm = span(230 + u64::from(n) * 100, 30, 13 + n * 8);
            let spans = [billing, subscriber, clm];
            claims.push((spans, places.place(&spans).expect("placed")));
        }
        let batches = places.into_batches();
        assert_eq!(batches.len(), 3);
        assert!(batches.iter().all(|b| b.parts.len() <= 1 << 16));
        assert_eq!(
            batches.iter().map(|b| b.parts.len()).sum::<usize>(),
            140_003
        );
        for (spans, (batch, place)) in &claims {
            let back: Vec<Span> = batches[*batch].spans_of(place).collect();
            assert_eq!(back, spans);
        }
    }

    /// What is read again is what was read first, positions included,
    /// for every transaction and claim of the samples and the corpus.
    #[test]
    fn located_transactions_and_claims_read_back_as_first_read() {
        let (mut transactions, mut claims, mut packed_claims) = (0, 0, 0);
        for path in inputs() {
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).expect("input");
            let parsed = read_input(&name, bytes.as_slice());
            let again: Arc<dyn ReadAt> = Arc::new(FileAt::open(name.clone(), &path).expect("open"));
            let located = read_input_located(&name, bytes.as_slice(), again);
            assert_eq!(parsed.summary, located.summary, "{name}");
            assert_eq!(parsed.transactions.len(), located.packed.len(), "{name}");
            for (tx, packed) in parsed.transactions.iter().zip(&located.packed) {
                assert!(packed.is_located(), "{name}: a transaction was packed");
                let back = packed.unpack().expect("reads again");
                assert_eq!(back.events, tx.events, "{name}");
                assert_eq!(back.fingerprint, tx.fingerprint, "{name}");
                // Held by its payment order alone, it reads back the same,
                // its context with it.
                let mut order_only = packed.clone();
                order_only.keep_order_only();
                assert!(!order_only.holds_context(), "{name}");
                assert_eq!(order_only.order_key(), tx.order_key(), "{name}");
                assert_eq!(*order_only.context().expect("again"), *tx.context);
                let back = order_only.into_transaction().expect("reads again");
                assert_eq!(
                    (back.events, back.context),
                    (tx.events.clone(), Arc::clone(&tx.context)),
                    "{name}"
                );
                transactions += 1;
            }
            assert_eq!(parsed.claims.len(), located.packed_claims.len(), "{name}");
            for (claim, packed) in parsed.claims.iter().zip(&located.packed_claims) {
                // A claim under an HL whose parent is not there is packed.
                if !packed.is_located() {
                    packed_claims += 1;
                    // Some corpus files name HL parents that are not there.
                    assert!(!name.contains("/samples/"), "{name}: {} packed", claim.pos);
                }
                assert_eq!(&packed.unpack().expect("reads again"), claim, "{name}");
                // Its HL loops read with it or not, it is named by its CLM.
                if let (held, Some(batch)) = packed.clone().into_held()
                    && let Some(place) = held.place()
                {
                    let at = format!(
                        "the 837 claim at segment {} (byte {})",
                        claim.pos.segment, claim.pos.byte
                    );
                    assert!(batch.whereabouts(place).ends_with(&at), "{name}: {at}");
                }
                claims += 1;
            }
        }
        assert!(
            transactions > 100 && claims > 100,
            "{transactions} {claims}"
        );
        assert!(packed_claims == 0, "{packed_claims} of {claims} packed");
    }

    /// Bytes changed between the passes fail with an error naming the
    /// input and where, rather than giving other results.
    #[test]
    fn a_file_changed_between_the_reads_fails_naming_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = std::env::temp_dir().join(format!("remit-reread-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (sample, is_claim) in [
            ("samples/remits/acme-2024-02-07.835", false),
            ("samples/claims/2024-01-837p.x12", true),
        ] {
            let bytes = std::fs::read(root.join(sample)).expect("sample");
            let path = dir.join(if is_claim { "c.x12" } else { "r.835" });
            std::fs::write(&path, &bytes).expect("copy");
            let again: Arc<dyn ReadAt> =
                Arc::new(FileAt::open("copy".into(), &path).expect("open"));
            let content = read_input_located("copy", bytes.as_slice(), Arc::clone(&again));
            // Same size, other bytes: a digit of an amount changed.
            let mut changed = bytes.clone();
            let at = changed
                .iter()
                .rposition(|b| b.is_ascii_digit())
                .expect("a digit");
            changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
            std::fs::write(&path, &changed).expect("change");
            let error = if is_claim {
                content.packed_claims[0].unpack().expect_err("changed")
            } else {
                content.packed[0].unpack().expect_err("changed")
            };
            assert!(error.starts_with("copy: "), "{error}");
            // The same bytes again (the time differs): still refused.
            std::fs::write(&path, &bytes).expect("restore");
            let _ = content;
            // Bytes in memory cannot change.
            let in_memory: Arc<dyn ReadAt> = Arc::new(BytesAt::new("mem".into(), bytes.into()));
            let mut buf = [0; 3];
            in_memory.read_exact_at(0, &mut buf).expect("reads");
            assert_eq!(&buf, b"ISA");
            assert!(in_memory.read_exact_at(u64::MAX - 1, &mut buf).is_err());
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
