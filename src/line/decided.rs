//! A decided line: one service-line event with what was decided about it —
//! the [`Decision`] itself, not a copy of its fields — and what the engine
//! adds around it (the billed line it answers, its age when unanswered,
//! interest, its key, the version that superseded it). One ledger row.

use super::decision::Decision;
use super::event::LineEvent;
use super::interest::LineInterest;
use super::key::LineKey;
use super::status::Status;
use crate::text::Text;

/// One decided line: an event and what was decided about it.
///
/// The store keeps these as JSON; the decision is written flat, under the
/// names the ledger row had before it was a type of its own, so older
/// stores still read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DecidedLine {
    /// The service-line event.
    pub event: LineEvent,
    /// Final status: the event's, as the code list in use read it.
    pub status: Status,
    /// What was decided.
    #[serde(flatten)]
    pub decision: Decision,
    /// The matched 837 line, `FILE#CLM01/LX`.
    pub matched_claim_line: String,
    /// Days from service date to the as-of date (NO_REMITTANCE rows).
    pub age_days: Option<i64>,
    /// Why the verdict and each flag (the decision's notes), then the
    /// row's adjustments and remarks in plain words.
    pub reason: String,
    /// For a PLB recovery that took money from a claim's lines: that
    /// claim's CLP01 (not a ledger column), so that a later denial of the
    /// same claim is known to restate the take-back.
    #[serde(default)]
    pub recovered_claim: Text,
    /// Prompt-pay interest on a paid line (with `--prompt-pay`).
    #[serde(default)]
    pub interest: Option<LineInterest>,
    /// The line's identity in the history (not a ledger column).
    #[serde(default)]
    pub key: Option<LineKey>,
    /// Set on a row of an earlier version of a remittance that a later
    /// version of the same payment (same payer and TRN02) replaced: names
    /// that version. Such a row is shown, never counted.
    #[serde(default)]
    pub superseded_by: Option<Text>,
    /// On a PLB row: the claim its reference (PLB03-2) names, when remit
    /// knows that claim (see [`NamedClaim`]). Boxed, as most rows have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plb_claim: Option<Box<NamedClaim>>,
    /// NO_REMITTANCE rows: the claim's front-end state and filing deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing: Option<super::ClaimStanding>,
}

/// The claim a PLB reference names (a CLP01 or payer claim number seen
/// before, or a billed claim's CLM01): what the ledger shows in the PLB
/// row's `claim_id`, `member_id` and `procedure`. Each part is empty when
/// it is ambiguous — the reference names lines of several claims, members
/// or procedures — so that no row claims more than remit knows.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NamedClaim {
    /// The claim's CLP01 (CLM01).
    pub claim_id: Text,
    /// Its member id.
    pub member_id: Text,
    /// Its procedure, when all its lines have one.
    pub procedure: Text,
}

impl NamedClaim {
    /// The claim that lines `(claim, member, procedure)` share: each part
    /// kept only when every line agrees on it (empty procedures, of
    /// claim-level rows, do not count); None when there are no lines or no
    /// single claim.
    pub fn shared<'a>(
        lines: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Option<Self> {
        fn one(values: &mut Vec<&str>) -> Text {
            values.sort_unstable();
            values.dedup();
            match values.as_slice() {
                [only] => (*only).into(),
                _ => Text::default(),
            }
        }
        let (mut claims, mut members, mut procedures) = (Vec::new(), Vec::new(), Vec::new());
        for (claim, member, procedure) in lines {
            claims.push(claim);
            members.push(member);
            if !procedure.is_empty() {
                procedures.push(procedure);
            }
        }
        let claim_id = one(&mut claims);
        (!claim_id.is_empty()).then(|| NamedClaim {
            claim_id,
            member_id: one(&mut members),
            procedure: one(&mut procedures),
        })
    }
}

impl DecidedLine {
    /// The line of `event` with `decision`; the decision's notes open its
    /// `reason`, followed by `words` (the adjustments and remarks in words).
    pub fn new(event: LineEvent, mut decision: Decision, words: String) -> Self {
        let reason = reason_with_notes(&std::mem::take(&mut decision.notes), words);
        DecidedLine {
            status: event.status,
            event,
            decision,
            matched_claim_line: String::new(),
            age_days: None,
            reason,
            recovered_claim: Text::default(),
            interest: None,
            key: None,
            superseded_by: None,
            plb_claim: None,
            standing: None,
        }
    }

    /// A line carrying just the event's own status and no decision (as
    /// `remit lines` shows an event, or a billed line no remittance
    /// answered).
    pub fn from_event(event: LineEvent) -> Self {
        DecidedLine::new(event, Decision::default(), String::new())
    }

    /// The claim id, member id and procedure the row is about: the
    /// event's, except on a PLB row, whose event holds the PLB reference
    /// as its claim id — there those of the claim the reference names
    /// ([`DecidedLine::plb_claim`]), empty when it names none.
    // Inlined: the ledger's writer reads one part at a time, and inlined
    // it converts only that part.
    #[inline]
    pub fn shown_claim(&self) -> (&str, &str, &str) {
        let e = &self.event;
        if e.kind != super::event::EventKind::ProviderAdjustment {
            return (&e.claim_id, &e.member_id, &e.procedure);
        }
        self.plb_claim
            .as_deref()
            .map_or(("", "", ""), |c| (&c.claim_id, &c.member_id, &c.procedure))
    }

