//! `remit reconcile`: read 835s and 837s (in parallel), apply remittances in
//! payment order to the line histories, write the ledger, and print a
//! summary on standard error.

use std::collections::BTreeMap;
use std::fs::File;

use anyhow::Context;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::args::{DecideArgs, ReconcileArgs, RuleArgs};
use super::inputs::{Input, discover};
use super::output::{open, report_problems};
use super::parallel;
use super::{EXIT_INPUT, EXIT_OK};
use crate::codes::{CodeList, ListKind};
use crate::diagnostic::{Issue, Rule, Severity};
use crate::events::Status;
use crate::history::{HistoryStore, MemoryStore, SqliteStore};
use crate::ledger::row::COLUMNS;
use crate::ledger::{LedgerRow, money, sink};
use crate::reconcile::interest::{PromptPay, parse_rate};
use crate::reconcile::{FeeSchedule, InputContent, Reconciler, Rules, ingest, read_input};
use crate::reports::page::{FileFinding, FileFindings};

/// Counts and totals for the summary.
#[derive(Default)]
pub struct Tally {
    files: usize,
    rejected: Vec<String>,
    transactions: usize,
    duplicates: usize,
    after_as_of: usize,
    older_versions: usize,
    superseded_rows: usize,
    claims: u64,
    lines: u64,
    billed: Decimal,
    paid: Decimal,
    patient_resp: Decimal,
    statuses: BTreeMap<&'static str, usize>,
    flags: BTreeMap<&'static str, usize>,
    warnings: usize,
    findings: FileFindings,
}

impl Tally {
    fn row(&mut self, row: &LedgerRow) {
        let e = &row.event;
        for flag in row.flags.iter() {
            *self.flags.entry(flag.as_str()).or_default() += 1;
        }
        // One payment, one trace: the rows of a replaced version are shown
        // for what changed, and counted nowhere else.
        if row.is_superseded() {
            self.superseded_rows += 1;
            return;
        }
        if row.status != crate::events::Status::NoRemittance {
            self.billed += e.billed;
            self.paid += e.paid;
            self.patient_resp += e.patient_resp;
        }
        *self.statuses.entry(row.status.as_str()).or_default() += 1;
    }

    /// Rejected files with their first fatal finding, and the balancing
    /// findings of the files that were used (for `remit report`).
    pub fn findings(&self) -> &FileFindings {
        &self.findings
    }

    /// Keeps what the report needs from one file's findings.
    fn keep_findings(&mut self, source: &str, issues: &[Issue]) {
        let finding = |issue: &Issue| FileFinding {
            source: source.to_string(),
            issue: issue.clone(),
        };
        if let Some(fatal) = issues.iter().find(|i| i.severity == Severity::Fatal) {
            self.findings.rejected.push(finding(fatal));
            return;
        }
        let balance = issues.iter().filter(|i| i.rule == Rule::Balance);
        self.findings.unbalanced.extend(balance.map(finding));
    }

    /// 0 when every input was read, 1 when some was rejected.
    pub fn exit_code(&self) -> u8 {
        if self.rejected.is_empty() {
            EXIT_OK
        } else {
            EXIT_INPUT
        }
    }

    /// Prints the summary on standard error.
    pub fn print(&self) {
        eprintln!(
            "reconciled {} file(s): {} transaction(s), {} claim(s), {} service line(s)",
            self.files, self.transactions, self.claims, self.lines
        );
        eprintln!(
            "  billed {}, paid {}, patient responsibility {}",
            money(self.billed),
            money(self.paid),
            money(self.patient_resp)
        );
        let counts = |m: &BTreeMap<&str, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        eprintln!("  statuses: {}", counts(&self.statuses));
        eprintln!(
            "  flags: {}",
            if self.flags.is_empty() {
                "none".into()
            } else {
                counts(&self.flags)
            }
        );
        if self.superseded_rows > 0 {
            eprintln!(
                "  corrected remittances: {} row(s) of replaced versions shown (superseded_by), not counted above",
                self.superseded_rows
            );
        }
        if self.older_versions > 0 {
            eprintln!(
                "  skipped: {} earlier version(s) of remittances whose corrected version was already applied",
                self.older_versions
            );
        }
        if self.duplicates > 0 || self.after_as_of > 0 {
            eprintln!(
                "  skipped: {} already-applied transaction(s), {} dated after --as-of",
                self.duplicates, self.after_as_of
            );
        }
        if self.warnings > 0 {
            eprintln!(
                "  {} file(s) with warnings or imbalances (see above)",
                self.warnings
            );
        }
        eprintln!(
            "  files rejected: {}",
            if self.rejected.is_empty() {
                "none".into()
            } else {
                self.rejected.join(", ")
            }
        );
    }
}

