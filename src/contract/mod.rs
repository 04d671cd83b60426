//! Contracts: what a payer's contract says it should allow for a service
//! line, with the basis in words, and the payer scorecard. Owns the
//! contract file format (and the old fee-schedule format it replaces),
//! reference schedules, the specificity order, the payment rules and the
//! pricing arithmetic. Pure apart from reading the files it is handed: it
//! knows nothing of remittance files, the decision engine or the ledger.
//!
//! # Contract files
//! CSV with a header row. Column names are fixed (any order, any case; an
//! unknown column is an error): `payer, plan, procedure, modifier, place,
//! from, to, rate, max_units, rules`. Only `procedure` is required.
//!
//! | column | holds | empty means |
//! |---|---|---|
//! | `payer` | payer id (N1*PR N104) or name (N1*PR N102) | any payer |
//! | `plan` | CLP06 filing indicator (`12`, `HM`, `MB`… or `PPO`, `HMO`, `POS`, `EPO`, `INDEMNITY`, `COMMERCIAL`, `MEDICAID`, `TRICARE`), or the payer's plan id | any plan |
//! | `procedure` | the code, or `*` for every code of the scope | (required) |
//! | `modifier` | modifiers the line must carry, `:`-separated | any modifiers |
//! | `place` | `facility` or `nonfacility` | any place |
//! | `from`, `to` | effective dates, inclusive, picked by the date of service | open |
//! | `rate` | `85.00` per unit, `P% of NAME` (a reference schedule), `P% of billed` | only on `*` rows: rules only |
//! | `max_units` | most units paid per line | no cap |
//! | `rules` | `;`-separated payment rules (below) | — |
//!
//! The old `procedure,modifier,allowed[,payer]` fee schedule (told apart by
//! its `allowed` column) loads as undated rows with flat rates.
//!
//! # Which row prices a line
//! Among the rows whose scope covers the line (payer, plan, procedure,
//! every modifier the row names on the line, place, dates covering the
//! date of service), the most specific wins, compared in this order —
//! payer (id > name > any), plan (plan id > filing indicator > any),
//! procedure (code > `*`), modifiers (more named > fewer), place (named >
//! any), dates (dated > undated). Two different rows still tied are an
//! error naming both. At load, two undated rows of one scope are ambiguous
//! and two dated rows of one scope with overlapping dates are an error; a
//! dated row beside an undated one overrides it within its dates.
//!
//! # Payment rules
//! Layered rule by rule: built-in defaults, then every `*` row covering
//! the line from least to most specific, then the pricing row's own rules.
//! `NAME=off` switches a rule off in a narrower scope.
//!
//! * units: rate × units billed, capped at `max_units`;
//! * `mppr=P` or `mppr=P:Q`: multiple procedure reduction — of the lines of
//!   one date of service that count (codes in `mppr_codes`, by default CPT
//!   surgery 10000–69999, or lines with modifier 51), the highest-valued is
//!   paid in full, the 2nd at P %, the 3rd and later at Q % (default P);
//! * `bilateral=P`: modifier 50, one procedure at P % (usually 150);
//! * `assistant=P`: modifiers 80, 81, 82, AS at P % (Medicare: 16);
//! * `professional=MOD:P`, `technical=MOD:P`: a 26/TC line priced by a
//!   row for the global service gets P % of it;
//! * `sequestration=P` (on by default at 2): CARC 253 on the line, up to P %
//!   of the expected amount, is expected, not a shortfall.
//!
//! A line with 26, TC, 80, 81, 82 or AS whose row prices only the global
//! service and whose contract gives no share is not priced (an error says
//! why): pricing it at the global would flag every such line.
//!
//! # Rounding
//! Money is `rust_decimal::Decimal`, rounded half away from zero to the
//! cent twice: the unit rate of a percentage-of-reference row (as a payer
//! publishes its fee schedule), and the line amount after every rule but
//! sequestration, whose reported amounts are already in cents.

mod conflict;
pub mod error;
mod load;
mod price;
mod rate;
mod reference;
mod rules;
mod scope;
mod scorecard;
mod table;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

pub use error::{ContractError, LoadErrors, PricingError, RowRef};
pub use load::{ContractLoader, parse_reference_arg};
pub use price::{ClaimFacts, Expected, LineFacts, LinePrice};
pub use reference::{ReferenceSchedule, References};
pub use scope::Place;
pub use scorecard::{
    DenialShare, ReferenceShare, Scorecard, ScorecardError, ScorecardLine, ScorecardRow, Spread,
};

use crate::text::Text;
use load::ContractRow;

/// Every loaded contract row and reference schedule, ready to price lines.
/// Built by [`ContractLoader`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contracts {
    rows: Vec<ContractRow>,
    /// Rows by procedure code.
    by_procedure: HashMap<Text, Vec<usize>>,
    /// `*` rows.
    star: Vec<usize>,
    references: References,
}

impl Contracts {
    fn new(rows: Vec<ContractRow>, references: References) -> Contracts {
        let mut by_procedure: HashMap<Text, Vec<usize>> = HashMap::new();
        let mut star = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            match &row.scope.procedure {
                Some(p) => by_procedure.entry(p.clone()).or_default().push(i),
                None => star.push(i),
            }
        }
        Contracts {
            rows,
            by_procedure,
            star,
            references,
        }
    }

    /// Number of contract rows (all files).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no contract row was loaded.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The reference schedules, for the scorecard.
    pub fn references(&self) -> &References {
        &self.references
    }
}
