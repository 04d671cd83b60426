//! Reversed and re-adjudicated in one remittance: a payer corrects a claim
//! by reversing its payment and paying it again in the same transaction.
//! What the reversal takes back is at stake only as far as the correction
//! does not give it back.

use crate::hashing::HashMap;

use rust_decimal::Decimal;

use super::decide::{Rules, decide, refresh_appeal_by};
use super::pricing::price_claim;
use crate::contract::Contracts;
use crate::line::{Decision, EventKind, LineEvent, LineHistory, LineKey, Status, event_key};
use crate::money::money;
use crate::text::Text;

/// What the corrections of one transaction give back to lines its
/// reversals take money from. A payer re-adjudicates a claim by reversing
/// it and paying it again in the same remittance; what the reversal takes
/// is at stake only as far as the correction does not give it back — by
/// paying it, by moving it to the patient (more patient responsibility
/// than the reversed payment had: collect it from the patient), or by
/// denying or underpaying it on its own row (then it is at stake there,
/// and counting it on the reversal too would count it twice).
#[derive(Debug, Default)]
pub struct Corrections {
    /// By line (ordinal 0): what corrections of a reversed line cover.
    by_line: HashMap<LineKey, Decimal>,
    /// By claim (CLP01): what corrections of lines no reversal names (the
    /// payer re-coded them) cover, for any reversed line of the claim.
    by_claim: HashMap<Text, Decimal>,
}

impl Corrections {
    /// The corrections among one transaction's events (statuses decided).
    pub fn of(events: &[LineEvent], contracts: Option<&Contracts>, rules: &Rules) -> Corrections {
        let is_line = |e: &&LineEvent| matches!(e.kind, EventKind::Line | EventKind::Claim);
        let reversals: Vec<&LineEvent> = events
            .iter()
            .filter(is_line)
            .filter(|e| e.status == Status::Reversal)
            .collect();
        if reversals.is_empty() {
            return Corrections::default();
        }
        // Per line and per claim: (paid, patient responsibility, own stake)
        // of the corrections, and the patient responsibility the reversed
        // payments had.
        let mut lines: HashMap<LineKey, [Decimal; 4]> = HashMap::default();
        let mut claims: HashMap<Text, [Decimal; 4]> = HashMap::default();
        for r in &reversals {
            lines.entry(event_key(r)).or_default()[3] -= r.patient_resp;
        }
        let reversed_claims: Vec<&Text> = reversals.iter().map(|r| &r.claim_id).collect();
        // Each claim payment is priced as a whole (the multiple procedure
        // reduction ranks its lines), from the 835's facts alone.
        let mut prices = Vec::with_capacity(events.len());
        for claim in events.chunk_by(|a, b| a.claim_seq == b.claim_seq) {
            // No entries at all without contracts: no price for any line.
            let mut priced = price_claim(contracts, claim, None).into_iter();
            prices.extend(claim.iter().map(|_| priced.next().flatten()));
        }
        for (e, price) in events.iter().zip(&prices) {
            if !is_line(&e)
                || e.status == Status::Reversal
                || !reversed_claims.contains(&&e.claim_id)
            {
                continue;
            }
            let own = decide(e, &LineHistory::default(), price.as_ref(), rules).stake();
            let key = event_key(e);
            let sums = match lines.get_mut(&key) {
                Some(sums) => sums,
                None => claims.entry(e.claim_id.clone()).or_default(),
            };
            sums[0] += e.paid;
            sums[1] += e.patient_resp;
            sums[2] += own;
        }
        // Reversed lines without a correction of their own: their patient
        // responsibility is what a re-coded correction compares with.
        for r in &reversals {
            let sums = lines[&event_key(r)];
            if sums[0].is_zero() && sums[1].is_zero() && sums[2].is_zero() {
                claims.entry(r.claim_id.clone()).or_default()[3] -= r.patient_resp;
            }
        }
        let cover = |[paid, patient, own, before]: [Decimal; 4]| {
            paid + (patient - before).max(Decimal::ZERO) + own
        };
        Corrections {
            by_line: lines.into_iter().map(|(k, v)| (k, cover(v))).collect(),
            by_claim: claims.into_iter().map(|(k, v)| (k, cover(v))).collect(),
        }
    }

    /// Lowers a recouping reversal's amount at stake by what corrections
    /// of the same transaction cover (each amount used once), and says so.
    pub fn offset_reversal(&mut self, event: &LineEvent, d: &mut Decision, rules: &Rules) {
        if d.stake() <= Decimal::ZERO {
            return;
        }
        let before = d.stake();
        let mut used = Decimal::ZERO;
        for pool in [
            self.by_line.get_mut(&event_key(event)),
            self.by_claim.get_mut(&event.claim_id),
        ]
        .into_iter()
        .flatten()
        {
            let take = (*pool).min(d.stake()).max(Decimal::ZERO);
            *pool -= take;
            d.at_stake = Some(d.stake() - take);
            used += take;
        }
        if used.is_zero() {
            return;
        }
        d.notes.push(if d.stake().is_zero() {
            format!(
                "reversed and re-adjudicated in the same remittance: the correction pays back, moves to the patient or puts at stake on its own row the {} taken back — nothing to appeal here",
                money(before)
            )
        } else {
            format!(
                "reversed and re-adjudicated in the same remittance: the correction covers {} of the {} taken back; the net reduction {} is at stake",
                money(used),
                money(before),
                money(d.stake())
            )
        });
        refresh_appeal_by(d, event, rules);
    }
}
