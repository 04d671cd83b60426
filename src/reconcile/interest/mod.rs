//! Prompt-pay interest: when a clean claim was due, how late it was paid,
//! and what interest the payer owed against what it paid.
//!
//! `due = received + N days`, `days late = max(0, paid − due)`, and
//! `interest = round₂(principal × rate × days ÷ 365)` (simple interest,
//! half away from zero at the cent). The principal of a line is what it
//! paid, less what a reversal in the same remittance took back (only the
//! late increment earns interest). Interest paid is the claim's AMT*I, else
//! the PLB L6 amounts naming the claim, allocated to its lines in proportion
//! to their principal.

use std::fmt;
use std::str::FromStr;

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::line::{LineInterest, ReceiptSource};

mod claim;

pub use claim::TransactionInterest;

/// A prompt-pay rule: days to pay a clean claim and the yearly rate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptPay {
    /// The rule's name (`nj`, `medicare`, `custom`).
    pub name: String,
    /// Days after receipt an electronic claim is due.
    pub electronic_days: i32,
    /// Days after receipt a paper claim is due.
    pub paper_days: i32,
    /// Simple yearly rate, e.g. 0.12.
    pub rate: Decimal,
}

/// Why a `--prompt-pay` rule could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Unknown rule name.
    #[error("unknown prompt-pay rule {0:?}: expected nj, medicare, none or custom:days=N,rate=P")]
    Unknown(String),
    /// `medicare` needs the Treasury rate.
    #[error(
        "the medicare rule needs the Treasury prompt-payment rate: add --rate, e.g. --rate 0.04625"
    )]
    MissingRate,
    /// A malformed `custom:` parameter.
    #[error(
        "bad custom prompt-pay rule {0:?}: expected custom:days=N,rate=P (rate as a fraction, e.g. 0.12, or a percentage, e.g. 12%)"
    )]
    BadCustom(String),
}

impl PromptPay {
    /// New Jersey: 30 days electronic, 40 paper, 12% a year.
    pub fn nj() -> Self {
        PromptPay {
            name: "nj".into(),
            electronic_days: 30,
            paper_days: 40,
            rate: Decimal::new(12, 2),
        }
    }

    /// Reads `nj`, `medicare` (with `rate`), `none` (→ `None`) or
    /// `custom:days=N,rate=P`; `rate` overrides the rule's rate.
    pub fn parse(rule: &str, rate: Option<Decimal>) -> Result<Option<PromptPay>, RuleError> {
        let mut parsed = match rule.trim().to_ascii_lowercase().as_str() {
            "none" => return Ok(None),
            "nj" => PromptPay::nj(),
            "medicare" => PromptPay {
                name: "medicare".into(),
                electronic_days: 30,
                paper_days: 30,
                rate: rate.ok_or(RuleError::MissingRate)?,
            },
            custom if custom.starts_with("custom:") => parse_custom(&custom["custom:".len()..])
                .ok_or_else(|| RuleError::BadCustom(rule.to_string()))?,
            _ => return Err(RuleError::Unknown(rule.to_string())),
        };
        if let Some(rate) = rate {
            parsed.rate = rate;
        }
        Ok(Some(parsed))
    }
}

impl FromStr for PromptPay {
    type Err = RuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PromptPay::parse(s, None)?.ok_or_else(|| RuleError::Unknown(s.to_string()))
    }
}

impl fmt::Display for PromptPay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} days, {} a year)",
            self.name, self.electronic_days, self.rate
        )
    }
}

fn parse_custom(params: &str) -> Option<PromptPay> {
    let mut days = None;
    let mut rate = None;
    for part in params.split(',') {
        let (key, value) = part.split_once('=')?;
        match key.trim() {
            "days" => days = value.trim().parse::<i32>().ok().filter(|d| *d >= 0),
            "rate" => rate = parse_rate(value.trim()),
            _ => return None,
        }
    }
    let days = days?;
    Some(PromptPay {
        name: "custom".into(),
        electronic_days: days,
        paper_days: days,
        rate: rate?,
    })
}

