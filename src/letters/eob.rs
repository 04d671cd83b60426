//! The printable remittance of one claim ("EOB"): the page a billing office
//! prints for a secondary payer, a patient's call or an appeal — the claim
//! header (CLP), payer, payee and patient, every line with billed, allowed,
//! paid and patient responsibility, every adjustment with its group, code,
//! amount and words, the remarks in words, the provider-level adjustments
//! that name the claim, and the payment's trace and date.
//!
//! [`EobClaim`] is the input, plain values; [`EobClaim::from_remittance`]
//! builds it from a parsed 835 claim payment and [`EobCollector`] gathers
//! them while a file is scanned.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::format::{date_opt, money, money_opt, procedure};
use super::letterhead::DateStyle;
use super::model::{AdjustmentFact, PostalAddress};
pub use crate::codes::claim_status_words;
use crate::codes::{CodeList, describe_adjustment, describe_provider_adjustment, describe_remark};
use crate::remittance::{ClaimPayment, ProviderAdjustment, RemittanceHeader, RemittanceTrailer};
use crate::scan::Consumer;

/// The payment a claim was remitted with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EobPayment {
    /// N1*PR name.
    pub payer_name: String,
    /// N1*PR N104 (or TRN03).
    pub payer_id: String,
    /// N1*PR address.
    pub payer_address: Option<PostalAddress>,
    /// N1*PE name.
    pub payee_name: String,
    /// N1*PE N104 with its qualifier (`XX 1234567893`).
    pub payee_id: String,
    /// TRN02.
    pub trace: String,
    /// BPR16.
    pub payment_date: Option<Date>,
    /// BPR02.
    pub payment_amount: Decimal,
    /// BPR04 (ACH, CHK, NON…).
    pub payment_method: String,
    /// DTM*405.
    pub production_date: Option<Date>,
}

/// One service line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EobLine {
    /// Procedure as billed (SVC06, else SVC01).
    pub procedure: String,
    /// Its modifiers.
    pub modifiers: Vec<String>,
    /// As adjudicated (SVC01 with modifiers), when the payer changed it.
    pub paid_procedure: Option<String>,
    /// SVC04.
    pub revenue_code: String,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Units paid (SVC05; 1 when absent).
    pub units: Option<Decimal>,
    /// SVC02.
    pub billed: Decimal,
    /// AMT*B6, when the payer sent it.
    pub allowed: Option<Decimal>,
    /// SVC03.
    pub paid: Decimal,
    /// CAS adjustments.
    pub adjustments: Vec<AdjustmentFact>,
    /// LQ*HE remark codes.
    pub remarks: Vec<String>,
    /// REF*6R.
    pub line_control: String,
}

impl EobLine {
    /// Σ PR adjustments.
    pub fn patient_responsibility(&self) -> Decimal {
        self.adjustments
            .iter()
            .filter(|a| a.group.eq_ignore_ascii_case("PR"))
            .map(|a| a.amount)
            .sum()
    }
}

/// One PLB amount naming the claim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EobProviderAdjustment {
    /// PLB03-1 reason (WO, L6, FB…).
    pub reason: String,
    /// PLB03-2 reference.
    pub reference: String,
    /// PLB04: positive takes money from the payment.
    pub amount: Decimal,
}

