//! The 837 loop state machine, shared by every flavour (X222/X223/X224,
//! X291/X292/X298, 4010 X096/X098): HL hierarchy → billing provider,
//! subscriber, patient; CLM → claim; LX → line. A claim is emitted as soon as
//! the next claim, HL or SE begins, so memory is bounded by one claim.
//!
//! The 2310x provider, 2320/2330 other-payer, 2410 drug, 2420x and 2430 line
//! adjudication loops are read and skipped cleanly (a few cheap facts are
//! kept); a segment that belongs to no 837 loop is reported as unexpected.

use std::collections::VecDeque;

use rust_decimal::Decimal;

use super::model::*;
use crate::diagnostic::{Expected, Issue, Rule, Severity, segment_name};
use crate::envelope::TransactionId;
use crate::fields::{Fields, Procedure, ProcedureComposite, Reference, element_text, text_of};
use crate::text::Text;
use crate::x12::hash::ContentHash;
use crate::x12::{Position, Segment, value};

/// What the parser hands out: one header, the claims, one end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimEvent {
    /// BHT and submitter/receiver.
    Header(Box<ClaimBatchHeader>),
    /// One claim with its lines.
    Claim(Box<BilledClaim>),
    /// SE reached: number of claims and lines.
    End {
        /// Claims in the transaction.
        claims: u64,
        /// Lines in the transaction.
        lines: u64,
        /// Σ CLM02.
        charge: Decimal,
        /// Hash of the transaction's body segments.
        content_hash: u64,
    },
}

/// Where the parser (and the screen, which follows it) is in an 837
/// transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Area {
    Heading,
    BillingProvider,
    Subscriber,
    Patient,
    Claim,
    ClaimProvider,
    OtherPayer,
    Line,
    LineDetail,
}

/// Segments that may appear in an 837 and carry nothing remit models.
pub(crate) const SKIPPED: &[&[u8]] = &[
    b"PER", b"N3", b"N4", b"PRV", b"CUR", b"PAT", b"PWK", b"CN1", b"AMT", b"K3", b"NTE", b"CR1",
    b"CR2", b"CR3", b"CR4", b"CR5", b"CR6", b"CR7", b"CR8", b"CRC", b"HCP", b"CL1", b"DN1", b"DN2",
    b"TOO", b"QTY", b"MEA", b"PS1", b"LIN", b"CTP", b"SVD", b"CAS", b"OI", b"MIA", b"MOA", b"LQ",
    b"FRM", b"HSD", b"MPI", b"UR", b"DSB", b"PLA", b"NM1", b"SBR", b"DTP", b"REF", b"CLM", b"HI",
    b"LX", b"SV1", b"SV2", b"SV3", b"SV4", b"SV5", b"SV6", b"SV7", b"HL", b"BHT",
];

/// Parses the body of one 837 transaction.
#[derive(Debug)]
pub struct ClaimParser {
    kind: ClaimKind,
    area: Area,
    header: Option<Box<ClaimBatchHeader>>,
    created: Option<jiff::civil::Date>,
    id: TransactionId,
    provider: BillingProvider,
    subscriber: Subscriber,
    patient: Option<Patient>,
    claim: Option<Box<BilledClaim>>,
    totals: (u64, u64, Decimal),
    events: VecDeque<ClaimEvent>,
    issues: Vec<Issue>,
    hash: ContentHash,
}

impl ClaimParser {
    /// Starts a transaction identified by `id` (its ST has been read).
    pub fn new(id: TransactionId) -> Self {
        let kind = ClaimKind::from_version(&id.implementation)
            .or_else(|| ClaimKind::from_version(&id.version))
            .unwrap_or_default();
        ClaimParser {
            kind,
            area: Area::Heading,
            header: Some(Box::new(ClaimBatchHeader {
                id: id.clone(),
                ..ClaimBatchHeader::default()
            })),
            created: None,
            id,
            provider: BillingProvider::default(),
            subscriber: Subscriber::default(),
            patient: None,
            claim: None,
            totals: (0, 0, Decimal::ZERO),
            events: VecDeque::new(),
            issues: Vec::new(),
            hash: ContentHash::default(),
        }
    }

