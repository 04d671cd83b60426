//! The matching passes, strongest evidence first:
//!
//! 1. **Reference and amount.** Payments with the same payer and trace form
//!    one group; the deposits carrying the trace (in a CCD+ `TRN` addenda,
//!    else anywhere in their references and text; check numbers compare
//!    without leading zeros) whose amounts sum exactly to the group's BPR02
//!    match it: one payment and one deposit is `MATCHED_TRACE` (ACH) or
//!    `MATCHED_CHECK`, several payments `COMBINED`, several deposits
//!    `SPLIT`.
//! 2. **Offsets by reference.** A deposit carrying a payment's trace whose
//!    amount is that payment plus an earlier negative remittance of the
//!    same payer (negative BPR02, or a BPR02-0 remittance whose PLB FB
//!    carried a balance forward that no later FB took back) is `OFFSET`.
//! 3. **Amount differs.** Deposits carry the trace but do not add up.
//! 4. **Amount and date.** Last resort: an unexplained deposit of the same
//!    amount (or the amount net of an offset) within the window of the
//!    payment date, closest first.
//!
//! One payment, one trace: versions of one remittance (a re-sent or
//! corrected 835, see `reconcile::versions`) are one payment. Only the
//! corrected version's BPR02 is expected; a superseded version is named in
//! the note, and a deposit that pays the superseded amount is
//! `AMOUNT_DIFFERS` with a note saying so.
//!
//! 5. What is left: a payment without a deposit (`REMITTANCE_WITHOUT_DEPOSIT`
//!    once the window has passed as of the as-of date, else
//!    `AWAITING_DEPOSIT`; `AWAITING_OFFSET` for a negative one,
//!    `NO_MONEY_MOVED` when nothing moves), and deposits no remittance
//!    explains.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{DepositMatch, MatchKind, Payment};
use crate::bank::{Deposit, normalise};
use crate::money::money;
use crate::text::Text;

/// How far dates may be apart, and the day the report is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchSettings {
    /// Days between payment and deposit for the amount-and-date match, and
    /// before a payment without a deposit counts as not received.
    pub window_days: i32,
    /// The day of the report.
    pub as_of: Date,
}

/// Matches `payments` to `deposits`: one row per match, payment rows by
/// payment date, then the deposits no remittance explains by date.
pub fn match_deposits(
    payments: Vec<Payment>,
    deposits: Vec<Deposit>,
    settings: &MatchSettings,
) -> Vec<DepositMatch> {
    let mut m = Matcher::new(payments, deposits, *settings);
    m.by_reference();
    m.offsets(true);
    m.amount_differs();
    m.by_amount_and_date();
    m.offsets(false);
    m.leftovers();
    m.finish()
}

/// Payments with the same payer and trace, with their sum, latest date
/// and payer key worked out once.
#[derive(Debug)]
struct Group {
    payments: Vec<Payment>,
    /// Superseded versions of the group's remittance: named, not expected.
    earlier: Vec<Payment>,
    total: Decimal,
    date: Option<Date>,
    payer: Text,
    done: bool,
}

impl Group {
    fn new(first: Payment) -> Self {
        let mut group = Group {
            payer: first.payer_key(),
            total: Decimal::ZERO,
            date: None,
            payments: Vec::new(),
            earlier: Vec::new(),
            done: false,
        };
        group.push(first);
        group
    }

    fn push(&mut self, payment: Payment) {
        self.total += payment.amount;
        self.date = self.date.max(payment.date);
        self.payments.push(payment);
    }

    fn first(&self) -> &Payment {
        &self.payments[0]
    }

    fn moves_money(&self) -> bool {
        self.payments.iter().any(Payment::moves_money) && !self.total.is_zero()
    }
}

/// A negative amount an earlier remittance leaves for a later payment.
#[derive(Clone, Copy, Debug)]
struct Offset {
    group: usize,
    amount: Decimal,
}

struct Matcher {
    settings: MatchSettings,
    groups: Vec<Group>,
    deposits: Vec<Deposit>,
    used: Vec<bool>,
    index: HashMap<String, Vec<usize>>,
    traced: HashMap<String, Vec<usize>>,
    by_amount: HashMap<Decimal, Vec<usize>>,
    negatives: Vec<Offset>,
    carried: Vec<Offset>,
    rows: Vec<(SortKey, DepositMatch)>,
}

type SortKey = (u8, Option<Date>, String, usize);

