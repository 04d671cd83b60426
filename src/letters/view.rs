//! What a letter template sees: the claim and its items with every amount
//! and date already printed (money with two decimals, dates in the
//! letterhead's style), the reasons in words, what is asked, the
//! enclosures and the external-review text. The template only arranges
//! and words them, so a practice's own template cannot get a number wrong.

use std::collections::HashSet;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::format::{date, date_opt, money, money_opt, percent, procedure};
use super::letterhead::{DateStyle, Letterhead};
use super::model::{AdjustmentFact, Ask, ItemKind, LetterClaim, LetterItem, PaymentRef, Recovery};
use super::notices::ReviewNotices;
use crate::codes::{
    CarcCategory, CodeList, describe_adjustment, describe_provider_adjustment, describe_remark,
};

/// Everything a letter depends on besides the claim.
#[derive(Clone, Debug)]
pub struct LetterSettings<'a> {
    /// The letter's date (the run's as-of date: no clock is read).
    pub date: Date,
    /// The practice's letterhead.
    pub letterhead: &'a Letterhead,
    /// External-review texts.
    pub notices: &'a ReviewNotices,
    /// Reason codes in words, and their categories.
    pub codes: &'a CodeList,
    /// CARCs that make a denial a medical-necessity denial (the engine's
    /// `Rules::medical_necessity_carcs`; by default
    /// [`crate::reconcile::decide::MEDICAL_NECESSITY_CARCS`]), so that the
    /// letter and the 180-day deadline agree.
    pub medical_necessity_carcs: Vec<String>,
}

impl<'a> LetterSettings<'a> {
    /// Settings with the built-in medical-necessity CARCs.
    pub fn new(
        date: Date,
        letterhead: &'a Letterhead,
        notices: &'a ReviewNotices,
        codes: &'a CodeList,
    ) -> Self {
        LetterSettings {
            date,
            letterhead,
            notices,
            codes,
            medical_necessity_carcs: crate::reconcile::decide::MEDICAL_NECESSITY_CARCS
                .iter()
                .map(|c| c.to_string())
                .collect(),
        }
    }

    fn is_medical(&self, reason: &str) -> bool {
        self.medical_necessity_carcs
            .iter()
            .any(|c| c == reason.trim())
    }
}

/// CARCs whose denials are fixed by a corrected claim rather than argued:
/// missing or invalid information (16), modifier (4), submission or
/// billing error (125), diagnosis invalid (146), procedure or modifier not
/// valid on the date (181, 182), description needed for an unlisted code
/// (189), NPI missing, invalid or not matched (206, 207, 208).
pub const CORRECTED_CLAIM_CARCS: &[&str] = &[
    "4", "16", "125", "146", "181", "182", "189", "206", "207", "208",
];

/// RARCs that say the claim cannot be processed as sent (MA130:
/// "unprocessable claim, no appeal rights"): only a corrected claim helps.
pub const CORRECTED_CLAIM_RARCS: &[&str] = &["MA130"];

/// True when the payer refuses payment with this adjustment: a non-zero
/// amount whose CARC is in the denial or duplicate category, or unknown —
/// the rule the engine's statuses use.
pub fn is_denial(codes: &CodeList, a: &AdjustmentFact) -> bool {
    !a.amount.is_zero()
        && match codes.carc(&a.reason).and_then(|e| e.category) {
            Some(CarcCategory::Denial | CarcCategory::Duplicate) | None => true,
            Some(_) => false,
        }
}

