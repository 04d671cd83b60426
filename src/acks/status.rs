//! The claim status loop parser, shared by the 277CA (005010X214), the 277
//! claim status response (005010X212) and the 276 claim status request
//! (005010X212): the same HL hierarchy — information source (20),
//! information receiver (21), provider (19), subscriber or patient (22 or
//! PT), dependent (23) — with a claim loop opened by TRN under the last two.
//!
//! A claim is handed out as soon as the next TRN, HL or SE begins, so memory
//! is bounded by one claim. The hierarchy itself is checked (HL01 numbering,
//! HL02 pointing at the right parent level, HL04 telling the truth about
//! children), as are the 277CA's accepted/rejected totals against the
//! claims it lists.

use std::collections::{HashMap, VecDeque};

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::codes::{AckCodes, AckList, Outcome};
use super::model::{
    BatchStatus, ClaimStatus, LineStatus, StatusCode, StatusInfo, StatusParty, StatusReportKind,
};
use crate::diagnostic::{Expected, Issue, Rule, Severity};
use crate::envelope::TransactionId;
use crate::fields::{Fields, Procedure, element_text};
use crate::text::Text;
use crate::x12::{Position, Segment, value};

/// What the claim status parser hands out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusEvent {
    /// The 2200B batch-level status of a 277CA.
    Batch(Box<BatchStatus>),
    /// A provider-level status (2200C) with its STC segments: in a 277CA a
    /// rejection here covers the provider's claims of the batch.
    Provider(Box<ClaimStatus>),
    /// One claim's status (or one claim asked about, in a 276).
    Claim(Box<ClaimStatus>),
    /// SE reached.
    End {
        /// 277CA, 277 or 276.
        kind: StatusReportKind,
        /// Claims in the transaction.
        claims: u64,
        /// Service lines in the transaction.
        lines: u64,
        /// GS08 of the transaction's group.
        version: Text,
    },
}

/// Where in the hierarchy the parser is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Heading,
    Source,
    Receiver,
    Provider,
    Subscriber,
    Dependent,
}

impl Level {
    fn from_code(code: &[u8]) -> Option<Level> {
        match code {
            b"20" => Some(Level::Source),
            b"21" => Some(Level::Receiver),
            b"19" => Some(Level::Provider),
            b"22" | b"PT" => Some(Level::Subscriber),
            b"23" => Some(Level::Dependent),
            _ => None,
        }
    }

    /// The level an HL of this level must point at with HL02.
    fn parent(self) -> Option<&'static [Level]> {
        match self {
            Level::Heading | Level::Source => None,
            Level::Receiver => Some(&[Level::Source]),
            Level::Provider => Some(&[Level::Receiver]),
            Level::Subscriber => Some(&[Level::Provider]),
            Level::Dependent => Some(&[Level::Subscriber]),
        }
    }
}

/// One HL seen so far, for checking parents and child codes.
#[derive(Clone, Copy, Debug)]
struct HlNode {
    level: Level,
    says_children: Option<bool>,
    has_children: bool,
    pos: Position,
}

/// Accepted/rejected tallies of a 277CA receiver level, checked at its end.
#[derive(Clone, Debug, Default)]
struct Tally {
    accepted: (Decimal, Decimal),
    rejected: (Decimal, Decimal),
}

/// Parses the body of one 277 or 276 transaction.
#[derive(Debug)]
pub struct StatusParser {
    kind: StatusReportKind,
    id: TransactionId,
    report_date: Option<Date>,
    level: Level,
    in_line: bool,
    source: StatusParty,
    receiver: StatusParty,
    provider: StatusParty,
    member_id: Text,
    batch_reference: Text,
    batch: Option<BatchStatus>,
    provider_status: Option<ClaimStatus>,
    claim: Option<ClaimStatus>,
    hl: HashMap<Text, HlNode>,
    last_hl: u64,
    tally: Tally,
    totals: (u64, u64),
    events: VecDeque<StatusEvent>,
    issues: Vec<Issue>,
}

impl StatusParser {
    /// Starts a transaction identified by `id` (its ST has been read).
    pub fn new(id: TransactionId) -> Self {
        let version = if id.implementation.is_empty() {
            &id.version
        } else {
            &id.implementation
        };
        StatusParser {
            kind: StatusReportKind::from_ids(&id.set_id, version),
            id,
            report_date: None,
            level: Level::Heading,
            in_line: false,
            source: StatusParty::default(),
            receiver: StatusParty::default(),
            provider: StatusParty::default(),
            member_id: Text::default(),
            batch_reference: Text::default(),
            batch: None,
            provider_status: None,
            claim: None,
            hl: HashMap::new(),
            last_hl: 0,
            tally: Tally::default(),
            totals: (0, 0),
            events: VecDeque::new(),
            issues: Vec::new(),
        }
    }

