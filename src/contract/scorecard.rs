//! The payer scorecard: per payer × procedure over decided lines, what was
//! billed, allowed (and how it spreads), expected under the contract, the
//! shortfall, the allowed amount as a share of the charge and of each
//! reference schedule, denials by category, and how long payment took.
//! What a practice brings to a contract negotiation. Pure: the caller feeds
//! the lines (from the input or the history store) and writes the rows.
//!
//! Memory is bounded by the distinct values, not the lines: medians come
//! from counts per distinct per-unit amount and per distinct day count.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::price::cents;
use super::reference::References;
use super::scope::Place;
use crate::text::Text;

/// One decided service line. Pass each line once, as it stands (its latest
/// adjudication), for the totals to be the ledger's.
#[derive(Clone, Copy, Debug)]
pub struct ScorecardLine<'a> {
    /// The payer as the report groups it (id or name; compared as given).
    pub payer: &'a str,
    /// Procedure code.
    pub procedure: &'a str,
    /// Its modifiers (for the reference amount: 26/TC rows differ).
    pub modifiers: &'a [Text],
    /// Facility or non-facility, for the reference amount.
    pub place: Place,
    /// Units the allowed amount is for (units paid).
    pub units: Decimal,
    /// Billed amount.
    pub billed: Decimal,
    /// Allowed amount.
    pub allowed: Decimal,
    /// The contract's expected amount, when the line was priced.
    pub expected: Option<Decimal>,
    /// Paid amount.
    pub paid: Decimal,
    /// The denial category when the line was denied (`None`: not denied).
    pub denial: Option<&'a str>,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Payment (check/EFT) date.
    pub payment_date: Option<Date>,
}

/// Smallest, median and largest of some amounts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Spread {
    /// Smallest.
    pub min: Decimal,
    /// Median (the mean of the two middle values for an even count,
    /// rounded to the cent).
    pub median: Decimal,
    /// Largest.
    pub max: Decimal,
}

/// Allowed amounts against one reference schedule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReferenceShare {
    /// The schedule's name.
    pub name: String,
    /// Lines not denied that the schedule has an amount for.
    pub lines: u64,
    /// Σ reference amount × units over those lines.
    pub reference: Decimal,
    /// Σ allowed over those lines.
    pub allowed: Decimal,
    /// allowed ÷ reference × 100, to two decimals; `None` when the
    /// reference sum is zero.
    pub percent: Option<Decimal>,
}

/// Denials of one category.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DenialShare {
    /// The category, as given.
    pub category: String,
    /// Lines denied for it.
    pub lines: u64,
    /// lines ÷ all lines × 100, to two decimals.
    pub percent: Decimal,
}

/// One payer × procedure row of the scorecard.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScorecardRow {
    /// Payer.
    pub payer: String,
    /// Procedure code.
    pub procedure: String,
    /// Lines.
    pub lines: u64,
    /// Σ units.
    pub units: Decimal,
    /// Σ billed (all lines).
    pub billed: Decimal,
    /// Σ allowed (all lines).
    pub allowed: Decimal,
    /// Σ paid (all lines).
    pub paid: Decimal,
    /// Allowed per unit (to the cent) over lines not denied with units.
    pub allowed_per_unit: Option<Spread>,
    /// Lines with an expected amount.
    pub expected_lines: u64,
    /// Σ expected over them.
    pub expected: Decimal,
    /// Lines allowed less than expected.
    pub underpaid_lines: u64,
    /// Σ (expected − allowed) over them: the ledger's negative variances.
    pub shortfall: Decimal,
    /// Σ allowed ÷ Σ billed × 100 over lines not denied, to two decimals.
    pub allowed_percent_of_billed: Option<Decimal>,
    /// Allowed against each reference schedule, in the order given.
    pub references: Vec<ReferenceShare>,
    /// Lines denied (any category).
    pub denied_lines: u64,
    /// denied ÷ lines × 100, to two decimals.
    pub denial_percent: Decimal,
    /// Denials by category, by name.
    pub denials: Vec<DenialShare>,
    /// Median days from service to payment over paid lines with both dates
    /// (a half day when the middle two differ by an odd number).
    pub median_days_to_payment: Option<Decimal>,
}

/// The scorecard could not add a line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScorecardError {
    /// A sum overflowed (absurd amounts in the input).
    #[error("scorecard: the totals for {payer} {procedure} are out of range")]
    Overflow {
        /// Payer.
        payer: String,
        /// Procedure.
        procedure: String,
    },
}

#[derive(Default)]
struct Group {
    lines: u64,
    units: Decimal,
    billed: Decimal,
    allowed: Decimal,
    paid: Decimal,
    kept_billed: Decimal,
    kept_allowed: Decimal,
    per_unit: BTreeMap<Decimal, u64>,
    expected_lines: u64,
    expected: Decimal,
    underpaid_lines: u64,
    shortfall: Decimal,
    references: Vec<(u64, Decimal, Decimal)>,
    denied: u64,
    denials: BTreeMap<String, u64>,
    days: BTreeMap<i32, u64>,
}

/// Accumulates decided lines into scorecard rows.
pub struct Scorecard<'r> {
    references: &'r References,
    groups: BTreeMap<(String, String), Group>,
}

