//! Service-line events: an 835 split into one record per service line (by
//! member, date of service and procedure), plus one per claim-level
//! adjustment and one per provider-level (PLB) amount, so that the `paid` of
//! one transaction's events sums to its BPR02.
//!
//! Knows 835 claims, not files, matching or output formats.

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::remittance::{
    Adjustment, ClaimPayment, ProviderAdjustment, RemittanceHeader, ServiceLine, Text,
};

/// What an event is, before any history is considered (the `remit lines`
/// statuses).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Paid a non-zero amount.
    Paid,
    /// Paid nothing; denied (any non-PR adjustment, or none).
    Denied,
    /// Paid nothing; every adjustment is patient responsibility.
    PatientResp,
    /// CLP02 = 22: reversal of a previous payment.
    Reversal,
    /// Claim-level CAS (or CLP04 − ΣSVC03) of a claim with lines.
    ClaimAdjustment,
    /// A PLB amount.
    ProviderAdjustment,
    /// A billed 837 line that no 835 answered.
    NoRemittance,
}

impl Status {
    /// The name used in ledgers.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Paid => "PAID",
            Status::Denied => "DENIED",
            Status::PatientResp => "PATIENT_RESP",
            Status::Reversal => "REVERSAL",
            Status::ClaimAdjustment => "CLAIM_ADJUSTMENT",
            Status::ProviderAdjustment => "PROVIDER_ADJUSTMENT",
            Status::NoRemittance => "NO_REMITTANCE",
        }
    }

    /// Parses a ledger name.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Paid,
            Status::Denied,
            Status::PatientResp,
            Status::Reversal,
            Status::ClaimAdjustment,
            Status::ProviderAdjustment,
            Status::NoRemittance,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// Which part of the remittance an event comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An SVC service line.
    Line,
    /// A claim without SVC lines, reported with the claim's amounts.
    Claim,
    /// The claim-level remainder of a claim with lines.
    ClaimAdjustment,
    /// One PLB amount.
    ProviderAdjustment,
}

/// What every event of one 835 transaction shares.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemittanceContext {
    /// The file the transaction came from.
    pub source: String,
    /// N1*PR name.
    pub payer: Text,
    /// N1*PR N104 (or TRN03 when absent).
    pub payer_id: Text,
    /// N1*PE N104 when qualified XX.
    pub payee_npi: Text,
    /// N1*PE N104 whatever its qualifier.
    pub payee_id: Text,
    /// TRN02.
    pub trace: Text,
    /// BPR16.
    pub payment_date: Option<Date>,
    /// DTM*405.
    pub production_date: Option<Date>,
    /// BPR02.
    pub payment_amount: Decimal,
    /// BPR04.
    pub payment_method: Text,
    /// ISA13.
    pub interchange: Text,
    /// GS06.
    pub group: Text,
    /// ST02.
    pub transaction: Text,
    /// GS04 + GS05, `CCYYMMDDHHMM[SS]`: when the sender made the group.
    #[serde(default)]
    pub group_date: Text,
    /// ISA09 + ISA10, `YYMMDDHHMM`: when the sender made the interchange.
    #[serde(default)]
    pub interchange_date: Text,
}

impl RemittanceContext {
    /// The context of a parsed header read from `source`.
    pub fn new(header: &RemittanceHeader, source: &str) -> Self {
        let payer_id = if header.payer.id.is_empty() {
            header.trace.originator.clone()
        } else {
            header.payer.id.clone()
        };
        RemittanceContext {
            source: source.to_string(),
            payer: header.payer.name.clone(),
            payer_id,
            payee_npi: header.payee_npi().unwrap_or_default().into(),
            payee_id: header.payee.id.clone(),
            trace: header.trace.number.clone(),
            payment_date: header.payment.date,
            production_date: header.production_date,
            payment_amount: header.payment.amount,
            payment_method: header.payment.method.clone(),
            interchange: header.id.interchange.as_str().into(),
            group: header.id.group.as_str().into(),
            transaction: header.id.control.as_str().into(),
            group_date: header.id.group_date.as_str().into(),
            interchange_date: header.id.interchange_date.as_str().into(),
        }
    }
}

