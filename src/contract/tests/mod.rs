//! Contract tests, with contracts written out by hand and the arithmetic of
//! each expected amount in a comment beside it.

mod example;
mod format;
mod legacy;
mod old_fees;
mod pricing;
mod rules;
mod scorecard;

use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use crate::remittance::Adjustment;
use crate::text::Text;

pub(super) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(super) fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// Loads contract files `(name, text)` and reference schedules
/// `(name, file, text)`.
pub(super) fn try_load(
    contracts: &[(&str, &str)],
    references: &[(&str, &str, &str)],
) -> Result<Contracts, LoadErrors> {
    let mut loader = ContractLoader::new();
    for (file, text) in contracts {
        loader.add_contract(file, text.as_bytes());
    }
    for (name, file, text) in references {
        loader.add_reference(name, file, text.as_bytes());
    }
    loader.finish()
}

pub(super) fn load(contracts: &[(&str, &str)], references: &[(&str, &str, &str)]) -> Contracts {
    try_load(contracts, references).unwrap_or_else(|e| panic!("{e}"))
}

/// The error messages of a load that must fail.
pub(super) fn load_errors(
    contracts: &[(&str, &str)],
    references: &[(&str, &str, &str)],
) -> Vec<String> {
    match try_load(contracts, references) {
        Ok(_) => panic!("the load should have failed"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

/// An owned service line for tests.
#[derive(Clone, Debug)]
pub(super) struct L {
    pub procedure: String,
    pub modifiers: Vec<Text>,
    pub place: Place,
    pub date: Option<Date>,
    pub units: Decimal,
    pub billed: Decimal,
    pub allowed: Decimal,
    pub paid: Decimal,
    pub adjustments: Vec<Adjustment>,
}

/// A line of `units` units on 2024-03-04, billed 100.00, place unknown.
pub(super) fn line(procedure: &str, modifiers: &[&str], units: &str) -> L {
    L {
        procedure: procedure.to_string(),
        modifiers: modifiers.iter().map(|m| Text::from(*m)).collect(),
        place: Place::Unknown,
        date: Some(day("2024-03-04")),
        units: d(units),
        billed: d("100.00"),
        allowed: Decimal::ZERO,
        paid: Decimal::ZERO,
        adjustments: Vec::new(),
    }
}

impl L {
    pub fn on(mut self, date: &str) -> L {
        self.date = Some(day(date));
        self
    }
    pub fn at(mut self, place: Place) -> L {
        self.place = place;
        self
    }
    pub fn billed(mut self, amount: &str) -> L {
        self.billed = d(amount);
        self
    }
}

/// The payer and plan of a test claim.
pub(super) struct Payer<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub filing: &'a str,
    pub plan: &'a str,
}

pub(super) const ACME: Payer<'static> = Payer {
    id: "60054",
    name: "ACME HEALTH PLAN",
    filing: "12",
    plan: "",
};

pub(super) fn price(contracts: &Contracts, payer: &Payer<'_>, lines: &[L]) -> Vec<LinePrice> {
    let facts: Vec<LineFacts<'_>> = lines
        .iter()
        .map(|l| LineFacts {
            procedure: &l.procedure,
            modifiers: &l.modifiers,
            place: l.place,
            service_date: l.date,
            units: l.units,
            billed: l.billed,
            allowed: l.allowed,
            paid: l.paid,
            adjustments: &l.adjustments,
        })
        .collect();
    contracts.price(&ClaimFacts {
        payer_id: payer.id,
        payer_name: payer.name,
        filing_indicator: payer.filing,
        plan_id: payer.plan,
        lines: &facts,
    })
}

/// The expected amount of each line (`None`: not covered); panics on a
/// pricing error.
pub(super) fn amounts(
    contracts: &Contracts,
    payer: &Payer<'_>,
    lines: &[L],
) -> Vec<Option<Decimal>> {
    price(contracts, payer, lines)
        .into_iter()
        .map(|p| p.unwrap_or_else(|e| panic!("{e}")).map(|e| e.amount))
        .collect()
}

/// The expected amount and basis of one line priced alone.
pub(super) fn one(contracts: &Contracts, payer: &Payer<'_>, l: L) -> (Decimal, String) {
    let e = price(contracts, payer, &[l])
        .pop()
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("the line should be covered");
    (e.amount, e.basis)
}

pub(super) fn adjustment(group: &str, reason: &str, amount: &str) -> Adjustment {
    Adjustment {
        group: group.into(),
        reason: reason.into(),
        amount: d(amount),
        quantity: None,
    }
}
