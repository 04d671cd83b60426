//! Options into settings: the flags a command parsed (`args`) are resolved
//! once — option files read, rates and rules checked, the code list merged
//! — into the plain [`Config`] the pipeline takes. This is ripgrep's split
//! of low-level arguments (what clap parsed) from the high-level settings a
//! run uses; it happens before any output is opened, so a typo never costs
//! the previous output.

use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::args::{AppealArgs, CodeArgs, FeeArgs};
use super::inputs::read_option_file;
use crate::acks::AckCodes;
use crate::codes::{CodeList, ListKind};
use crate::contract::{ContractLoader, Contracts, parse_reference_arg};
use crate::lifecycle::FilingLimits;
use crate::pipeline::Config;
use crate::reconcile::Rules;
use crate::reconcile::interest::{PromptPay, parse_rate};

/// The settings of a command from the option groups it has (a missing
/// group keeps remit's defaults, as the command's output does not show
/// it): `--as-of`, contracts, appeal days, prompt-pay rule and rate,
/// code lists. The number of readers, the filing limits and the
/// acknowledgment codes are the input's (see [`super::runner::Prepared`]).
pub fn config(
    as_of_flag: Option<Date>,
    fees: Option<&FeeArgs>,
    appeals: Option<&AppealArgs>,
    interest: Option<(&str, Option<&str>)>,
    codes: Option<&CodeArgs>,
) -> anyhow::Result<Config> {
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
    rules.codes = std::sync::Arc::new(codes);
    Ok(Config {
        contracts,
        ..Config::new(rules)
    })
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
    let mut references = Vec::new();
    for arg in &fees.reference {
        let (name, file) =
            parse_reference_arg(arg).with_context(|| format!("--reference {arg}"))?;
        references.push((name, Path::new(file)));
    }
    let files: Vec<(&str, &Path)> = fees
        .contract
        .iter()
        .map(|p| ("--contract", p.as_path()))
        .chain(
            fees.fee_schedule
                .iter()
                .map(|p| ("--fee-schedule", p.as_path())),
        )
        .collect();
    let label = labels(
        references
            .iter()
            .map(|r| r.1)
            .chain(files.iter().map(|f| f.1)),
    );
    let mut loader = ContractLoader::new();
    for &(name, path) in &references {
        let bytes = read_option_file("--reference", path)?;
        loader.add_reference(name, &label(path), bytes.as_slice());
    }
    for &(option, path) in &files {
        let bytes = read_option_file(option, path)?;
        loader.add_contract(&label(path), bytes.as_slice());
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

/// How contract and reference files are named in `expected_basis` and in
/// errors: by file name, so that a ledger does not depend on where the
/// files sit (the Spark job ships them to each executor's own folder, and
/// an absolute path says more about a machine than about a contract);
/// by the path as given when two files share a name.
fn labels<'p>(paths: impl Iterator<Item = &'p Path>) -> impl Fn(&Path) -> String {
    let paths: Vec<&Path> = paths.collect();
    let name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let mut names: Vec<String> = paths.iter().map(|p| name(p)).collect();
    names.sort();
    let shared = names.windows(2).any(|w| w[0] == w[1]);
    move |p: &Path| {
        if shared {
            p.display().to_string()
        } else {
            name(p)
        }
    }
}
