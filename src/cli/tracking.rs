//! What the appeal commands share about outcomes: the outcomes stored by
//! `remit outcomes import`, where each worklist item stands given them and
//! later remittances ([`Tracking`], for `remit appeals` and `remit
//! report`), and the denial analytics (`remit denials`, and the table
//! `remit report` adds). A shared module, not a command: commands share
//! through modules like this one, never through each other.
//!
//! The pure rules are `crate::outcomes`'; the store keeps plain
//! [`OutcomeRecord`]s; this module converts between them and feeds the
//! rules with ledger rows.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;

use super::args::RangeArgs;
use super::store::open_sqlite;
use crate::codes::CodeList;
use crate::history::sqlite::outcomes::OutcomeRecord;
use crate::ledger::{Cell, Column, ColumnType};
use crate::line::{DecidedLine, EventKind, Flag, Status};
use crate::money::money;
use crate::outcomes::analytics::DenialCategory;
use crate::outcomes::{
    Adjudication, AnalyticsLine, AppealOutcome, DenialAnalytics, ItemKey, ItemState, LinePayment,
    OpenItem, Outcome, Tally, Tracked, analyze, track,
};
use crate::reports::appeals::AppealItem;
use crate::reports::page::{Column as PageColumn, ColumnKind, ReportData, Table};
use ColumnType::{Integer, Money, Text as Txt};

/// The scorecard's denial category of a CARC (`""`: a denial without a
/// reason): the groups a billing office acts on, as `remit outcomes`
/// reports them.
pub fn denial_category(carc: &str) -> &'static str {
    DenialCategory::of(carc).as_str()
}

/// Modifiers as stored: upper case, sorted, `:`-joined, so that a set is
/// written one way.
fn modifier_set(modifiers: &[String]) -> String {
    let mut m: Vec<String> = modifiers
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect();
    m.sort();
    m.join(":")
}

pub fn record(o: &AppealOutcome) -> OutcomeRecord {
    OutcomeRecord {
        payer: o.key.payer.trim().to_string(),
        claim_id: o.key.claim_id.trim().to_string(),
        service_date: o.key.service_date,
        procedure: o.key.procedure.trim().to_ascii_uppercase(),
        modifiers: modifier_set(&o.key.modifiers),
        filed: o.filed,
        outcome: o.outcome.as_str().to_string(),
        decided: o.decided,
        recovered: o.recovered,
        reference: o.reference.clone(),
        notes: o.notes.clone(),
        source: o.source.clone(),
    }
}

fn outcome(r: OutcomeRecord) -> AppealOutcome {
    AppealOutcome {
        key: ItemKey {
            payer: r.payer,
            claim_id: r.claim_id,
            service_date: r.service_date,
            procedure: r.procedure,
            modifiers: r
                .modifiers
                .split(':')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect(),
        },
        filed: r.filed,
        // Written by `record` from `Outcome::as_str`; anything else (a
        // hand-edited store) counts as filed and waiting.
        outcome: Outcome::parse(&r.outcome).unwrap_or(Outcome::Pending),
        decided: r.decided,
        recovered: r.recovered,
        reference: r.reference,
        notes: r.notes,
        source: r.source,
    }
}

/// The appeal outcomes stored at `db` (none without a store).
pub fn stored_outcomes(db: Option<&Path>, codes: &CodeList) -> anyhow::Result<Vec<AppealOutcome>> {
    let Some(db) = db else {
        return Ok(Vec::new());
    };
    let store = open_sqlite(db, codes)?;
    let records = store
        .outcomes()
        .map_err(|e| anyhow::anyhow!("--db {}: {e}", db.display()))?;
    Ok(records.into_iter().map(outcome).collect())
}

/// The line a row is about, as tracking keys it.
fn key_of(row: &DecidedLine) -> ItemKey {
    let e = &row.event;
    ItemKey {
        payer: e.context.payer.to_string(),
        claim_id: if row.recovered_claim.is_empty() {
            e.claim_id.to_string()
        } else {
            row.recovered_claim.to_string()
        },
        service_date: e.service_date,
        procedure: e.procedure.to_string(),
        modifiers: e.modifiers.iter().map(|m| m.to_string()).collect(),
    }
}

