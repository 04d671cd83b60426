//! Pairing a claim payment's remitted lines with its billed claim's lines:
//! how well one remitted line fits one billed line ([`line_score`]) and the
//! best one-to-one assignment ([`assign`]), in time linear in the lines.
//!
//! The assignment is greedy, best pairs first, equal scores by position
//! (remitted line, then billed line), so it is the same on every run. Taken
//! literally that sorts every (remitted, billed) pair: quadratic in a
//! claim's lines, hours for an institutional claim of a million lines. It
//! is computed here without the pairs, with the same result (a property
//! test compares both on random claims).
//!
//! Why that works: a score is 100 plus a sum over four features (modifier
//! set, date of service, charge, units), or 1000 for an echoed REF*6R.
//! Walk the score levels from the top; at each level, each still-unpaired
//! remitted line, in order, takes the first untaken billed line scoring
//! exactly that level — which is what the greedy does. A billed line that
//! matches a remitted line on at least the features of a level and is
//! still untaken scores exactly that level: had it scored higher, the
//! remitted line would have taken it (or found it taken) at that higher
//! level, and taken lines stay taken. So "the first untaken billed line
//! agreeing on these features" answers each level: a hash lookup per
//! remitted line, and a cursor per bucket that only moves forward.

use crate::hashing::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::claim::BilledLine;
use crate::line::{EventKind, LineEvent, modifier_set};
use crate::text::Text;

/// The score an echoed REF*6R gives: it decides alone, either way (it
/// outweighs any sum of the other evidence).
const CONTROL_SCORE: i64 = 1_000;
/// The score of a line whose code matches and nothing else.
const CODE_SCORE: i64 = 100;

/// The four features beyond the code, as bits of a level's feature set, and
/// their weights. The date of service weighs most: payers cut units,
/// reprice and drop modifiers, but rarely move a visit.
const MODIFIERS: u8 = 1;
const DATE: u8 = 2;
const CHARGE: u8 = 4;
const UNITS: u8 = 8;
const WEIGHTS: [(u8, i64); 4] = [(MODIFIERS, 20), (DATE, 30), (CHARGE, 10), (UNITS, 5)];

fn weight(features: u8) -> i64 {
    WEIGHTS
        .iter()
        .filter(|(bit, _)| features & bit != 0)
        .map(|(_, w)| w)
        .sum()
}

/// How well a remitted line fits a billed line (`None`: not at all): the
/// definition [`assign`] computes level by level without scoring pairs on
/// large claims, and pair by pair on small ones ([`assign_small`]).
fn line_score(event: &LineEvent, line: &BilledLine) -> Option<i64> {
    let control = event.line_control.as_str();
    // REF*6R is the submitter's own line id echoed back: when both sides
    // carry one it decides alone, either way.
    if !control.is_empty() && !line.control_number.is_empty() {
        return (control == line.control_number).then_some(CONTROL_SCORE);
    }
    let code_matches = !event.procedure.is_empty()
        && (event.procedure == line.procedure.code || event.procedure == line.revenue_code);
    let revenue_matches = !event.revenue_code.is_empty() && event.revenue_code == line.revenue_code;
    if !code_matches && !revenue_matches {
        return None;
    }
    // The code is required; the rest ranks near-misses.
    Some(CODE_SCORE + weight(agreement(event, line)))
}

/// The best score a remitted line can have against any billed line: an
/// echoed REF*6R when `control_held` (some billed line carries its
/// control), else its code and every feature, and nothing without a code.
/// Any line's [`line_score`] is at most this, so [`assign`]'s total is at
/// most the sum over the remitted lines: a claim reaching that sum fits
/// the lines as well as any claim can.
pub fn score_bound(event: &LineEvent, control_held: bool) -> i64 {
    if control_held {
        CONTROL_SCORE
    } else if event.procedure.is_empty() && event.revenue_code.is_empty() {
        0
    } else {
        CODE_SCORE + weight(MODIFIERS | DATE | CHARGE | UNITS)
    }
}

/// The features on which a remitted and a billed line agree, as
/// [`Facts::of_event`] and [`Facts::of_line`] compare them (a date agrees
/// only when the remitted line has one; amounts by value, whatever their
/// scale), without building them.
fn agreement(event: &LineEvent, line: &BilledLine) -> u8 {
    let mut features = 0;
    if same_modifier_set(&event.modifiers, &line.procedure.modifiers) {
        features |= MODIFIERS;
    }
    if event.service_date.is_some() && event.service_date == line.service_date {
        features |= DATE;
    }
    if event.billed.abs() == line.charge {
        features |= CHARGE;
    }
    if event.billed_units.abs() == line.units.unwrap_or(Decimal::ONE) {
        features |= UNITS;
    }
    features
}

