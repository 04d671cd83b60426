//! Screening element values: the checks [`Fields`](super::Fields) makes
//! while reading a segment, answered yes or no on the borrowed bytes,
//! without building text, messages or findings.
//!
//! `validate` first screens a file with these (the 835 and 837 screens in
//! `remittance::screen` and `claim::screen`): when nothing is in doubt the
//! file is certainly valid and its summary is known without building the
//! owned model; when anything is, the file is read again by the parsers,
//! which word every finding. So each check here must be at least as strict
//! as the `Fields` method it stands for — a value `Fields` would report is
//! always a [`Doubt`] — and may be stricter (a doubt only costs a second
//! read). The tests in this module compare the two on the same bytes.

use rust_decimal::Decimal;

use crate::x12::{Segment, Split, value};

/// Something the screen cannot vouch for: the parsers must read the input
/// to say what (it may be a finding, or something the screen does not
/// model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Doubt;

/// The answer of a screening step.
pub type Screened<T = ()> = Result<T, Doubt>;

/// A doubt unless `ok`.
#[inline]
pub fn vouch(ok: bool) -> Screened {
    if ok { Ok(()) } else { Err(Doubt) }
}

/// True when `raw` reads as empty text: [`Fields::text`](super::Fields::text)
/// trims padding spaces only.
#[inline]
pub fn blank_text(raw: &[u8]) -> bool {
    raw.iter().all(|&b| b == b' ')
}

/// [`Fields::required_text`](super::Fields::required_text): element `n` is
/// not blank.
#[inline]
pub fn required_text(e: &Segment<'_>, n: usize) -> Screened {
    vouch(!blank_text(e.element(n)))
}

/// An amount in ten-thousandths: exact for every amount written with at
/// most four decimals (money has two), and summed with plain integer
/// additions instead of `Decimal` ones. An amount with more decimals is a
/// doubt (the parsers then read it as a `Decimal`).
pub type Units = i128;

/// Ten-thousandths per unit.
const UNIT_SCALE: u32 = 4;

/// Reads an X12 decimal (`R`) as [`Units`]: `-`, digits, at most one point,
/// at most 18 digits and four decimals. Whatever [`value::decimal`] refuses
/// is refused; so is anything it would read with leading `+`, padding or
/// more decimals (a doubt, not an error).
#[inline]
pub fn units(raw: &[u8]) -> Screened<Units> {
    let (negative, digits) = match raw.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, raw),
    };
    let mut mantissa: i64 = 0;
    let mut count = 0u32;
    let mut point: Option<u32> = None;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            // 18 digits fit an i64; the 19th is refused below, before the
            // multiplication could overflow.
            if count == 18 {
                return Err(Doubt);
            }
            mantissa = mantissa * 10 + i64::from(digit);
            count += 1;
        } else if b == b'.' && point.is_none() {
            point = Some(count);
        } else {
            return Err(Doubt);
        }
    }
    let scale = point.map_or(0, |p| count - p);
    if count == 0 || scale > UNIT_SCALE {
        return Err(Doubt);
    }
    let value = Units::from(mantissa) * Units::from(TO_UNITS[scale as usize]);
    Ok(if negative { -value } else { value })
}

