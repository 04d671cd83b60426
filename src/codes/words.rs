//! Plain-English sentences for a row's adjustments and remarks.
//!
//! "Denied: precertification/authorization absent (CARC 197)",
//! "Patient responsibility: deductible (CARC 1)", "Remark N130: consult plan
//! benefit documents". Unknown codes are said to be unknown, never left out.

use std::borrow::Cow;
use std::fmt::Write;

use rust_decimal::Decimal;

use super::{CarcCategory, CodeList, GroupCode};

/// One adjustment, ready to be written; borrows from the code list so that
/// a row's sentence is built without an allocation per phrase.
struct Phrase<'a> {
    /// Sort order within a row: denials first.
    rank: u8,
    /// "Denied", "Contractual obligation", or the whole text for an unknown code.
    head: Cow<'a, str>,
    /// The code's description; None for an unknown code.
    body: Option<&'a str>,
    /// The reason code as looked up.
    code: Cow<'a, str>,
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
fn head(group: &GroupCode, category: Option<CarcCategory>) -> Cow<'static, str> {
    let verdict = match category {
        Some(CarcCategory::Denial) => "Denied",
        Some(CarcCategory::Duplicate) => "Duplicate",
        _ => return group.label().into(),
    };
    match group {
        GroupCode::Pr => format!("{verdict} (patient responsibility)").into(),
        GroupCode::Cr => format!("{verdict} (deprecated group CR)").into(),
        GroupCode::Unknown(code) => format!("{verdict} (unknown group {code})").into(),
        GroupCode::Co | GroupCode::Oa | GroupCode::Pi => verdict.into(),
    }
}

fn adjustment_phrase<'a>(list: &'a CodeList, group: &str, reason: &str) -> Phrase<'a> {
    let Some(entry) = list.carc(reason) else {
        let code = reason.trim().to_ascii_uppercase();
        let head = if code.is_empty() {
            "Missing reason code".to_string()
        } else {
            format!("Unknown reason code {code}")
        };
        return Phrase {
            rank: rank(None),
            head: head.into(),
            body: None,
            code: code.into(),
        };
    };
    Phrase {
        rank: rank(entry.category),
        head: head(&GroupCode::parse(group), entry.category),
        body: Some(entry.description.as_str()),
        code: entry.code.as_str().into(),
    }
}

/// Appends the phrase to `out`, with the amount when there is one.
fn render_into(out: &mut String, phrase: &Phrase<'_>, amount: Option<Decimal>) {
    out.push_str(&phrase.head);
    if let Some(body) = phrase.body {
        out.push_str(": ");
        out.push_str(body);
    }
    // Zero prints as 0.00, never -0.00 (a reversal negates a zero amount).
    let amount = amount.map(|a| if a.is_zero() { Decimal::ZERO } else { a });
    // Writing to a String cannot fail.
    let _ = match amount {
        Some(amount) => write!(out, " (CARC {}, {amount:.2})", phrase.code),
        None => write!(out, " (CARC {})", phrase.code),
    };
}

fn render(phrase: &Phrase<'_>, amount: Option<Decimal>) -> String {
    let mut out = String::new();
    render_into(&mut out, phrase, amount);
    out
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
    let mut out = String::new();
    remark_into(&mut out, list, code);
    out
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
    let mut phrases: Vec<(Phrase<'_>, Decimal)> = adjustments
        .iter()
        .map(|(group, reason, amount)| {
            (
                adjustment_phrase(list, group.as_ref(), reason.as_ref()),
                *amount,
            )
        })
        .collect();
    phrases.sort_by_key(|(phrase, _)| phrase.rank);
    let mut out = String::with_capacity(64 * (phrases.len() + remarks.len()));
    for (phrase, amount) in &phrases {
        if !out.is_empty() {
            out.push_str("; ");
        }
        render_into(&mut out, phrase, Some(*amount));
    }
    for code in remarks {
        if !out.is_empty() {
            out.push_str("; ");
        }
        remark_into(&mut out, list, code.as_ref());
    }
    out
}

/// Appends one remark in words to `out` (see [`describe_remark`]).
fn remark_into(out: &mut String, list: &CodeList, code: &str) {
    // Writing to a String cannot fail.
    let _ = match list.rarc(code) {
        Some(entry) => write!(out, "Remark {}: {}", entry.code, entry.description),
        None => write!(
            out,
            "Remark {}: unknown remark code",
            code.trim().to_ascii_uppercase()
        ),
    };
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

/// CLP02 claim status code in words (the TR3's code list), as the
/// ledger's `claim_status_words` and the printed remittance show it.
pub fn claim_status_words(status: &str) -> &'static str {
    match status.trim() {
        "1" => "Processed as primary",
        "2" => "Processed as secondary",
        "3" => "Processed as tertiary",
        "4" => "Denied",
        "19" => "Processed as primary, forwarded to additional payer(s)",
        "20" => "Processed as secondary, forwarded to additional payer(s)",
        "21" => "Processed as tertiary, forwarded to additional payer(s)",
        "22" => "Reversal of previous payment",
        "23" => "Not our claim, forwarded to additional payer(s)",
        "25" => "Predetermination pricing only, no payment",
        _ => "Unknown claim status",
    }
}
