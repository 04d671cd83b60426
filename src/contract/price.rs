//! Pricing: what the contract says the payer should have allowed for each
//! line of one remitted claim, and the basis for it in words. Pure: no I/O,
//! no clock; the same facts always give the same amounts.
//!
//! The steps for one line, in order (the module documentation of
//! [`crate::contract`] has the rules in full):
//!
//! 1. the most specific row with a rate prices it (none: not covered);
//! 2. the rules in force: built-in defaults, then the matching `*` rows
//!    from least to most specific, then the pricing row's own;
//! 3. the unit rate: the flat amount, or P % of the reference amount
//!    rounded to the cent (P % of billed is taken on the line's charge);
//! 4. units: units billed, capped at `max_units`;
//! 5. modifier rules, on rows that do not themselves name the modifier:
//!    professional/technical share, bilateral, assistant at surgery;
//! 6. multiple procedure reduction across the claim's lines of one date;
//! 7. the line amount is rounded to the cent, half away from zero;
//! 8. sequestration (CARC 253) reported on the line is taken off, up to the
//!    rule's percentage of the amount, when the reported allowed amount
//!    leaves it out.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use super::Contracts;
use super::error::{PricingError, RowRef, code_with_modifiers};
use super::load::ContractRow;
use super::rate::Rate;
use super::rules::{Rules, Sourced};
use super::scope::{Place, Specificity, Who};
use super::table::line_modifiers;
use crate::remittance::Adjustment;
use crate::text::Text;

/// The facts of one remitted claim that pricing needs. No patient names or
/// member ids: a claim is one patient, so the lines of one call are one
/// member's, and "same member, same date" is "same date" here.
#[derive(Clone, Copy, Debug)]
pub struct ClaimFacts<'a> {
    /// N1*PR N104 (or TRN03 when the 835 has none).
    pub payer_id: &'a str,
    /// N1*PR N102.
    pub payer_name: &'a str,
    /// CLP06 claim filing indicator (`12` PPO, `HM` HMO, `MB`…); empty
    /// when unknown.
    pub filing_indicator: &'a str,
    /// The payer's plan or product id when known (e.g. 835 REF*CE class of
    /// contract, or the 837's plan); empty otherwise.
    pub plan_id: &'a str,
    /// The claim's service lines, in remittance order.
    pub lines: &'a [LineFacts<'a>],
}

/// The facts of one service line.
#[derive(Clone, Copy, Debug)]
pub struct LineFacts<'a> {
    /// Procedure code as billed (SVC06 when present, else SVC01).
    pub procedure: &'a str,
    /// Its modifiers, in any order.
    pub modifiers: &'a [Text],
    /// Facility or non-facility, from the 837's SV105 or CLM05-1 (see
    /// [`Place::from_pos`]) or the 835's CLP08; unknown otherwise.
    pub place: Place,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Units billed (SVC07, else SVC05): expected is for what was billed;
    /// units the payer cut are a denial, not a contract price.
    pub units: Decimal,
    /// SVC02.
    pub billed: Decimal,
    /// The allowed amount the verdict compares with (AMT*B6, else paid +
    /// patient responsibility).
    pub allowed: Decimal,
    /// SVC03.
    pub paid: Decimal,
    /// The line's CAS adjustments (CARC 253 and the PR amounts are read).
    pub adjustments: &'a [Adjustment],
}

/// What the contract says should have been allowed for a line, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The expected allowed amount, in cents. Compare it with
    /// [`LineFacts::allowed`]: `variance = allowed − amount`.
    pub amount: Decimal,
    /// Which row and which rules produced `amount`, for `expected_basis`,
    /// e.g. `ACME 12 2024 (contracts.csv:97), 97014 at 18.75, 2 units, 2nd
    /// procedure at 50%`. Names files, rows, codes and amounts; no PHI.
    pub basis: String,
    /// The row that priced the line.
    pub row: RowRef,
    /// The CARC 253 amount taken off `amount` as expected (zero when none).
    pub sequestration: Decimal,
}

