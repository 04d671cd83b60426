//! A pipeline run with a terminal: finds the inputs, opens the store
//! (`--db` or memory), runs [`crate::pipeline::run`] with progress on
//! standard error, prints each file's findings and notes as it is ingested,
//! and keeps the counts for the summary and the exit status. Every command
//! that reconciles (`reconcile`, `appeals`, `resolution`, `report`,
//! `deposits`, `posting`, `contracts`, `denials`, `resubmit`, `aging`,
//! `status-requests`, the columnar adapter) runs through here.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use indicatif::ProgressBar;
use rust_decimal::Decimal;

use super::args::InputArgs;
use super::inputs::{Discovery, Input, discover, open_regular};
use super::output::report_problems;
use super::progress::Progress;
use super::settings::{ack_codes, filing_limits};
use super::store::{lock_store, open_store, stored_rows};
use super::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::diagnostic::{Issue, Rule, Severity};
use crate::line::{DecidedLine, EventKind, Status, figures};
use crate::money::money;
use crate::pipeline::{Config, FrontEnd, IngestReport, InputContent, Observer, RunError, Source};
use crate::reports::page::{FileFinding, FileFindings};

/// Counts and totals for the summary.
#[derive(Default)]
pub struct Tally {
    files: usize,
    /// Files read and used (not rejected).
    usable: usize,
    rejected: Vec<String>,
    transactions: usize,
    claim_transactions: u64,
    /// Transactions of the inputs an earlier run applied: not applied
    /// again; their rows are read back into the ledger and the totals.
    applied_before: usize,
    /// Copies of a stored transaction not applied yet (given twice, or
    /// left pending by an interrupted run): decided once, by this run.
    repeated: usize,
    /// Copies of a transaction a corrected version replaced.
    replaced: usize,
    after_as_of: usize,
    /// Billed (837) claims and lines new to the history.
    billed_claims: usize,
    billed_lines: usize,
    /// Billed claims whose content was already known (sent again).
    known_claims: usize,
    /// Claim payments and service lines of the remittances applied.
    remitted_claims: usize,
    remitted_lines: usize,
    older_versions: usize,
    superseded_rows: usize,
    /// Σ CLM02 of the billed claims new to the history ([`figures::BILLED`]).
    billed_charges: Decimal,
    /// The remitted figures, as every command defines them.
    figures: figures::Totals,
    statuses: BTreeMap<&'static str, usize>,
    flags: BTreeMap<&'static str, usize>,
    warnings: usize,
    findings: FileFindings,
    /// Files holding only acknowledgments (999, 277CA, 277): read, not
    /// reconciled.
    ack_files: usize,
    /// Acknowledgments new to the history.
    acks: usize,
    /// The claims' front-end states and deadlines (after a run).
    pub front_end: Option<FrontEnd>,
    /// What deciding earlier transactions again did (`--db`, when facts
    /// arrived out of order).
    replay: crate::history::Replay,
}

impl Tally {
    /// Counts the claim payments and service lines of one applied
    /// remittance transaction.
    fn remitted(&mut self, rows: &[DecidedLine]) {
        let mut claims: Vec<u32> = rows
            .iter()
            .filter(|r| r.event.kind != EventKind::ProviderAdjustment)
            .map(|r| r.event.claim_seq)
            .collect();
        claims.sort_unstable();
        claims.dedup();
        self.remitted_claims += claims.len();
        self.remitted_lines += rows
            .iter()
            .filter(|r| r.event.kind == EventKind::Line)
            .count();
    }

