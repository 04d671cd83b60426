//! The 835 loop state machine: fed the body segments of one transaction
//! (ST..SE), it emits the header once, then each claim payment as soon as the
//! next claim (or the trailer) starts, then the provider-level adjustments
//! and totals at SE. Memory is bounded by one claim.
//!
//! Every segment of 005010X221A1 is read; a segment out of place is a
//! finding, never silently dropped.

use std::collections::VecDeque;

use super::balance;
use super::model::*;
use crate::diagnostic::{Expected, Issue, Rule, Severity, segment_name};
use crate::envelope::TransactionId;
use crate::fields::{Fields, Procedure, ProcedureComposite, Reference, element_text, text_of};
use crate::text::Text;
use crate::x12::hash::ContentHash;
use crate::x12::{Position, Segment};

/// What the parser hands out, in order: one header, the claims, one end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemittanceEvent {
    /// The transaction header (BPR, TRN, payer, payee).
    Header(Box<RemittanceHeader>),
    /// One claim payment with its service lines.
    Claim(Box<ClaimPayment>),
    /// The provider-level adjustments and totals, at SE.
    End(Box<RemittanceTrailer>),
}

/// Where the parser (and the screen, which follows it) is in an 835
/// transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Header,
    Payer,
    Payee,
    HeaderNumber,
    Claim,
    Line,
    Trailer,
}

/// Claim payments handed back once read, kept so that the next claims
/// reuse their boxes and vectors (and service lines) instead of allocating.
#[derive(Debug, Default)]
pub(crate) struct ClaimPool {
    // The boxes themselves are what is reused: events carry Box<ClaimPayment>.
    #[allow(clippy::vec_box)]
    claims: Vec<Box<ClaimPayment>>,
    lines: Vec<ServiceLine>,
}

impl ClaimPool {
    /// Most claims kept (two are in use at a time: one read, one built).
    const CLAIMS: usize = 4;
    /// Most spare service lines kept.
    const LINES: usize = 64;

    /// Keeps `claim` for reuse; its contents are overwritten when reused.
    pub(crate) fn give(&mut self, claim: Box<ClaimPayment>) {
        if self.claims.len() < Self::CLAIMS {
            self.claims.push(claim);
        }
    }

    fn take(&mut self) -> Box<ClaimPayment> {
        self.claims.pop().unwrap_or_default()
    }

    fn spare_line(&mut self) -> ServiceLine {
        self.lines.pop().unwrap_or_default()
    }

    fn keep_lines(&mut self, lines: impl Iterator<Item = ServiceLine>) {
        let room = Self::LINES.saturating_sub(self.lines.len());
        self.lines.extend(lines.take(room));
    }
}

/// Parses the body of one 835 transaction.
#[derive(Debug)]
pub struct RemittanceParser {
    state: State,
    header: Option<Box<RemittanceHeader>>,
    seen_bpr: bool,
    /// The claim being read. Its `lines` may hold stale lines of a reused
    /// claim beyond `lines`; they are cut off when the claim is finished.
    claim: Option<Box<ClaimPayment>>,
    /// Service lines of `claim` read so far.
    lines: usize,
    pool: ClaimPool,
    header_number: Text,
    trailer: Box<RemittanceTrailer>,
    events: VecDeque<RemittanceEvent>,
    issues: Vec<Issue>,
    hash: ContentHash,
}

impl RemittanceParser {
    /// Starts a transaction identified by `id` (its ST has been read).
    pub fn new(id: TransactionId) -> Self {
        Self::with_pool(id, ClaimPool::default())
    }

    /// Starts a transaction reusing the claims in `pool`.
    pub(crate) fn with_pool(id: TransactionId, pool: ClaimPool) -> Self {
        RemittanceParser {
            state: State::Header,
            header: Some(Box::new(RemittanceHeader {
                id,
                ..RemittanceHeader::default()
            })),
            seen_bpr: false,
            claim: None,
            lines: 0,
            pool,
            header_number: Text::default(),
            trailer: Box::default(),
            events: VecDeque::new(),
            issues: Vec::new(),
            hash: ContentHash::default(),
        }
    }

