//! Appeal letters and printable remittances, as HTML and PDF.
//!
//! This module owns the letter's input model ([`LetterClaim`] with its
//! [`LetterItem`]s of five kinds: previously paid now reported denied,
//! denial, underpayment, recoupment, late payment), the printable
//! remittance's ([`EobClaim`]), what a template sees of them ([`view`],
//! [`eob`]: every amount and date already printed), the templates
//! ([`Templates`]: built-in, or the practice's own file), the practice's
//! letterhead ([`Letterhead`], a `setting,value` CSV), the external-review
//! texts by state and plan ([`ReviewNotices`]), and the HTML-to-PDF layout
//! ([`pdf`]: no browser, the standard Helvetica fonts).
//!
//! It knows nothing of how items are found (the engine and the worklist
//! decide that) nor where files go (the CLI writes them): it turns facts
//! into documents. Letters are addressed to the payer and carry the PHI an
//! appeal needs; nothing here logs, and errors name templates, files,
//! lines and positions, never a patient, member or value.
//!
//! ```
//! use jiff::civil::date;
//! use remit::CodeList;
//! use remit::letters::*;
//! use rust_decimal::Decimal;
//!
//! let claim = LetterClaim {
//!     payer: LetterPayer { name: "ACME HEALTH PLAN".into(), id: "60054".into(), ..Default::default() },
//!     claim_id: "RC24-016".into(),
//!     member_id: "ACM100234".into(),
//!     member_name: "DOE, JANE".into(),
//!     items: vec![LetterItem {
//!         line: LineFacts {
//!             procedure: "99214".into(),
//!             service_date: Some(date(2024, 3, 12)),
//!             billed: Decimal::new(18500, 2),
//!             at_stake: Decimal::new(18500, 2),
//!             appeal_by: Some(date(2024, 10, 7)),
//!             ..Default::default()
//!         },
//!         kind: ItemKind::Denial {
//!             remittance: PaymentRef { date: Some(date(2024, 4, 10)), trace: "2024041000151".into(), amount: Decimal::ZERO },
//!             adjustments: vec![AdjustmentFact { group: "CO".into(), reason: "50".into(), amount: Decimal::new(18500, 2) }],
//!             remarks: vec![],
//!             ask: None,
//!         },
//!     }],
//!     ..Default::default()
//! };
//! let letterhead = Letterhead::named("Riverside Chiropractic");
//! let notices = ReviewNotices::neutral();
//! let settings = LetterSettings::new(date(2024, 5, 1), &letterhead, &notices, CodeList::builtin());
//! let letter = render_letter(&claim, &settings, &Templates::builtin()).unwrap();
//! assert!(letter.html.contains("$185.00"));
//! assert!(letter.html.contains("medical records"));
//! assert!(letter.pdf.starts_with(b"%PDF-"));
//! assert_eq!(letter.file_stem, "ACME_HEALTH_PLAN_RC24-016");
//! ```

pub mod eob;
pub mod format;
pub mod letterhead;
pub mod model;
pub mod notices;
pub mod pdf;
pub mod template;
pub mod view;

#[cfg(test)]
mod tests;

pub use eob::{EobClaim, EobCollector, EobLine, EobPayment, EobProviderAdjustment, eob_view};
pub use letterhead::{DateStyle, Letterhead, LetterheadError, Paper};
pub use model::{
    AdjustmentFact, Ask, ItemKind, LetterClaim, LetterItem, LetterPayer, LineFacts, PaymentRef,
    PostalAddress, Recovery,
};
pub use notices::{NEUTRAL_REVIEW_NOTICE, NoticesError, ReviewNotices};
pub use template::{TemplateError, Templates};
pub use view::{LetterSettings, LetterView, default_ask, letter_view};

use crate::codes::CodeList;

/// A rendered document: its file name without extension, the HTML and the
/// PDF, and notes for the person running the command (no PHI).
#[derive(Clone, Debug)]
pub struct Rendered {
    /// `PAYER_CLAIM` reduced to safe characters; add `.html` / `.pdf`.
    pub file_stem: String,
    /// The HTML.
    pub html: String,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// E.g. an item whose appeal deadline passed before the letter's date.
    pub notes: Vec<String>,
}

/// Renders the appeal letter of `claim` as HTML and PDF.
pub fn render_letter(
    claim: &LetterClaim,
    settings: &LetterSettings<'_>,
    templates: &Templates,
) -> Result<Rendered, TemplateError> {
    let view = letter_view(claim, settings);
    let html = templates.letter_html(&view)?;
    let pdf = templates.letter_pdf(&html, settings.letterhead.paper.page_size())?;
    let notes = view
        .items
        .iter()
        .filter(|i| i.deadline_passed)
        .map(|i| {
            format!(
                "claim {}: item {} ({}) is past its appeal deadline {}",
                claim.claim_id, i.number, i.kind, i.appeal_by
            )
        })
        .collect();
    Ok(Rendered {
        file_stem: letter_file_stem(claim),
        html,
        pdf,
        notes,
    })
}

/// Renders the printable remittance of `claim` as HTML and PDF.
pub fn render_eob(
    claim: &EobClaim,
    letterhead: &Letterhead,
    codes: &CodeList,
    templates: &Templates,
) -> Result<Rendered, TemplateError> {
    let view = eob_view(
        claim,
        &letterhead.practice_name,
        codes,
        letterhead.date_style,
    );
    let html = templates.eob_html(&view)?;
    let pdf = templates.eob_pdf(&html, letterhead.paper.page_size())?;
    Ok(Rendered {
        file_stem: claim.file_stem(),
        html,
        pdf,
        notes: Vec::new(),
    })
}

/// The file name of a claim's letter: payer and claim id (no PHI).
pub fn letter_file_stem(claim: &LetterClaim) -> String {
    safe_file_stem(&[&claim.payer.name, &claim.claim_id])
}

/// Joins `parts` with `_`, keeping letters, digits, `-` and `.`, and
/// turning everything else into `_`, so that a payer's name or a claim id
/// cannot name another folder.
pub fn safe_file_stem(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("_");
    // A name of dots only would mean "this folder" or "the parent".
    let stem = joined.trim_start_matches('.');
    if stem.is_empty() {
        "claim".to_string()
    } else {
        stem.to_string()
    }
}