/// [`units`] of an element of at most eight bytes, given as the eight
/// bytes of its segment that end where it ends (`word`, little-endian: the
/// element is its `len` high bytes, its last digit byte 7): the digits are
/// checked eight at a time ([`eight_digits`]), the point is found and
/// taken out with masks, and the value is read with three multiplications
/// instead of one per digit. `None` for anything but unsigned digits with
/// at most one point and four decimals (a minus sign, a blank, more
/// bytes): [`units`] then reads it. Whatever it reads, [`units`] reads
/// the same (a test compares them on every shape).
#[inline(always)]
pub fn units_word(word: u64, len: usize) -> Option<i64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const POINTS: u64 = 0x2E2E_2E2E_2E2E_2E2E;
    if len.wrapping_sub(1) >= 8 {
        return None;
    }
    let keep = u64::MAX << (8 * (8 - len));
    // Whole amounts first (most are): digits only, no point to look for.
    let filled = (word & keep) | (ZEROS & !keep);
    if eight_digits(filled) {
        return Some(eight_digit_value(filled - ZEROS) as i64 * TO_UNITS[0]);
    }
    let points = zero_byte_highs(word ^ POINTS) & keep;
    if points == 0 {
        return None;
    }
    // The point reads as '0' here: only the digits are checked.
    let digits = keep & !((points >> 7).wrapping_mul(0xFF));
    let filled = (word & digits) | (ZEROS & !digits);
    if !eight_digits(filled) {
        return None;
    }
    // One point, a digit besides it, and at most four decimals: the point
    // at byte 3 or after.
    if points & (points - 1) != 0 || len < 2 || points < 1 << 31 {
        return None;
    }
    // The digits before the point move up one byte over it.
    let mut values = filled - ZEROS;
    let before = (points >> 7) - 1;
    values = (values & !before) | ((values & before) << 8);
    let decimals = 7 - points.trailing_zeros() / 8;
    let scale = TO_UNITS[decimals.min(UNIT_SCALE) as usize];
    Some(eight_digit_value(values) as i64 * scale)
}

/// The number eight digit values (0-9, one a byte, the first the most
/// significant, little-endian) write: pairs, then fours, then all eight
/// (the digit-combining multiplications of simdjson's
/// `parse_eight_digits_unrolled`).
#[inline]
fn eight_digit_value(values: u64) -> u64 {
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 100 + (1_000_000 << 32);
    const MUL2: u64 = 1 + (10_000 << 32);
    let pairs = values.wrapping_mul(10).wrapping_add(values >> 8);
    ((pairs & MASK)
        .wrapping_mul(MUL1)
        .wrapping_add(((pairs >> 16) & MASK).wrapping_mul(MUL2)))
        >> 32
}

/// The high bit of byte `k` set when byte `k` of `word` is zero, exactly
/// (no false positives from borrows).
#[inline]
fn zero_byte_highs(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((word & LOW7).wrapping_add(LOW7)) | word) & !LOW7
}

/// Ten-thousandths per unit of a number with `scale` decimals; a table,
/// not `pow`: `10i128.pow(n)` is a loop of 128-bit multiplies.
const TO_UNITS: [i64; UNIT_SCALE as usize + 1] = [10_000, 1_000, 100, 10, 1];

/// [`Units`] as the `Decimal` the parsers would have summed.
pub fn decimal_of(units: Units) -> Screened<Decimal> {
    Decimal::try_from_i128_with_scale(units, UNIT_SCALE).map_err(|_| Doubt)
}

/// [`Fields::amount`](super::Fields::amount): element `n` is a decimal.
#[inline(always)]
pub fn amount(e: &Segment<'_>, n: usize) -> Screened<Units> {
    // A blank element is no amount: `units` refuses it too.
    let (raw, word) = e.element_word(n);
    element_units(raw, word)
}

/// [`units`] of an element, a word at a time when it has at most eight
/// bytes and its segment's word ending with it is known (nearly always).
#[inline]
fn element_units(raw: &[u8], word: Option<u64>) -> Screened<Units> {
    if let Some(word) = word
        && let Some(value) = units_word(word, raw.len())
    {
        return Ok(Units::from(value));
    }
    units(raw)
}

/// [`Fields::optional_amount`](super::Fields::optional_amount): element `n`
/// is blank or a decimal.
#[inline(always)]
pub fn optional_amount(e: &Segment<'_>, n: usize) -> Screened<Option<Units>> {
    let (raw, word) = e.element_word(n);
    // Left out: the commonest optional amount.
    if raw.is_empty() {
        return Ok(None);
    }
    match element_units(raw, word) {
        Ok(units) => Ok(Some(units)),
        // Asked only of what `units` refused: blank is no amount at all.
        Err(_) if raw.trim_ascii().is_empty() => Ok(None),
        Err(doubt) => Err(doubt),
    }
}

