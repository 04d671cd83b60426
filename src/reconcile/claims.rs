//! The billed claims (837) a run knows, how a remitted claim finds its
//! billed claim and its lines, and which claims a replacement or void
//! supersedes.
//!
//! Claim: the candidates are the claims with CLM01 = CLP01 and the
//! replacements whose REF*F8 names an ICN (CLP07) that CLP01 was paid under;
//! a payee NPI that differs from the billing NPI rules a candidate out. Two
//! claims may share CLM01 (the TR3 recommends the patient account number,
//! so two visits of one patient are normal), so the candidates are ranked
//! by evidence, strongest first: REF*6R line controls, payer id, member id,
//! the lines (procedure, modifiers, date, charge, units), CLP03 = CLM02,
//! CLP01 = CLM01, patient name, payer order (CLP02 against SBR01), CLP09 =
//! CLM05-3. Versions of one claim (an original and its replacement) that
//! fit equally are no ambiguity: the version in force is taken. Distinct
//! claims that fit equally are: nothing is matched, the rows say so
//! (`AMBIGUOUS_CLAIM_MATCH`) and the candidates' lines are marked contested.
//!
//! Line: REF*6R, else procedure (SVC06 when present), modifiers as a set,
//! date, charge and units, best one-to-one; lines the payer unbundled
//! (SVC06) fall on the billed line they came from.
//!
//! Pure: the billed claims come as data, a [`ClaimBook`] gathered once per
//! claim payment from whatever holds them (the store, through
//! [`ClaimSource`]); what matching learns (which billed lines a payment
//! answers) goes back as [`LineMark`]s for the caller to record.

use crate::hashing::{HashMap, HashSet};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::claim::{BilledClaim, BilledLine};
use crate::line::{EventKind, LineEvent};
use crate::reconcile::pairing::{assign, score_bound};
use crate::text::Text;

/// A store's handle on a billed claim.
pub type ClaimRef = u64;

/// A billed claim as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredClaim {
    /// The store's handle.
    pub id: ClaimRef,
    /// The file it came from, shared: every payment's candidates are
    /// copies of their stored claims.
    pub source: Arc<str>,
    /// The claim, shared: matching copies the candidates of a payment
    /// (its family, the tied, the one matched) several times over, and a
    /// claim is about a kilobyte of fields.
    pub claim: Arc<BilledClaim>,
}

/// The questions matching asks about the billed claims a run knows; the
/// history store answers them (each answer in the store's own order, which
/// matching keeps).
pub trait ClaimSource {
    /// Why an answer could not be had.
    type Error;
    /// Billed claims with this CLM01.
    fn claims_with_id(&self, clm01: &str) -> Result<Vec<StoredClaim>, Self::Error>;
    /// Billed claims whose REF*F8 names this ICN.
    fn claims_replacing(&self, icn: &str) -> Result<Vec<StoredClaim>, Self::Error>;
    /// [`ClaimSource::claims_replacing`], taking the claims `known` holds
    /// (by handle) as they are where the source can tell them unread (a
    /// replacement is most often a claim of the CLM01 just read). The
    /// same answer; by default every claim is read.
    fn claims_replacing_reusing(
        &self,
        icn: &str,
        known: Known<'_>,
    ) -> Result<Vec<StoredClaim>, Self::Error> {
        let _ = known;
        self.claims_replacing(icn)
    }
    /// Billed claims matched to a remittance that carried this ICN.
    fn claims_paid_under(&self, icn: &str) -> Result<Vec<StoredClaim>, Self::Error>;
    /// ICNs (CLP07) CLP01 was adjudicated under.
    fn icns_of(&self, clp01: &str) -> Result<Vec<Text>, Self::Error>;
    /// CLP01s adjudicated under an ICN.
    fn clp01s_of_icn(&self, icn: &str) -> Result<Vec<Text>, Self::Error>;
}

/// The claims a caller already holds, by handle (see
/// [`ClaimSource::claims_replacing_reusing`]).
pub type Known<'k> = &'k dyn Fn(ClaimRef) -> Option<StoredClaim>;

/// The billed claims decoded last, by handle: payments of one CLM01 (a
/// reversal and its correction, a claim paid in parts) follow one another
/// within a few hundred payments, and decoding a claim again was a sixth
/// of what reading claims for matching cost. A fixed number of slots
/// (one per handle modulo [`RecentClaims::SLOTS`]): nothing per claim.
#[derive(Debug)]
pub struct RecentClaims {
    slots: Vec<Option<StoredClaim>>,
}

impl Default for RecentClaims {
    fn default() -> Self {
        RecentClaims {
            slots: vec![None; Self::SLOTS],
        }
    }
}

impl RecentClaims {
    /// How many claims are kept.
    pub const SLOTS: usize = 256;

    /// The claim with handle `id`, when kept.
    pub fn get(&self, id: ClaimRef) -> Option<StoredClaim> {
        match &self.slots[id as usize % Self::SLOTS] {
            Some(c) if c.id == id => Some(c.clone()),
            _ => None,
        }
    }

    /// Keeps `claim` (in place of the one in its slot).
    pub fn put(&mut self, claim: &StoredClaim) {
        let slot = &mut self.slots[claim.id as usize % Self::SLOTS];
        if slot.as_ref().is_none_or(|c| c.id != claim.id) {
            *slot = Some(claim.clone());
        }
    }
}

/// Every answer about billed claims that matching one claim payment (or
/// listing one billed claim's unanswered lines) may need, gathered up front
/// so that matching itself reads data and asks nothing.
#[derive(Debug, Default)]
pub struct ClaimBook {
    with_id: HashMap<Text, Vec<StoredClaim>>,
    replacing: HashMap<Text, Vec<StoredClaim>>,
    paid_under: HashMap<Text, Vec<StoredClaim>>,
    /// For each ICN of `paid_under`, its claims (indexes) by member id:
    /// which claim a replacement replaces reads those of its member when
    /// any may be (see [`ClaimBook::paid_under_like`]).
    paid_members: HashMap<Text, HashMap<Text, Vec<usize>>>,
    icns_of: HashMap<Text, Vec<Text>>,
    clp01s_of_icn: HashMap<Text, Vec<Text>>,
    /// CLM01s many claims share, indexed: which claim a replacement
    /// replaces reads only the claims of its member from them
    /// ([`SharedClaims::resembling`]), not every claim of the CLM01.
    shared: HashMap<Text, Arc<SharedClaims>>,
    /// What [`top_fits`] answered while the book was gathered: the
    /// candidates it ranked and the best of them (handles). Matching ranks
    /// the same candidates again; with hundreds sharing a CLM01 that was a
    /// fifth of a payment's cost.
    ranked: Option<(Vec<ClaimRef>, Vec<ClaimRef>)>,
    /// The family of the payment's CLP01 (see [`family`]) as gathering
    /// the book found it: matching asks for it again (and again for a
    /// reversal's voids); nothing gathered after it changes it.
    family: Option<(Text, Vec<StoredClaim>)>,
}

/// Where a [`ClaimBook`] finds the index of a CLM01 many claims share, when
/// its caller keeps one ([`SharedClaims`]); `None` reads the claims as usual.
pub type SharedLookup<'s> = &'s dyn Fn(&str) -> Option<Arc<SharedClaims>>;