    /// The next finished event, if any.
    pub fn next_event(&mut self) -> Option<StatusEvent> {
        self.events.pop_front()
    }

    /// Takes the findings recorded so far.
    pub fn take_issues(&mut self) -> Vec<Issue> {
        std::mem::take(&mut self.issues)
    }

    /// True when events or findings are waiting.
    pub fn has_output(&self) -> bool {
        !self.events.is_empty() || !self.issues.is_empty()
    }

    /// Reads one body segment (between ST and SE).
    pub fn segment(&mut self, seg: &Segment<'_>) {
        match seg.id() {
            b"BHT" => self.heading(seg),
            b"HL" => self.hierarchy(seg),
            b"NM1" => self.name(seg),
            b"TRN" => self.trace(seg),
            b"STC" => self.status(seg),
            b"REF" => self.reference(seg),
            b"DTP" => self.date(seg),
            b"SVC" => self.service(seg),
            b"QTY" | b"AMT" => self.quantity(seg),
            b"DMG" | b"PER" => {}
            _ => self.finding(
                seg.pos(),
                seg.id(),
                Severity::Warning,
                Rule::Unexpected,
                format!(
                    "segment {} is not expected in a {}; ignored",
                    seg.id_str(),
                    self.kind.label()
                ),
            ),
        }
    }

    /// Finishes the transaction at its SE segment.
    pub fn finish(&mut self) {
        self.flush();
        self.close_receiver();
        self.check_children();
        let (claims, lines) = self.totals;
        self.events.push_back(StatusEvent::End {
            kind: self.kind,
            claims,
            lines,
            version: self.id.version.clone(),
        });
    }

    fn heading(&mut self, seg: &Segment<'_>) {
        let mut f = Fields::new(seg, &mut self.issues);
        self.report_date = f.optional_date(4, "transaction set creation date");
        // BHT01/02/06 must fit the guide: a mismatch usually means a 277 of
        // one guide sent under the other's GS08.
        let expected: &[(usize, &str)] = match self.kind {
            StatusReportKind::ClaimAcknowledgment => &[(1, "0085"), (2, "08"), (6, "TH")],
            StatusReportKind::StatusResponse => &[(1, "0010"), (2, "08"), (6, "DG")],
            StatusReportKind::StatusRequest => &[(1, "0010"), (2, "13")],
        };
        for &(n, want) in expected {
            let got = f.text(n);
            if got != want {
                let message = format!("BHT{n:02} is {got:?}; a {} has {want:?}", self.kind.label());
                f.push(Severity::Warning, Rule::Consistency, message);
            }
        }
    }

    fn hierarchy(&mut self, seg: &Segment<'_>) {
        self.flush();
        let mut f = Fields::new(seg, &mut self.issues);
        let id = f.required_text(1, "hierarchical id number");
        let parent = f.text(2);
        let Some(level) = Level::from_code(f.raw(3)) else {
            f.bad_value(
                3,
                "hierarchical level code",
                "20, 21, 19, 22, PT or 23",
                Expected::Digits(2),
            );
            return;
        };
        let says_children = match f.raw(4) {
            b"1" => Some(true),
            b"0" => Some(false),
            _ => None,
        };
        if level == Level::Receiver || level == Level::Source {
            self.close_receiver();
        }
        self.check_numbering(seg, &id);
        self.check_parent(seg, level, &parent);
        self.hl.insert(
            id,
            HlNode {
                level,
                says_children,
                has_children: false,
                pos: seg.pos(),
            },
        );
        self.enter(level);
    }

    /// Resets what a new level replaces.
    fn enter(&mut self, level: Level) {
        self.level = level;
        self.in_line = false;
        match level {
            Level::Source => self.source = StatusParty::default(),
            Level::Receiver => {
                self.receiver = StatusParty::default();
                self.batch_reference = Text::default();
            }
            Level::Provider => self.provider = StatusParty::default(),
            Level::Subscriber => self.member_id = Text::default(),
            Level::Heading | Level::Dependent => {}
        }
    }

