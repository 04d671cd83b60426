//! One 835 transaction held for splitting (ST..SE): the bytes of its
//! segments, where its header, header-number loops (LX), claims (CLP to
//! the next CLP/LX/PLB) and PLB segments are, each claim's group key and
//! CLP04, and which part each PLB amount travels with.
//!
//! Memory is this transaction's bytes plus its group index; the buffers
//! are reused from one transaction to the next. It knows 835 loops, not
//! envelopes or files.

use std::collections::HashMap;
use std::ops::Range;

use indexmap::IndexMap;
use rust_decimal::Decimal;

use super::GroupBy;
use crate::x12::{Delimiters, Segment, value};

/// Where claims and PLB amounts go: a claim group, or the provider-level
/// part (PLB amounts that reference no claim of the transaction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The group at this index of the transaction's group index.
    Group(usize),
    /// The provider-level part.
    Provider,
}

/// One claim payment: its segments and what it contributes.
#[derive(Clone, Debug)]
pub struct Claim {
    /// Segment indices, CLP to the last segment before the next loop.
    pub segments: Range<usize>,
    /// Index of the LX loop the claim sits in.
    pub header_number: Option<usize>,
    /// Index of its group.
    pub group: usize,
    pcn: Range<usize>,
    icn: Range<usize>,
}

/// One reason/amount pair of a PLB segment and the part it goes to.
#[derive(Clone, Copy, Debug)]
pub struct PlbAmount {
    /// Segment index of the PLB.
    pub segment: usize,
    /// Pair number 0..6 (PLB03/04 is 0).
    pub pair: usize,
    /// Where it goes.
    pub target: Target,
    /// The amount (positive reduces the payment).
    pub amount: Decimal,
}

/// The claims and PLB amounts of one part.
#[derive(Clone, Debug, Default)]
pub struct Share {
    /// Indices into the claims, in transaction order.
    pub claims: Vec<usize>,
    /// Σ CLP04 of the claims.
    pub paid: Decimal,
    /// Σ PLB amounts.
    pub adjustments: Decimal,
    /// Indices into the transaction's PLB amounts, in order.
    pub amounts: Vec<usize>,
}

impl Share {
    /// The part's payment: Σ CLP04 − Σ PLB.
    pub fn payment(&self) -> Option<Decimal> {
        self.paid.checked_sub(self.adjustments)
    }

    fn clear(&mut self) {
        self.claims.clear();
        self.paid = Decimal::ZERO;
        self.adjustments = Decimal::ZERO;
        self.amounts.clear();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Header,
    HeaderNumber,
    Claim,
    Trailer,
}

/// The claim being read: where its identifying values are.
#[derive(Clone, Debug, Default)]
struct OpenClaim {
    start: usize,
    end: usize,
    header_number: Option<usize>,
    paid: Decimal,
    pcn: Range<usize>,
    icn: Range<usize>,
    patient: Range<usize>,
    insured: Range<usize>,
    line_date: Range<usize>,
    statement_date: Range<usize>,
    in_line: bool,
}

/// One transaction indexed for splitting.
#[derive(Debug)]
pub struct Plan {
    by: GroupBy,
    delims: Delimiters,
    bytes: Vec<u8>,
    segments: Vec<Range<usize>>,
    header_end: usize,
    bpr: Option<usize>,
    trn: Option<usize>,
    payee: Range<usize>,
    header_numbers: Vec<Range<usize>>,
    claims: Vec<Claim>,
    plb_segments: Vec<usize>,
    extras: Vec<usize>,
    groups: IndexMap<Vec<u8>, Share>,
    spare: Vec<Share>,
    provider: Share,
    amounts: Vec<PlbAmount>,
    open: Open,
    claim: OpenClaim,
    overflow: bool,
}

impl Plan {
    /// An empty plan grouping by `by`.
    pub fn new(by: GroupBy) -> Self {
        Plan {
            by,
            delims: Delimiters::default(),
            bytes: Vec::new(),
            segments: Vec::new(),
            header_end: 0,
            bpr: None,
            trn: None,
            payee: 0..0,
            header_numbers: Vec::new(),
            claims: Vec::new(),
            plb_segments: Vec::new(),
            extras: Vec::new(),
            groups: IndexMap::new(),
            spare: Vec::new(),
            provider: Share::default(),
            amounts: Vec::new(),
            open: Open::Header,
            claim: OpenClaim::default(),
            overflow: false,
        }
    }

