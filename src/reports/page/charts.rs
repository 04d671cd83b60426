//! The chart series of the report: paid vs billed by payer and by payment
//! month, denials by reason, days from service to payment. They are summed
//! as rows arrive, so memory grows with payers, months and reason codes,
//! never with rows; long tails are folded into one "other" bar.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::figures::denied_amount;
use crate::codes::{CodeList, describe_adjustment};
use crate::line::{DecidedLine, EventKind, Status};

/// Payers shown by name; the rest share one bar.
pub const TOP_PAYERS: usize = 15;
/// Reason codes shown by name; the rest share one bar.
pub const TOP_REASONS: usize = 15;
/// Payment months shown (up to the latest); earlier months share one bar.
pub const MONTHS: usize = 36;

/// Billed and paid of one payer or one month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaidVsBilled {
    /// Payer name or `YYYY-MM`.
    pub label: String,
    /// Σ billed.
    pub billed: Decimal,
    /// Σ paid.
    pub paid: Decimal,
    /// Rows summed.
    pub rows: u64,
}

/// Denied charges of one reason code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReasonBar {
    /// `GROUP-CARC`, e.g. `CO-50`.
    pub code: String,
    /// The code in words.
    pub description: String,
    /// Σ denied amount of the denials it explains (as the Denied figure).
    pub denied: Decimal,
    /// Denied rows.
    pub lines: u64,
}

/// Paid lines whose payment came within a range of days after service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayBucket {
    /// The range, e.g. `31–45`.
    pub label: &'static str,
    /// Paid lines in it.
    pub lines: u64,
    /// Σ paid of those lines.
    pub paid: Decimal,
}

/// Every chart's series.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Charts {
    /// By payer, largest billed first.
    pub by_payer: Vec<PaidVsBilled>,
    /// By payment month, oldest first.
    pub by_month: Vec<PaidVsBilled>,
    /// Denials by primary reason, largest first.
    pub reasons: Vec<ReasonBar>,
    /// Days from service to payment.
    pub days: Vec<DayBucket>,
    /// Median days from service to payment of paid lines.
    pub median_days: Option<i64>,
}

/// The bucket bounds (inclusive upper day) and labels.
const BUCKETS: [(i64, &str); 8] = [
    (14, "0–14"),
    (30, "15–30"),
    (45, "31–45"),
    (60, "46–60"),
    (90, "61–90"),
    (180, "91–180"),
    (365, "181–365"),
    (i64::MAX, "over 365"),
];

/// Sums the series one row at a time.
#[derive(Debug, Default)]
pub struct ChartBuilder {
    payers: HashMap<String, PaidVsBilled>,
    months: BTreeMap<Option<(i16, i8)>, PaidVsBilled>,
    reasons: HashMap<(String, String), (Decimal, u64)>,
    days: BTreeMap<i64, (u64, Decimal)>,
}

fn add(sum: &mut PaidVsBilled, row: &DecidedLine) {
    sum.billed += row.event.billed;
    sum.paid += row.event.paid;
    sum.rows += 1;
}

impl ChartBuilder {
    /// Adds one ledger row; `codes` tells which adjustments deny.
    pub fn add_row(&mut self, row: &DecidedLine, codes: &CodeList) {
        if row.status == Status::NoRemittance {
            return;
        }
        let context = &row.event.context;
        match self.payers.get_mut(context.payer.as_str()) {
            Some(sum) => add(sum, row),
            None => {
                let mut sum = PaidVsBilled::default();
                add(&mut sum, row);
                self.payers.insert(context.payer.to_string(), sum);
            }
        }
        let month = context.payment_date.map(|d| (d.year(), d.month()));
        add(self.months.entry(month).or_default(), row);
        if let Some(amount) = denied_amount(row) {
            let entry = self.reasons.entry(primary_reason(row, codes)).or_default();
            entry.0 += amount;
            entry.1 += 1;
        }
        if let Some(days) = days_to_payment(row) {
            let entry = self.days.entry(days).or_default();
            entry.0 += 1;
            entry.1 += row.event.paid;
        }
    }

    /// The finished series; reason codes are described from `codes`.
    pub fn finish(self, codes: &CodeList) -> Charts {
        Charts {
            by_payer: top_payers(self.payers),
            by_month: last_months(self.months),
            reasons: top_reasons(self.reasons, codes),
            days: buckets(&self.days),
            median_days: median(&self.days),
        }
    }
}

/// The denial adjustment with the largest amount (the first of equals), as
/// `(group, reason)`; empty when the payer gave none.
fn primary_reason(row: &DecidedLine, codes: &CodeList) -> (String, String) {
    let mut best: Option<&crate::remittance::Adjustment> = None;
    for a in row.event.denial_reasons(codes) {
        if best.is_none_or(|b| a.amount > b.amount) {
            best = Some(a);
        }
    }
    best.map_or_else(Default::default, |a| {
        (a.group.to_string(), a.reason.to_string())
    })
}

/// Days from service to payment of a paid service line or claim.
fn days_to_payment(row: &DecidedLine) -> Option<i64> {
    let e = &row.event;
    if row.status != Status::Paid || !matches!(e.kind, EventKind::Line | EventKind::Claim) {
        return None;
    }
    let (service, paid): (Date, Date) = (e.service_date?, e.context.payment_date?);
    Some(i64::from((paid - service).get_days()))
}

