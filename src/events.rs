//! Service-line events: an 835 split into one record per service line (by
//! member, date of service and procedure), plus one per claim-level
//! adjustment and one per provider-level (PLB) amount, so that the `paid` of
//! one transaction's events sums to its BPR02.
//!
//! Knows 835 claims, not files, matching or output formats.

use crate::codes::CodeList;
use crate::line::{
    EventKind, LineEvent, RemittanceContext, Status, line_status, patient_resp, prior_payer_paid,
};
use crate::remittance::balance::ClaimLineTotals;
use crate::remittance::{
    Adjustment, ClaimPayment, ProviderAdjustment, RemittanceHeader, ServiceLine,
};
use crate::text::Text;
use jiff::civil::Date;
use rust_decimal::Decimal;
use std::sync::Arc;

/// `LAST, FIRST` of the claim's patient (NM1*QC, else NM1*IL).
pub fn member_name(claim: &ClaimPayment) -> String {
    let name = claim.name("QC").or_else(|| claim.name("IL"));
    match name {
        Some(n) if !n.first.is_empty() => format!("{}, {}", n.last, n.first),
        Some(n) => n.last.to_string(),
        None => String::new(),
    }
}

/// The claim's rendering provider (NM1*82): NPI when given, else name.
/// The plan a contract row may be scoped to, as the 835 names it: the
/// claim's class of contract code (REF*CE), trimmed; empty without one.
fn claim_plan_id(claim: &ClaimPayment) -> Text {
    claim
        .contract_class()
        .map_or_else(Text::default, |v| v.trim().into())
}

fn rendering_provider(claim: &ClaimPayment) -> Text {
    claim.name("82").map_or_else(Text::default, |n| {
        let (last, first) = (n.last.trim(), n.first.trim());
        if n.id_qualifier == "XX" && !n.id.trim().is_empty() {
            n.id.clone()
        } else if !first.is_empty() {
            format!("{last}, {first}").into()
        } else if !last.is_empty() {
            last.into()
        } else {
            // A payer-assigned number (BD, BS…) when there is no name.
            n.id.clone()
        }
    })
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
        filing_indicator: Default::default(),
        facility_code: Default::default(),
        rendering_provider: Default::default(),
        plan_id: Default::default(),
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
            filing_indicator: self.claim.filing_indicator.clone(),
            facility_code: self.claim.facility_code.clone(),
            rendering_provider: rendering_provider(self.claim),
            plan_id: claim_plan_id(self.claim),
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