impl ClaimBook {
    /// Asks `source` what matching the claim payment `events` (of CLP01
    /// `claim_id`, paid to `payee_npi`) can read: its claim family
    /// ([`family`]), and, when replacements or voids are among the claims
    /// that fit it best (the only ones whose originals decide a tie), what
    /// telling which claim each replaces asks ([`replaced_by`]), for the
    /// replacements those answers turn up in turn. In the usual case (one
    /// claim, or no replacement in a tie) that is the three questions of
    /// the family and nothing more. The claims of CLM01 `claim_id` come
    /// already read (`with_id`): all of them, or those that can fit the
    /// payment best (see [`SharedClaims::narrow`]).
    pub fn for_payment<S: ClaimSource + ?Sized>(
        source: &S,
        lookup: SharedLookup<'_>,
        claim_id: &str,
        with_id: Vec<StoredClaim>,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> Result<Self, S::Error> {
        let mut book = ClaimBook::default();
        book.with_id.insert(claim_id.into(), with_id);
        book.ask_family(source, claim_id)?;
        book.ask_ties(source, lookup, claim_id, events, payee_npi)?;
        Ok(book)
    }

    /// [`ClaimBook::for_payment`] when many claims share `claim_id`:
    /// `candidates` are the claims of `shared` that can fit the payment
    /// best ([`SharedClaims::narrow`]), or all of them. The index already
    /// holds the family (the replacements its ICNs lead to), so nothing
    /// about it is asked of `source`: [`family`] of this book is
    /// `candidates`, and which claim a tied replacement replaces reads the
    /// index, not the store.
    pub fn for_shared_payment<S: ClaimSource + ?Sized>(
        source: &S,
        lookup: SharedLookup<'_>,
        shared: Arc<SharedClaims>,
        candidates: Vec<StoredClaim>,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> Result<Self, S::Error> {
        let mut book = ClaimBook::default();
        let claim_id = shared.key.clone();
        book.with_id.insert(claim_id.clone(), candidates);
        // No ICN to follow: the candidates already are the family (the
        // index gathered its replacements), so `family` stops at them.
        book.icns_of.insert(claim_id.clone(), Vec::new());
        book.shared.insert(claim_id.clone(), shared);
        book.ask_ties(source, lookup, &claim_id, events, payee_npi)?;
        Ok(book)
    }

    /// When replacements or voids are among the claims of the family that
    /// fit `events` best (the only ones whose originals decide a tie), the
    /// questions telling which claim each replaces asks.
    fn ask_ties<S: ClaimSource + ?Sized>(
        &mut self,
        source: &S,
        lookup: SharedLookup<'_>,
        claim_id: &str,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> Result<(), S::Error> {
        let candidates = family(self, claim_id);
        // Only a replacement or void in a tie asks anything more.
        if candidates.iter().any(|c| c.claim.replaces_another()) {
            let tied = top_fits(&candidates, events, payee_npi);
            self.ranked = Some((
                candidates.iter().map(|c| c.id).collect(),
                tied.iter().map(|&i| candidates[i].id).collect(),
            ));
            let replacements: Vec<&StoredClaim> = if tied.len() < 2 {
                Vec::new()
            } else {
                tied.iter().map(|&i| &candidates[i]).collect()
            };
            self.ask_replacements(source, lookup, replacements)?;
        }
        // What `ask_replacements` gathers (claims of other CLM01s, what
        // ICNs were paid for) is not what `family` reads: it stands.
        self.family = Some((claim_id.into(), candidates));
        Ok(())
    }

    /// Asks `source` what listing the unanswered lines of the billed
    /// claims with CLM01 `claim_id` can read: their family, and what
    /// telling which claim each replacement or void in it replaces asks
    /// ([`supersession`]).
    /// `with_id`: the claims with that CLM01 when the caller has just read
    /// them (they are not read again).
    pub fn for_claim<S: ClaimSource + ?Sized>(
        source: &S,
        lookup: SharedLookup<'_>,
        claim_id: &str,
        with_id: Option<Vec<StoredClaim>>,
    ) -> Result<Self, S::Error> {
        let mut book = ClaimBook::default();
        if let Some(claims) = with_id {
            book.with_id.insert(claim_id.into(), claims);
        }
        book.ask_family(source, claim_id)?;
        let candidates = family(&book, claim_id);
        book.ask_replacements(source, lookup, candidates.iter().collect())?;
        Ok(book)
    }

    /// The questions [`family`] asks.
    fn ask_family<S: ClaimSource + ?Sized>(
        &mut self,
        source: &S,
        claim_id: &str,
    ) -> Result<(), S::Error> {
        ask(&mut self.with_id, claim_id, |k| source.claims_with_id(k))?;
        let mut ids: Vec<Text> = vec![claim_id.into()];
        let mut i = 0;
        while i < ids.len() {
            ask(&mut self.icns_of, &ids[i], |k| source.icns_of(k))?;
            for icn in self.icns_of(&ids[i]).to_vec() {
                // A replacement is most often a claim of the CLM01 just
                // read (a corrected claim keeps its CLM01): not decoded
                // again.
                let held = gathered(&self.with_id, claim_id);
                let held = if held.len() <= 64 { held } else { &[] };
                let known = |id: ClaimRef| held.iter().find(|c| c.id == id).cloned();
                ask(&mut self.replacing, &icn, |k| {
                    source.claims_replacing_reusing(k, &known)
                })?;
                for replacement in self.replacing(&icn) {
                    if !ids.contains(&replacement.claim.claim_id) {
                        ids.push(replacement.claim.claim_id.clone());
                    }
                }
            }
            i += 1;
        }
        Ok(())
    }

    /// The questions [`replaced_by`] asks for each replacement or void of
    /// `claims`, and for those its answers turn up.
    fn ask_replacements<S: ClaimSource + ?Sized>(
        &mut self,
        source: &S,
        lookup: SharedLookup<'_>,
        claims: Vec<&StoredClaim>,
    ) -> Result<(), S::Error> {
        let mut todo: Vec<StoredClaim> = claims
            .into_iter()
            .filter(|c| c.claim.replaces_another())
            .cloned()
            .collect();
        let mut asked: HashSet<ClaimRef> = HashSet::default();
        // ICNs whose claims are in `todo` already: hundreds of replacements
        // may name one ICN, paid for hundreds of claims.
        let mut followed: HashSet<Text> = HashSet::default();
        while let Some(replacement) = todo.pop() {
            if !asked.insert(replacement.id) {
                continue;
            }
            let icn = replaced_icn(&replacement);
            let mut keys: Vec<Text> = vec![replacement.claim.claim_id.clone()];
            if !icn.is_empty() {
                ask(&mut self.paid_under, icn, |k| source.claims_paid_under(k))?;
                if !self.paid_members.contains_key(icn) {
                    let mut by_member: HashMap<Text, Vec<usize>> = HashMap::default();
                    for (i, c) in self.paid_under(icn).iter().enumerate() {
                        by_member
                            .entry(c.claim.member_id().into())
                            .or_default()
                            .push(i);
                    }
                    self.paid_members.insert(icn.into(), by_member);
                }
                ask(&mut self.clp01s_of_icn, icn, |k| source.clp01s_of_icn(k))?;
                keys.extend(self.clp01s_of_icn(icn).iter().cloned());
            }
            for key in &keys {
                if self.shared.contains_key(key) {
                    continue;
                }
                match lookup(key) {
                    Some(shared) => {
                        self.shared.insert(key.clone(), shared);
                    }
                    None => ask(&mut self.with_id, key, |k| source.claims_with_id(k))?,
                }
            }
            // What `replaced_by` reads for this replacement: its pools.
            let mut found: Vec<StoredClaim> = keys
                .iter()
                .flat_map(|k| self.pool(k, &replacement))
                .collect();
            // Added once per ICN: a claim added before is asked about, or
            // is waiting in `todo`, already.
            if !icn.is_empty() && followed.insert(icn.into()) {
                found.extend(self.paid_under(icn).iter().cloned());
            }
            todo.extend(
                found
                    .into_iter()
                    .filter(|c| c.claim.replaces_another() && !asked.contains(&c.id)),
            );
        }
        Ok(())
    }

    /// The claims with CLM01 `clm01` that `replacement` may replace and
    /// that can look most like it: all of them, or, when many share the
    /// CLM01, those [`SharedClaims::resembling`] keeps.
    fn pool(&self, clm01: &str, replacement: &StoredClaim) -> Vec<StoredClaim> {
        match self.shared.get(clm01) {
            Some(shared) => shared.resembling(replacement),
            None => self.with_id(clm01).to_vec(),
        }
    }

    fn with_id(&self, clm01: &str) -> &[StoredClaim] {
        gathered(&self.with_id, clm01)
    }

    fn replacing(&self, icn: &str) -> &[StoredClaim] {
        gathered(&self.replacing, icn)
    }

    fn paid_under(&self, icn: &str) -> &[StoredClaim] {
        gathered(&self.paid_under, icn)
    }

    /// The claims paid under `icn` that [`replaced_by`] ranks for
    /// `replacement`: those of its member (member id as [`Resemblance`]
    /// compares it) that it may replace, when there are any — a claim of
    /// another member ranks below them all — else every claim paid under
    /// it. What is left out could not be among the claims that look most
    /// like it; hundreds of replacements of a CLM01 may name one ICN, paid
    /// for hundreds of claims.
    fn paid_under_like(&self, icn: &str, replacement: &StoredClaim) -> Vec<StoredClaim> {
        let all = self.paid_under(icn);
        let same = self
            .paid_members
            .get(icn)
            .and_then(|m| m.get(replacement.claim.member_id()));
        debug_assert!(self.paid_members.contains_key(icn), "not indexed: {icn}");
        if let Some(same) = same {
            let own: Vec<StoredClaim> = same
                .iter()
                .map(|&i| &all[i])
                .filter(|c| may_replace(replacement, c))
                .cloned()
                .collect();
            if !own.is_empty() {
                return own;
            }
        }
        all.to_vec()
    }

    fn icns_of(&self, clp01: &str) -> &[Text] {
        gathered(&self.icns_of, clp01)
    }

    fn clp01s_of_icn(&self, icn: &str) -> &[Text] {
        gathered(&self.clp01s_of_icn, icn)
    }
}

/// Asks `source` for `key`'s answer unless it is already known.
fn ask<T, E>(
    answers: &mut HashMap<Text, Vec<T>>,
    key: &str,
    question: impl FnOnce(&str) -> Result<Vec<T>, E>,
) -> Result<(), E> {
    if !answers.contains_key(key) {
        let answer = question(key)?;
        answers.insert(key.into(), answer);
    }
    Ok(())
}

/// A gathered answer. The book asks everything matching reads;
/// a question it did not ask is a bug in it, which debug builds (the
/// tests) catch here rather than answer as "no claim".
fn gathered<'b, T>(answers: &'b HashMap<Text, Vec<T>>, key: &str) -> &'b [T] {
    debug_assert!(answers.contains_key(key), "not gathered: {key}");
    answers.get(key).map_or(&[], Vec::as_slice)
}

/// The ICN a replacement's REF*F8 names, trimmed.
fn replaced_icn(replacement: &StoredClaim) -> &str {
    replacement
        .claim
        .payer_claim_number
        .as_deref()
        .unwrap_or("")
        .trim()
}

/// How the ledger names claims among many ([`claim_reference`] without a
/// scan): how many of them each (file, CLM01) holds.
#[derive(Clone, Debug, Default)]
pub struct ClaimNames {
    per_file: HashMap<(Arc<str>, Text), usize>,
}

impl ClaimNames {
    /// Counts `stored` among the claims named.
    pub fn add(&mut self, stored: &StoredClaim) {
        *self
            .per_file
            .entry((stored.source.clone(), stored.claim.claim_id.clone()))
            .or_default() += 1;
    }