/// The outcome for one line: `Ok(None)` when no row covers it (no
/// `expected`, no verdict), an error when a row covers it but no amount
/// can be computed.
pub type LinePrice = Result<Option<Expected>, PricingError>;

/// The assistant-at-surgery modifiers: 80 assistant, 81 minimum assistant,
/// 82 when no qualified resident is available, AS non-physician assistant.
const ASSISTANT: [&str; 4] = ["80", "81", "82", "AS"];

/// A line priced up to the multiple procedure reduction.
struct Draft<'c> {
    row: &'c ContractRow,
    rules: Rules,
    amount: Decimal,
    parts: Vec<String>,
    /// In the multiple procedure ranking: `Some(has modifier 51)`.
    mppr: Option<bool>,
    procedure: String,
}

impl Contracts {
    /// Prices every line of one claim (one result per line, in order).
    pub fn price(&self, claim: &ClaimFacts<'_>) -> Vec<LinePrice> {
        let who = Who::new(
            claim.payer_id,
            claim.payer_name,
            claim.filing_indicator,
            claim.plan_id,
        );
        let mut drafts: Vec<Result<Option<Draft<'_>>, PricingError>> = claim
            .lines
            .iter()
            .map(|line| self.draft(&who, line))
            .collect();
        reduce_multiple_procedures(claim.lines, &mut drafts);
        drafts
            .into_iter()
            .zip(claim.lines)
            .map(|(draft, line)| match draft {
                Ok(Some(d)) => finish(d, line).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            })
            .collect()
    }

    /// The most specific row with a rate for a line, or an ambiguity.
    fn pricing_row(
        &self,
        who: &Who,
        procedure: &str,
        modifiers: &[Text],
        line: &LineFacts<'_>,
    ) -> Result<Option<&ContractRow>, PricingError> {
        let mut best: Option<(usize, Specificity)> = None;
        let mut tie: Option<usize> = None;
        let exact = self.by_procedure.get(procedure).into_iter().flatten();
        for &i in exact.chain(self.star.iter()) {
            let row = &self.rows[i];
            if row.rate.is_none() {
                continue;
            }
            let Some(s) =
                row.scope
                    .matches(who, procedure, modifiers, line.place, line.service_date)
            else {
                continue;
            };
            match best {
                Some((_, b)) if b > s => {}
                Some((_, b)) if b == s => tie = Some(i),
                _ => {
                    best = Some((i, s));
                    tie = None;
                }
            }
        }
        match (best, tie) {
            // Named in load order (row indices follow it).
            (Some((i, _)), Some(j)) => Err(PricingError::Ambiguous {
                first: self.rows[i.min(j)].at.clone(),
                second: self.rows[i.max(j)].at.clone(),
                procedure: code_with_modifiers(procedure, modifiers),
            }),
            (best, _) => Ok(best.map(|(i, _)| &self.rows[i])),
        }
    }

    /// The rules in force for a line priced by `row`.
    fn rules_for(
        &self,
        who: &Who,
        procedure: &str,
        line: &LineFacts<'_>,
        row: &ContractRow,
    ) -> Rules {
        let mut layers: Vec<(Specificity, usize)> = self
            .star
            .iter()
            .filter_map(|&i| {
                let s = self.rows[i].scope.matches(
                    who,
                    procedure,
                    &[],
                    line.place,
                    line.service_date,
                )?;
                Some((s, i))
            })
            .collect();
        layers.sort_unstable();
        let mut rules = Rules::builtin();
        for (_, i) in layers {
            rules.overlay(&self.rows[i].rules);
        }
        if row.scope.procedure.is_some() {
            rules.overlay(&row.rules);
        }
        rules
    }

