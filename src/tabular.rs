//! CSV exports of other systems (bank statements, practice-management
//! postings): columns found by header name, and money and dates in the
//! forms those systems write. Shared by the bank and posting readers so
//! both accept the same spellings and report the same way.
//!
//! Knows CSV cells, not what the rows mean.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// A CSV header row, for finding columns by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    names: Vec<String>,
}

impl Header {
    /// The header of a CSV reader.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Header {
            names: names
                .into_iter()
                .map(|n| n.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
                .collect(),
        }
    }

    /// The index of the column called `name` (case and surrounding blanks
    /// ignored).
    pub fn column(&self, name: &str) -> Option<usize> {
        let wanted = name.trim().to_ascii_lowercase();
        self.names.iter().position(|n| *n == wanted)
    }
}

/// Most digits an amount may have, so that sums of any export stay exact.
const MAX_DIGITS: usize = 18;

/// Money as exports write it: `1234.56`, `-12.00`, `+3`, `$1,234.56`,
/// `(12.00)` for a negative amount. `None` for anything else.
pub fn money(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (negative, inner) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, text),
    };
    let unsigned: String = inner.chars().filter(|c| *c != '$').collect();
    let (sign, digits) = match unsigned.trim().strip_prefix('-') {
        Some(rest) => ("-", rest.trim().to_string()),
        None => ("", unsigned.trim().to_string()),
    };
    if digits.contains(',') && !thousands_grouped(&digits) {
        return None;
    }
    let cleaned = format!("{sign}{}", digits.replace(',', ""));
    if cleaned.bytes().filter(u8::is_ascii_digit).count() > MAX_DIGITS {
        return None;
    }
    let value = crate::x12::value::decimal(cleaned.as_bytes())?;
    Some(if negative { -value } else { value })
}

/// True when the commas of `digits` separate thousands (`1,234,567.89`),
/// so that a decimal comma (`12,5`) is never read as a thousands separator.
fn thousands_grouped(digits: &str) -> bool {
    let whole = digits.split('.').next().unwrap_or("");
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// A date as exports write it: `2024-02-07`, `20240207` or US `02/07/2024`
/// (also `2/7/2024`). `None` for anything else.
pub fn date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(d) = text.parse::<Date>() {
        return Some(d);
    }
    if let Some(d) = crate::x12::value::date(text.as_bytes()) {
        return Some(d);
    }
    let mut parts = text.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn money_in_export_spellings() {
        assert_eq!(money("466.90"), Some(dec("466.90")));
        assert_eq!(money(" -31.50 "), Some(dec("-31.50")));
        assert_eq!(money("$1,234.56"), Some(dec("1234.56")));
        assert_eq!(money("(12.00)"), Some(dec("-12.00")));
        assert_eq!(money("-$5.00"), Some(dec("-5.00")));
        assert_eq!(money("12,5"), None);
        assert_eq!(money("1,234,567"), Some(dec("1234567")));
        assert_eq!(money(""), None);
        assert_eq!(money("1.2.3"), None);
        assert_eq!(money("1e3"), None);
        assert_eq!(money("1234567890123456789"), None);
    }

    #[test]
    fn dates_in_export_spellings() {
        let d = Date::constant(2024, 2, 7);
        assert_eq!(date("2024-02-07"), Some(d));
        assert_eq!(date("20240207"), Some(d));
        assert_eq!(date("02/07/2024"), Some(d));
        assert_eq!(date("2/7/2024"), Some(d));
        assert_eq!(date("2/7/24"), None);
        assert_eq!(date("2024-02-30"), None);
    }

    #[test]
    fn columns_are_found_by_name_whatever_the_case() {
        let h = Header::new(["\u{feff}Date", " Amount ", "description"]);
        assert_eq!(h.column("date"), Some(0));
        assert_eq!(h.column("AMOUNT"), Some(1));
        assert_eq!(h.column("reference"), None);
    }
}