impl Matcher {
    fn new(payments: Vec<Payment>, deposits: Vec<Deposit>, settings: MatchSettings) -> Self {
        let groups = group(payments);
        let carried = carried_balances(&groups);
        let negatives = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.total < Decimal::ZERO)
            .map(|(k, g)| Offset {
                group: k,
                amount: g.total,
            })
            .collect();
        let (index, traced) = index(&deposits);
        let mut by_amount: HashMap<Decimal, Vec<usize>> = HashMap::new();
        for (i, d) in deposits.iter().enumerate() {
            by_amount.entry(d.amount.normalize()).or_default().push(i);
        }
        Matcher {
            settings,
            groups,
            used: vec![false; deposits.len()],
            deposits,
            index,
            traced,
            by_amount,
            negatives,
            carried,
            rows: Vec::new(),
        }
    }

    /// Unused deposits carrying `payment`'s trace, by date: those whose
    /// CCD+ addenda name it, else those mentioning it anywhere.
    fn carrying(&self, payment: &Payment) -> Vec<usize> {
        let key = normalise(&payment.trace);
        if key.is_empty() {
            return Vec::new();
        }
        let by_addenda = self.traced.get(&key).filter(|v| !v.is_empty());
        let mut found: Vec<usize> = by_addenda
            .or_else(|| self.index.get(&key))
            .map(|v| v.iter().copied().filter(|&i| !self.used[i]).collect())
            .unwrap_or_default();
        found.sort_by_key(|&i| (self.deposits[i].date, i));
        found
    }

    fn amounts(&self, candidates: &[usize]) -> Vec<Decimal> {
        candidates
            .iter()
            .map(|&i| self.deposits[i].amount)
            .collect()
    }

    /// Pass 1: deposits carrying the trace that add up to the group.
    fn by_reference(&mut self) {
        for g in 0..self.groups.len() {
            if self.groups[g].done || !self.groups[g].moves_money() {
                continue;
            }
            let candidates = self.carrying(self.groups[g].first());
            let total = self.groups[g].total;
            if let Some(chosen) = subset_with_sum(&self.amounts(&candidates), total) {
                let picked: Vec<usize> = chosen.into_iter().map(|k| candidates[k]).collect();
                let (kind, note) = self.reference_kind(g, &picked);
                self.emit(&[g], &picked, kind, total, note);
            }
        }
    }

    fn reference_kind(&self, g: usize, picked: &[usize]) -> (MatchKind, String) {
        let group = &self.groups[g];
        let deposits = picked.len();
        let p = group.first();
        let transactions = group.payments.len();
        if transactions > 1 {
            let note = format!(
                "COMBINED: {} covers {transactions} transactions with trace {} ({})",
                if deposits == 1 {
                    "one deposit".to_string()
                } else {
                    format!("{deposits} deposits")
                },
                p.trace,
                group
                    .payments
                    .iter()
                    .map(|p| money(p.amount))
                    .collect::<Vec<_>>()
                    .join(" + ")
            );
            return (MatchKind::Combined, note);
        }
        if deposits > 1 {
            let mut parts: Vec<&Deposit> = picked.iter().map(|&i| &self.deposits[i]).collect();
            parts.sort_by_key(|d| d.date);
            let amounts: Vec<String> = parts.iter().map(|d| money(d.amount)).collect();
            let note = format!("SPLIT: {deposits} deposits {}", amounts.join(" + "));
            return (MatchKind::Split, note);
        }
        if p.is_check() {
            (
                MatchKind::MatchedCheck,
                "matched: check number and amount".into(),
            )
        } else {
            (
                MatchKind::MatchedTrace,
                "matched: ACH trace and amount".into(),
            )
        }
    }

    /// Negative amounts of the payer of group `g` dated on or before it
    /// that no match has used yet.
    fn open_offsets(&self, g: usize) -> Vec<Offset> {
        let group = &self.groups[g];
        self.negatives
            .iter()
            .chain(&self.carried)
            .copied()
            .filter(|o| {
                let other = &self.groups[o.group];
                o.group != g
                    && !other.done
                    && other.payer == group.payer
                    && other.date <= group.date
            })
            .collect()
    }

    /// Unused deposits of exactly `amount`.
    fn of_amount(&self, amount: Decimal) -> impl Iterator<Item = usize> + '_ {
        self.by_amount
            .get(&amount.normalize())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| !self.used[i])
    }

    /// Passes 2 and 4b: a later payment netted with earlier negatives, by
    /// the deposits carrying its trace, or else by amount and date.
    fn offsets(&mut self, by_reference: bool) {
        for g in 0..self.groups.len() {
            let total = self.groups[g].total;
            if self.groups[g].done || total <= Decimal::ZERO {
                continue;
            }
            let offsets = self.open_offsets(g);
            let mut tries: Vec<Vec<Offset>> = offsets.iter().map(|o| vec![*o]).collect();
            if offsets.len() > 1 {
                tries.push(offsets);
            }
            for offset in tries {
                let net = total + offset.iter().map(|o| o.amount).sum::<Decimal>();
                if let Some(picked) = self.offset_deposits(g, net, by_reference) {
                    self.emit_offset(g, &offset, &picked, net, by_reference);
                    break;
                }
            }
        }
    }

    fn offset_deposits(&self, g: usize, net: Decimal, by_reference: bool) -> Option<Vec<usize>> {
        if !by_reference {
            return self.closest_by_amount(g, net).map(|i| vec![i]);
        }
        let candidates = self.carrying(self.groups[g].first());
        subset_with_sum(&self.amounts(&candidates), net)
            .map(|c| c.into_iter().map(|k| candidates[k]).collect())
    }

    fn emit_offset(
        &mut self,
        g: usize,
        offsets: &[Offset],
        picked: &[usize],
        net: Decimal,
        by_reference: bool,
    ) {
        let described: Vec<String> = offsets
            .iter()
            .map(|o| {
                let other = self.groups[o.group].first();
                let what = if other.amount < Decimal::ZERO {
                    "negative remittance"
                } else {
                    "balance carried forward (PLB FB)"
                };
                format!(
                    "{what} {} of trace {} ({})",
                    money(o.amount),
                    other.trace,
                    other.date.map(|d| d.to_string()).unwrap_or_default()
                )
            })
            .collect();
        let how = if by_reference {
            "the deposit carries the trace"
        } else {
            "by amount and date only: check it"
        };
        let note = format!(
            "OFFSET: {} less {} = {} ({how})",
            money(self.groups[g].total),
            described.join(" and "),
            money(net)
        );
        let mut members = vec![g];
        members.extend(offsets.iter().map(|o| o.group));
        members.sort_by_key(|&k| self.groups[k].date);
        self.emit(&members, picked, MatchKind::Offset, net, note);
    }

    /// Pass 3: deposits carry the trace but do not add up.
    fn amount_differs(&mut self) {
        for g in 0..self.groups.len() {
            if self.groups[g].done || !self.groups[g].moves_money() {
                continue;
            }
            let candidates = self.carrying(self.groups[g].first());
            if candidates.is_empty() {
                continue;
            }
            let total = self.groups[g].total;
            let received: Decimal = self.amounts(&candidates).into_iter().sum();
            let group = &self.groups[g];
            let old = group.earlier.iter().find(|p| p.amount == received);
            let note = match old {
                Some(old) => format!(
                    "AMOUNT DIFFERS: {} deposit(s) carry trace {} with {}, the amount of the superseded version {}; the corrected remittance says {} (difference {}): the payer paid the old amount",
                    candidates.len(),
                    group.first().trace,
                    money(received),
                    old.label(),
                    money(total),
                    money(received - total)
                ),
                None => format!(
                    "AMOUNT DIFFERS: {} deposit(s) carry trace {} with {}, the 835 says {} (difference {})",
                    candidates.len(),
                    group.first().trace,
                    money(received),
                    money(total),
                    money(received - total)
                ),
            };
            self.emit(&[g], &candidates, MatchKind::AmountDiffers, total, note);
        }
    }

    /// The unused deposit of `amount` closest in date to group `g`, within
    /// the window.
    fn closest_by_amount(&self, g: usize, amount: Decimal) -> Option<usize> {
        let date = self.groups[g].date?;
        self.of_amount(amount)
            .filter_map(|i| {
                let days = (self.deposits[i].date - date).get_days().abs();
                (days <= self.settings.window_days).then_some((days, i))
            })
            .min()
            .map(|(_, i)| i)
    }

    /// Pass 4: same amount within the window, closest pairs first.
    fn by_amount_and_date(&mut self) {
        let mut pairs: Vec<(i32, Option<Date>, usize, usize)> = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            let Some(date) = group.date.filter(|_| !group.done && group.moves_money()) else {
                continue;
            };
            for i in self.of_amount(group.total) {
                let days = (self.deposits[i].date - date).get_days().abs();
                if days <= self.settings.window_days {
                    pairs.push((days, Some(date), g, i));
                }
            }
        }
        pairs.sort();
        for (_, date, g, i) in pairs {
            if self.groups[g].done || self.used[i] {
                continue;
            }
            let d = &self.deposits[i];
            let days = date.map_or(0, |date| (d.date - date).get_days());
            let own = d.ccd_traces();
            let carries = if own.is_empty() {
                String::new()
            } else {
                format!("; the deposit carries trace {}", own.join(", "))
            };
            let note = format!(
                "by amount and date only: no deposit carries trace {}; same amount {days} day(s) from the payment date{carries}: check it",
                self.groups[g].first().trace
            );
            let total = self.groups[g].total;
            self.emit(&[g], &[i], MatchKind::MatchedAmountDate, total, note);
        }
    }

    /// Pass 5: payments and deposits nothing matched.
    fn leftovers(&mut self) {
        for g in 0..self.groups.len() {
            if self.groups[g].done {
                continue;
            }
            let (kind, note) = self.unmatched(g);
            let total = self.groups[g].total;
            self.emit(&[g], &[], kind, total, note);
        }
        for i in 0..self.deposits.len() {
            if self.used[i] {
                continue;
            }
            let traces = self.deposits[i].ccd_traces();
            let note = if traces.is_empty() {
                "DEPOSIT WITHOUT REMITTANCE: no 835 matches its references, amount or date".into()
            } else {
                format!(
                    "DEPOSIT WITHOUT REMITTANCE: no 835 has trace {}",
                    traces.join(", ")
                )
            };
            self.used[i] = true;
            let key = (1, Some(self.deposits[i].date), String::new(), i);
            self.rows.push((
                key,
                DepositMatch {
                    kind: MatchKind::DepositWithoutRemittance,
                    payments: Vec::new(),
                    deposits: vec![self.deposits[i].clone()],
                    promised: Decimal::ZERO,
                    note,
                },
            ));
        }
    }

    fn unmatched(&self, g: usize) -> (MatchKind, String) {
        let group = &self.groups[g];
        if group.total < Decimal::ZERO {
            let note = format!(
                "negative remittance {}: no later payment of the payer nets it in a deposit yet",
                money(group.total)
            );
            return (MatchKind::AwaitingOffset, note);
        }
        if !group.moves_money() {
            return (MatchKind::NoMoneyMoved, self.no_money_note(g));
        }
        self.missing(group.date)
    }

    fn no_money_note(&self, g: usize) -> String {
        let carried = self
            .carried
            .iter()
            .find(|o| o.group == g)
            .map(|o| {
                format!(
                    "; it carries {} forward (PLB FB) to a later payment",
                    money(-o.amount)
                )
            })
            .unwrap_or_default();
        let group = &self.groups[g];
        format!(
            "no money moves (BPR02 {}, {}): nothing to match{carried}",
            money(group.total),
            group.first().method
        )
    }

    /// Money promised on `date` and not received: still awaited within the
    /// window, missing after it.
    fn missing(&self, date: Option<Date>) -> (MatchKind, String) {
        let window = self.settings.window_days;
        let due = date.and_then(|d| d.checked_add(jiff::Span::new().days(window)).ok());
        match due {
            Some(due) if due >= self.settings.as_of => (
                MatchKind::AwaitingDeposit,
                format!(
                    "no deposit yet; within {window} day(s) of the payment date as of {}",
                    self.settings.as_of
                ),
            ),
            _ => (
                MatchKind::RemittanceWithoutDeposit,
                format!(
                    "REMITTANCE WITHOUT DEPOSIT: money promised, not received within {window} day(s)"
                ),
            ),
        }
    }

    fn emit(
        &mut self,
        members: &[usize],
        picked: &[usize],
        kind: MatchKind,
        promised: Decimal,
        note: String,
    ) {
        let mut payments = Vec::new();
        let mut earlier: Vec<String> = Vec::new();
        for &g in members {
            self.groups[g].done = true;
            payments.extend(self.groups[g].payments.iter().cloned());
            earlier.extend(
                self.groups[g]
                    .earlier
                    .iter()
                    .map(|p| format!("{} (BPR02 {})", p.label(), money(p.amount))),
            );
        }
        let mut note = note;
        if !earlier.is_empty() && !note.contains("superseded version") {
            note.push_str(&format!(
                "; one payment, one trace: superseded version(s) {} not expected",
                earlier.join(" + ")
            ));
        }
        for &i in picked {
            self.used[i] = true;
        }
        let mut deposits: Vec<Deposit> = picked.iter().map(|&i| self.deposits[i].clone()).collect();
        deposits.sort_by_key(|d| d.date);
        let first = &self.groups[members[0]].payments[0];
        let key = (0, self.groups[members[0]].date, first.label(), 0);
        self.rows.push((
            key,
            DepositMatch {
                kind,
                payments,
                deposits,
                promised,
                note,
            },
        ));
    }

    fn finish(mut self) -> Vec<DepositMatch> {
        self.rows.sort_by(|a, b| a.0.cmp(&b.0));
        self.rows.into_iter().map(|(_, m)| m).collect()
    }
}