    /// TR3: HL01 starts at 1 and goes up by one.
    fn check_numbering(&mut self, seg: &Segment<'_>, id: &str) {
        let number = id.parse::<u64>().ok();
        if number != Some(self.last_hl + 1) {
            let message = format!(
                "HL01 is {id:?}; expected {} (HL01 counts up from 1 by one)",
                self.last_hl + 1
            );
            self.finding(
                seg.pos(),
                b"HL",
                Severity::Invalid,
                Rule::Structure,
                message,
            );
        }
        if let Some(n) = number {
            self.last_hl = n;
        }
    }

    fn check_parent(&mut self, seg: &Segment<'_>, level: Level, parent: &str) {
        let expected = level.parent();
        let found = self.hl.get_mut(parent);
        let problem = match (expected, found) {
            (None, _) if parent.is_empty() => None,
            (None, _) => Some(format!(
                "HL02 is {parent:?}; an information source level has no parent"
            )),
            (Some(_), None) => Some(format!("HL02 {parent:?} names no earlier HL")),
            (Some(levels), Some(node)) => {
                node.has_children = true;
                (!levels.contains(&node.level)).then(|| {
                    format!("HL02 {parent:?} is a {:?} level; a {level:?} level belongs under {levels:?}", node.level)
                })
            }
        };
        if let Some(message) = problem {
            self.finding(
                seg.pos(),
                b"HL",
                Severity::Invalid,
                Rule::Structure,
                message,
            );
        }
    }

    /// HL04 = 1 promises children, 0 promises none.
    fn check_children(&mut self) {
        let mut wrong: Vec<(Position, String)> = self
            .hl
            .iter()
            .filter_map(|(id, node)| match node.says_children {
                Some(says) if says != node.has_children => Some((
                    node.pos,
                    format!(
                        "HL {id} says HL04 {} but has {} child levels",
                        u8::from(says),
                        if node.has_children { "" } else { "no" }
                    ),
                )),
                _ => None,
            })
            .collect();
        wrong.sort_by_key(|(pos, _)| pos.byte);
        for (pos, message) in wrong {
            self.finding(
                pos,
                b"HL",
                Severity::Invalid,
                Rule::Structure,
                message.replace("  ", " "),
            );
        }
    }

    fn name(&mut self, seg: &Segment<'_>) {
        let elements = seg.fields();
        let text = |n| element_text(&elements, n);
        let party = || StatusParty {
            entity: text(1),
            // People's names are PHI and unused: only organisations keep one.
            name: if elements.get(2) == b"2" {
                text(3)
            } else {
                Text::default()
            },
            id_qualifier: text(8),
            id: text(9),
        };
        match self.level {
            Level::Source => self.source = party(),
            Level::Receiver => self.receiver = party(),
            Level::Provider => self.provider = party(),
            Level::Subscriber => self.member_id = text(9),
            Level::Dependent | Level::Heading => {}
        }
    }

    fn trace(&mut self, seg: &Segment<'_>) {
        let mut f = Fields::new(seg, &mut self.issues);
        let trace = f.required_text(2, "trace number");
        match self.level {
            Level::Receiver => {
                self.batch_reference = trace.clone();
                self.batch = Some(BatchStatus {
                    id: self.id.clone(),
                    batch_reference: trace,
                    receiver: self.receiver.clone(),
                    pos: seg.pos(),
                    ..BatchStatus::default()
                });
            }
            Level::Provider => {
                let status = self.new_status(trace, seg.pos());
                self.provider_status = Some(status);
            }
            Level::Subscriber | Level::Dependent => {
                self.flush();
                let mut claim = self.new_status(trace, seg.pos());
                claim.member_id = self.member_id.clone();
                claim.dependent = self.level == Level::Dependent;
                self.claim = Some(claim);
            }
            Level::Source | Level::Heading => {}
        }
    }

    fn new_status(&self, trace: Text, pos: Position) -> ClaimStatus {
        ClaimStatus {
            kind: self.kind,
            id: self.id.clone(),
            report_date: self.report_date,
            source: self.source.clone(),
            receiver: self.receiver.clone(),
            batch_reference: self.batch_reference.clone(),
            provider: self.provider.clone(),
            trace,
            pos,
            ..ClaimStatus::default()
        }
    }