    fn row(&mut self, row: &DecidedLine) {
        for flag in row.decision.flags.iter() {
            *self.flags.entry(flag.as_str()).or_default() += 1;
        }
        // One payment, one trace: the rows of a replaced version are shown
        // for what changed, and counted nowhere else.
        if row.is_superseded() {
            self.superseded_rows += 1;
            return;
        }
        self.figures.add(row);
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

    /// 1 when some input was rejected, else 3 when some used input has
    /// invalid findings (an imbalance, a count), else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.rejected.is_empty() {
            EXIT_INPUT
        } else if self.warnings > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }

    /// Fails with status 1 when no input could be used: the output `out`
    /// is then left as it was rather than replaced by an empty one.
    pub fn require_usable(&self, out: &Path) -> anyhow::Result<()> {
        if self.usable > 0 {
            return Ok(());
        }
        Err(super::no_usable_input(out))
    }

    /// Prints the summary on standard error.
    pub fn print(&self) {
        // Billed and remitted counts are kept apart: adding 837 claims to
        // 835 claim payments counts most claims twice and means nothing.
        // A transaction an earlier run applied is in the ledger (read back
        // from the store) and in every figure below: re-running a day
        // gives the day's totals, whatever an earlier run already did.
        let before = if self.applied_before > 0 {
            format!(
                " (+ {} applied by an earlier run: rows read back from the store, counted below)",
                self.applied_before
            )
        } else {
            String::new()
        };
        eprintln!(
            "reconciled {} file(s): {} remittance transaction(s) applied{before}, {} claim transaction(s) read",
            self.files, self.transactions, self.claim_transactions
        );
        let replay = &self.replay;
        if replay.due() && replay.blocked == 0 {
            eprintln!(
                "  re-decided {} earlier transaction(s) because {} arrived out of order: {} row(s) changed (their new rows are in this run's output)",
                replay.transactions,
                replay.cause(),
                replay.changed_rows
            );
        }
        let known = if self.known_claims > 0 {
            format!(
                "; {} claim(s) already known (sent before with the same content; not counted again)",
                self.known_claims
            )
        } else {
            String::new()
        };
        if self.ack_files > 0 || self.acks > 0 {
            eprintln!(
                "  acknowledgments (TA1/999/277CA/277): {} file(s) read, {} acknowledgment(s) new to the history",
                self.ack_files, self.acks
            );
        }
        eprintln!(
            "  {}: {} claim(s), {} service line(s), charges {}{known}",
            figures::BILLED.label,
            self.billed_claims,
            self.billed_lines,
            money(self.billed_charges)
        );
        let f = &self.figures;
        eprintln!(
            "  remitted (835): {} claim payment(s), {} service line(s); {} {}, {} {} (= Σ BPR02: lines, reversals, claim- and provider-level amounts), {} {}",
            self.remitted_claims,
            self.remitted_lines,
            figures::REMITTED_CHARGE.label,
            money(f.remitted_charge.value),
            figures::PAID.label,
            money(f.paid.value),
            figures::PATIENT_RESP.label,
            money(f.patient_resp.value)
        );
        eprintln!(
            "  {} {} (what denials can still cost; re-listings of paid lines left out), {} {} (reversals and PLB recoveries that took money back)",
            figures::DENIED.label,
            money(f.denied.value),
            figures::RECOVERED.label,
            money(f.recovered.value)
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
        if self.repeated > 0 || self.replaced > 0 {
            eprintln!(
                "  repeated: {} transaction(s) given again (counted once), {} copies of remittances a corrected version replaced (not used)",
                self.repeated, self.replaced
            );
        }
        if self.after_as_of > 0 {
            eprintln!(
                "  skipped: {} transaction(s) dated after --as-of",
                self.after_as_of
            );
        }
        if self.warnings > 0 {
            eprintln!(
                "  {} file(s) with findings: imbalances or broken counts (see above; exit status 3)",
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

/// The inputs of a run, found and checked before any output is opened.
pub struct Prepared {
    /// What the options say.
    pub config: Config,
    found: Discovery,
    progress: Progress,
}

impl Prepared {
    /// Finds the inputs of `input` (failing with status 1 when there is no
    /// X12 at all) for a run with `config` (read with `--jobs` readers,
    /// under `--filing-limits` and `--ack-codes`: input options, as every
    /// reconciling command reads acknowledgments with its inputs).
    pub fn new(input: &InputArgs, mut config: Config) -> anyhow::Result<Prepared> {
        config.filing_limits = filing_limits(input.filing_limits.as_deref())?;
        config.ack_codes = ack_codes(&input.ack_codes)?;
        let found = discover(&input.paths);
        found.require_inputs(&input.paths)?;
        let progress = Progress::new(&found, input.quiet.quiet);
        config.jobs = input.jobs;
        Ok(Prepared {
            config,
            found,
            progress,
        })
    }

    /// The as-of date.
    pub fn as_of(&self) -> jiff::civil::Date {
        self.config.as_of()
    }
}

/// One input file, read with the run's progress.
struct FileSource<'a> {
    input: &'a Input,
    progress: &'a Progress,
}

impl Source for FileSource<'_> {
    fn name(&self) -> String {
        self.input.display()
    }

    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        let file = open_regular(&self.input.path)?;
        Ok(Box::new(self.progress.reader(file)))
    }

    fn again(&self) -> Option<std::sync::Arc<dyn crate::pipeline::reread::ReadAt>> {
        let file = crate::pipeline::reread::FileAt::open(self.input.display(), &self.input.path);
        file.ok().map(|f| std::sync::Arc::new(f) as _)
    }

    fn size(&self) -> Option<u64> {
        Some(self.input.size)
    }
}

/// The terminal side of a run: progress, each file's findings and notes,
/// and the tally.
struct Terminal<'a> {
    tally: Tally,
    progress: &'a Progress,
    deciding: Option<ProgressBar>,
}

