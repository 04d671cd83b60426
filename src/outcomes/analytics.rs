//! Denial analytics over adjudicated lines: denial rate by payer, month,
//! reason category, procedure and rendering provider, and what appeals did
//! (appeal rate, overturn rate, dollars recovered), over any date range.
//!
//! **What counts.** Each adjudication of a service line is one line: a
//! payment, a denial, or a payment with a denied part. A resubmitted line
//! that is denied and later paid counts twice, as the payer adjudicated it
//! twice. Reversals, claim- and provider-level rows, lines no remittance
//! answered, and re-listings of lines already paid
//! (PREVIOUSLY_PAID_REPORTED_DENIED: a payer's error, not a new decision)
//! are not adjudications: the caller leaves them out.
//!
//! - denial rate = denied lines ÷ lines (a partly denied line is denied);
//!   denied dollars ÷ billed dollars beside it;
//! - by reason category: the category of the line's largest denial
//!   adjustment ([`DenialCategory::of`]), rate = that category's denials ÷
//!   all lines in range;
//! - appeal rate = appealed denials ÷ denials;
//! - overturn rate = (won + partial) ÷ decided appeals (won, partial, lost);
//! - recovered = Σ what appeals recovered.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::tracking::ItemState;

/// Why a line was denied, in the groups a billing office acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenialCategory {
    /// Not medically necessary (CARC 50, 55, 56, 150–152, 167).
    MedicalNecessity,
    /// No or wrong authorisation or referral (15, 39, 62, 197, 198).
    Authorization,
    /// Not covered for this member: coverage ended, not yet in force, not
    /// this payer, not eligible (26, 27, 31, 32, 33, 109, 177, 200).
    Eligibility,
    /// Not a covered benefit, benefit maximum, out of network (35, 49, 96,
    /// 119, 149, 204, 242).
    NonCovered,
    /// Filed too late (29).
    TimelyFiling,
    /// Missing or invalid information, coding (4–11, 16, 125, 146, 181,
    /// 182, 189, 206–208).
    CodingOrInformation,
    /// Bundled into another service (97, 231, 234, 236).
    Bundling,
    /// Duplicate or previously paid (18, B13).
    Duplicate,
    /// Another payer is primary or paid (22, 23, 24).
    CoordinationOfBenefits,
    /// Anything else, and unknown codes.
    Other,
}

impl DenialCategory {
    /// Every category, in report order.
    pub const ALL: [DenialCategory; 10] = [
        DenialCategory::MedicalNecessity,
        DenialCategory::Authorization,
        DenialCategory::Eligibility,
        DenialCategory::NonCovered,
        DenialCategory::TimelyFiling,
        DenialCategory::CodingOrInformation,
        DenialCategory::Bundling,
        DenialCategory::Duplicate,
        DenialCategory::CoordinationOfBenefits,
        DenialCategory::Other,
    ];

    /// The name in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            DenialCategory::MedicalNecessity => "medical_necessity",
            DenialCategory::Authorization => "authorization",
            DenialCategory::Eligibility => "eligibility",
            DenialCategory::NonCovered => "non_covered",
            DenialCategory::TimelyFiling => "timely_filing",
            DenialCategory::CodingOrInformation => "coding_or_information",
            DenialCategory::Bundling => "bundling",
            DenialCategory::Duplicate => "duplicate",
            DenialCategory::CoordinationOfBenefits => "coordination_of_benefits",
            DenialCategory::Other => "other",
        }
    }

    /// The category of a CARC.
    pub fn of(carc: &str) -> DenialCategory {
        match carc.trim().to_ascii_uppercase().as_str() {
            "50" | "55" | "56" | "150" | "151" | "152" | "167" => DenialCategory::MedicalNecessity,
            "15" | "39" | "62" | "197" | "198" => DenialCategory::Authorization,
            "26" | "27" | "31" | "32" | "33" | "109" | "177" | "200" => DenialCategory::Eligibility,
            "35" | "49" | "96" | "119" | "149" | "204" | "242" => DenialCategory::NonCovered,
            "29" => DenialCategory::TimelyFiling,
            "4" | "5" | "6" | "7" | "8" | "9" | "10" | "11" | "16" | "125" | "146" | "181"
            | "182" | "189" | "206" | "207" | "208" => DenialCategory::CodingOrInformation,
            "97" | "231" | "234" | "236" => DenialCategory::Bundling,
            "18" | "B13" => DenialCategory::Duplicate,
            "22" | "23" | "24" => DenialCategory::CoordinationOfBenefits,
            _ => DenialCategory::Other,
        }
    }
}