/// Modifiers compared on the stack: a line has at most four (SVC01-3..6,
/// SV101-3..6).
const FEW_MODIFIERS: usize = 4;

/// Whether two lists of modifiers make the same [`modifier_set`] (sorted,
/// without blanks and repeats, joined by `:`) — without making it, unless
/// a list is longer than [`FEW_MODIFIERS`] or a modifier holds a `:` (then
/// two lists could join alike yet differ).
fn same_modifier_set(a: &[Text], b: &[Text]) -> bool {
    fn sorted<'a>(list: &'a [Text], out: &mut [&'a str; FEW_MODIFIERS]) -> Option<usize> {
        let mut n = 0;
        for m in list.iter().map(Text::as_str).filter(|m| !m.is_empty()) {
            if n == FEW_MODIFIERS || m.contains(':') {
                return None;
            }
            out[n] = m;
            n += 1;
        }
        out[..n].sort_unstable();
        let mut kept = 0;
        for i in 0..n {
            if kept == 0 || out[kept - 1] != out[i] {
                out[kept] = out[i];
                kept += 1;
            }
        }
        Some(kept)
    }
    let (mut x, mut y) = ([""; FEW_MODIFIERS], [""; FEW_MODIFIERS]);
    match (sorted(a, &mut x), sorted(b, &mut y)) {
        (Some(n), Some(m)) => x[..n] == y[..m],
        _ => modifier_set(a) == modifier_set(b),
    }
}

/// What the features compare, read once per line.
struct Facts {
    modifiers: Text,
    date: Option<Date>,
    charge: Decimal,
    units: Decimal,
}

impl Facts {
    fn of_event(event: &LineEvent) -> Facts {
        Facts {
            modifiers: modifier_set(&event.modifiers),
            date: event.service_date,
            charge: event.billed.abs().normalize(),
            units: event.billed_units.abs().normalize(),
        }
    }

    fn of_line(line: &BilledLine) -> Facts {
        Facts {
            modifiers: modifier_set(&line.procedure.modifiers),
            date: line.service_date,
            charge: line.charge.normalize(),
            units: line.units.unwrap_or(Decimal::ONE).normalize(),
        }
    }

    /// The hash key of these facts restricted to `features`, under a code.
    /// `None` when a date is asked for and there is none (no date agrees
    /// with a missing one).
    fn key<'a>(&'a self, code: Code<'a>, features: u8) -> Option<Key<'a>> {
        if features & DATE != 0 && self.date.is_none() {
            return None;
        }
        Some(Key {
            code,
            features,
            modifiers: (features & MODIFIERS != 0).then_some(self.modifiers.as_str()),
            date: self.date.filter(|_| features & DATE != 0),
            charge: (features & CHARGE != 0).then_some(self.charge),
            units: (features & UNITS != 0).then_some(self.units),
        })
    }
}