impl Observer for Terminal<'_> {
    fn read(&self) {
        self.progress.file_done();
    }

    fn reading_finished(&mut self) {
        self.progress.finish_reading();
    }

    fn file(&mut self, source: &str, content: &InputContent, usable: bool) {
        let tally = &mut self.tally;
        // Acknowledgments are read, not reconciled: counted apart.
        if content.is_acknowledgment_only() {
            tally.ack_files += 1;
        } else {
            tally.files += 1;
        }
        tally.findings.files += 1;
        report_problems(source, &content.summary.issues.0);
        tally.keep_findings(source, &content.summary.issues.0);
        if !usable {
            eprintln!("{source}: rejected; nothing from it is used");
            tally.rejected.push(source.to_string());
            return;
        }
        tally.usable += 1;
        if !content.summary.issues.is_valid() {
            tally.warnings += 1;
        }
        tally.claim_transactions += content.summary.claim_batches;
    }

    fn ingested(&mut self, source: &str, report: &IngestReport) {
        let tally = &mut self.tally;
        tally.acks += report.acks;
        tally.billed_claims += report.claims;
        tally.billed_lines += report.claim_lines;
        tally.billed_charges += report.claim_charges;
        tally.known_claims += report.known_claims;
        if report.known_claims > 0 {
            eprintln!(
                "{source}: note: {} claim(s) already known (same content as a claim read before, whatever the envelope); not counted again",
                report.known_claims
            );
        }
        tally.after_as_of += report.after_as_of;
        tally.applied_before += report.applied_before.len();
        for (control, trace, _) in &report.applied_before {
            eprintln!(
                "{source}: note: transaction ST02 {control} (trace {trace}) was already applied by an earlier run; not applied again — its rows, as decided then, are in this run's output"
            );
        }
        tally.repeated += report.repeated.len();
        for (control, trace) in &report.repeated {
            eprintln!(
                "{source}: warning: transaction ST02 {control} (trace {trace}) repeats one already stored and not yet applied (given twice, or left by a run that stopped before deciding it); decided once"
            );
        }
        tally.replaced += report.replaced.len();
        for (control, trace) in &report.replaced {
            eprintln!(
                "{source}: warning: transaction ST02 {control} (trace {trace}) repeats a remittance a corrected version replaced; not used"
            );
        }
        tally.older_versions += report.older_versions.len();
        for (control, trace, current) in &report.older_versions {
            eprintln!(
                "{source}: warning: transaction ST02 {control} (trace {trace}) is an earlier version of the remittance already applied from {current}; not used"
            );
        }
    }

    fn deciding(&mut self) {
        self.deciding = Some(self.progress.deciding());
    }

    fn transaction(&mut self, rows: &[DecidedLine]) {
        if let Some(bar) = &self.deciding {
            bar.inc(1);
        }
        self.tally.remitted(rows);
    }

    fn read_back(&mut self, rows: &[DecidedLine]) {
        if let Some(bar) = &self.deciding {
            bar.inc(1);
        }
        self.tally.remitted(rows);
    }

    fn row(&mut self, row: &DecidedLine) {
        self.tally.row(row);
    }

    fn decided(&mut self) {
        if let Some(bar) = self.deciding.take() {
            bar.finish_and_clear();
        }
    }
}

