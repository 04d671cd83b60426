//! Tying acknowledgments to the claims they answer.
//!
//! - A TA1 names an interchange: its ISA13, from the receiver back to the
//!   sender (ISA06/ISA08 swapped).
//! - A 999 names a functional group (AK1 GS06) and its sets (AK2 ST02); the
//!   key includes the interchange sender and receiver, so two
//!   clearinghouses' GS06 500 do not collide. A 999 without AK2 loops
//!   speaks for every set of the group through AK9.
//! - A 277CA or 277 names a claim by its patient control number (TRN02 in
//!   a 277CA, REF*EJ in a 277): CLM01. Candidates with another billing NPI
//!   are excluded outright; among the rest the batch number (2200B TRN02 =
//!   the 837's BHT03), the member id, the charge and the dates of service
//!   decide, and a status never ties to a submission made after it. Lines
//!   tie by REF*FJ = the 837's REF*6R.
//!
//! Acknowledgments may be added before or after their claims; ties are made
//! in [`AckTracker::resolve`]. What cannot be tied is returned, with the
//! reason, never dropped.

use std::collections::HashMap;

use compact_str::CompactString;

use super::state::{AckEvidence, ClaimLifecycle, EvidenceKind, FrontEndState, LineVerdict};
use super::submission::{SetKey, SubmissionKey, SubmittedClaim};
use crate::acks::{
    AckCodes, AckList, ClaimStatus, FunctionalAck, InterchangeAck, Outcome, StatusReportKind,
    claim_outcome, describe_interchange_ack, describe_set_response, describe_statuses, set_outcome,
};
use crate::text::Text;
use crate::x12::Control;

/// An acknowledgment, or part of one, that no claim read answers to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnmatchedAck {
    /// The acknowledgment file.
    pub source: CompactString,
    /// What it names and why nothing matched.
    pub reason: String,
}

enum Pending {
    Interchange(InterchangeAck, CompactString),
    Functional(FunctionalAck, CompactString),
    Claim(ClaimStatus, CompactString),
    Provider(ClaimStatus, CompactString),
}

/// Collects submitted claims and acknowledgments; [`AckTracker::resolve`]
/// ties them and folds each claim's lifecycle.
pub struct AckTracker {
    codes: AckCodes,
    claims: Vec<SubmittedClaim>,
    acks: Vec<Pending>,
}

impl Default for AckTracker {
    fn default() -> Self {
        AckTracker::new()
    }
}

/// Every submission with its lifecycle, and what could not be tied.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Lifecycles {
    /// Each submission and its lifecycle, in the order the claims were
    /// added.
    pub claims: Vec<(SubmittedClaim, ClaimLifecycle)>,
    /// Acknowledgments (or parts) that answer no claim read.
    pub unmatched: Vec<UnmatchedAck>,
    /// Ties made with a caveat (an ambiguous key resolved by date).
    pub notes: Vec<String>,
}

impl Lifecycles {
    /// The lifecycle of one submission.
    pub fn get(&self, key: &SubmissionKey) -> Option<&ClaimLifecycle> {
        self.claims
            .iter()
            .find(|(claim, _)| claim.key() == *key)
            .map(|(_, life)| life)
    }

    /// Every submission of a CLM01 (original and resubmissions), oldest
    /// first by submission date.
    pub fn submissions_of(&self, claim_id: &str) -> Vec<&(SubmittedClaim, ClaimLifecycle)> {
        let mut found: Vec<_> = self
            .claims
            .iter()
            .filter(|(c, _)| c.claim_id == claim_id)
            .collect();
        found.sort_by_key(|(c, _)| c.submitted);
        found
    }
}

impl AckTracker {
    /// A tracker using the built-in code list.
    pub fn new() -> Self {
        AckTracker::with_codes(AckCodes::builtin().clone())
    }

    /// A tracker using `codes` (e.g. the built-in list merged with a user's).
    pub fn with_codes(codes: AckCodes) -> Self {
        AckTracker {
            codes,
            claims: Vec::new(),
            acks: Vec::new(),
        }
    }

    /// Adds a billed claim.
    pub fn add_claim(&mut self, claim: SubmittedClaim) {
        self.claims.push(claim);
    }

    /// Adds a TA1 read from `source`.
    pub fn add_interchange_ack(&mut self, ack: &InterchangeAck, source: &str) {
        self.acks
            .push(Pending::Interchange(ack.clone(), source.into()));
    }