    /// Starts a transaction at its ST segment, keeping the buffers.
    pub fn start(&mut self, st: &Segment<'_>) {
        self.delims = st.delimiters();
        self.bytes.clear();
        self.segments.clear();
        self.bpr = None;
        self.trn = None;
        self.payee = 0..0;
        self.header_numbers.clear();
        self.claims.clear();
        self.plb_segments.clear();
        self.extras.clear();
        for (_, mut share) in self.groups.drain(..) {
            share.clear();
            self.spare.push(share);
        }
        self.provider.clear();
        self.amounts.clear();
        self.open = Open::Header;
        self.overflow = false;
        self.push(st.raw());
        self.header_end = 1;
    }

    /// Reads one segment between ST and SE.
    pub fn segment(&mut self, seg: &Segment<'_>) {
        let index = self.push(seg.raw());
        match seg.id() {
            b"LX" => {
                self.close_claim();
                self.header_numbers.push(index..index + 1);
                self.open = Open::HeaderNumber;
            }
            b"CLP" => {
                self.close_claim();
                self.open_claim(seg, index);
            }
            b"PLB" => {
                self.close_claim();
                self.plb_segments.push(index);
                self.open = Open::Trailer;
            }
            _ => self.inside(seg, index),
        }
    }

    /// Ends the transaction at SE: closes the last claim and decides where
    /// each PLB amount goes.
    pub fn finish(&mut self) {
        self.close_claim();
        self.open = Open::Trailer;
        if self.by == GroupBy::Payee {
            // The payee is the provider: its transaction keeps every PLB.
            let key = self.payee.clone();
            self.group_of(key);
        }
        let amounts = self.plb_amounts();
        for amount in amounts {
            // A zero amount moves no money: on its own it would make a
            // provider-level part that moves 0.00, so it is left out there.
            // It still travels with a claim group, whose part exists anyway.
            if amount.target == Target::Provider && amount.amount.is_zero() {
                continue;
            }
            let index = self.amounts.len();
            let share = self.share_mut(amount.target);
            share.amounts.push(index);
            let sum = share.adjustments.checked_add(amount.amount);
            match sum {
                Some(sum) => self.share_mut(amount.target).adjustments = sum,
                None => self.overflow = true,
            }
            self.amounts.push(amount);
        }
    }

    /// The parts to write, in order: groups with claims (or, by payee,
    /// with PLB amounts), then the provider-level part if it has amounts.
    pub fn targets(&self) -> impl Iterator<Item = Target> + '_ {
        let groups = self
            .groups
            .values()
            .enumerate()
            .filter(|(_, s)| !s.claims.is_empty() || !s.amounts.is_empty())
            .map(|(i, _)| Target::Group(i));
        let provider = (!self.provider.amounts.is_empty()).then_some(Target::Provider);
        groups.chain(provider)
    }

    /// The claims and amounts of a part.
    pub fn share(&self, target: Target) -> &Share {
        match target {
            Target::Group(i) => &self.groups[i],
            Target::Provider => &self.provider,
        }
    }

    /// The group key of a part (`None` for the provider-level part).
    pub fn key(&self, target: Target) -> Option<&[u8]> {
        match target {
            Target::Group(i) => self.groups.get_index(i).map(|(k, _)| k.as_slice()),
            Target::Provider => None,
        }
    }

    /// The raw bytes of segment `i` (without terminator).
    pub fn segment_bytes(&self, i: usize) -> &[u8] {
        &self.bytes[self.segments[i].clone()]
    }

    /// Number of segments held (ST included, SE not).
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// The delimiters of the transaction.
    pub fn delimiters(&self) -> Delimiters {
        self.delims
    }

    /// Segment indices of ST and the header (BPR, TRN, … the N1 loops).
    pub fn header(&self) -> Range<usize> {
        0..self.header_end
    }

    /// Segment index of the BPR.
    pub fn bpr(&self) -> Option<usize> {
        self.bpr
    }

    /// TRN02, the check or EFT trace number.
    pub fn trace(&self) -> &[u8] {
        self.trn.map_or(b"", |i| {
            let raw = self.segment_bytes(i);
            &raw[element_range(raw, self.delims.element, 2)]
        })
    }

    /// BPR02 as stated (zero when missing or unreadable).
    pub fn stated_payment(&self) -> Decimal {
        self.bpr
            .and_then(|i| {
                let raw = self.segment_bytes(i);
                value::decimal(&raw[element_range(raw, self.delims.element, 2)])
            })
            .unwrap_or_default()
    }

