//! Where each worklist item stands once appeals are recorded and later
//! remittances are known: open (nothing filed), filed (waiting), no answer
//! (to escalate), or resolved — won, partly won, lost.
//!
//! **Which appeal is about an item.** An outcome names a claim (CLM01) and,
//! optionally, the payer (name or id), the date of service, the procedure
//! and its modifiers; an outcome without a procedure covers every item of
//! the claim, as the claim's one letter does. Of the outcomes that cover an
//! item, the one filed last decides (a second-level appeal supersedes the
//! first); on the same day a line's own outcome beats its claim's.
//!
//! **A later payment wins an appeal by itself.** Money the payer pays on
//! the item's line (same payer, claim, date of service, procedure and
//! modifier set) on a remittance dated after the item's own remittance and
//! on or after the day the appeal was filed counts as recovered: once the
//! sum reaches the amount at stake the item is won, before that it is
//! partly won. A reversal in between counts against it. Money is evidence:
//! a recorded "lost" or "no answer" that is followed by payment becomes
//! partial or won, and the recovered amount is the larger of what was
//! recorded and what was paid. Only appealed items are marked this way; an
//! unappealed item that is paid later simply leaves the worklist, which
//! already follows the last remittance of each line.

use std::cmp::Ordering;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::model::{AppealOutcome, ItemKey, Outcome};

/// A worklist item, as much of it as tracking needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenItem {
    /// The line: payer name, claim, date of service, procedure, modifiers.
    pub key: ItemKey,
    /// The payer's id (an outcome or payment may name the payer by id).
    pub payer_id: String,
    /// The remittance that left the item open (BPR16).
    pub remittance_date: Option<Date>,
    /// What an appeal can win back.
    pub at_stake: Decimal,
}

/// Money paid on a line by a remittance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinePayment {
    /// The line (payer name, claim, date of service, procedure, modifiers).
    pub key: ItemKey,
    /// The payer's id.
    pub payer_id: String,
    /// BPR16.
    pub date: Option<Date>,
    /// TRN02.
    pub trace: String,
    /// SVC03 (negative for a reversal).
    pub paid: Decimal,
}

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Nothing filed.
    Open,
    /// Filed, waiting for the payer.
    Filed,
    /// The payer did not answer: escalate.
    NoAnswer,
    /// Upheld.
    Lost,
    /// Partly overturned (or partly paid after the appeal).
    Partial,
    /// Overturned (or paid in full after the appeal).
    Won,
}

impl ItemState {
    /// The name in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Filed => "filed",
            ItemState::NoAnswer => "no_answer",
            ItemState::Lost => "lost",
            ItemState::Partial => "partial",
            ItemState::Won => "won",
        }
    }

    /// True while the item belongs on the worklist: open, filed and
    /// waiting, or unanswered. Won, partial and lost are resolved.
    pub fn on_worklist(self) -> bool {
        matches!(
            self,
            ItemState::Open | ItemState::Filed | ItemState::NoAnswer
        )
    }

    /// True once an appeal was filed.
    pub fn appealed(self) -> bool {
        self != ItemState::Open
    }

    /// True once the payer decided (or paid).
    pub fn decided(self) -> bool {
        matches!(self, ItemState::Lost | ItemState::Partial | ItemState::Won)
    }

    /// True when the appeal won something back.
    pub fn overturned(self) -> bool {
        matches!(self, ItemState::Partial | ItemState::Won)
    }

    fn rank(self) -> u8 {
        match self {
            ItemState::Open => 0,
            ItemState::Filed => 1,
            ItemState::NoAnswer => 2,
            ItemState::Lost => 3,
            ItemState::Partial => 4,
            ItemState::Won => 5,
        }
    }
}

/// Where one item stands, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracked {
    /// The state.
    pub state: ItemState,
    /// When the deciding appeal was filed.
    pub filed: Option<Date>,
    /// When it was decided (the recorded date, or the payment's).
    pub decided: Option<Date>,
    /// What was recovered.
    pub recovered: Decimal,
    /// at stake − recovered, never negative.
    pub remaining: Decimal,
    /// True when a later payment, not a recorded outcome, decided the state.
    pub automatic: bool,
    /// Why, with the evidence (dates, amounts, traces, the outcome's file
    /// and line); no PHI.
    pub reason: String,
}

/// True when `outcome` covers `item`.
pub fn covers(outcome: &AppealOutcome, item: &OpenItem) -> bool {
    let o = &outcome.key;
    let k = &item.key;
    o.claim_id.trim() == k.claim_id.trim()
        && payer_matches(&o.payer, item)
        && o.service_date.is_none_or(|d| Some(d) == k.service_date)
        && (o.procedure.is_empty() || o.procedure.eq_ignore_ascii_case(&k.procedure))
        && (o.modifiers.is_empty() || same_modifiers(&o.modifiers, &k.modifiers))
}