/// One claim payment, ready to print.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EobClaim {
    /// The payment.
    pub payment: EobPayment,
    /// CLP01.
    pub claim_id: String,
    /// CLP02.
    pub status: String,
    /// CLP03.
    pub charge: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// CLP05.
    pub patient_responsibility: Option<Decimal>,
    /// CLP06.
    pub filing_indicator: String,
    /// CLP07.
    pub payer_claim_id: String,
    /// CLP08.
    pub facility_code: String,
    /// CLP09.
    pub frequency: String,
    /// NM1*QC name, `LAST, FIRST`.
    pub patient_name: String,
    /// NM1*QC id.
    pub patient_id: String,
    /// NM1*IL name, when given.
    pub insured_name: String,
    /// NM1*IL id.
    pub insured_id: String,
    /// NM1*82 name.
    pub rendering_provider: String,
    /// NM1*82 id.
    pub rendering_id: String,
    /// DTM*050.
    pub received: Option<Date>,
    /// DTM*232.
    pub statement_from: Option<Date>,
    /// DTM*233.
    pub statement_to: Option<Date>,
    /// AMT*I.
    pub interest: Option<Decimal>,
    /// Claim-level CAS.
    pub adjustments: Vec<AdjustmentFact>,
    /// MOA/MIA remark codes.
    pub remarks: Vec<String>,
    /// The service lines.
    pub lines: Vec<EobLine>,
    /// PLB amounts whose reference is this claim's CLP07 or CLP01.
    pub provider_adjustments: Vec<EobProviderAdjustment>,
}

fn person(n: &crate::remittance::Name) -> String {
    let mut name = n.last.to_string();
    if !n.first.is_empty() {
        name.push_str(", ");
        name.push_str(&n.first);
        if !n.middle.is_empty() {
            name.push(' ');
            name.push_str(&n.middle);
        }
    }
    name
}

fn adjustments(list: &[crate::remittance::Adjustment]) -> Vec<AdjustmentFact> {
    list.iter()
        .map(|a| AdjustmentFact {
            group: a.group.to_string(),
            reason: a.reason.to_string(),
            amount: a.amount,
        })
        .collect()
}

impl EobPayment {
    /// The payment of a parsed 835 header.
    pub fn from_header(h: &RemittanceHeader) -> Self {
        EobPayment {
            payer_name: h.payer.name.to_string(),
            payer_id: if h.payer.id.is_empty() {
                h.trace.originator.to_string()
            } else {
                h.payer.id.to_string()
            },
            payer_address: h.payer.address.as_ref().map(|a| PostalAddress {
                lines: a.lines.iter().map(|l| l.to_string()).collect(),
                city: a.city.to_string(),
                state: a.state.to_string(),
                postal_code: a.postal_code.to_string(),
            }),
            payee_name: h.payee.name.to_string(),
            payee_id: format!("{} {}", h.payee.id_qualifier, h.payee.id)
                .trim()
                .to_string(),
            trace: h.trace.number.to_string(),
            payment_date: h.payment.date,
            payment_amount: h.payment.amount,
            payment_method: h.payment.method.to_string(),
            production_date: h.production_date,
        }
    }
}

impl EobClaim {
    /// The claim `c` of the remittance `header`; `plb` are the
    /// transaction's provider-level adjustments (those naming the claim by
    /// CLP07 or CLP01 are kept).
    pub fn from_remittance(
        header: &RemittanceHeader,
        c: &ClaimPayment,
        plb: &[ProviderAdjustment],
    ) -> Self {
        let name = |e: &str| c.name(e).map(person).unwrap_or_default();
        let id = |e: &str| c.name(e).map(|n| n.id.to_string()).unwrap_or_default();
        let names_claim = |p: &&ProviderAdjustment| {
            let r = p.reference.trim();
            !r.is_empty() && (r == c.payer_claim_id.as_str() || r == c.claim_id.as_str())
        };
        let mut remarks: Vec<String> = Vec::new();
        if let Some(moa) = &c.outpatient {
            remarks.extend(moa.remarks.iter().map(|r| r.to_string()));
        }
        if let Some(mia) = &c.inpatient {
            remarks.extend(mia.remarks.iter().map(|r| r.to_string()));
        }
        EobClaim {
            payment: EobPayment::from_header(header),
            claim_id: c.claim_id.to_string(),
            status: c.status.to_string(),
            charge: c.charge,
            paid: c.paid,
            patient_responsibility: c.patient_responsibility,
            filing_indicator: c.filing_indicator.to_string(),
            payer_claim_id: c.payer_claim_id.to_string(),
            facility_code: c.facility_code.to_string(),
            frequency: c.frequency.to_string(),
            patient_name: name("QC"),
            patient_id: id("QC"),
            insured_name: name("IL"),
            insured_id: id("IL"),
            rendering_provider: name("82"),
            rendering_id: id("82"),
            received: c.date("050"),
            statement_from: c.date("232"),
            statement_to: c.date("233"),
            interest: c.amount("I"),
            adjustments: adjustments(&c.adjustments),
            remarks,
            lines: c.lines.iter().map(line).collect(),
            provider_adjustments: plb
                .iter()
                .filter(names_claim)
                .map(|p| EobProviderAdjustment {
                    reason: p.reason.to_string(),
                    reference: p.reference.to_string(),
                    amount: p.amount,
                })
                .collect(),
        }
    }

