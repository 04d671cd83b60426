//! Which inputs can be decided apart (issue 17 item 3): a folder of many
//! practices' 835s and 837s splits into parts that share no key a decision
//! reads, each decided into a store of its own on its own thread, the rows
//! merged back in the one payment order (see `pipeline::run`).
//!
//! A decision reads, beyond the event itself: the line's history (its key
//! holds payer, payee, CLP01, member, date and procedure), the lines a PLB
//! reference names (payer, payee and the reference, else the billed claims
//! of that CLM01), the billed claims of its CLP01 and those their ICNs lead
//! to (CLP07 noted by earlier payments, REF*F8 of replacements), the
//! versions of its payment (payer and trace), and — while ingesting — the
//! copies of a transaction (its content, payer and trace) or of a claim
//! (its content, CLM01 included). So every input gives, hashed: the payees
//! of its transactions (the NPI, else the id, as a line's key holds it),
//! their traces, every CLP01, CLP07 and
//! PLB reference, every CLM01 and REF*F8 of its claims and their billing
//! provider's NPI — CLP01s, CLM01s, ICNs and references all in one space,
//! as a reference may name any of them. Inputs that share any hash are in
//! one component (union-find); a hash two distinct texts share only joins
//! more inputs, never fewer. The payer alone is no key: a clearinghouse's
//! practices share payers and nothing a decision reads through them alone.
//!
//! What reads across every input is not split at all: acknowledgments
//! (tied to any claim by the front end) make a run one component, and so
//! does an input whose keys were not collected (one read twice: see
//! `pipeline::reread`). Whether any billed claim is known (which turns on
//! NO_MATCHING_CLAIM) is decided once for the whole run.

use std::hash::{BuildHasher, Hash, Hasher};

use crate::claim::BilledClaim;
use crate::hashing::HashMap;
use crate::line::{EventKind, RemittanceTransaction};

/// The hashed keys of one input's decisions.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    hashes: Vec<u64>,
}

/// What a key names: kept apart, so a payee and a claim number with the
/// same text are two keys.
#[derive(Clone, Copy, Hash)]
enum Kind {
    Payee,
    Trace,
    /// CLP01, CLM01, CLP07, REF*F8 and PLB references: one space.
    Claim,
}

impl Keys {
    /// Notes the keys of an 835 transaction.
    pub fn transaction(&mut self, tx: &RemittanceTransaction) {
        let c = &tx.context;
        // The payee a line's key holds (its NPI, else its id), and the
        // trace — empty ones too: lines of payments without a payee, or
        // transactions without a trace, share that emptiness.
        let payee = if c.payee_npi.is_empty() {
            &c.payee_id
        } else {
            &c.payee_npi
        };
        self.add(Kind::Payee, payee);
        self.add(Kind::Trace, &c.trace);
        let mut last: Option<(&str, &str)> = None;
        for event in &tx.events {
            let ids = (event.claim_id.as_str(), event.payer_claim_id.as_str());
            // A claim payment's events repeat its ids.
            if last == Some(ids) {
                continue;
            }
            last = Some(ids);
            if event.kind == EventKind::ProviderAdjustment {
                // An empty PLB reference names nothing.
                if !event.claim_id.trim().is_empty() {
                    self.add(Kind::Claim, &event.claim_id);
                }
            } else {
                self.add(Kind::Claim, &event.claim_id);
            }
            // An empty ICN is never noted.
            if !event.payer_claim_id.is_empty() {
                self.add(Kind::Claim, &event.payer_claim_id);
            }
        }
    }

    /// Notes the keys of a billed claim.
    pub fn claim(&mut self, claim: &BilledClaim) {
        self.add(Kind::Claim, &claim.claim_id);
        if let Some(icn) = &claim.payer_claim_number {
            if !icn.trim().is_empty() {
                self.add(Kind::Claim, icn);
            }
        }
        // Not a key a claim is looked up by, but a practice's own: noted
        // when there is one (more inputs joined, never fewer).
        if !claim.billing_provider.npi.trim().is_empty() {
            self.add(Kind::Payee, &claim.billing_provider.npi);
        }
    }