    /// `FILE#CLM01`, or `FILE#CLM01@N` when the file holds another of the
    /// claims with this CLM01 (see [`claim_reference`]).
    pub fn reference(&self, stored: &StoredClaim) -> String {
        let key = (stored.source.clone(), stored.claim.claim_id.clone());
        if self.per_file.get(&key).copied().unwrap_or(0) > 1 {
            claim_label(stored)
        } else {
            format!("{}#{}", stored.source, stored.claim.claim_id)
        }
    }
}

/// From how many claims sharing one CLM01 a run indexes them
/// ([`SharedClaims`]) rather than score every one for every payment.
pub const SHARED_FROM: usize = 16;

/// The claim family of a CLM01 many claims share — loaded once per run
/// (a practice management system that leaves the patient account number
/// constant, a clearinghouse's `0`) and kept whole as payments note ICNs
/// ([`SharedClaims::learn_icn`]) — indexed by what ranks first in a
/// [`Fit`]: the member id (subscriber or patient) and the line controls
/// (REF*6R). A payment then scores the few claims of its member or its
/// controls, and which claim a replacement replaces reads the claims of
/// its member, not the whole family: linear in the claims sharing an id
/// instead of quadratic (issue 23 item 3).
#[derive(Clone, Debug)]
pub struct SharedClaims {
    /// The CLM01.
    key: Text,
    /// The family: the claims with CLM01 `key` in canonical order, then
    /// the replacements of other CLM01s that its ICNs lead to, in the
    /// order found ([`family`] sorts what it hands out).
    claims: Vec<StoredClaim>,
    /// The handles of `claims`.
    held: HashSet<ClaimRef>,
    /// Indexes into `claims` by trimmed member id (subscriber and patient).
    by_member: HashMap<Text, Vec<usize>>,
    /// Indexes into `claims` by line control number.
    by_control: HashMap<Text, Vec<usize>>,
    /// Indexes into `claims` by trimmed member id (subscriber and patient)
    /// and CLM02 (normalized): the claims of a member that can fit a
    /// payment best when its lines fit as well as any claim's can
    /// ([`SharedClaims::charge_fits_best`]).
    by_member_charge: HashMap<(Text, Decimal), Vec<usize>>,
    /// Names a claim as [`claim_reference`] would among them all.
    names: ClaimNames,
    /// The payer ids (SBR's NM1*PR) the claims are billed to.
    payers: HashSet<Text>,
    /// Whether any is a void (CLM05-3 = 8): a reversal answers it.
    voids: bool,
    /// The CLM01s whose ICNs lead to the family's replacements: `key` and
    /// the CLM01s of the replacements found.
    ids: HashSet<Text>,
    /// The ICNs whose replacements are in `claims` already.
    icns: HashSet<Text>,
}

impl SharedClaims {
    /// Indexes `claims` (all with CLM01 `key`). The replacements its ICNs
    /// lead to join with [`SharedClaims::learn_icns_of`].
    pub fn new(key: &str, mut claims: Vec<StoredClaim>) -> SharedClaims {
        canonical(&mut claims);
        let mut shared = SharedClaims {
            key: key.into(),
            claims: Vec::with_capacity(claims.len()),
            held: HashSet::with_capacity_and_hasher(claims.len(), Default::default()),
            by_member: HashMap::default(),
            by_control: HashMap::default(),
            by_member_charge: HashMap::default(),
            names: ClaimNames::default(),
            payers: HashSet::default(),
            voids: false,
            ids: HashSet::from_iter([Text::from(key)]),
            icns: HashSet::default(),
        };
        for claim in claims {
            shared.add(claim);
        }
        shared
    }