/// Groups payments by payer and trace, keeping the order of the first;
/// superseded versions join the group of their corrected version (one
/// whose corrected version is not among the payments is not expected).
fn group(payments: Vec<Payment>) -> Vec<Group> {
    let mut at: HashMap<(Text, Text), usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let (earlier, current): (Vec<Payment>, Vec<Payment>) = payments
        .into_iter()
        .partition(|p| p.superseded_by.is_some());
    for p in current {
        let key = (p.payer_key(), p.trace.clone());
        match at.get(&key) {
            Some(&g) if !p.trace.is_empty() => groups[g].push(p),
            _ => {
                at.insert(key, groups.len());
                groups.push(Group::new(p));
            }
        }
    }
    for p in earlier {
        if let Some(&g) = at.get(&(p.payer_key(), p.trace.clone())) {
            groups[g].earlier.push(p);
        }
    }
    groups
}

/// Balances a BPR02-0 remittance carried forward with PLB FB that no later
/// positive FB of the same payer took back (first carried, first taken).
fn carried_balances(groups: &[Group]) -> Vec<Offset> {
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| groups[g].date);
    let mut open: HashMap<Text, Vec<Offset>> = HashMap::new();
    for g in order {
        let forward: Decimal = groups[g].payments.iter().map(|p| p.balance_forward).sum();
        let queue = open.entry(groups[g].payer.clone()).or_default();
        if forward < Decimal::ZERO && groups[g].total.is_zero() {
            queue.push(Offset {
                group: g,
                amount: forward,
            });
        } else if forward > Decimal::ZERO {
            take_back(queue, forward);
        }
    }
    let mut all: Vec<Offset> = open.into_values().flatten().collect();
    all.sort_by_key(|o| o.group);
    all
}