/// What a denial letter asks for when the practice does not say: medical
/// records for a medical-necessity CARC, proof of timely filing for CARC
/// 29, a corrected claim for the codes of [`CORRECTED_CLAIM_CARCS`] and
/// [`CORRECTED_CLAIM_RARCS`], else reconsideration. The medical-necessity
/// reason wins when several apply: it has the longer deadline and its own
/// review rights.
pub fn default_ask(
    settings: &LetterSettings<'_>,
    adjustments: &[AdjustmentFact],
    remarks: &[String],
) -> Ask {
    let denials: Vec<&AdjustmentFact> = adjustments
        .iter()
        .filter(|a| is_denial(settings.codes, a))
        .collect();
    if denials.iter().any(|a| settings.is_medical(&a.reason)) {
        Ask::MedicalRecords
    } else if denials.iter().any(|a| a.reason.trim() == "29") {
        Ask::TimelyFilingProof
    } else if denials
        .iter()
        .any(|a| CORRECTED_CLAIM_CARCS.contains(&a.reason.trim()))
        || remarks
            .iter()
            .any(|r| CORRECTED_CLAIM_RARCS.contains(&r.trim()))
    {
        Ask::CorrectedClaim
    } else {
        Ask::Reconsideration
    }
}

/// The letterhead as the template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct PracticeView {
    /// Name.
    pub name: String,
    /// Address lines as printed.
    pub address: Vec<String>,
    /// Telephone.
    pub phone: String,
    /// Fax.
    pub fax: String,
    /// E-mail.
    pub email: String,
    /// NPI.
    pub npi: String,
    /// TIN.
    pub tax_id: String,
    /// Contact for the letter.
    pub contact_name: String,
    /// Signer.
    pub signer_name: String,
    /// Signer's title.
    pub signer_title: String,
}

impl PracticeView {
    /// The view of a letterhead.
    pub fn new(h: &Letterhead) -> Self {
        PracticeView {
            name: h.practice_name.clone(),
            address: h.address(),
            phone: h.phone.clone(),
            fax: h.fax.clone(),
            email: h.email.clone(),
            npi: h.npi.clone(),
            tax_id: h.tax_id.clone(),
            contact_name: h.contact_name.clone(),
            signer_name: h.signer_name.clone(),
            signer_title: h.signer_title.clone(),
        }
    }
}

/// The payer block.
#[derive(Clone, Debug, Serialize)]
pub struct PayerView {
    /// Name.
    pub name: String,
    /// Payer id.
    pub id: String,
    /// Department the letter is addressed to.
    pub attention: String,
    /// Address lines, when known.
    pub address: Vec<String>,
}

/// The claim block.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimView {
    /// CLM01.
    pub claim_id: String,
    /// CLP07.
    pub payer_claim_id: String,
    /// Member id.
    pub member_id: String,
    /// Member name.
    pub member_name: String,
    /// Patient name, when not the member.
    pub patient_name: String,
    /// Rendering provider.
    pub rendering_provider: String,
    /// Rendering NPI.
    pub rendering_npi: String,
    /// Billing NPI.
    pub billing_npi: String,
    /// `01/15/2024` or `01/15/2024 – 01/29/2024`.
    pub service_dates: String,
    /// Σ at stake.
    pub total_at_stake: String,
    /// The earliest appeal deadline.
    pub earliest_deadline: String,
}

/// One adjustment or remark in words.
#[derive(Clone, Debug, Serialize)]
pub struct ReasonView {
    /// `CO-50`, or the remark code.
    pub code: String,
    /// The code in words with the code itself ("Denied: … (CARC 50)").
    pub words: String,
    /// Amount (empty for remarks).
    pub amount: String,
    /// True for adjustments that refuse payment.
    pub denial: bool,
}

