//! One payment, one trace. A payer (payer key: N1*PR N104, else TRN03,
//! else its name) numbers each payment with TRN02, so two 835 transactions
//! of one payer with the same TRN02 concern one payment. They are:
//!
//! - **a re-delivery** when their content is the same (the same events,
//!   BPR02 and BPR16, whatever the envelope, file or delimiters): skipped;
//! - **versions of its remittance** when they share a claim (CLP01): the
//!   payer re-sent or corrected it. The later produced version is the
//!   remittance ([`produced_cmp`]); an earlier one is *superseded*: its money
//!   leaves the line histories (the payment is counted once), its changed
//!   and dropped lines are shown beside the new ones, marked and never
//!   counted, and the new version's changed lines carry
//!   `CORRECTED_REMITTANCE` with the difference;
//! - **parts of one payment** when they share no claim: some payers split
//!   one EFT into several transactions, each with its own BPR02, and one
//!   deposit pays their sum. Both count.
//!
//! Pure: the store says what it holds, this module says what it means.

use crate::hashing::{HashMap, HashSet};
use std::cmp::Ordering;
use std::sync::Arc;

use crate::line::{
    DecidedLine, Decision, EventKind, Flag, Flags, LineEvent, OrderKey, RemittanceContext,
    RemittanceTransaction, adjustments_text, modifier_set,
};
use crate::money::money;
use crate::text::Text;

/// A store's handle on a stored 835 transaction.
pub type TransactionRef = u64;

/// Another stored 835 transaction with the same payer and trace (TRN02):
/// a part of the same payment, or a version of its remittance (see
/// this module).
#[derive(Clone, Debug)]
pub struct StoredVersion {
    /// The store's handle.
    pub id: TransactionRef,
    /// Its context.
    pub context: Arc<RemittanceContext>,
    /// Its place in payment order.
    pub order: OrderKey,
    /// True when a later version replaced it.
    pub superseded: bool,
    /// True when its events count in the line histories: it was decided
    /// and no later version has taken it out yet.
    pub applied: bool,
    /// Its rows: as decided when it was applied, else its events with no
    /// decision (empty `reason`).
    pub rows: Vec<DecidedLine>,
}

/// Where a new transaction stands among the stored ones with its payer
/// and trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A payment of its own, or a part of a split payment (no shared claim).
    Own,
    /// The same content as this stored transaction: a re-delivery.
    Redelivery(TransactionRef),
    /// The newest version of its remittance: it replaces these current
    /// versions.
    Replaces(Vec<TransactionRef>),
    /// An earlier version than this current one, which stays the
    /// remittance.
    OlderThan(TransactionRef),
}

/// Places `tx` among `others` (the stored transactions with its payer key
/// and trace).
pub fn place(tx: &RemittanceTransaction, others: &[StoredVersion]) -> Placement {
    if tx.context.trace.is_empty() || others.is_empty() {
        return Placement::Own;
    }
    let family = family(claim_ids(tx.events.iter()), others);
    if family.is_empty() {
        return Placement::Own;
    }
    // A re-delivery first: the same content under another envelope is the
    // same remittance, and no version rule may let it count twice.
    let events: Vec<&LineEvent> = tx.events.iter().collect();
    if let Some(same) = family
        .iter()
        .find(|&&i| same_content(&tx.context, &events, &others[i]))
    {
        return Placement::Redelivery(others[*same].id);
    }
    let order = tx.order_key();
    let current: Vec<&StoredVersion> = family
        .iter()
        .map(|&i| &others[i])
        .filter(|v| !v.superseded)
        .collect();
    let newest = current
        .iter()
        .max_by(|a, b| produced_cmp(&a.context, &a.order, &b.context, &b.order));
    // Only the newest current version decides: the others are already
    // superseded by it, and an earlier-produced arrival must not displace
    // it, whatever order the files come in.
    match newest {
        None => Placement::Own,
        Some(n) if produced_cmp(&tx.context, &order, &n.context, &n.order) == Ordering::Less => {
            Placement::OlderThan(n.id)
        }
        Some(_) => Placement::Replaces(current.iter().map(|v| v.id).collect()),
    }
}