    /// True when the row belongs to a superseded version of a remittance:
    /// shown for what changed, not counted in any total or worklist.
    pub fn is_superseded(&self) -> bool {
        self.superseded_by.is_some()
    }
}

/// The `reason` of a row: the decision's notes (why the verdict and each
/// flag, with the evidence), then the adjustments and remarks in words.
pub fn reason_with_notes(notes: &[String], words: String) -> String {
    let mut out = String::new();
    for note in notes.iter().filter(|n| !n.is_empty()) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        let mut chars = note.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if !words.is_empty() {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&words);
    }
    out
}

#[cfg(test)]
mod tests {

    use rust_decimal::Decimal;
    use serde_json::json;

    use super::*;
    use crate::line::Flag;

    fn event() -> LineEvent {
        LineEvent {
            member_id: "M1".into(),
            procedure: "98940".into(),
            billed: Decimal::new(85, 0),
            allowed: Decimal::ZERO,
            paid: Decimal::ZERO,
            status: Status::Denied,
            ..LineEvent::sample()
        }
    }

    /// The store keeps rows as JSON: a row written when the ledger row
    /// copied the decision's fields (before `at_stake`, `denied` and the
    /// fields after it existed) reads into a decided line.
    #[test]
    fn a_row_stored_before_the_decision_had_a_type_still_reads() {
        let old = json!({
            "event": serde_json::to_value(event()).unwrap(),
            "status": "DENIED",
            "flags": "PREVIOUSLY_PAID_REPORTED_DENIED",
            "prior_paid": "35.00",
            "prior_payment_date": "2024-02-07",
            "prior_trace": "T1",
            "expected": null,
            "variance": null,
            "net_paid": "35.00",
            "appeal_by": "2025-09-16",
            "matched_claim_line": "a.837#C1/1",
            "age_days": null,
            "reason": "Denied",
        });
        let line: DecidedLine = serde_json::from_value(old).unwrap();
        let d = &line.decision;
        assert!(d.flags.contains(Flag::PreviouslyPaidReportedDenied));
        assert_eq!(d.prior_paid, Some(Decimal::new(3500, 2)));
        assert_eq!(d.prior_trace, "T1");
        assert_eq!(d.appeal_by, Some(jiff::civil::date(2025, 9, 16)));
        // Not assessed then: no amount at stake rather than a zero.
        assert_eq!((d.at_stake, d.denied), (None, Decimal::ZERO));
        assert_eq!(line.matched_claim_line, "a.837#C1/1");
    }

    /// What is written now has the same flat names (the decision is not a
    /// nested object), so an older remit still reads a newer row.
    #[test]
    fn a_decided_line_is_written_flat_under_the_row_names() {
        let mut decision = Decision {
            at_stake: Some(Decimal::new(85, 0)),
            notes: vec!["denied".to_string()],
            ..Decision::default()
        };
        decision.flags.insert(Flag::InconsistentDenial);
        let line = DecidedLine::new(event(), decision, "words".to_string());
        assert_eq!(line.reason, "Denied; words", "the notes open the reason");
        assert!(line.decision.notes.is_empty(), "and are not kept twice");
        let written = serde_json::to_value(&line).unwrap();
        let mut names: Vec<&str> = written
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "age_days",
                "appeal_by",
                "at_stake",
                "denied",
                "event",
                "expected",
                "expected_basis",
                "flags",
                "interest",
                "key",
                "matched_claim_line",
                "net_paid",
                "prior_paid",
                "prior_payment_date",
                "prior_trace",
                "reason",
                "recovered_claim",
                "status",
                "superseded_by",
                "variance",
            ]
        );
        assert_eq!(written["flags"], "INCONSISTENT_DENIAL");
        assert_eq!(written["at_stake"], "85");
        let back: DecidedLine = serde_json::from_value(written).unwrap();
        assert_eq!(back, line);
    }

    /// A PLB reference names a claim only when its lines agree on it; the
    /// member and procedure only when they agree on those too.
    #[test]
    fn a_named_claim_keeps_only_what_its_lines_agree_on() {
        let one = NamedClaim::shared([("C1", "M1", "98940"), ("C1", "M1", "")]).unwrap();
        assert_eq!(
            (
                one.claim_id.as_str(),
                one.member_id.as_str(),
                one.procedure.as_str()
            ),
            ("C1", "M1", "98940"),
            "a claim-level row's empty procedure does not count"
        );
        let two = NamedClaim::shared([("C1", "M1", "98940"), ("C1", "M1", "97140")]).unwrap();
        assert_eq!(two.procedure, "", "two procedures: none named");
        assert_eq!(
            NamedClaim::shared([("C1", "M1", "98940"), ("C2", "M2", "98940")]),
            None,
            "two claims: none named"
        );
        assert_eq!(NamedClaim::shared([]), None);
    }
}
