//! How money and dates read on paper: money always with two decimals, a
//! dollar sign and thousands separators (`$1,234.50`, `-$35.00`), dates in
//! the letterhead's style.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use super::letterhead::DateStyle;

/// `$1,234.50`; negative `-$35.00`; zero is never `-$0.00`.
pub fn money(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let digits = format!("{:.2}", rounded.abs());
    let (whole, cents) = digits.split_once('.').unwrap_or((&digits, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}${grouped}.{cents}", if negative { "-" } else { "" })
}

/// [`money`] of an amount that may be unknown (empty then).
pub fn money_opt(amount: Option<Decimal>) -> String {
    amount.map(money).unwrap_or_default()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date in `style`.
pub fn date(d: Date, style: DateStyle) -> String {
    match style {
        DateStyle::Us => format!("{:02}/{:02}/{:04}", d.month(), d.day(), d.year()),
        DateStyle::Iso => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        DateStyle::Long => format!(
            "{} {}, {}",
            MONTHS[usize::from(d.month().unsigned_abs()) - 1],
            d.day(),
            d.year()
        ),
    }
}

/// [`date`] of a date that may be unknown (empty then).
pub fn date_opt(d: Option<Date>, style: DateStyle) -> String {
    d.map(|d| date(d, style)).unwrap_or_default()
}

/// A yearly rate as a percentage: `0.12` → `12%`, `0.04625` → `4.625%`.
pub fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

/// A procedure with its modifiers: `97140-59-GP`.
pub fn procedure(code: &str, modifiers: &[String]) -> String {
    let mut out = code.to_string();
    for m in modifiers.iter().filter(|m| !m.is_empty()) {
        out.push('-');
        out.push_str(m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as d;

    #[test]
    fn money_has_two_decimals_a_sign_and_separators() {
        assert_eq!(money(Decimal::new(108, 0)), "$108.00");
        assert_eq!(money(Decimal::new(123456789, 2)), "$1,234,567.89");
        assert_eq!(money(Decimal::new(-3500, 2)), "-$35.00");
        assert_eq!(money(Decimal::new(-1, 3)), "$0.00");
        assert_eq!(money(Decimal::new(2345, 3)), "$2.35");
        assert_eq!(money(Decimal::new(100000, 2)), "$1,000.00");
    }

    #[test]
    fn dates_in_each_style() {
        let day = d(2024, 2, 7);
        assert_eq!(date(day, DateStyle::Us), "02/07/2024");
        assert_eq!(date(day, DateStyle::Iso), "2024-02-07");
        assert_eq!(date(day, DateStyle::Long), "February 7, 2024");
        assert_eq!(percent(Decimal::new(12, 2)), "12%");
        assert_eq!(percent(Decimal::new(4625, 5)), "4.625%");
        assert_eq!(
            procedure("97140", &["59".into(), "GP".into()]),
            "97140-59-GP"
        );
    }
}
