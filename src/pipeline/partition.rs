//! Which parts of a run can be decided apart (issue 17 item 3): a folder of
//! many practices' 835s and 837s — or one clearinghouse file of several
//! payees — splits into parts that share no key a decision reads, each
//! decided into a store of its own on its own thread, the rows merged back
//! in the one payment order (see `pipeline::parts`).
//!
//! The unit is an 835 transaction (ST/SE) or an 837 claim, of any input:
//! one file's units may land in several parts. A decision reads, beyond
//! the event itself: the line's history (its key holds payer, payee, CLP01,
//! member, date and procedure), the lines a PLB reference names (payer,
//! payee and the reference, else the billed claims of that CLM01), the
//! billed claims of its CLP01 and those their ICNs lead to (CLP07 noted by
//! earlier payments, REF*F8 of replacements), the versions of its payment
//! (payer and trace), and — while ingesting — the copies of a transaction
//! (its content, payer and trace) or of a claim (its content, CLM01
//! included). So every transaction gives, hashed: its payee (the NPI, else
//! the id, as a line's key holds it), its trace, every CLP01, CLP07 and PLB
//! reference; every claim its CLM01, REF*F8 and billing provider's NPI —
//! CLP01s, CLM01s, ICNs and references all in one space, as a reference
//! may name any of them. Units that share any hash are in one component
//! (union-find); a hash two distinct texts share only joins more units,
//! never fewer. The payer alone is no key: a clearinghouse's practices
//! share payers and nothing a decision reads through them alone.
//!
//! What else reads across the units of one file, and why it is covered:
//! - a PLB amount without a reference is a line of the payee's (payer,
//!   payee, no claim): every transaction of a payee is joined by its payee
//!   key, so the payee's PLB history is in one part;
//! - the versions of a payment (payer and trace, `reconcile::versions`) are
//!   joined by the trace key;
//! - copies of a transaction in one file have the same content, so the same
//!   keys (their fingerprint holds payer and trace too); copies of a claim
//!   the same CLM01: each lands with its original, found known as in one
//!   store;
//! - the deposit (BPR) of a payment and its interest are its transaction's
//!   own (one unit); the file's summary and totals are made while it is
//!   read, whole, before any split; reports sum the rows, which are the same;
//! - whether any billed claim is known (which turns on NO_MATCHING_CLAIM)
//!   is decided once for the whole run;
//! - an input's ingest report is joined from its parts' (`ingest::join_pieces`:
//!   counts summed, lists in the file's order); its batch numbers (BHT03)
//!   are noted in each part holding a piece of it, and only tie
//!   acknowledgments to claims — a run with acknowledgments is not split;
//! - NO_REMITTANCE rows are a claim's own, listed by place (one CLM01 is in
//!   one part).
//!
//! What reads across every input is not split at all: acknowledgments
//! (tied to any claim by the front end) make a run one component, and so
//! does an input whose keys were not collected (one read twice: see
//! `pipeline::reread`).

use std::hash::{BuildHasher, Hash, Hasher};

use crate::claim::BilledClaim;
use crate::hashing::HashMap;
use crate::line::{EventKind, RemittanceTransaction};

/// The hashed keys of one input's decisions, unit by unit: each 835
/// transaction and each 837 claim is a unit, decided apart from the
/// input's other units when they share no key.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    hashes: Vec<u64>,
    /// Where the keys of each 835 transaction (in input order, as
    /// `InputContent::packed` holds them) are in `hashes`.
    transactions: Vec<(u32, u32)>,
    /// Where the keys of each 837 claim (as `InputContent::packed_claims`
    /// holds them) are in `hashes`.
    claims: Vec<(u32, u32)>,
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
    /// Notes the keys of an 835 transaction (the input's next one).
    pub fn transaction(&mut self, tx: &RemittanceTransaction) {
        let start = self.at();
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
        let end = self.at();
        self.transactions.push((start, end));
    }

    /// Notes the keys of a billed claim (the input's next one).
    pub fn claim(&mut self, claim: &BilledClaim) {
        let start = self.at();
        self.add(Kind::Claim, &claim.claim_id);
        if let Some(icn) = &claim.payer_claim_number {
            if !icn.trim().is_empty() {
                self.add(Kind::Claim, icn);
            }
        }
        // Not a key a claim is looked up by, but a practice's own: noted
        // when there is one (more units joined, never fewer).
        if !claim.billing_provider.npi.trim().is_empty() {
            self.add(Kind::Payee, &claim.billing_provider.npi);
        }
        let end = self.at();
        self.claims.push((start, end));
    }

    fn at(&self) -> u32 {
        // Past u32::MAX keys (an input far beyond what is held packed) the
        // ranges would saturate and units past it would read no keys, so
        // stand apart wrongly: `fits` tells the planner, which then keeps
        // the run one part.
        u32::try_from(self.hashes.len()).unwrap_or(u32::MAX)
    }

    /// True when every unit's range of keys was noted exactly (fewer than
    /// `u32::MAX` keys): only then may units be decided apart.
    pub fn fits(&self) -> bool {
        u32::try_from(self.hashes.len()).is_ok_and(|n| n < u32::MAX)
    }

    /// The texts are compared trimmed and in upper case: keys that differ
    /// only so are one (more units joined, never fewer).
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

    /// Number of units (transactions and claims) noted.
    pub fn units(&self) -> usize {
        self.transactions.len() + self.claims.len()
    }

    /// Each unit's keys: transactions first, then claims.
    fn unit_keys(&self) -> impl Iterator<Item = &[u64]> {
        self.transactions
            .iter()
            .chain(&self.claims)
            .map(|&(a, b)| self.hashes.get(a as usize..b as usize).unwrap_or(&[]))
    }
}