/// One item as the template sees it. Fields that do not apply to its kind
/// are empty.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ItemView {
    /// 1-based number in the letter.
    pub number: usize,
    /// `previously_paid`, `denial`, `underpayment`, `recoupment`,
    /// `late_payment`.
    pub kind: &'static str,
    /// The kind in words.
    pub heading: &'static str,
    /// `97140-59`.
    pub procedure: String,
    /// Revenue code.
    pub revenue_code: String,
    /// Date of service.
    pub service_date: String,
    /// Units billed.
    pub units: String,
    /// Charge.
    pub billed: String,
    /// Allowed.
    pub allowed: String,
    /// Paid on the cited remittance.
    pub paid: String,
    /// At stake.
    pub at_stake: String,
    /// Appeal deadline.
    pub appeal_by: String,
    /// True when the deadline is before the letter's date.
    pub deadline_passed: bool,
    /// The remittance the item cites: date, trace, amount.
    pub remittance_date: String,
    /// Its trace.
    pub remittance_trace: String,
    /// The amount it paid on the line or took back.
    pub remittance_amount: String,
    /// The original payment (previously paid, recoupment): date.
    pub original_date: String,
    /// Its trace.
    pub original_trace: String,
    /// Its amount.
    pub original_amount: String,
    /// Adjustments in words, refusals first.
    pub reasons: Vec<ReasonView>,
    /// Remarks in words.
    pub remarks: Vec<ReasonView>,
    /// The codes that refuse payment: `CO-50; N115`.
    pub denial_codes: String,
    /// True for a medical-necessity denial.
    pub medical_necessity: bool,
    /// What is asked (denials).
    pub ask: Option<Ask>,
    /// Contract basis (underpayment).
    pub basis: String,
    /// Expected allowed.
    pub expected: String,
    /// expected − allowed.
    pub shortfall: String,
    /// `reversal` or `provider_level` (recoupment).
    pub recovery: &'static str,
    /// The PLB reason in words.
    pub recovery_reason: String,
    /// The PLB reference.
    pub recovery_reference: String,
    /// Received date (late payment).
    pub received: String,
    /// Where it came from.
    pub received_source: String,
    /// Due date.
    pub due: String,
    /// Days late.
    pub days_late: i64,
    /// The prompt-pay rule.
    pub rule: String,
    /// Its rate, `12%`.
    pub rate: String,
    /// Principal.
    pub principal: String,
    /// Interest owed.
    pub interest_owed: String,
    /// Interest paid.
    pub interest_paid: String,
    /// owed − paid.
    pub interest_due: String,
}

/// A whole letter as the template sees it.
#[derive(Clone, Debug, Serialize)]
pub struct LetterView {
    /// The document title (PDF title, page foot): names the claim and payer.
    pub title: String,
    /// The letter's date.
    pub date: String,
    /// From.
    pub practice: PracticeView,
    /// To.
    pub payer: PayerView,
    /// About.
    pub claim: ClaimView,
    /// The items.
    pub items: Vec<ItemView>,
    /// The kinds present, in order of first appearance.
    pub kinds: Vec<&'static str>,
    /// What is enclosed.
    pub enclosures: Vec<String>,
    /// The external-review paragraph, when any item is a medical-necessity
    /// denial.
    pub external_review: Option<String>,
}

/// The heading of each kind.
pub fn heading(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::PreviouslyPaidDenied { .. } => "Previously paid, now reported as denied",
        ItemKind::Denial { .. } => "Denied",
        ItemKind::Underpayment { .. } => "Paid below the contracted rate",
        ItemKind::Recoupment { .. } => "Payment taken back",
        ItemKind::LatePayment { .. } => "Paid late without the interest owed",
    }
}

