//! The bank side of `remit deposits` and `remit posting`: reads the bank
//! files (BAI2 or CSV) a command is given, before anything is written, and
//! totals what was received per payer and month.

use std::path::PathBuf;

use jiff::civil::Date;

use super::args::BankOptions;
use super::inputs::read_option_file;
use super::{EXIT_INPUT, EXIT_OK, Stop};
use crate::bank::{self, CsvColumns, Deposit};
use crate::reports::deposits::{DepositTotals, MatchSettings, Payments, match_deposits};

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
