//! Contract pricing of one remitted claim: gathers the facts the contract
//! engine reads (payer, plan, and per line the procedure, modifiers, place
//! of service, date, units, amounts and adjustments) from the claim
//! payment's events and, when matched, the billed 837 claim, and asks
//! [`Contracts::price`] for every line at once — the multiple procedure
//! reduction ranks a claim's lines of one date against each other, so no
//! line can be priced alone. Pure.

use crate::claim::{BilledClaim, ClaimKind};
use crate::contract::{ClaimFacts, Contracts, LineFacts, LinePrice, Place};
use crate::line::{EventKind, LineEvent};

/// The billed claim a payment was matched to, and for each event the
/// index of the billed line it answers.
#[derive(Clone, Copy, Debug)]
pub struct Billed<'a> {
    /// The 837 claim.
    pub claim: &'a BilledClaim,
    /// Per event (same order as the events), its billed line.
    pub lines: &'a [Option<usize>],
}

/// Prices the events of one claim payment (all of one CLP). One entry per
/// event, in order (`None` for events that are not service lines: claim
/// remainders, PLB amounts) — or none at all, without allocating, when no
/// contract rows were given: a caller reads a missing entry as no price.
pub fn price_claim(
    contracts: Option<&Contracts>,
    events: &[LineEvent],
    billed: Option<Billed<'_>>,
) -> Vec<Option<LinePrice>> {
    let Some(contracts) = contracts.filter(|c| !c.is_empty()) else {
        return Vec::new();
    };
    let Some(first) = events.first() else {
        return Vec::new();
    };
    // Only service lines (and whole claims paid without lines) are priced:
    // a claim-level remainder has no procedure of its own.
    let priced: Vec<usize> = (0..events.len())
        .filter(|&i| matches!(events[i].kind, EventKind::Line | EventKind::Claim))
        .collect();
    let lines: Vec<LineFacts<'_>> = priced
        .iter()
        .map(|&i| {
            let e = &events[i];
            LineFacts {
                procedure: &e.procedure,
                modifiers: &e.modifiers,
                place: place(&e.revenue_code, &e.facility_code, billed, i),
                service_date: e.service_date,
                units: e.billed_units,
                billed: e.billed,
                allowed: e.allowed,
                paid: e.paid,
                adjustments: &e.adjustments,
            }
        })
        .collect();
    let c = &first.context;
    // The plan id a contract row may name: what the payer says it paid
    // under (835 REF*CE) wins; without it, the group or policy number the
    // practice billed (837 SBR03), which is how a practice knows an
    // employer plan with its own rates.
    let plan_id: &str = if !first.plan_id.is_empty() {
        &first.plan_id
    } else {
        billed.map_or("", |b| b.claim.subscriber.group_number.trim())
    };
    let facts = ClaimFacts {
        payer_id: &c.payer_id,
        payer_name: &c.payer,
        filing_indicator: &first.filing_indicator,
        plan_id,
        lines: &lines,
    };
    let mut out = vec![None; events.len()];
    for (i, price) in priced.into_iter().zip(contracts.price(&facts)) {
        out[i] = Some(price);
    }
    out
}

/// Facility or non-facility from the 835 alone (CLP08; a line with a
/// revenue code is institutional): the scorecard's place for reference
/// amounts, where no 837 is at hand.
pub fn remitted_place(event: &LineEvent) -> Place {
    place(&event.revenue_code, &event.facility_code, None, 0)
}

/// Facility or non-facility for one event: the 837 line's SV105, else the
/// 837 claim's CLM05-1 (an institutional claim is facility); without a
/// matched claim, the 835's CLP08 (a line with a revenue code is
/// institutional, so facility).
fn place(revenue_code: &str, clp08: &str, billed: Option<Billed<'_>>, index: usize) -> Place {
    if let Some(b) = billed {
        if b.claim.kind == ClaimKind::Institutional {
            return Place::Facility;
        }
        let line_pos = b
            .lines
            .get(index)
            .copied()
            .flatten()
            .and_then(|l| b.claim.lines.get(l))
            .map(|l| Place::from_pos(&l.place_of_service))
            .unwrap_or(Place::Unknown);
        if line_pos != Place::Unknown {
            return line_pos;
        }
        let claim_pos = Place::from_pos(&b.claim.facility_code);
        if claim_pos != Place::Unknown {
            return claim_pos;
        }
    }
    if !revenue_code.is_empty() {
        return Place::Facility;
    }
    Place::from_pos(clp08)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::BilledLine;

    #[test]
    fn place_prefers_the_837_line_then_the_claim_then_the_835() {
        let mut claim = BilledClaim {
            facility_code: "22".into(),
            lines: vec![
                BilledLine {
                    place_of_service: "11".into(),
                    ..BilledLine::default()
                },
                BilledLine::default(),
            ],
            ..BilledClaim::default()
        };
        let lines = [Some(0), Some(1), None];
        let b = Billed {
            claim: &claim,
            lines: &lines,
        };
        assert_eq!(place("", "21", Some(b), 0), Place::NonFacility);
        assert_eq!(place("", "11", Some(b), 1), Place::Facility);
        assert_eq!(place("", "11", None, 0), Place::NonFacility);
        assert_eq!(place("", "21", None, 0), Place::Facility);
        assert_eq!(place("0450", "", None, 0), Place::Facility);
        assert_eq!(place("", "", None, 0), Place::Unknown);
        claim.kind = ClaimKind::Institutional;
        let b = Billed {
            claim: &claim,
            lines: &lines,
        };
        assert_eq!(place("", "11", Some(b), 0), Place::Facility);
    }
}