/// Payments on lines, by claim, for the automatic wins.
pub struct Payments(HashMap<String, Vec<LinePayment>>);

impl Payments {
    /// Every service-line payment (and reversal) among `rows`.
    pub fn of(rows: &[DecidedLine]) -> Payments {
        let mut by_claim: HashMap<String, Vec<LinePayment>> = HashMap::new();
        for row in rows {
            let e = &row.event;
            if e.kind != EventKind::Line || e.paid.is_zero() || row.is_superseded() {
                continue;
            }
            by_claim
                .entry(e.claim_id.trim().to_string())
                .or_default()
                .push(LinePayment {
                    key: key_of(row),
                    payer_id: e.context.payer_id.to_string(),
                    date: e.context.payment_or_production_date(),
                    trace: e.context.trace.to_string(),
                    paid: e.paid,
                });
        }
        Payments(by_claim)
    }
}

/// Outcomes by claim.
pub struct Outcomes(HashMap<String, Vec<AppealOutcome>>);

impl Outcomes {
    /// `outcomes`, indexed by claim.
    pub fn new(outcomes: Vec<AppealOutcome>) -> Outcomes {
        let mut by_claim: HashMap<String, Vec<AppealOutcome>> = HashMap::new();
        for o in outcomes {
            by_claim
                .entry(o.key.claim_id.trim().to_string())
                .or_default()
                .push(o);
        }
        Outcomes(by_claim)
    }

    /// True when no outcome is recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Where the item of `row`, with `at_stake`, stands.
    pub fn track(&self, row: &DecidedLine, at_stake: Decimal, payments: &Payments) -> Tracked {
        let key = key_of(row);
        let item = OpenItem {
            payer_id: row.event.context.payer_id.to_string(),
            remittance_date: row.event.context.payment_or_production_date(),
            at_stake,
            key,
        };
        let claim = item.key.claim_id.trim();
        let outcomes = self.0.get(claim).map_or(&[][..], Vec::as_slice);
        let paid = payments.0.get(claim).map_or(&[][..], Vec::as_slice);
        track(std::slice::from_ref(&item), outcomes, paid)
            .pop()
            .unwrap_or(Tracked {
                state: ItemState::Open,
                filed: None,
                decided: None,
                recovered: Decimal::ZERO,
                remaining: at_stake,
                automatic: false,
                reason: String::new(),
            })
    }
}

/// The adjudicated lines among `rows`, with what became of their appeals:
/// service lines and claims paid without lines; not reversals, claim
/// remainders, PLB amounts, unanswered lines, superseded versions or
/// re-listings of a payment that stands (see `crate::outcomes::analytics`).
pub fn analytics_lines(
    rows: &[DecidedLine],
    outcomes: &Outcomes,
    codes: &CodeList,
) -> Vec<AnalyticsLine> {
    let payments = Payments::of(rows);
    rows.iter()
        .filter(|r| matches!(r.event.kind, EventKind::Line | EventKind::Claim))
        .filter(|r| {
            !matches!(
                r.status,
                Status::Reversal
                    | Status::NoRemittance
                    | Status::ProviderAdjustment
                    | Status::ClaimAdjustment
            ) && !r.is_superseded()
                && !r
                    .decision
                    .flags
                    .contains(Flag::PreviouslyPaidReportedDenied)
        })
        .map(|r| {
            let e = &r.event;
            let adjudication = if r.status == Status::Denied {
                Adjudication::Denied
            } else if r.decision.flags.contains(Flag::PartialDenial) {
                Adjudication::PartlyDenied
            } else {
                Adjudication::Paid
            };
            let appeal = (adjudication != Adjudication::Paid && !outcomes.is_empty()).then(|| {
                let t = outcomes.track(r, r.decision.stake(), &payments);
                (t.state, t.recovered)
            });
            AnalyticsLine {
                payer: e.context.payer.to_string(),
                payment_date: e.context.payment_or_production_date(),
                procedure: e.procedure.to_string(),
                rendering_provider: e.rendering_provider.to_string(),
                billed: e.billed,
                denied_amount: r.decision.denied,
                denial_reasons: e
                    .denial_reasons(codes)
                    .map(|a| (a.reason.to_string(), a.amount))
                    .collect(),
                adjudication,
                appeal,
            }
        })
        .collect()
}

