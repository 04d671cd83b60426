//! The rows of billed lines no remittance answered (NO_REMITTANCE): what
//! the ledger says about a line the practice billed and is still waiting
//! on. Which lines are open is the store's to say; this builds their rows.

use std::sync::Arc;

use rust_decimal::Decimal;

use super::decide::Rules;
use super::reason::reason;
use crate::claim::{BilledClaim, BilledLine};
use crate::line::{DecidedLine, EventKind, LineEvent, RemittanceContext, Status};
use crate::text::Text;

/// The row of billed `line` of `claim` (named `reference`, see
/// [`super::claims::claim_reference`]) that no remittance answered, as of
/// the rules' as-of date.
pub fn no_remittance(
    rules: &Rules,
    context: &Arc<RemittanceContext>,
    claim: &BilledClaim,
    line: &BilledLine,
    reference: &str,
) -> DecidedLine {
    let name = match &claim.patient {
        Some(p) if !p.last.is_empty() => person(&p.last, &p.first),
        _ => person(&claim.subscriber.last, &claim.subscriber.first),
    };
    let units = line.units.unwrap_or(Decimal::ONE);
    let event = LineEvent {
        context: Arc::clone(context),
        kind: EventKind::Line,
        sequence: 0,
        claim_seq: 0,
        claim_id: claim.claim_id.clone(),
        payer_claim_id: claim.payer_claim_number.clone().unwrap_or_default(),
        claim_status: Text::default(),
        claim_frequency: claim.frequency.clone(),
        member_id: claim.member_id().into(),
        member_name: name,
        service_date: line.service_date,
        procedure: if line.procedure.code.is_empty() {
            line.revenue_code.clone()
        } else {
            line.procedure.code.clone()
        },
        modifiers: line.procedure.modifiers.clone(),
        paid_procedure: None,
        revenue_code: line.revenue_code.clone(),
        units,
        billed_units: units,
        billed: line.charge,
        allowed: Decimal::ZERO,
        allowed_reported: false,
        paid: Decimal::ZERO,
        patient_resp: Decimal::ZERO,
        adjustments: Vec::new(),
        remarks: Vec::new(),
        line_control: line.control_number.clone(),
        received_date: None,
        interest: Decimal::ZERO,
        status: Status::NoRemittance,
        filing_indicator: Default::default(),
        facility_code: Default::default(),
        rendering_provider: Default::default(),
        plan_id: Default::default(),
        unexplained: None,
    };
    let age = line
        .service_date
        .and_then(|d| (rules.as_of - d).get_days().into());
    let mut row = DecidedLine::from_event(event);
    row.reason = reason(&rules.codes, &row.event);
    row.matched_claim_line = format!("{reference}/{}", line.number);
    row.age_days = age.map(i64::from);
    row
}

/// The context of a billed claim, for its NO_REMITTANCE rows.
pub fn billed_context(source: &str, claim: &BilledClaim) -> RemittanceContext {
    RemittanceContext {
        source: source.to_string(),
        payer: claim.subscriber.payer_name.clone(),
        payer_id: claim.subscriber.payer_id.clone(),
        payee_npi: claim.billing_provider.npi.clone(),
        payee_id: claim.billing_provider.npi.clone(),
        interchange: claim.id.interchange.as_str().into(),
        transaction: claim.id.control.as_str().into(),
        ..RemittanceContext::default()
    }
}

fn person(last: &str, first: &str) -> String {
    if first.is_empty() {
        last.to_string()
    } else {
        format!("{last}, {first}")
    }
}