    /// Steps 1–5 for one line.
    fn draft<'c>(
        &'c self,
        who: &Who,
        line: &LineFacts<'_>,
    ) -> Result<Option<Draft<'c>>, PricingError> {
        let procedure = line.procedure.trim().to_ascii_uppercase();
        if procedure.is_empty() {
            return Ok(None);
        }
        let modifiers = line_modifiers(line.modifiers);
        let Some(row) = self.pricing_row(who, &procedure, &modifiers, line)? else {
            return Ok(None);
        };
        let rules = self.rules_for(who, &procedure, line, row);
        let shown = code_with_modifiers(&procedure, &modifiers);
        let overflow = || PricingError::Overflow {
            row: row.at.clone(),
            procedure: shown.clone(),
        };
        let mut parts = vec![format!("{} ({})", row.scope.label(), row.at)];
        if line.units <= Decimal::ZERO {
            return Err(PricingError::Units {
                row: row.at.clone(),
                procedure: shown,
                units: line.units.normalize().to_string(),
            });
        }
        let (units, units_text) = match &rules.max_units {
            Some(cap) if line.units > cap.value => (
                cap.value,
                format!(
                    "{} ({} billed, max {}{})",
                    units_word(cap.value),
                    line.units.normalize(),
                    cap.value.normalize(),
                    match &cap.from {
                        Some(at) if *at != row.at => format!(" from {at}"),
                        _ => String::new(),
                    }
                ),
            ),
            _ => (line.units, units_word(line.units)),
        };
        // Modifiers the pricing row (or its reference row) names are priced
        // by that row: a rule for them would count them twice.
        let mut named: Vec<Text> = row.scope.modifiers.clone();
        let unit = match row.rate.as_ref().expect("pricing rows have a rate") {
            Rate::Flat(r) => {
                parts.push(format!("{shown} at {}", money(*r)));
                *r
            }
            Rate::OfReference { percent, schedule } => {
                let s = self
                    .references
                    .get(schedule)
                    .expect("rates name loaded schedules (checked at load)");
                let Some(found) =
                    s.lookup(&procedure, &modifiers, line.place, line.service_date)?
                else {
                    return Err(PricingError::NoReferenceAmount {
                        row: row.at.clone(),
                        schedule: s.name().to_string(),
                        procedure: shown,
                        on: super::error::on_date(line.service_date),
                    });
                };
                named.extend(found.row.modifiers.iter().cloned());
                let unit = cents(of(found.unit, *percent).ok_or_else(overflow)?);
                let column = if found.column.is_empty() {
                    String::new()
                } else {
                    format!(" {}", found.column)
                };
                parts.push(format!(
                    "{shown} at {}% of {}{column} {} ({}) = {}",
                    percent.normalize(),
                    s.name(),
                    money(found.unit),
                    found.row.at,
                    money(unit)
                ));
                unit
            }
            Rate::OfBilled { percent } => {
                // The charge already reflects 26/TC, 50 and 80: the
                // modifier rules below would count them twice.
                parts.push(format!(
                    "{shown} at {}% of billed {}",
                    percent.normalize(),
                    money(line.billed)
                ));
                parts.push(units_text);
                let share = of(line.billed, *percent)
                    .and_then(|a| a.checked_mul(units))
                    .and_then(|a| a.checked_div(line.units))
                    .ok_or_else(overflow)?;
                let mppr = mppr_role(&rules, &procedure, &modifiers, &named);
                return Ok(Some(Draft {
                    row,
                    rules,
                    amount: share,
                    parts,
                    mppr,
                    procedure: shown,
                }));
            }
        };
        let has = |m: &str| modifiers.iter().any(|x| x == m) && !named.iter().any(|x| x == m);
        let bilateral = match &rules.bilateral {
            Some(Sourced {
                value: Some(p),
                from,
            }) if has("50") => Some((*p, from.clone())),
            _ => None,
        };
        // A bilateral procedure is one procedure at the bilateral
        // percentage whatever the units say (Medicare: one line, 1 unit).
        let mut amount = if bilateral.is_some() {
            parts.push(if units == Decimal::ONE {
                units_text
            } else {
                format!(
                    "{} billed, priced as one bilateral procedure",
                    units_word(units)
                )
            });
            unit
        } else {
            parts.push(units_text);
            unit.checked_mul(units).ok_or_else(overflow)?
        };
        for (slot, default, name, words) in [
            (
                &rules.professional,
                "26",
                "professional",
                "professional component",
            ),
            (&rules.technical, "TC", "technical", "technical component"),
        ] {
            let modifier = match slot {
                Some(Sourced { value: Some(c), .. }) => c.modifier.as_str(),
                _ => default,
            };
            if !has(modifier) {
                continue;
            }
            let Some(Sourced {
                value: Some(c),
                from,
            }) = slot
            else {
                return Err(PricingError::NoShare {
                    row: row.at.clone(),
                    procedure: shown,
                    modifier: modifier.to_string(),
                    rule: name,
                });
            };
            amount = of(amount, c.percent).ok_or_else(overflow)?;
            parts.push(format!(
                "{words} ({modifier}) at {}% of the global{}",
                c.percent.normalize(),
                cite(from, row)
            ));
        }
        if let Some((p, from)) = bilateral {
            amount = of(amount, p).ok_or_else(overflow)?;
            parts.push(format!(
                "bilateral (50) at {}%{}",
                p.normalize(),
                cite(&from, row)
            ));
        }
        if let Some(modifier) = ASSISTANT.iter().find(|m| has(m)) {
            let Some(Sourced {
                value: Some(p),
                from,
            }) = &rules.assistant
            else {
                return Err(PricingError::NoShare {
                    row: row.at.clone(),
                    procedure: shown,
                    modifier: modifier.to_string(),
                    rule: "assistant",
                });
            };
            amount = of(amount, *p).ok_or_else(overflow)?;
            parts.push(format!(
                "assistant at surgery ({modifier}) at {}%{}",
                p.normalize(),
                cite(from, row)
            ));
        }
        let mppr = mppr_role(&rules, &procedure, &modifiers, &named);
        Ok(Some(Draft {
            row,
            rules,
            amount,
            parts,
            mppr,
            procedure: shown,
        }))
    }
}