/// The analytics table's columns (`denied_lines`: `denied` is money in
/// every other remit table).
pub static ANALYTICS_COLUMNS: &[Column<TallyRow>] = &[
    T::new("dimension", Txt, |r| Cell::Text(r.dimension)),
    T::new("group", Txt, |r| Cell::text(&r.group)),
    T::new("lines", Integer, |r| count(r.tally.lines)),
    T::new("denied_lines", Integer, |r| count(r.tally.denied)),
    T::new("denial_rate", Txt, |r| rate(r.tally.denial_rate())),
    T::new("billed", Money, |r| Cell::Money(r.tally.billed)),
    T::new("denied_amount", Money, |r| {
        Cell::Money(r.tally.denied_amount)
    }),
    T::new("appealed", Integer, |r| count(r.tally.appealed)),
    T::new("appeal_rate", Txt, |r| rate(r.tally.appeal_rate())),
    T::new("decided", Integer, |r| count(r.tally.decided)),
    T::new("overturned", Integer, |r| count(r.tally.overturned)),
    T::new("overturn_rate", Txt, |r| rate(r.tally.overturn_rate())),
    T::new("recovered", Money, |r| Cell::Money(r.tally.recovered)),
];

type T = Column<TallyRow>;

/// One row of the analytics table: a dimension's group and its tally
/// (owned: a few hundred rows at most).
pub struct TallyRow {
    dimension: &'static str,
    group: String,
    tally: Tally,
}

fn count(n: impl TryInto<i64>) -> Cell<'static> {
    Cell::Integer(n.try_into().unwrap_or(i64::MAX))
}

fn rate(r: Option<Decimal>) -> Cell<'static> {
    r.map_or(Cell::Empty, |r| Cell::Owned(format!("{r:.4}")))
}

/// The analytics as rows: the total, then each dimension.
pub fn tally_rows(a: &DenialAnalytics) -> Vec<TallyRow> {
    let mut rows = vec![TallyRow {
        dimension: "total",
        group: "all".into(),
        tally: a.total.clone(),
    }];
    fn named<'a>(
        dimension: &'static str,
        map: &'a std::collections::BTreeMap<String, Tally>,
    ) -> impl Iterator<Item = (&'static str, String, &'a Tally)> {
        map.iter().map(move |(k, v)| (dimension, k.clone(), v))
    }
    let all = named("payer", &a.by_payer)
        .chain(named("month", &a.by_month))
        .chain(
            a.by_category
                .iter()
                .map(|(k, v)| ("reason_category", k.as_str().to_string(), v)),
        )
        .chain(named("procedure", &a.by_procedure))
        .chain(named("rendering_provider", &a.by_provider));
    rows.extend(all.map(|(dimension, group, tally)| TallyRow {
        dimension,
        group,
        tally: tally.clone(),
    }));
    rows
}

/// The analytics of `rows` with the outcomes stored at `db`.
pub fn denial_analytics(
    rows: &[DecidedLine],
    db: Option<&Path>,
    codes: &CodeList,
    range: &RangeArgs,
) -> anyhow::Result<DenialAnalytics> {
    let outcomes = Outcomes::new(stored_outcomes(db, codes)?);
    let lines = analytics_lines(rows, &outcomes, codes);
    Ok(analyze(&lines, range.from, range.to))
}

/// A `--from` after `--to` is a usage error.
pub fn check_range(range: &RangeArgs) -> anyhow::Result<()> {
    if let (Some(from), Some(to)) = (range.from, range.to) {
        anyhow::ensure!(from <= to, "--from {from} is after --to {to}");
    }
    Ok(())
}

