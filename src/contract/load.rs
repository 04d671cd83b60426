//! Reading contract files (and the old fee-schedule format) into rows, and
//! the checks across all of them: conflicting rows, rates naming reference
//! schedules that were not loaded. All or nothing.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Contracts;
use super::conflict::{self, Entry};
use super::error::{ContractError, LoadErrors, RowRef};
use super::rate::{RATE_EXPECTED, Rate};
use super::reference::{self, ReferenceSchedule, References};
use super::rules::{Rules, Sourced};
use super::scope::{Period, Place, Scope};
use super::table::{self, Columns, Row, Table};
use crate::text::Text;

const COLUMNS: [&str; 10] = [
    "payer",
    "plan",
    "procedure",
    "modifier",
    "place",
    "from",
    "to",
    "rate",
    "max_units",
    "rules",
];
const EXPECTED: &str = "payer, plan, procedure, modifier, place, from, to, rate, max_units, rules";
const PAYER: usize = 0;
const PLAN: usize = 1;
const PROCEDURE: usize = 2;
const MODIFIER: usize = 3;
const PLACE: usize = 4;
const FROM: usize = 5;
const TO: usize = 6;
const RATE: usize = 7;
const MAX_UNITS: usize = 8;
const RULES: usize = 9;

/// The old `--fee-schedule` format: `procedure,modifier,allowed[,payer]`.
const LEGACY_COLUMNS: [&str; 4] = ["procedure", "modifier", "allowed", "payer"];
const LEGACY_EXPECTED: &str = "procedure, modifier, allowed, payer";

/// One contract row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContractRow {
    pub at: RowRef,
    pub scope: Scope,
    /// `None` on a `*` row that only sets rules.
    pub rate: Option<Rate>,
    /// The row's rules, `max_units` included.
    pub rules: Rules,
}

/// Loads contract files and reference schedules together. Every file is
/// read and every problem collected; [`ContractLoader::finish`] returns
/// the set only when there were none, so nothing is ever half-loaded.
#[derive(Debug, Default)]
pub struct ContractLoader {
    rows: Vec<ContractRow>,
    references: References,
    reference_files: Vec<(Text, Arc<str>)>,
    errors: Vec<ContractError>,
}

impl ContractLoader {
    /// An empty loader.
    pub fn new() -> ContractLoader {
        ContractLoader::default()
    }