/// A code a remitted line may match a billed line by: its procedure
/// against the billed procedure or revenue code, or its revenue code
/// against the billed revenue code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Code<'a> {
    Procedure(&'a str),
    Revenue(&'a str),
}

impl<'a> Code<'a> {
    /// The codes a billed line can be found by.
    fn of_line(line: &'a BilledLine) -> impl Iterator<Item = Code<'a>> {
        let procedure = line.procedure.code.as_str();
        let revenue = line.revenue_code.as_str();
        [
            Code::Procedure(procedure),
            Code::Procedure(revenue),
            Code::Revenue(revenue),
        ]
        .into_iter()
        .enumerate()
        .filter(move |(i, code)| match code {
            Code::Procedure(c) | Code::Revenue(c) => {
                // The revenue code as a procedure is the same bucket when
                // it equals the procedure code.
                !(c.is_empty() || (*i == 1 && revenue == procedure))
            }
        })
        .map(|(_, code)| code)
    }

    /// The codes a remitted line looks billed lines up by.
    fn of_event(event: &'a LineEvent) -> impl Iterator<Item = Code<'a>> {
        [
            Code::Procedure(event.procedure.as_str()),
            Code::Revenue(event.revenue_code.as_str()),
        ]
        .into_iter()
        .filter(|code| match code {
            Code::Procedure(c) | Code::Revenue(c) => !c.is_empty(),
        })
    }
}

/// Billed lines agreeing on a code and a set of features.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key<'a> {
    code: Code<'a>,
    features: u8,
    modifiers: Option<&'a str>,
    date: Option<Date>,
    charge: Option<Decimal>,
    units: Option<Decimal>,
}

/// Billed lines in position order, and how many of the first are known
/// taken (they never become free again, so the cursor only moves forward).
#[derive(Default)]
struct Bucket {
    lines: Vec<usize>,
    cursor: usize,
}

impl Bucket {
    fn first_free(&mut self, taken: &[bool]) -> Option<usize> {
        while let Some(&j) = self.lines.get(self.cursor) {
            if !taken[j] {
                return Some(j);
            }
            self.cursor += 1;
        }
        None
    }
}

/// The score levels, best first, with the feature sets scoring each (two
/// sets can weigh the same: modifiers + charge and date both weigh 30).
fn levels() -> Vec<(i64, Vec<u8>)> {
    let mut levels: Vec<(i64, Vec<u8>)> = Vec::new();
    for features in 0..16u8 {
        let score = CODE_SCORE + weight(features);
        match levels.iter_mut().find(|(s, _)| *s == score) {
            Some((_, sets)) => sets.push(features),
            None => levels.push((score, vec![features])),
        }
    }
    levels.sort_by_key(|level| std::cmp::Reverse(level.0));
    levels
}

/// Claims with at most this many (remitted line, billed line) pairs are
/// assigned by scoring every pair ([`assign_small`]): nearly every claim
/// (a few lines paid, a few billed), where the linear way's hash maps of
/// every score level cost ten times more than the pairs.
const SMALL: usize = 64;

/// The best one-to-one assignment of remitted lines to billed lines (lines
/// the payer split out of one billed line, SVC06, then join it) and the sum
/// of its pairs' scores (how well the claim's lines fit the payment as a
/// whole). Equal to sorting every pair by (score descending, remitted
/// line, billed line) and taking pairs greedily; linear in the lines.
pub fn assign(events: &[LineEvent], lines: &[BilledLine]) -> (Vec<Option<usize>>, i64) {
    if events.len() * lines.len() <= SMALL {
        assign_small(events, lines)
    } else {
        assign_linear(events, lines)
    }
}

/// [`assign`] by the definition, for a claim of at most [`SMALL`] pairs:
/// every pair scored, sorted by (score descending, remitted line, billed
/// line), taken greedily while both ends are free; then each split line
/// (SVC06) left without a partner joins its best billed line. On the
/// stack, but for the result.
fn assign_small(events: &[LineEvent], lines: &[BilledLine]) -> (Vec<Option<usize>>, i64) {
    let mut assigned: Vec<Option<usize>> = vec![None; events.len()];
    let mut total = 0;
    // (score, remitted, billed): positions fit a byte, as pairs ≤ SMALL.
    let mut pairs = [(0i64, 0u8, 0u8); SMALL];
    let mut n = 0;
    for (i, event) in events.iter().enumerate() {
        if event.kind != EventKind::Line {
            continue;
        }
        for (j, line) in lines.iter().enumerate() {
            if let Some(score) = line_score(event, line) {
                pairs[n] = (score, i as u8, j as u8);
                n += 1;
            }
        }
    }
    let pairs = &mut pairs[..n];
    // The pairs are distinct: an unstable sort gives the one order.
    pairs.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // At most SMALL billed lines when any line was remitted.
    let mut taken = 0u64;
    for &(score, i, j) in pairs.iter() {
        let (i, bit) = (usize::from(i), 1u64 << j);
        if assigned[i].is_none() && taken & bit == 0 {
            assigned[i] = Some(usize::from(j));
            taken |= bit;
            total += score;
        }
    }
    for &(_, i, j) in pairs.iter() {
        let i = usize::from(i);
        if assigned[i].is_none() && events[i].paid_procedure.is_some() {
            assigned[i] = Some(usize::from(j));
        }
    }
    (assigned, total)
}

/// [`assign`] level by level (see the module comment): linear in the lines.
fn assign_linear(events: &[LineEvent], lines: &[BilledLine]) -> (Vec<Option<usize>>, i64) {
    let mut assigned: Vec<Option<usize>> = vec![None; events.len()];
    // A split line's best billed line, taken or not (its fallback).
    let mut best: Vec<Option<usize>> = vec![None; events.len()];
    let mut taken = vec![false; lines.len()];
    let mut total = 0;
    let remitted: Vec<usize> = (0..events.len())
        .filter(|&i| events[i].kind == EventKind::Line)
        .collect();
    if remitted.is_empty() || lines.is_empty() {
        return (assigned, total);
    }

    // Level 1000: REF*6R on both sides, equal.
    let mut by_control: HashMap<&str, Bucket> = HashMap::default();
    for (j, line) in lines.iter().enumerate() {
        if !line.control_number.is_empty() {
            by_control
                .entry(line.control_number.as_str())
                .or_default()
                .lines
                .push(j);
        }
    }
    for &i in &remitted {
        let control = events[i].line_control.as_str();
        if control.is_empty() {
            continue;
        }
        if let Some(bucket) = by_control.get_mut(control) {
            best[i] = bucket.lines.first().copied();
            if let Some(j) = bucket.first_free(&taken) {
                assigned[i] = Some(j);
                taken[j] = true;
                total += CONTROL_SCORE;
            }
        }
    }
    drop(by_control);

    // The code levels. A remitted line carrying REF*6R meets only billed
    // lines without one here (with one, the control decided above).
    let event_facts: Vec<Option<Facts>> = (0..events.len())
        .map(|i| (events[i].kind == EventKind::Line).then(|| Facts::of_event(&events[i])))
        .collect();
    let line_facts: Vec<Facts> = lines.iter().map(Facts::of_line).collect();
    let any_control = remitted.iter().any(|&i| !events[i].line_control.is_empty());
    for (score, sets) in levels() {
        let pending = remitted.iter().any(|&i| {
            assigned[i].is_none() || (best[i].is_none() && events[i].paid_procedure.is_some())
        });
        if !pending {
            break;
        }
        // Every billed line, and (when some remitted line has a control)
        // those without a control.
        let mut all: HashMap<Key, Bucket> = HashMap::default();
        let mut uncontrolled: HashMap<Key, Bucket> = HashMap::default();
        for (j, line) in lines.iter().enumerate() {
            for code in Code::of_line(line) {
                for &features in &sets {
                    let Some(key) = line_facts[j].key(code, features) else {
                        continue;
                    };
                    if any_control && line.control_number.is_empty() {
                        push_once(&mut uncontrolled.entry(key).or_default().lines, j);
                    }
                    push_once(&mut all.entry(key).or_default().lines, j);
                }
            }
        }
        for &i in &remitted {
            let wants_fallback = best[i].is_none() && events[i].paid_procedure.is_some();
            if assigned[i].is_some() && !wants_fallback {
                continue;
            }
            let index = if events[i].line_control.is_empty() {
                &mut all
            } else {
                &mut uncontrolled
            };
            let Some(facts) = event_facts[i].as_ref() else {
                continue;
            };
            let mut free: Option<usize> = None;
            for code in Code::of_event(&events[i]) {
                for &features in &sets {
                    let Some(bucket) = facts.key(code, features).and_then(|k| index.get_mut(&k))
                    else {
                        continue;
                    };
                    if wants_fallback {
                        best[i] = min(best[i], bucket.lines.first().copied());
                    }
                    if assigned[i].is_none() {
                        free = min(free, bucket.first_free(&taken));
                    }
                }
            }
            if let Some(j) = free {
                assigned[i] = Some(j);
                taken[j] = true;
                total += score;
            }
        }
    }
    // A line the payer split out of one billed line (SVC06 names the billed
    // code) finds no partner left one-to-one: it joins the billed line it
    // fits best, which may already be taken by its sibling.
    for &i in &remitted {
        if assigned[i].is_none() && events[i].paid_procedure.is_some() {
            assigned[i] = best[i];
        }
    }
    (assigned, total)
}

/// The smaller of two positions, either possibly absent.
fn min(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Adds `j` unless it was just added (a line found under two codes that
/// are one and the same bucket).
fn push_once(lines: &mut Vec<usize>, j: usize) {
    if lines.last() != Some(&j) {
        lines.push(j);
    }
}

#[cfg(test)]
#[path = "pairing_tests.rs"]
mod tests;