    /// Adds a claim of the family to the index.
    fn add(&mut self, stored: StoredClaim) {
        if !self.held.insert(stored.id) {
            return;
        }
        let at = self.claims.len();
        let claim = &stored.claim;
        let subscriber = claim.member_id().trim();
        let patient = claim.patient.as_ref().map_or("", |p| p.id.trim());
        for id in [subscriber, patient]
            .into_iter()
            .filter(|id| !id.is_empty())
        {
            let ids = self.by_member.entry(id.into()).or_default();
            // A claim whose patient is its subscriber is listed once.
            if ids.last() != Some(&at) {
                ids.push(at);
            }
            let ids = self
                .by_member_charge
                .entry((id.into(), claim.charge.normalize()))
                .or_default();
            if ids.last() != Some(&at) {
                ids.push(at);
            }
        }
        for line in &claim.lines {
            if line.control_number.is_empty() {
                continue;
            }
            let ids = self
                .by_control
                .entry(line.control_number.clone())
                .or_default();
            if ids.last() != Some(&at) {
                ids.push(at);
            }
        }
        self.names.add(&stored);
        self.payers.insert(claim.subscriber.payer_id.trim().into());
        self.voids |= claim.frequency == "8";
        self.claims.push(stored);
    }

    /// Adds the replacements that the ICNs `source` holds for the family's
    /// CLM01s lead to (what [`family`] would find); done once, when the
    /// index is made. Returns the CLM01s that joined the family.
    pub fn learn_icns_of<S: ClaimSource + ?Sized>(
        &mut self,
        source: &S,
    ) -> Result<Vec<Text>, S::Error> {
        let icns = source.icns_of(&self.key)?;
        let mut joined = Vec::new();
        for icn in icns {
            joined.extend(self.learn_icn(source, &icn)?);
        }
        Ok(joined)
    }

    /// Follows an ICN a payment of one of the family's CLM01s (its key,
    /// or the CLM01 of a replacement that joined) was just noted under: the replacements
    /// whose REF*F8 names it join the family, and so, in turn, do those of
    /// the ICNs their CLM01s were paid under. Returns the CLM01s that
    /// joined (the caller follows their later ICNs too). Each ICN is read
    /// once: claims are all stored before deciding starts.
    pub fn learn_icn<S: ClaimSource + ?Sized>(
        &mut self,
        source: &S,
        icn: &str,
    ) -> Result<Vec<Text>, S::Error> {
        let mut joined = Vec::new();
        let mut todo: Vec<Text> = vec![icn.into()];
        while let Some(icn) = todo.pop() {
            if icn.is_empty() || !self.icns.insert(icn.clone()) {
                continue;
            }
            for replacement in source.claims_replacing(&icn)? {
                if self.held.contains(&replacement.id) {
                    continue;
                }
                let id = replacement.claim.claim_id.clone();
                if self.ids.insert(id.clone()) {
                    todo.extend(source.icns_of(&id)?);
                    joined.push(id);
                }
                self.add(replacement);
            }
        }
        Ok(joined)
    }

    /// Every claim of the family.
    pub fn claims(&self) -> &[StoredClaim] {
        &self.claims
    }

    /// The claims matching ranks for the claim payment `events`: of those
    /// [`SharedClaims::narrow`] leaves (else all of them), the ones billed
    /// to this payee whose [`Fit`] starts best (controls, payer, member),
    /// in canonical order. Ranking these gives the verdict ranking them all
    /// would: fits compare that start first, and a claim billed under
    /// another NPI is never taken. Line controls that repeat from claim to
    /// claim (many systems number lines 1, 2, 3…) left dozens of claims
    /// after narrowing, each paired line by line, cloned and sorted.
    pub fn contenders(&self, events: &[LineEvent], payee_npi: &str) -> Vec<StoredClaim> {
        let Some(payment) = Payment::of(events) else {
            return self.claims.clone();
        };
        if let Some(best) = self.charge_fits_best(&payment, payee_npi) {
            return best;
        }
        match self.member_fits_best(&payment, payee_npi) {
            Some(best) => best,
            None => self.contenders_scored(&payment, events, payee_npi),
        }
    }

    /// The best start of a fit as [`SharedClaims::member_fits_best`] finds
    /// it, and the lines' bound ([`Payment::lines_bound`]): what a claim of
    /// the family can reach at most.
    fn top_fit(&self, payment: &Payment) -> Option<(Prefix, i64)> {
        let held = |control: &str| self.by_control.contains_key(control);
        let top = payment.top_prefix(held, self.payers.contains(payment.payer_id))?;
        Some((top, payment.lines_bound(held)))
    }

    /// The claims matching ranks best for the payment, found without
    /// scoring every claim of its member: among the member's claims whose
    /// CLM02 is the payment's CLP03 (an index), those billed to this payee
    /// that fit best — when the best of them starts as well as any fit can
    /// ([`Payment::top_prefix`]) and its lines fit as well as any claim's
    /// lines can ([`Payment::lines_bound`]). Then no claim left out ties
    /// with it: one that starts as well is the member's
    /// ([`SharedClaims::member_fits_best`]), its lines fit no better and
    /// its charge does not match. In canonical order, the claims whose
    /// [`Fit`] is that best one: what ranking every claim keeps. `None`
    /// when that is not certain (then the member's claims, or those
    /// [`SharedClaims::narrow`] finds, are scored). Why: when a member id
    /// repeats on hundreds of claims of a CLM01 (practices numbering claims
    /// and members alike), scoring the member's claims, lines paired one
    /// by one, was linear in them for every payment.
    fn charge_fits_best(&self, payment: &Payment, payee_npi: &str) -> Option<Vec<StoredClaim>> {
        let (top, bound) = self.top_fit(payment)?;
        let key = (Text::from(payment.member), payment.charge.normalize());
        let ids = self.by_member_charge.get(&key)?;
        let fits: Vec<(usize, Fit)> = ids
            .iter()
            .filter(|&&i| billed_to_payee(&self.claims[i].claim, payee_npi))
            .filter_map(|&i| {
                let claim = &self.claims[i].claim;
                let prefix = payment.prefix(claim);
                (prefix == top).then(|| (i, payment.fit_after(prefix, claim)))
            })
            .collect();
        let best = fits.iter().map(|(_, f)| *f).max()?;
        // Its lines fit as well as any claim's can, its charge matches:
        // any claim of the member outside the bucket fits worse.
        if best.lines != bound || !best.charge {
            return None;
        }
        let mut tied: Vec<StoredClaim> = fits
            .into_iter()
            .filter(|(_, f)| *f == best)
            .map(|(i, _)| self.claims[i].clone())
            .collect();
        canonical(&mut tied);
        Some(tied)
    }

    /// [`SharedClaims::contenders`] by scoring the claims
    /// [`SharedClaims::narrow`] finds (else the whole family).
    fn contenders_scored(
        &self,
        payment: &Payment,
        events: &[LineEvent],
        payee_npi: &str,
    ) -> Vec<StoredClaim> {
        let candidates = self
            .narrow(events, payee_npi)
            .unwrap_or_else(|| self.claims.clone());
        let eligible = |c: &StoredClaim| billed_to_payee(&c.claim, payee_npi);
        let prefixes: Vec<Option<Prefix>> = candidates
            .iter()
            .map(|c| eligible(c).then(|| payment.prefix(&c.claim)))
            .collect();
        let Some(best) = prefixes.iter().flatten().max().copied() else {
            return Vec::new();
        };
        candidates
            .into_iter()
            .zip(prefixes)
            .filter(|(_, p)| *p == Some(best))
            .map(|(c, _)| c)
            .collect()
    }

