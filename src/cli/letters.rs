//! `remit appeals --letters DIR`: one appeal letter per claim with open
//! items, built from the decided rows the worklist is made of.
//!
//! Every option (letterhead, template, external-review texts) is read and
//! checked by [`LetterJob::load`] before the command opens any output; each
//! letter is staged as it is rendered and all are moved into place only
//! when every one was made ([`super::documents::Documents`]), owner-only,
//! named `PAYER_CLAIM`.
//!
//! Which kind of letter item a row becomes (see [`item_of`]): a re-listing
//! as denied of a payment that stands → previously paid; a reversal or PLB
//! recovery with money at stake → recoupment; a denial or the denied part
//! of a paid line → denial (an underpaid line whose shortfall is larger
//! than its denied part → underpayment); a late payment without the
//! interest owed (INTEREST_DUE) → late payment, beside any other item of
//! the row. The facts each cites come from the row: the remittance's date
//! and trace, the prior payment the engine cited, the fee-schedule amount,
//! the interest assessment, the payer's N1*PR address.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;

use super::args::{DocumentFormat, LetterArgs};
use super::documents::Documents;
use crate::codes::CodeList;
use crate::letters::{
    AdjustmentFact, ItemKind, LetterClaim, LetterItem, LetterPayer, LetterSettings, Letterhead,
    LineFacts, PaymentRef, PostalAddress, Recovery, ReviewNotices, Templates, render_letter,
};
use crate::line::{DecidedLine, EventKind, Flag, LineEvent, Status};
use crate::reports::appeals::AppealItem;

/// What `--letters` and its options say, read and checked.
pub struct LetterJob {
    dir: PathBuf,
    letterhead: Letterhead,
    notices: ReviewNotices,
    templates: Templates,
    format: DocumentFormat,
}

/// The file in the letters folder naming the letters the last run wrote
/// (see [`Documents::commit_retiring`]).
const LETTER_MANIFEST: &str = ".remit-letters";

impl LetterJob {
    /// The job `args` describe, or `None` without `--letters`. Every file
    /// option is read here, so that a mistake stops the command before it
    /// writes anything.
    pub fn load(args: &LetterArgs) -> anyhow::Result<Option<LetterJob>> {
        let Some(dir) = &args.letters else {
            return Ok(None);
        };
        let Some(letterhead) = &args.letterhead else {
            anyhow::bail!("--letters needs --letterhead FILE (the practice's name and address)");
        };
        let letterhead = Letterhead::load(letterhead)?;
        let notices = match &args.review_notices {
            Some(path) => ReviewNotices::load(path)?,
            None => ReviewNotices::neutral(),
        };
        let templates = match &args.template {
            Some(path) => Templates::builtin().with_letter_file(path)?,
            None => Templates::builtin(),
        };
        if let Ok(meta) = std::fs::metadata(dir) {
            anyhow::ensure!(
                meta.is_dir(),
                "--letters {}: exists and is not a folder",
                dir.display()
            );
        }
        Ok(Some(LetterJob {
            dir: dir.clone(),
            letterhead,
            notices,
            templates,
            format: args.letter_format,
        }))
    }

    /// Renders a letter for every claim of `items` and writes them; returns
    /// the number of letters and the number of files of an earlier run
    /// moved to `archive/` because their item left the worklist. Notes (an
    /// item past its deadline) go to standard error, without PHI.
    pub fn write(
        &self,
        items: &[&AppealItem],
        codes: &CodeList,
        as_of: jiff::civil::Date,
        medical_necessity_carcs: &[crate::text::Text],
        rule: &str,
    ) -> anyhow::Result<(usize, usize)> {
        let mut settings = LetterSettings::new(as_of, &self.letterhead, &self.notices, codes);
        settings.medical_necessity_carcs = medical_necessity_carcs
            .iter()
            .map(|c| c.to_string())
            .collect();
        let claims = letter_claims(items, rule);
        // Rendered and staged one by one (memory holds one letter); moved
        // into place only when every letter was made.
        let mut documents: Option<Documents> = None;
        for claim in &claims {
            let letter = render_letter(claim, &settings, &self.templates)?;
            let documents = match &mut documents {
                Some(d) => d,
                None => documents.insert(Documents::create(&self.dir)?),
            };
            for note in &letter.notes {
                eprintln!("note: {note}");
            }
            let stem = documents.unique_stem(&letter.file_stem);
            if self.format.html() {
                documents.add(&format!("{stem}.html"), letter.html.as_bytes())?;
            }
            if self.format.pdf() {
                documents.add(&format!("{stem}.pdf"), &letter.pdf)?;
            }
        }
        let documents = match documents {
            Some(d) => d,
            None => Documents::create(&self.dir)?,
        };
        let (_, retired) = documents.commit_retiring(LETTER_MANIFEST)?;
        Ok((claims.len(), retired))
    }
}