    /// Adds a 999 read from `source`.
    pub fn add_functional_ack(&mut self, ack: &FunctionalAck, source: &str) {
        self.acks
            .push(Pending::Functional(ack.clone(), source.into()));
    }

    /// Adds a claim status (277CA or 277) read from `source`. A 276's claims
    /// are questions, not answers, and are ignored.
    pub fn add_claim_status(&mut self, status: &ClaimStatus, source: &str) {
        if status.kind != StatusReportKind::StatusRequest {
            self.acks
                .push(Pending::Claim(status.clone(), source.into()));
        }
    }

    /// Adds a provider-level status (2200C) read from `source`: a rejection
    /// there covers the provider's claims of the batch that have no status
    /// of their own in the same report.
    pub fn add_provider_status(&mut self, status: &ClaimStatus, source: &str) {
        if status.kind != StatusReportKind::StatusRequest {
            self.acks
                .push(Pending::Provider(status.clone(), source.into()));
        }
    }

    /// Ties every acknowledgment and folds every claim's lifecycle.
    pub fn resolve(self) -> Lifecycles {
        let mut ties = Ties::new(&self.claims, &self.codes);
        let (providers, others): (Vec<_>, Vec<_>) = self
            .acks
            .into_iter()
            .partition(|a| matches!(a, Pending::Provider(..)));
        for ack in others.into_iter().chain(providers) {
            match ack {
                Pending::Interchange(a, source) => ties.interchange(&a, &source),
                Pending::Functional(a, source) => ties.functional(&a, &source),
                Pending::Claim(s, source) => ties.claim(&s, &source),
                Pending::Provider(s, source) => ties.provider(&s, &source),
            }
        }
        let Ties {
            evidence,
            unmatched,
            notes,
            ..
        } = ties;
        let claims = self
            .claims
            .into_iter()
            .zip(evidence)
            .map(|(claim, evidence)| (claim, ClaimLifecycle::from_evidence(evidence)))
            .collect();
        Lifecycles {
            claims,
            unmatched,
            notes,
        }
    }
}

/// The indexes and the evidence gathered per claim.
struct Ties<'a> {
    claims: &'a [SubmittedClaim],
    codes: &'a AckCodes,
    by_claim_id: HashMap<&'a str, Vec<usize>>,
    evidence: Vec<Vec<AckEvidence>>,
    unmatched: Vec<UnmatchedAck>,
    notes: Vec<String>,
}