/// The stored transactions connected to `claims` by shared claim ids
/// (directly or through another of them), as indexes into `others`.
fn family(mut claims: HashSet<Text>, others: &[StoredVersion]) -> Vec<usize> {
    let theirs: Vec<HashSet<Text>> = others
        .iter()
        .map(|v| claim_ids(v.rows.iter().map(|r| &r.event)))
        .collect();
    let mut member = vec![false; others.len()];
    // A transaction may join two families (a corrected remittance covering
    // two split parts), so grow until nothing more joins.
    loop {
        let mut grew = false;
        for (i, ids) in theirs.iter().enumerate() {
            if !member[i] && !ids.is_disjoint(&claims) {
                member[i] = true;
                claims.extend(ids.iter().cloned());
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    (0..others.len()).filter(|&i| member[i]).collect()
}

/// The CLP01s of claim payments among `events` (PLB references left out:
/// they are not claims).
fn claim_ids<'e>(events: impl Iterator<Item = &'e LineEvent>) -> HashSet<Text> {
    events
        .filter(|e| e.kind != EventKind::ProviderAdjustment && !e.claim_id.is_empty())
        .map(|e| e.claim_id.clone())
        .collect()
}

/// True when `v` says the same as `events` under `context`: the same
/// payment (BPR02, BPR04, BPR16) and the same events in the same order.
fn same_content(context: &RemittanceContext, events: &[&LineEvent], v: &StoredVersion) -> bool {
    let c = &v.context;
    if c.payment_amount != context.payment_amount
        || c.payment_method != context.payment_method
        || c.payment_date != context.payment_date
        || v.rows.len() != events.len()
    {
        return false;
    }
    let mut theirs: Vec<&LineEvent> = v.rows.iter().map(|r| &r.event).collect();
    theirs.sort_by_key(|e| e.sequence);
    let blank = Arc::new(RemittanceContext::default());
    let strip = |e: &LineEvent| LineEvent {
        context: Arc::clone(&blank),
        ..e.clone()
    };
    events.iter().zip(theirs).all(|(a, b)| strip(a) == strip(b))
}

/// Which of two versions of one remittance was produced later: DTM*405
/// production date, then the GS04/GS05 date and time, then ISA09/ISA10,
/// each only when both versions give it; then payment order (BPR16, ISA13,
/// ST02 … and, last, the content hash, so the answer never depends on the
/// order files were given in).
pub fn produced_cmp(
    a: &RemittanceContext,
    a_order: &OrderKey,
    b: &RemittanceContext,
    b_order: &OrderKey,
) -> Ordering {
    dated_cmp(a, b).then_with(|| a_order.cmp(b_order))
}

/// The comparison of two versions by their dates alone (`Equal` when no
/// date tells them apart).
pub fn dated_cmp(a: &RemittanceContext, b: &RemittanceContext) -> Ordering {
    both(a.production_date, b.production_date)
        .then_with(|| both(group_stamp(&a.group_date), group_stamp(&b.group_date)))
        .then_with(|| {
            both(
                interchange_stamp(&a.interchange_date),
                interchange_stamp(&b.interchange_date),
            )
        })
}

fn both<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => Ordering::Equal,
    }
}

/// GS04 + GS05 (`CCYYMMDD` + `HHMM[SS[D[D]]]`) as `CCYYMMDDHHMMSS`.
fn group_stamp(text: &str) -> Option<String> {
    digits_stamp(text, 12, String::new())
}

/// ISA09 + ISA10 (`YYMMDD` + `HHMM`) as `CCYYMMDDHHMMSS`; years before 50
/// are read as 20YY.
fn interchange_stamp(text: &str) -> Option<String> {
    let century = if text.get(..2)? < "50" { "20" } else { "19" };
    digits_stamp(text, 10, century.to_string())
}

fn digits_stamp(text: &str, at_least: usize, mut stamp: String) -> Option<String> {
    if text.len() < at_least || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stamp.push_str(text);
    stamp.truncate(14);
    while stamp.len() < 14 {
        stamp.push('0');
    }
    Some(stamp)
}

/// How a version is named in `reason` and `superseded_by`: file, ST02,
/// ISA13 and the date it was produced (DTM*405, else GS04, else BPR16).
pub fn label(c: &RemittanceContext) -> String {
    let produced = c
        .production_date
        .map(|d| d.to_string())
        .or_else(|| {
            group_stamp(&c.group_date).map(|s| format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..8]))
        })
        .or_else(|| c.payment_date.map(|d| d.to_string()));
    let mut text = format!(
        "{} ST02 {} ISA13 {}",
        c.source, c.transaction, c.interchange
    );
    if let Some(date) = produced {
        text.push_str(" of ");
        text.push_str(&date);
    }
    text
}

