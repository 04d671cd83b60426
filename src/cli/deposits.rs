//! `remit deposits`: read the bank's deposits (BAI2 or CSV), reconcile the
//! 835s, match every payment to the deposits that paid it, write one row
//! per match, and print counts per match kind and totals promised vs
//! received on standard error.

use super::args::DepositsArgs;
use super::bank::{BankDeposits, read_bank_files};
use super::output::Output;
use super::runner::{Prepared, decide_inputs};
use super::settings;
use super::store::stored_rows;
use crate::ledger::sink;
use crate::money::money;
use crate::reports::deposits::{
    COLUMNS, DepositMatch, DepositTotals, MatchSettings, Payments, match_deposits,
};

pub fn run(args: &DepositsArgs) -> anyhow::Result<u8> {
    // Deposits are matched on each transaction's trace, BPR02 and dates:
    // fee schedules, deadlines, interest and code lists change nothing here.
    let config = settings::config(args.input.as_of, None, None, None, None)?;
    let as_of = config.as_of();
    let bank = read_bank_files(&args.bank, &args.bank_options, as_of)?;
    bank.require_usable()?;
    let prepared = Prepared::new(&args.input, config)?;
    let mut out = Output::create(&args.output.out)?;
    let mut payments = Payments::default();
    let tally = decide_inputs(&args.input, &prepared, |row| {
        payments.add(row);
        Ok(())
    })?;
    tally.require_usable(&args.output.out)?;
    if let Some(db) = &args.input.db {
        payments = Payments::default();
        stored_rows(db, prepared.config.codes())?
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
