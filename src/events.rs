//! Service-line events: an 835 split into one record per service line (by
//! member, date of service and procedure), plus one per claim-level
//! adjustment and one per provider-level (PLB) amount, so that the `paid` of
//! one transaction's events sums to its BPR02.
//!
//! Knows 835 claims, not files, matching or output formats.

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::codes::{CarcCategory, CodeList};
use crate::remittance::balance::ClaimLineTotals;
use crate::remittance::{
    Adjustment, ClaimPayment, ProviderAdjustment, RemittanceHeader, ServiceLine,
};
use crate::text::Text;

/// What an event is, before any history is considered (the `remit lines`
/// statuses). Statuses of lines that paid nothing come from what the
/// adjustments' reason codes mean (their category in the code list), not
/// from the group codes: see [`line_status`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Paid a non-zero amount.
    Paid,
    /// Paid nothing, and some adjustment refuses payment (its CARC is in the
    /// denial or duplicate category, or unknown to the code list), or nothing
    /// explains why a charge was not paid.
    Denied,
    /// Paid nothing, nothing refused, and the patient owes something (Σ PR > 0).
    PatientResp,
    /// Paid nothing, nothing refused, nothing owed by the patient: only
    /// contractual, coordination-of-benefits or informational adjustments
    /// (a secondary with nothing left to pay, a charge written off in full
    /// under contract). Nothing to collect and nothing to appeal.
    NoPaymentDue,
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
            Status::NoPaymentDue => "NO_PAYMENT_DUE",
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
            Status::NoPaymentDue,
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
    /// AMT*B6, else paid + patient responsibility + what a prior payer
    /// paid (CARC 23), which a secondary's allowed amount includes.
    pub allowed: Decimal,
    /// True when `allowed` is the payer's AMT*B6, false when derived. Old
    /// records without the field read as derived, the cautious choice: a
    /// derived amount never makes a secondary claim UNDERPAID.
    #[serde(default)]
    pub allowed_reported: bool,
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
    /// On the claim-adjustment event of a claim whose totals contradict its
    /// lines (CLP04 ≠ ΣSVC03 − Σ claim CAS, or CLP03 ≠ ΣSVC02): the totals,
    /// as evidence of the difference no adjustment explains. Boxed, as it
    /// is rare; absent from stores written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unexplained: Option<Box<ClaimLineTotals>>,
}

impl LineEvent {
    /// True when the event is a reversal (CLP02 = 22).
    pub fn is_reversal(&self) -> bool {
        self.claim_status == "22"
    }

    /// True when CLP02 says the payer adjudicated the claim as secondary
    /// or tertiary (2, 3) or did so and forwarded it (20, 21).
    pub fn is_secondary(&self) -> bool {
        is_secondary_status(&self.claim_status)
    }

    /// The non-zero adjustments that refuse payment (see [`denies`]), of
    /// any group: a PR-96 (non-covered, patient liable) refuses payment as
    /// much as a CO-96 does.
    pub fn denial_reasons<'a>(
        &'a self,
        codes: &'a CodeList,
    ) -> impl Iterator<Item = &'a Adjustment> + 'a {
        self.adjustments
            .iter()
            .filter(move |a| !a.amount.is_zero() && denies(codes, a))
    }

    /// The money the payer refused on this event: Σ of its denial
    /// adjustments, or, for a line denied without any adjustment, the
    /// charge it left unpaid. Never negative.
    pub fn denied_amount(&self, codes: &CodeList) -> Decimal {
        if matches!(
            self.kind,
            EventKind::ClaimAdjustment | EventKind::ProviderAdjustment
        ) {
            return Decimal::ZERO;
        }
        let explained = self.adjustments.iter().any(|a| !a.amount.is_zero());
        if self.status == Status::Denied && !explained {
            return (self.billed - self.paid).max(Decimal::ZERO);
        }
        self.denial_reasons(codes)
            .map(|a| a.amount)
            .sum::<Decimal>()
            .max(Decimal::ZERO)
    }

    /// Gives a line or claim event the status `codes` gives it (statuses of
    /// claim-level and provider-level rows do not depend on the list).
    /// Events read by another version or with another list are decided
    /// with the list in use now.
    pub fn rederive_status(&mut self, codes: &CodeList) {
        if matches!(self.kind, EventKind::Line | EventKind::Claim) {
            self.status = line_status(
                &self.claim_status,
                self.billed,
                self.paid,
                &self.adjustments,
                codes,
            );
        }
    }
}

