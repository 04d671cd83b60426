//! Writer tests: formats, neutralising, cells.

use super::*;
use std::str::FromStr;

use super::testing::{Row, table};

fn write(format: Format, rows: &[Row]) -> String {
    let mut buf = Vec::new();
    {
        let mut sink = sink(format, Box::new(&mut buf), "ledger", "entry");
        let columns = table(&[
            ("name", ColumnType::Text),
            ("amount", ColumnType::Money),
            ("when", ColumnType::Date),
        ]);
        sink.begin(columns).unwrap();
        for r in rows {
            sink.row(r).unwrap();
        }
        sink.finish().unwrap();
    }
    String::from_utf8(buf).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn zero_is_never_negative() {
    // A PLB of -0.00, a negated zero adjustment, or a tiny negative amount
    // that rounds to zero: all print as 0.00 (and 0 as a number).
    assert_eq!(Cell::Number(-d("0.0")).render(), "0");
    assert_eq!(Cell::Money(-d("0.00")).render(), "0.00");
}

#[test]
fn csv_neutralises_formulas_but_not_numbers() {
    let rows = [Row(vec![
        Cell::Text("=HYPERLINK(\"x\")"),
        Cell::Money(d("-12.5")),
        Cell::Text("@SUM(A1)"),
    ])];
    let text = write(Format::Csv, &rows);
    let line = text.lines().nth(1).unwrap();
    assert_eq!(line, "\"'=HYPERLINK(\"\"x\"\")\",-12.50,'@SUM(A1)");
}

#[test]
fn jsonl_keeps_amounts_as_exact_strings() {
    let rows = [Row(vec![
        Cell::Text("a"),
        Cell::Money(d("0.1")),
        Cell::Empty,
    ])];
    let text = write(Format::Jsonl, &rows);
    assert_eq!(text.trim(), r#"{"name":"a","amount":"0.10","when":null}"#);
}

#[test]
fn xml_has_one_entry_per_row_and_escapes_text() {
    let date = jiff::civil::Date::new(2024, 2, 29).unwrap();
    let rows = [Row(vec![
        Cell::Text("A & B <c>"),
        Cell::Money(d("5")),
        Cell::Date(date),
    ])];
    let text = write(Format::Xml, &rows);
    assert!(text.contains("<entry>"), "{text}");
    assert!(text.contains("<name>A &amp; B &lt;c&gt;</name>"), "{text}");
    assert!(text.contains("<amount>5.00</amount>"));
    assert!(text.contains("<when>2024-02-29</when>"));
    assert!(text.trim_end().ends_with("</ledger>"));
}

#[test]
fn dates_render_as_jiff_writes_them() {
    // Digit by digit for the years a ledger holds; jiff's own text outside.
    for year in [-9999, -1, 0, 1, 9, 99, 999, 1000, 2024, 9999] {
        for (month, day) in [(1, 1), (2, 29), (12, 31)] {
            let Ok(date) = jiff::civil::Date::new(year, month, day) else {
                continue;
            };
            assert_eq!(Cell::Date(date).render(), date.to_string(), "{date}");
        }
    }
}

#[test]
fn lists_flags_and_adjustments_render_in_place() {
    use crate::line::{Flag, Flags};
    use crate::remittance::Adjustment;
    let parts = [crate::text::Text::from("25"), crate::text::Text::from("59")];
    assert_eq!(Cell::Joined(&parts, ':').render(), "25:59");
    assert_eq!(Cell::Joined(&[], ';').render(), "");
    let mut flags = Flags::default();
    flags.insert(Flag::ALL[1]);
    flags.insert(Flag::ALL[0]);
    assert_eq!(Cell::Flags(flags).render(), flags.to_string());
    let adjustments = [
        Adjustment {
            group: "CO".into(),
            reason: "45".into(),
            amount: d("12.345"),
            quantity: None,
        },
        Adjustment {
            group: "PR".into(),
            reason: "1".into(),
            amount: d("-0.001"),
            quantity: None,
        },
    ];
    assert_eq!(
        Cell::Adjustments(&adjustments).render(),
        "CO-45:12.35;PR-1:0.00"
    );
}