/// [`Fields::optional_date`](super::Fields::optional_date): element `n` is
/// blank or a CCYYMMDD date.
#[inline]
pub fn optional_date(e: &Segment<'_>, n: usize) -> Screened {
    let raw = e.element(n);
    vouch(raw.trim_ascii().is_empty() || is_date(raw))
}

/// [`Fields::date`](super::Fields::date): element `n` is a CCYYMMDD date.
#[inline]
pub fn date(e: &Segment<'_>, n: usize) -> Screened {
    vouch(is_date(e.element(n)))
}

/// True when [`value::date`] reads `raw`: an unpadded CCYYMMDD is checked
/// here with integer arithmetic (no `Date` built), anything else is left
/// to `value::date`.
#[inline]
fn is_date(raw: &[u8]) -> bool {
    let Ok(bytes) = <&[u8; 8]>::try_from(raw) else {
        return value::date(raw).is_some();
    };
    if !eight_digits(u64::from_le_bytes(*bytes)) {
        // Padding or anything else: `value::date` reads exactly eight
        // digits once trimmed, which eight bytes with a non-digit are not.
        return false;
    }
    // The digits' values, one a byte: month and day from four of them,
    // the year only for a February 29 (leap years decide nothing else).
    let values = u64::from_le_bytes(*bytes) - 0x3030_3030_3030_3030;
    let digit = |i: u32| (values >> (8 * i)) as u8 & 0x0F;
    let month = digit(4) * 10 + digit(5);
    let day = digit(6) * 10 + digit(7);
    let days = DAYS_IN_MONTH.get(usize::from(month)).copied().unwrap_or(0);
    if day == 0 || day > days {
        return false;
    }
    if month != 2 || day != 29 {
        return true;
    }
    let year = u32::from(digit(0)) * 1000
        + u32::from(digit(1)) * 100
        + u32::from(digit(2)) * 10
        + u32::from(digit(3));
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in each month (index 1-12), February with its leap day.
const DAYS_IN_MONTH: [u8; 13] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// True when [`value::date_range`] reads `raw`: `CCYYMMDD` or
/// `CCYYMMDD-CCYYMMDD` unpadded are checked by [`is_date`] (no `Date`
/// built, no `memchr` call); anything else is left to `value::date_range`.
#[inline]
pub fn is_date_range(raw: &[u8]) -> bool {
    match raw.len() {
        8 => is_date(raw),
        17 if raw[8] == b'-' => is_date(&raw[..8]) && is_date(&raw[9..]),
        _ => value::date_range(raw).is_some(),
    }
}

/// True when each byte of `word` is an ASCII digit: the high nibbles are
/// all 3, and adding 6 to each byte carries into no high nibble (the
/// eight-digit test of simdjson, exact and without branches).
#[inline]
fn eight_digits(word: u64) -> bool {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let carried = (word.wrapping_add(0x0606_0606_0606_0606) & HIGH) >> 4;
    (word & HIGH) | carried == 0x3333_3333_3333_3333
}

/// [`Fields::procedure_components`](super::Fields::procedure_components):
/// element `n` is blank (`Ok(false)`) or a composite whose second
/// component, split on ISA16, is a code (`Ok(true)`). A composite that
/// would be read with another separator (a warning) or has no code (fatal)
/// is a doubt.
#[inline]
pub fn procedure(e: &Segment<'_>, n: usize) -> Screened<bool> {
    let raw = e.element(n);
    // The qualifier is two bytes or so: a plain scan finds the separators
    // sooner than a `memchr` call per component would.
    let separator = e.delimiters().component;
    let qualifier = raw.iter().position(|&b| b == separator);
    // Most composites: the code after the first separator begins with a
    // byte neither blank nor a separator, so it is a code and the element
    // is not blank — no trimming, no second scan.
    if let Some(at) = qualifier
        && let Some(&first) = raw.get(at + 1)
        && first != separator
        && !first.is_ascii_whitespace()
    {
        return Ok(true);
    }
    if raw.trim_ascii().is_empty() {
        return Ok(false);
    }
    let Some(qualifier) = qualifier else {
        return Err(Doubt);
    };
    let rest = &raw[qualifier + 1..];
    let code = match rest.iter().position(|&b| b == separator) {
        Some(end) => &rest[..end],
        None => rest,
    };
    vouch(!code.trim_ascii().is_empty()).map(|()| true)
}

/// [`Fields::component`](super::Fields::component)`(n, 1)` is not blank.
#[inline]
pub fn first_component(e: &Segment<'_>, n: usize) -> Screened {
    let first = Split::on(e.element(n), e.delimiters().component)
        .next()
        .unwrap_or_default();
    vouch(!blank_text(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Issue;
    use crate::fields::{Fields, ProcedureComposite};
    use crate::x12::Delimiters;

    /// Element values that exercise every branch of the checks: blanks,
    /// padding, signs, points, too many digits, dates real and not,
    /// composites with and without codes or with another separator.
    const VALUES: &[&str] = &[
        "",
        " ",
        "  ",
        "\t",
        "0",
        "1",
        "-1",
        "+2",
        "12.34",
        " 12.34 ",
        ".5",
        "5.",
        ".",
        "-",
        "1.2.3",
        "1,200.00",
        "abc",
        "1234567890123456789",
        "123456789012345678",
        "0.12345",
        "20240229",
        "20230229",
        "2024022",
        "202402290",
        " 20240101",
        "2024-01-01",
        "HC:99213",
        "HC:",
        "HC: ",
        ":99213",
        "HC",
        "HC>99213",
        "XX>99213",
        "HC:99213:25",
        "HC::99213",
        "HC: 99213",
        "HC:\t",
        ":",
        "::",
        "HC:99213 ",
        " HC:99213",
        "AD:D1110",
        "NU:0450",
        "WK:1",
        "HC^A1",
        "PR",
        " PR",
        "P R",
    ];

    /// Amounts the parsers read but the screen leaves to them: padded,
    /// signed with `+`, or with more than four decimals.
    fn stricter(value: &str) -> bool {
        let decimals = value.split_once('.').map_or(0, |(_, d)| d.trim().len());
        value != value.trim() || value.starts_with('+') || decimals > 4
    }

    #[test]
    fn units_are_exact_ten_thousandths() {
        assert_eq!(units(b"12.34"), Ok(123_400));
        assert_eq!(units(b"-0.5"), Ok(-5_000));
        assert_eq!(units(b"5."), Ok(50_000));
        assert_eq!(units(b".0001"), Ok(1));
        assert_eq!(
            units(b"999999999999999999"),
            Ok(9_999_999_999_999_999_990_000)
        );
        for refused in [
            &b""[..],
            b"-",
            b".",
            b"1.2.3",
            b"1,2",
            b"0.00001",
            b"1234567890123456789",
        ] {
            assert_eq!(units(refused), Err(Doubt), "{refused:?}");
        }
    }

    /// The integer date check agrees with `value::date` on every day of
    /// leap and common years, centuries, and impossible months and days.
    #[test]
    fn dates_agree_with_value_date() {
        for year in [0, 1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let raw = format!("{year:04}{month:02}{day:02}");
                    let read = value::date(raw.as_bytes()).is_some();
                    assert_eq!(is_date(raw.as_bytes()), read, "{raw}");
                }
            }
        }
        for raw in [
            "2024010 ",
            " 2024010",
            "2024-1-1",
            "2024 101",
            "",
            "202401011",
        ] {
            assert_eq!(
                is_date(raw.as_bytes()),
                value::date(raw.as_bytes()).is_some()
            );
        }
    }

    #[test]
    fn date_ranges_agree_with_value_date_range() {
        let dates = [
            "20240229", "20230229", "20241231", "20241301", "2024123", " 2024123",
        ];
        for from in dates {
            assert_eq!(
                is_date_range(from.as_bytes()),
                value::date_range(from.as_bytes()).is_some(),
                "{from}"
            );
            for to in dates {
                for sep in ["-", " ", "--"] {
                    let raw = format!("{from}{sep}{to}");
                    let read = value::date_range(raw.as_bytes()).is_some();
                    assert_eq!(is_date_range(raw.as_bytes()), read, "{raw}");
                }
            }
        }
    }

    #[test]
    fn eight_digits_is_exact() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut bytes = *b"20240101";
                bytes[at] = byte;
                let word = u64::from_le_bytes(bytes);
                assert_eq!(eight_digits(word), byte.is_ascii_digit(), "{bytes:?}");
            }
        }
    }

    /// `units_word` on `raw` placed at the end of eight bytes of
    /// `before` (what precedes an element in its segment), as
    /// [`element_units`] answers with it: `units_word` when it reads the
    /// bytes, else `units`.
    fn by_word(raw: &[u8], before: u8) -> (Option<i64>, Screened<Units>) {
        if raw.len() > 8 {
            return (None, element_units(raw, None));
        }
        let mut bytes = [before; 8];
        bytes[8 - raw.len()..].copy_from_slice(raw);
        let word = u64::from_le_bytes(bytes);
        (units_word(word, raw.len()), element_units(raw, Some(word)))
    }

    /// `units_word` reads exactly the unsigned amounts of at most eight
    /// bytes, as `units` does; `element_units` answers as `units` always.
    fn check_word(raw: &[u8], before: u8) {
        let (word, answer) = by_word(raw, before);
        assert_eq!(answer, units(raw), "{raw:?}");
        let unsigned = raw.len() <= 8 && raw.first() != Some(&b'-');
        match word {
            Some(value) => assert_eq!(Ok(Units::from(value)), units(raw), "{raw:?}"),
            None => assert!(!unsigned || units(raw).is_err(), "{raw:?}"),
        }
    }

    #[test]
    fn units_word_agrees_with_units() {
        for value in VALUES {
            check_word(value.as_bytes(), b'*');
        }
        // Every string of up to five bytes from an alphabet of digits,
        // points, signs and others, after every kind of byte.
        let alphabet = b"0159.-+ *x";
        let mut checked = 0;
        for len in 0..=5u32 {
            for mut code in 0..alphabet.len().pow(len) {
                let mut raw = Vec::new();
                for _ in 0..len {
                    raw.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                for before in [b'*', b'-', b'.', b'9', 0] {
                    check_word(&raw, before);
                }
                checked += 1;
            }
        }
        assert!(checked > 100_000);
        for raw in [
            &b"12345678"[..],
            b"99999999",
            b"-9999999",
            b"1234.567",
            b"123.4567",
            b"12.34567",
            b".1234567",
            b"1234567.",
            b"-.1234",
            b"00000000",
            b"10203040",
            b"123456789",
            b"1234.5678",
        ] {
            check_word(raw, b'*');
        }
        assert_eq!(by_word(b"123.4567", b'*').0, Some(1_234_567));
        assert_eq!(by_word(b"5.", b'.').0, Some(50_000));
        assert_eq!(by_word(b"99999999", b'9').0, Some(999_999_990_000));
    }

    proptest::proptest! {
        #[test]
        fn units_word_agrees_with_units_on_any_bytes(
            raw in proptest::collection::vec(proptest::sample::select(b"0123456789.-+ a".to_vec()), 0..=9),
            before in proptest::num::u8::ANY,
        ) {
            check_word(&raw, before);
        }

        #[test]
        fn units_word_reads_every_amount(whole in 0u64..100_000_000, decimals in 0usize..=4, negative: bool) {
            let digits = whole.to_string();
            let text = if decimals == 0 || decimals >= digits.len() {
                digits
            } else {
                let (a, b) = digits.split_at(digits.len() - decimals);
                format!("{a}.{b}")
            };
            let text = if negative { format!("-{text}") } else { text };
            check_word(text.as_bytes(), b'*');
            proptest::prop_assert!(units(text.as_bytes()).is_ok());
            if text.len() <= 8 && !negative {
                proptest::prop_assert!(by_word(text.as_bytes(), b'*').0.is_some());
            }
        }
    }

    fn segment(value: &str) -> Vec<u8> {
        format!("TST*{value}").into_bytes()
    }

    fn with_fields<T>(raw: &[u8], read: impl FnOnce(&mut Fields<'_, '_>) -> T) -> (T, Vec<Issue>) {
        let seg = Segment::new(raw, Delimiters::default());
        let mut issues = Vec::new();
        let out = read(&mut Fields::new(&seg, &mut issues));
        (out, issues)
    }

    /// Each check doubts every value its `Fields` method reports, and
    /// vouches for a value only with the same reading.
    #[test]
    fn every_value_fields_reports_is_a_doubt() {
        for value in VALUES {
            let raw = segment(value);
            let seg = Segment::new(&raw, Delimiters::default());
            let (text, issues) = with_fields(&raw, |f| f.required_text(1, "x"));
            assert_eq!(
                required_text(&seg, 1).is_ok(),
                issues.is_empty(),
                "{value:?}"
            );
            assert_eq!(blank_text(seg.element(1)), text.is_empty(), "{value:?}");
            let (read, issues) = with_fields(&raw, |f| f.amount(1, "x"));
            match amount(&seg, 1) {
                Ok(screened) => {
                    assert!(issues.is_empty(), "{value:?}");
                    assert_eq!(decimal_of(screened), Ok(read), "{value:?}");
                }
                // Stricter than the parser is allowed: a doubt costs a
                // second read, never a finding.
                Err(Doubt) => assert!(!issues.is_empty() || stricter(value), "{value:?}"),
            }
            let (read, issues) = with_fields(&raw, |f| f.optional_amount(1, "x"));
            match optional_amount(&seg, 1) {
                Ok(screened) => {
                    assert!(issues.is_empty(), "{value:?}");
                    assert_eq!(screened.map(decimal_of).transpose(), Ok(read), "{value:?}");
                }
                Err(Doubt) => assert!(!issues.is_empty() || stricter(value), "{value:?}"),
            }
            let (_, issues) = with_fields(&raw, |f| f.optional_date(1, "x"));
            assert_eq!(
                optional_date(&seg, 1).is_ok(),
                issues.is_empty(),
                "{value:?}"
            );
            let (_, issues) = with_fields(&raw, |f| f.date(1, "x"));
            assert_eq!(date(&seg, 1).is_ok(), issues.is_empty(), "{value:?}");
            let (reason, _) = with_fields(&raw, |f| f.component(1, 1));
            assert_eq!(first_component(&seg, 1).is_ok(), !reason.is_empty());
            for kind in [
                ProcedureComposite::Remittance,
                ProcedureComposite::Professional,
                ProcedureComposite::Institutional,
                ProcedureComposite::Dental,
            ] {
                let (present, issues) =
                    with_fields(&raw, |f| f.procedure_components(1, kind).is_some());
                match procedure(&seg, 1) {
                    Ok(screened) => {
                        assert!(issues.is_empty() && screened == present, "{value:?}")
                    }
                    Err(Doubt) => assert!(!issues.is_empty(), "{value:?} {kind:?}"),
                }
            }
        }
    }
}
