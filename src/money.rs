//! Money as every output writes it: exactly two decimals, never `-0.00`.
//!
//! Below every layer that prints an amount (reasons in words, ledgers,
//! reports, summaries), so that none of them imports an output layer for it.
//!
//! [`push_money`] and [`push_quantity`] append to a caller's buffer from the
//! decimal's integer mantissa and scale: the ledger writers format every
//! amount of every row this way, without `fmt` machinery or an allocation
//! (issue 17: the CSV ledger at ≤ 2,000 instructions a row).

use rust_decimal::Decimal;

/// Money with exactly two decimals (half away from zero beyond the cent).
/// Zero is `0.00`, never `-0.00` (a negated zero, a PLB of `-0`, or a tiny
/// negative amount rounding to zero).
pub fn money(d: Decimal) -> String {
    let mut out = String::with_capacity(16);
    push_money(&mut out, d);
    out
}

/// Appends [`money`]'s text for `d` to `out`: `d` in whole cents (half away
/// from zero beyond the cent), then the cents written as an integer with a
/// point before the last two digits.
pub fn push_money(out: &mut String, d: Decimal) {
    let mantissa = d.mantissa();
    let scale = d.scale();
    let cents = if scale <= 2 {
        // At most 96 bits times 100: inside an i128.
        mantissa * [100, 10, 1][scale as usize]
    } else if let (Ok(m), Some(&divisor)) =
        (i64::try_from(mantissa), POWERS.get(scale as usize - 2))
    {
        // The common case beyond the cent (a rate, an interest figure):
        // 64-bit division instead of 128-bit.
        let (quotient, rest) = (m / divisor, m % divisor);
        i128::from(quotient + round_away(rest, divisor, m))
    } else {
        // Up to 10^26 divides a 96-bit mantissa: inside an i128.
        let divisor = 10i128.pow(scale - 2);
        let (quotient, rest) = (mantissa / divisor, mantissa % divisor);
        if rest.unsigned_abs() * 2 >= divisor.unsigned_abs() {
            quotient + mantissa.signum()
        } else {
            quotient
        }
    };
    // Zero (a negative zero included) has no sign: `0.00`.
    if cents < 0 {
        out.push('-');
    }
    let cents = cents.unsigned_abs();
    let mut digits = itoa::Buffer::new();
    // 64-bit arithmetic for every amount below 184 quadrillion.
    let fraction = match u64::try_from(cents) {
        Ok(cents) => {
            out.push_str(digits.format(cents / 100));
            (cents % 100) as u8
        }
        Err(_) => {
            out.push_str(digits.format(cents / 100));
            (cents % 100) as u8
        }
    };
    out.push('.');
    out.push(char::from(b'0' + fraction / 10));
    out.push(char::from(b'0' + fraction % 10));
}

/// 10^0 … 10^18: divisors that fit an i64.
const POWERS: [i64; 19] = {
    let mut powers = [1i64; 19];
    let mut i = 1;
    while i < 19 {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// One more unit away from zero when the `rest` of `m / divisor` is at
/// least half the divisor (half away from zero), else none.
fn round_away(rest: i64, divisor: i64, m: i64) -> i64 {
    if rest.unsigned_abs() * 2 >= divisor.unsigned_abs() {
        m.signum()
    } else {
        0
    }
}

/// Appends a quantity (units) as written in full: the exact decimal without
/// trailing zeros (`2`, `1.5`, `0.25`), never `-0` — what `{}` prints for
/// the normalised [`unsigned_zero`] value.
pub fn push_quantity(out: &mut String, d: Decimal) {
    let mut mantissa = d.mantissa();
    let mut scale = d.scale() as usize;
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if mantissa < 0 {
        out.push('-');
    }
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(mantissa.unsigned_abs());
    if scale == 0 {
        out.push_str(digits);
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    }
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

    /// `d` rounded to the cent (half away from zero, never a negative
    /// zero), as `money` rounded it before it wrote cents in place.
    fn money_rounded(d: Decimal) -> Decimal {
        unsigned_zero(
            d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// What `money` and the ledgers printed through `fmt` before the
    /// in-place writers: the references [`push_money`] and
    /// [`push_quantity`] must equal byte for byte.
    fn money_by_fmt(d: Decimal) -> String {
        format!("{:.2}", money_rounded(d))
    }

    fn quantity_by_fmt(d: Decimal) -> String {
        format!("{}", unsigned_zero(d.normalize()))
    }

    fn quantity(d: Decimal) -> String {
        let mut out = String::new();
        push_quantity(&mut out, d);
        out
    }

    #[test]
    fn in_place_writers_match_fmt_on_edges() {
        for text in [
            "0",
            "-0",
            "0.00",
            "-0.004",
            "0.005",
            "-0.005",
            "0.0049",
            "0.995",
            "-0.995",
            "1",
            "10",
            "100",
            "1.5",
            "0.25",
            "0.05",
            "0.001",
            "-0.001",
            "123.450",
            "1e-28",
            "-1e-28",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000005",
            "12345.675",
        ] {
            let x: Decimal = text
                .parse()
                .or_else(|_| Decimal::from_scientific(text))
                .unwrap();
            assert_eq!(money(x), money_by_fmt(x), "money of {text}");
            assert_eq!(quantity(x), quantity_by_fmt(x), "quantity of {text}");
        }
        assert_eq!(quantity(d("1.50")), "1.5");
        assert_eq!(quantity(d("-0.0")), "0");
        assert_eq!(quantity(d("0.010")), "0.01");
    }

    proptest::proptest! {
        #[test]
        fn in_place_writers_match_fmt(lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28) {
            let x = Decimal::from_parts(lo, mid, hi, negative, scale);
            proptest::prop_assert_eq!(money(x), money_by_fmt(x));
            proptest::prop_assert_eq!(quantity(x), quantity_by_fmt(x));
        }

        #[test]
        fn in_place_writers_match_fmt_on_small_amounts(cents: i64, scale in 0u32..=6) {
            let x = Decimal::new(cents, scale);
            proptest::prop_assert_eq!(money(x), money_by_fmt(x));
            proptest::prop_assert_eq!(quantity(x), quantity_by_fmt(x));
        }
    }
}