    /// Segment indices of LX loop `i` (LX, TS3, TS2).
    pub fn header_number(&self, i: usize) -> Range<usize> {
        self.header_numbers[i].clone()
    }

    /// Every claim, in transaction order.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// Every PLB amount with its part.
    pub fn amounts(&self) -> &[PlbAmount] {
        &self.amounts
    }

    /// Segments found after the first PLB that are not PLB, CLP or LX.
    pub fn extras(&self) -> &[usize] {
        &self.extras
    }

    /// Σ CLP04 and Σ PLB of the whole transaction (`None` on overflow).
    pub fn totals(&self) -> Option<(Decimal, Decimal)> {
        let shares = self.groups.values().chain([&self.provider]);
        let mut paid = Decimal::ZERO;
        let mut adjustments = Decimal::ZERO;
        for share in shares {
            paid = paid.checked_add(share.paid)?;
            adjustments = adjustments.checked_add(share.adjustments)?;
        }
        (!self.overflow).then_some((paid, adjustments))
    }

    fn push(&mut self, raw: &[u8]) -> usize {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(raw);
        self.segments.push(start..self.bytes.len());
        self.segments.len() - 1
    }

    /// Absolute byte range of element `n` of segment `index`.
    fn element(&self, index: usize, n: usize) -> Range<usize> {
        let seg = self.segments[index].clone();
        let within = element_range(&self.bytes[seg.clone()], self.delims.element, n);
        seg.start + within.start..seg.start + within.end
    }

    fn inside(&mut self, seg: &Segment<'_>, index: usize) {
        match self.open {
            Open::Header => self.header_segment(seg, index),
            Open::HeaderNumber => {
                if let Some(loop_) = self.header_numbers.last_mut() {
                    loop_.end = index + 1;
                }
            }
            Open::Claim => self.claim_segment(seg, index),
            Open::Trailer => self.extras.push(index),
        }
    }

    fn header_segment(&mut self, seg: &Segment<'_>, index: usize) {
        self.header_end = index + 1;
        match seg.id() {
            b"BPR" if self.bpr.is_none() => self.bpr = Some(index),
            b"TRN" if self.trn.is_none() => self.trn = Some(index),
            b"N1" if seg.element(1) == b"PE" => {
                let id = self.element(index, 4);
                self.payee = if id.is_empty() {
                    self.element(index, 2)
                } else {
                    id
                };
            }
            _ => {}
        }
    }

    fn open_claim(&mut self, seg: &Segment<'_>, index: usize) {
        let paid = value::decimal(seg.element(4)).unwrap_or_default();
        self.claim = OpenClaim {
            start: index,
            end: index + 1,
            header_number: self.header_numbers.len().checked_sub(1),
            paid,
            pcn: self.element(index, 1),
            icn: self.element(index, 7),
            ..OpenClaim::default()
        };
        self.open = Open::Claim;
    }

    fn claim_segment(&mut self, seg: &Segment<'_>, index: usize) {
        self.claim.end = index + 1;
        match seg.id() {
            b"SVC" => self.claim.in_line = true,
            b"NM1" => {
                let id = self.element(index, 9);
                match seg.element(1) {
                    b"QC" if self.claim.patient.is_empty() => self.claim.patient = id,
                    b"IL" if self.claim.insured.is_empty() => self.claim.insured = id,
                    _ => {}
                }
            }
            b"DTM" => self.claim_date(seg, index),
            _ => {}
        }
    }

    /// Line dates (DTM*472, DTM*150) keep the earliest; the claim
    /// statement date (DTM*232) is the fallback for claims without lines.
    fn claim_date(&mut self, seg: &Segment<'_>, index: usize) {
        let date = self.element(index, 2);
        if value::date(&self.bytes[date.clone()]).is_none() {
            return;
        }
        let qualifier = seg.element(1);
        if self.claim.in_line && (qualifier == b"472" || qualifier == b"150") {
            let current = &self.claim.line_date;
            if current.is_empty() || self.bytes[date.clone()] < self.bytes[current.clone()] {
                self.claim.line_date = date;
            }
        } else if !self.claim.in_line && qualifier == b"232" && self.claim.statement_date.is_empty()
        {
            self.claim.statement_date = date;
        }
    }

