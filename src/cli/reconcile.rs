//! `remit reconcile`: read 835s and 837s (in parallel), apply remittances in
//! payment order to the line histories, write the ledger, and print a
//! summary on standard error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::args::{AppealArgs, CodeArgs, FeeArgs, InputArgs, ReconcileArgs};
use super::inputs::{Discovery, Input, discover, open_regular, read_option_file};
use super::output::{Output, report_problems};
use super::progress::Progress;
use super::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::acks::AckCodes;
use crate::codes::{CodeList, ListKind};
use crate::contract::{ContractLoader, Contracts, parse_reference_arg};
use crate::diagnostic::{Issue, Rule, Severity};
use crate::history::{HistoryStore, MemoryStore, SqliteStore, StoreError};
use crate::ledger::row::COLUMNS;
use crate::ledger::sink;
use crate::lifecycle::FilingLimits;
use crate::line::{DecidedLine, EventKind, Status, figures};
use crate::money::money;
use crate::pipeline::{FrontEnd, InputContent, Reconciler, ingest, read_input};
use crate::pipeline::{parallel_jobs, parallel_map};
use crate::reconcile::Rules;
use crate::reconcile::interest::{PromptPay, parse_rate};
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
    duplicates: usize,
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
        eprintln!(
            "reconciled {} file(s): {} remittance transaction(s) applied, {} claim transaction(s) read",
            self.files, self.transactions, self.claim_transactions
        );
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
        if self.duplicates > 0 || self.after_as_of > 0 {
            eprintln!(
                "  skipped: {} already-applied transaction(s), {} dated after --as-of",
                self.duplicates, self.after_as_of
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

/// Opens the store named by `--db`, else an in-memory one. A path that is
/// not a regular file, or a file that is not a remit store, is refused
/// (and left untouched). An existing store is made owner-only: it holds
/// patients' names and member ids, whatever mode an older remit or a copy
/// gave it.
pub fn open_store(db: Option<&Path>, codes: &CodeList) -> anyhow::Result<Box<dyn HistoryStore>> {
    let Some(path) = db else {
        return Ok(Box::new(MemoryStore::new()));
    };
    Ok(Box::new(open_sqlite(path, codes)?))
}

/// Opens an existing or new SQLite history store at `path` (see
/// [`open_store`]); a store written by an older remit has its decisions
/// re-derived with `codes`.
pub fn open_sqlite(path: &Path, codes: &CodeList) -> anyhow::Result<SqliteStore> {
    let shown = path.display();
    if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        anyhow::bail!("{shown}: not a file; --db needs a remit history store (a SQLite file)");
    }
    let store = SqliteStore::open_with_codes(path, codes).map_err(|e| store_error(path, e))?;
    for file in [
        path.to_path_buf(),
        suffixed(path, "-wal"),
        suffixed(path, "-shm"),
    ] {
        owner_only(&file);
    }
    Ok(store)
}

/// `path` with `suffix` appended to its file name (SQLite's companions).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes group and other permissions from an existing file (best effort:
/// a store shared read-only by its owner is still read).
fn owner_only(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            let tightened = std::fs::Permissions::from_mode(mode & 0o700);
            if let Err(e) = std::fs::set_permissions(path, tightened) {
                eprintln!(
                    "{}: warning: cannot make it owner-only: {e}",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// A store error that names the file once and says what it means.
fn store_error(path: &Path, error: StoreError) -> anyhow::Error {
    let shown = path.display().to_string();
    let not_a_database = matches!(
        &error,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _))
            if failure.code == rusqlite::ErrorCode::NotADatabase
    );
    if not_a_database {
        return anyhow::anyhow!(
            "{shown}: not a remit history store (not a SQLite database); it was left untouched"
        );
    }
    let text = error.to_string();
    let error = anyhow::Error::new(error);
    if text.contains(&shown) {
        error
    } else {
        error.context(shown)
    }
}

/// Reads the `--contract`/`--fee-schedule` files and `--reference`
/// schedules together: every problem in every file is reported (file,
/// line, column, what was expected) and nothing is loaded while there is
/// one. `None` when no contract or reference file was given.
pub fn read_contracts(fees: Option<&FeeArgs>) -> anyhow::Result<Option<Contracts>> {
    let Some(fees) = fees else { return Ok(None) };
    // Reference schedules alone price nothing, but the scorecard compares
    // allowed amounts with them (an out-of-network provider's
    // usual-and-customary table).
    if fees.contract.is_empty() && fees.fee_schedule.is_empty() && fees.reference.is_empty() {
        return Ok(None);
    }
    // The scorecard shows four columns per reference schedule; more than
    // it can show is refused up front rather than silently cut.
    if fees.reference.len() > crate::reports::contracts::MAX_REFERENCES {
        anyhow::bail!(
            "--reference: at most {} reference schedules, {} given",
            crate::reports::contracts::MAX_REFERENCES,
            fees.reference.len()
        );
    }
    let mut loader = ContractLoader::new();
    for arg in &fees.reference {
        let (name, file) =
            parse_reference_arg(arg).with_context(|| format!("--reference {arg}"))?;
        let path = Path::new(file);
        let bytes = read_option_file("--reference", path)?;
        loader.add_reference(name, &path.display().to_string(), bytes.as_slice());
    }
    let files = fees
        .contract
        .iter()
        .map(|p| ("--contract", p))
        .chain(fees.fee_schedule.iter().map(|p| ("--fee-schedule", p)));
    for (option, path) in files {
        let bytes = read_option_file(option, path)?;
        loader.add_contract(&path.display().to_string(), bytes.as_slice());
    }
    Ok(Some(loader.finish().map_err(anyhow::Error::new)?))
}

/// The prompt-pay rule of `--prompt-pay` and `--rate`. A rate is a yearly
/// fraction: `--rate 4.625` (462.5% a year) is refused as the typo it is,
/// and so is a rate given with no rule to apply it to.
pub fn prompt_pay(rule: &str, rate: Option<&str>) -> anyhow::Result<Option<PromptPay>> {
    let rate = match rate {
        Some(text) => {
            let rate = parse_rate(text).with_context(|| {
                format!("--rate {text:?} is not a rate such as 0.04625 or 4.625%")
            })?;
            if rate < Decimal::ZERO || rate > Decimal::ONE {
                anyhow::bail!(
                    "--rate {text} is {}% a year; write a yearly rate such as 4.625% or 0.04625",
                    (rate * Decimal::ONE_HUNDRED).normalize()
                );
            }
            Some(rate)
        }
        None => None,
    };
    let parsed = PromptPay::parse(rule, rate).context("--prompt-pay")?;
    if parsed.is_none() && rate.is_some() {
        anyhow::bail!(
            "--rate applies to a prompt-pay rule: add --prompt-pay medicare (or nj, custom:…)"
        );
    }
    Ok(parsed)
}

/// The built-in code list, with `--code-list` files merged over it.
pub fn code_list(paths: &[PathBuf]) -> anyhow::Result<CodeList> {
    let mut list = CodeList::builtin().clone();
    for path in paths {
        let bytes = read_option_file("--code-list", path)?;
        let user = CodeList::from_csv_reader_as(bytes.as_slice(), ListKind::Auto)
            .with_context(|| format!("--code-list {}", path.display()))?;
        list = list.merged_with(&user);
    }
    Ok(list)
}

/// The built-in filing limits, with the rows of `--filing-limits` winning
/// for the same scope and key.
pub fn filing_limits(path: Option<&Path>) -> anyhow::Result<FilingLimits> {
    let builtin = FilingLimits::builtin();
    let Some(path) = path else {
        return Ok(builtin.clone());
    };
    let bytes = read_option_file("--filing-limits", path)?;
    let user = FilingLimits::from_csv(bytes.as_slice())
        .with_context(|| format!("--filing-limits {}", path.display()))?;
    Ok(builtin.merged_with(&user))
}

/// The built-in acknowledgment code list, with `--ack-codes` files merged
/// over it (a row without an outcome keeps the built-in one).
pub fn ack_codes(paths: &[PathBuf]) -> anyhow::Result<AckCodes> {
    let mut codes = AckCodes::builtin().clone();
    for path in paths {
        let bytes = read_option_file("--ack-codes", path)?;
        let user = AckCodes::from_csv(bytes.as_slice())
            .with_context(|| format!("--ack-codes {}", path.display()))?;
        codes = codes.merged_with(&user);
    }
    Ok(codes)
}

/// Everything a decision needs from the options, read and checked before
/// any output is opened: a typo never costs the previous output.
pub struct Settings {
    /// `--contract` (and `--fee-schedule`) with `--reference`.
    pub contracts: Option<Contracts>,
    /// Dates, deadlines and interest.
    pub rules: Rules,
    /// The code list with `--code-list` merged over it.
    pub codes: CodeList,
}

impl Settings {
    /// The settings of a command: the option groups it has (a missing group
    /// keeps remit's defaults, as the command's output does not show it).
    pub fn load(
        as_of_flag: Option<Date>,
        fees: Option<&FeeArgs>,
        appeals: Option<&AppealArgs>,
        interest: Option<(&str, Option<&str>)>,
        codes: Option<&CodeArgs>,
    ) -> anyhow::Result<Settings> {
        let mut rules = Rules::new(as_of(as_of_flag));
        if let Some(a) = appeals {
            rules.medical_appeal_days = a.medical_appeal_days;
            rules.administrative_appeal_days = a.administrative_appeal_days;
        }
        if let Some((rule, rate)) = interest {
            rules.prompt_pay = prompt_pay(rule, rate)?;
        }
        let contracts = read_contracts(fees)?;
        let codes = code_list(codes.map_or(&[][..], |c| &c.code_list[..]))?;
        // The decision reads statuses and denial reasons from the list.
        rules.codes = std::sync::Arc::new(codes.clone());
        Ok(Settings {
            contracts,
            rules,
            codes,
        })
    }
}

/// The inputs of a run, found and checked before any output is opened.
pub struct Prepared {
    /// What the options say.
    pub settings: Settings,
    found: Discovery,
    progress: Progress,
    /// The built-in filing limits with `--filing-limits` merged over them.
    pub limits: FilingLimits,
    /// The built-in acknowledgment codes with `--ack-codes` merged over them.
    pub ack_codes: AckCodes,
}

impl Prepared {
    /// Finds the inputs of `input` (failing with status 1 when there is no
    /// X12 at all) for a run with `settings`.
    pub fn new(input: &InputArgs, settings: Settings) -> anyhow::Result<Prepared> {
        let limits = filing_limits(input.filing_limits.as_deref())?;
        let ack_codes = ack_codes(&input.ack_codes)?;
        let found = discover(&input.paths);
        found.require_inputs(&input.paths)?;
        let progress = Progress::new(&found, input.quiet.quiet);
        Ok(Prepared {
            settings,
            found,
            progress,
            limits,
            ack_codes,
        })
    }

    /// The as-of date.
    pub fn as_of(&self) -> Date {
        self.settings.rules.as_of
    }
}

pub fn run(args: &ReconcileArgs) -> anyhow::Result<u8> {
    let settings = Settings::load(
        args.input.as_of,
        Some(&args.fees),
        Some(&args.appeals),
        Some((&args.interest.prompt_pay, args.interest.rate.as_deref())),
        Some(&args.codes),
    )?;
    let prepared = Prepared::new(&args.input, settings)?;
    let mut out = Output::create(&args.output.out)?;
    let mut sink = sink(args.output.format, Box::new(&mut out), "ledger", "entry");
    sink.begin(COLUMNS)?;
    let tally = decide_inputs(&args.input, &prepared, |row| {
        sink.row(row)?;
        Ok(())
    })?;
    sink.finish()?;
    drop(sink);
    tally.require_usable(&args.output.out)?;
    out.commit()?;
    tally.print();
    Ok(tally.exit_code())
}

/// Reads the inputs, applies them to the history (in memory or `--db`) and
/// hands every decided row, then every NO_REMITTANCE row, to `on_row`.
pub fn decide_inputs(
    input: &InputArgs,
    prepared: &Prepared,
    mut on_row: impl FnMut(&DecidedLine) -> anyhow::Result<()>,
) -> anyhow::Result<Tally> {
    let settings = &prepared.settings;
    let mut store = open_store(input.db.as_deref(), &settings.codes)?;
    // A store failing mid-run (a full disk, a lock held too long) is named.
    let in_store = |e: anyhow::Error| match &input.db {
        Some(db) => e.context(format!("--db {}", db.display())),
        None => e,
    };
    let mut tally = Tally::default();
    ingest_inputs(prepared, input.jobs, store.as_mut(), &mut tally).map_err(in_store)?;
    if tally.usable == 0 {
        // Nothing to decide: stop before deciding what an earlier run left
        // pending, so that the caller can leave its output as it was.
        prepared.progress.finish();
        return Ok(tally);
    }
    // The acknowledgments of every run tied to every claim stored: the
    // NO_REMITTANCE rows carry the state, CARC 29 denials are judged.
    let front_end = FrontEnd::load(
        store.as_ref(),
        &prepared.ack_codes,
        prepared.limits.clone(),
        prepared.as_of(),
    )
    .map_err(|e| in_store(e.into()))?;
    let mut reconciler = Reconciler::new(
        store.as_mut(),
        settings.contracts.as_ref(),
        settings.rules.clone(),
    )
    .map_err(|e| in_store(e.into()))?
    .with_front_end(&front_end);
    let deciding = prepared.progress.deciding();
    let mut output_failed = false;
    let applied = reconciler.apply_pending(|rows| -> anyhow::Result<()> {
        deciding.inc(1);
        tally.remitted(&rows);
        for row in &rows {
            tally.row(row);
            on_row(row).inspect_err(|_| output_failed = true)?;
        }
        Ok(())
    });
    tally.transactions = applied.map_err(|e| if output_failed { e } else { in_store(e) })?;
    deciding.finish_and_clear();
    let unanswered = reconciler.unanswered().map_err(|e| in_store(e.into()))?;
    for row in unanswered {
        tally.row(&row);
        on_row(&row)?;
    }
    prepared.progress.finish();
    drop(reconciler);
    tally.front_end = Some(front_end);
    Ok(tally)
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
        let mut stored = stored_rows(db, &prepared.settings.codes)?;
        stored.retain(|r| !r.is_superseded());
        stored.extend(unanswered);
        rows = stored;
    }
    Ok((rows, tally))
}

/// Every ledger row stored in the history at `db`, by payment date.
pub fn stored_rows(db: &Path, codes: &CodeList) -> anyhow::Result<Vec<DecidedLine>> {
    let store = open_sqlite(db, codes)?;
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
    prepared: &Prepared,
    jobs: Option<usize>,
    store: &mut dyn HistoryStore,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let found = &prepared.found;
    let as_of = prepared.as_of();
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    for (path, error) in &found.errors {
        eprintln!("{}: {error}", path.display());
        tally.rejected.push(path.display().to_string());
        let issue = Issue::new(
            Severity::Fatal,
            Rule::Syntax,
            Default::default(),
            error.clone(),
        );
        tally.keep_findings(&path.display().to_string(), &[issue]);
    }
    let progress = &prepared.progress;
    let contents = parallel_map(&found.inputs, parallel_jobs(jobs), |input| {
        let content = read_file(input, progress);
        progress.file_done();
        content
    });
    progress.finish_reading();
    for (input, content) in found.inputs.iter().zip(contents) {
        let source = input.display();
        // Acknowledgments are read, not reconciled: counted apart.
        if content.is_acknowledgment_only() {
            tally.ack_files += 1;
        } else {
            tally.files += 1;
        }
        tally.findings.files += 1;
        report_problems(&source, &content.summary.issues.0);
        tally.keep_findings(&source, &content.summary.issues.0);
        if !content.summary.usable() {
            eprintln!("{source}: rejected; nothing from it is used");
            tally.rejected.push(source);
            continue;
        }
        tally.usable += 1;
        if !content.summary.issues.is_valid() {
            tally.warnings += 1;
        }
        tally.claim_transactions += content.summary.claim_batches;
        let report = ingest(store, &source, &content, as_of)
            .with_context(|| format!("{source}: cannot store it"))?;
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

fn read_file(input: &Input, progress: &Progress) -> InputContent {
    let source = input.display();
    match open_regular(&input.path) {
        Ok(file) => read_input(&source, progress.reader(file)),
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
