//! Splitting 835 remittances into standalone 835s, one per group of claims
//! (member, claim, payee or date of service) and transaction, plus a
//! provider-level part for PLB amounts that reference no claim.
//!
//! The splitter reads an input once. Every segment goes both to the
//! validator (the same envelope, loop and balancing checks as `remit
//! validate`) and to a plan of the open transaction (`plan.rs`); at SE each
//! part is written (`writer.rs`) into one reused buffer and handed to a
//! [`SplitSink`]. Memory is one transaction's bytes and group index, never
//! the file. This module knows 835 loops and envelopes, not file names or
//! folders: [`names`] only builds safe names, the CLI creates the files.

pub mod names;
mod plan;
mod writer;

use std::io::{self, Read};

use rust_decimal::Decimal;

use crate::document::{DocumentReader, SegmentSource};
use crate::scan::{Discard, FileSummary, scan};
use crate::x12::{Control, Notice, ReadError, Segment, SegmentReader, SliceReader};
use plan::{Plan, Target};
use writer::{Envelope, write_part};

/// How claims are grouped into outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum GroupBy {
    /// NM1*QC member id (NM109), else NM1*IL.
    Member,
    /// CLP01 patient control number.
    Claim,
    /// N1*PE payee id (N104): each transaction goes whole to its payee.
    Payee,
    /// The earliest line date of service (DTM*472/150), else DTM*232.
    ServiceDate,
}

impl GroupBy {
    /// The flag value, e.g. `service-date`.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Member => "member",
            GroupBy::Claim => "claim",
            GroupBy::Payee => "payee",
            GroupBy::ServiceDate => "service-date",
        }
    }

    /// The word used for claims without a key.
    pub fn unknown(self) -> &'static str {
        match self {
            GroupBy::Member => "unknown-member",
            GroupBy::Claim => "unknown-claim",
            GroupBy::Payee => "unknown-payee",
            GroupBy::ServiceDate => "undated",
        }
    }
}

/// The word used for the provider-level part in names and summaries.
pub const PROVIDER_LEVEL: &str = "provider-level";

/// Something worth saying about one part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartNote {
    /// BPR02 is negative: the part takes back more than it pays.
    NegativePayment,
    /// The part pays money although the original moved none (BPR01 `H` or
    /// BPR04 `NON`); BPR01 and BPR04 are kept as they were.
    PaymentWithoutTransfer,
}

impl std::fmt::Display for PartNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PartNote::NegativePayment => {
                "BPR02 is negative: this part takes back more than it pays"
            }
            PartNote::PaymentWithoutTransfer => {
                "this part pays money although the original moved none (BPR01 H / BPR04 NON, kept)"
            }
        })
    }
}

/// Where a split transaction came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// Ordinal (1-based) of the 835 transaction in its input.
    pub ordinal: u64,
    /// ISA13 of the original interchange.
    pub interchange: Control,
    /// GS06 of the original group.
    pub group: Control,
    /// ST02 of the original transaction.
    pub control: Control,
    /// TRN02, the check or EFT trace number.
    pub trace: String,
}

/// Which group a part holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartGroup<'a> {
    /// Claims sharing this key (empty when the claims have none).
    Claims(&'a [u8]),
    /// PLB amounts that reference no claim of the transaction.
    ProviderLevel,
}

/// One output: a standalone interchange holding one part of a transaction.
#[derive(Debug)]
pub struct Part<'a> {
    /// The transaction it was split from.
    pub origin: &'a Origin,
    /// The group.
    pub group: PartGroup<'a>,
    /// The grouping.
    pub by: GroupBy,
    /// Number of claims.
    pub claims: usize,
    /// BPR02 as written.
    pub payment: Decimal,
    /// ISA13 as written.
    pub interchange: &'a [u8],
    /// GS06 as written.
    pub functional_group: &'a [u8],
    /// Things worth saying about it.
    pub notes: &'a [PartNote],
    /// The interchange's bytes, ISA to IEA.
    pub bytes: &'a [u8],
}

impl Part<'_> {
    /// The group key as it goes into a file name (a word when it has none).
    pub fn group_key(&self) -> &[u8] {
        match self.group {
            PartGroup::Claims([]) => self.by.unknown().as_bytes(),
            PartGroup::Claims(key) => key,
            PartGroup::ProviderLevel => PROVIDER_LEVEL.as_bytes(),
        }
    }
}