/// How the payer adjudicated a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjudication {
    /// Paid (or patient responsibility, or nothing due), nothing refused.
    Paid,
    /// Denied.
    Denied,
    /// Paid, with a denied part (PARTIAL_DENIAL).
    PartlyDenied,
}

/// One adjudicated line, as analytics needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsLine {
    /// Payer name.
    pub payer: String,
    /// The remittance date (BPR16): picks the month and the range.
    pub payment_date: Option<Date>,
    /// Procedure as billed.
    pub procedure: String,
    /// Rendering provider (NPI or name); empty when unknown.
    pub rendering_provider: String,
    /// Charge.
    pub billed: Decimal,
    /// Σ denial adjustments (the ledger's `denied`).
    pub denied_amount: Decimal,
    /// The denial adjustments' CARCs with amounts, to find the category.
    pub denial_reasons: Vec<(String, Decimal)>,
    /// Paid, denied or partly denied.
    pub adjudication: Adjudication,
    /// What became of the appeal of this denial, when tracked.
    pub appeal: Option<(ItemState, Decimal)>,
}

impl AnalyticsLine {
    fn is_denied(&self) -> bool {
        self.adjudication != Adjudication::Paid
    }

    /// The category of the largest denial adjustment (the first on a tie);
    /// `Other` for a denial without a reason.
    pub fn category(&self) -> DenialCategory {
        let mut best: Option<&(String, Decimal)> = None;
        for r in &self.denial_reasons {
            if best.is_none_or(|b| r.1 > b.1) {
                best = Some(r);
            }
        }
        best.map_or(DenialCategory::Other, |(code, _)| DenialCategory::of(code))
    }
}

/// The counts and sums of one group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Lines adjudicated (for a reason category: all lines in range).
    pub lines: u64,
    /// Lines denied.
    pub denied: u64,
    /// Σ billed.
    pub billed: Decimal,
    /// Σ denied amount.
    pub denied_amount: Decimal,
    /// Denials appealed.
    pub appealed: u64,
    /// Appeals decided (won, partial, lost).
    pub decided: u64,
    /// Appeals won or partly won.
    pub overturned: u64,
    /// Σ recovered.
    pub recovered: Decimal,
}

fn ratio(a: u64, b: u64) -> Option<Decimal> {
    (b > 0).then(|| (Decimal::from(a) / Decimal::from(b)).round_dp(4))
}

impl Tally {
    /// denied ÷ lines.
    pub fn denial_rate(&self) -> Option<Decimal> {
        ratio(self.denied, self.lines)
    }

    /// appealed ÷ denied.
    pub fn appeal_rate(&self) -> Option<Decimal> {
        ratio(self.appealed, self.denied)
    }

    /// overturned ÷ decided.
    pub fn overturn_rate(&self) -> Option<Decimal> {
        ratio(self.overturned, self.decided)
    }

    fn add(&mut self, line: &AnalyticsLine, count_line: bool) {
        if count_line {
            self.lines += 1;
            self.billed += line.billed;
        }
        if !line.is_denied() {
            return;
        }
        self.denied += 1;
        self.denied_amount += line.denied_amount;
        if let Some((state, recovered)) = line.appeal.filter(|(s, _)| s.appealed()) {
            self.appealed += 1;
            if state.decided() {
                self.decided += 1;
            }
            if state.overturned() {
                self.overturned += 1;
            }
            self.recovered += recovered;
        }
    }
}

