//! The `rate` cell: a flat amount per unit (`85.00`) or a percentage of a
//! reference schedule or of the line's own charge (`115% of medicare`,
//! `60% of billed`).

use rust_decimal::Decimal;

use crate::text::Text;

/// What one unit of a service is worth under a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Rate {
    /// An amount per unit.
    Flat(Decimal),
    /// `percent` % of the named reference schedule's amount per unit.
    OfReference { percent: Decimal, schedule: Text },
    /// `percent` % of the line's billed amount.
    OfBilled { percent: Decimal },
}

/// What a `rate` cell holds, for error messages.
pub(crate) const RATE_EXPECTED: &str =
    "an amount per unit (85.00) or \"P% of NAME\" (NAME a reference schedule or billed)";

/// Most a percentage rate may be: ten times the reference is a typo, not a
/// contract.
const MAX_PERCENT: u32 = 1000;

impl Rate {
    /// Parses a non-empty `rate` cell.
    pub fn parse(text: &str) -> Option<Rate> {
        let Some((percent, rest)) = text.split_once('%') else {
            return super::table::amount(text).map(Rate::Flat);
        };
        let percent = super::table::percent(percent, MAX_PERCENT)?;
        let rest = rest.trim_start();
        let name = rest
            .get(..2)
            .filter(|of| of.eq_ignore_ascii_case("of"))
            .map(|_| rest[2..].trim())?;
        if name.is_empty() || name.contains(char::is_whitespace) || !rest[2..].starts_with(' ') {
            return None;
        }
        Some(if name.eq_ignore_ascii_case("billed") {
            Rate::OfBilled { percent }
        } else {
            Rate::OfReference {
                percent,
                schedule: name.into(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_spellings() {
        assert_eq!(
            Rate::parse("85.00"),
            Some(Rate::Flat(Decimal::new(8500, 2)))
        );
        assert_eq!(
            Rate::parse("115% of medicare"),
            Some(Rate::OfReference {
                percent: Decimal::from(115),
                schedule: "medicare".into()
            })
        );
        assert_eq!(
            Rate::parse("60 %  OF  Billed"),
            Some(Rate::OfBilled {
                percent: Decimal::from(60)
            })
        );
        assert_eq!(Rate::parse("115%medicare"), None);
        assert_eq!(Rate::parse("115% ofmedicare"), None);
        assert_eq!(Rate::parse("115% of"), None);
        assert_eq!(Rate::parse("115% of medicare 2024"), None);
        assert_eq!(Rate::parse("2000% of billed"), None);
        assert_eq!(Rate::parse("-5"), None);
        assert_eq!(Rate::parse("eighty"), None);
    }
}
