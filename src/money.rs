//! Money as every output writes it: exactly two decimals, never `-0.00`.
//!
//! Below every layer that prints an amount (reasons in words, ledgers,
//! reports, summaries), so that none of them imports an output layer for it.

use rust_decimal::Decimal;

/// Money with exactly two decimals (half away from zero beyond the cent).
/// Zero is `0.00`, never `-0.00` (a negated zero, a PLB of `-0`, or a tiny
/// negative amount rounding to zero).
pub fn money(d: Decimal) -> String {
    format!("{:.2}", money_rounded(d))
}

/// `d` rounded to the cent as [`money`] writes it (half away from zero,
/// never a negative zero), for writers that format it in place.
pub fn money_rounded(d: Decimal) -> Decimal {
    unsigned_zero(d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// `d`, with the sign dropped when it is zero.
pub fn unsigned_zero(d: Decimal) -> Decimal {
    if d.is_zero() { Decimal::ZERO } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn money_has_exactly_two_decimals() {
        assert_eq!(money(d("12")), "12.00");
        assert_eq!(money(d("-3.5")), "-3.50");
        assert_eq!(money(d("0.005")), "0.01");
        assert_eq!(money(d("-0.005")), "-0.01");
        assert_eq!(money(d("1234567.891")), "1234567.89");
    }

    #[test]
    fn zero_is_never_negative() {
        // A PLB of -0.00, a negated zero adjustment, or a tiny negative
        // amount that rounds to zero: all print as 0.00.
        assert_eq!(money(d("-0.00")), "0.00");
        assert_eq!(money(-d("0")), "0.00");
        assert_eq!(money(d("-0.004")), "0.00");
    }
}