    /// The next finished event, if any.
    pub fn next_event(&mut self) -> Option<RemittanceEvent> {
        self.events.pop_front()
    }

    /// Hands back a claim payment the caller is done with, for reuse.
    pub fn recycle(&mut self, claim: Box<ClaimPayment>) {
        self.pool.give(claim);
    }

    /// Takes the reusable claims, for the next transaction.
    pub(crate) fn take_pool(&mut self) -> ClaimPool {
        std::mem::take(&mut self.pool)
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
        let id = seg.id();
        let handled = match self.state {
            State::Header => self.in_header(seg, id),
            State::Payer | State::Payee => self.in_party(seg, id),
            State::HeaderNumber => self.in_header_number(seg, id),
            State::Claim => self.in_claim(seg, id),
            State::Line => self.in_line(seg, id),
            State::Trailer => false,
        };
        if !handled && !self.loop_start(seg, id) {
            self.unexpected(seg);
        }
    }

    /// Finishes the transaction at its SE segment.
    pub fn finish(&mut self, se: Position) {
        self.flush_header();
        self.flush_claim();
        let mut trailer = std::mem::take(&mut self.trailer);
        trailer.pos = se;
        trailer.content_hash = self.hash.finish();
        if !self.seen_bpr {
            let issue = Issue::new(Severity::Fatal, Rule::Missing, se, "835 has no BPR segment");
            self.issues.push(issue);
        }
        balance::check_transaction(&trailer, &mut self.issues);
        self.events.push_back(RemittanceEvent::End(trailer));
    }

    /// Segments that start a loop, valid from several states.
    fn loop_start(&mut self, seg: &Segment<'_>, id: &[u8]) -> bool {
        match id {
            b"N1" => self.party_start(seg),
            b"LX" => self.header_number_start(seg),
            b"CLP" => self.claim_start(seg),
            b"PLB" => self.provider_adjustment(seg),
            _ => return false,
        }
        true
    }

    fn in_header(&mut self, seg: &Segment<'_>, id: &[u8]) -> bool {
        let header = self
            .header
            .as_deref_mut()
            .expect("header kept until flushed");
        let mut f = Fields::new(seg, &mut self.issues);
        match id {
            b"BPR" => {
                header.payment = read_payment(&mut f);
                self.trailer.stated_payment = header.payment.amount;
                self.seen_bpr = true;
            }
            b"TRN" => header.trace = read_trace(&mut f),
            b"CUR" => header.currency = Some((f.text(1), f.text(2))),
            b"REF" => header.references.push(read_ref(&f)),
            b"DTM" => {
                if let Some(date) = read_date(&mut f) {
                    if date.qualifier == "405" {
                        header.production_date = Some(date.date);
                    }
                    header.dates.push(date);
                }
            }
            _ => return false,
        }
        true
    }

    fn party_start(&mut self, seg: &Segment<'_>) {
        let Some(header) = self.header.as_deref_mut() else {
            self.unexpected(seg);
            return;
        };
        let f = Fields::new(seg, &mut self.issues);
        let party = Party {
            entity: f.text(1),
            name: f.text(2),
            id_qualifier: f.text(3),
            id: f.text(4),
            ..Party::default()
        };
        match seg.element(1) {
            b"PR" => {
                header.payer = party;
                self.state = State::Payer;
            }
            b"PE" => {
                header.payee = party;
                self.state = State::Payee;
            }
            _ => self.unexpected(seg),
        }
    }

