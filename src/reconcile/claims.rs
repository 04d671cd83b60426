//! The billed claims (837) a run knows, and how a remitted claim finds its
//! billed claim and its lines.
//!
//! Claim: CLP01 = CLM01, following the replacement family (837 REF*F8 names
//! the ICN, CLP07, of the claim it replaces); payee NPI = billing NPI when
//! both are known; member, charge and frequency break ties. Line: REF*6R,
//! else procedure (SVC06 when present), modifiers as a set, date, charge and
//! units, best one-to-one; lines the payer unbundled (SVC06) fall on the
//! billed line they came from.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::key::modifier_set;
use crate::claim::{BilledClaim, BilledLine};
use crate::events::{EventKind, LineEvent};
use crate::remittance::Text;

/// A billed claim and the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedClaim {
    /// The file (as shown in the ledger).
    pub source: String,
    /// The claim.
    pub claim: BilledClaim,
}

/// All billed claims, by CLM01 and by the ICN they replace.
#[derive(Debug, Default)]
pub struct ClaimIndex {
    claims: Vec<IndexedClaim>,
    by_id: HashMap<Text, Vec<usize>>,
    by_replaced_icn: HashMap<Text, Vec<usize>>,
    icns_of: HashMap<Text, HashSet<Text>>,
    answered: Vec<Vec<bool>>,
}

/// The outcome of matching one remitted claim.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClaimMatch {
    /// Index of the billed claim, when one was found.
    pub claim: Option<usize>,
    /// For each event of the claim payment, the billed line it answers.
    pub lines: Vec<Option<usize>>,
}

impl ClaimIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a billed claim read from `source`.
    pub fn add(&mut self, source: &str, claim: BilledClaim) {
        let at = self.claims.len();
        self.by_id
            .entry(claim.claim_id.clone())
            .or_default()
            .push(at);
        if let Some(icn) = claim.payer_claim_number.as_ref().filter(|i| !i.is_empty()) {
            self.by_replaced_icn
                .entry(icn.clone())
                .or_default()
                .push(at);
        }
        self.answered.push(vec![false; claim.lines.len()]);
        self.claims.push(IndexedClaim {
            source: source.to_string(),
            claim,
        });
    }

    /// Sorts claims into a canonical order (so results never depend on the
    /// order files were given in); call after adding, before matching.
    pub fn seal(&mut self) {
        let mut claims = std::mem::take(&mut self.claims);
        claims.sort_by(|a, b| {
            (a.claim.created, &a.source, a.claim.pos.byte).cmp(&(
                b.claim.created,
                &b.source,
                b.claim.pos.byte,
            ))
        });
        *self = ClaimIndex::default();
        for c in claims {
            self.add(&c.source.clone(), c.claim);
        }
    }

    /// True when no 837 is known.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// The claim at `at`.
    pub fn get(&self, at: usize) -> &IndexedClaim {
        &self.claims[at]
    }

    /// All claims, in canonical order.
    pub fn claims(&self) -> &[IndexedClaim] {
        &self.claims
    }

    /// True when the line was answered by some remittance.
    pub fn answered(&self, claim: usize, line: usize) -> bool {
        self.answered[claim][line]
    }

    /// True when a later claim replaces or voids this one: same CLM01, or
    /// its REF*F8 names an ICN this claim was paid under.
    pub fn superseded(&self, at: usize) -> bool {
        let claim = &self.claims[at].claim;
        let icns = self.icns_of.get(&claim.claim_id);
        self.claims.iter().enumerate().any(|(other, c)| {
            let c = &c.claim;
            other != at
                && c.replaces_another()
                && (other > at && c.claim_id == claim.claim_id
                    || c.payer_claim_number
                        .as_ref()
                        .is_some_and(|icn| icns.is_some_and(|s| s.contains(icn))))
        })
    }

    /// Matches the events of one claim payment (all with the same
    /// `claim_seq`) to a billed claim and its lines, and marks what they
    /// answer.
    pub fn match_claim(&mut self, events: &[LineEvent], payee_npi: &str) -> ClaimMatch {
        let Some(first) = events.first() else {
            return ClaimMatch::default();
        };
        if !first.payer_claim_id.is_empty() {
            self.icns_of
                .entry(first.claim_id.clone())
                .or_default()
                .insert(first.payer_claim_id.clone());
        }
        let Some(at) = self.best_claim(first, events, payee_npi) else {
            return ClaimMatch {
                claim: None,
                lines: vec![None; events.len()],
            };
        };
        let lines = match_lines(events, &self.claims[at].claim.lines);
        self.mark_answered(at, events, &lines);
        ClaimMatch {
            claim: Some(at),
            lines,
        }
    }

    fn mark_answered(&mut self, at: usize, events: &[LineEvent], lines: &[Option<usize>]) {
        let whole_claim = events.iter().any(|e| e.kind == EventKind::Claim);
        for (i, answered) in self.answered[at].iter_mut().enumerate() {
            if whole_claim || lines.contains(&Some(i)) {
                *answered = true;
            }
        }
    }

    /// The claim family of CLP01: its own CLM01 and every replacement whose
    /// REF*F8 names an ICN this CLP01 was paid under.
    fn family(&self, claim_id: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self.by_id.get(claim_id).cloned().unwrap_or_default();
        let mut ids: Vec<Text> = vec![claim_id.into()];
        let mut i = 0;
        while i < ids.len() {
            for icn in self.icns_of.get(&ids[i]).into_iter().flatten() {
                for &at in self.by_replaced_icn.get(icn).into_iter().flatten() {
                    if !found.contains(&at) {
                        found.push(at);
                        ids.push(self.claims[at].claim.claim_id.clone());
                    }
                }
            }
            i += 1;
        }
        found
    }

    fn best_claim(
        &self,
        first: &LineEvent,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> Option<usize> {
        let charge: Decimal = events.iter().map(|e| e.billed).sum::<Decimal>().abs();
        let mut best: Option<(i64, usize)> = None;
        for at in self.family(&first.claim_id) {
            let c = &self.claims[at].claim;
            let npi = &c.billing_provider.npi;
            if !payee_npi.is_empty() && !npi.is_empty() && npi != payee_npi {
                continue;
            }
            let mut score = 0i64;
            score += 8 * i64::from(!first.member_id.is_empty() && c.member_id() == first.member_id);
            score += 4 * i64::from(c.charge == charge);
            score += 2 * i64::from(c.claim_id == first.claim_id);
            score += i64::from(
                !first.claim_frequency.is_empty() && c.frequency == first.claim_frequency,
            );
            if best.is_none_or(|(s, _)| score >= s) {
                best = Some((score, at));
            }
        }
        best.map(|(_, at)| at)
    }
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