    /// A file name for the claim's remittance: payer, claim id and payment
    /// date, reduced to characters safe in any file system. No PHI.
    pub fn file_stem(&self) -> String {
        let date = self
            .payment
            .payment_date
            .map(|d| d.to_string())
            .unwrap_or_default();
        super::safe_file_stem(&[&self.payment.payer_name, &self.claim_id, &date])
    }
}

fn line(l: &crate::remittance::ServiceLine) -> EobLine {
    let billed = l.billed_procedure();
    let paid_procedure = l.original_procedure.as_ref().map(|_| {
        let mods: Vec<String> = l
            .procedure
            .modifiers
            .iter()
            .map(|m| m.to_string())
            .collect();
        procedure(&l.procedure.code, &mods)
    });
    EobLine {
        procedure: billed.code.to_string(),
        modifiers: billed.modifiers.iter().map(|m| m.to_string()).collect(),
        paid_procedure,
        revenue_code: l.revenue_code.to_string(),
        service_date: l.date(),
        // SVC05 absent means one unit (TR3).
        units: Some(l.units.unwrap_or(Decimal::ONE)),
        billed: l.charge,
        allowed: l.allowed(),
        paid: l.paid,
        adjustments: adjustments(&l.adjustments),
        remarks: l
            .remarks
            .iter()
            .filter(|r| r.qualifier == "HE")
            .map(|r| r.code.to_string())
            .collect(),
        line_control: l.control_number().unwrap_or_default().to_string(),
    }
}

/// Gathers the claims of every 835 transaction scanned, keeping those
/// `wanted` accepts (e.g. one CLP01), with the transaction's PLB amounts.
/// Claims of a transaction cut short by an error are dropped with it.
pub struct EobCollector<F: FnMut(&ClaimPayment) -> bool> {
    wanted: F,
    header: Option<RemittanceHeader>,
    pending: Vec<ClaimPayment>,
    /// The claims gathered so far, in file order.
    pub claims: Vec<EobClaim>,
}

impl<F: FnMut(&ClaimPayment) -> bool> EobCollector<F> {
    /// A collector keeping the claims `wanted` accepts.
    pub fn new(wanted: F) -> Self {
        EobCollector {
            wanted,
            header: None,
            pending: Vec::new(),
            claims: Vec::new(),
        }
    }
}

impl<F: FnMut(&ClaimPayment) -> bool> Consumer for EobCollector<F> {
    fn remittance_header(&mut self, header: &RemittanceHeader) {
        self.header = Some(header.clone());
        self.pending.clear();
    }

    fn claim_payment(&mut self, claim: &ClaimPayment) {
        if (self.wanted)(claim) {
            self.pending.push(claim.clone());
        }
    }

    fn remittance_end(&mut self, trailer: &RemittanceTrailer) {
        // PLB segments follow the claims, so a claim is complete only at
        // the end of its transaction.
        if let Some(header) = self.header.take() {
            for c in self.pending.drain(..) {
                self.claims.push(EobClaim::from_remittance(
                    &header,
                    &c,
                    &trailer.provider_adjustments,
                ));
            }
        }
    }

    fn aborted(&mut self, _id: &crate::envelope::TransactionId) {
        self.header = None;
        self.pending.clear();
    }
}