    /// The contenders when the member's own claims settle it: those of
    /// them billed to this payee whose [`Fit`] starts as well as any fit
    /// can ([`Payment::top_prefix`]: every line control found, the payer,
    /// the member), in canonical order — no claim can rank above them, and
    /// every claim that ties with them is the member's. `None` when none
    /// of them starts so (then [`SharedClaims::contenders`] scores the
    /// claims [`SharedClaims::narrow`] finds). Why: line controls numbered
    /// 1, 2, 3… on every claim put most of a family behind each control,
    /// so scoring what the controls find was linear in the family for
    /// every payment — quadratic in a day where hundreds of claims share a
    /// CLM01 (a clearinghouse's practices numbering patient accounts
    /// alike) — while a member has a few claims.
    fn member_fits_best(&self, payment: &Payment, payee_npi: &str) -> Option<Vec<StoredClaim>> {
        // Only what some claim of the family holds can be matched: a
        // payment's payer id (an 835's may be its TRN03 or N1*PR id, not
        // the 837's NM1*PR) or line control no claim has is left out of
        // the best fit possible.
        let (top, _) = self.top_fit(payment)?;
        let ids = self.by_member.get(payment.first.member_id.trim())?;
        let mut best: Vec<StoredClaim> = ids
            .iter()
            .map(|&i| &self.claims[i])
            .filter(|c| billed_to_payee(&c.claim, payee_npi) && payment.prefix(&c.claim) == top)
            .cloned()
            .collect();
        if best.is_empty() {
            return None;
        }
        canonical(&mut best);
        Some(best)
    }

    /// The claims that can fit the claim payment `events` best: those of
    /// its member and those holding one of its line controls, in canonical
    /// order — when that is certain, else `None` (then match against them
    /// all). Certain when one of them, billed to this payee, ranks above
    /// any claim left out: a claim left out matches no line control and
    /// not the member, so one with a control matched, or with the member
    /// and the payer (or a payer id no claim of the family has), outranks
    /// it ([`Fit`] compares controls, payer, member first).
    pub fn narrow(&self, events: &[LineEvent], payee_npi: &str) -> Option<Vec<StoredClaim>> {
        let first = events.first()?;
        let mut at: Vec<usize> = Vec::new();
        let member = first.member_id.trim();
        if !member.is_empty()
            && let Some(ids) = self.by_member.get(member)
        {
            at.extend(ids);
        }
        for event in events {
            if event.kind == EventKind::Line
                && !event.line_control.is_empty()
                && let Some(ids) = self.by_control.get(event.line_control.as_str())
            {
                at.extend(ids);
            }
        }
        at.sort_unstable();
        at.dedup();
        let mut candidates: Vec<StoredClaim> = at.iter().map(|&i| self.claims[i].clone()).collect();
        // The canonical order matching keeps (replacements that joined
        // from other CLM01s sit at the end of `claims`).
        canonical(&mut candidates);
        // When no claim is billed to the payment's payer id, none left
        // out can win on the payer either.
        let payer = first.context.payer_id.trim();
        let no_payer = payer.is_empty() || !self.payers.contains(payer);
        let payment = Payment::of(events)?;
        let outranks = candidates.iter().any(|c| {
            let f = payment.prefix(&c.claim);
            billed_to_payee(&c.claim, payee_npi)
                && (f.controls > 0 || (f.member && (f.payer || no_payer)))
        });
        outranks.then_some(candidates)
    }

    /// The claims with CLM01 `key` that `replacement` may replace
    /// ([`may_replace`]) and can look most like it ([`Resemblance`] ranks
    /// the member first): those of its member when there are any, else all
    /// of them. [`replaced_by`] gives the same answer from these as from
    /// every claim of the CLM01.
    pub fn resembling(&self, replacement: &StoredClaim) -> Vec<StoredClaim> {
        let member = replacement.claim.member_id();
        let own = |c: &&StoredClaim| c.claim.claim_id == self.key && may_replace(replacement, c);
        if !member.trim().is_empty()
            && let Some(ids) = self.by_member.get(member.trim())
        {
            let same: Vec<StoredClaim> = ids
                .iter()
                .map(|&i| &self.claims[i])
                .filter(|c| c.claim.member_id() == member)
                .filter(own)
                .cloned()
                .collect();
            if !same.is_empty() {
                return same;
            }
        }
        self.claims.iter().filter(own).cloned().collect()
    }

    /// True when a claim is a void.
    pub fn has_void(&self) -> bool {
        self.voids
    }

    /// How the ledger names `stored` among all the claims
    /// (see [`claim_reference`]).
    pub fn reference(&self, stored: &StoredClaim) -> String {
        self.names.reference(stored)
    }
}

/// A billed line a claim payment answers, or may answer: for the caller to
/// record, so that the line's NO_REMITTANCE row is left out or says why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineMark {
    /// The payment answers this line (index) of the claim it matched.
    Answered(ClaimRef, usize),
    /// The payment fits this line and a line of another claim equally well.
    Contested(ClaimRef, usize),
}

/// The outcome of matching one remitted claim.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClaimMatch {
    /// The billed claim, when exactly one fits best.
    pub claim: Option<StoredClaim>,
    /// How the ledger names that claim (`FILE#CLM01`, see [`claim_reference`]).
    pub reference: String,
    /// For each event of the claim payment, the billed line it answers.
    pub lines: Vec<Option<usize>>,
    /// When several distinct billed claims fit equally well: all of them
    /// (and `claim` is `None`).
    pub ambiguous: Vec<StoredClaim>,
    /// The billed lines the payment answers, or may answer, in the order
    /// found: the caller records them.
    pub marks: Vec<LineMark>,
}

/// `FILE#CLM01@N`, N being the claim's CLM segment number: names one
/// billed claim without PHI, even among claims sharing CLM01.
pub fn claim_label(stored: &StoredClaim) -> String {
    format!(
        "{}#{}@{}",
        stored.source, stored.claim.claim_id, stored.claim.pos.segment
    )
}

/// `FILE#CLM01`, the ledger's name of a billed claim; `FILE#CLM01@N` when
/// `among` holds another claim with this CLM01 from the same file, so that
/// `matched_claim_line` always names one line.
pub fn claim_reference(stored: &StoredClaim, among: &[StoredClaim]) -> String {
    let shared = among.iter().any(|c| {
        c.id != stored.id && c.source == stored.source && c.claim.claim_id == stored.claim.claim_id
    });
    if shared {
        claim_label(stored)
    } else {
        format!("{}#{}", stored.source, stored.claim.claim_id)
    }
}

/// Labels joined for a reason: `A, B and C`.
pub fn labels(claims: &[StoredClaim]) -> String {
    let names: Vec<String> = claims.iter().map(claim_label).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Canonical order of billed claims, so that ties never depend on the
/// order files were given in: creation date, file, position.
fn canonical(claims: &mut [StoredClaim]) {
    // Usually they come in that order already (an index keeps it): one
    // pass to see so is cheaper than a sort's comparisons.
    if claims.is_sorted_by(|a, b| order(a) <= order(b)) {
        return;
    }
    claims.sort_by(|a, b| order(a).cmp(&order(b)));
}

type Order<'a> = (Option<jiff::civil::Date>, &'a str, u64, u64);

fn order(c: &StoredClaim) -> Order<'_> {
    (c.claim.created, &c.source, c.claim.pos.byte, c.id)
}

/// The claim family of CLP01: its own CLM01 and every replacement whose
/// REF*F8 names an ICN this CLP01 (or a member of the family) was paid under.
pub fn family(book: &ClaimBook, claim_id: &str) -> Vec<StoredClaim> {
    if let Some((id, found)) = &book.family
        && id == claim_id
    {
        debug_assert_eq!(*found, family_of(book, claim_id), "family of {claim_id}");
        return found.clone();
    }
    family_of(book, claim_id)
}