/// The analytics of a set of lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DenialAnalytics {
    /// Every line in range.
    pub total: Tally,
    /// By payer.
    pub by_payer: BTreeMap<String, Tally>,
    /// By month of the remittance, `2024-04`.
    pub by_month: BTreeMap<String, Tally>,
    /// By reason category (denied lines only; `lines` is all lines).
    pub by_category: BTreeMap<DenialCategory, Tally>,
    /// By procedure.
    pub by_procedure: BTreeMap<String, Tally>,
    /// By rendering provider (`(unknown)` when not known).
    pub by_provider: BTreeMap<String, Tally>,
}

/// Analytics of the lines paid from `from` to `to` (inclusive; either may
/// be open). A line without a payment date is left out when a range is
/// given.
pub fn analyze(lines: &[AnalyticsLine], from: Option<Date>, to: Option<Date>) -> DenialAnalytics {
    let in_range = |l: &&AnalyticsLine| match (from, to, l.payment_date) {
        (None, None, _) => true,
        (_, _, None) => false,
        (f, t, Some(d)) => f.is_none_or(|f| d >= f) && t.is_none_or(|t| d <= t),
    };
    let mut a = DenialAnalytics::default();
    let selected: Vec<&AnalyticsLine> = lines.iter().filter(in_range).collect();
    for line in &selected {
        a.total.add(line, true);
        a.by_payer
            .entry(line.payer.clone())
            .or_default()
            .add(line, true);
        let month = line.payment_date.map_or_else(
            || "(no date)".to_string(),
            |d| format!("{:04}-{:02}", d.year(), d.month()),
        );
        a.by_month.entry(month).or_default().add(line, true);
        a.by_procedure
            .entry(line.procedure.clone())
            .or_default()
            .add(line, true);
        let provider = if line.rendering_provider.is_empty() {
            "(unknown)".to_string()
        } else {
            line.rendering_provider.clone()
        };
        a.by_provider.entry(provider).or_default().add(line, true);
        if line.is_denied() {
            a.by_category
                .entry(line.category())
                .or_default()
                .add(line, false);
        }
    }
    // A category's rate is over every line in range.
    for tally in a.by_category.values_mut() {
        tally.lines = a.total.lines;
        tally.billed = a.total.billed;
    }
    a
}

/// The columns of the analytics table.
pub const COLUMNS: &[&str] = &[
    "dimension",
    "group",
    "lines",
    "denied",
    "denial_rate",
    "billed",
    "denied_amount",
    "appealed",
    "appeal_rate",
    "decided",
    "overturned",
    "overturn_rate",
    "recovered",
];

/// The analytics as table rows (cells as text: money with two decimals,
/// rates as fractions with four), total first, then each dimension.
pub fn table(a: &DenialAnalytics) -> Vec<Vec<String>> {
    let mut rows = vec![row("total", "all", &a.total)];
    let groups: [(&str, Vec<(String, &Tally)>); 5] = [
        (
            "payer",
            a.by_payer.iter().map(|(k, v)| (k.clone(), v)).collect(),
        ),
        (
            "month",
            a.by_month.iter().map(|(k, v)| (k.clone(), v)).collect(),
        ),
        (
            "reason_category",
            a.by_category
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v))
                .collect(),
        ),
        (
            "procedure",
            a.by_procedure.iter().map(|(k, v)| (k.clone(), v)).collect(),
        ),
        (
            "rendering_provider",
            a.by_provider.iter().map(|(k, v)| (k.clone(), v)).collect(),
        ),
    ];
    for (dimension, list) in groups {
        rows.extend(list.into_iter().map(|(k, t)| row(dimension, &k, t)));
    }
    rows
}

/// Two decimals, half away from zero; zero without a sign.
fn money(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{:.2}", if r.is_zero() { Decimal::ZERO } else { r })
}

fn row(dimension: &str, group: &str, t: &Tally) -> Vec<String> {
    let rate = |r: Option<Decimal>| r.map(|r| format!("{r:.4}")).unwrap_or_default();
    vec![
        dimension.to_string(),
        group.to_string(),
        t.lines.to_string(),
        t.denied.to_string(),
        rate(t.denial_rate()),
        money(t.billed),
        money(t.denied_amount),
        t.appealed.to_string(),
        rate(t.appeal_rate()),
        t.decided.to_string(),
        t.overturned.to_string(),
        rate(t.overturn_rate()),
        money(t.recovered),
    ]
}