    /// Reads a reference schedule called `name` from `input`; `file` is how
    /// errors and `expected_basis` name it. Contract files may be added
    /// before or after the schedules they use.
    pub fn add_reference(&mut self, name: &str, file: &str, input: impl Read) -> &mut Self {
        let file: Arc<str> = file.into();
        if let Err(e) = reference::check_name(name) {
            self.errors.push(e);
            return self;
        }
        if let Some((_, first)) = self
            .reference_files
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            self.errors.push(ContractError::DuplicateReference {
                name: name.to_string(),
                first: first.clone(),
                second: file,
            });
            return self;
        }
        self.reference_files.push((name.into(), file.clone()));
        if let Some(s) = ReferenceSchedule::read(name, file, input, &mut self.errors) {
            self.references.push(s);
        }
        self
    }

    /// Reads one contract file (or an old `procedure,modifier,allowed[,payer]`
    /// fee schedule, told apart by its `allowed` column); `file` is how
    /// errors and `expected_basis` name it.
    pub fn add_contract(&mut self, file: &str, input: impl Read) -> &mut Self {
        let table = match Table::open(file.into(), input, EXPECTED) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(e);
                return self;
            }
        };
        if table.has("allowed") && !table.has("rate") {
            self.read_legacy(table);
        } else {
            self.read_contract(table);
        }
        self
    }

    fn read_contract(&mut self, table: Table<impl Read>) {
        let columns = match table.columns(&COLUMNS, &["procedure"], "contract", EXPECTED) {
            Ok(c) => c,
            Err(es) => return self.errors.extend(es),
        };
        for row in table.rows(&columns) {
            match row {
                Ok(row) => {
                    if let Some(r) = contract_row(&row, &columns, &mut self.errors) {
                        self.rows.push(r);
                    }
                }
                Err(e) => self.errors.push(e),
            }
        }
    }

    fn read_legacy(&mut self, table: Table<impl Read>) {
        let columns = match table.columns(
            &LEGACY_COLUMNS,
            &["procedure", "allowed"],
            "fee schedule",
            LEGACY_EXPECTED,
        ) {
            Ok(c) => c,
            Err(es) => return self.errors.extend(es),
        };
        for row in table.rows(&columns) {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    self.errors.push(e);
                    continue;
                }
            };
            let cell = |c| row.cell(&columns, c);
            let before = self.errors.len();
            let procedure = table::procedure(cell(0));
            if procedure.is_none() {
                self.errors.push(row.bad(
                    "procedure",
                    cell(0),
                    "a procedure code (letters and digits)",
                ));
            }
            let modifiers = table::modifiers(cell(1));
            if modifiers.is_none() {
                self.errors.push(row.bad(
                    "modifier",
                    cell(1),
                    "two-character modifiers separated by ':'",
                ));
            }
            let allowed = table::amount(cell(2));
            if allowed.is_none() {
                self.errors
                    .push(row.bad("allowed", cell(2), "an amount per unit (e.g. 42.50)"));
            }
            if let (Some(procedure), Some(modifiers), Some(allowed), true) =
                (procedure, modifiers, allowed, self.errors.len() == before)
            {
                self.rows.push(ContractRow {
                    at: row.at.clone(),
                    scope: Scope {
                        payer: table::normalise(cell(3)),
                        plan: Text::default(),
                        procedure: Some(procedure),
                        modifiers,
                        place: None,
                        period: Period::default(),
                    },
                    rate: Some(Rate::Flat(allowed)),
                    rules: Rules::default(),
                });
            }
        }
    }

    /// Checks the rows against each other and the references, and returns
    /// the contracts, or every problem found in any file.
    pub fn finish(mut self) -> Result<Contracts, LoadErrors> {
        for row in &self.rows {
            if let Some(Rate::OfReference { schedule, .. }) = &row.rate {
                if self.references.get(schedule).is_none()
                    && !self
                        .reference_files
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case(schedule))
                {
                    self.errors.push(ContractError::UnknownReference {
                        at: row.at.clone(),
                        name: schedule.to_string(),
                        loaded: self.references.names(),
                    });
                }
            }
        }
        let mut by_procedure: HashMap<Option<Text>, Vec<usize>> = HashMap::new();
        for (i, row) in self.rows.iter().enumerate() {
            by_procedure
                .entry(row.scope.procedure.clone())
                .or_default()
                .push(i);
        }
        let mut groups: Vec<&Vec<usize>> = by_procedure.values().collect();
        groups.sort_unstable();
        let mut conflicts = Vec::new();
        for group in groups {
            let entries: Vec<Entry<'_, &Scope>> = group
                .iter()
                .map(|&i| Entry {
                    at: &self.rows[i].at,
                    key: &self.rows[i].scope,
                    period: self.rows[i].scope.period,
                })
                .collect();
            conflict::check(
                &entries,
                |a, b| a.same_coverage(b),
                |s| s.describe(),
                &mut conflicts,
            );
        }
        self.errors.extend(conflicts);
        if !self.errors.is_empty() {
            return Err(LoadErrors(self.errors));
        }
        Ok(Contracts::new(self.rows, self.references))
    }
}

/// Splits a `--reference NAME=FILE` argument.
pub fn parse_reference_arg(arg: &str) -> Result<(&str, &str), ContractError> {
    let (name, file) = arg.split_once('=').unwrap_or(("", arg));
    let name = name.trim();
    reference::check_name(name)?;
    if file.trim().is_empty() {
        return Err(ContractError::BadReferenceName {
            name: name.to_string(),
            why: "no file after '='; write --reference NAME=FILE",
        });
    }
    Ok((name, file))
}