/// What identifies an event across versions of one remittance (payer and
/// payee left out: the versions share the payer, and a correction may fix
/// the payee).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Identity {
    kind: EventKind,
    claim_id: Text,
    member_id: Text,
    service_date: Option<jiff::civil::Date>,
    procedure: Text,
    modifiers: Text,
    plb_reason: Text,
}

fn identity(e: &LineEvent) -> Identity {
    Identity {
        kind: e.kind,
        claim_id: e.claim_id.clone(),
        member_id: e.member_id.clone(),
        service_date: e.service_date,
        procedure: e.procedure.clone(),
        modifiers: modifier_set(&e.modifiers),
        plb_reason: match e.kind {
            EventKind::ProviderAdjustment => e
                .adjustments
                .first()
                .map(|a| a.reason.clone())
                .unwrap_or_default(),
            _ => Text::default(),
        },
    }
}

/// For each of `now`, the event of `then` that is the same line: the same
/// identity (the n-th of a kind with the n-th); else, within one claim
/// (CLP01 + member), the same REF*6R; else the claim's remaining lines in
/// order (a corrected procedure code). PLB amounts pair by identity only.
pub fn pair(now: &[&LineEvent], then: &[&LineEvent]) -> Vec<Option<usize>> {
    let mut paired: Vec<Option<usize>> = vec![None; now.len()];
    let mut taken = vec![false; then.len()];
    let mut by_identity: HashMap<Identity, Vec<usize>> = HashMap::default();
    for (j, e) in then.iter().enumerate().rev() {
        by_identity.entry(identity(e)).or_default().push(j);
    }
    for (i, e) in now.iter().enumerate() {
        if let Some(j) = by_identity.get_mut(&identity(e)).and_then(Vec::pop) {
            paired[i] = Some(j);
            taken[j] = true;
        }
    }
    let same_claim = |a: &LineEvent, b: &LineEvent| {
        a.kind == EventKind::Line
            && b.kind == EventKind::Line
            && a.claim_id == b.claim_id
            && a.member_id == b.member_id
    };
    let by_control = |a: &LineEvent, b: &LineEvent| {
        same_claim(a, b) && !a.line_control.is_empty() && a.line_control == b.line_control
    };
    for rule in [
        &by_control as &dyn Fn(&LineEvent, &LineEvent) -> bool,
        &same_claim,
    ] {
        for (i, e) in now.iter().enumerate() {
            if paired[i].is_some() {
                continue;
            }
            if let Some(j) = (0..then.len()).find(|&j| !taken[j] && rule(e, then[j])) {
                paired[i] = Some(j);
                taken[j] = true;
            }
        }
    }
    paired
}

/// What changed from `then` to `now` on one line, in words
/// (`paid 40.00 → 35.00`); empty when nothing did.
pub fn differences(now: &LineEvent, then: &LineEvent) -> Vec<String> {
    let mut out = Vec::new();
    let procedure = |e: &LineEvent| {
        let mut text = e.procedure.to_string();
        for m in &e.modifiers {
            text.push(':');
            text.push_str(m);
        }
        text
    };
    let mut text = |what: &str, a: String, b: String| {
        if a != b {
            let shown = |s: String| if s.is_empty() { "none".to_string() } else { s };
            out.push(format!("{what} {} → {}", shown(b), shown(a)));
        }
    };
    text("procedure", procedure(now), procedure(then));
    text("billed", money(now.billed), money(then.billed));
    text("allowed", money(now.allowed), money(then.allowed));
    text("paid", money(now.paid), money(then.paid));
    text("adjustments", adjustments_text(now), adjustments_text(then));
    text("remarks", now.remarks.join(";"), then.remarks.join(";"));
    text(
        "status",
        now.status.as_str().to_string(),
        then.status.as_str().to_string(),
    );
    out
}

/// What applying a version that replaces others needs: the newest of the
/// versions it replaces (the *baseline*) and, for each of its events (by
/// sequence), the baseline's row for the same line.
#[derive(Debug)]
pub struct Correction {
    earlier: String,
    /// Why this version is taken as the later one, when no date says so.
    tie: &'static str,
    baseline: Vec<DecidedLine>,
    pairs: HashMap<u32, usize>,
}