/// One service-line (or claim / provider) event of an 835.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineEvent {
    /// The transaction it belongs to (not serialised with each event: a
    /// transaction's context is written once, beside its events).
    #[serde(skip)]
    pub context: Arc<RemittanceContext>,
    /// Line, claim, claim adjustment or provider adjustment.
    pub kind: EventKind,
    /// Order of the event within its transaction.
    pub sequence: u32,
    /// Order of its claim payment within the transaction (PLB: none).
    pub claim_seq: u32,
    /// CLP01 (for PLB: the PLB reference).
    pub claim_id: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// CLP02.
    pub claim_status: Text,
    /// CLP09 claim frequency.
    pub claim_frequency: Text,
    /// NM1*QC NM109 (NM1*IL when QC has none).
    pub member_id: Text,
    /// `LAST, FIRST` of the patient.
    pub member_name: String,
    /// DTM*472 (or 150), else the claim's statement start.
    pub service_date: Option<Date>,
    /// Procedure code as billed: SVC06 when present, else SVC01.
    pub procedure: Text,
    /// Modifiers of that procedure.
    pub modifiers: Vec<Text>,
    /// Procedure and modifiers as adjudicated (SVC01), when SVC06 differs.
    pub paid_procedure: Option<Text>,
    /// SVC04 revenue code.
    pub revenue_code: Text,
    /// Units paid (SVC05, 1 when absent).
    pub units: Decimal,
    /// Units billed (SVC07 when present, else `units`).
    pub billed_units: Decimal,
    /// SVC02 / CLP03.
    pub billed: Decimal,
    /// AMT*B6, else paid + patient responsibility.
    pub allowed: Decimal,
    /// SVC03 / CLP04 / −PLB amount.
    pub paid: Decimal,
    /// Σ PR adjustments.
    pub patient_resp: Decimal,
    /// CAS adjustments (for PLB: group `PLB`).
    pub adjustments: Vec<Adjustment>,
    /// LQ remark codes, then claim MOA/MIA remark codes.
    pub remarks: Vec<Text>,
    /// REF*6R line item control number.
    pub line_control: Text,
    /// DTM*050 claim received date.
    pub received_date: Option<Date>,
    /// AMT*I: interest the payer paid on the claim (repeated on every event
    /// of the claim).
    pub interest: Decimal,
    /// The lines statuses.
    pub status: Status,
}

impl LineEvent {
    /// True when the event is a reversal (CLP02 = 22).
    pub fn is_reversal(&self) -> bool {
        self.claim_status == "22"
    }

    /// The denial adjustments: non-PR adjustments with a positive amount.
    pub fn denial_reasons(&self) -> impl Iterator<Item = &Adjustment> {
        self.adjustments
            .iter()
            .filter(|a| a.group != "PR" && a.group != "PLB" && !a.amount.is_zero())
    }
}

/// The status of an event from its claim status, payment and adjustments.
pub fn line_status(claim_status: &str, paid: Decimal, adjustments: &[Adjustment]) -> Status {
    if claim_status == "22" {
        return Status::Reversal;
    }
    if !paid.is_zero() {
        return Status::Paid;
    }
    let mut nonzero = adjustments
        .iter()
        .filter(|a| !a.amount.is_zero())
        .peekable();
    if nonzero.peek().is_some() && nonzero.all(|a| a.group == "PR") {
        Status::PatientResp
    } else {
        Status::Denied
    }
}

fn patient_resp(adjustments: &[Adjustment]) -> Decimal {
    adjustments
        .iter()
        .filter(|a| a.group == "PR")
        .map(|a| a.amount)
        .sum()
}

/// `LAST, FIRST` of the claim's patient (NM1*QC, else NM1*IL).
pub fn member_name(claim: &ClaimPayment) -> String {
    let name = claim.name("QC").or_else(|| claim.name("IL"));
    match name {
        Some(n) if !n.first.is_empty() => format!("{}, {}", n.last, n.first),
        Some(n) => n.last.to_string(),
        None => String::new(),
    }
}

fn claim_remarks(claim: &ClaimPayment) -> impl Iterator<Item = &Text> {
    let outpatient = claim.outpatient.iter().flat_map(|m| &m.remarks);
    let inpatient = claim.inpatient.iter().flat_map(|m| &m.remarks);
    outpatient.chain(inpatient)
}