impl<'r> Scorecard<'r> {
    /// An empty scorecard comparing allowed amounts with `references`.
    pub fn new(references: &'r References) -> Scorecard<'r> {
        Scorecard {
            references,
            groups: BTreeMap::new(),
        }
    }

    /// Adds one line.
    pub fn add(&mut self, line: &ScorecardLine<'_>) -> Result<(), ScorecardError> {
        let payer = line.payer.trim().to_string();
        let procedure = line.procedure.trim().to_ascii_uppercase();
        let overflow = || ScorecardError::Overflow {
            payer: payer.clone(),
            procedure: procedure.clone(),
        };
        let modifiers = super::table::line_modifiers(line.modifiers);
        let mut shares = Vec::new();
        if line.denial.is_none() && line.units > Decimal::ZERO {
            for s in self.references.iter() {
                if let Ok(Some(r)) = s.lookup(&procedure, &modifiers, line.place, line.service_date)
                {
                    shares.push(Some(r.unit.checked_mul(line.units).ok_or_else(overflow)?));
                } else {
                    shares.push(None);
                }
            }
        }
        let g = self
            .groups
            .entry((payer.clone(), procedure.clone()))
            .or_default();
        let add = |a: Decimal, b: Decimal| a.checked_add(b).ok_or_else(overflow);
        g.lines += 1;
        g.units = add(g.units, line.units)?;
        g.billed = add(g.billed, line.billed)?;
        g.allowed = add(g.allowed, line.allowed)?;
        g.paid = add(g.paid, line.paid)?;
        if let Some(expected) = line.expected {
            g.expected_lines += 1;
            g.expected = add(g.expected, expected)?;
            if line.allowed < expected {
                g.underpaid_lines += 1;
                g.shortfall = add(g.shortfall, expected - line.allowed)?;
            }
        }
        match line.denial {
            Some(category) => {
                g.denied += 1;
                *g.denials.entry(category.trim().to_string()).or_default() += 1;
            }
            None => {
                g.kept_billed = add(g.kept_billed, line.billed)?;
                g.kept_allowed = add(g.kept_allowed, line.allowed)?;
                if line.units > Decimal::ZERO {
                    let unit = line.allowed.checked_div(line.units).ok_or_else(overflow)?;
                    *g.per_unit.entry(cents(unit)).or_default() += 1;
                }
            }
        }
        g.references.resize(
            self.references.iter().count(),
            (0, Decimal::ZERO, Decimal::ZERO),
        );
        for (slot, share) in g.references.iter_mut().zip(shares) {
            if let Some(amount) = share {
                slot.0 += 1;
                slot.1 = add(slot.1, amount)?;
                slot.2 = add(slot.2, line.allowed)?;
            }
        }
        if let (Some(service), Some(payment)) = (line.service_date, line.payment_date) {
            if line.paid > Decimal::ZERO {
                *g.days.entry((payment - service).get_days()).or_default() += 1;
            }
        }
        Ok(())
    }

    /// The rows, by payer then procedure.
    pub fn finish(self) -> Vec<ScorecardRow> {
        let names: Vec<&str> = self.references.iter().map(|s| s.name()).collect();
        self.groups
            .into_iter()
            .map(|((payer, procedure), g)| {
                let lines = Decimal::from(g.lines);
                ScorecardRow {
                    payer,
                    procedure,
                    lines: g.lines,
                    units: g.units,
                    billed: g.billed,
                    allowed: g.allowed,
                    paid: g.paid,
                    allowed_per_unit: spread(&g.per_unit),
                    expected_lines: g.expected_lines,
                    expected: g.expected,
                    underpaid_lines: g.underpaid_lines,
                    shortfall: g.shortfall,
                    allowed_percent_of_billed: percent(g.kept_allowed, g.kept_billed),
                    references: names
                        .iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let (n, reference, allowed) = g.references.get(i).copied().unwrap_or((
                                0,
                                Decimal::ZERO,
                                Decimal::ZERO,
                            ));
                            ReferenceShare {
                                name: name.to_string(),
                                lines: n,
                                reference,
                                allowed,
                                percent: percent(allowed, reference),
                            }
                        })
                        .collect(),
                    denied_lines: g.denied,
                    denial_percent: percent(Decimal::from(g.denied), lines)
                        .unwrap_or(Decimal::ZERO),
                    denials: g
                        .denials
                        .into_iter()
                        .map(|(category, n)| DenialShare {
                            category,
                            lines: n,
                            percent: percent(Decimal::from(n), lines).unwrap_or(Decimal::ZERO),
                        })
                        .collect(),
                    median_days_to_payment: median(&g.days)
                        .map(|(a, b)| (Decimal::from(a) + Decimal::from(b)) / Decimal::TWO),
                }
            })
            .collect()
    }
}

/// `part ÷ whole × 100` to two decimals; `None` when `whole` is zero.
fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(whole)
        .map(cents)
}

fn spread(counts: &BTreeMap<Decimal, u64>) -> Option<Spread> {
    let (a, b) = median(counts)?;
    Some(Spread {
        min: *counts.keys().next()?,
        median: cents((a + b) / Decimal::TWO),
        max: *counts.keys().next_back()?,
    })
}

/// The two middle values of a multiset given as counts (the same value
/// twice for an odd total).
fn median<K: Copy>(counts: &BTreeMap<K, u64>) -> Option<(K, K)> {
    let n: u64 = counts.values().sum();
    if n == 0 {
        return None;
    }
    let (lo, hi) = ((n - 1) / 2, n / 2);
    let mut seen = 0;
    let mut low = None;
    for (k, c) in counts {
        seen += c;
        if low.is_none() && seen > lo {
            low = Some(*k);
        }
        if seen > hi {
            return Some((low?, *k));
        }
    }
    None
}