/// Reads the inputs, applies them to the history (in memory or `--db`) and
/// hands every decided row, then every NO_REMITTANCE row, to `on_row`.
pub fn decide_inputs(
    input: &InputArgs,
    prepared: &Prepared,
    on_row: impl FnMut(&DecidedLine) -> anyhow::Result<()>,
) -> anyhow::Result<Tally> {
    let config = &prepared.config;
    // Held to the end of the run: ingest and decisions of two runs on one
    // store never interleave.
    let _lock = input.db.as_deref().map(lock_store).transpose()?;
    let mut store = open_store(input.db.as_deref(), config.codes())?;
    // A store failing mid-run (a full disk, a lock held too long) is named.
    let in_store = |e: anyhow::Error| match &input.db {
        Some(db) => e.context(format!("--db {}", db.display())),
        None => e,
    };
    let found = &prepared.found;
    let mut terminal = Terminal {
        tally: Tally::default(),
        progress: &prepared.progress,
        deciding: None,
    };
    terminal.discovered(found);
    let sources: Vec<FileSource> = found
        .inputs
        .iter()
        .map(|input| FileSource {
            input,
            progress: &prepared.progress,
        })
        .collect();
    let run = crate::pipeline::run(config, &sources, store.as_mut(), &mut terminal, on_row);
    prepared.progress.finish();
    let summary = run.map_err(|e| match e {
        RunError::Ingest { source, error } => {
            in_store(anyhow::Error::new(error).context(format!("{source}: cannot store it")))
        }
        RunError::Store(error) => in_store(error.into()),
        RunError::Sink(error) => error,
    })?;
    let mut tally = terminal.tally;
    tally.transactions = summary.transactions;
    tally.front_end = summary.front_end;
    tally.replay = summary.replay;
    if tally.replay.blocked > 0 {
        let db = input.db.as_deref().unwrap_or(Path::new("the store"));
        eprintln!(
            "note: {} arrived that would change decisions already made, but {} transaction(s) in {} were decided by an older remit, which did not keep their events: \
             nothing was decided again, so this store's answer still depends on the order its files arrived in. \
             To get the answer that does not, load every file again into a new store: remit reconcile FILES... --db NEW.db",
            tally.replay.cause(),
            tally.replay.blocked,
            db.display()
        );
    }
    Ok(tally)
}

impl Terminal<'_> {
    /// Says what discovery skipped or could not read; an unreadable path
    /// counts as a rejected input.
    fn discovered(&mut self, found: &Discovery) {
        for note in &found.skipped {
            eprintln!("note: {note}");
        }
        for (path, error) in &found.errors {
            eprintln!("{}: {error}", path.display());
            self.tally.rejected.push(path.display().to_string());
            let issue = Issue::new(
                Severity::Fatal,
                Rule::Syntax,
                Default::default(),
                error.clone(),
            );
            self.tally
                .keep_findings(&path.display().to_string(), &[issue]);
        }
    }
}

/// The rows a report works from: this run's; with `--db`, every stored row
/// instead (earlier runs included), plus this run's NO_REMITTANCE rows,
/// which are computed from the stored claims and never stored themselves.
pub fn report_rows(
    input: &InputArgs,
    prepared: &Prepared,
) -> anyhow::Result<(Vec<DecidedLine>, Tally)> {
    let mut rows = Vec::new();
    let tally = decide_inputs(input, prepared, |row| {
        // Rows of replaced remittance versions count in no report: the
        // corrected version is the payment (one payment, one trace).
        if !row.is_superseded() {
            rows.push(row.clone());
        }
        Ok(())
    })?;
    if let Some(db) = &input.db {
        let unanswered = rows
            .into_iter()
            .filter(|r| r.status == Status::NoRemittance);
        let mut stored = stored_rows(db, prepared.config.codes())?;
        stored.retain(|r| !r.is_superseded());
        stored.extend(unanswered);
        rows = stored;
    }
    Ok((rows, tally))
}