/// Splits one claim payment into events, appending them to `out`.
pub fn claim_events(
    context: &Arc<RemittanceContext>,
    claim: &ClaimPayment,
    claim_seq: u32,
    out: &mut Vec<LineEvent>,
) {
    let base = ClaimBase::new(context, claim, claim_seq);
    for line in &claim.lines {
        out.push(base.line(line, out.len()));
    }
    if claim.lines.is_empty() {
        out.push(base.whole_claim(out.len()));
        return;
    }
    let lines_paid: Decimal = claim.lines.iter().map(|l| l.paid).sum();
    let lines_billed: Decimal = claim.lines.iter().map(|l| l.charge).sum();
    if !claim.adjustments.is_empty() || claim.paid != lines_paid {
        out.push(base.claim_adjustment(
            claim.paid - lines_paid,
            claim.charge - lines_billed,
            out.len(),
        ));
    }
}

/// The event of one PLB amount: `paid` is the negated amount.
pub fn provider_event(
    context: &Arc<RemittanceContext>,
    plb: &ProviderAdjustment,
    sequence: usize,
) -> LineEvent {
    LineEvent {
        context: Arc::clone(context),
        kind: EventKind::ProviderAdjustment,
        sequence: sequence as u32,
        claim_seq: u32::MAX,
        claim_id: plb.reference.clone(),
        payer_claim_id: Text::default(),
        claim_status: Text::default(),
        claim_frequency: Text::default(),
        member_id: Text::default(),
        member_name: String::new(),
        service_date: None,
        procedure: Text::default(),
        modifiers: Vec::new(),
        paid_procedure: None,
        revenue_code: Text::default(),
        units: Decimal::ZERO,
        billed_units: Decimal::ZERO,
        billed: Decimal::ZERO,
        allowed: Decimal::ZERO,
        paid: -plb.amount,
        patient_resp: Decimal::ZERO,
        adjustments: vec![Adjustment {
            group: "PLB".into(),
            reason: plb.reason.clone(),
            amount: plb.amount,
            quantity: None,
        }],
        remarks: Vec::new(),
        line_control: Text::default(),
        received_date: None,
        interest: Decimal::ZERO,
        status: Status::ProviderAdjustment,
    }
}

/// The claim facts every event of a claim repeats.
struct ClaimBase<'c> {
    context: &'c Arc<RemittanceContext>,
    claim: &'c ClaimPayment,
    claim_seq: u32,
    member_id: Text,
    member_name: String,
    statement_date: Option<Date>,
}

impl<'c> ClaimBase<'c> {
    fn new(context: &'c Arc<RemittanceContext>, claim: &'c ClaimPayment, claim_seq: u32) -> Self {
        ClaimBase {
            context,
            claim,
            claim_seq,
            member_id: claim.member_id().unwrap_or_default().into(),
            member_name: member_name(claim),
            statement_date: claim.date("232").or_else(|| claim.date("233")),
        }
    }

    fn event(&self, kind: EventKind, sequence: usize) -> LineEvent {
        LineEvent {
            context: Arc::clone(self.context),
            kind,
            sequence: sequence as u32,
            claim_seq: self.claim_seq,
            claim_id: self.claim.claim_id.clone(),
            payer_claim_id: self.claim.payer_claim_id.clone(),
            claim_status: self.claim.status.clone(),
            claim_frequency: self.claim.frequency.clone(),
            member_id: self.member_id.clone(),
            member_name: self.member_name.clone(),
            service_date: self.statement_date,
            procedure: Text::default(),
            modifiers: Vec::new(),
            paid_procedure: None,
            revenue_code: Text::default(),
            units: Decimal::ZERO,
            billed_units: Decimal::ZERO,
            billed: Decimal::ZERO,
            allowed: Decimal::ZERO,
            paid: Decimal::ZERO,
            patient_resp: Decimal::ZERO,
            adjustments: Vec::new(),
            remarks: Vec::new(),
            line_control: Text::default(),
            received_date: self.claim.date("050"),
            interest: self.claim.amount("I").unwrap_or_default(),
            status: Status::Denied,
        }
    }