fn top_payers(payers: HashMap<String, PaidVsBilled>) -> Vec<PaidVsBilled> {
    let mut all: Vec<PaidVsBilled> = payers
        .into_iter()
        .map(|(name, mut sum)| {
            sum.label = if name.is_empty() {
                "(no payer name)".into()
            } else {
                name
            };
            sum
        })
        .collect();
    all.sort_by(|a, b| b.billed.cmp(&a.billed).then_with(|| a.label.cmp(&b.label)));
    fold_tail(all, TOP_PAYERS, "payers")
}

/// Keeps the first `keep` bars and folds the rest into one.
fn fold_tail(mut all: Vec<PaidVsBilled>, keep: usize, what: &str) -> Vec<PaidVsBilled> {
    if all.len() <= keep {
        return all;
    }
    let tail = all.split_off(keep - 1);
    let mut other = PaidVsBilled {
        label: format!("{} other {what}", tail.len()),
        ..Default::default()
    };
    for t in tail {
        other.billed += t.billed;
        other.paid += t.paid;
        other.rows += t.rows;
    }
    all.push(other);
    all
}

/// Every calendar month from the first payment to the latest, at most the
/// last [`MONTHS`] (months without payments as zero bars), after one bar for
/// earlier months and one for rows without a payment date, when there are
/// any.
fn last_months(months: BTreeMap<Option<(i16, i8)>, PaidVsBilled>) -> Vec<PaidVsBilled> {
    let dated = months.keys().flatten();
    let (Some(&first), Some(&latest)) = (dated.clone().next(), dated.last()) else {
        return months
            .into_values()
            .map(|m| labelled(m, "no date".into()))
            .collect();
    };
    let window: Vec<(i16, i8)> = (0..MONTHS as i32)
        .rev()
        .map(|back| month_before(latest, back))
        .filter(|m| *m >= first)
        .collect();
    let mut before = PaidVsBilled {
        label: format!(
            "before {}",
            month_label(window.first().copied().unwrap_or(latest))
        ),
        ..Default::default()
    };
    let mut undated = PaidVsBilled::default();
    let mut shown: BTreeMap<(i16, i8), PaidVsBilled> = window
        .iter()
        .map(|&m| (m, labelled(PaidVsBilled::default(), month_label(m))))
        .collect();
    for (month, sum) in months {
        let target = match month {
            None => &mut undated,
            Some(m) => match shown.get_mut(&m) {
                Some(bar) => bar,
                None => &mut before,
            },
        };
        target.billed += sum.billed;
        target.paid += sum.paid;
        target.rows += sum.rows;
    }
    let extra = [labelled(undated, "no date".into()), before];
    let extra = extra.into_iter().filter(|b| b.rows > 0);
    extra.chain(shown.into_values()).collect()
}

fn labelled(mut sum: PaidVsBilled, label: String) -> PaidVsBilled {
    sum.label = label;
    sum
}

fn month_label((year, month): (i16, i8)) -> String {
    format!("{year:04}-{month:02}")
}

/// The month `back` months before `(year, month)`.
fn month_before((year, month): (i16, i8), back: i32) -> (i16, i8) {
    let index = i32::from(year) * 12 + i32::from(month) - 1 - back;
    (
        (index.div_euclid(12)) as i16,
        (index.rem_euclid(12) + 1) as i8,
    )
}

fn top_reasons(
    reasons: HashMap<(String, String), (Decimal, u64)>,
    codes: &CodeList,
) -> Vec<ReasonBar> {
    let mut all: Vec<ReasonBar> = reasons
        .into_iter()
        .map(|((group, reason), (denied, lines))| ReasonBar {
            code: if reason.is_empty() {
                "none".into()
            } else {
                format!("{group}-{reason}")
            },
            description: if reason.is_empty() {
                "Denied without a reason code".into()
            } else {
                describe_adjustment(codes, &group, &reason)
            },
            denied,
            lines,
        })
        .collect();
    all.sort_by(|a, b| b.denied.cmp(&a.denied).then_with(|| a.code.cmp(&b.code)));
    if all.len() <= TOP_REASONS {
        return all;
    }
    let tail = all.split_off(TOP_REASONS - 1);
    all.push(ReasonBar {
        code: "other".into(),
        description: format!("{} other reason codes", tail.len()),
        denied: tail.iter().map(|r| r.denied).sum(),
        lines: tail.iter().map(|r| r.lines).sum(),
    });
    all
}

fn buckets(days: &BTreeMap<i64, (u64, Decimal)>) -> Vec<DayBucket> {
    let mut out: Vec<DayBucket> = BUCKETS
        .iter()
        .map(|&(_, label)| DayBucket {
            label,
            lines: 0,
            paid: Decimal::ZERO,
        })
        .collect();
    for (&day, &(lines, paid)) in days {
        let at = BUCKETS
            .iter()
            .position(|&(upper, _)| day <= upper)
            .unwrap_or(BUCKETS.len() - 1);
        out[at].lines += lines;
        out[at].paid += paid;
    }
    out
}

fn median(days: &BTreeMap<i64, (u64, Decimal)>) -> Option<i64> {
    let total: u64 = days.values().map(|v| v.0).sum();
    let mut seen = 0;
    for (&day, &(lines, _)) in days {
        seen += lines;
        if seen * 2 >= total && total > 0 {
            return Some(day);
        }
    }
    None
}