/// An adjustment row of the printed remittance.
#[derive(Clone, Debug, Serialize)]
pub struct AdjustmentView {
    /// CAS01.
    pub group: String,
    /// CARC.
    pub code: String,
    /// The adjustment in words.
    pub words: String,
    /// Amount.
    pub amount: String,
}

/// A remark in words.
#[derive(Clone, Debug, Serialize)]
pub struct RemarkView {
    /// The code.
    pub code: String,
    /// In words.
    pub words: String,
}

/// A line as the template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct EobLineView {
    /// `98940-GP`.
    pub procedure: String,
    /// As adjudicated, when different.
    pub paid_procedure: String,
    /// SVC04.
    pub revenue_code: String,
    /// Date of service.
    pub service_date: String,
    /// Units.
    pub units: String,
    /// Billed.
    pub billed: String,
    /// Allowed (AMT*B6; empty when not sent).
    pub allowed: String,
    /// Paid.
    pub paid: String,
    /// Σ PR.
    pub patient_responsibility: String,
    /// Adjustments.
    pub adjustments: Vec<AdjustmentView>,
    /// Remarks.
    pub remarks: Vec<RemarkView>,
    /// REF*6R.
    pub line_control: String,
}

/// A PLB amount as the template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderAdjustmentView {
    /// Reason code.
    pub reason: String,
    /// In words.
    pub words: String,
    /// Reference.
    pub reference: String,
    /// Amount (positive: taken from the payment).
    pub amount: String,
}

/// The whole printed remittance as the template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct EobView {
    /// Document title.
    pub title: String,
    /// The practice printing it.
    pub practice: String,
    /// Payer name.
    pub payer_name: String,
    /// Payer id.
    pub payer_id: String,
    /// Payer address lines.
    pub payer_address: Vec<String>,
    /// Payee name.
    pub payee_name: String,
    /// Payee id with qualifier.
    pub payee_id: String,
    /// TRN02.
    pub trace: String,
    /// BPR16.
    pub payment_date: String,
    /// BPR02.
    pub payment_amount: String,
    /// BPR04.
    pub payment_method: String,
    /// DTM*405.
    pub production_date: String,
    /// CLP01.
    pub claim_id: String,
    /// CLP02.
    pub status: String,
    /// CLP02 in words.
    pub status_words: &'static str,
    /// CLP03.
    pub charge: String,
    /// CLP04.
    pub paid: String,
    /// CLP05.
    pub patient_responsibility: String,
    /// CLP06.
    pub filing_indicator: String,
    /// CLP07.
    pub payer_claim_id: String,
    /// CLP08.
    pub facility_code: String,
    /// CLP09.
    pub frequency: String,
    /// Patient.
    pub patient_name: String,
    /// Patient id.
    pub patient_id: String,
    /// Insured, when given.
    pub insured_name: String,
    /// Insured id.
    pub insured_id: String,
    /// Rendering provider.
    pub rendering_provider: String,
    /// Its id.
    pub rendering_id: String,
    /// DTM*050.
    pub received: String,
    /// Statement period.
    pub statement_period: String,
    /// AMT*I.
    pub interest: String,
    /// Claim-level adjustments.
    pub adjustments: Vec<AdjustmentView>,
    /// Claim remarks.
    pub remarks: Vec<RemarkView>,
    /// Lines.
    pub lines: Vec<EobLineView>,
    /// Σ line billed.
    pub total_billed: String,
    /// Σ line allowed (of lines with AMT*B6).
    pub total_allowed: String,
    /// Σ line paid.
    pub total_paid: String,
    /// Σ line patient responsibility.
    pub total_patient_responsibility: String,
    /// PLB amounts naming the claim.
    pub provider_adjustments: Vec<ProviderAdjustmentView>,
}

fn adjustment_views(codes: &CodeList, list: &[AdjustmentFact]) -> Vec<AdjustmentView> {
    list.iter()
        .map(|a| AdjustmentView {
            group: a.group.clone(),
            code: a.reason.clone(),
            words: describe_adjustment(codes, &a.group, &a.reason),
            amount: money(a.amount),
        })
        .collect()
}