    fn line(&self, line: &ServiceLine, sequence: usize) -> LineEvent {
        let billed = line.billed_procedure();
        let units = line.units.unwrap_or(Decimal::ONE);
        let patient = patient_resp(&line.adjustments);
        let mut remarks: Vec<Text> = line.remarks.iter().map(|r| r.code.clone()).collect();
        remarks.extend(
            claim_remarks(self.claim)
                .filter(|c| !line.remarks.iter().any(|r| r.code == **c))
                .cloned(),
        );
        LineEvent {
            service_date: line.date().or(self.statement_date),
            procedure: billed.code.clone(),
            modifiers: billed.modifiers.clone(),
            paid_procedure: line
                .original_procedure
                .as_ref()
                .map(|_| procedure_text(&line.procedure)),
            revenue_code: line.revenue_code.clone(),
            units,
            billed_units: line.original_units.unwrap_or(units),
            billed: line.charge,
            allowed: line.allowed().unwrap_or(line.paid + patient),
            paid: line.paid,
            patient_resp: patient,
            adjustments: line.adjustments.clone(),
            remarks,
            line_control: line.control_number().unwrap_or_default().into(),
            status: line_status(&self.claim.status, line.paid, &line.adjustments),
            ..self.event(EventKind::Line, sequence)
        }
    }

    fn whole_claim(&self, sequence: usize) -> LineEvent {
        let claim = self.claim;
        let patient = match (
            claim.patient_responsibility,
            claim.adjustments.iter().any(|a| a.group == "PR"),
        ) {
            (_, true) => patient_resp(&claim.adjustments),
            (Some(stated), false) => stated,
            (None, false) => Decimal::ZERO,
        };
        LineEvent {
            billed: claim.charge,
            allowed: claim.paid + patient,
            paid: claim.paid,
            patient_resp: patient,
            adjustments: claim.adjustments.clone(),
            remarks: claim_remarks(claim).cloned().collect(),
            status: line_status(&claim.status, claim.paid, &claim.adjustments),
            ..self.event(EventKind::Claim, sequence)
        }
    }

    fn claim_adjustment(&self, paid: Decimal, billed: Decimal, sequence: usize) -> LineEvent {
        let claim = self.claim;
        let patient = patient_resp(&claim.adjustments);
        LineEvent {
            billed,
            allowed: paid + patient,
            paid,
            patient_resp: patient,
            adjustments: claim.adjustments.clone(),
            remarks: claim_remarks(claim).cloned().collect(),
            status: Status::ClaimAdjustment,
            ..self.event(EventKind::ClaimAdjustment, sequence)
        }
    }
}

/// `CODE` or `CODE:MOD1:MOD2` of a procedure.
pub fn procedure_text(procedure: &crate::remittance::Procedure) -> Text {
    let mut text = procedure.code.clone();
    for m in &procedure.modifiers {
        text.push(':');
        text.push_str(m);
    }
    text
}

/// Collects the events of 835 transactions as they stream by: one buffer
/// per transaction, released when its SE is read.
#[derive(Debug, Default)]
pub struct EventCollector {
    source: String,
    context: Option<Arc<RemittanceContext>>,
    pending: Vec<LineEvent>,
    claims: u32,
}

impl EventCollector {
    /// A collector naming `source` on every event.
    pub fn new(source: impl Into<String>) -> Self {
        EventCollector {
            source: source.into(),
            ..EventCollector::default()
        }
    }

    /// A transaction begins.
    pub fn header(&mut self, header: &RemittanceHeader) {
        self.context = Some(Arc::new(RemittanceContext::new(header, &self.source)));
        self.pending.clear();
        self.claims = 0;
    }

    /// One claim payment of the open transaction.
    pub fn claim(&mut self, claim: &ClaimPayment) {
        if let Some(context) = &self.context {
            claim_events(context, claim, self.claims, &mut self.pending);
            self.claims += 1;
        }
    }

    /// The transaction ends: its events, provider adjustments included.
    pub fn end(&mut self, trailer: &crate::remittance::RemittanceTrailer) -> Vec<LineEvent> {
        if let Some(context) = self.context.take() {
            for plb in &trailer.provider_adjustments {
                let sequence = self.pending.len();
                self.pending.push(provider_event(&context, plb, sequence));
            }
        }
        std::mem::take(&mut self.pending)
    }

    /// The transaction was cut short: forget it.
    pub fn abort(&mut self) {
        self.context = None;
        self.pending.clear();
    }

    /// The context of the open transaction.
    pub fn context(&self) -> Option<&Arc<RemittanceContext>> {
        self.context.as_ref()
    }
}
