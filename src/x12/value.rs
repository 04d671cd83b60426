//! X12 simple data types read from element bytes: decimal numbers (type R),
//! dates (type DT, CCYYMMDD) and date ranges (RD8), and text (type AN).
//!
//! Numbers are parsed exactly into `rust_decimal::Decimal` without going
//! through text or floats; nothing here allocates.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// Largest number of digits accepted in a decimal element: the X12 `R`
/// type allows at most 18 (e.g. AMT02, CLP04). The cap also keeps every
/// sum of amounts far inside `Decimal`'s range, so totals cannot overflow.
const MAX_DIGITS: usize = 18;

/// Parses an X12 decimal (`R`) element: optional sign, digits, optional
/// decimal point and fraction. Returns `None` for empty or malformed input.
pub fn decimal(raw: &[u8]) -> Option<Decimal> {
    let raw = raw.trim_ascii();
    let (negative, digits) = match raw.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, raw),
    };
    if digits.len() <= SHORT_DIGITS {
        return short_decimal(negative, digits);
    }
    let mut mantissa: i128 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut count = 0usize;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                count += 1;
                if count > MAX_DIGITS {
                    return None;
                }
                mantissa = mantissa * 10 + i128::from(b - b'0');
                if seen_point {
                    scale += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    if negative {
        mantissa = -mantissa;
    }
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// Longest number (digits and point) read with 64-bit arithmetic.
const SHORT_DIGITS: usize = 18;

/// [`decimal`] for at most 18 digits, which fit a 64-bit mantissa: the
/// common case (money has a dozen digits at most), without 128-bit steps.
#[inline]
fn short_decimal(negative: bool, digits: &[u8]) -> Option<Decimal> {
    let mut mantissa: i64 = 0;
    let mut scale: u32 = 0;
    let mut seen_point = false;
    let mut count = 0u32;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + i64::from(digit);
            count += 1;
            scale += u32::from(seen_point);
        } else if b == b'.' && !seen_point {
            seen_point = true;
        } else {
            return None;
        }
    }
    if count == 0 {
        return None;
    }
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale,
    ))
}

/// Parses a `CCYYMMDD` date. Returns `None` for anything else.
pub fn date(raw: &[u8]) -> Option<Date> {
    let raw = raw.trim_ascii();
    if raw.len() != 8 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: &[u8]| {
        r.iter()
            .fold(0i32, |acc, &b| acc * 10 + i32::from(b - b'0'))
    };
    let year = n(&raw[..4]);
    let month = n(&raw[4..6]);
    let day = n(&raw[6..8]);
    Date::new(year as i16, month as i8, day as i8).ok()
}

/// Parses an `RD8` range `CCYYMMDD-CCYYMMDD`, or a single `D8` date as a
/// one-day range.
pub fn date_range(raw: &[u8]) -> Option<(Date, Date)> {
    let raw = raw.trim_ascii();
    match memchr::memchr(b'-', raw) {
        Some(at) => {
            let from = date(&raw[..at])?;
            let to = date(&raw[at + 1..])?;
            Some((from, to))
        }
        None => date(raw).map(|d| (d, d)),
    }
}

/// What `raw` is made of, without its text: `9 characters (letters,
/// digits)`, `11 characters (digits, '-')`. Findings describe an element
/// this way when its text may be PHI (a name or member id misplaced in a
/// date or amount field): the shape tells what went wrong, the text stays
/// out of logs.
pub fn describe(raw: &[u8]) -> String {
    let mut classes: Vec<String> = Vec::new();
    let mut add = |class: String| {
        if !classes.contains(&class) {
            classes.push(class);
        }
    };
    for &b in raw {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' => add("letters".into()),
            b'0'..=b'9' => add("digits".into()),
            b' ' => add("spaces".into()),
            // Punctuation is no identifier, and often the clue ("1,200.00").
            b if b.is_ascii_punctuation() => add(format!("{:?}", b as char)),
            b if b.is_ascii() => add("control characters".into()),
            _ => add("non-ASCII bytes".into()),
        }
    }
    let count = std::str::from_utf8(raw).map_or(raw.len(), |t| t.chars().count());
    let unit = if count == 1 {
        "character"
    } else {
        "characters"
    };
    if classes.is_empty() {
        return format!("{count} {unit}");
    }
    // Letters, digits and spaces first, then the punctuation in input order.
    classes.sort_by_key(|c| match c.as_str() {
        "letters" => 0,
        "digits" => 1,
        "spaces" => 2,
        _ => 3,
    });
    format!("{count} {unit} ({})", classes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(decimal(b"100"), Some(d("100")));
        assert_eq!(decimal(b"79.5"), Some(d("79.5")));
        assert_eq!(decimal(b"-12.25"), Some(d("-12.25")));
        assert_eq!(decimal(b".5"), Some(d("0.5")));
        assert_eq!(decimal(b"5."), Some(d("5")));
        assert_eq!(decimal(b"0.10").unwrap().to_string(), "0.10");
        assert_eq!(decimal(b"+3"), Some(d("3")));
    }

    #[test]
    fn malformed_decimals_are_none() {
        for bad in [&b""[..], b"-", b".", b"1.2.3", b"12a", b"1e5", b"--1", b" "] {
            assert_eq!(decimal(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(decimal(&[b'9'; 40]), None);
        assert_eq!(decimal(&[b'9'; 19]), None);
        assert!(decimal(&[b'9'; 18]).is_some());
    }

    #[test]
    fn short_and_long_decimals_agree() {
        for text in [
            "0",
            "-0",
            "0.00",
            "123456789012345678",
            "12345678901234567.8",
            ".123456789012345678",
            "-9999999999999999.99",
            "+1234567890123.45678",
        ] {
            let expected = Decimal::from_str(text).unwrap();
            let parsed = decimal(text.as_bytes()).unwrap();
            assert_eq!(parsed, expected, "{text}");
            assert_eq!(parsed.scale(), expected.scale(), "{text}");
        }
        // Past 18 digits both paths refuse, whatever the length of the text.
        assert_eq!(decimal(b"1234567890123456789"), None);
        assert_eq!(decimal(b"-99999999999999999999.99"), None);
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(date(b"20240229"), Some(Date::new(2024, 2, 29).unwrap()));
        assert_eq!(date(b"20230229"), None);
        assert_eq!(date(b"2024022"), None);
        assert_eq!(date(b"2024-02-2"), None);
    }

    #[test]
    fn descriptions_give_the_shape_not_the_text() {
        assert_eq!(describe(b"RIVERA LUCIA"), "12 characters (letters, spaces)");
        assert_eq!(describe(b"123-45-6789"), "11 characters (digits, '-')");
        assert_eq!(describe(b"W1111"), "5 characters (letters, digits)");
        assert_eq!(describe(b"1,200.00"), "8 characters (digits, ',', '.')");
        assert_eq!(
            describe("ÅSA".as_bytes()),
            "3 characters (letters, non-ASCII bytes)"
        );
        assert_eq!(describe(b""), "0 characters");
    }

    #[test]
    fn ranges_accept_single_dates() {
        let (a, b) = date_range(b"20050314-20050325").unwrap();
        assert_eq!((a.day(), b.day()), (14, 25));
        let (a, b) = date_range(b"20050314").unwrap();
        assert_eq!(a, b);
        assert_eq!(date_range(b"20050314-"), None);
    }
}