impl Correction {
    /// Pairs the events of `now` with the rows of `baseline`.
    pub fn new(now: &RemittanceTransaction, baseline: &StoredVersion) -> Self {
        let now_events: Vec<&LineEvent> = now.events.iter().collect();
        let then_events: Vec<&LineEvent> = baseline.rows.iter().map(|r| &r.event).collect();
        let pairs = pair(&now_events, &then_events)
            .into_iter()
            .zip(&now.events)
            .filter_map(|(j, e)| j.map(|j| (e.sequence, j)))
            .collect();
        let order = now.order_key();
        let same_envelope = (&order.0, &order.1, &order.2, &order.3)
            == (
                &baseline.order.0,
                &baseline.order.1,
                &baseline.order.2,
                &baseline.order.3,
            );
        let tie = match dated_cmp(&now.context, &baseline.context) {
            Ordering::Equal if same_envelope => {
                " (nothing in the envelopes tells the versions apart: remit takes the same one every run, by content; check which one the payer stands by)"
            }
            Ordering::Equal => {
                " (no date tells the versions apart: the later by BPR16, ISA13 and ST02 is taken as the correction)"
            }
            _ => "",
        };
        Correction {
            earlier: label(&baseline.context),
            tie,
            baseline: baseline.rows.clone(),
            pairs,
        }
    }

    /// Flags a row of the new version when its line changed (saying what
    /// changed) or is not in the baseline. Unchanged lines stay as they are.
    pub fn mark(&self, row: &mut DecidedLine) {
        let earlier = &self.earlier;
        let tie = self.tie;
        let note = match self.pairs.get(&row.event.sequence) {
            Some(&j) => {
                let changed = differences(&row.event, &self.baseline[j].event);
                if changed.is_empty() {
                    return;
                }
                format!(
                    "Corrected remittance: replaces {earlier}{tie}: {}.",
                    changed.join("; ")
                )
            }
            None => format!(
                "Corrected remittance: this line is not in the earlier version {earlier}{tie}."
            ),
        };
        row.decision.flags.insert(Flag::CorrectedRemittance);
        row.reason = prefixed(&note, &row.reason);
    }
}

/// The rows of a replaced version to show beside the version `now` that
/// replaces it: the lines that changed or that `now` no longer lists,
/// marked superseded (never counted). Lines that did not change are not
/// repeated.
pub fn superseded_rows(
    then: &StoredVersion,
    now: &[DecidedLine],
    now_label: &str,
) -> Vec<DecidedLine> {
    let then_events: Vec<&LineEvent> = then.rows.iter().map(|r| &r.event).collect();
    let now_events: Vec<&LineEvent> = now.iter().map(|r| &r.event).collect();
    let pairs = pair(&then_events, &now_events);
    let mut out = Vec::new();
    for (row, paired) in then.rows.iter().zip(pairs) {
        let note = match paired {
            Some(j) => {
                let changed = differences(&now[j].event, &row.event);
                if changed.is_empty() {
                    continue;
                }
                format!(
                    "Superseded by the corrected remittance {now_label}, not counted: {}.",
                    changed.join("; ")
                )
            }
            None => format!(
                "Superseded by the corrected remittance {now_label}, not counted: the corrected remittance no longer lists this line."
            ),
        };
        let mut flags = Flags::default();
        flags.insert(Flag::CorrectedRemittance);
        out.push(as_superseded(row.clone(), now_label, &note, flags));
    }
    out
}

/// `row` as a superseded row: it names the version that replaced it and
/// keeps no decision (it moves no money and opens no appeal).
pub fn as_superseded(row: DecidedLine, by: &str, note: &str, flags: Flags) -> DecidedLine {
    DecidedLine {
        decision: Decision {
            flags,
            prior_paid: None,
            prior_payment_date: None,
            prior_trace: Text::default(),
            net_paid: None,
            appeal_by: None,
            ..row.decision
        },
        interest: None,
        reason: prefixed(note, &row.reason),
        superseded_by: Some(by.into()),
        ..row
    }
}

fn prefixed(note: &str, reason: &str) -> String {
    if reason.is_empty() {
        note.to_string()
    } else {
        format!("{note} {reason}")
    }
}

#[cfg(test)]
mod tests;
