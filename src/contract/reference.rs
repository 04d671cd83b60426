//! Reference schedules (`--reference NAME=CSV`): amounts per procedure and
//! modifier that contract rates can be a percentage of (a Medicare locality
//! fee schedule, a usual-and-customary percentile table) and that the
//! scorecard compares allowed amounts with.
//!
//! Columns (header names fixed, any order): `procedure` (required),
//! `modifier`, `amount`, `facility`, `nonfacility`, `from`, `to`; at least
//! one of the three amount columns, and at least one amount per row.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::conflict::{self, Entry};
use super::error::{ContractError, PricingError, RowRef};
use super::scope::{Period, Place};
use super::table::{self, Table};
use crate::text::Text;

const COLUMNS: [&str; 7] = [
    "procedure",
    "modifier",
    "amount",
    "facility",
    "nonfacility",
    "from",
    "to",
];
const EXPECTED: &str = "procedure, modifier, amount, facility, nonfacility, from, to";
const PROCEDURE: usize = 0;
const MODIFIER: usize = 1;
const AMOUNT: usize = 2;
const FACILITY: usize = 3;
const NONFACILITY: usize = 4;
const FROM: usize = 5;
const TO: usize = 6;

/// One row of a reference schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReferenceRow {
    pub at: RowRef,
    pub modifiers: Vec<Text>,
    amount: Option<Decimal>,
    facility: Option<Decimal>,
    nonfacility: Option<Decimal>,
    period: Period,
}

/// A reference amount for one unit of a line, and where it came from.
#[derive(Clone, Debug)]
pub(crate) struct ReferenceAmount<'a> {
    pub unit: Decimal,
    pub row: &'a ReferenceRow,
    /// `facility`, `non-facility`, `lower of facility and non-facility` or
    /// empty (the `amount` column).
    pub column: &'static str,
}

/// One named reference schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceSchedule {
    name: Text,
    rows: HashMap<Text, Vec<ReferenceRow>>,
}