    /// The next finished event, if any.
    pub fn next_event(&mut self) -> Option<ClaimEvent> {
        self.events.pop_front()
    }

    /// Takes the findings recorded so far.
    pub fn take_issues(&mut self) -> Vec<Issue> {
        std::mem::take(&mut self.issues)
    }

    /// True when events or findings are waiting.
    #[inline]
    pub fn has_output(&self) -> bool {
        !self.events.is_empty() || !self.issues.is_empty()
    }

    /// Reads one body segment (between ST and SE).
    pub fn segment(&mut self, seg: &Segment<'_>) {
        self.hash.write(seg.raw());
        match seg.id() {
            b"BHT" => self.heading(seg),
            b"HL" => self.hierarchy(seg),
            b"NM1" => self.name(seg),
            b"SBR" => self.subscriber_info(seg),
            b"REF" => self.reference(seg),
            b"CLM" => self.claim_start(seg),
            b"DTP" => self.date(seg),
            b"HI" => self.diagnoses(seg),
            b"DMG" => self.demographics(seg),
            b"LX" => self.line_start(seg),
            b"SV1" | b"SV2" | b"SV3" => self.service(seg),
            b"LIN" | b"SVD" if self.in_line() => self.area = Area::LineDetail,
            id if SKIPPED.contains(&id) => {}
            _ => self.unexpected(seg),
        }
    }

    /// Finishes the transaction at its SE segment.
    pub fn finish(&mut self, _se: Position) {
        self.flush_header();
        self.flush_claim();
        let (claims, lines, charge) = self.totals;
        self.events.push_back(ClaimEvent::End {
            claims,
            lines,
            charge,
            content_hash: self.hash.finish(),
        });
    }

    fn in_line(&self) -> bool {
        matches!(self.area, Area::Line | Area::LineDetail)
    }

    fn heading(&mut self, seg: &Segment<'_>) {
        let mut f = Fields::new(seg, &mut self.issues);
        let created = f.optional_date(4, "transaction set creation date");
        self.created = created;
        if let Some(header) = self.header.as_deref_mut() {
            header.purpose = f.text(2);
            header.reference = f.text(3);
            header.created = created;
            header.claim_type = f.text(6);
        }
    }

    fn hierarchy(&mut self, seg: &Segment<'_>) {
        self.flush_header();
        self.flush_claim();
        match seg.element(3) {
            b"20" => {
                self.area = Area::BillingProvider;
                self.provider = BillingProvider::default();
            }
            b"22" => {
                self.area = Area::Subscriber;
                self.subscriber = Subscriber::default();
                self.patient = None;
            }
            b"23" => {
                self.area = Area::Patient;
                self.patient = Some(Patient::default());
            }
            _ => {
                let mut f = Fields::new(seg, &mut self.issues);
                f.bad_value(
                    3,
                    "hierarchical level code",
                    "20, 22 or 23",
                    Expected::Digits(2),
                );
            }
        }
    }