    fn status(&mut self, seg: &Segment<'_>) {
        let info = read_status(seg, &mut self.issues);
        if self.kind == StatusReportKind::StatusRequest {
            self.finding(
                seg.pos(),
                b"STC",
                Severity::Invalid,
                Rule::Unexpected,
                "STC in a 276 request".into(),
            );
            return;
        }
        if let Some(line) = self.open_line() {
            line.statuses.push(info);
        } else if let Some(claim) = self.claim.as_mut() {
            claim.statuses.push(info);
        } else if let Some(provider) = self.provider_status.as_mut() {
            provider.statuses.push(info);
        } else if let Some(batch) = self.batch.as_mut() {
            batch.statuses.push(info);
        } else {
            self.finding(
                seg.pos(),
                b"STC",
                Severity::Invalid,
                Rule::Structure,
                "STC outside a TRN loop; ignored".into(),
            );
        }
    }

    fn open_line(&mut self) -> Option<&mut LineStatus> {
        if !self.in_line {
            return None;
        }
        self.claim.as_mut().and_then(|c| c.lines.last_mut())
    }

    fn reference(&mut self, seg: &Segment<'_>) {
        let elements = seg.fields();
        let value = element_text(&elements, 2);
        if let Some(line) = self.open_line() {
            if elements.get(1) == b"FJ" {
                line.control_number = value;
            }
            return;
        }
        let Some(claim) = self.claim.as_mut() else {
            return;
        };
        match elements.get(1) {
            b"1K" => claim.payer_claim_number = value,
            b"EJ" => claim.patient_control_number = value,
            b"D9" => claim.clearinghouse_number = value,
            b"BLT" => claim.bill_type = value,
            _ => {}
        }
    }