/// `0.12` or `12%`.
pub fn parse_rate(text: &str) -> Option<Decimal> {
    match text.strip_suffix('%') {
        Some(percent) => Decimal::from_str_exact(percent.trim())
            .ok()
            .map(|p| p / Decimal::ONE_HUNDRED),
        None => Decimal::from_str_exact(text).ok(),
    }
    .filter(|r| !r.is_sign_negative())
}

/// The claim-level facts interest depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimFacts {
    /// DTM*050 of the claim, when present.
    pub received: Option<Date>,
    /// BHT04 of the matched 837, when known.
    pub created: Option<Date>,
    /// True when an 837 was matched (electronic submission).
    pub electronic: bool,
    /// BPR16.
    pub paid_on: Option<Date>,
    /// Interest the payer paid on the claim (AMT*I, else −Σ PLB L6).
    pub interest_paid: Decimal,
}

/// Rounds to the cent, half away from zero: the rule every amount remit
/// prints follows (`money`), so the interest in the ledger is the interest
/// computed, not a second rounding of it.
pub fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Simple interest on `principal` for `days` at a yearly `rate`, to the
/// cent (zero if the product is beyond `Decimal`'s range, which no real
/// claim reaches).
pub fn simple_interest(principal: Decimal, rate: Decimal, days: i64) -> Decimal {
    // principal × rate × days first, one division, one rounding: rounding
    // a daily amount and multiplying it by the days would be off by up to
    // half a cent per day.
    principal
        .checked_mul(rate)
        .and_then(|p| p.checked_mul(Decimal::from(days)))
        .map_or(Decimal::ZERO, |p| cents(p / Decimal::from(365)))
}

/// Assesses the paying lines of one claim; `principals` are the lines'
/// late principals (zero for lines that earn nothing). `None` when the
/// receipt or payment date is unknown.
pub fn assess(
    rule: &PromptPay,
    facts: &ClaimFacts,
    principals: &[Decimal],
) -> Option<Vec<LineInterest>> {
    let (received, source) = match (facts.received, facts.created) {
        (Some(d), _) => (d, ReceiptSource::Dtm050),
        (None, Some(d)) => (d, ReceiptSource::Bht04),
        (None, None) => return None,
    };
    let paid_on = facts.paid_on?;
    let days = if facts.electronic {
        rule.electronic_days
    } else {
        rule.paper_days
    };
    let due = received.checked_add(days.days()).ok()?;
    let days_late = (paid_on - due).get_days().max(0) as i64;
    let shares = allocate(facts.interest_paid, principals);
    Some(
        principals
            .iter()
            .zip(shares)
            .map(|(&principal, paid)| LineInterest {
                received,
                source,
                due,
                paid_on,
                days_late,
                principal,
                rate: rule.rate,
                owed: simple_interest(principal, rule.rate, days_late),
                paid,
            })
            .collect(),
    )
}

/// Splits `total` over `weights` in proportion, to the cent, so that the
/// parts add up to `total` exactly (largest remainder gets the odd cents).
pub fn allocate(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().copied().filter(|w| *w > Decimal::ZERO).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum.is_zero() {
        let mut parts = vec![Decimal::ZERO; weights.len()];
        parts[0] = total;
        return parts;
    }
    // total × (weight ÷ sum): the share is at most 1, so nothing overflows.
    let exact: Vec<Decimal> = weights
        .iter()
        .map(|w| total * (w.max(&Decimal::ZERO) / sum))
        .collect();
    // Round every share down, then hand the cents left over to the largest
    // remainders (ties by position): rounding each share to nearest could
    // sum to a cent more or less than the payer paid.
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(2, RoundingStrategy::ToZero))
        .collect();
    let mut left = total - parts.iter().copied().sum::<Decimal>();
    let cent = if total.is_sign_negative() {
        Decimal::new(-1, 2)
    } else {
        Decimal::new(1, 2)
    };
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - parts[b])
            .abs()
            .cmp(&(exact[a] - parts[a]).abs())
            .then(a.cmp(&b))
    });
    for i in order.into_iter().cycle() {
        if left.is_zero() || left.abs() < cent.abs() {
            break;
        }
        parts[i] += cent;
        left -= cent;
    }
    parts
}

#[cfg(test)]
mod tests;