    fn close_claim(&mut self) {
        if self.open != Open::Claim {
            return;
        }
        let open = std::mem::take(&mut self.claim);
        let key = match self.by {
            GroupBy::Member if open.patient.is_empty() => open.insured.clone(),
            GroupBy::Member => open.patient.clone(),
            GroupBy::Claim => open.pcn.clone(),
            GroupBy::Payee => self.payee.clone(),
            GroupBy::ServiceDate if open.line_date.is_empty() => open.statement_date.clone(),
            GroupBy::ServiceDate => open.line_date.clone(),
        };
        let group = self.group_of(key);
        let share = &mut self.groups[group];
        share.claims.push(self.claims.len());
        match share.paid.checked_add(open.paid) {
            Some(sum) => share.paid = sum,
            None => self.overflow = true,
        }
        self.claims.push(Claim {
            segments: open.start..open.end,
            header_number: open.header_number,
            group,
            pcn: open.pcn,
            icn: open.icn,
        });
        self.open = Open::Trailer;
    }

    /// The index of the group with the key at `key` in the bytes, created
    /// (from a recycled share) when new.
    fn group_of(&mut self, key: Range<usize>) -> usize {
        let bytes = &self.bytes[key];
        if let Some(i) = self.groups.get_index_of(bytes) {
            return i;
        }
        let share = self.spare.pop().unwrap_or_default();
        self.groups.insert_full(bytes.to_vec(), share).0
    }

    fn share_mut(&mut self, target: Target) -> &mut Share {
        match target {
            Target::Group(i) => &mut self.groups[i],
            Target::Provider => &mut self.provider,
        }
    }

    /// Every PLB reason/amount pair with its part: by payee, the payee's
    /// group; otherwise the group of the claim whose CLP07 (else CLP01)
    /// equals the reference (PLB03-2), else the provider-level part.
    fn plb_amounts(&self) -> Vec<PlbAmount> {
        let mut by_icn: HashMap<&[u8], usize> = HashMap::new();
        let mut by_pcn: HashMap<&[u8], usize> = HashMap::new();
        if self.by != GroupBy::Payee && !self.plb_segments.is_empty() {
            for claim in &self.claims {
                for (map, range) in [(&mut by_icn, &claim.icn), (&mut by_pcn, &claim.pcn)] {
                    if !range.is_empty() {
                        map.entry(&self.bytes[range.clone()]).or_insert(claim.group);
                    }
                }
            }
        }
        let payee_group = self.groups.get_index_of(&self.bytes[self.payee.clone()]);
        let mut out = Vec::new();
        for &segment in &self.plb_segments {
            let seg = Segment::new(self.segment_bytes(segment), self.delims);
            for pair in 0..6 {
                let (composite, amount) = (seg.element(3 + 2 * pair), seg.element(4 + 2 * pair));
                if composite.is_empty() && amount.is_empty() {
                    continue;
                }
                let reference = seg.split_components(composite).nth(1).unwrap_or(b"");
                let reference = reference.trim_ascii();
                let group = match (self.by, payee_group) {
                    (GroupBy::Payee, Some(g)) => Some(g),
                    _ if reference.is_empty() => None,
                    _ => by_icn
                        .get(reference)
                        .or_else(|| by_pcn.get(reference))
                        .copied(),
                };
                out.push(PlbAmount {
                    segment,
                    pair,
                    target: group.map_or(Target::Provider, Target::Group),
                    amount: value::decimal(amount).unwrap_or_default(),
                });
            }
        }
        out
    }
}

/// Byte range of element `n` (1-based) within `raw`, without surrounding
/// blanks; an empty range when absent.
pub fn element_range(raw: &[u8], separator: u8, n: usize) -> Range<usize> {
    let Some(n) = n.checked_sub(1) else {
        return 0..0;
    };
    let start = if n == 0 {
        memchr::memchr(separator, raw)
    } else {
        memchr::memchr_iter(separator, raw).nth(n)
    };
    let Some(start) = start.map(|at| at + 1) else {
        return 0..0;
    };
    let end = memchr::memchr(separator, &raw[start..]).map_or(raw.len(), |at| start + at);
    let element = &raw[start..end];
    let lead = element.len() - element.trim_ascii_start().len();
    let trail = element.len() - element.trim_ascii_end().len();
    if lead == element.len() {
        return 0..0;
    }
    start + lead..end - trail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_ranges_are_trimmed_and_one_based() {
        let raw = b"CLP*A1* 2 **80";
        let at = |n| {
            let r = element_range(raw, b'*', n);
            &raw[r]
        };
        assert_eq!(at(1), b"A1");
        assert_eq!(at(2), b"2");
        assert_eq!(at(3), b"");
        assert_eq!(at(4), b"80");
        assert_eq!(at(5), b"");
        assert_eq!(at(0), b"");
        assert_eq!(element_range(b"SE", b'*', 1), 0..0);
    }
}