    fn in_party(&mut self, seg: &Segment<'_>, id: &[u8]) -> bool {
        let header = self
            .header
            .as_deref_mut()
            .expect("header kept until flushed");
        let party = if self.state == State::Payer {
            &mut header.payer
        } else {
            &mut header.payee
        };
        let f = Fields::new(seg, &mut self.issues);
        match id {
            b"N3" => address(party)
                .lines
                .extend([f.text(1), f.text(2)].into_iter().filter(|l| !l.is_empty())),
            b"N4" => {
                let a = address(party);
                (a.city, a.state, a.postal_code, a.country) =
                    (f.text(1), f.text(2), f.text(3), f.text(4));
            }
            b"REF" => party.references.push(read_ref(&f)),
            b"PER" => party.contacts.push(read_contact(&f)),
            b"RDM" if self.state == State::Payee => {
                party.delivery = (1..=3).map(|n| f.text(n)).collect()
            }
            _ => return false,
        }
        true
    }

    fn header_number_start(&mut self, seg: &Segment<'_>) {
        self.flush_header();
        self.flush_claim();
        self.header_number = element_text(&seg.fields(), 1);
        self.trailer.header_numbers.push(HeaderNumber {
            number: self.header_number.clone(),
            ..HeaderNumber::default()
        });
        self.state = State::HeaderNumber;
    }

    fn in_header_number(&mut self, seg: &Segment<'_>, id: &[u8]) -> bool {
        let Some(current) = self.trailer.header_numbers.last_mut() else {
            return false;
        };
        let elements = || seg.elements().map(text_of).collect();
        match id {
            b"TS3" => current.provider_summary = elements(),
            b"TS2" => current.supplemental_summary = elements(),
            _ => return false,
        }
        true
    }

    fn claim_start(&mut self, seg: &Segment<'_>) {
        self.flush_header();
        self.flush_claim();
        let mut claim = self.pool.take();
        let mut f = Fields::new(seg, &mut self.issues);
        read_claim(&mut f, self.header_number.clone(), &mut claim);
        self.trailer.totals.claims += 1;
        self.trailer.totals.charge += claim.charge;
        self.trailer.totals.paid += claim.paid;
        self.claim = Some(claim);
        self.lines = 0;
        self.state = State::Claim;
    }

    fn in_claim(&mut self, seg: &Segment<'_>, id: &[u8]) -> bool {
        if id == b"SVC" {
            self.line_start(seg);
            return true;
        }
        let claim = self.claim.as_deref_mut().expect("claim state has a claim");
        let mut f = Fields::new(seg, &mut self.issues);
        match id {
            b"CAS" => read_adjustments(&mut f, &mut claim.adjustments),
            b"NM1" => claim.names.push(read_name(&f)),
            b"MIA" => claim.inpatient = Some(read_inpatient(&mut f)),
            b"MOA" => claim.outpatient = Some(read_outpatient(&mut f)),
            b"REF" => claim.references.push(read_ref(&f)),
            b"DTM" => claim.dates.extend(read_date(&mut f)),
            b"PER" => claim.contacts.push(read_contact(&f)),
            b"AMT" => claim.amounts.extend(read_amount(&mut f)),
            b"QTY" => claim.quantities.extend(read_amount(&mut f)),
            _ => return false,
        }
        true
    }

    fn line_start(&mut self, seg: &Segment<'_>) {
        let claim = self.claim.as_deref_mut().expect("line follows a claim");
        let mut f = Fields::new(seg, &mut self.issues);
        match claim.lines.get_mut(self.lines) {
            Some(stale) => read_service(&mut f, stale),
            None => {
                let mut line = self.pool.spare_line();
                read_service(&mut f, &mut line);
                claim.lines.push(line);
            }
        }
        self.lines += 1;
        self.trailer.totals.lines += 1;
        self.state = State::Line;
    }

