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
        Some(amount) => format!("(CARC {}, {amount})", phrase.code),
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