/// Builds the view of `claim`.
pub fn letter_view(claim: &LetterClaim, s: &LetterSettings<'_>) -> LetterView {
    let style = s.letterhead.date_style;
    let items: Vec<ItemView> = claim
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| item_view(i + 1, item, s))
        .collect();
    let mut kinds: Vec<&'static str> = Vec::new();
    for item in &items {
        if !kinds.contains(&item.kind) {
            kinds.push(item.kind);
        }
    }
    let external_review = items.iter().any(|i| i.medical_necessity).then(|| {
        let state = if claim.payer.plan_state.is_empty() {
            s.letterhead.state.as_str()
        } else {
            claim.payer.plan_state.as_str()
        };
        let keys = [
            claim.payer.plan.as_str(),
            claim.payer.id.as_str(),
            claim.payer.name.as_str(),
        ];
        s.notices.lookup(state, &keys).to_string()
    });
    let service_dates = match claim.service_dates() {
        Some((a, b)) if a == b => date(a, style),
        Some((a, b)) => format!("{} – {}", date(a, style), date(b, style)),
        None => String::new(),
    };
    LetterView {
        title: format!("Appeal: claim {} ({})", claim.claim_id, claim.payer.name),
        date: date(s.date, style),
        practice: PracticeView::new(s.letterhead),
        payer: PayerView {
            name: claim.payer.name.clone(),
            id: claim.payer.id.clone(),
            attention: s.letterhead.attention.clone(),
            address: claim
                .payer
                .address
                .as_ref()
                .map(|a| a.printed())
                .unwrap_or_default(),
        },
        claim: ClaimView {
            claim_id: claim.claim_id.clone(),
            payer_claim_id: claim.payer_claim_id.clone(),
            member_id: claim.member_id.clone(),
            member_name: claim.member_name.clone(),
            patient_name: claim.patient_name.clone(),
            rendering_provider: claim.rendering_provider.clone(),
            rendering_npi: claim.rendering_npi.clone(),
            billing_npi: claim.billing_npi.clone(),
            service_dates,
            total_at_stake: money(claim.total_at_stake()),
            earliest_deadline: date_opt(claim.earliest_deadline(), style),
        },
        enclosures: enclosures(claim, &items, style),
        items,
        kinds,
        external_review,
    }
}

fn item_view(number: usize, item: &LetterItem, s: &LetterSettings<'_>) -> ItemView {
    let style = s.letterhead.date_style;
    let line = &item.line;
    let mut v = ItemView {
        number,
        kind: item.kind.as_str(),
        heading: heading(&item.kind),
        procedure: procedure(&line.procedure, &line.modifiers),
        revenue_code: line.revenue_code.clone(),
        service_date: date_opt(line.service_date, style),
        units: line
            .units
            .map(|u| u.normalize().to_string())
            .unwrap_or_default(),
        billed: money(line.billed),
        allowed: money_opt(line.allowed),
        paid: money(line.paid),
        at_stake: money(line.at_stake),
        appeal_by: date_opt(line.appeal_by, style),
        deadline_passed: line.appeal_by.is_some_and(|d| d < s.date),
        ..ItemView::default()
    };
    match &item.kind {
        ItemKind::PreviouslyPaidDenied {
            original,
            relisted,
            adjustments,
            remarks,
        } => {
            cite(&mut v, relisted, style);
            cite_original(&mut v, original, style);
            reasons(&mut v, adjustments, remarks, s);
        }
        ItemKind::Denial {
            remittance,
            adjustments,
            remarks,
            ask,
        } => {
            cite(&mut v, remittance, style);
            reasons(&mut v, adjustments, remarks, s);
            v.medical_necessity = adjustments
                .iter()
                .any(|a| is_denial(s.codes, a) && s.is_medical(&a.reason));
            v.ask = Some(ask.unwrap_or_else(|| default_ask(s, adjustments, remarks)));
        }
        ItemKind::Underpayment {
            remittance,
            basis,
            expected,
            allowed,
            adjustments,
        } => {
            cite(&mut v, remittance, style);
            reasons(&mut v, adjustments, &[], s);
            v.basis = basis.clone();
            v.expected = money(*expected);
            v.allowed = money(*allowed);
            v.shortfall = money(*expected - *allowed);
        }
        ItemKind::Recoupment {
            remittance,
            recovery,
            original,
        } => {
            cite(&mut v, remittance, style);
            if let Some(original) = original {
                cite_original(&mut v, original, style);
            }
            match recovery {
                Recovery::Reversal => v.recovery = "reversal",
                Recovery::ProviderLevel { reason, reference } => {
                    v.recovery = "provider_level";
                    let words = describe_provider_adjustment(reason);
                    v.recovery_reason = words
                        .strip_prefix("Provider adjustment: ")
                        .unwrap_or(&words)
                        .to_string();
                    v.recovery_reference = reference.clone();
                }
            }
        }
        ItemKind::LatePayment {
            remittance,
            received,
            received_source,
            due,
            days_late,
            rule,
            rate,
            principal,
            owed,
            paid,
        } => {
            cite(&mut v, remittance, style);
            v.received = date(*received, style);
            v.received_source = received_source.clone();
            v.due = date(*due, style);
            v.days_late = *days_late;
            v.rule = rule.clone();
            v.rate = percent(*rate);
            v.principal = money(*principal);
            v.interest_owed = money(*owed);
            v.interest_paid = money(*paid);
            v.interest_due = money((*owed - *paid).max(Decimal::ZERO));
        }
    }
    v
}

