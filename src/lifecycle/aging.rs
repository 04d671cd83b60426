//! Accounts-receivable aging: unanswered money by payer in 0–30, 31–60,
//! 61–90, 91–120 and over-120-day buckets, counted from the date of service
//! or from submission.
//!
//! Every amount lands in exactly one cell, so each row's buckets add up to
//! its total and the rows add up to the unanswered total: a claim without
//! the date the basis needs goes to a separate "no date" column instead of
//! being dropped. Pure: the caller decides what is unanswered and passes
//! the clock.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::text::Text;

/// The bucket labels, in order.
pub const BUCKETS: [&str; 5] = ["0-30", "31-60", "61-90", "91-120", "120+"];

/// One unanswered claim (or line) to age.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenItem {
    /// The payer, as it should appear in the table.
    pub payer: Text,
    /// The unanswered amount.
    pub amount: Decimal,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Date submitted (837 BHT04).
    pub submitted: Option<Date>,
}

/// What the age is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgingBasis {
    /// From the date of service.
    DateOfService,
    /// From the day the claim was sent.
    Submission,
}

impl AgingBasis {
    /// `date of service`, `submission`.
    pub fn label(self) -> &'static str {
        match self {
            AgingBasis::DateOfService => "date of service",
            AgingBasis::Submission => "submission",
        }
    }
}

/// One payer's row (or the total row).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AgingRow {
    /// The payer (`TOTAL` for the total row).
    pub payer: Text,
    /// Money per bucket, in [`BUCKETS`] order.
    pub buckets: [Decimal; 5],
    /// Money without the date the basis needs.
    pub no_date: Decimal,
    /// Everything in the row.
    pub total: Decimal,
    /// Items in the row.
    pub items: u64,
}

impl AgingRow {
    fn add(&mut self, slot: Option<usize>, amount: Decimal) {
        match slot {
            Some(i) => self.buckets[i] += amount,
            None => self.no_date += amount,
        }
        self.total += amount;
        self.items += 1;
    }
}

/// An aging table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AgingTable {
    /// What ages were counted from.
    pub basis: AgingBasis,
    /// The day ages were counted to.
    pub as_of: Date,
    /// One row per payer, by payer name.
    pub rows: Vec<AgingRow>,
    /// The sums of the rows.
    pub total: AgingRow,
}

impl AgingTable {
    /// Column names, for a table writer: `payer`, the buckets, `no_date`,
    /// `total`, `claims`.
    pub fn columns() -> [&'static str; 9] {
        [
            "payer", "0-30", "31-60", "61-90", "91-120", "120+", "no_date", "total", "claims",
        ]
    }

    /// Each row (payers, then `TOTAL`) as cells in [`AgingTable::columns`]
    /// order, money with two decimals.
    pub fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .chain(std::iter::once(&self.total))
            .map(|row| {
                let mut cells = vec![row.payer.to_string()];
                cells.extend(row.buckets.iter().map(|m| format!("{:.2}", m)));
                cells.push(format!("{:.2}", row.no_date));
                cells.push(format!("{:.2}", row.total));
                cells.push(row.items.to_string());
                cells
            })
            .collect()
    }
}

/// The bucket of an age in days (a future date counts as 0 days).
pub fn bucket(days: i64) -> usize {
    match days {
        ..=30 => 0,
        31..=60 => 1,
        61..=90 => 2,
        91..=120 => 3,
        _ => 4,
    }
}

/// Ages `items` on `as_of` by `basis`.
pub fn age<'a>(
    items: impl IntoIterator<Item = &'a OpenItem>,
    basis: AgingBasis,
    as_of: Date,
) -> AgingTable {
    let mut rows: BTreeMap<Text, AgingRow> = BTreeMap::new();
    let mut total = AgingRow {
        payer: "TOTAL".into(),
        ..AgingRow::default()
    };
    for item in items {
        let date = match basis {
            AgingBasis::DateOfService => item.service_date,
            AgingBasis::Submission => item.submitted,
        };
        let slot = date.map(|d| bucket(i64::from((as_of - d).get_days())));
        let row = rows.entry(item.payer.clone()).or_insert_with(|| AgingRow {
            payer: item.payer.clone(),
            ..AgingRow::default()
        });
        row.add(slot, item.amount);
        total.add(slot, item.amount);
    }
    AgingTable {
        basis,
        as_of,
        rows: rows.into_values().collect(),
        total,
    }
}