fn take_back(queue: &mut Vec<Offset>, mut amount: Decimal) {
    while amount > Decimal::ZERO && !queue.is_empty() {
        let taken = amount.min(-queue[0].amount);
        queue[0].amount += taken;
        amount -= taken;
        if queue[0].amount.is_zero() {
            queue.remove(0);
        }
    }
}

/// Deposits by every normalised word of their references and text, and by
/// the traces of their CCD+ addenda.
fn index(deposits: &[Deposit]) -> (HashMap<String, Vec<usize>>, HashMap<String, Vec<usize>>) {
    let mut words: HashMap<String, Vec<usize>> = HashMap::new();
    let mut traced: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in deposits.iter().enumerate() {
        let mut seen = HashSet::new();
        for t in d.ccd_traces() {
            let t = normalise(t);
            if seen.insert(format!("trn:{t}")) {
                traced.entry(t.clone()).or_default().push(i);
            }
            if seen.insert(t.clone()) {
                words.entry(t).or_default().push(i);
            }
        }
        for w in d.words() {
            if seen.insert(w.clone()) {
                words.entry(w).or_default().push(i);
            }
        }
    }
    (words, traced)
}

/// The smallest set of `amounts` (fewest items, earliest first) summing to
/// `target`; all subsets are tried up to 16 candidates, beyond that single
/// amounts and the whole set.
pub fn subset_with_sum(amounts: &[Decimal], target: Decimal) -> Option<Vec<usize>> {
    if amounts.is_empty() {
        return None;
    }
    if amounts.len() > 16 {
        if let Some(i) = amounts.iter().position(|a| *a == target) {
            return Some(vec![i]);
        }
        let all: Decimal = amounts.iter().sum();
        return (all == target).then(|| (0..amounts.len()).collect());
    }
    (1..=amounts.len()).find_map(|size| {
        let mut chosen = Vec::with_capacity(size);
        choose(amounts, target, size, 0, &mut chosen).then_some(chosen)
    })
}

fn choose(
    amounts: &[Decimal],
    remaining: Decimal,
    size: usize,
    from: usize,
    chosen: &mut Vec<usize>,
) -> bool {
    if chosen.len() == size {
        return remaining.is_zero();
    }
    for i in from..amounts.len() {
        chosen.push(i);
        if choose(amounts, remaining - amounts[i], size, i + 1, chosen) {
            return true;
        }
        chosen.pop();
    }
    false
}

#[cfg(test)]
mod tests;