/// Whether a line takes part in the multiple procedure ranking: the rule is
/// on, and the code counts as surgical (`mppr_codes`) or the line carries
/// modifier 51 (the provider's own statement that it is a secondary
/// procedure). `Some(has 51)` when it does.
fn mppr_role(rules: &Rules, procedure: &str, modifiers: &[Text], named: &[Text]) -> Option<bool> {
    let Some(Sourced { value: Some(_), .. }) = &rules.mppr else {
        return None;
    };
    let has51 = modifiers.iter().any(|m| m == "51") && !named.iter().any(|m| m == "51");
    let surgical = rules
        .mppr_codes
        .as_ref()
        .is_some_and(|c| c.value.contains(procedure));
    (surgical || has51).then_some(has51)
}

/// Step 6. Among the lines of one date of service that take part, the
/// highest amount (after steps 1–5) is paid in full and the others at the
/// rule's percentages, in descending order of amount (ties: the earlier
/// line ranks first). A lone line with modifier 51 is reduced too: its
/// primary procedure was billed elsewhere.
fn reduce_multiple_procedures(
    lines: &[LineFacts<'_>],
    drafts: &mut [Result<Option<Draft<'_>>, PricingError>],
) {
    let mut dates: Vec<Option<Date>> = lines.iter().map(|l| l.service_date).collect();
    dates.sort_unstable();
    dates.dedup();
    for date in dates {
        let mut ranked: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].service_date == date)
            .filter(|&i| matches!(&drafts[i], Ok(Some(d)) if d.mppr.is_some()))
            .collect();
        let amount = |i: usize| match &drafts[i] {
            Ok(Some(d)) => d.amount,
            _ => Decimal::ZERO,
        };
        ranked.sort_by(|&a, &b| amount(b).cmp(&amount(a)).then(a.cmp(&b)));
        let alone = ranked.len() == 1;
        for (rank, &i) in ranked.iter().enumerate() {
            let Ok(Some(d)) = &mut drafts[i] else {
                continue;
            };
            let Some(Sourced {
                value: Some(m),
                from,
            }) = d.rules.mppr.clone()
            else {
                continue;
            };
            let (percent, words) = match rank {
                0 if alone && d.mppr == Some(true) => {
                    (m.second, "modifier 51 procedure".to_string())
                }
                0 => continue,
                1 => (m.second, format!("{} procedure", ordinal(rank + 1))),
                _ => (m.rest, format!("{} procedure", ordinal(rank + 1))),
            };
            if percent == Decimal::ONE_HUNDRED {
                continue;
            }
            match of(d.amount, percent) {
                Some(a) => d.amount = a,
                None => {
                    drafts[i] = Err(PricingError::Overflow {
                        row: d.row.at.clone(),
                        procedure: d.procedure.clone(),
                    });
                    continue;
                }
            }
            d.parts.push(format!(
                "{words} at {}%{}",
                percent.normalize(),
                cite(&from, d.row)
            ));
        }
    }
}

