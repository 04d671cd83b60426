//! The billed claims (837) a run knows, and how a remitted claim finds its
//! billed claim and its lines.
//!
//! Claim: CLP01 = CLM01, following the replacement family (837 REF*F8 names
//! the ICN, CLP07, of the claim it replaces); payee NPI = billing NPI when
//! both are known; member, charge and frequency break ties. Line: REF*6R,
//! else procedure (SVC06 when present), modifiers as a set, date, charge and
//! units, best one-to-one; lines the payer unbundled (SVC06) fall on the
//! billed line they came from.

use rust_decimal::Decimal;

use super::key::modifier_set;
use crate::claim::BilledLine;
use crate::events::{EventKind, LineEvent};
use crate::history::{HistoryStore, StoreResult, StoredClaim};
use crate::remittance::Text;

/// The outcome of matching one remitted claim.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClaimMatch {
    /// The billed claim, when one was found.
    pub claim: Option<StoredClaim>,
    /// For each event of the claim payment, the billed line it answers.
    pub lines: Vec<Option<usize>>,
}

/// Canonical order of billed claims, so that ties never depend on the
/// order files were given in: creation date, file, position.
fn canonical(claims: &mut [StoredClaim]) {
    claims.sort_by(|a, b| {
        (a.claim.created, &a.source, a.claim.pos.byte, a.id).cmp(&(
            b.claim.created,
            &b.source,
            b.claim.pos.byte,
            b.id,
        ))
    });
}

/// The claim family of CLP01: its own CLM01 and every replacement whose
/// REF*F8 names an ICN this CLP01 (or a member of the family) was paid under.
pub fn family(store: &dyn HistoryStore, claim_id: &str) -> StoreResult<Vec<StoredClaim>> {
    let mut found = store.claims_with_id(claim_id)?;
    let mut ids: Vec<Text> = vec![claim_id.into()];
    let mut i = 0;
    while i < ids.len() {
        for icn in store.icns_of(&ids[i])? {
            for replacement in store.claims_replacing(&icn)? {
                if !found.iter().any(|c| c.id == replacement.id) {
                    ids.push(replacement.claim.claim_id.clone());
                    found.push(replacement);
                }
            }
        }
        i += 1;
    }
    canonical(&mut found);
    Ok(found)
}

/// Matches the events of one claim payment (all with the same `claim_seq`)
/// to a billed claim and its lines, and marks the lines they answer.
pub fn match_claim(
    store: &mut dyn HistoryStore,
    events: &[LineEvent],
    payee_npi: &str,
) -> StoreResult<ClaimMatch> {
    let Some(first) = events.first() else {
        return Ok(ClaimMatch::default());
    };
    store.note_icn(&first.claim_id, &first.payer_claim_id)?;
    let candidates = family(&*store, &first.claim_id)?;
    let Some(best) = best_claim(candidates, first, events, payee_npi) else {
        return Ok(ClaimMatch {
            claim: None,
            lines: vec![None; events.len()],
        });
    };
    let lines = match_lines(events, &best.claim.lines);
    let whole_claim = events.iter().any(|e| e.kind == EventKind::Claim);
    for l in 0..best.claim.lines.len() {
        if whole_claim || lines.contains(&Some(l)) {
            store.mark_answered(best.id, l)?;
        }
    }
    Ok(ClaimMatch {
        claim: Some(best),
        lines,
    })
}

/// True when a later claim replaces or voids this one: same CLM01, or its
/// REF*F8 names an ICN this claim was paid under.
pub fn superseded(store: &dyn HistoryStore, claim: &StoredClaim) -> StoreResult<bool> {
    let family = family(store, &claim.claim.claim_id)?;
    let icns = store.icns_of(&claim.claim.claim_id)?;
    let at = family.iter().position(|c| c.id == claim.id);
    Ok(family.iter().enumerate().any(|(i, c)| {
        let c2 = &c.claim;
        c.id != claim.id
            && c2.replaces_another()
            && (c2.claim_id == claim.claim.claim_id && at.is_some_and(|at| i > at)
                || c2
                    .payer_claim_number
                    .as_ref()
                    .is_some_and(|icn| icns.contains(icn)))
    }))
}

fn best_claim(
    candidates: Vec<StoredClaim>,
    first: &LineEvent,
    events: &[LineEvent],
    payee_npi: &str,
) -> Option<StoredClaim> {
    let charge: Decimal = events.iter().map(|e| e.billed).sum::<Decimal>().abs();
    let mut best: Option<(i64, StoredClaim)> = None;
    for candidate in candidates {
        let c = &candidate.claim;
        let npi = &c.billing_provider.npi;
        if !payee_npi.is_empty() && !npi.is_empty() && npi != payee_npi {
            continue;
        }
        let mut score = 0i64;
        score += 8 * i64::from(!first.member_id.is_empty() && c.member_id() == first.member_id);
        score += 4 * i64::from(c.charge == charge);
        score += 2 * i64::from(c.claim_id == first.claim_id);
        score +=
            i64::from(!first.claim_frequency.is_empty() && c.frequency == first.claim_frequency);
        if best.as_ref().is_none_or(|(s, _)| score >= *s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// How well a remitted line fits a billed line (`None`: not at all).
fn line_score(event: &LineEvent, line: &BilledLine) -> Option<i64> {
    let control = event.line_control.as_str();
    if !control.is_empty() && !line.control_number.is_empty() {
        return (control == line.control_number).then_some(1_000);
    }
    let code_matches = !event.procedure.is_empty()
        && (event.procedure == line.procedure.code || event.procedure == line.revenue_code);
    let revenue_matches = !event.revenue_code.is_empty() && event.revenue_code == line.revenue_code;
    if !code_matches && !revenue_matches {
        return None;
    }
    let mut score = 100;
    score +=
        20 * i64::from(modifier_set(&event.modifiers) == modifier_set(&line.procedure.modifiers));
    score +=
        30 * i64::from(event.service_date.is_some() && event.service_date == line.service_date);
    score += 10 * i64::from(event.billed.abs() == line.charge);
    let units = line.units.unwrap_or(Decimal::ONE);
    score += 5 * i64::from(event.billed_units.abs() == units);
    Some(score)
}

/// Best one-to-one assignment of remitted lines to billed lines; lines the
/// payer split out of one billed line (SVC06) then join it.
pub fn match_lines(events: &[LineEvent], lines: &[BilledLine]) -> Vec<Option<usize>> {
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if event.kind != EventKind::Line {
            continue;
        }
        for (j, line) in lines.iter().enumerate() {
            if let Some(score) = line_score(event, line) {
                pairs.push((score, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut assigned = vec![None; events.len()];
    let mut taken = vec![false; lines.len()];
    for &(_, i, j) in &pairs {
        if assigned[i].is_none() && !taken[j] {
            assigned[i] = Some(j);
            taken[j] = true;
        }
    }
    for &(_, i, j) in &pairs {
        if assigned[i].is_none() && events[i].paid_procedure.is_some() {
            assigned[i] = Some(j);
        }
    }
    assigned
}
