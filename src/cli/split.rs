//! `remit split`: writes each group of claims of every 835 transaction as a
//! standalone 835 in the out-dir (created owner-only; owner-only files,
//! never replacing one without `--force`), and proves on standard error
//! that each transaction's outputs sum to its BPR02.
//!
//! Each output is written to a temporary file in the out-dir; an input's
//! files are renamed into place only once the input has been read to its
//! end without a fatal finding. So a rejected input leaves nothing, a file
//! in the out-dir is always complete, and `--force` replaces a file (or a
//! link there) instead of writing through it.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rust_decimal::Decimal;
use tempfile::TempPath;

use super::args::SplitArgs;
use super::inputs::{Input, discover, open_regular};
use super::output::{replace, report_problems, stage_beside};
use super::progress::Progress;
use super::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK};
use crate::money::money;
use crate::split::names::{NameFields, NameTemplate, numbered};
use crate::split::{Part, SplitSink, Splitter, TransactionSplit};

pub fn run(args: &SplitArgs) -> anyhow::Result<u8> {
    let template = NameTemplate::parse(&args.name_template).context("--name-template")?;
    let found = discover(&args.paths);
    found.require_inputs(&args.paths)?;
    create_out_dir(&args.out_dir)?;
    let progress = Progress::new(&found, args.quiet.quiet);
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    let mut tally = Tally::default();
    for (path, error) in &found.errors {
        eprintln!("{}: {error}", path.display());
        tally.rejected.push(path.display().to_string());
    }
    let mut splitter = Splitter::new(args.by);
    if let Some(first) = args.renumber_from {
        splitter = splitter.renumber_from(first);
    }
    let mut outputs = Outputs {
        dir: &args.out_dir,
        template: &template,
        force: args.force,
        source: String::new(),
        stem: String::new(),
        taken: HashSet::new(),
        staged: Vec::new(),
        n: 0,
        current: Totals::default(),
        progress: &progress,
    };
    for input in &found.inputs {
        split_input(input, &mut splitter, &mut outputs, &mut tally)?;
        progress.file_done();
    }
    progress.finish();
    tally.print(args);
    Ok(tally.exit_code())
}

/// Creates the out-dir, owner-only (0700): the files it receives carry
/// patients' names and member ids. An existing folder is used as it is.
fn create_out_dir(dir: &Path) -> anyhow::Result<()> {
    if std::fs::metadata(dir).is_ok_and(|meta| !meta.is_dir()) {
        anyhow::bail!("--out-dir {}: not a folder", dir.display());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// Splits one input; its outputs are moved into place only if it is used.
fn split_input(
    input: &Input,
    splitter: &mut Splitter,
    outputs: &mut Outputs<'_>,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let source = input.display();
    tally.files += 1;
    let file = match open_regular(&input.path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("{source}: cannot open: {e}");
            tally.rejected.push(source);
            return Ok(());
        }
    };
    outputs.begin(input);
    let outcome = splitter.split_reader(outputs.progress.reader(file), outputs)?;
    outputs
        .progress
        .suspend(|| report_problems(&source, &outcome.summary.issues.0));
    if !outcome.summary.usable() {
        let removed = outputs.discard();
        eprintln!("{source}: rejected; nothing from it is kept ({removed} output file(s) removed)");
        tally.rejected.push(source);
        return Ok(());
    }
    if !outcome.summary.issues.is_valid() {
        tally.findings += 1;
    }
    if outcome.transactions == 0 {
        eprintln!("{source}: no 835 transaction; nothing to split");
    }
    outputs.keep()?;
    tally.add(&std::mem::take(&mut outputs.current));
    Ok(())
}

/// Sums over transactions.
#[derive(Debug, Default)]
struct Totals {
    transactions: u64,
    claims: u64,
    parts: u64,
    stated: Decimal,
    total: Decimal,
    unbalanced: u64,
}

/// What the run did, for the closing summary.
#[derive(Debug, Default)]
struct Tally {
    files: usize,
    totals: Totals,
    rejected: Vec<String>,
    /// Inputs used despite invalid findings.
    findings: usize,
}

impl Tally {
    fn add(&mut self, t: &Totals) {
        let s = &mut self.totals;
        s.transactions += t.transactions;
        s.claims += t.claims;
        s.parts += t.parts;
        s.stated += t.stated;
        s.total += t.total;
        s.unbalanced += t.unbalanced;
    }

    /// 1 when an input was rejected, 3 when an input has findings or a
    /// transaction's outputs do not sum to its BPR02, else 0.
    fn exit_code(&self) -> u8 {
        if !self.rejected.is_empty() {
            EXIT_INPUT
        } else if self.findings > 0 || self.totals.unbalanced > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }

    fn print(&self, args: &SplitArgs) {
        let t = &self.totals;
        eprintln!(
            "split {} file(s) by {}: {} transaction(s), {} claim(s) into {} file(s) in {}",
            self.files,
            args.by.as_str(),
            t.transactions,
            t.claims,
            t.parts,
            args.out_dir.display()
        );
        let verdict = if t.unbalanced == 0 {
            "every transaction balances".to_string()
        } else {
            format!("{} transaction(s) NOT BALANCED (see above)", t.unbalanced)
        };
        let sign = if t.total == t.stated { "=" } else { "≠" };
        eprintln!(
            "  Σ BPR02 of the outputs {} {sign} Σ BPR02 of the originals {}: {verdict}",
            shown(t.total),
            shown(t.stated)
        );
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

/// Money as shown in the summary: two decimals unless more are needed.
fn shown(amount: Decimal) -> String {
    if amount.scale() <= 2 {
        money(amount)
    } else {
        crate::money::unsigned_zero(amount.normalize()).to_string()
    }
}

/// Creates one file per part in the out-dir and prints each
/// transaction's proof.
struct Outputs<'a> {
    dir: &'a Path,
    template: &'a NameTemplate,
    force: bool,
    source: String,
    stem: String,
    /// Names used in this run, lower-cased (case-insensitive file systems).
    taken: HashSet<String>,
    /// The current input's outputs: written, closed, not yet in place.
    staged: Vec<(TempPath, PathBuf)>,
    n: u64,
    current: Totals,
    progress: &'a Progress,
}

impl Outputs<'_> {
    fn begin(&mut self, input: &Input) {
        self.source = input.display();
        self.stem = input
            .path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        self.staged.clear();
        self.current = Totals::default();
    }

    /// Drops the current input's outputs (their temporary files are
    /// removed); returns how many.
    fn discard(&mut self) -> usize {
        self.current = Totals::default();
        std::mem::take(&mut self.staged).len()
    }

    /// Moves the current input's outputs into place.
    fn keep(&mut self) -> anyhow::Result<()> {
        for (temp, path) in std::mem::take(&mut self.staged) {
            replace(temp, &path, self.force)?;
        }
        Ok(())
    }

    /// `name`, or `name` numbered -2, -3… if the run already used it.
    fn unique(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut k = 1;
        while !self.taken.insert(candidate.to_ascii_lowercase()) {
            k += 1;
            candidate = numbered(&name, k);
        }
        candidate
    }

    /// Writes `bytes` to a temporary file beside `path`, to be moved there
    /// by [`Outputs::keep`]. Without `--force` an existing `path` stops the
    /// run here, before anything of this input is in place.
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<TempPath> {
        if !self.force && std::fs::symlink_metadata(path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists; use --force to overwrite",
                    path.display()
                ),
            ));
        }
        let mut file = stage_beside(path).map_err(|e| io::Error::other(format!("{e:#}")))?;
        file.write_all(bytes).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
        })?;
        Ok(file.into_temp_path())
    }
}