    fn in_line(&mut self, seg: &Segment<'_>, id: &[u8]) -> bool {
        if id == b"SVC" {
            self.line_start(seg);
            return true;
        }
        let claim = self.claim.as_deref_mut().expect("line state has a claim");
        let current = self.lines.checked_sub(1).expect("line state has a line");
        let line = &mut claim.lines[current];
        let mut f = Fields::new(seg, &mut self.issues);
        match id {
            b"DTM" => {
                if let Some(d) = read_date(&mut f) {
                    match d.qualifier.as_str() {
                        "472" => line.service_date = Some(d.date),
                        "150" => line.service_from = Some(d.date),
                        "151" => line.service_to = Some(d.date),
                        _ => {
                            let (message, redacted) = f.shown(1, Expected::Digits(3)).messages(|q| {
                                format!("DTM01 {q} is not a service-line date qualifier (472, 150, 151); ignored")
                            });
                            f.push_redacted(Severity::Warning, Rule::Unexpected, message, redacted);
                        }
                    }
                }
            }
            b"CAS" => read_adjustments(&mut f, &mut line.adjustments),
            b"REF" => line.references.push(read_ref(&f)),
            b"AMT" => line.amounts.extend(read_amount(&mut f)),
            b"QTY" => line.quantities.extend(read_amount(&mut f)),
            b"LQ" => line.remarks.push(Remark {
                qualifier: f.text(1),
                code: f.text(2),
            }),
            _ => return false,
        }
        true
    }

    fn provider_adjustment(&mut self, seg: &Segment<'_>) {
        self.flush_header();
        self.flush_claim();
        self.state = State::Trailer;
        let mut f = Fields::new(seg, &mut self.issues);
        let provider_id = f.required_text(1, "provider identifier");
        let fiscal_period = f.date(2, "fiscal period date");
        for pair in 0..6 {
            let (reason_at, amount_at) = (3 + 2 * pair, 4 + 2 * pair);
            if f.raw(reason_at).is_empty() && f.raw(amount_at).is_empty() {
                continue;
            }
            let reason = f.component(reason_at, 1);
            if reason.is_empty() {
                f.missing(reason_at, "adjustment reason code");
            }
            let amount = f.amount(amount_at, "provider adjustment amount");
            if amount.is_zero() {
                f.push(
                    Severity::Invalid,
                    Rule::BadValue,
                    format!(
                        "PLB{amount_at:02} is zero; a provider adjustment amount must not be zero"
                    ),
                );
            }
            self.trailer.totals.provider_adjustments += amount;
            self.trailer.provider_adjustments.push(ProviderAdjustment {
                provider_id: provider_id.clone(),
                fiscal_period,
                reason,
                reference: f.component(reason_at, 2),
                amount,
                pos: seg.pos(),
            });
        }
    }

    fn flush_header(&mut self) {
        if let Some(header) = self.header.take() {
            if header.payee.entity.is_empty() || header.payer.entity.is_empty() {
                let which = if header.payer.entity.is_empty() {
                    "payer (N1*PR)"
                } else {
                    "payee (N1*PE)"
                };
                let issue = Issue::new(
                    Severity::Invalid,
                    Rule::Missing,
                    header.id.start,
                    format!("835 has no {which} loop"),
                );
                self.issues.push(issue);
            }
            self.events.push_back(RemittanceEvent::Header(header));
        }
    }

    fn flush_claim(&mut self) {
        if let Some(mut claim) = self.claim.take() {
            self.pool.keep_lines(claim.lines.drain(self.lines..));
            balance::check_claim(&claim, &mut self.issues);
            self.events.push_back(RemittanceEvent::Claim(claim));
        }
    }

    fn unexpected(&mut self, seg: &Segment<'_>) {
        let (severity, message) = match seg.id() {
            b"CAS" | b"SVC" | b"AMT" | b"LQ" => (
                Severity::Fatal,
                "segment outside a claim payment: expected CLP before it".to_string(),
            ),
            _ => (
                Severity::Warning,
                format!(
                    "{} is not expected here in an 835; ignored",
                    segment_name(seg.id())
                ),
            ),
        };
        let issue = Issue::new(severity, Rule::Unexpected, seg.pos(), message).at_segment(seg.id());
        self.issues.push(issue);
    }
}

fn address(party: &mut Party) -> &mut Address {
    party.address.get_or_insert_with(Address::default)
}