/// The as-of date: the flag, else today.
pub fn as_of(flag: Option<Date>) -> Date {
    flag.unwrap_or_else(today)
}

/// Today's date (UTC).
pub fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = Date::constant(1970, 1, 1);
    epoch
        .checked_add(jiff::Span::new().days((seconds / 86_400) as i64))
        .unwrap_or(epoch)
}

/// Opens the store named by `--db`, else an in-memory one.
pub fn open_store(db: Option<&std::path::Path>) -> anyhow::Result<Box<dyn HistoryStore>> {
    Ok(match db {
        Some(path) => Box::new(SqliteStore::open(path)?),
        None => Box::new(MemoryStore::new()),
    })
}

/// Reads a fee schedule CSV.
pub fn read_fee_schedule(path: Option<&std::path::Path>) -> anyhow::Result<Option<FeeSchedule>> {
    let Some(path) = path else { return Ok(None) };
    let file =
        File::open(path).with_context(|| format!("cannot open fee schedule {}", path.display()))?;
    Ok(Some(
        FeeSchedule::from_reader(file).with_context(|| path.display().to_string())?,
    ))
}

/// The decision rules from the command line.
pub fn rules(args: &RuleArgs, as_of_flag: Option<Date>) -> anyhow::Result<Rules> {
    let rate =
        match &args.rate {
            Some(text) => Some(parse_rate(text).with_context(|| {
                format!("--rate {text:?} is not a rate such as 0.04625 or 4.625%")
            })?),
            None => None,
        };
    Ok(Rules {
        medical_appeal_days: args.medical_appeal_days,
        administrative_appeal_days: args.administrative_appeal_days,
        prompt_pay: PromptPay::parse(&args.prompt_pay, rate)?,
        ..Rules::new(as_of(as_of_flag))
    })
}

/// The built-in code list, with `--code-list` files merged over it.
pub fn code_list(args: &RuleArgs) -> anyhow::Result<CodeList> {
    let mut list = CodeList::builtin().clone();
    for path in &args.code_list {
        let user = CodeList::load_user_file(path, ListKind::Auto)
            .with_context(|| path.display().to_string())?;
        list = list.merged_with(&user);
    }
    Ok(list)
}

pub fn run(args: &ReconcileArgs) -> anyhow::Result<u8> {
    let out = open(&args.output.out)?;
    let mut sink = sink(args.output.format, out, "ledger", "entry");
    sink.begin(COLUMNS)?;
    let tally = decide_inputs(&args.input, |row| {
        sink.row(row)?;
        Ok(())
    })?;
    sink.finish()?;
    tally.print();
    Ok(tally.exit_code())
}

/// Reads the inputs, applies them to the history (in memory or `--db`) and
/// hands every decided row, then every NO_REMITTANCE row, to `on_row`.
pub fn decide_inputs(
    args: &DecideArgs,
    mut on_row: impl FnMut(&LedgerRow) -> anyhow::Result<()>,
) -> anyhow::Result<Tally> {
    let schedule = read_fee_schedule(args.fee_schedule.as_deref())?;
    let rules = rules(&args.rules, args.as_of)?;
    let codes = code_list(&args.rules)?;
    let mut store = open_store(args.db.as_deref())?;
    let mut tally = Tally::default();
    ingest_inputs(
        &args.paths,
        args.jobs,
        store.as_mut(),
        rules.as_of,
        &mut tally,
    )?;
    let mut reconciler =
        Reconciler::new(store.as_mut(), schedule.as_ref(), rules)?.with_codes(&codes);
    tally.transactions = reconciler.apply_pending(|rows| -> anyhow::Result<()> {
        for row in &rows {
            tally.row(row);
            on_row(row)?;
        }
        Ok(())
    })?;
    for row in reconciler.unanswered()? {
        tally.row(&row);
        on_row(&row)?;
    }
    Ok(tally)
}

