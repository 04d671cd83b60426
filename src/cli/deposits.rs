//! `remit deposits`: read the bank's deposits (BAI2 or CSV), reconcile the
//! 835s, match every payment to the deposits that paid it, write one row
//! per match, and print counts per match kind and totals promised vs
//! received on standard error. Also reads bank files for `remit posting`.

use std::path::PathBuf;

use jiff::civil::Date;

use super::args::{BankOptions, DepositsArgs};
use super::inputs::read_option_file;
use super::output::Output;
use super::reconcile::{Prepared, Settings, decide_inputs, stored_rows};
use super::{EXIT_INPUT, EXIT_OK, Stop};
use crate::bank::{self, CsvColumns, Deposit};
use crate::ledger::sink;
use crate::money::money;
use crate::reports::deposits::{
    COLUMNS, DepositMatch, DepositTotals, MatchSettings, Payments, match_deposits,
};

/// The usable deposits of the bank files, and what could not be used.
#[derive(Debug, Default)]
pub struct BankDeposits {
    /// Deposits of the files read without problems, dated up to the as-of date.
    pub deposits: Vec<Deposit>,
    /// Files read.
    pub files: usize,
    /// Files with problems (their deposits are not used).
    pub rejected: Vec<String>,
    /// Entries that are not deposits (debits without a trace, zero amounts).
    pub skipped: usize,
    /// Deposits dated after the as-of date, left out.
    pub after_as_of: usize,
    /// Deposits an earlier file already gave (same date, amount and bank
    /// reference), left out: overlapping statements must not count twice.
    pub duplicates: usize,
}

impl BankDeposits {
    /// 0 when every bank file was used, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.rejected.is_empty() {
            EXIT_OK
        } else {
            EXIT_INPUT
        }
    }

    /// Fails with status 1 when no bank file could be used: matching
    /// against no deposits at all would call every payment unreceived.
    pub fn require_usable(&self) -> anyhow::Result<()> {
        if self.files > self.rejected.len() {
            return Ok(());
        }
        Err(Stop::new(
            EXIT_INPUT,
            "no usable --bank file; nothing written (every payment would read as not received)",
        )
        .into())
    }
}

/// Reads every bank file. A file that cannot be read or is empty (a
/// mistyped name, a wrong export) is an error before anything is written;
/// a file with problems is reported on standard error, record by record,
/// and not used. A deposit an earlier file gave (same date, amount and
/// bank reference) is left out.
pub fn read_bank_files(
    paths: &[PathBuf],
    options: &BankOptions,
    as_of: Date,
) -> anyhow::Result<BankDeposits> {
    let columns = CsvColumns {
        date: options.bank_date_column.clone(),
        amount: options.bank_amount_column.clone(),
        description: options.bank_description_column.clone(),
        reference: options.bank_reference_column.clone(),
    };
    let mut found = BankDeposits::default();
    let mut seen = std::collections::HashSet::new();
    let mut contents = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = read_option_file("--bank", path)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            anyhow::bail!("--bank {}: the file is empty", path.display());
        }
        contents.push(bytes);
    }
    for (path, bytes) in paths.iter().zip(contents) {
        let source = path.display().to_string();
        found.files += 1;
        let read = bank::read(&source, &bytes, &columns);
        match read {
            Ok(file) => {
                found.skipped += file.skipped;
                let earlier = seen.clone();
                for d in file.deposits {
                    let key = (d.date, d.amount.normalize(), d.bank_ref.clone());
                    if d.date > as_of {
                        found.after_as_of += 1;
                    } else if !d.bank_ref.is_empty() && earlier.contains(&key) {
                        found.duplicates += 1;
                    } else {
                        seen.insert(key);
                        found.deposits.push(d);
                    }
                }
            }
            Err(e) => {
                for problem in &e.problems {
                    eprintln!("{source}: {problem}");
                }
                eprintln!("{source}: rejected; its deposits are not used");
                found.rejected.push(source);
            }
        }
    }
    Ok(found)
}