fn read_payment(f: &mut Fields<'_, '_>) -> Payment {
    let account = |f: &Fields<'_, '_>, at: usize| BankAccount {
        dfi_qualifier: f.text(at),
        dfi_id: f.text(at + 1),
        account_qualifier: f.text(at + 2),
        account: f.text(at + 3),
    };
    Payment {
        handling: f.required_text(1, "transaction handling code"),
        amount: f.amount(2, "total actual provider payment amount"),
        credit_debit: f.text(3),
        method: f.text(4),
        format: f.text(5),
        payer_account: account(f, 6),
        payer_id: f.text(10),
        payer_supplemental: f.text(11),
        payee_account: account(f, 12),
        date: f.date(16, "check issue or EFT effective date"),
    }
}

fn read_trace(f: &mut Fields<'_, '_>) -> Trace {
    Trace {
        kind: f.text(1),
        number: f.required_text(2, "check or EFT trace number"),
        originator: f.text(3),
        supplemental: f.text(4),
    }
}

fn read_ref(f: &Fields<'_, '_>) -> Reference {
    Reference {
        qualifier: f.text(1),
        value: f.text(2),
    }
}

fn read_contact(f: &Fields<'_, '_>) -> Contact {
    Contact {
        function: f.text(1),
        name: f.text(2),
        numbers: [3, 5, 7]
            .into_iter()
            .map(|n| (f.text(n), f.text(n + 1)))
            .filter(|(q, v)| !q.is_empty() || !v.is_empty())
            .collect(),
    }
}

fn read_date(f: &mut Fields<'_, '_>) -> Option<QualifiedDate> {
    let qualifier = f.required_text(1, "date/time qualifier");
    let date = f.date(2, "date")?;
    Some(QualifiedDate { qualifier, date })
}

fn read_amount(f: &mut Fields<'_, '_>) -> Option<Amount> {
    let qualifier = f.required_text(1, "qualifier");
    let value = f.optional_amount(2, "amount or quantity");
    if value.is_none() && f.raw(2).is_empty() {
        f.missing(2, "amount or quantity");
    }
    Some(Amount {
        qualifier,
        value: value?,
    })
}

fn read_name(f: &Fields<'_, '_>) -> Name {
    Name {
        entity: f.text(1),
        kind: f.text(2),
        last: f.text(3),
        first: f.text(4),
        middle: f.text(5),
        suffix: f.text(7),
        id_qualifier: f.text(8),
        id: f.text(9),
    }
}

fn read_adjustments(f: &mut Fields<'_, '_>, out: &mut Vec<Adjustment>) {
    let group = f.required_text(1, "claim adjustment group code");
    for triple in 0..6 {
        let at = 2 + 3 * triple;
        let reason = f.text(at);
        let has_amount = !f.raw(at + 1).is_empty();
        if reason.is_empty() && !has_amount {
            continue;
        }
        if reason.is_empty() {
            f.missing(at, "claim adjustment reason code");
        }
        let amount = f.amount(at + 1, "adjustment amount");
        let quantity = f.optional_amount(at + 2, "adjustment quantity");
        out.push(Adjustment {
            group: group.clone(),
            reason,
            amount,
            quantity,
        });
    }
}

/// Reads a CLP into `claim`, a new or reused claim payment: every field is
/// overwritten (the pattern names them all, so a new field cannot be
/// forgotten) except `lines`, which the caller reuses line by line.
fn read_claim(f: &mut Fields<'_, '_>, header_number: Text, claim: &mut ClaimPayment) {
    let ClaimPayment {
        header_number: number,
        claim_id,
        status,
        charge,
        paid,
        patient_responsibility,
        filing_indicator,
        payer_claim_id,
        facility_code,
        frequency,
        drg,
        drg_weight,
        discharge_fraction,
        unused_elements,
        adjustments,
        names,
        inpatient,
        outpatient,
        references,
        dates,
        contacts,
        amounts,
        quantities,
        lines: _,
        pos,
    } = claim;
    *number = header_number;
    *claim_id = f.required_text(1, "patient control number");
    *status = f.required_text(2, "claim status code");
    *charge = f.amount(3, "total claim charge amount");
    *paid = f.amount(4, "claim payment amount");
    *patient_responsibility = f.optional_amount(5, "patient responsibility amount");
    *filing_indicator = f.text(6);
    *payer_claim_id = f.text(7);
    *facility_code = f.text(8);
    *frequency = f.text(9);
    *drg = f.text(11);
    *drg_weight = f.optional_amount(12, "DRG weight");
    *discharge_fraction = f.optional_amount(13, "discharge fraction");
    unused_elements.clear();
    unused_elements.extend(
        [10, 14]
            .into_iter()
            .map(|n| f.text(n))
            .filter(|t| !t.is_empty()),
    );
    *pos = f.segment().pos();
    adjustments.clear();
    names.clear();
    *inpatient = None;
    *outpatient = None;
    references.clear();
    dates.clear();
    contacts.clear();
    amounts.clear();
    quantities.clear();
}

