//! Plain-English sentences for a row's adjustments and remarks.
//!
//! "Denied: precertification/authorization absent (CARC 197)",
//! "Patient responsibility: deductible (CARC 1)", "Remark N130: consult plan
//! benefit documents". Unknown codes are said to be unknown, never left out.

use rust_decimal::Decimal;

use super::{CarcCategory, CodeList, GroupCode};

/// One adjustment, ready to be written.
struct Phrase {
    /// Sort order within a row: denials first.
    rank: u8,
    /// "Denied", "Contractual obligation", or the whole text for an unknown code.
    head: String,
    /// The code's description; None for an unknown code.
    body: Option<String>,
    /// The reason code as looked up.
    code: String,
}

/// Where a category's adjustments go in a row's sentence.
fn rank(category: Option<CarcCategory>) -> u8 {
    match category {
        Some(CarcCategory::Denial) => 0,
        Some(CarcCategory::Duplicate) => 1,
        None => 2,
        Some(CarcCategory::Contractual) => 3,
        Some(CarcCategory::PatientResponsibility) => 4,
        Some(CarcCategory::CoordinationOfBenefits) => 5,
        Some(CarcCategory::Informational) => 6,
    }
}

/// The opening words: "Denied" for denials (naming an unusual group),
/// "Duplicate" for duplicates, otherwise the group's label.
fn head(group: &GroupCode, category: Option<CarcCategory>) -> String {
    let verdict = match category {
        Some(CarcCategory::Denial) => "Denied",
        Some(CarcCategory::Duplicate) => "Duplicate",
        _ => return group.label(),
    };
    match group {
        GroupCode::Pr => format!("{verdict} (patient responsibility)"),
        GroupCode::Cr => format!("{verdict} (deprecated group CR)"),
        GroupCode::Unknown(code) => format!("{verdict} (unknown group {code})"),
        GroupCode::Co | GroupCode::Oa | GroupCode::Pi => verdict.to_string(),
    }
}

fn adjustment_phrase(list: &CodeList, group: &str, reason: &str) -> Phrase {
    let code = reason.trim().to_ascii_uppercase();
    let Some(entry) = list.carc(&code) else {
        let head = if code.is_empty() {
            "Missing reason code".to_string()
        } else {
            format!("Unknown reason code {code}")
        };
        return Phrase {
            rank: rank(None),
            head,
            body: None,
            code,
        };
    };
    Phrase {
        rank: rank(entry.category),
        head: head(&GroupCode::parse(group), entry.category),
        body: Some(entry.description.clone()),
        code: entry.code.to_string(),
    }
}

fn render(phrase: &Phrase, amount: Option<Decimal>) -> String {
    let tail = match amount {
        Some(amount) => format!("(CARC {}, {amount:.2})", phrase.code),
        None => format!("(CARC {})", phrase.code),
    };
    match &phrase.body {
        Some(body) => format!("{}: {body} {tail}", phrase.head),
        None => format!("{} {tail}", phrase.head),
    }
}

/// One adjustment in words, e.g. `("CO", "45")` gives "Contractual
/// obligation: charge exceeds fee schedule (CARC 45)" and an unknown `ZZ9`
/// gives "Unknown reason code ZZ9 (CARC ZZ9)".
pub fn describe_adjustment(list: &CodeList, group: &str, reason: &str) -> String {
    render(&adjustment_phrase(list, group, reason), None)
}

/// One remark in words, e.g. "Remark N130: consult plan benefit documents";
/// an unknown code gives "Remark ZZ1: unknown remark code".
pub fn describe_remark(list: &CodeList, code: &str) -> String {
    let code = code.trim().to_ascii_uppercase();
    match list.rarc(&code) {
        Some(entry) => format!("Remark {}: {}", entry.code, entry.description),
        None => format!("Remark {code}: unknown remark code"),
    }
}

/// One sentence for a ledger row: its adjustments `(group, reason, amount)`
/// with denials first, then duplicates and unknown codes, then contractual,
/// patient-responsibility, coordination-of-benefits and informational ones
/// (each keeping its order within its kind), then the remarks; all joined
/// with "; ". Each adjustment carries its amount: "Denied: … (CARC 197,
/// 100.00)". Nothing is skipped.
pub fn reason_in_words<G, R, M>(
    list: &CodeList,
    adjustments: &[(G, R, Decimal)],
    remarks: &[M],
) -> String
where
    G: AsRef<str>,
    R: AsRef<str>,
    M: AsRef<str>,
{
    let mut phrases: Vec<(Phrase, Decimal)> = adjustments
        .iter()
        .map(|(group, reason, amount)| {
            (
                adjustment_phrase(list, group.as_ref(), reason.as_ref()),
                *amount,
            )
        })
        .collect();
    phrases.sort_by_key(|(phrase, _)| phrase.rank);
    phrases
        .iter()
        .map(|(phrase, amount)| render(phrase, Some(*amount)))
        .chain(
            remarks
                .iter()
                .map(|code| describe_remark(list, code.as_ref())),
        )
        .collect::<Vec<_>>()
        .join("; ")
}

/// Provider-level adjustment reasons (PLB03-1) in words.
const PROVIDER_ADJUSTMENT_REASONS: &[(&str, &str)] = &[
    ("50", "late charge"),
    ("51", "interest penalty charge"),
    ("72", "authorized return (provider refund)"),
    ("90", "early payment allowance"),
    ("AH", "origination fee"),
    ("AM", "applied to borrower's account"),
    ("AP", "acceleration of benefits"),
    ("B2", "rebate"),
    ("B3", "recovery allowance"),
    ("BD", "bad debt adjustment"),
    ("BN", "bonus"),
    ("C5", "temporary allowance"),
    ("CR", "capitation interest"),
    ("CS", "adjustment"),
    ("CT", "capitation payment"),
    ("CV", "capital passthru"),
    ("CW", "certified registered nurse anesthetist passthru"),
    ("DM", "direct medical education passthru"),
    ("E3", "withholding"),
    ("FB", "forwarding balance"),
    ("FC", "fund allocation"),
    ("GO", "graduate medical education passthru"),
    ("HM", "hemophilia clotting factor supplement"),
    ("IP", "incentive premium payment"),
    ("IR", "Internal Revenue Service withholding"),
    ("IS", "interim settlement"),
    ("J1", "nonreimbursable"),
    ("L3", "penalty"),
    ("L6", "interest owed"),
    ("LE", "levy"),
    ("LS", "lump sum"),
    ("OA", "organ acquisition passthru"),
    ("OB", "offset for affiliated providers"),
    ("PI", "periodic interim payment"),
    ("PL", "payment final"),
    ("RA", "retroactive adjustment"),
    ("RE", "return on equity"),
    ("SL", "student loan repayment"),
    ("TL", "third party liability"),
    ("WO", "overpayment recovery"),
    ("WU", "unspecified recovery"),
];

/// A PLB reason code in words, e.g. "Provider adjustment: overpayment
/// recovery (PLB WO)"; unknown codes are shown as unknown.
pub fn describe_provider_adjustment(reason: &str) -> String {
    let code = reason.trim().to_ascii_uppercase();
    match PROVIDER_ADJUSTMENT_REASONS.iter().find(|(c, _)| *c == code) {
        Some((_, words)) => format!("Provider adjustment: {words} (PLB {code})"),
        None => format!("Provider adjustment: unknown reason code {code} (PLB {code})"),
    }
}