/// [`family`], worked out from the book's answers.
fn family_of(book: &ClaimBook, claim_id: &str) -> Vec<StoredClaim> {
    let mut found = book.with_id(claim_id).to_vec();
    // A set, not a scan of `found`: a family may hold thousands of claims.
    let mut held: HashSet<ClaimRef> = found.iter().map(|c| c.id).collect();
    let mut ids: Vec<Text> = vec![claim_id.into()];
    let mut i = 0;
    while i < ids.len() {
        for icn in book.icns_of(&ids[i]) {
            for replacement in book.replacing(icn) {
                if held.insert(replacement.id) {
                    ids.push(replacement.claim.claim_id.clone());
                    found.push(replacement.clone());
                }
            }
        }
        i += 1;
    }
    canonical(&mut found);
    found
}

/// Matches the events of one claim payment (all with the same `claim_seq`)
/// to a billed claim of `book` (gathered for its CLP01) and its lines, and
/// says which billed lines it answers.
pub fn match_claim(book: &ClaimBook, events: &[LineEvent], payee_npi: &str) -> ClaimMatch {
    let Some(first) = events.first() else {
        return ClaimMatch::default();
    };
    let candidates = family(book, &first.claim_id);
    match_among(book, candidates, events, payee_npi, claim_reference)
}

/// [`match_claim`] among the claims [`SharedClaims::narrow`] left of a
/// large family (`candidates`, in canonical order, the family's
/// replacements none): the same verdict, named as among the whole family.
pub fn match_narrowed(
    book: &ClaimBook,
    shared: &SharedClaims,
    candidates: Vec<StoredClaim>,
    events: &[LineEvent],
    payee_npi: &str,
) -> ClaimMatch {
    match_among(book, candidates, events, payee_npi, |best, _| {
        shared.reference(best)
    })
}

/// Matches a claim payment to the best of `candidates` (see
/// [`match_claim`]); `reference` names the claim matched among them.
fn match_among(
    book: &ClaimBook,
    mut candidates: Vec<StoredClaim>,
    events: &[LineEvent],
    payee_npi: &str,
    reference: impl Fn(&StoredClaim, &[StoredClaim]) -> String,
) -> ClaimMatch {
    let unmatched = ClaimMatch {
        lines: vec![None; events.len()],
        ..ClaimMatch::default()
    };
    let whole_claim = events.iter().any(|e| e.kind == EventKind::Claim);
    match best_claim(book, &candidates, events, payee_npi) {
        Best::None => unmatched,
        Best::Tie(tied) => {
            // Neither claim is taken; the lines either could answer are
            // marked, so that their NO_REMITTANCE rows say a payment may
            // answer them.
            let tied: Vec<StoredClaim> = tied.iter().map(|&i| candidates[i].clone()).collect();
            let mut marks = Vec::new();
            for claim in &tied {
                let (lines, _) = assign(events, &claim.claim.lines);
                let answered = answered_lines(&lines, claim.claim.lines.len());
                for (l, &answered) in answered.iter().enumerate() {
                    if whole_claim || answered {
                        marks.push(LineMark::Contested(claim.id, l));
                    }
                }
            }
            ClaimMatch {
                ambiguous: tied,
                marks,
                ..unmatched
            }
        }
        Best::One(at) => {
            let reference = reference(&candidates[at], &candidates);
            let best = candidates.swap_remove(at);
            let (lines, _) = assign(events, &best.claim.lines);
            let answered = answered_lines(&lines, best.claim.lines.len());
            let marks = (0..best.claim.lines.len())
                .filter(|&l| whole_claim || answered[l])
                .map(|l| LineMark::Answered(best.id, l))
                .collect();
            ClaimMatch {
                reference,
                claim: Some(best),
                lines,
                ambiguous: Vec::new(),
                marks,
            }
        }
    }
}

/// How well a billed claim fits a claim payment. Fields are compared in
/// order (the derived ordering is lexicographic), strongest evidence first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fit {
    /// Remitted lines whose REF*6R names a line of the claim: the
    /// submitter's own line ids, echoed by the payer.
    pub controls: u32,
    /// The 835 payer id is the 837 payer id (only when both are given).
    pub payer: bool,
    /// CLP member id (NM1*QC, else IL) is the claim's subscriber or patient id.
    pub member: bool,
    /// Σ line fit of the best one-to-one assignment (procedure, modifiers,
    /// date, charge, units).
    pub lines: i64,
    /// CLP03 = CLM02.
    pub charge: bool,
    /// CLP01 = CLM01 (a replacement found through its REF*F8 may have
    /// another CLM01).
    pub claim_id: bool,
    /// The patient's name (NM1*QC, else IL) is the claim's.
    pub name: bool,
    /// CLP02 (processed as primary, secondary, tertiary) agrees with SBR01.
    pub order: bool,
    /// CLP09 = CLM05-3.
    pub frequency: bool,
}

/// What a claim payment offers to every candidate's [`Fit`], read once per
/// payment: a payment sharing its CLM01 with hundreds of billed claims (a
/// practice that uses the patient account number as CLM01 has one claim
/// per visit under it) is scored against each of them, and trimming,
/// summing and formatting the payment's side for each was most of a
/// payment's cost.
struct Payment<'e> {
    events: &'e [LineEvent],
    first: &'e LineEvent,
    payer_id: &'e str,
    member: &'e str,
    /// Σ CLP03 over the events, as [`Fit::charge`] compares it.
    charge: Decimal,
    /// `LAST, FIRST` as remitted, trimmed.
    name: &'e str,
    /// SBR01 of the payer order CLP02 says.
    order: Option<&'static str>,
}

/// The part of a [`Fit`] that ranks first (controls, payer, member): a
/// candidate whose prefix is below the best one's cannot be among the best,
/// so the rest (the line assignment above all) is not computed for it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Prefix {
    controls: u32,
    payer: bool,
    member: bool,
}

impl<'e> Payment<'e> {
    /// `None` for a payment without events.
    fn of(events: &'e [LineEvent]) -> Option<Payment<'e>> {
        let first = events.first()?;
        Some(Payment {
            events,
            first,
            payer_id: trimmed(&first.context.payer_id),
            member: trimmed(&first.member_id),
            charge: events.iter().map(|e| e.billed).sum::<Decimal>().abs(),
            name: trimmed(&first.member_name),
            order: payer_order(&first.claim_status),
        })
    }

    /// The first fields of the [`Fit`] of `claim` to this payment.
    fn prefix(&self, claim: &BilledClaim) -> Prefix {
        let controls = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Line && !e.line_control.is_empty())
            .filter(|e| {
                claim
                    .lines
                    .iter()
                    .any(|l| l.control_number == e.line_control)
            })
            .count() as u32;
        let patient_id = claim.patient.as_ref().map_or("", |p| trimmed(&p.id));
        Prefix {
            controls,
            payer: !self.payer_id.is_empty()
                && trimmed(&claim.subscriber.payer_id) == self.payer_id,
            member: !self.member.is_empty()
                && (trimmed(claim.member_id()) == self.member || patient_id == self.member),
        }
    }

    /// The best [`Prefix`] a claim can have for this payment: each of its
    /// line controls that `held` says some claim holds found, its payer id
    /// matched if `payer_held` (some claim is billed to it), its member id
    /// matched (`None` without a member id: no claim is then found by its
    /// member). An upper bound on every claim's prefix, reached by a claim
    /// only when nothing can rank above it.
    fn top_prefix(&self, held: impl Fn(&str) -> bool, payer_held: bool) -> Option<Prefix> {
        if self.member.is_empty() {
            return None;
        }
        let controls = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Line && !e.line_control.is_empty())
            .filter(|e| held(&e.line_control))
            .count() as u32;
        Some(Prefix {
            controls,
            payer: !self.payer_id.is_empty() && payer_held,
            member: true,
        })
    }

    /// The most [`Fit::lines`] a claim can have for this payment: each
    /// remitted line at its best score ([`score_bound`]), its line control
    /// counted when `held` says some claim holds it.
    fn lines_bound(&self, held: impl Fn(&str) -> bool) -> i64 {
        self.events
            .iter()
            .filter(|e| e.kind == EventKind::Line)
            .map(|e| score_bound(e, !e.line_control.is_empty() && held(&e.line_control)))
            .sum()
    }

    /// The [`Fit`] of `claim` to this payment, its `prefix` known.
    fn fit_after(&self, prefix: Prefix, claim: &BilledClaim) -> Fit {
        let first = self.first;
        Fit {
            controls: prefix.controls,
            payer: prefix.payer,
            member: prefix.member,
            lines: assign(self.events, &claim.lines).1,
            charge: claim.charge == self.charge,
            claim_id: claim.claim_id == first.claim_id,
            name: same_name(claim, self.name),
            order: self
                .order
                .is_some_and(|o| trimmed(&claim.subscriber.responsibility) == o),
            frequency: !first.claim_frequency.is_empty()
                && claim.frequency == first.claim_frequency,
        }
    }
}