fn payer_matches(payer: &str, item: &OpenItem) -> bool {
    let payer = payer.trim();
    payer.is_empty()
        || payer.eq_ignore_ascii_case(item.key.payer.trim())
        || payer.eq_ignore_ascii_case(item.payer_id.trim())
}

fn same_modifiers(a: &[String], b: &[String]) -> bool {
    let norm = |m: &[String]| {
        let mut v: Vec<String> = m
            .iter()
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
            .collect();
        v.sort();
        v
    };
    norm(a) == norm(b)
}

/// True when `payment` was made on `item`'s line.
fn pays(payment: &LinePayment, item: &OpenItem) -> bool {
    let (p, k) = (&payment.key, &item.key);
    p.claim_id.trim() == k.claim_id.trim()
        && (payer_matches(&p.payer, item) || payer_matches(&payment.payer_id, item))
        && p.service_date == k.service_date
        && p.procedure.eq_ignore_ascii_case(&k.procedure)
        && same_modifiers(&p.modifiers, &k.modifiers)
}

/// The outcome that decides an item: filed last; on the same day, a
/// line's own outcome before its claim's.
fn deciding<'o>(item: &OpenItem, outcomes: &'o [AppealOutcome]) -> Option<&'o AppealOutcome> {
    outcomes
        .iter()
        .filter(|o| covers(o, item))
        .max_by(|a, b| match a.filed.cmp(&b.filed) {
            Ordering::Equal => (!a.key.procedure.is_empty()).cmp(&!b.key.procedure.is_empty()),
            other => other,
        })
}

fn recorded_state(outcome: Outcome) -> ItemState {
    match outcome {
        Outcome::Pending => ItemState::Filed,
        Outcome::NoAnswer => ItemState::NoAnswer,
        Outcome::Lost => ItemState::Lost,
        Outcome::Partial => ItemState::Partial,
        Outcome::Won => ItemState::Won,
    }
}

/// Where each of `items` stands, in their order.
pub fn track(
    items: &[OpenItem],
    outcomes: &[AppealOutcome],
    payments: &[LinePayment],
) -> Vec<Tracked> {
    items
        .iter()
        .map(|item| track_one(item, outcomes, payments))
        .collect()
}

fn track_one(item: &OpenItem, outcomes: &[AppealOutcome], payments: &[LinePayment]) -> Tracked {
    let Some(outcome) = deciding(item, outcomes) else {
        return Tracked {
            state: ItemState::Open,
            filed: None,
            decided: None,
            recovered: Decimal::ZERO,
            remaining: item.at_stake,
            automatic: false,
            reason: "no appeal recorded".into(),
        };
    };
    let recorded = recorded_state(outcome.outcome);
    // Won without an amount: overturned in full.
    let recorded_recovered = if outcome.outcome == Outcome::Won && outcome.recovered.is_zero() {
        item.at_stake
    } else {
        outcome.recovered
    };
    let mut reason = format!(
        "appeal filed {} ({}): {}",
        outcome.filed, outcome.source, outcome.outcome
    );
    if outcome.outcome.is_decided() {
        reason.push_str(&format!(", {recorded_recovered:.2} recovered"));
    }
    let later: Vec<&LinePayment> = payments
        .iter()
        .filter(|p| pays(p, item))
        .filter(|p| {
            p.date
                .is_some_and(|d| d >= outcome.filed && item.remittance_date.is_none_or(|r| d > r))
        })
        .collect();
    let paid: Decimal = later.iter().map(|p| p.paid).sum();
    let mut tracked = Tracked {
        state: recorded,
        filed: Some(outcome.filed),
        decided: outcome.decided,
        recovered: recorded_recovered,
        remaining: Decimal::ZERO,
        automatic: false,
        reason,
    };
    if paid > Decimal::ZERO {
        let auto = if paid >= item.at_stake {
            ItemState::Won
        } else {
            ItemState::Partial
        };
        let last = later.iter().filter_map(|p| p.date).max();
        let traces: Vec<&str> = later.iter().map(|p| p.trace.as_str()).collect();
        tracked.reason.push_str(&format!(
            "; {paid:.2} paid on the line after the appeal (last {}, trace {})",
            last.map(|d| d.to_string()).unwrap_or_default(),
            traces.join(", ")
        ));
        if auto.rank() > recorded.rank() {
            tracked.state = auto;
            tracked.automatic = true;
            tracked.decided = last;
            tracked
                .reason
                .push_str(&format!(": {} automatically", auto.as_str()));
        }
        tracked.recovered = tracked.recovered.max(paid);
    }
    tracked.remaining = (item.at_stake - tracked.recovered).max(Decimal::ZERO);
    tracked
}