fn remark_views(codes: &CodeList, list: &[String]) -> Vec<RemarkView> {
    list.iter()
        .map(|r| RemarkView {
            code: r.clone(),
            words: describe_remark(codes, r),
        })
        .collect()
}

/// Builds the view of `claim`, printed by `practice`.
pub fn eob_view(claim: &EobClaim, practice: &str, codes: &CodeList, style: DateStyle) -> EobView {
    let p = &claim.payment;
    let lines: Vec<EobLineView> = claim
        .lines
        .iter()
        .map(|l| EobLineView {
            procedure: procedure(&l.procedure, &l.modifiers),
            paid_procedure: l.paid_procedure.clone().unwrap_or_default(),
            revenue_code: l.revenue_code.clone(),
            service_date: date_opt(l.service_date, style),
            units: l
                .units
                .map(|u| u.normalize().to_string())
                .unwrap_or_default(),
            billed: money(l.billed),
            allowed: money_opt(l.allowed),
            paid: money(l.paid),
            patient_responsibility: money(l.patient_responsibility()),
            adjustments: adjustment_views(codes, &l.adjustments),
            remarks: remark_views(codes, &l.remarks),
            line_control: l.line_control.clone(),
        })
        .collect();
    let sum = |f: fn(&EobLine) -> Decimal| claim.lines.iter().map(f).sum::<Decimal>();
    let statement_period = match (claim.statement_from, claim.statement_to) {
        (Some(a), Some(b)) if a != b => format!(
            "{} – {}",
            date_opt(Some(a), style),
            date_opt(Some(b), style)
        ),
        (a, b) => date_opt(a.or(b), style),
    };
    EobView {
        title: format!("Remittance: claim {} ({})", claim.claim_id, p.payer_name),
        practice: practice.to_string(),
        payer_name: p.payer_name.clone(),
        payer_id: p.payer_id.clone(),
        payer_address: p
            .payer_address
            .as_ref()
            .map(|a| a.printed())
            .unwrap_or_default(),
        payee_name: p.payee_name.clone(),
        payee_id: p.payee_id.clone(),
        trace: p.trace.clone(),
        payment_date: date_opt(p.payment_date, style),
        payment_amount: money(p.payment_amount),
        payment_method: p.payment_method.clone(),
        production_date: date_opt(p.production_date, style),
        claim_id: claim.claim_id.clone(),
        status: claim.status.clone(),
        status_words: claim_status_words(&claim.status),
        charge: money(claim.charge),
        paid: money(claim.paid),
        patient_responsibility: money_opt(claim.patient_responsibility),
        filing_indicator: claim.filing_indicator.clone(),
        payer_claim_id: claim.payer_claim_id.clone(),
        facility_code: claim.facility_code.clone(),
        frequency: claim.frequency.clone(),
        patient_name: claim.patient_name.clone(),
        patient_id: claim.patient_id.clone(),
        insured_name: claim.insured_name.clone(),
        insured_id: claim.insured_id.clone(),
        rendering_provider: claim.rendering_provider.clone(),
        rendering_id: claim.rendering_id.clone(),
        received: date_opt(claim.received, style),
        statement_period,
        interest: money_opt(claim.interest),
        adjustments: adjustment_views(codes, &claim.adjustments),
        remarks: remark_views(codes, &claim.remarks),
        total_billed: money(sum(|l| l.billed)),
        total_allowed: money(sum(|l| l.allowed.unwrap_or_default())),
        total_paid: money(sum(|l| l.paid)),
        total_patient_responsibility: money(sum(EobLine::patient_responsibility)),
        lines,
        provider_adjustments: claim
            .provider_adjustments
            .iter()
            .map(|a| ProviderAdjustmentView {
                reason: a.reason.clone(),
                words: describe_provider_adjustment(&a.reason),
                reference: a.reference.clone(),
                amount: money(a.amount),
            })
            .collect(),
    }
}