/// `s` without leading and trailing whitespace, as [`str::trim`]: most
/// codes and ids have none, and a byte that is printable ASCII at either
/// end settles that without `trim`'s per-character decoding.
fn trimmed(s: &str) -> &str {
    let printable = |b: u8| b > b' ' && b < 0x7f;
    match s.as_bytes() {
        [] => s,
        [a, .., b] if printable(*a) && printable(*b) => s,
        [a] if printable(*a) => s,
        _ => s.trim(),
    }
}

/// SBR01 of the payer order a CLP02 says the claim was processed in.
fn payer_order(claim_status: &str) -> Option<&'static str> {
    match claim_status.trim() {
        "1" | "19" => Some("P"),
        "2" | "20" => Some("S"),
        "3" | "21" => Some("T"),
        _ => None,
    }
}

/// True when the 835's `LAST, FIRST` (`remitted`, trimmed) is the 837
/// patient's (NM1*QC, else the subscriber), letter case aside. Compared in
/// pieces: this runs once per candidate claim of a payment.
fn same_name(claim: &BilledClaim, remitted: &str) -> bool {
    let (last, first) = match &claim.patient {
        Some(p) if !p.last.is_empty() => (&p.last, &p.first),
        _ => (&claim.subscriber.last, &claim.subscriber.first),
    };
    let r = remitted.as_bytes();
    let last = trimmed(last).as_bytes();
    if r.is_empty() {
        return false;
    }
    if first.is_empty() {
        return r.eq_ignore_ascii_case(last);
    }
    // `LAST, FIRST` with both trimmed.
    let first = trimmed(first).as_bytes();
    r.len() == last.len() + 2 + first.len()
        && r[..last.len()].eq_ignore_ascii_case(last)
        && &r[last.len()..last.len() + 2] == b", "
        && r[last.len() + 2..].eq_ignore_ascii_case(first)
}

/// The outcome of ranking candidates: indexes into them.
#[derive(Debug)]
enum Best {
    None,
    One(usize),
    Tie(Vec<usize>),
}

fn best_claim(
    book: &ClaimBook,
    candidates: &[StoredClaim],
    events: &[LineEvent],
    payee_npi: &str,
) -> Best {
    let mut tied = match &book.ranked {
        // The same candidates as when the book was gathered: the same
        // answer (it depends on nothing else of a payment's).
        Some((ranked, top)) if candidates.iter().map(|c| c.id).eq(ranked.iter().copied()) => top
            .iter()
            .filter_map(|id| candidates.iter().position(|c| c.id == *id))
            .collect(),
        _ => top_fits(candidates, events, payee_npi),
    };
    // The usual case, one claim with this CLM01: nothing to rank.
    if tied.len() < 2 {
        return tied.pop().map_or(Best::None, Best::One);
    }
    let mut in_force = versions_in_force(book, candidates, tied);
    match in_force.len() {
        0 => Best::None,
        1 => Best::One(in_force.remove(0)),
        _ => Best::Tie(in_force),
    }
}

/// Whether `claim` may have been paid to the payee of NPI `payee_npi`: a
/// claim billed under another NPI was not; a side that gives no NPI rules
/// nothing out (it proves nothing either way).
fn billed_to_payee(claim: &BilledClaim, payee_npi: &str) -> bool {
    let npi = &claim.billing_provider.npi;
    payee_npi.is_empty() || npi.is_empty() || npi == payee_npi
}

/// The candidates (indexes) that fit the claim payment best: all of them
/// when one or none is eligible, else those with the top [`Fit`].
fn top_fits(candidates: &[StoredClaim], events: &[LineEvent], payee_npi: &str) -> Vec<usize> {
    let eligible: Vec<usize> = (0..candidates.len())
        .filter(|&i| billed_to_payee(&candidates[i].claim, payee_npi))
        .collect();
    if eligible.len() < 2 {
        return eligible;
    }
    let Some(payment) = Payment::of(events) else {
        return eligible;
    };
    // Only candidates with the best prefix can have the best fit (fits
    // compare prefix first), so the lines of the others are never paired.
    let prefixes: Vec<Prefix> = eligible
        .iter()
        .map(|&i| payment.prefix(&candidates[i].claim))
        .collect();
    let best = *prefixes.iter().max().expect("two or more");
    let fits: Vec<(usize, Fit)> = eligible
        .into_iter()
        .zip(prefixes)
        .filter(|(_, p)| *p == best)
        .map(|(i, p)| (i, payment.fit_after(p, &candidates[i].claim)))
        .collect();
    // Equal fits are never settled by position (file order, creation
    // date): that would book a payment to the wrong patient's claim without
    // a word. Only versions of one claim may settle a tie; the rest is
    // reported as ambiguous.
    let top = fits.iter().map(|(_, f)| *f).max().expect("two or more");
    fits.into_iter()
        .filter(|(_, f)| *f == top)
        .map(|(i, _)| i)
        .collect()
}

/// Among claims that fit a payment equally (`tied`, indexes into
/// `candidates`), drops the versions of one claim that are not the one to
/// match: an original a tied replacement (CLM05-3 = 7) replaces — the
/// replacement is the claim in force — and a void (8) whose original is
/// tied — the void bills nothing, the payment or reversal is the
/// original's. What is left are distinct claims.
fn versions_in_force(book: &ClaimBook, candidates: &[StoredClaim], tied: Vec<usize>) -> Vec<usize> {
    if tied.len() < 2 {
        return tied;
    }
    let mut dropped = vec![false; tied.len()];
    for (i, &at) in tied.iter().enumerate() {
        let claim = &candidates[at];
        if !claim.claim.replaces_another() {
            continue;
        }
        let replaced = replaced_by(book, claim);
        if !replaced.certain {
            continue;
        }
        for (j, &other) in tied.iter().enumerate() {
            if replaced.claims.iter().any(|r| r.id == candidates[other].id) {
                if claim.claim.frequency == "8" {
                    dropped[i] = true;
                } else {
                    dropped[j] = true;
                }
            }
        }
    }
    tied.into_iter()
        .zip(dropped)
        .filter(|(_, d)| !d)
        .map(|(at, _)| at)
        .collect()
}

/// The claims a replacement or void replaces.
#[derive(Debug, Default)]
pub struct Replaced {
    /// The claim replaced; several when it cannot be told which.
    pub claims: Vec<StoredClaim>,
    /// False when several claims are equally likely.
    pub certain: bool,
}

/// The claims `replacement` (CLM05-3 = 7 or 8) replaces: the claim paid
/// under the ICN its REF*F8 names; else among the earlier claims with that
/// ICN's CLP01 or with its own CLM01, the one that looks most like it
/// (member, patient, dates of service, procedures). Claims the practice
/// sent after it, and voids, are never replaced.
pub fn replaced_by(book: &ClaimBook, replacement: &StoredClaim) -> Replaced {
    replaced_among(book, replacement, Pools::Member)
}