    /// The texts are compared trimmed and in upper case: keys that differ
    /// only so are one (more inputs joined, never fewer).
    fn add(&mut self, kind: Kind, text: &str) {
        let mut hasher = foldhash::quality::FixedState::with_seed(0x1717_0003).build_hasher();
        kind.hash(&mut hasher);
        for b in text.trim().bytes() {
            hasher.write_u8(b.to_ascii_uppercase());
        }
        self.hashes.push(hasher.finish());
    }

    /// Number of keys noted (with repeats).
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when no key was noted.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
}

/// The component of each input (`None` for those not decided: unusable),
/// numbered from 0 by their first input; `None` when the run must stay one
/// component (an input without keys).
pub fn components(inputs: &[Option<&Keys>]) -> Vec<Option<usize>> {
    let mut parent: Vec<usize> = (0..inputs.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<u64, usize> = HashMap::default();
    for (i, keys) in inputs.iter().enumerate() {
        let Some(keys) = keys else { continue };
        for &h in &keys.hashes {
            let first = *owner.entry(h).or_insert(i);
            let (a, b) = (root(&mut parent, first), root(&mut parent, i));
            if a != b {
                // The lower input is the root: components numbered by
                // their first input.
                let (low, high) = if a < b { (a, b) } else { (b, a) };
                parent[high] = low;
            }
        }
    }
    let mut number: HashMap<usize, usize> = HashMap::default();
    (0..inputs.len())
        .map(|i| {
            inputs[i]?;
            let r = root(&mut parent, i);
            let next = number.len();
            Some(*number.entry(r).or_insert(next))
        })
        .collect()
}

/// Spreads components over at most `groups` groups (each decided into a
/// store of its own on its own thread), heaviest first onto the lightest
/// group, so that the groups weigh about alike: the group of each
/// component. Components that share nothing stay apart whichever group
/// they land in, so the grouping changes no row, only the balance.
pub fn groups(weights: &[u64], groups: usize) -> Vec<usize> {
    let groups = groups.clamp(1, weights.len().max(1));
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(weights[c]), c));
    let mut load = vec![0u64; groups];
    let mut group = vec![0; weights.len()];
    for c in order {
        let lightest = (0..groups).min_by_key(|&g| (load[g], g)).unwrap_or(0);
        load[lightest] += weights[c];
        group[c] = lightest;
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(texts: &[&str]) -> Keys {
        let mut k = Keys::default();
        for t in texts {
            k.add(Kind::Claim, t);
        }
        k
    }

    #[test]
    fn inputs_sharing_any_key_are_one_component() {
        let a = keys(&["A1", "A2"]);
        let b = keys(&["B1"]);
        let c = keys(&["C1", " a2 "]);
        let d = keys(&["B1", "D1"]);
        let e = keys(&["E1"]);
        let inputs = [Some(&a), Some(&b), None, Some(&c), Some(&d), Some(&e)];
        assert_eq!(
            components(&inputs),
            [Some(0), Some(1), None, Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn a_chain_of_shared_keys_joins_every_link() {
        let a = keys(&["1"]);
        let b = keys(&["2"]);
        let c = keys(&["3"]);
        let ab = keys(&["2", "3"]);
        let bc = keys(&["1", "3"]);
        let inputs = [Some(&a), Some(&b), Some(&c), Some(&ab), Some(&bc)];
        assert_eq!(components(&inputs), [Some(0); 5]);
    }

    #[test]
    fn kinds_are_apart() {
        let mut a = Keys::default();
        a.add(Kind::Payee, "X");
        let mut b = Keys::default();
        b.add(Kind::Trace, "X");
        assert_eq!(components(&[Some(&a), Some(&b)]), [Some(0), Some(1)]);
    }

    #[test]
    fn groups_are_balanced_and_cover_every_component() {
        let g = groups(&[10, 10, 10, 10, 5, 5], 2);
        let load = |n| {
            g.iter()
                .zip([10, 10, 10, 10, 5, 5])
                .filter(|(x, _)| **x == n)
                .map(|(_, w)| w)
                .sum::<u64>()
        };
        assert_eq!((load(0), load(1)), (25, 25));
        assert_eq!(groups(&[3, 1], 4), [0, 1]);
    }
}