impl<'a> Ties<'a> {
    fn new(claims: &'a [SubmittedClaim], codes: &'a AckCodes) -> Self {
        let mut by_claim_id: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, claim) in claims.iter().enumerate() {
            by_claim_id
                .entry(claim.claim_id.as_str())
                .or_default()
                .push(i);
        }
        Ties {
            claims,
            codes,
            by_claim_id,
            evidence: vec![Vec::new(); claims.len()],
            unmatched: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn unmatched(&mut self, source: &str, reason: String) {
        self.unmatched.push(UnmatchedAck {
            source: source.into(),
            reason,
        });
    }

    fn interchange(&mut self, ack: &InterchangeAck, source: &str) {
        // The TA1 travels back: its ISA08 sent the interchange it names.
        let hits: Vec<usize> = (0..self.claims.len())
            .filter(|&i| {
                let claim = &self.claims[i];
                claim.interchange == ack.interchange
                    && claim
                        .set
                        .as_ref()
                        .is_some_and(|s| s.sender == ack.receiver && s.receiver == ack.sender)
            })
            .collect();
        if hits.is_empty() {
            let reason = format!(
                "TA1 for interchange ISA13 {} from {} to {}: no 837 interchange with that control number was read",
                ack.interchange, ack.sender, ack.receiver
            );
            self.unmatched(source, reason);
            return;
        }
        let outcome = self
            .codes
            .outcome(AckList::InterchangeAck, &ack.code)
            .unwrap_or(Outcome::Rejected);
        let state = match outcome {
            Outcome::Rejected => FrontEndState::RejectedFile,
            _ => FrontEndState::Accepted,
        };
        let evidence = AckEvidence {
            kind: EvidenceKind::InterchangeAck,
            outcome,
            state: Some(state),
            date: ack.sent.or(ack.date),
            from: ack.sender.clone(),
            by_payer: false,
            codes: vec![
                format!("TA104 {}", ack.code).into(),
                format!("TA105 {}", ack.note).into(),
            ],
            reason: describe_interchange_ack(self.codes, ack),
            names_this_claim: false,
            names_only_others: false,
            payer_claim_number: Text::default(),
            lines: Vec::new(),
            source: source.into(),
            byte: ack.pos.byte,
        };
        for i in self.latest_per_key(hits, evidence.date) {
            self.evidence[i].push(evidence.clone());
        }
    }

    fn functional(&mut self, ack: &FunctionalAck, source: &str) {
        let group = SetKey::acknowledged_by(ack, &Control::EMPTY);
        let in_group: Vec<usize> = (0..self.claims.len())
            .filter(|&i| {
                self.claims[i]
                    .set
                    .as_ref()
                    .is_some_and(|s| s.same_group(&group))
            })
            .collect();
        if in_group.is_empty() {
            let reason = format!(
                "999 of {} for {}: no 837 group with that GS06 from {} to {} was read",
                ack.date.map_or("an unknown date".into(), |d| d.to_string()),
                ack.group,
                group.sender,
                group.receiver
            );
            self.unmatched(source, reason);
            return;
        }
        for set in &ack.sets {
            let key = SetKey::acknowledged_by(ack, &set.control);
            let known = in_group
                .iter()
                .any(|&i| self.claims[i].set.as_ref() == Some(&key));
            if !known {
                let reason = format!("999 AK2 names {key}: no 837 set with that key was read");
                self.unmatched(source, reason);
            }
        }
        let mut by_set: HashMap<&str, Vec<usize>> = HashMap::new();
        for &i in &in_group {
            let control = self.claims[i]
                .set
                .as_ref()
                .map_or("", |s| s.control.as_str());
            by_set.entry(control).or_default().push(i);
        }
        let mut sets: Vec<(&str, Vec<usize>)> = by_set.into_iter().collect();
        sets.sort();
        for (control, members) in sets {
            let control = Control::new(control.as_bytes());
            self.functional_set(ack, &control, members, source);
        }
    }

    /// Applies a 999's verdict on one set to the claims in it.
    fn functional_set(
        &mut self,
        ack: &FunctionalAck,
        control: &Control,
        members: Vec<usize>,
        source: &str,
    ) {
        let Some((outcome, code)) = set_outcome(ack, control) else {
            let reason = format!(
                "999 AK9 {} (partly accepted) has no AK2 for ST02 {control}: that set's verdict is unknown",
                ack.code
            );
            self.unmatched(source, reason);
            return;
        };
        let set = ack.set(control);
        let reason = match set {
            Some(set) => describe_set_response(self.codes, set),
            None => format!(
                "functional group GS06 {} {} (AK901 {code}, no AK2 for ST02 {control})",
                ack.group,
                self.codes.description(AckList::Ack, &code)
            ),
        };
        let named: Vec<&str> = set
            .map(|s| {
                s.errors
                    .iter()
                    .filter_map(|e| e.business_unit.as_ref())
                    .filter(|(context, _)| context.eq_ignore_ascii_case("CLM01"))
                    .map(|(_, reference)| reference.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let mut codes: Vec<Text> = vec![format!("IK5 {code}").into()];
        if let Some(set) = set {
            for error in &set.errors {
                codes.push(format!("IK3 {} {}", error.segment, error.code).into());
                for element in &error.elements {
                    codes.push(format!("IK4 {} {}", element.position, element.code).into());
                }
            }
        }
        let state = match outcome {
            Outcome::Rejected => FrontEndState::RejectedFile,
            _ => FrontEndState::Accepted,
        };
        let base = AckEvidence {
            kind: EvidenceKind::FunctionalAck,
            outcome,
            state: Some(state),
            date: ack.date,
            from: ack.id.sender.clone(),
            by_payer: false,
            codes,
            reason,
            names_this_claim: false,
            names_only_others: false,
            payer_claim_number: Text::default(),
            lines: Vec::new(),
            source: source.into(),
            byte: ack.pos.byte,
        };
        for i in self.latest_per_key(members, ack.date) {
            let mut evidence = base.clone();
            let claim_id = self.claims[i].claim_id.as_str();
            evidence.names_this_claim = named.contains(&claim_id);
            evidence.names_only_others = !named.is_empty() && !evidence.names_this_claim;
            if evidence.names_only_others && outcome == Outcome::Rejected {
                evidence.reason = format!(
                    "{}; the errors name other claims ({}), not {claim_id}: resend it unchanged",
                    evidence.reason,
                    named.join(", ")
                );
            }
            self.evidence[i].push(evidence);
        }
    }

    /// Of several submissions under the same key (an 837 re-sent with the
    /// same control numbers), the one an acknowledgment dated `date`
    /// answers: the latest submitted on or before it, else the earliest.
    fn latest_per_key(&mut self, hits: Vec<usize>, date: Option<jiff::civil::Date>) -> Vec<usize> {
        let mut by_key: HashMap<SubmissionKey, Vec<usize>> = HashMap::new();
        for i in hits {
            by_key.entry(self.claims[i].key()).or_default().push(i);
        }
        let mut chosen = Vec::new();
        let mut keys: Vec<_> = by_key.into_iter().collect();
        keys.sort();
        for (key, mut same) in keys {
            if same.len() > 1 {
                same.sort_by_key(|&i| self.claims[i].submitted);
                let before: Vec<usize> = same
                    .iter()
                    .copied()
                    .filter(|&i| {
                        date.is_none_or(|d| self.claims[i].submitted.is_none_or(|s| s <= d))
                    })
                    .collect();
                let pick = before.last().copied().unwrap_or(same[0]);
                self.notes.push(format!(
                    "{} submissions share {} / CLM01 {}: tied to the one from {}",
                    same.len(),
                    key.set,
                    key.claim_id,
                    self.claims[pick].source
                ));
                chosen.push(pick);
            } else {
                chosen.push(same[0]);
            }
        }
        chosen
    }

    fn claim(&mut self, status: &ClaimStatus, source: &str) {
        let Some(i) = self.find_claim(status, source) else {
            return;
        };
        let outcome = claim_outcome(self.codes, &status.statuses);
        let Some(outcome) = outcome else {
            let reason = format!(
                "{} for claim {}: no status category the code list knows; state unchanged",
                status.kind.label(),
                status.claim_id()
            );
            self.unmatched(source, reason);
            return;
        };
        let evidence = self.status_evidence(status, outcome, source, i);
        self.evidence[i].push(evidence);
    }

    fn status_evidence(
        &mut self,
        status: &ClaimStatus,
        outcome: Outcome,
        source: &str,
        claim: usize,
    ) -> AckEvidence {
        let lines = self.line_verdicts(status, claim, source);
        let codes = status
            .statuses
            .iter()
            .flat_map(|s| &s.codes)
            .map(|c| {
                let mut code = format!("{}:{}", c.category, c.status);
                if !c.entity.is_empty() {
                    code.push(':');
                    code.push_str(&c.entity);
                }
                Text::from(code)
            })
            .collect();
        AckEvidence {
            kind: match status.kind {
                StatusReportKind::StatusResponse => EvidenceKind::StatusResponse,
                _ => EvidenceKind::ClaimAck,
            },
            outcome,
            state: state_of(outcome),
            date: status.status_date(),
            from: if status.source.name.is_empty() {
                status.id.sender.clone()
            } else {
                status.source.name.clone()
            },
            by_payer: status.source.entity == "PR",
            codes,
            reason: describe_statuses(self.codes, &status.statuses),
            names_this_claim: true,
            names_only_others: false,
            payer_claim_number: status.payer_claim_number.clone(),
            lines,
            source: source.into(),
            byte: status.pos.byte,
        }
    }

    fn line_verdicts(
        &mut self,
        status: &ClaimStatus,
        claim: usize,
        source: &str,
    ) -> Vec<LineVerdict> {
        let mut verdicts = Vec::new();
        for line in &status.lines {
            let known = self.claims[claim]
                .line_controls
                .iter()
                .any(|c| !c.is_empty() && *c == line.control_number);
            if !known {
                let reason = format!(
                    "{} line {} of claim {}: REF*FJ {:?} matches no REF*6R of the claim",
                    status.kind.label(),
                    line.procedure.code,
                    status.claim_id(),
                    line.control_number.as_str()
                );
                self.unmatched(source, reason);
            }
            verdicts.push(LineVerdict {
                control_number: line.control_number.clone(),
                outcome: claim_outcome(self.codes, &line.statuses),
                reason: describe_statuses(self.codes, &line.statuses),
            });
        }
        verdicts
    }

    /// The submission a claim status answers (see the module comment).
    fn find_claim(&mut self, status: &ClaimStatus, source: &str) -> Option<usize> {
        let claim_id = status.claim_id();
        let mut candidates = self.by_claim_id.get(claim_id).cloned().unwrap_or_default();
        if candidates.is_empty() && claim_id.len() == 20 {
            // Some receivers keep only 20 characters of CLM01 (UNVERIFIED).
            candidates = (0..self.claims.len())
                .filter(|&i| self.claims[i].claim_id.starts_with(claim_id))
                .collect();
        }
        let npi = status.provider_npi();
        candidates.retain(|&i| npi.is_none_or(|n| self.claims[i].billing_npi == n));
        let date = status.status_date();
        candidates.retain(|&i| {
            let submitted = self.claims[i].submitted;
            date.is_none_or(|d| submitted.is_none_or(|s| s <= d))
        });
        if candidates.is_empty() {
            let reason = format!(
                "{} for claim {}: no claim with that CLM01{} submitted on or before {} was read",
                status.kind.label(),
                claim_id,
                npi.map_or(String::new(), |n| format!(" and billing NPI {n}")),
                date.map_or("its date".into(), |d| d.to_string())
            );
            self.unmatched(source, reason);
            return None;
        }
        let scored: Vec<(i32, usize)> = candidates
            .iter()
            .map(|&i| (score(&self.claims[i], status), i))
            .collect();
        let best = scored.iter().map(|s| s.0).max().unwrap_or(0);
        let mut top: Vec<usize> = scored.iter().filter(|s| s.0 == best).map(|s| s.1).collect();
        top.sort_by_key(|&i| self.claims[i].submitted);
        let pick = *top.last().expect("not empty");
        if top.len() > 1 {
            self.notes.push(format!(
                "{} for claim {} fits {} submissions equally: tied to the latest, from {}",
                status.kind.label(),
                claim_id,
                top.len(),
                self.claims[pick].source
            ));
        }
        Some(pick)
    }

    fn provider(&mut self, status: &ClaimStatus, source: &str) {
        let Some(outcome) = claim_outcome(self.codes, &status.statuses) else {
            return;
        };
        // Only a rejection at provider level says something about claims
        // the report does not list; an acceptance there is a summary.
        if !matches!(outcome, Outcome::Rejected | Outcome::NotFound) {
            return;
        }
        let npi = status.provider_npi();
        let covered: Vec<usize> = (0..self.claims.len())
            .filter(|&i| {
                let claim = &self.claims[i];
                !status.batch_reference.is_empty()
                    && claim.batch_reference == status.batch_reference
                    && npi.is_some_and(|n| claim.billing_npi == n)
                    && !self.evidence[i]
                        .iter()
                        .any(|e| e.source == source && !e.kind.is_file_level())
            })
            .collect();
        if covered.is_empty() {
            let reason = format!(
                "{} provider-level rejection for batch {}: no claim of that batch and provider is left without its own status",
                status.kind.label(),
                status.batch_reference
            );
            self.unmatched(source, reason);
            return;
        }
        for i in covered {
            let mut evidence = self.status_evidence(status, outcome, source, i);
            evidence.reason = format!("rejected at provider level: {}", evidence.reason);
            self.evidence[i].push(evidence);
        }
    }
}

/// The state a 277 outcome puts a claim in.
fn state_of(outcome: Outcome) -> Option<FrontEndState> {
    match outcome {
        Outcome::Rejected => Some(FrontEndState::Rejected),
        Outcome::NotFound => Some(FrontEndState::NotFound),
        Outcome::Forwarded | Outcome::Received | Outcome::Accepted | Outcome::Partial => {
            Some(FrontEndState::Accepted)
        }
        Outcome::Pending | Outcome::InformationRequested => Some(FrontEndState::Pending),
        Outcome::Finalized => Some(FrontEndState::Finalized),
        Outcome::RequestError => None,
    }
}

/// How well a claim status fits a submission: the batch number is the
/// strongest evidence, then the member, the charge and the dates.
fn score(claim: &SubmittedClaim, status: &ClaimStatus) -> i32 {
    let mut score = 0;
    if !status.batch_reference.is_empty() && status.batch_reference == claim.batch_reference {
        score += 4;
    }
    if !status.member_id.is_empty() && status.member_id == claim.member_id {
        score += 2;
    }
    if status.source.entity == "PR" && status.source.id == claim.payer_id {
        score += 1;
    }
    let charge = status
        .statuses
        .iter()
        .find_map(|s| s.charge)
        .or(status.charge);
    if charge == Some(claim.charge) {
        score += 1;
    }
    let overlaps = match (status.service_from, claim.service_from) {
        (Some(from), Some(claim_from)) => {
            let to = status.service_to.unwrap_or(from);
            let claim_to = claim.service_to.unwrap_or(claim_from);
            from <= claim_to && claim_from <= to
        }
        _ => false,
    };
    if overlaps {
        score += 1;
    }
    score
}
