//! `remit deposits`: read the bank's deposits (BAI2 or CSV), reconcile the
//! 835s, match every payment to the deposits that paid it, write one row
//! per match, and print counts per match kind and totals promised vs
//! received on standard error. Also reads bank files for `remit posting`.

use std::path::PathBuf;

use anyhow::Context;
use jiff::civil::Date;

use super::args::{BankOptions, DepositsArgs};
use super::output::open;
use super::reconcile::{as_of, decide_inputs, stored_rows};
use super::{EXIT_INPUT, EXIT_OK};
use crate::bank::{self, CsvColumns, Deposit};
use crate::ledger::{money, sink};
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
}

/// Reads every bank file; a file with problems is reported on standard
/// error, record by record, and not used. A deposit an earlier file gave
/// (same date, amount and bank reference) is left out.
pub fn read_bank_files(paths: &[PathBuf], options: &BankOptions, as_of: Date) -> BankDeposits {
    let columns = CsvColumns {
        date: options.bank_date_column.clone(),
        amount: options.bank_amount_column.clone(),
        description: options.bank_description_column.clone(),
        reference: options.bank_reference_column.clone(),
    };
    let mut found = BankDeposits::default();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        let source = path.display().to_string();
        found.files += 1;
        let read = std::fs::read(path)
            .with_context(|| format!("{source}: cannot read"))
            .and_then(|bytes| Ok(bank::read(&source, &bytes, &columns)?));
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
                report_bank_error(&source, &e);
                found.rejected.push(source);
            }
        }
    }
    found
}

fn report_bank_error(source: &str, e: &anyhow::Error) {
    match e.downcast_ref::<bank::BankError>() {
        Some(bank_error) => {
            for problem in &bank_error.problems {
                eprintln!("{source}: {problem}");
            }
        }
        None => eprintln!("{e:#}"),
    }
    eprintln!("{source}: rejected; its deposits are not used");
}

pub fn run(args: &DepositsArgs) -> anyhow::Result<u8> {
    let as_of = as_of(args.input.as_of);
    let bank = read_bank_files(&args.bank, &args.bank_options, as_of);
    let mut payments = Payments::default();
    let tally = decide_inputs(&args.input, |row| {
        payments.add(row);
        Ok(())
    })?;
    if let Some(db) = &args.input.db {
        payments = Payments::default();
        stored_rows(db)?.iter().for_each(|row| payments.add(row));
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
    let out = open(&args.output.out)?;
    let mut sink = sink(args.output.format, out, "deposits", "match");
    sink.begin(COLUMNS)?;
    let mut totals = DepositTotals::default();
    for m in &matches {
        sink.row(m)?;
        totals.add(m);
    }
    sink.finish()?;
    tally.print();
    print_summary(&matches, &totals, &bank, transactions, deposits);
    Ok(tally.exit_code().max(bank.exit_code()))
}

/// Money received per (payer, month of payment): the deposits matched to
/// the payments of `rows` (deposits without remittance under an empty
/// payer), for `remit posting` to tie its totals to.
pub fn received_by_payer_month(
    rows: &[crate::ledger::LedgerRow],
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
