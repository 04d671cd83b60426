//! `remit split`: writes each group of claims of every 835 transaction as a
//! standalone 835 in the out-dir (owner-only files, never overwriting
//! without `--force`), and proves on standard error that each
//! transaction's outputs sum to its BPR02. The outputs of an input that
//! turns out to be rejected are removed again.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rust_decimal::Decimal;

use super::args::SplitArgs;
use super::inputs::{Input, discover};
use super::output::{create_file, report_problems};
use super::{EXIT_INPUT, EXIT_OK};
use crate::ledger::money;
use crate::split::names::{NameFields, NameTemplate, numbered};
use crate::split::{Part, SplitSink, Splitter, TransactionSplit};

pub fn run(args: &SplitArgs) -> anyhow::Result<u8> {
    let template = NameTemplate::parse(&args.name_template).context("--name-template")?;
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let found = discover(&args.paths);
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    let mut tally = Tally::default();
    for (path, error) in &found.errors {
        eprintln!("{}: cannot read: {error}", path.display());
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
        created: Vec::new(),
        n: 0,
        current: Totals::default(),
    };
    for input in &found.inputs {
        split_input(input, &mut splitter, &mut outputs, &mut tally)?;
    }
    tally.print(args);
    Ok(if tally.ok() { EXIT_OK } else { EXIT_INPUT })
}

/// Splits one input; its outputs are removed again if it is rejected.
fn split_input(
    input: &Input,
    splitter: &mut Splitter,
    outputs: &mut Outputs<'_>,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let source = input.display();
    tally.files += 1;
    let file = match File::open(&input.path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("{source}: cannot open: {e}");
            tally.rejected.push(source);
            return Ok(());
        }
    };
    outputs.begin(input);
    let outcome = splitter.split_reader(file, outputs)?;
    report_problems(&source, &outcome.summary.issues.0);
    if !outcome.summary.usable() {
        let removed = outputs.discard()?;
        eprintln!("{source}: rejected; nothing from it is kept ({removed} output file(s) removed)");
        tally.rejected.push(source);
        return Ok(());
    }
    if outcome.transactions == 0 {
        eprintln!("{source}: no 835 transaction; nothing to split");
    }
    tally.add(&std::mem::take(&mut outputs.current));
    outputs.created.clear();
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

    fn ok(&self) -> bool {
        self.rejected.is_empty() && self.totals.unbalanced == 0
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
        crate::ledger::unsigned_zero(amount.normalize()).to_string()
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
    /// Files written for the current input.
    created: Vec<PathBuf>,
    n: u64,
    current: Totals,
}

impl Outputs<'_> {
    fn begin(&mut self, input: &Input) {
        self.source = input.display();
        self.stem = input
            .path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        self.created.clear();
        self.current = Totals::default();
    }

    /// Removes the current input's outputs; returns how many.
    fn discard(&mut self) -> anyhow::Result<usize> {
        for path in &self.created {
            std::fs::remove_file(path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
        self.current = Totals::default();
        Ok(std::mem::take(&mut self.created).len())
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

    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = create_file(path, self.force).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                io::Error::new(
                    e.kind(),
                    format!(
                        "{} already exists; use --force to overwrite",
                        path.display()
                    ),
                )
            } else {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
            }
        })?;
        file.write_all(bytes)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
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
        self.write(&path, part.bytes)?;
        self.created.push(path);
        for note in part.notes {
            eprintln!("{}: note: {name}: {note}", self.source);
        }
        Ok(())
    }

    fn transaction(&mut self, split: &TransactionSplit) -> io::Result<()> {
        eprintln!("{}: {}", self.source, proof(split));
        if !split.original_balances() {
            let computed = split.computed.map_or("cannot be summed".into(), shown);
            eprintln!(
                "{}:   the original does not balance: Σ CLP04 − Σ PLB = {computed}, BPR02 = {}",
                self.source,
                shown(split.stated)
            );
        }
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