/// Reads one row of a contract file, pushing its problems (all of them,
/// one per bad cell) into `errors`.
fn contract_row(
    row: &Row,
    columns: &Columns,
    errors: &mut Vec<ContractError>,
) -> Option<ContractRow> {
    let before = errors.len();
    let cell = |c| row.cell(columns, c);
    let procedure = match cell(PROCEDURE) {
        "*" => None,
        text => {
            let p = table::procedure(text);
            if p.is_none() {
                errors.push(row.bad(
                    "procedure",
                    text,
                    "a procedure code (letters and digits) or *",
                ));
            }
            p
        }
    };
    let star = cell(PROCEDURE) == "*";
    let modifiers = table::modifiers(cell(MODIFIER)).unwrap_or_else(|| {
        errors.push(row.bad(
            "modifier",
            cell(MODIFIER),
            "two-character modifiers separated by ':'",
        ));
        Vec::new()
    });
    if star && !modifiers.is_empty() {
        errors.push(row.bad(
            "modifier",
            cell(MODIFIER),
            "empty on a * row (a * row sets its scope's defaults; 26, TC and assistant shares are rules)",
        ));
    }
    let place = Place::parse_cell(cell(PLACE)).unwrap_or_else(|()| {
        errors.push(row.bad("place", cell(PLACE), "facility, nonfacility or empty"));
        None
    });
    let mut date = |c: usize, name: &'static str| -> Option<Date> {
        let text = cell(c);
        if text.is_empty() {
            return None;
        }
        let d = table::date(text);
        if d.is_none() {
            errors.push(row.bad(
                name,
                text,
                "a date (2024-01-31, 20240131 or 01/31/2024) or empty",
            ));
        }
        d
    };
    let period = Period {
        from: date(FROM, "from"),
        to: date(TO, "to"),
    };
    if let (Some(f), Some(t)) = (period.from, period.to) {
        if f > t {
            errors.push(row.bad("to", cell(TO), format!("a date on or after from ({f})")));
        }
    }
    let rate = match cell(RATE) {
        "" if star => None,
        "" => {
            errors.push(row.bad(
                "rate",
                "",
                format!("{RATE_EXPECTED}; only a * row may leave it empty"),
            ));
            None
        }
        text => {
            let r = Rate::parse(text);
            if r.is_none() {
                errors.push(row.bad("rate", text, RATE_EXPECTED));
            }
            r
        }
    };
    let mut rules = Rules::parse(cell(RULES), &row.at).unwrap_or_else(|(item, expected)| {
        errors.push(row.bad(
            "rules",
            &item,
            format!("{expected}; rules are ';'-separated name=value"),
        ));
        Rules::default()
    });
    match cell(MAX_UNITS) {
        "" => {}
        text => match crate::x12::value::decimal(text.as_bytes()).filter(|u| *u > Decimal::ZERO) {
            Some(u) => {
                rules.max_units = Some(Sourced {
                    value: u,
                    from: Some(row.at.clone()),
                })
            }
            None => errors.push(row.bad("max_units", text, "a number of units above 0, or empty")),
        },
    }
    if star && rate.is_none() && rules == Rules::default() && errors.len() == before {
        errors.push(row.bad(
            "rules",
            "",
            "a rate, max_units or rules: a * row with none sets nothing",
        ));
    }
    if errors.len() != before {
        return None;
    }
    Some(ContractRow {
        at: row.at.clone(),
        scope: Scope {
            payer: table::normalise(cell(PAYER)),
            plan: table::normalise(cell(PLAN)),
            procedure,
            modifiers,
            place,
            period,
        },
        rate,
        rules,
    })
}