/// How one transaction was split: the proof that the parts sum to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransactionSplit {
    /// The transaction.
    pub origin: Origin,
    /// BPR02 of the original.
    pub stated: Decimal,
    /// Σ CLP04 − Σ PLB of the original (`None` if the sums overflow).
    pub computed: Option<Decimal>,
    /// Claims in the original (each is in exactly one part).
    pub claims: usize,
    /// Parts written.
    pub parts: usize,
    /// BPR02 of the provider-level part, when there is one.
    pub provider_level: Option<Decimal>,
    /// Σ BPR02 of the parts.
    pub total: Decimal,
}

impl TransactionSplit {
    /// True when the parts' BPR02 sum to the original BPR02.
    pub fn balanced(&self) -> bool {
        self.total == self.stated
    }

    /// True when the original itself balances (BPR02 = ΣCLP04 − ΣPLB).
    pub fn original_balances(&self) -> bool {
        self.computed == Some(self.stated)
    }
}

/// Receives the parts of each transaction, then the transaction's proof.
pub trait SplitSink {
    /// One part, ready to be stored.
    fn part(&mut self, part: &Part<'_>) -> io::Result<()>;
    /// A transaction's parts have all been handed over.
    fn transaction(&mut self, _split: &TransactionSplit) -> io::Result<()> {
        Ok(())
    }
}

/// What splitting one input did.
#[derive(Debug, Default)]
pub struct SplitOutcome {
    /// What the validator found (reject the input's parts when not usable).
    pub summary: FileSummary,
    /// 835 transactions split.
    pub transactions: u64,
    /// Parts handed to the sink.
    pub parts: u64,
    /// Transactions whose parts do not sum to their BPR02.
    pub unbalanced: u64,
    /// Transactions other than 835 (not split).
    pub other_transactions: u64,
}

/// Splits inputs one after another (control numbers continue across them).
#[derive(Debug)]
pub struct Splitter {
    by: GroupBy,
    next_control: Option<u64>,
    plan: Plan,
    buffer: Vec<u8>,
}

/// Largest ISA13.
const MAX_CONTROL: u64 = 999_999_999;

impl Splitter {
    /// A splitter grouping by `by` that keeps the original control numbers.
    pub fn new(by: GroupBy) -> Self {
        Splitter {
            by,
            next_control: None,
            plan: Plan::new(by),
            buffer: Vec::new(),
        }
    }

    /// Numbers the outputs' interchanges (ISA13, and GS06) from `first` on
    /// instead of keeping the original numbers.
    pub fn renumber_from(mut self, first: u64) -> Self {
        self.next_control = Some(first);
        self
    }

    /// The grouping.
    pub fn by(&self) -> GroupBy {
        self.by
    }

    /// Splits a stream; an error is the sink's (or running out of control
    /// numbers), never the input's: input findings are in the outcome.
    pub fn split_reader<R: Read>(
        &mut self,
        input: R,
        sink: &mut dyn SplitSink,
    ) -> io::Result<SplitOutcome> {
        self.split(SegmentReader::new(input), sink)
    }

    /// Splits bytes in memory.
    pub fn split_slice(
        &mut self,
        input: &[u8],
        sink: &mut dyn SplitSink,
    ) -> io::Result<SplitOutcome> {
        self.split(SliceReader::new(input), sink)
    }

    fn split<S: SegmentSource>(
        &mut self,
        source: S,
        sink: &mut dyn SplitSink,
    ) -> io::Result<SplitOutcome> {
        let mut file = FileSplit {
            splitter: self,
            sink,
            isa: Vec::new(),
            gs: Vec::new(),
            suffix: Vec::new(),
            isa_end: None,
            open: false,
            outcome: SplitOutcome::default(),
            error: None,
        };
        let tee = Tee {
            inner: source,
            file: &mut file,
        };
        let summary = scan(DocumentReader::new(tee), &mut Discard);
        if let Some(e) = file.error {
            return Err(e);
        }
        file.outcome.summary = summary;
        Ok(file.outcome)
    }
}

/// Hands every segment to the splitter on its way to the validator.
struct Tee<'f, 's, S> {
    inner: S,
    file: &'f mut FileSplit<'s>,
}

impl<S: SegmentSource> SegmentSource for Tee<'_, '_, S> {
    fn next_segment(&mut self) -> Result<Option<Segment<'_>>, ReadError> {
        if self.file.error.is_some() {
            return Ok(None);
        }
        let seg = self.inner.next_segment()?;
        if let Some(seg) = &seg {
            self.file.segment(seg);
        }
        Ok(seg)
    }

    fn take_notices(&mut self) -> Vec<Notice> {
        self.inner.take_notices()
    }
}

/// The state of splitting one input: the envelope around the open
/// transaction and what has been written.
struct FileSplit<'s> {
    splitter: &'s mut Splitter,
    sink: &'s mut dyn SplitSink,
    isa: Vec<u8>,
    gs: Vec<u8>,
    suffix: Vec<u8>,
    isa_end: Option<u64>,
    open: bool,
    outcome: SplitOutcome,
    error: Option<io::Error>,
}