    fn name(&mut self, seg: &Segment<'_>) {
        let elements = seg.fields();
        let entity = elements.get(1);
        let text = |n| element_text(&elements, n);
        match (self.area, entity) {
            (Area::Heading, b"41") => self.header_mut().submitter = text(3),
            (Area::Heading, b"40") => self.header_mut().receiver = text(3),
            (Area::BillingProvider, b"85") => {
                self.provider.name = text(3);
                let qualifier = elements.get(8);
                if qualifier == b"XX" {
                    self.provider.npi = text(9);
                } else if qualifier == b"24" || qualifier == b"34" {
                    self.provider.tax_id = text(9);
                }
            }
            (Area::Subscriber, b"IL") => {
                self.subscriber.last = text(3);
                self.subscriber.first = text(4);
                self.subscriber.member_id = text(9);
            }
            (Area::Subscriber, b"PR") => {
                self.subscriber.payer_name = text(3);
                self.subscriber.payer_id = text(9);
            }
            (Area::Patient, b"QC") => {
                self.patient = Some(Patient {
                    last: text(3),
                    first: text(4),
                    id: text(9),
                    ..Patient::default()
                })
            }
            (Area::Line | Area::LineDetail, _) => self.area = Area::LineDetail,
            (Area::Claim | Area::ClaimProvider, _) => {
                self.area = Area::ClaimProvider;
                if entity == b"82" && elements.get(8) == b"XX" {
                    let npi = text(9);
                    self.claim_mut().rendering_npi = npi;
                }
            }
            _ => {}
        }
    }

    fn subscriber_info(&mut self, seg: &Segment<'_>) {
        match self.area {
            Area::Subscriber => {
                let elements = seg.fields();
                self.subscriber.responsibility = element_text(&elements, 1);
                self.subscriber.group_number = element_text(&elements, 3);
                self.subscriber.filing_indicator = element_text(&elements, 9);
            }
            Area::Claim | Area::ClaimProvider | Area::OtherPayer => {
                self.area = Area::OtherPayer;
                self.claim_mut().other_payers += 1;
            }
            _ => self.unexpected(seg),
        }
    }

    fn reference(&mut self, seg: &Segment<'_>) {
        let elements = seg.fields();
        let reference = Reference {
            qualifier: element_text(&elements, 1),
            value: element_text(&elements, 2),
        };
        match self.area {
            Area::BillingProvider if matches!(elements.get(1), b"EI" | b"SY") => {
                self.provider.tax_id = reference.value;
            }
            Area::Claim => {
                let claim = self.claim_mut();
                if reference.qualifier == "F8" {
                    claim.payer_claim_number = Some(reference.value);
                } else {
                    claim.references.push(reference);
                }
            }
            Area::Line => {
                let Some(line) = self.claim_mut().lines.last_mut() else {
                    return;
                };
                if reference.qualifier == "6R" {
                    line.control_number = reference.value;
                } else {
                    line.references.push(reference);
                }
            }
            _ => {}
        }
    }