pub fn run(args: &DepositsArgs) -> anyhow::Result<u8> {
    // Deposits are matched on each transaction's trace, BPR02 and dates:
    // fee schedules, deadlines, interest and code lists change nothing here.
    let settings = Settings::load(args.input.as_of, None, None, None, None)?;
    let as_of = settings.rules.as_of;
    let bank = read_bank_files(&args.bank, &args.bank_options, as_of)?;
    bank.require_usable()?;
    let prepared = Prepared::new(&args.input, settings)?;
    let mut out = Output::create(&args.output.out)?;
    let mut payments = Payments::default();
    let tally = decide_inputs(&args.input, &prepared, |row| {
        payments.add(row);
        Ok(())
    })?;
    tally.require_usable(&args.output.out)?;
    if let Some(db) = &args.input.db {
        payments = Payments::default();
        stored_rows(db, &prepared.settings.codes)?
            .iter()
            .for_each(|row| payments.add(row));
    }
    let payments = payments.into_sorted();
    // Superseded versions of a remittance are one payment with their
    // corrected version: they are named, not counted.
    let transactions = payments
        .iter()
        .filter(|p| p.superseded_by.is_none())
        .count();
    let settings = MatchSettings {
        window_days: args.bank_options.window_days,
        as_of,
    };
    let deposits = bank.deposits.len();
    let matches = match_deposits(payments, bank.deposits.clone(), &settings);
    let mut sink = sink(args.output.format, Box::new(&mut out), "deposits", "match");
    sink.begin(COLUMNS)?;
    let mut totals = DepositTotals::default();
    for m in &matches {
        sink.row(m)?;
        totals.add(m);
    }
    sink.finish()?;
    drop(sink);
    out.commit()?;
    tally.print();
    print_summary(&matches, &totals, &bank, transactions, deposits);
    Ok(super::worst(tally.exit_code(), bank.exit_code()))
}

/// Money received per (payer, month of payment): the deposits matched to
/// the payments of `rows` (deposits without remittance under an empty
/// payer), for `remit posting` to tie its totals to.
pub fn received_by_payer_month(
    rows: &[crate::line::DecidedLine],
    bank: &BankDeposits,
    settings: &MatchSettings,
) -> std::collections::BTreeMap<(String, String), rust_decimal::Decimal> {
    let mut payments = Payments::default();
    rows.iter().for_each(|row| payments.add(row));
    let mut totals = DepositTotals::default();
    for m in match_deposits(payments.into_sorted(), bank.deposits.clone(), settings) {
        totals.add(&m);
    }
    totals
        .by_payer_month
        .into_iter()
        .map(|(key, money)| (key, money.received))
        .collect()
}

fn print_summary(
    matches: &[DepositMatch],
    totals: &DepositTotals,
    bank: &BankDeposits,
    transactions: usize,
    deposits: usize,
) {
    eprintln!(
        "deposits: {transactions} remittance transaction(s) and {deposits} deposit(s) from {} bank file(s) in {} row(s)",
        bank.files - bank.rejected.len(),
        matches.len()
    );
    eprintln!(
        "  matches: {}",
        if totals.kinds.is_empty() {
            "none".into()
        } else {
            totals.kinds_text()
        }
    );
    eprintln!(
        "  promised {}, received {}, difference {}",
        money(totals.all.promised),
        money(totals.all.received),
        money(totals.all.received - totals.all.promised)
    );
    eprintln!("  by payer and month of payment:");
    for line in totals.payer_month_lines() {
        eprintln!("    {line}");
    }
    if bank.skipped > 0 || bank.after_as_of > 0 || bank.duplicates > 0 {
        eprintln!(
            "  left out: {} bank entr(ies) that are not deposits, {} deposit(s) dated after --as-of, {} deposit(s) an earlier bank file already gave",
            bank.skipped, bank.after_as_of, bank.duplicates
        );
    }
    eprintln!(
        "  bank files rejected: {}",
        if bank.rejected.is_empty() {
            "none".into()
        } else {
            bank.rejected.join(", ")
        }
    );
}