impl ReferenceSchedule {
    /// The name contract rates use (`115% of medicare`), as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.values().map(Vec::len).sum()
    }

    /// True when the schedule has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Reads one schedule, collecting every problem into `errors`.
    pub(crate) fn read(
        name: &str,
        file: Arc<str>,
        input: impl Read,
        errors: &mut Vec<ContractError>,
    ) -> Option<ReferenceSchedule> {
        let before = errors.len();
        let table = match Table::open(file.clone(), input, EXPECTED) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                return None;
            }
        };
        let columns = match table.columns(&COLUMNS, &["procedure"], "reference schedule", EXPECTED)
        {
            Ok(c) => c,
            Err(es) => {
                errors.extend(es);
                return None;
            }
        };
        if !["amount", "facility", "nonfacility"]
            .iter()
            .any(|c| table.has(c))
        {
            errors.push(ContractError::MissingColumn {
                file,
                column: "amount",
            });
            return None;
        }
        let mut rows: HashMap<Text, Vec<ReferenceRow>> = HashMap::new();
        for row in table.rows(&columns) {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let cell = |c| row.cell(&columns, c);
            let procedure = match table::procedure(cell(PROCEDURE)) {
                Some(p) => p,
                None => {
                    errors.push(row.bad(
                        "procedure",
                        cell(PROCEDURE),
                        "a procedure code (letters and digits)",
                    ));
                    continue;
                }
            };
            let Some(modifiers) = table::modifiers(cell(MODIFIER)) else {
                errors.push(row.bad(
                    "modifier",
                    cell(MODIFIER),
                    "two-character modifiers separated by ':'",
                ));
                continue;
            };
            let mut money = |c: usize, name: &'static str| -> Option<Decimal> {
                let text = cell(c);
                if text.is_empty() {
                    return None;
                }
                let value = table::amount(text);
                if value.is_none() {
                    errors.push(row.bad(name, text, "an amount (e.g. 43.21)"));
                }
                value
            };
            let amount = money(AMOUNT, "amount");
            let facility = money(FACILITY, "facility");
            let nonfacility = money(NONFACILITY, "nonfacility");
            let mut date = |c: usize, name: &'static str| -> Option<Date> {
                let text = cell(c);
                if text.is_empty() {
                    return None;
                }
                let value = table::date(text);
                if value.is_none() {
                    errors.push(row.bad(name, text, "a date (2024-01-31, 20240131 or 01/31/2024)"));
                }
                value
            };
            let period = Period {
                from: date(FROM, "from"),
                to: date(TO, "to"),
            };
            if let (Some(f), Some(t)) = (period.from, period.to) {
                if f > t {
                    errors.push(row.bad("to", cell(TO), format!("a date on or after from ({f})")));
                }
            }
            if amount.is_none() && facility.is_none() && nonfacility.is_none() {
                if [AMOUNT, FACILITY, NONFACILITY]
                    .iter()
                    .all(|c| cell(*c).is_empty())
                {
                    errors.push(row.bad(
                        "amount",
                        "",
                        "an amount in amount, facility or nonfacility",
                    ));
                }
                continue;
            }
            rows.entry(procedure).or_default().push(ReferenceRow {
                at: row.at.clone(),
                modifiers,
                amount,
                facility,
                nonfacility,
                period,
            });
        }
        for (procedure, rs) in &rows {
            let entries: Vec<Entry<'_, &[Text]>> = rs
                .iter()
                .map(|r| Entry {
                    at: &r.at,
                    key: r.modifiers.as_slice(),
                    period: r.period,
                })
                .collect();
            conflict::check(
                &entries,
                |a, b| a == b,
                |m| {
                    if m.is_empty() {
                        format!("reference {name}, procedure {procedure}")
                    } else {
                        format!(
                            "reference {name}, procedure {procedure}, modifiers {}",
                            m.join(":")
                        )
                    }
                },
                errors,
            );
        }
        (errors.len() == before).then(|| ReferenceSchedule {
            name: name.into(),
            rows,
        })
    }

    /// The amount for one unit of a line: the row naming most of the line's
    /// modifiers (a row matches when the line carries all it names), a
    /// dated row before the undated one; its `facility` or `nonfacility`
    /// amount for a known place, else `amount`; for an unknown place,
    /// `amount`, else the lower of the two so that a guessed place never
    /// makes a line look underpaid. `Ok(None)`: no amount.
    pub(crate) fn lookup(
        &self,
        procedure: &str,
        modifiers: &[Text],
        place: Place,
        date: Option<Date>,
    ) -> Result<Option<ReferenceAmount<'_>>, PricingError> {
        let Some(rows) = self.rows.get(procedure) else {
            return Ok(None);
        };
        let mut best: Option<(&ReferenceRow, (usize, bool))> = None;
        let mut tie: Option<&ReferenceRow> = None;
        for r in rows {
            if !r.modifiers.iter().all(|m| modifiers.contains(m)) || !r.period.covers(date) {
                continue;
            }
            let rank = (r.modifiers.len(), r.period.is_dated());
            match best {
                Some((_, b)) if b > rank => {}
                Some((_, b)) if b == rank => tie = Some(r),
                _ => {
                    best = Some((r, rank));
                    tie = None;
                }
            }
        }
        let Some((row, _)) = best else {
            return Ok(None);
        };
        if let Some(other) = tie {
            return Err(PricingError::Ambiguous {
                first: row.at.clone().min(other.at.clone()),
                second: row.at.clone().max(other.at.clone()),
                procedure: super::error::code_with_modifiers(procedure, modifiers),
            });
        }
        let found = match place {
            Place::Facility => pick(row.facility, "facility").or(pick(row.amount, "")),
            Place::NonFacility => pick(row.nonfacility, "non-facility").or(pick(row.amount, "")),
            Place::Unknown => pick(row.amount, "").or(match (row.facility, row.nonfacility) {
                (Some(f), Some(n)) => Some((f.min(n), "lower of facility and non-facility")),
                (Some(f), None) => Some((f, "facility")),
                (None, Some(n)) => Some((n, "non-facility")),
                (None, None) => None,
            }),
        };
        Ok(found.map(|(unit, column)| ReferenceAmount { unit, row, column }))
    }
}

fn pick(amount: Option<Decimal>, column: &'static str) -> Option<(Decimal, &'static str)> {
    amount.map(|a| (a, column))
}

/// Every loaded reference schedule, by lower-cased name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References {
    schedules: Vec<ReferenceSchedule>,
}

impl References {
    /// The schedules, in the order they were given.
    pub fn iter(&self) -> impl Iterator<Item = &ReferenceSchedule> {
        self.schedules.iter()
    }

    /// The schedule called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&ReferenceSchedule> {
        self.schedules
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The names, comma-separated, or `none`.
    pub(crate) fn names(&self) -> String {
        if self.schedules.is_empty() {
            "none".into()
        } else {
            self.schedules
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    pub(crate) fn push(&mut self, schedule: ReferenceSchedule) {
        self.schedules.push(schedule);
    }
}

/// Checks a reference name: letters, digits, `_`, `-` and `.`, not
/// `billed` (which rates use for the line's own charge).
pub(crate) fn check_name(name: &str) -> Result<(), ContractError> {
    let bad = |why| {
        Err(ContractError::BadReferenceName {
            name: name.to_string(),
            why,
        })
    };
    if name.is_empty() {
        return bad("the name is empty; write --reference NAME=FILE");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return bad("use letters, digits, '_', '-' and '.' only");
    }
    if name.eq_ignore_ascii_case("billed") {
        return bad("\"billed\" is reserved for the line's billed amount");
    }
    Ok(())
}
