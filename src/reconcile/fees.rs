//! The fee schedule: what a payer should allow for a procedure (and
//! modifiers), read from CSV `procedure,modifier,allowed[,payer]`.
//!
//! Lookup prefers a payer-specific row over a row for any payer, and an
//! exact modifier match over the modifier-less row.

use std::collections::HashMap;
use std::io::Read;

use rust_decimal::Decimal;

use crate::line::modifier_set;
use crate::text::Text;

/// Why a fee schedule could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FeeScheduleError {
    /// The CSV itself is malformed.
    #[error("fee schedule: {0}")]
    Csv(#[from] csv::Error),
    /// A required column is missing.
    #[error("fee schedule: no {0:?} column in the header")]
    MissingColumn(&'static str),
    /// A row's allowed amount is not a decimal number.
    #[error("fee schedule line {line}: allowed amount {value:?} is not a decimal number")]
    BadAmount {
        /// 1-based line number.
        line: u64,
        /// The text found.
        value: String,
    },
    /// A row has no procedure code.
    #[error("fee schedule line {line}: the procedure is empty")]
    MissingProcedure {
        /// 1-based line number.
        line: u64,
    },
}

/// Allowed amounts by payer, procedure and modifier set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeeSchedule {
    rows: HashMap<(Text, Text, Text), Decimal>,
}

impl FeeSchedule {
    /// Reads a fee schedule CSV with a header row.
    pub fn from_reader(input: impl Read) -> Result<FeeSchedule, FeeScheduleError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let headers: Vec<String> = reader
            .headers()?
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let column = |name: &'static str| headers.iter().position(|h| h == name);
        let procedure = column("procedure").ok_or(FeeScheduleError::MissingColumn("procedure"))?;
        let allowed = column("allowed").ok_or(FeeScheduleError::MissingColumn("allowed"))?;
        let modifier = column("modifier");
        let payer = column("payer");
        let mut schedule = FeeSchedule::default();
        for record in reader.records() {
            let record = record?;
            let line = record.position().map_or(0, |p| p.line());
            let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
            let code = get(Some(procedure));
            if code.is_empty() {
                return Err(FeeScheduleError::MissingProcedure { line });
            }
            let amount_text = get(Some(allowed));
            let amount = crate::x12::value::decimal(amount_text.as_bytes()).ok_or_else(|| {
                FeeScheduleError::BadAmount {
                    line,
                    value: amount_text.to_string(),
                }
            })?;
            let modifiers: Vec<Text> = get(modifier)
                .split([':', ' ', ';'])
                .map(Text::from)
                .collect();
            let key = (
                normalise(get(payer)),
                Text::from(code.to_ascii_uppercase()),
                modifier_set(&modifiers),
            );
            schedule.rows.insert(key, amount);
        }
        Ok(schedule)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The allowed amount for one unit: payer-specific before any payer,
    /// exact modifiers before none. `payers` are the names/ids the payer is
    /// known by.
    pub fn allowed(&self, payers: &[&str], procedure: &str, modifiers: &[Text]) -> Option<Decimal> {
        let code = Text::from(procedure.to_ascii_uppercase());
        let exact = modifier_set(modifiers);
        let none = Text::default();
        let payer_keys: Vec<Text> = payers
            .iter()
            .map(|p| normalise(p))
            .filter(|p| !p.is_empty())
            .collect();
        let any = [Text::default()];
        for payer in payer_keys.iter().chain(any.iter()) {
            for mods in [&exact, &none] {
                if let Some(amount) = self.rows.get(&(payer.clone(), code.clone(), mods.clone())) {
                    return Some(*amount);
                }
            }
        }
        None
    }
}

fn normalise(payer: &str) -> Text {
    payer.trim().to_ascii_uppercase().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    const CSV: &str = "procedure,modifier,allowed,payer\n98940,,40.00,\n98940,,35.50,ACME HEALTH PLAN\n97110,GP,30,\n97110,,28.25,\n";

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn payer_specific_row_wins_over_any_payer() {
        let fs = FeeSchedule::from_reader(CSV.as_bytes()).unwrap();
        assert_eq!(
            fs.allowed(&["60054", "Acme Health Plan"], "98940", &[]),
            Some(d("35.50"))
        );
        assert_eq!(fs.allowed(&["OTHER"], "98940", &[]), Some(d("40.00")));
    }

    #[test]
    fn exact_modifier_else_modifierless_row() {
        let fs = FeeSchedule::from_reader(CSV.as_bytes()).unwrap();
        assert_eq!(fs.allowed(&[], "97110", &["GP".into()]), Some(d("30")));
        assert_eq!(fs.allowed(&[], "97110", &["59".into()]), Some(d("28.25")));
        assert_eq!(fs.allowed(&[], "99999", &[]), None);
    }

    #[test]
    fn bad_amount_names_the_line() {
        let err =
            FeeSchedule::from_reader("procedure,allowed\n98940,forty\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fee schedule line 2: allowed amount \"forty\" is not a decimal number"
        );
    }
}