impl SplitSink for Outputs<'_> {
    fn part(&mut self, part: &Part<'_>) -> io::Result<()> {
        self.n += 1;
        let fields = NameFields {
            input: &self.stem,
            tx: part.origin.ordinal,
            isa13: part.interchange,
            gs06: part.functional_group,
            st02: part.origin.control.as_bytes(),
            group: part.group_key(),
            by: part.by.as_str(),
            n: self.n,
        };
        let name = self.template.render(&fields);
        let name = self.unique(name);
        let path = self.dir.join(&name);
        let temp = self.write(&path, part.bytes)?;
        self.staged.push((temp, path));
        for note in part.notes {
            self.progress
                .suspend(|| eprintln!("{}: note: {name}: {note}", self.source));
        }
        Ok(())
    }

    fn transaction(&mut self, split: &TransactionSplit) -> io::Result<()> {
        self.progress.suspend(|| {
            eprintln!("{}: {}", self.source, proof(split));
            if !split.original_balances() {
                let computed = split.computed.map_or("cannot be summed".into(), shown);
                eprintln!(
                    "{}:   the original does not balance: Σ CLP04 − Σ PLB = {computed}, BPR02 = {}",
                    self.source,
                    shown(split.stated)
                );
            }
        });
        let c = &mut self.current;
        c.transactions += 1;
        c.claims += split.claims as u64;
        c.parts += split.parts as u64;
        c.stated += split.stated;
        c.total += split.total;
        c.unbalanced += u64::from(!split.balanced());
        Ok(())
    }
}

/// One transaction's line of the summary.
fn proof(split: &TransactionSplit) -> String {
    let o = &split.origin;
    let head = format!(
        "ST02 {} (ISA13 {}, trace {})",
        o.control, o.interchange, o.trace
    );
    let verdict = if split.balanced() {
        format!(
            "BPR02 {} = Σ outputs {}: balanced",
            shown(split.stated),
            shown(split.total)
        )
    } else {
        format!(
            "BPR02 {} ≠ Σ outputs {}: NOT BALANCED",
            shown(split.stated),
            shown(split.total)
        )
    };
    if split.parts == 0 {
        return format!("{head}: no claims and no PLB amounts; nothing written; {verdict}");
    }
    let provider = split
        .provider_level
        .map_or(String::new(), |p| format!(" (provider-level {})", shown(p)));
    format!(
        "{head}: {} claim(s) into {} file(s){provider}; {verdict}",
        split.claims, split.parts
    )
}
