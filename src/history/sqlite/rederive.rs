//! Re-deriving the decisions of a store written under the group-code rule
//! (schema version 1), when it is upgraded.
//!
//! Version 1 called a line that paid nothing DENIED unless every adjustment
//! was PR, kept "non-PR" adjustments as its denial reasons, and had no
//! amount at stake. Its line histories feed every later decision (a later
//! denial is compared with the last one; a payment is checked against the
//! previous ones), and `history`, `report --db`, `appeals --db` and
//! `posting --db` read its stored rows, so both are re-derived once, line
//! by line in the order they were decided, with the code list of the run
//! that opens the store:
//!
//! - the status from the stored adjustments (`events::line_status`);
//! - the decision from the line's (re-derived) history, with the fee
//!   schedule's expected amount the row stored (the schedule itself is not
//!   stored);
//! - kept from the stored row: what the decision cannot re-derive alone —
//!   the claim match (`NO_MATCHING_CLAIM`, `matched_claim_line`), prompt-pay
//!   interest (`INTEREST_DUE`), and the appeal deadline when both the old
//!   and the new decision have one (the run may have used other
//!   `--…-appeal-days`);
//! - provider-level (PLB) and claim-level rows keep their decision; a
//!   recouping PLB row's amount at stake is what it took back.
//!
//! Two things the engine adds within one remittance are not re-derived: a
//! correction's cover of a reversal in the same remittance and a PLB
//! recovery's duplicate part; those rows keep the whole take-back at stake.
//!
//! Lines are read a batch at a time, so memory is one batch, whatever the
//! size of the store.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use rusqlite::{Connection, params};
use rust_decimal::Decimal;

use super::{StoreError, StoreResult};
use crate::codes::CodeList;
use crate::line::{
    DecidedLine, Decision, EventKind, Flag, Flags, LineHistory, PriorEvent, PriorKind,
    RemittanceContext, Status, prior_payer_paid, reason_with_notes,
};
use crate::reconcile::decide::{ExpectedAmount, Rules, decide_with, prior_event};
use crate::reconcile::reason::reason;
use crate::text::Text;

/// Lines re-derived per batch.
const BATCH_LINES: i64 = 2048;

/// One stored event, as read back.
struct Stored {
    id: i64,
    remittance: Option<i64>,
    prior: PriorEvent,
    row: Option<String>,
}

/// Re-derives every stored decision with `codes` (inside the caller's
/// transaction).
pub(super) fn rederive(conn: &Connection, codes: &CodeList) -> StoreResult<()> {
    // The as-of date does not enter a decision; appeal days are the
    // defaults, used only where the stored row had no deadline.
    let rules = Rules::new(Date::constant(2000, 1, 1)).with_codes(Arc::new(codes.clone()));
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM lines", [], |r| r.get(0))?;
    let mut contexts: HashMap<i64, Arc<RemittanceContext>> = HashMap::new();
    let mut from = 0;
    while from < last {
        let to = from + BATCH_LINES;
        let mut lines: Vec<(i64, Vec<Stored>)> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, line_id, remittance_id, payment_date, trace, paid, kind, denial_reasons,
                        line_control, flags, row
                 FROM events WHERE line_id > ?1 AND line_id <= ?2 ORDER BY line_id, id",
            )?;
            let mut rows = stmt.query(params![from, to])?;
            while let Some(r) = rows.next()? {
                let line: i64 = r.get(1)?;
                let stored = Stored {
                    id: r.get(0)?,
                    remittance: r.get(2)?,
                    prior: prior_from_columns(r)?,
                    row: r.get(10)?,
                };
                match lines.last_mut() {
                    Some((l, events)) if *l == line => events.push(stored),
                    _ => lines.push((line, vec![stored])),
                }
            }
        }
        for (_, events) in lines {
            rederive_line(conn, events, &rules, &mut contexts)?;
        }
        // Contexts are shared by the lines of one remittance; a batch's
        // worth is plenty.
        if contexts.len() > 4096 {
            contexts.clear();
        }
        from = to;
    }
    Ok(())
}

fn prior_from_columns(r: &rusqlite::Row<'_>) -> StoreResult<PriorEvent> {
    let date: Option<String> = r.get(3)?;
    let paid: String = r.get(5)?;
    let kind: String = r.get(6)?;
    let reasons: String = r.get(7)?;
    let flags: i64 = r.get(9)?;
    Ok(PriorEvent {
        payment_date: super::stored_date(date)?,
        trace: Text::from(r.get::<_, String>(4)?),
        paid: paid
            .parse()
            .map_err(|_| StoreError::Data(format!("stored amount {paid:?}")))?,
        kind: PriorKind::parse(&kind)
            .ok_or_else(|| StoreError::Data(format!("stored kind {kind:?}")))?,
        denial_reasons: reasons
            .split(';')
            .filter(|r| !r.is_empty())
            .map(Text::from)
            .collect(),
        line_control: Text::from(r.get::<_, String>(8)?),
        flags: Flags::from_bits(flags as u32),
    })
}