    fn date(&mut self, seg: &Segment<'_>) {
        if seg.element(1) != b"472" {
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let period = value::date_range(f.raw(3));
        if period.is_none() {
            f.bad_value(
                3,
                "service date or period",
                "a date CCYYMMDD or period CCYYMMDD-CCYYMMDD",
                Expected::Date,
            );
        }
        let (from, to) = (period.map(|p| p.0), period.map(|p| p.1));
        if let Some(line) = self.open_line() {
            (line.service_from, line.service_to) = (from, to);
        } else if let Some(claim) = self.claim.as_mut() {
            (claim.service_from, claim.service_to) = (from, to);
        }
    }

    fn service(&mut self, seg: &Segment<'_>) {
        if self.claim.is_none() {
            self.finding(
                seg.pos(),
                b"SVC",
                Severity::Invalid,
                Rule::Structure,
                "SVC outside a claim loop; ignored".into(),
            );
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let mut parts = f.component_texts(1);
        let qualifier = parts.next().unwrap_or_default();
        let code = parts.next().unwrap_or_default();
        let modifiers = parts.take(4).filter(|m| !m.is_empty()).collect();
        let line = LineStatus {
            procedure: Procedure {
                qualifier,
                code,
                modifiers,
                ..Procedure::default()
            },
            charge: f.optional_amount(2, "line item charge amount"),
            paid: f.optional_amount(3, "line item payment amount"),
            revenue_code: f.text(4),
            units: f.optional_amount(7, "units of service"),
            pos: seg.pos(),
            ..LineStatus::default()
        };
        if let Some(claim) = self.claim.as_mut() {
            claim.lines.push(line);
        }
        self.in_line = true;
    }

    fn quantity(&mut self, seg: &Segment<'_>) {
        let mut f = Fields::new(seg, &mut self.issues);
        let qualifier = f.text(1);
        let amount = f.optional_amount(2, "quantity or amount");
        if let Some(claim) = self.claim.as_mut() {
            if qualifier == "T3" {
                claim.charge = amount;
            }
            return;
        }
        if self.level != Level::Receiver {
            return;
        }
        if let Some(batch) = self.batch.as_mut() {
            match qualifier.as_str() {
                "90" => batch.accepted_count = amount,
                "AA" => batch.rejected_count = amount,
                "YU" => batch.accepted_amount = amount,
                "YY" => batch.rejected_amount = amount,
                _ => {}
            }
        }
    }

    /// Hands out the open claim and provider status.
    fn flush(&mut self) {
        self.in_line = false;
        if let Some(provider) = self.provider_status.take() {
            self.events
                .push_back(StatusEvent::Provider(Box::new(provider)));
        }
        let Some(claim) = self.claim.take() else {
            return;
        };
        if claim.statuses.is_empty() && self.kind != StatusReportKind::StatusRequest {
            let message = format!(
                "claim {} has no STC: its status is unknown",
                claim.claim_id()
            );
            self.finding(claim.pos, b"TRN", Severity::Invalid, Rule::Missing, message);
        }
        self.count(&claim);
        self.totals.0 += 1;
        self.totals.1 += claim.lines.len() as u64;
        self.events.push_back(StatusEvent::Claim(Box::new(claim)));
    }

    /// Adds a 277CA claim to the accepted or rejected tally of its receiver.
    fn count(&mut self, claim: &ClaimStatus) {
        let charge = claim
            .statuses
            .iter()
            .find_map(|s| s.charge)
            .unwrap_or_default();
        match claim_outcome(AckCodes::builtin(), &claim.statuses) {
            Some(Outcome::Rejected | Outcome::NotFound) => {
                self.tally.rejected.0 += Decimal::ONE;
                self.tally.rejected.1 += charge;
            }
            Some(Outcome::Accepted | Outcome::Received | Outcome::Forwarded | Outcome::Pending) => {
                self.tally.accepted.0 += Decimal::ONE;
                self.tally.accepted.1 += charge;
            }
            _ => {}
        }
    }

    /// Ends a receiver level: its QTY/AMT totals must match the claims
    /// listed under it (when the report lists its claims at all).
    fn close_receiver(&mut self) {
        let tally = std::mem::take(&mut self.tally);
        let Some(batch) = self.batch.take() else {
            return;
        };
        let listed = tally.accepted.0 + tally.rejected.0 > Decimal::ZERO;
        let checks = [
            (
                "QTY*90 accepted claims",
                batch.accepted_count,
                tally.accepted.0,
            ),
            (
                "QTY*AA rejected claims",
                batch.rejected_count,
                tally.rejected.0,
            ),
            (
                "AMT*YU accepted amount",
                batch.accepted_amount,
                tally.accepted.1,
            ),
            (
                "AMT*YY rejected amount",
                batch.rejected_amount,
                tally.rejected.1,
            ),
        ];
        if listed {
            for (what, stated, found) in checks {
                if let Some(stated) = stated.filter(|s| *s != found) {
                    let message = format!(
                        "batch {} {what} says {stated}; the claims listed give {found}",
                        batch.batch_reference
                    );
                    self.finding(batch.pos, b"TRN", Severity::Invalid, Rule::Count, message);
                }
            }
        }
        self.events.push_back(StatusEvent::Batch(Box::new(batch)));
    }

    fn finding(
        &mut self,
        pos: Position,
        id: &[u8],
        severity: Severity,
        rule: Rule,
        message: String,
    ) {
        self.issues
            .push(Issue::new(severity, rule, pos, message).at_segment(id));
    }
}

/// Reads an STC segment: up to three code triples, dates and amounts.
fn read_status(seg: &Segment<'_>, issues: &mut Vec<Issue>) -> StatusInfo {
    let mut f = Fields::new(seg, issues);
    let mut codes = Vec::new();
    for n in [1, 10, 11] {
        let mut parts = f.component_texts(n);
        let code = StatusCode {
            category: parts.next().unwrap_or_default(),
            status: parts.next().unwrap_or_default(),
            entity: parts.next().unwrap_or_default(),
        };
        if code.category.is_empty() {
            if n == 1 {
                f.missing(1, "health care claim status category code");
            }
            continue;
        }
        if AckCodes::builtin()
            .get(AckList::Category, &code.category)
            .is_none()
        {
            let message = format!(
                "STC{n:02} category {:?} is not a claim status category code",
                code.category
            );
            f.push(Severity::Invalid, Rule::BadValue, message);
        }
        codes.push(code);
    }
    StatusInfo {
        codes,
        effective: f.optional_date(2, "status information effective date"),
        action: f.text(3),
        charge: f.optional_amount(4, "total claim charge amount"),
        paid: f.optional_amount(5, "claim payment amount"),
        message: f.text(12),
        pos: seg.pos(),
    }
}

/// The verdict of a set of STC segments: the most severe outcome among
/// their categories (a rejection sent next to an acceptance wins), `None`
/// when no category is known.
pub fn claim_outcome(codes: &AckCodes, statuses: &[StatusInfo]) -> Option<Outcome> {
    statuses
        .iter()
        .flat_map(|s| &s.codes)
        .filter_map(|c| codes.outcome(AckList::Category, &c.category))
        .max_by_key(|o| o.severity())
}