/// Which claims paid under an ICN [`replaced_by`] ranks.
#[derive(Clone, Copy)]
enum Pools {
    /// Those of the replacement's member when any may be replaced
    /// ([`ClaimBook::paid_under_like`]).
    Member,
    /// All of them (the definition, which tests compare with).
    #[cfg(test)]
    Every,
}

fn replaced_among(book: &ClaimBook, replacement: &StoredClaim, pools_of: Pools) -> Replaced {
    if !replacement.claim.replaces_another() {
        return Replaced::default();
    }
    let icn = replaced_icn(replacement);
    let mut pools: Vec<Vec<StoredClaim>> = Vec::new();
    if !icn.is_empty() {
        pools.push(match pools_of {
            Pools::Member => book.paid_under_like(icn, replacement),
            #[cfg(test)]
            Pools::Every => book.paid_under(icn).to_vec(),
        });
        let mut by_clp01 = Vec::new();
        for clp01 in book.clp01s_of_icn(icn) {
            by_clp01.extend(book.pool(clp01, replacement));
        }
        pools.push(by_clp01);
    }
    pools.push(book.pool(&replacement.claim.claim_id, replacement));
    for pool in pools {
        let mut pool: Vec<StoredClaim> = pool
            .into_iter()
            .filter(|c| may_replace(replacement, c))
            .collect();
        if pool.is_empty() {
            continue;
        }
        canonical(&mut pool);
        pool.dedup_by_key(|c| c.id);
        let scored: Vec<(Resemblance, StoredClaim)> = pool
            .into_iter()
            .map(|c| (resemblance(&replacement.claim, &c.claim), c))
            .collect();
        let top = scored.iter().map(|(r, _)| *r).max().expect("not empty");
        let tied: Vec<StoredClaim> = scored
            .into_iter()
            .filter(|(r, _)| *r == top)
            .map(|(_, c)| c)
            .collect();
        let tied = latest_versions(book, tied, pools_of);
        return Replaced {
            certain: tied.len() == 1,
            claims: tied,
        };
    }
    Replaced::default()
}

/// True when `candidate` can be the claim `replacement` replaces: another
/// claim, not a void, not sent after it; an earlier replacement only when
/// it precedes it (so that a chain original → 7 → 7 ends).
fn may_replace(replacement: &StoredClaim, candidate: &StoredClaim) -> bool {
    let (r, c) = (&replacement.claim, &candidate.claim);
    if candidate.id == replacement.id || c.frequency == "8" {
        return false;
    }
    if let (Some(rc), Some(cc)) = (r.created, c.created)
        && cc > rc
    {
        return false;
    }
    !c.replaces_another() || order(candidate) < order(replacement)
}

/// Among originals that look equally like a replacement's, a chain
/// (original → replacement → replacement) is one claim: its latest version
/// is the one replaced.
fn latest_versions(book: &ClaimBook, tied: Vec<StoredClaim>, pools_of: Pools) -> Vec<StoredClaim> {
    if tied.len() < 2 {
        return tied;
    }
    let mut replaced_ids = Vec::new();
    for claim in tied.iter().filter(|c| c.claim.replaces_another()) {
        let replaced = replaced_among(book, claim, pools_of);
        replaced_ids.extend(replaced.claims.into_iter().map(|c| c.id));
    }
    tied.into_iter()
        .filter(|c| !replaced_ids.contains(&c.id))
        .collect()
}

/// How much an earlier claim looks like a replacement of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Resemblance {
    member: bool,
    name: bool,
    dates: usize,
    procedures: usize,
}

fn resemblance(replacement: &BilledClaim, c: &BilledClaim) -> Resemblance {
    let name = |claim: &BilledClaim| match &claim.patient {
        Some(p) => (p.last.to_ascii_uppercase(), p.first.to_ascii_uppercase()),
        None => (
            claim.subscriber.last.to_ascii_uppercase(),
            claim.subscriber.first.to_ascii_uppercase(),
        ),
    };
    let common = |key: &dyn Fn(&BilledLine) -> String| {
        let mut theirs: Vec<String> = c.lines.iter().map(key).collect();
        replacement
            .lines
            .iter()
            .filter(|l| {
                let k = key(l);
                theirs
                    .iter()
                    .position(|t| *t == k)
                    .map(|at| theirs.swap_remove(at))
                    .is_some()
            })
            .count()
    };
    Resemblance {
        member: replacement.member_id() == c.member_id(),
        name: name(replacement) == name(c),
        dates: common(&|l| format!("{:?}", l.service_date)),
        procedures: common(&|l| format!("{}|{}", l.procedure.code, l.revenue_code)),
    }
}

/// Whether a billed claim still awaits an answer of its own.
#[derive(Debug)]
pub enum Supersession {
    /// No replacement or void names it.
    InForce,
    /// A later replacement or void replaces it: its lines are withdrawn.
    Superseded,
    /// These replacements or voids may replace it or another claim; which
    /// one cannot be told, so its lines stay, flagged.
    Uncertain {
        /// The replacements or voids.
        replacements: Vec<StoredClaim>,
        /// The other claims each may replace instead.
        rivals: Vec<StoredClaim>,
    },
}

/// Which claims of a family its replacements and voids supersede, worked
/// out once per family ([`replaced_by`] of each), so that asking it of
/// every open claim of a large family is a lookup, not a pass over every
/// replacement.
#[derive(Debug, Default)]
pub struct Supersessions {
    /// The family's replacements and voids, in family order, with the
    /// claims each replaces.
    versions: Vec<(StoredClaim, Replaced)>,
    /// Per claim replaced, indexes into `versions`, in family order.
    by_claim: HashMap<ClaimRef, Vec<usize>>,
}

impl Supersessions {
    /// What the replacements and voids of `family` (in canonical order, as
    /// [`family`] gives it) replace, read from `book`.
    pub fn new(book: &ClaimBook, family: &[StoredClaim]) -> Supersessions {
        let mut found = Supersessions::default();
        for version in family.iter().filter(|c| c.claim.replaces_another()) {
            let replaced = replaced_by(book, version);
            let at = found.versions.len();
            for claim in &replaced.claims {
                let list = found.by_claim.entry(claim.id).or_default();
                if list.last() != Some(&at) {
                    list.push(at);
                }
            }
            found.versions.push((version.clone(), replaced));
        }
        found
    }

    /// Whether a later replacement or void supersedes `claim`.
    pub fn of(&self, claim: &StoredClaim) -> Supersession {
        let mut uncertain = Vec::new();
        let mut rivals: Vec<StoredClaim> = Vec::new();
        for &at in self.by_claim.get(&claim.id).map_or(&[][..], Vec::as_slice) {
            let (version, replaced) = &self.versions[at];
            if version.id == claim.id {
                continue;
            }
            if replaced.certain {
                return Supersession::Superseded;
            }
            for rival in &replaced.claims {
                if rival.id != claim.id && !rivals.iter().any(|r| r.id == rival.id) {
                    rivals.push(rival.clone());
                }
            }
            uncertain.push(version.clone());
        }
        if uncertain.is_empty() {
            Supersession::InForce
        } else {
            Supersession::Uncertain {
                replacements: uncertain,
                rivals,
            }
        }
    }
}

/// Which of a claim's `count` billed lines the assignment pairs with a
/// remitted line: one pass, not a search per line (a claim may have a
/// million lines).
fn answered_lines(assigned: &[Option<usize>], count: usize) -> Vec<bool> {
    let mut answered = vec![false; count];
    for &j in assigned.iter().flatten() {
        if let Some(slot) = answered.get_mut(j) {
            *slot = true;
        }
    }
    answered
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