/// The rows a report works from: this run's; with `--db`, every stored row
/// instead (earlier runs included), plus this run's NO_REMITTANCE rows,
/// which are computed from the stored claims and never stored themselves.
/// Rows of superseded remittance versions are left out.
pub fn report_rows(args: &DecideArgs) -> anyhow::Result<(Vec<LedgerRow>, Tally)> {
    let mut rows = Vec::new();
    let tally = decide_inputs(args, |row| {
        // Rows of replaced remittance versions count in no report: the
        // corrected version is the payment (one payment, one trace).
        if !row.is_superseded() {
            rows.push(row.clone());
        }
        Ok(())
    })?;
    if let Some(db) = &args.db {
        let unanswered = rows
            .into_iter()
            .filter(|r| r.status == Status::NoRemittance);
        let mut stored = stored_rows(db)?;
        stored.retain(|r| !r.is_superseded());
        stored.extend(unanswered);
        rows = stored;
    }
    Ok((rows, tally))
}

/// Every ledger row stored in the history at `db`, by payment date.
pub fn stored_rows(db: &std::path::Path) -> anyhow::Result<Vec<LedgerRow>> {
    let store = SqliteStore::open(db)?;
    let mut rows = Vec::new();
    store.rows(&Default::default(), |row| -> anyhow::Result<()> {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// Reads the inputs on all cores and ingests every usable one, each in one
/// store transaction; rejected files leave nothing in the store.
fn ingest_inputs(
    paths: &[std::path::PathBuf],
    jobs: Option<usize>,
    store: &mut dyn HistoryStore,
    as_of: Date,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let found = discover(paths);
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    for (path, error) in &found.errors {
        eprintln!("{}: cannot read: {error}", path.display());
        tally.rejected.push(path.display().to_string());
        let issue = Issue::new(
            Severity::Fatal,
            Rule::Syntax,
            Default::default(),
            format!("cannot read: {error}"),
        );
        tally.keep_findings(&path.display().to_string(), &[issue]);
    }
    let contents = parallel::map(&found.inputs, parallel::jobs(jobs), read_file);
    for (input, content) in found.inputs.iter().zip(contents) {
        let source = input.display();
        tally.files += 1;
        tally.findings.files += 1;
        report_problems(&source, &content.summary.issues.0);
        tally.keep_findings(&source, &content.summary.issues.0);
        if !content.summary.usable() {
            eprintln!("{source}: rejected; nothing from it is used");
            tally.rejected.push(source);
            continue;
        }
        if !content.summary.issues.is_valid() {
            tally.warnings += 1;
        }
        tally.claims += content.summary.claims;
        tally.lines += content.summary.lines;
        let report = ingest(store, &source, &content, as_of)?;
        tally.after_as_of += report.after_as_of;
        tally.duplicates += report.duplicates.len();
        for (control, trace) in &report.duplicates {
            eprintln!(
                "{source}: warning: transaction ST02 {control} (trace {trace}) was already applied; skipped"
            );
        }
        tally.older_versions += report.older_versions.len();
        for (control, trace, current) in &report.older_versions {
            eprintln!(
                "{source}: warning: transaction ST02 {control} (trace {trace}) is an earlier version of the remittance already applied from {current}; not used"
            );
        }
    }
    Ok(())
}

fn read_file(input: &Input) -> InputContent {
    let source = input.display();
    match File::open(&input.path) {
        Ok(file) => read_input(&source, file),
        Err(e) => {
            let mut content = InputContent::default();
            let issue = crate::diagnostic::Issue::new(
                crate::diagnostic::Severity::Fatal,
                crate::diagnostic::Rule::Syntax,
                Default::default(),
                format!("cannot open: {e}"),
            );
            content.summary.issues.push(issue);
            content
        }
    }
}