/// CLP02 of a claim the payer adjudicated after another payer: 2
/// (secondary), 3 (tertiary), 20 (secondary, forwarded) and 21 (tertiary,
/// forwarded). The issue names 2, 3 and 20; 21 is the tertiary twin of 20
/// and a billing office treats it the same way, so it is included.
pub fn is_secondary_status(claim_status: &str) -> bool {
    matches!(claim_status.trim(), "2" | "3" | "20" | "21")
}

/// True when an adjustment refuses payment: its CARC is in the code list's
/// denial or duplicate category, or the list does not know it (a person
/// should look). Contractual, patient-responsibility,
/// coordination-of-benefits and informational codes do not.
pub fn denies(codes: &CodeList, adjustment: &Adjustment) -> bool {
    if adjustment.group == "PLB" {
        return false;
    }
    match codes.carc(&adjustment.reason).map(|e| e.category) {
        Some(Some(CarcCategory::Denial | CarcCategory::Duplicate)) => true,
        Some(Some(_)) => false,
        // Unknown to the list (or a list entry without a category).
        Some(None) | None => true,
    }
}

/// The status of an event from its claim status, charge, payment and
/// adjustments, with the reason codes' meanings from `codes`:
///
/// - CLP02 22: `REVERSAL`; anything paid (≠ 0): `PAID`.
/// - Paid 0 and some non-zero adjustment refuses payment ([`denies`]):
///   `DENIED` — whatever its group, so PR-96 is a denial the patient is
///   liable for, and OA-18 a duplicate.
/// - Paid 0, no such adjustment, Σ PR > 0: `PATIENT_RESP`.
/// - Paid 0 and no non-zero adjustment at all on a charge: `DENIED` —
///   nothing explains the non-payment, so a person should look.
/// - Otherwise (contractual, COB or informational adjustments only, or
///   nothing charged): `NO_PAYMENT_DUE`.
pub fn line_status(
    claim_status: &str,
    billed: Decimal,
    paid: Decimal,
    adjustments: &[Adjustment],
    codes: &CodeList,
) -> Status {
    if claim_status == "22" {
        return Status::Reversal;
    }
    if !paid.is_zero() {
        return Status::Paid;
    }
    let mut explained = false;
    for a in adjustments.iter().filter(|a| !a.amount.is_zero()) {
        if denies(codes, a) {
            return Status::Denied;
        }
        explained = true;
    }
    if patient_resp(adjustments) > Decimal::ZERO {
        Status::PatientResp
    } else if !explained && !billed.is_zero() {
        Status::Denied
    } else {
        Status::NoPaymentDue
    }
}

/// What a prior payer paid, as a secondary reports it: adjustments with
/// CARC 23 ("impact of prior payer(s) adjudication"), usually OA-23.
pub fn prior_payer_paid(adjustments: &[Adjustment]) -> Decimal {
    adjustments
        .iter()
        .filter(|a| a.group != "PR" && a.reason.trim() == "23")
        .map(|a| a.amount)
        .sum()
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

/// Splits one claim payment into events, appending them to `out`;
/// statuses come from `codes`.
pub fn claim_events(
    context: &Arc<RemittanceContext>,
    claim: &ClaimPayment,
    claim_seq: u32,
    codes: &CodeList,
    out: &mut Vec<LineEvent>,
) {
    let base = ClaimBase::new(context, claim, claim_seq, codes);
    for line in &claim.lines {
        out.push(base.line(line, out.len()));
    }
    if claim.lines.is_empty() {
        out.push(base.whole_claim(out.len()));
        return;
    }
    let Some(totals) = ClaimLineTotals::of(claim) else {
        return;
    };
    // The claim-level row carries whatever the lines do not: the claim CAS
    // and any difference the claim totals have with their lines. A
    // difference no adjustment explains (a TR3 balancing finding) still gets
    // its row, so that the ledger shows it rather than hides it.
    let consistent = totals.is_consistent();
    if !claim.adjustments.is_empty() || totals.claim_paid != totals.line_paid || !consistent {
        let mut event = base.claim_adjustment(
            totals.claim_paid - totals.line_paid,
            totals.claim_charge - totals.line_charges,
            out.len(),
        );
        event.unexplained = (!consistent).then(|| Box::new(totals));
        out.push(event);
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
        allowed_reported: false,
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
        unexplained: None,
    }
}

/// The claim facts every event of a claim repeats.
struct ClaimBase<'c> {
    context: &'c Arc<RemittanceContext>,
    claim: &'c ClaimPayment,
    codes: &'c CodeList,
    claim_seq: u32,
    member_id: Text,
    member_name: String,
    statement_date: Option<Date>,
}