/// The claim a row is about: a PLB recovery's is the claim it took money
/// from (its reference may be the payer's ICN).
fn claim_of(row: &DecidedLine) -> &str {
    if row.recovered_claim.is_empty() {
        &row.event.claim_id
    } else {
        &row.recovered_claim
    }
}

/// One letter per payer and claim, holding every item of the claim, in
/// payer then claim order; `rule` names the prompt-pay rule in force.
pub fn letter_claims(items: &[&AppealItem], rule: &str) -> Vec<LetterClaim> {
    let mut claims: BTreeMap<(String, String, String), LetterClaim> = BTreeMap::new();
    for item in items {
        let row = &item.row;
        let e = &row.event;
        let c = &e.context;
        let key = (
            c.payer.to_string(),
            claim_of(row).to_string(),
            c.payer_id.to_string(),
        );
        let claim = claims.entry(key).or_insert_with(|| LetterClaim {
            payer: LetterPayer {
                name: c.payer.to_string(),
                id: c.payer_id.to_string(),
                address: c.payer_address.as_ref().map(|a| PostalAddress {
                    lines: a.lines.iter().map(|l| l.to_string()).collect(),
                    city: a.city.to_string(),
                    state: a.state.to_string(),
                    postal_code: zip(&a.postal_code),
                }),
                ..Default::default()
            },
            claim_id: claim_of(row).to_string(),
            billing_npi: c.payee_npi.to_string(),
            ..Default::default()
        });
        // A PLB row names no member: take the facts from any line.
        fill(&mut claim.payer.plan, &e.filing_indicator);
        // The event carries the NPI when NM1*82 gives one, else the name.
        let rendering = e.rendering_provider.trim();
        if rendering.len() == 10 && rendering.bytes().all(|b| b.is_ascii_digit()) {
            fill(&mut claim.rendering_npi, rendering);
        } else {
            fill(&mut claim.rendering_provider, rendering);
        }
        fill(&mut claim.payer_claim_id, &e.payer_claim_id);
        fill(&mut claim.member_id, &e.member_id);
        fill(&mut claim.member_name, &e.member_name);
        fill(&mut claim.billing_npi, &c.payee_npi);
        claim.items.extend(items_of(item, rule));
    }
    claims
        .into_values()
        .filter(|c| !c.items.is_empty())
        .collect()
}