fn percent(r: Option<Decimal>) -> String {
    r.map_or_else(
        || "n/a".to_string(),
        |r| format!("{}%", (r * Decimal::ONE_HUNDRED).round_dp(1)),
    )
}

/// One line on standard error: the headline rates.
pub fn summary(t: &Tally) -> String {
    format!(
        "denials: {} of {} adjudicated line(s) denied ({}), {} denied; {} appealed ({}), {} of {} decided overturned ({}), {} recovered",
        t.denied,
        t.lines,
        percent(t.denial_rate()),
        money(t.denied_amount),
        t.appealed,
        percent(t.appeal_rate()),
        t.overturned,
        t.decided,
        percent(t.overturn_rate()),
        money(t.recovered)
    )
}

const fn column(name: &'static str, kind: ColumnKind) -> PageColumn {
    PageColumn { name, kind }
}

/// The columns of the report page's analytics table.
const PAGE_COLUMNS: &[PageColumn] = &[
    column("Dimension", ColumnKind::Text),
    column("Group", ColumnKind::Text),
    column("Lines", ColumnKind::Number),
    column("Denied", ColumnKind::Number),
    column("Denial rate", ColumnKind::Number),
    column("Billed", ColumnKind::Number),
    column("Denied $", ColumnKind::Number),
    column("Appealed", ColumnKind::Number),
    column("Appeal rate", ColumnKind::Number),
    column("Decided", ColumnKind::Number),
    column("Overturned", ColumnKind::Number),
    column("Overturn rate", ColumnKind::Number),
    column("Recovered", ColumnKind::Number),
];

/// Adds the denial analytics to the report page, after its other tables.
pub fn add_to_page(data: &mut ReportData, a: &DenialAnalytics) {
    let rows: Vec<Vec<String>> = tally_rows(a)
        .iter()
        .map(|r| {
            // The page shows the table's columns, in order, as text.
            ANALYTICS_COLUMNS
                .iter()
                .map(|c| c.read(r).render())
                .collect()
        })
        .collect();
    data.tables.push(Table {
        id: "denials",
        title: "Denial analytics",
        description: "Adjudicated lines by remittance date (within --from/--to when given): the denial rate overall and by payer, month, reason category, procedure and rendering provider; how many denials were appealed (outcomes imported with remit outcomes import), how many appeals the payer decided, overturned, and the money recovered.",
        columns: PAGE_COLUMNS.to_vec(),
        total: rows.len() as u64,
        rows,
        get_all: "remit denials FILES… --db STORE --from DATE --to DATE",
    });
}

/// Where worklist items stand given the outcomes of a store and the rows'
/// later payments.
pub struct Tracking {
    outcomes: Outcomes,
    payments: Payments,
}

impl Tracking {
    /// The outcomes stored at `db` (none without one) and the payments
    /// among `rows`.
    pub fn load(
        rows: &[DecidedLine],
        db: Option<&Path>,
        codes: &CodeList,
    ) -> anyhow::Result<Tracking> {
        let outcomes = Outcomes::new(stored_outcomes(db, codes)?);
        let payments = if outcomes.is_empty() {
            Payments(HashMap::new())
        } else {
            Payments::of(rows)
        };
        Ok(Tracking { outcomes, payments })
    }

    /// Where `item` stands.
    pub fn track(&self, item: &AppealItem) -> Tracked {
        if self.outcomes.is_empty() {
            return Tracked {
                state: ItemState::Open,
                filed: None,
                decided: None,
                recovered: Decimal::ZERO,
                remaining: item.at_stake,
                automatic: false,
                reason: String::new(),
            };
        }
        self.outcomes
            .track(&item.row, item.at_stake, &self.payments)
    }

    /// True while `item` belongs on the worklist (open, filed, no answer).
    pub fn on_worklist(&self, item: &AppealItem) -> bool {
        self.track(item).state.on_worklist()
    }
}