impl FileSplit<'_> {
    fn segment(&mut self, seg: &Segment<'_>) {
        if let Some(end) = self.isa_end.take() {
            self.line_break(seg, end);
        }
        match seg.id() {
            b"ISA" => {
                self.open = false;
                self.isa = seg.raw().to_vec();
                self.isa_end = Some(seg.pos().byte + seg.raw().len() as u64);
                self.suffix = vec![seg.delimiters().segment];
            }
            b"GS" => {
                self.open = false;
                self.gs = seg.raw().to_vec();
            }
            b"ST" => self.start(seg),
            b"SE" if self.open => {
                self.open = false;
                if let Err(e) = self.finish() {
                    self.error = Some(e);
                }
            }
            b"SE" | b"GE" | b"IEA" => self.open = false,
            _ if self.open => self.splitter.plan.segment(seg),
            _ => {}
        }
    }

    /// Keeps the input's line break after each terminator, judged by the
    /// gap between the ISA and the next segment.
    fn line_break(&mut self, next: &Segment<'_>, isa_end: u64) {
        let gap = next.pos().byte.saturating_sub(isa_end + 1);
        let terminator = next.delimiters().segment;
        self.suffix = match (terminator, gap) {
            (b'\n', 0) => b"\n".to_vec(),
            (b'\n', _) => b"\r\n".to_vec(),
            (t, 0) => vec![t],
            (t, 1) => vec![t, b'\n'],
            (t, _) => vec![t, b'\r', b'\n'],
        };
    }

    fn start(&mut self, st: &Segment<'_>) {
        self.open = st.element(1) == b"835";
        if self.open {
            self.splitter.plan.start(st);
        } else {
            self.outcome.other_transactions += 1;
        }
    }

    /// At SE: writes every part and hands over the proof.
    fn finish(&mut self) -> io::Result<()> {
        let splitter = &mut *self.splitter;
        splitter.plan.finish();
        self.outcome.transactions += 1;
        let plan = &splitter.plan;
        let separator = plan.delimiters().element;
        let origin = Origin {
            ordinal: self.outcome.transactions,
            interchange: Control::new(element(&self.isa, separator, 13)),
            group: Control::new(element(&self.gs, separator, 6)),
            control: Control::new(element(plan.segment_bytes(0), separator, 2)),
            trace: String::from_utf8_lossy(plan.trace()).into_owned(),
        };
        let envelope = Envelope {
            isa: &self.isa,
            gs: &self.gs,
            suffix: &self.suffix,
        };
        let mut split = TransactionSplit {
            stated: plan.stated_payment(),
            computed: plan.totals().and_then(|(p, a)| p.checked_sub(a)),
            claims: plan.claims().len(),
            ..TransactionSplit::default()
        };
        let targets: Vec<Target> = plan.targets().collect();
        let whole = targets.len() == 1;
        for target in targets {
            let renumber = next_control(&mut splitter.next_control)?;
            let written = write_part(
                plan,
                &envelope,
                (target, whole),
                renumber,
                &mut splitter.buffer,
            );
            let group = match plan.key(target) {
                Some(key) => PartGroup::Claims(key),
                None => PartGroup::ProviderLevel,
            };
            let part = Part {
                origin: &origin,
                group,
                by: splitter.by,
                claims: written.claims,
                payment: written.payment,
                interchange: &written.interchange,
                functional_group: &written.group,
                notes: &written.notes,
                bytes: &splitter.buffer,
            };
            self.sink.part(&part)?;
            split.parts += 1;
            split.total = split
                .total
                .checked_add(written.payment)
                .unwrap_or(split.total);
            if group == PartGroup::ProviderLevel {
                split.provider_level = Some(written.payment);
            }
        }
        self.outcome.parts += split.parts as u64;
        if !split.balanced() {
            self.outcome.unbalanced += 1;
        }
        split.origin = origin;
        self.sink.transaction(&split)
    }
}

/// The next interchange number when renumbering.
fn next_control(next: &mut Option<u64>) -> io::Result<Option<u64>> {
    let Some(n) = *next else {
        return Ok(None);
    };
    if n > MAX_CONTROL {
        return Err(io::Error::other(format!(
            "interchange control numbers exhausted: ISA13 cannot exceed {MAX_CONTROL}"
        )));
    }
    *next = Some(n + 1);
    Ok(Some(n))
}

/// Element `n` of raw segment bytes (trimmed; empty when absent).
fn element(raw: &[u8], separator: u8, n: usize) -> &[u8] {
    &raw[plan::element_range(raw, separator, n)]
}
