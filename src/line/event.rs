//! A service-line event of an 835 — one per service line, claim-level
//! remainder or provider-level (PLB) amount — and the context its
//! transaction's events share. What splits a claim payment into events is
//! [`crate::events`]; this is only what an event is.

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::status::{Status, denies, is_secondary_status, line_status};
use crate::codes::CodeList;
use crate::money::push_money;
use crate::remittance::balance::ClaimLineTotals;
use crate::remittance::{Adjustment, RemittanceHeader};
use crate::text::Text;

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
    /// N1*PR N104 (or TRN03 when absent): the payer part of every line's
    /// history key, kept as it always was so stores written by earlier
    /// versions still match. The ledger's `payer_id` column shows
    /// [`RemittanceContext::payer_identifier`] instead.
    pub payer_id: Text,
    /// N1*PR REF*2U, the payer identification number (empty when absent;
    /// absent from stores written before it was read). Always written:
    /// the cluster stages' records are structs as arrays, where a field
    /// left out in the middle shifts every field after it.
    #[serde(default)]
    pub payer_ref_2u: Text,
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
    /// N1*PR N3/N4, when the remittance gave it: where an appeal letter
    /// is addressed. Last, and left out when absent, so that the records
    /// of the cluster stages (structs as arrays) and stores written before
    /// it still read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_address: Option<crate::remittance::Address>,
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
            payer_ref_2u: header
                .payer
                .references
                .iter()
                .find(|r| r.qualifier == "2U")
                .map(|r| r.value.clone())
                .unwrap_or_default(),
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
            payer_address: header.payer.address.clone(),
        }
    }

    /// The payer's identifier as every row shows it (the ledger's
    /// `payer_id`): the payer identification number REF*2U when the 835
    /// gives one — the number the practice's 837s name the payer by
    /// (NM1*PR NM109), so remitted and unanswered rows of one payer agree —
    /// else N1*PR N104 (a plan id), else TRN03 (`1` + the payer's tax id).
    pub fn payer_identifier(&self) -> &str {
        if self.payer_ref_2u.trim().is_empty() {
            self.payer_id.as_str()
        } else {
            self.payer_ref_2u.as_str()
        }
    }

    /// The date the transaction counts from: the payment date (BPR16),
    /// else, when the payer left it out (a non-payment 835), the date the
    /// remittance was produced (DTM*405). Payment order, the as-of cut-off,
    /// appeal deadlines and deposits all date a remittance this way.
    pub fn payment_or_production_date(&self) -> Option<Date> {
        self.payment_date.or(self.production_date)
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
    /// CLP06 claim filing indicator (`12` PPO, `HM` HMO, `MB` Medicare
    /// Part B, `MC` Medicaid…): the plan a contract row may be scoped to,
    /// and what picks an appeal's external-review notice. Absent from
    /// stores written before it existed.
    #[serde(default)]
    pub filing_indicator: Text,
    /// CLP08: place of service (professional) or facility type
    /// (institutional), for contract rows priced by place when no 837
    /// claim says it.
    #[serde(default)]
    pub facility_code: Text,
    /// The claim's rendering provider (NM1*82): its NPI when given, else
    /// its name; empty when the remittance names none. Denial analytics
    /// group by it.
    #[serde(default)]
    pub rendering_provider: Text,
    /// The payer's plan or product id for the claim: the 835's class of
    /// contract code (REF*CE on the claim), which a contract row's `plan`
    /// may name; empty when the remittance gives none (pricing then falls
    /// back to the billed claim's group number). Absent from stores
    /// written before it existed.
    #[serde(default)]
    pub plan_id: Text,
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

    /// The non-zero adjustments that refuse payment (see `line::status::denies`), of
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

/// `GROUP-REASON:AMOUNT;…`
pub fn adjustments_text(event: &LineEvent) -> String {
    let mut out = String::new();
    push_adjustments(&mut out, &event.adjustments);
    out
}

/// Appends [`adjustments_text`]'s text for `adjustments` to `out` (the
/// ledger writers render the column in place, without a `String` a row).
pub fn push_adjustments(out: &mut String, adjustments: &[Adjustment]) {
    for (i, a) in adjustments.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(&a.group);
        out.push('-');
        out.push_str(&a.reason);
        out.push(':');
        push_money(out, a.amount);
    }
}

/// A paid service line of one unit (98941, 1.00 billed, allowed and paid)
/// with every optional part empty: tests set the fields they are about
/// with `..LineEvent::sample()` rather than spell out all of them.
#[cfg(test)]
impl LineEvent {
    pub(crate) fn sample() -> LineEvent {
        LineEvent {
            context: Arc::new(RemittanceContext::default()),
            kind: EventKind::Line,
            sequence: 0,
            claim_seq: 0,
            claim_id: "C1".into(),
            payer_claim_id: Text::default(),
            claim_status: "1".into(),
            claim_frequency: Text::default(),
            member_id: Text::default(),
            member_name: String::new(),
            service_date: None,
            procedure: "98941".into(),
            modifiers: Vec::new(),
            paid_procedure: None,
            revenue_code: Text::default(),
            units: Decimal::ONE,
            billed_units: Decimal::ONE,
            billed: Decimal::ONE,
            allowed: Decimal::ONE,
            allowed_reported: false,
            paid: Decimal::ONE,
            patient_resp: Decimal::ZERO,
            adjustments: Vec::new(),
            remarks: Vec::new(),
            line_control: Text::default(),
            received_date: None,
            interest: Decimal::ZERO,
            status: Status::Paid,
            filing_indicator: Default::default(),
            facility_code: Default::default(),
            rendering_provider: Default::default(),
            plan_id: Default::default(),
            unexplained: None,
        }
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

    #[test]
    fn denied_amount_is_what_the_denial_adjustments_refused() {
        let codes = CodeList::builtin();
        let mut e = LineEvent {
            claim_id: "C".into(),
            procedure: "97110".into(),
            billed: d("100"),
            allowed: d("50"),
            paid: d("50"),
            adjustments: adjustments(&[("CO", "45", "20"), ("CO", "151", "30")]),
            ..LineEvent::sample()
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
    fn a_remittance_without_a_payment_date_counts_from_its_production_date() {
        let paid = jiff::civil::date(2024, 3, 1);
        let produced = jiff::civil::date(2024, 2, 28);
        let mut c = RemittanceContext {
            payment_date: Some(paid),
            production_date: Some(produced),
            ..RemittanceContext::default()
        };
        assert_eq!(c.payment_or_production_date(), Some(paid));
        c.payment_date = None;
        assert_eq!(c.payment_or_production_date(), Some(produced));
        c.production_date = None;
        assert_eq!(c.payment_or_production_date(), None);
    }
}