    fn claim_start(&mut self, seg: &Segment<'_>) {
        self.flush_header();
        self.flush_claim();
        if !matches!(
            self.area,
            Area::Subscriber
                | Area::Patient
                | Area::Claim
                | Area::ClaimProvider
                | Area::OtherPayer
                | Area::Line
                | Area::LineDetail
        ) {
            let issue = Issue::new(
                Severity::Fatal,
                Rule::Structure,
                seg.pos(),
                "CLM outside a subscriber or patient loop: expected HL*..*22 or 23 before it",
            )
            .at_segment(b"CLM");
            self.issues.push(issue);
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let claim = BilledClaim {
            kind: self.kind,
            id: self.id.clone(),
            created: self.created,
            billing_provider: self.provider.clone(),
            subscriber: self.subscriber.clone(),
            patient: self.patient.clone(),
            claim_id: f.required_text(1, "patient control number"),
            charge: f.amount(2, "total claim charge amount"),
            facility_code: f.component(5, 1),
            facility_qualifier: f.component(5, 2),
            frequency: f.component(5, 3),
            pos: seg.pos(),
            ..BilledClaim::default()
        };
        self.claim = Some(Box::new(claim));
        self.area = Area::Claim;
    }

    fn date(&mut self, seg: &Segment<'_>) {
        let area = self.area;
        if matches!(area, Area::OtherPayer | Area::LineDetail) {
            self.adjudication_date(seg);
            return;
        }
        if !matches!(area, Area::Claim | Area::Line) {
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let Some((from, to)) = read_period(&mut f) else {
            return;
        };
        let period = Period {
            qualifier: f.text(1),
            from,
            to,
        };
        let claim = self.claim_mut();
        match (area, claim.lines.last_mut()) {
            (Area::Line, Some(line)) if period.qualifier == "472" => {
                line.service_date = Some(from);
                line.service_to = Some(to);
            }
            (Area::Line, _) => {}
            _ => claim.dates.push(period),
        }
    }

    /// DTP*573 in an other-payer (2330B) or line adjudication (2430) loop:
    /// when another payer paid. The latest is kept — a secondary claim's
    /// filing limit runs from the primary's payment, and a line adjusted
    /// later moves it on.
    fn adjudication_date(&mut self, seg: &Segment<'_>) {
        if seg.element(1) != b"573" || self.claim.is_none() {
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let Some((date, _)) = read_period(&mut f) else {
            return;
        };
        let claim = self.claim_mut();
        claim.other_payer_paid = claim.other_payer_paid.max(Some(date));
    }

    /// DMG of the subscriber (2010BA) or the patient (2010CA): the birth
    /// date and gender a 276 status request must send. A date that does
    /// not parse is reported by the field reader and left unknown.
    fn demographics(&mut self, seg: &Segment<'_>) {
        let area = self.area;
        if !matches!(area, Area::Subscriber | Area::Patient) {
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        if f.segment().element(1) != b"D8" {
            return;
        }
        let birth = f.optional_date(2, "birth date");
        let gender = f.text(3);
        match area {
            Area::Subscriber => {
                self.subscriber.birth_date = birth;
                self.subscriber.gender = gender;
            }
            _ => {
                if let Some(patient) = &mut self.patient {
                    patient.birth_date = birth;
                    patient.gender = gender;
                }
            }
        }
    }

    fn diagnoses(&mut self, seg: &Segment<'_>) {
        if self.area != Area::Claim {
            return;
        }
        let codes: Vec<Text> = seg
            .elements()
            .map(text_of)
            .filter(|c| !c.is_empty())
            .collect();
        self.claim_mut().diagnoses.extend(codes);
    }

    fn line_start(&mut self, seg: &Segment<'_>) {
        if self.claim.is_none() {
            let issue = Issue::new(
                Severity::Fatal,
                Rule::Structure,
                seg.pos(),
                "LX outside a claim: expected CLM before it",
            )
            .at_segment(b"LX");
            self.issues.push(issue);
            return;
        }
        let line = BilledLine {
            number: element_text(&seg.fields(), 1),
            pos: seg.pos(),
            ..BilledLine::default()
        };
        self.claim_mut().lines.push(line);
        self.area = Area::Line;
    }

    fn service(&mut self, seg: &Segment<'_>) {
        let in_line =
            self.area == Area::Line && self.claim.as_ref().is_some_and(|c| !c.lines.is_empty());
        if !in_line {
            let issue = Issue::new(
                Severity::Fatal,
                Rule::Structure,
                seg.pos(),
                "service line segment outside a line: expected LX before it",
            )
            .at_segment(seg.id());
            self.issues.push(issue);
            return;
        }
        let mut f = Fields::new(seg, &mut self.issues);
        let claim = self.claim.as_deref_mut().expect("checked above");
        let line = claim.lines.last_mut().expect("checked above");
        match seg.id() {
            b"SV1" => read_professional(&mut f, line),
            b"SV2" => read_institutional(&mut f, line),
            _ => read_dental(&mut f, line),
        }
    }

    fn flush_header(&mut self) {
        if let Some(header) = self.header.take() {
            self.events.push_back(ClaimEvent::Header(header));
        }
    }

    fn flush_claim(&mut self) {
        let Some(mut claim) = self.claim.take() else {
            return;
        };
        let fallback = claim.date("472").or_else(|| claim.date("434"));
        for line in &mut claim.lines {
            line.service_date = line.service_date.or(fallback);
        }
        self.check_charges(&claim);
        self.totals.0 += 1;
        self.totals.1 += claim.lines.len() as u64;
        self.totals.2 += claim.charge;
        self.events.push_back(ClaimEvent::Claim(claim));
    }

    /// TR3: CLM02 equals the sum of the line charges.
    fn check_charges(&mut self, claim: &BilledClaim) {
        let lines: Decimal = claim.lines.iter().map(|l| l.charge).sum();
        if !claim.lines.is_empty() && lines != claim.charge {
            let message = format!(
                "claim {} charge CLM02 {} differs from the sum of its line charges {}",
                claim.claim_id, claim.charge, lines
            );
            let issue =
                Issue::new(Severity::Invalid, Rule::Balance, claim.pos, message).at_segment(b"CLM");
            self.issues.push(issue);
        }
    }

    fn header_mut(&mut self) -> &mut ClaimBatchHeader {
        self.header.get_or_insert_with(Box::default)
    }

    fn claim_mut(&mut self) -> &mut BilledClaim {
        self.claim.get_or_insert_with(Box::default)
    }

    fn unexpected(&mut self, seg: &Segment<'_>) {
        let message = format!(
            "{} is not expected here in an 837; ignored",
            segment_name(seg.id())
        );
        let issue = Issue::new(Severity::Warning, Rule::Unexpected, seg.pos(), message)
            .at_segment(seg.id());
        self.issues.push(issue);
    }
}

/// DTP02 format (D8 / RD8) and DTP03 value.
fn read_period(f: &mut Fields<'_, '_>) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
    let seg = *f.segment();
    let raw = seg.element(3);
    let parsed = match seg.element(2) {
        b"D8" | b"RD8" | b"" => value::date_range(raw),
        _ => return None,
    };
    if parsed.is_none() {
        f.bad_value(
            3,
            "date or period",
            "a date CCYYMMDD or period CCYYMMDD-CCYYMMDD",
            Expected::Date,
        );
    }
    parsed
}

/// The procedure composite of element `n` (empty when the element is); a
/// composite without a code, or written with the wrong separator, is
/// reported by [`Fields::procedure_components`], as for the 835.
fn read_procedure(f: &mut Fields<'_, '_>, n: usize, kind: ProcedureComposite) -> Procedure {
    let Some(mut parts) = f.procedure_components(n, kind) else {
        return Procedure::default();
    };
    let qualifier = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let modifiers = parts.by_ref().take(4).filter(|m| !m.is_empty()).collect();
    let description = parts.next().unwrap_or_default();
    Procedure {
        qualifier,
        code,
        modifiers,
        description,
    }
}

fn read_professional(f: &mut Fields<'_, '_>, line: &mut BilledLine) {
    line.procedure = read_procedure(f, 1, ProcedureComposite::Professional);
    if f.raw(1).trim_ascii().is_empty() {
        f.missing(1, "composite medical procedure identifier");
    }
    line.charge = f.amount(2, "line item charge amount");
    line.unit_basis = f.text(3);
    line.units = f.optional_amount(4, "service unit count");
    line.place_of_service = f.text(5);
}

fn read_institutional(f: &mut Fields<'_, '_>, line: &mut BilledLine) {
    line.revenue_code = f.required_text(1, "service line revenue code");
    // SV202 is situational (a revenue code alone may describe the line),
    // but when present it must carry a code.
    line.procedure = read_procedure(f, 2, ProcedureComposite::Institutional);
    line.charge = f.amount(3, "line item charge amount");
    line.unit_basis = f.text(4);
    line.units = f.optional_amount(5, "service unit count");
    line.non_covered = f.optional_amount(7, "non-covered charge amount");
}

fn read_dental(f: &mut Fields<'_, '_>, line: &mut BilledLine) {
    line.procedure = read_procedure(f, 1, ProcedureComposite::Dental);
    if f.raw(1).trim_ascii().is_empty() {
        f.missing(1, "composite medical procedure identifier");
    }
    line.charge = f.amount(2, "line item charge amount");
    line.place_of_service = f.text(3);
    line.units = f.optional_amount(6, "procedure count");
}