fn cite(v: &mut ItemView, r: &PaymentRef, style: DateStyle) {
    v.remittance_date = date_opt(r.date, style);
    v.remittance_trace = r.trace.clone();
    v.remittance_amount = money(r.amount);
}

fn cite_original(v: &mut ItemView, r: &PaymentRef, style: DateStyle) {
    v.original_date = date_opt(r.date, style);
    v.original_trace = r.trace.clone();
    v.original_amount = money(r.amount);
}

fn reasons(
    v: &mut ItemView,
    adjustments: &[AdjustmentFact],
    remarks: &[String],
    s: &LetterSettings<'_>,
) {
    let mut list: Vec<ReasonView> = adjustments
        .iter()
        .map(|a| ReasonView {
            code: format!("{}-{}", a.group, a.reason),
            words: describe_adjustment(s.codes, &a.group, &a.reason),
            amount: money(a.amount),
            denial: is_denial(s.codes, a),
        })
        .collect();
    // Refusals first: they are what the letter answers.
    list.sort_by_key(|r| !r.denial);
    v.remarks = remarks
        .iter()
        .map(|r| ReasonView {
            code: r.clone(),
            words: describe_remark(s.codes, r),
            amount: String::new(),
            denial: false,
        })
        .collect();
    let mut codes: Vec<String> = list
        .iter()
        .filter(|r| r.denial)
        .map(|r| r.code.clone())
        .collect();
    codes.extend(remarks.iter().cloned());
    v.denial_codes = codes.join("; ");
    v.reasons = list;
}

/// The enclosures: a copy of every remittance cited, the medical records,
/// corrected claim or proof of timely filing a denial's ask promises, and
/// the contract page an underpayment cites. Each once, in order.
fn enclosures(claim: &LetterClaim, items: &[ItemView], style: DateStyle) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut add = |text: String| {
        if seen.insert(text.clone()) {
            out.push(text);
        }
    };
    for (item, view) in claim.items.iter().zip(items) {
        if !view.original_date.is_empty() || !view.original_trace.is_empty() {
            add(remittance_copy(&view.original_date, &view.original_trace));
        }
        if !view.remittance_date.is_empty() || !view.remittance_trace.is_empty() {
            add(remittance_copy(
                &view.remittance_date,
                &view.remittance_trace,
            ));
        }
        match view.ask {
            Some(Ask::MedicalRecords) => add(format!(
                "Medical records for the date of service {}",
                date_opt(item.line.service_date, style)
            )),
            Some(Ask::CorrectedClaim) => add("Corrected claim".to_string()),
            Some(Ask::TimelyFilingProof) => add(
                "Proof of timely filing (clearinghouse acceptance report for the original submission)"
                    .to_string(),
            ),
            Some(Ask::Reconsideration) | None => {}
        }
        if view.kind == "underpayment" {
            add("Contract rate page for the services listed".to_string());
        }
    }
    out
}

fn remittance_copy(date: &str, trace: &str) -> String {
    match (date.is_empty(), trace.is_empty()) {
        (false, false) => format!("Remittance advice of {date}, check/EFT trace {trace}"),
        (false, true) => format!("Remittance advice of {date}"),
        _ => format!("Remittance advice, check/EFT trace {trace}"),
    }
}