/// Reads the procedure composite of element `n` into `procedure` (reusing
/// its modifier list); false, with `procedure` untouched, when the element
/// is empty. A composite without a code, or written with the wrong
/// separator, is reported by [`Fields::procedure_components`].
fn read_procedure(f: &mut Fields<'_, '_>, n: usize, procedure: &mut Procedure) -> bool {
    let Some(mut parts) = f.procedure_components(n, ProcedureComposite::Remittance) else {
        return false;
    };
    let qualifier = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let Procedure {
        qualifier: q,
        code: c,
        modifiers,
        description,
    } = procedure;
    (*q, *c) = (qualifier, code);
    modifiers.clear();
    modifiers.extend(parts.by_ref().take(4).filter(|m| !m.is_empty()));
    *description = parts.next().unwrap_or_default();
    true
}

/// Reads an SVC into `line`, a new or reused service line: every field is
/// overwritten (the pattern names them all).
fn read_service(f: &mut Fields<'_, '_>, line: &mut ServiceLine) {
    let ServiceLine {
        procedure,
        charge,
        paid,
        revenue_code,
        units,
        original_procedure,
        original_units,
        service_date,
        service_from,
        service_to,
        adjustments,
        references,
        amounts,
        quantities,
        remarks,
        pos,
    } = line;
    if !read_procedure(f, 1, procedure) {
        f.missing(1, "composite medical procedure identifier");
        *procedure = Procedure::default();
    }
    *charge = f.amount(2, "line item charge amount");
    *paid = f.amount(3, "line item provider payment amount");
    *revenue_code = f.text(4);
    *units = f.optional_amount(5, "units of service paid");
    let mut original = original_procedure.take().unwrap_or_default();
    *original_procedure = read_procedure(f, 6, &mut original).then_some(original);
    *original_units = f.optional_amount(7, "original units of service");
    *pos = f.segment().pos();
    (*service_date, *service_from, *service_to) = (None, None, None);
    adjustments.clear();
    references.clear();
    amounts.clear();
    quantities.clear();
    remarks.clear();
}

fn read_inpatient(f: &mut Fields<'_, '_>) -> InpatientAdjudication {
    let seg = *f.segment();
    let elements: Vec<Text> = seg.elements().map(text_of).collect();
    let remarks = [5, 20, 21, 22, 23, 24]
        .into_iter()
        .map(|n| f.text(n))
        .filter(|t| !t.is_empty())
        .collect();
    InpatientAdjudication {
        covered_days: f.optional_amount(1, "covered days or visits"),
        remarks,
        elements,
    }
}

fn read_outpatient(f: &mut Fields<'_, '_>) -> OutpatientAdjudication {
    OutpatientAdjudication {
        reimbursement_rate: f.optional_amount(1, "reimbursement rate"),
        hcpcs_payable: f.optional_amount(2, "HCPCS payable amount"),
        remarks: (3..=7)
            .map(|n| f.text(n))
            .filter(|t| !t.is_empty())
            .collect(),
        esrd_amount: f.optional_amount(8, "ESRD payment amount"),
        professional_component: f.optional_amount(9, "professional component amount"),
    }
}