/// Re-derives one line's events in order, each against the history the
/// earlier ones (re-derived) left.
fn rederive_line(
    conn: &Connection,
    events: Vec<Stored>,
    rules: &Rules,
    contexts: &mut HashMap<i64, Arc<RemittanceContext>>,
) -> StoreResult<()> {
    let mut history = LineHistory::default();
    for stored in events {
        let Some(json) = &stored.row else {
            // A PLB recovery's share of this line: kept as it is.
            history.events.push(stored.prior);
            continue;
        };
        let mut row: DecidedLine = serde_json::from_str(json)?;
        if let Some(id) = stored.remittance {
            row.event.context = context(conn, id, contexts)?;
        }
        let prior = rederive_row(&mut row, &history, &stored.prior, rules);
        conn.prepare_cached(
            "UPDATE events SET kind = ?1, denial_reasons = ?2, flags = ?3, row = ?4 WHERE id = ?5",
        )?
        .execute(params![
            prior.kind.as_str(),
            prior
                .denial_reasons
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            prior.flags.bits() as i64,
            serde_json::to_string(&row)?,
            stored.id,
        ])?;
        history.events.push(prior);
    }
    Ok(())
}

fn context(
    conn: &Connection,
    id: i64,
    cache: &mut HashMap<i64, Arc<RemittanceContext>>,
) -> StoreResult<Arc<RemittanceContext>> {
    if let Some(c) = cache.get(&id) {
        return Ok(Arc::clone(c));
    }
    let json: String =
        conn.query_row("SELECT context FROM remittances WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    let context: Arc<RemittanceContext> = Arc::new(serde_json::from_str(&json)?);
    cache.insert(id, Arc::clone(&context));
    Ok(context)
}

/// Re-derives one stored row in place; returns the history entry it leaves.
fn rederive_row(
    row: &mut DecidedLine,
    history: &LineHistory,
    stored: &PriorEvent,
    rules: &Rules,
) -> PriorEvent {
    let codes = &*rules.codes;
    match row.event.kind {
        EventKind::Line | EventKind::Claim => {}
        EventKind::ClaimAdjustment | EventKind::ProviderAdjustment => {
            // Their statuses do not depend on reason codes; only the new
            // amount at stake is filled in.
            let recouping = row.status == Status::ProviderAdjustment
                && row.decision.flags.contains(Flag::Recouped);
            row.decision.at_stake = Some(if recouping {
                (-row.event.paid).max(Decimal::ZERO)
            } else {
                Decimal::ZERO
            });
            return PriorEvent {
                flags: row.decision.flags,
                ..stored.clone()
            };
        }
    }
    let old = row.clone();
    row.event.rederive_status(codes);
    // Version 1 derived a secondary's allowed amount without what the
    // prior payer paid; a derived amount equals paid + PR exactly.
    if !row.event.allowed_reported && row.event.allowed == row.event.paid + row.event.patient_resp {
        row.event.allowed += prior_payer_paid(&row.event.adjustments);
    }
    let compared = matches!(
        row.event.status,
        Status::Paid | Status::PatientResp | Status::NoPaymentDue
    );
    let expected = match old.decision.expected {
        Some(amount) if compared => Some(ExpectedAmount {
            amount,
            basis: &old.decision.expected_basis,
        }),
        _ => None,
    };
    let mut d: Decision = decide_with(&row.event, history, expected, rules);
    for kept in [Flag::NoMatchingClaim, Flag::InterestDue] {
        if old.decision.flags.contains(kept) {
            d.flags.insert(kept);
        }
    }
    if let (Some(_), Some(before)) = (d.appeal_by, old.decision.appeal_by) {
        d.appeal_by = Some(before);
    }
    row.status = row.event.status;
    row.reason = reason_with_notes(&std::mem::take(&mut d.notes), reason(codes, &row.event));
    let mut prior = prior_event(&row.event, &d, codes);
    prior.payment_date = stored.payment_date;
    prior.trace = stored.trace.clone();
    prior.line_control = stored.line_control.clone();
    row.decision = d;
    prior
}