/// The components of one input's units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Units {
    /// The component of each 835 transaction, in input order.
    pub transactions: Vec<usize>,
    /// The component of each 837 claim, in input order.
    pub claims: Vec<usize>,
}

/// The component of each unit of each input (`None` for inputs not
/// decided: unusable), numbered from 0 by their first unit (inputs in
/// order, an input's transactions before its claims), and the weight of
/// each component (its units and their keys).
pub fn components(inputs: &[Option<&Keys>]) -> (Vec<Option<Units>>, Vec<u64>) {
    let total: usize = inputs.iter().flatten().map(|k| k.units()).sum();
    let mut parent: Vec<usize> = (0..total).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<u64, usize> = HashMap::default();
    let mut unit = 0;
    for keys in inputs.iter().flatten() {
        for hashes in keys.unit_keys() {
            for &h in hashes {
                let first = *owner.entry(h).or_insert(unit);
                let (a, b) = (root(&mut parent, first), root(&mut parent, unit));
                if a != b {
                    // The lower unit is the root: components numbered by
                    // their first unit.
                    let (low, high) = if a < b { (a, b) } else { (b, a) };
                    parent[high] = low;
                }
            }
            unit += 1;
        }
    }
    let mut number: HashMap<usize, usize> = HashMap::default();
    let mut weights: Vec<u64> = Vec::new();
    let mut unit = 0;
    let per_input = inputs
        .iter()
        .map(|keys| {
            let keys = (*keys)?;
            let mut of = Vec::with_capacity(keys.units());
            for hashes in keys.unit_keys() {
                let r = root(&mut parent, unit);
                let next = number.len();
                let c = *number.entry(r).or_insert(next);
                if c == weights.len() {
                    weights.push(0);
                }
                weights[c] += 1 + hashes.len() as u64;
                of.push(c);
                unit += 1;
            }
            let claims = of.split_off(keys.transactions.len());
            Some(Units {
                transactions: of,
                claims,
            })
        })
        .collect();
    (per_input, weights)
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

    /// An input of one transaction whose keys are `texts`.
    fn keys(texts: &[&str]) -> Keys {
        let mut k = Keys::default();
        unit(&mut k, Kind::Claim, texts, false);
        k
    }

    /// Notes one more unit (a claim when `claim`) of keys `texts`.
    fn unit(k: &mut Keys, kind: Kind, texts: &[&str], claim: bool) {
        let start = k.at();
        for t in texts {
            k.add(kind, t);
        }
        let end = k.at();
        if claim {
            k.claims.push((start, end));
        } else {
            k.transactions.push((start, end));
        }
    }

    /// The component of each input's first transaction.
    fn first(inputs: &[Option<&Keys>]) -> Vec<Option<usize>> {
        let (units, _) = components(inputs);
        units
            .into_iter()
            .map(|u| u.map(|u| u.transactions[0]))
            .collect()
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
            first(&inputs),
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
        assert_eq!(first(&inputs), [Some(0); 5]);
    }

    #[test]
    fn kinds_are_apart() {
        let mut a = Keys::default();
        unit(&mut a, Kind::Payee, &["X"], false);
        let mut b = Keys::default();
        unit(&mut b, Kind::Trace, &["X"], false);
        assert_eq!(first(&[Some(&a), Some(&b)]), [Some(0), Some(1)]);
    }

    /// The units of one input are components of their own unless they
    /// share a key, with each other or with another input's units; each
    /// component weighs its units and their keys.
    #[test]
    fn units_of_one_input_are_apart_unless_they_share_a_key() {
        let mut a = Keys::default();
        unit(&mut a, Kind::Payee, &["P1", "T1"], false);
        unit(&mut a, Kind::Payee, &["P2", "T2"], false);
        unit(&mut a, Kind::Payee, &["P1", "T3"], false);
        unit(&mut a, Kind::Payee, &["P3"], true);
        let mut b = Keys::default();
        unit(&mut b, Kind::Payee, &["P2"], true);
        unit(&mut b, Kind::Payee, &["P4"], true);
        let (units, weights) = components(&[Some(&a), None, Some(&b)]);
        let a = units[0].clone().expect("usable");
        assert_eq!(a.transactions, [0, 1, 0]);
        assert_eq!(a.claims, [2]);
        assert_eq!(units[1], None);
        let b = units[2].clone().expect("usable");
        assert_eq!(b.transactions, Vec::<usize>::new());
        assert_eq!(b.claims, [1, 3]);
        assert_eq!(weights, [6, 5, 2, 2]);
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