/// Steps 7 and 8.
fn finish(mut d: Draft<'_>, line: &LineFacts<'_>) -> Result<Expected, PricingError> {
    let mut amount = cents(d.amount);
    let mut taken = Decimal::ZERO;
    if let Some(Sourced {
        value: Some(cap),
        from,
    }) = &d.rules.sequestration
    {
        let reported: Decimal = line
            .adjustments
            .iter()
            .filter(|a| a.reason == "253")
            .map(|a| a.amount)
            .sum();
        let patient: Decimal = line
            .adjustments
            .iter()
            .filter(|a| a.group == "PR")
            .map(|a| a.amount)
            .sum();
        // Medicare's AMT*B6 is the allowed amount before sequestration;
        // paid + patient responsibility (the fallback allowed) is after it.
        // Only in the second case is the 253 amount missing from allowed.
        let left_out = line.paid + patient + reported > line.allowed;
        if reported > Decimal::ZERO && left_out {
            let limit = cents(of(amount, *cap).unwrap_or(Decimal::ZERO));
            taken = reported.min(limit);
            amount -= taken;
            d.parts.push(if taken == reported {
                format!(
                    "less sequestration {} (CARC 253){}",
                    money(taken),
                    cite(from, d.row)
                )
            } else {
                format!(
                    "less sequestration {} of {} reported (CARC 253 above {}% is a shortfall){}",
                    money(taken),
                    money(reported),
                    cap.normalize(),
                    cite(from, d.row)
                )
            });
        }
    }
    Ok(Expected {
        amount,
        basis: d.parts.join(", "),
        row: d.row.at.clone(),
        sequestration: taken,
    })
}

/// `amount × percent / 100`, unrounded; `None` on overflow.
fn of(amount: Decimal, percent: Decimal) -> Option<Decimal> {
    amount
        .checked_mul(percent)?
        .checked_div(Decimal::ONE_HUNDRED)
}

/// Rounded to the cent, half away from zero (1.005 → 1.01, −1.005 → −1.01).
pub(crate) fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount with at least two decimals (`85.00`, `42.505`).
fn money(amount: Decimal) -> String {
    let n = amount.normalize();
    if n.scale() <= 2 {
        format!("{n:.2}")
    } else {
        n.to_string()
    }
}

/// `1 unit`, `2 units`, `1.5 units`.
fn units_word(units: Decimal) -> String {
    let n = units.normalize();
    if n == Decimal::ONE {
        "1 unit".into()
    } else {
        format!("{n} units")
    }
}

/// ` (contracts.csv:2)` when a rule came from another row than the pricing
/// row; nothing for the pricing row's own rules and built-in defaults.
fn cite(from: &Option<RowRef>, row: &ContractRow) -> String {
    match from {
        Some(at) if *at != row.at => format!(" ({at})"),
        _ => String::new(),
    }
}

/// `2nd`, `3rd`, `11th`, `21st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(4), "4th");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(21), "21st");
        assert_eq!(money(Decimal::new(85, 0)), "85.00");
        assert_eq!(money(Decimal::new(42505, 3)), "42.505");
        assert_eq!(units_word(Decimal::new(10, 1)), "1 unit");
        assert_eq!(units_word(Decimal::new(15, 1)), "1.5 units");
        assert_eq!(cents(Decimal::new(1005, 3)), Decimal::new(101, 2));
        assert_eq!(cents(Decimal::new(-1005, 3)), Decimal::new(-101, 2));
    }
}