impl<'c> ClaimBase<'c> {
    fn new(
        context: &'c Arc<RemittanceContext>,
        claim: &'c ClaimPayment,
        claim_seq: u32,
        codes: &'c CodeList,
    ) -> Self {
        ClaimBase {
            context,
            claim,
            codes,
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
            allowed_reported: false,
            paid: Decimal::ZERO,
            patient_resp: Decimal::ZERO,
            adjustments: Vec::new(),
            remarks: Vec::new(),
            line_control: Text::default(),
            received_date: self.claim.date("050"),
            interest: self.claim.amount("I").unwrap_or_default(),
            status: Status::Denied,
            unexplained: None,
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
            allowed: line
                .allowed()
                .unwrap_or(line.paid + patient + prior_payer_paid(&line.adjustments)),
            allowed_reported: line.allowed().is_some(),
            paid: line.paid,
            patient_resp: patient,
            adjustments: line.adjustments.clone(),
            remarks,
            line_control: line.control_number().unwrap_or_default().into(),
            status: line_status(
                &self.claim.status,
                line.charge,
                line.paid,
                &line.adjustments,
                self.codes,
            ),
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
            allowed: claim.paid + patient + prior_payer_paid(&claim.adjustments),
            paid: claim.paid,
            patient_resp: patient,
            adjustments: claim.adjustments.clone(),
            remarks: claim_remarks(claim).cloned().collect(),
            status: line_status(
                &claim.status,
                claim.charge,
                claim.paid,
                &claim.adjustments,
                self.codes,
            ),
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
pub fn procedure_text(procedure: &crate::fields::Procedure) -> Text {
    let mut text = procedure.code.clone();
    for m in &procedure.modifiers {
        text.push(':');
        text.push_str(m);
    }
    text
}

/// Collects the events of 835 transactions as they stream by: one buffer
/// per transaction, released when its SE is read.
#[derive(Debug)]
pub struct EventCollector {
    source: String,
    codes: Arc<CodeList>,
    context: Option<Arc<RemittanceContext>>,
    pending: Vec<LineEvent>,
    claims: u32,
}

impl EventCollector {
    /// The code list statuses are read with.
    pub fn codes(&self) -> &CodeList {
        &self.codes
    }
}

impl Default for EventCollector {
    /// A collector with no source name and the built-in code list.
    fn default() -> Self {
        EventCollector::new(String::new())
    }
}

impl EventCollector {
    /// A collector naming `source` on every event, with statuses from the
    /// built-in code list.
    pub fn new(source: impl Into<String>) -> Self {
        EventCollector::with_codes(source, CodeList::builtin_shared())
    }

    /// A collector whose statuses come from `codes` (`--code-list`).
    pub fn with_codes(source: impl Into<String>, codes: Arc<CodeList>) -> Self {
        EventCollector {
            source: source.into(),
            codes,
            context: None,
            pending: Vec::new(),
            claims: 0,
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
            claim_events(context, claim, self.claims, &self.codes, &mut self.pending);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn adjustments(list: &[(&str, &str, &str)]) -> Vec<Adjustment> {
        list.iter()
            .map(|(group, reason, amount)| Adjustment {
                group: (*group).into(),
                reason: (*reason).into(),
                amount: d(amount),
                quantity: None,
            })
            .collect()
    }

    /// The status of a line that paid `paid` on a charge of `billed`.
    fn status(billed: &str, paid: &str, list: &[(&str, &str, &str)]) -> Status {
        line_status(
            "1",
            d(billed),
            d(paid),
            &adjustments(list),
            CodeList::builtin(),
        )
    }

    #[test]
    fn a_deductible_or_co_pay_with_a_contractual_write_off_is_patient_responsibility() {
        // United Healthcare's B4152 of 2021-01-01 and the dental TR3's D2790.
        let uhc = [("PR", "1", "105.26"), ("CO", "45", "79.60")];
        assert_eq!(status("184.86", "0", &uhc), Status::PatientResp);
        let dental = [("PR", "3", "756"), ("CO", "131", "184")];
        assert_eq!(status("940", "0", &dental), Status::PatientResp);
        assert_eq!(status("35", "0", &[("PR", "1", "35")]), Status::PatientResp);
    }

    #[test]
    fn contractual_cob_or_informational_only_is_no_payment_due() {
        assert_eq!(
            status("125", "0", &[("CO", "131", "125")]),
            Status::NoPaymentDue
        );
        // A secondary with nothing left to pay: the primary paid it all.
        let secondary = [("OA", "23", "80"), ("CO", "45", "20")];
        assert_eq!(status("100", "0", &secondary), Status::NoPaymentDue);
        assert_eq!(
            status("60", "0", &[("OA", "133", "60")]),
            Status::NoPaymentDue
        );
        // Nothing charged, nothing paid, nothing said.
        assert_eq!(status("0", "0", &[]), Status::NoPaymentDue);
    }

    #[test]
    fn a_denial_or_duplicate_code_denies_whatever_its_group() {
        assert_eq!(status("85", "0", &[("CO", "197", "85")]), Status::Denied);
        // Non-covered, the patient liable: still a denial.
        assert_eq!(status("100", "0", &[("PR", "96", "100")]), Status::Denied);
        assert_eq!(status("100", "0", &[("PR", "204", "100")]), Status::Denied);
        assert_eq!(status("85", "0", &[("OA", "18", "85")]), Status::Denied);
        assert_eq!(status("85", "0", &[("CO", "B13", "85")]), Status::Denied);
        // A denial beside a deductible is a denial.
        let both = [("PR", "1", "20"), ("CO", "50", "65")];
        assert_eq!(status("85", "0", &both), Status::Denied);
    }

    #[test]
    fn an_unknown_code_or_no_reason_at_all_is_denied_for_a_person_to_look() {
        assert_eq!(status("85", "0", &[("CO", "ZZ9", "85")]), Status::Denied);
        assert_eq!(status("85", "0", &[("PR", "ZZ9", "85")]), Status::Denied);
        assert_eq!(status("85", "0", &[]), Status::Denied);
        // Zero amounts say nothing.
        assert_eq!(status("85", "0", &[("CO", "197", "0")]), Status::Denied);
        let zero_denial = [("CO", "197", "0"), ("PR", "1", "85")];
        assert_eq!(status("85", "0", &zero_denial), Status::PatientResp);
    }

    #[test]
    fn anything_paid_is_paid_and_a_reversal_is_a_reversal() {
        let cut = [("CO", "45", "20"), ("CO", "151", "30")];
        assert_eq!(status("100", "50", &cut), Status::Paid);
        assert_eq!(status("100", "-5", &[]), Status::Paid);
        let reversal = line_status(
            "22",
            d("-100"),
            d("-50"),
            &adjustments(&[("CO", "197", "-50")]),
            CodeList::builtin(),
        );
        assert_eq!(reversal, Status::Reversal);
    }

    #[test]
    fn a_code_list_override_changes_the_verdict() {
        // A user's list that calls CARC 45 a denial and 197 informational.
        let user = CodeList::from_csv_reader(
            "list,code,description,category\n\
             carc,45,charge exceeds the fee schedule,denial\n\
             carc,197,authorization absent (informational here),informational\n"
                .as_bytes(),
        )
        .unwrap();
        let list = CodeList::builtin().merged_with(&user);
        let co45 = adjustments(&[("PR", "1", "10"), ("CO", "45", "75")]);
        assert_eq!(
            line_status("1", d("85"), d("0"), &co45, CodeList::builtin()),
            Status::PatientResp
        );
        assert_eq!(
            line_status("1", d("85"), d("0"), &co45, &list),
            Status::Denied
        );
        let co197 = adjustments(&[("CO", "197", "85")]);
        assert_eq!(
            line_status("1", d("85"), d("0"), &co197, &list),
            Status::NoPaymentDue
        );
    }

    #[test]
    fn denied_amount_is_what_the_denial_adjustments_refused() {
        let codes = CodeList::builtin();
        let mut e = LineEvent {
            context: Arc::new(RemittanceContext::default()),
            kind: EventKind::Line,
            sequence: 0,
            claim_seq: 0,
            claim_id: "C".into(),
            payer_claim_id: Text::default(),
            claim_status: "1".into(),
            claim_frequency: Text::default(),
            member_id: Text::default(),
            member_name: String::new(),
            service_date: None,
            procedure: "97110".into(),
            modifiers: Vec::new(),
            paid_procedure: None,
            revenue_code: Text::default(),
            units: Decimal::ONE,
            billed_units: Decimal::ONE,
            billed: d("100"),
            allowed: d("50"),
            allowed_reported: false,
            paid: d("50"),
            patient_resp: Decimal::ZERO,
            adjustments: adjustments(&[("CO", "45", "20"), ("CO", "151", "30")]),
            remarks: Vec::new(),
            line_control: Text::default(),
            received_date: None,
            interest: Decimal::ZERO,
            status: Status::Paid,
            unexplained: None,
        };
        assert_eq!(e.denied_amount(codes), d("30"));
        let reasons: Vec<&str> = e.denial_reasons(codes).map(|a| a.reason.as_str()).collect();
        assert_eq!(reasons, ["151"]);
        e.adjustments = adjustments(&[("PR", "1", "105.26"), ("CO", "45", "79.60")]);
        e.paid = Decimal::ZERO;
        e.rederive_status(codes);
        assert_eq!(e.status, Status::PatientResp);
        assert_eq!(e.denied_amount(codes), Decimal::ZERO);
        // Denied with no reason: the unpaid charge is what was refused.
        e.adjustments.clear();
        e.rederive_status(codes);
        assert_eq!(
            (e.status, e.denied_amount(codes)),
            (Status::Denied, d("100"))
        );
    }

    #[test]
    fn a_secondary_is_clp02_2_3_20_or_21() {
        for status in ["2", "3", "20", "21"] {
            assert!(is_secondary_status(status), "{status}");
        }
        for status in ["1", "4", "19", "22", "23"] {
            assert!(!is_secondary_status(status), "{status}");
        }
    }

    fn claim(charge: &str, paid: &str, lines: &[(&str, &str)], claim_cas: &[&str]) -> ClaimPayment {
        let adjustment = |amount: &str| Adjustment {
            group: "CO".into(),
            reason: "45".into(),
            amount: d(amount),
            quantity: None,
        };
        ClaimPayment {
            claim_id: "PCN1".into(),
            status: "1".into(),
            charge: d(charge),
            paid: d(paid),
            adjustments: claim_cas.iter().map(|a| adjustment(a)).collect(),
            lines: lines
                .iter()
                .map(|(charge, paid)| ServiceLine {
                    charge: d(charge),
                    paid: d(paid),
                    adjustments: vec![adjustment(&(d(charge) - d(paid)).to_string())],
                    ..ServiceLine::default()
                })
                .collect(),
            ..ClaimPayment::default()
        }
    }

    fn events(claim: &ClaimPayment) -> Vec<LineEvent> {
        let mut out = Vec::new();
        claim_events(&Arc::default(), claim, 0, CodeList::builtin(), &mut out);
        out
    }

    #[test]
    fn claim_level_adjustments_explained_by_cas_carry_no_difference() {
        let events = events(&claim("100", "70", &[("100", "80")], &["10"]));
        let row = events.last().unwrap();
        assert_eq!((row.kind, row.paid), (EventKind::ClaimAdjustment, d("-10")));
        assert_eq!(row.unexplained, None);
    }

    #[test]
    fn the_claim_row_carries_a_difference_no_adjustment_explains() {
        // Claim CAS 10 explains 10 of the 25 the claim pays below its lines.
        let events = events(&claim("100", "55", &[("100", "80")], &["10"]));
        let row = events.last().unwrap();
        assert_eq!(row.paid, d("-25"));
        let totals = row.unexplained.as_deref().unwrap();
        assert_eq!(totals.unexplained_paid(), d("-15"));
        assert_eq!(totals.unexplained_charge(), Decimal::ZERO);
    }

    #[test]
    fn a_charge_only_difference_still_gets_its_row() {
        // Paid as the lines say, but CLP03 is 20 above ΣSVC02: no money
        // moves, yet the row is there so the ledger shows the finding.
        let events = events(&claim("120", "80", &[("100", "80")], &[]));
        assert_eq!(events.len(), 2);
        let row = &events[1];
        assert_eq!(
            (row.status, row.paid),
            (Status::ClaimAdjustment, Decimal::ZERO)
        );
        assert_eq!(
            row.unexplained.as_deref().unwrap().unexplained_charge(),
            d("20")
        );
        // A consistent claim with nothing at claim level gets no such row.
        assert_eq!(events_of_consistent().len(), 1);
    }

    fn events_of_consistent() -> Vec<LineEvent> {
        events(&claim("100", "80", &[("100", "80")], &[]))
    }
}