/// A nine-digit US postal code as ZIP+4 (`55343-9664`); others as sent.
fn zip(code: &str) -> String {
    let code = code.trim();
    if code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

fn fill(slot: &mut String, value: &str) {
    if slot.is_empty() && !value.trim().is_empty() {
        *slot = value.trim().to_string();
    }
}

fn adjustments(e: &LineEvent) -> Vec<AdjustmentFact> {
    e.adjustments
        .iter()
        .map(|a| AdjustmentFact {
            group: a.group.to_string(),
            reason: a.reason.to_string(),
            amount: a.amount,
        })
        .collect()
}

fn remittance(e: &LineEvent, amount: Decimal) -> PaymentRef {
    PaymentRef {
        date: e.context.payment_or_production_date(),
        trace: e.context.trace.to_string(),
        amount,
    }
}

/// The prior payment the engine cited on the row, when it did.
fn prior(row: &DecidedLine) -> Option<PaymentRef> {
    let d = &row.decision;
    d.prior_paid.map(|amount| PaymentRef {
        date: d.prior_payment_date,
        trace: d.prior_trace.to_string(),
        amount,
    })
}

fn facts(row: &DecidedLine, at_stake: Decimal) -> LineFacts {
    let e = &row.event;
    // A reversal repeats the line it reverses with negative amounts; the
    // letter describes that line (the amount taken back is in its text).
    let line = |d: Decimal| {
        if row.status == Status::Reversal {
            d.abs()
        } else {
            d
        }
    };
    LineFacts {
        procedure: e.procedure.to_string(),
        modifiers: e.modifiers.iter().map(|m| m.to_string()).collect(),
        revenue_code: e.revenue_code.to_string(),
        service_date: e.service_date,
        units: (e.kind != EventKind::ProviderAdjustment).then_some(line(e.billed_units)),
        billed: line(e.billed),
        allowed: (e.allowed_reported || !e.allowed.is_zero()).then_some(line(e.allowed)),
        paid: line(e.paid),
        at_stake,
        appeal_by: row.decision.appeal_by,
    }
}

/// The letter items of one worklist row (usually one; a late payment
/// without its interest adds one).
fn items_of(item: &AppealItem, rule: &str) -> Vec<LetterItem> {
    let row = &item.row;
    let mut out: Vec<LetterItem> = item_of(row, item.at_stake).into_iter().collect();
    if let Some(i) = row.interest.as_ref().filter(|i| {
        row.decision.flags.contains(Flag::InterestDue) && i.difference() > Decimal::ZERO
    }) {
        let e = &row.event;
        out.push(LetterItem {
            line: facts(row, i.difference()),
            kind: ItemKind::LatePayment {
                remittance: PaymentRef {
                    date: Some(i.paid_on),
                    trace: e.context.trace.to_string(),
                    amount: e.paid,
                },
                received: i.received,
                received_source: i.source.as_str().to_string(),
                due: i.due,
                days_late: i.days_late,
                rule: rule.to_string(),
                rate: i.rate,
                principal: i.principal,
                owed: i.owed,
                paid: i.paid,
            },
        });
    }
    out
}

/// The item a row with money at stake stands for, if any (see the module
/// comment).
fn item_of(row: &DecidedLine, at_stake: Decimal) -> Option<LetterItem> {
    if at_stake <= Decimal::ZERO {
        return None;
    }
    let e = &row.event;
    let flags = &row.decision.flags;
    let kind = if flags.contains(Flag::PreviouslyPaidReportedDenied) {
        ItemKind::PreviouslyPaidDenied {
            original: prior(row).unwrap_or_default(),
            relisted: remittance(e, e.paid),
            adjustments: adjustments(e),
            remarks: e.remarks.iter().map(|r| r.to_string()).collect(),
        }
    } else if matches!(row.status, Status::Reversal | Status::ProviderAdjustment) {
        let recovery = if row.status == Status::Reversal {
            Recovery::Reversal
        } else {
            Recovery::ProviderLevel {
                reason: e
                    .adjustments
                    .first()
                    .map(|a| a.reason.to_string())
                    .unwrap_or_default(),
                reference: e.claim_id.to_string(),
            }
        };
        ItemKind::Recoupment {
            remittance: remittance(e, at_stake),
            recovery,
            original: prior(row),
        }
    } else {
        let shortfall = row
            .decision
            .variance
            .map_or(Decimal::ZERO, |v| (-v).max(Decimal::ZERO));
        let underpaid = flags.contains(Flag::Underpaid) && shortfall > row.decision.denied;
        if underpaid {
            let expected = row.decision.expected.unwrap_or_default();
            ItemKind::Underpayment {
                remittance: remittance(e, e.paid),
                basis: underpayment_basis(e, expected),
                expected,
                allowed: e.allowed,
                adjustments: adjustments(e),
            }
        } else if row.status == Status::Denied
            || flags.contains(Flag::PartialDenial)
            || !row.decision.denied.is_zero()
        {
            ItemKind::Denial {
                remittance: remittance(e, e.paid),
                adjustments: adjustments(e),
                remarks: e.remarks.iter().map(|r| r.to_string()).collect(),
                ask: None,
            }
        } else {
            return None;
        }
    };
    Some(LetterItem {
        line: facts(row, at_stake),
        kind,
    })
}

/// The contract basis of an underpayment: the fee schedule's amount per
/// unit (expected ÷ units billed) × units, for the procedure as billed.
fn underpayment_basis(e: &LineEvent, expected: Decimal) -> String {
    let procedure = crate::letters::format::procedure(
        &e.procedure,
        &e.modifiers
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>(),
    );
    let units = e.billed_units;
    if units > Decimal::ZERO {
        format!(
            "the fee schedule allows {} per unit of {procedure}, × {} unit(s)",
            crate::letters::format::money(expected / units),
            units.normalize()
        )
    } else {
        format!("the fee schedule's allowed amount for {procedure}")
    }
}
