//! Writes a [`ReportData`] as one self-contained HTML page: inline CSS,
//! inline SVG charts, a few lines of inline JavaScript for sorting,
//! filtering and paging, a print stylesheet, and a Content-Security-Policy
//! that forbids any network access. Every piece of text from the data goes
//! through [`escape`].

use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::markup::escape;
use super::svg::{Chart, Series, horizontal, vertical};
use super::{Charts, ColumnKind, Figure, Privacy, ReportData, Table};
use crate::money::money;

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// Money with two decimals and thousands separators: `-12,345.60`.
pub fn grouped(amount: Decimal) -> String {
    let plain = money(amount);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{cents}")
}

/// A count with thousands separators.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The whole page as text.
pub fn page(data: &ReportData) -> String {
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, data);
    header(&mut out, data);
    figures(&mut out, data);
    charts(&mut out, &data.charts);
    for table in &data.tables {
        table_section(&mut out, table);
    }
    footer(&mut out, data);
    out
}

/// Writes the page to `out`; returns the number of bytes written.
pub fn write_page(data: &ReportData, out: &mut dyn std::io::Write) -> std::io::Result<u64> {
    let text = page(data);
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(text.len() as u64)
}

fn head(out: &mut String, data: &ReportData) {
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="{CSP}"><meta name="generator" content="remit {}"><title>Remittance report as of {}</title><style>{STYLE}{}</style></head><body>"#,
        env!("CARGO_PKG_VERSION"),
        data.options.as_of,
        column_rules(&data.tables)
    );
}

/// CSS rules right-aligning the numeric columns and wrapping the prose
/// columns of every table (cells carry no classes, to keep rows small).
fn column_rules(tables: &[Table]) -> String {
    let select = |kind: ColumnKind| -> String {
        let selectors: Vec<String> = tables
            .iter()
            .flat_map(|t| {
                let columns = t.columns.iter().enumerate();
                columns.filter(|(_, c)| c.kind == kind).map(|(i, _)| {
                    format!(
                        "#t-{0} td:nth-child({1}),#t-{0} th:nth-child({1})",
                        t.id,
                        i + 1
                    )
                })
            })
            .collect();
        selectors.join(",")
    };
    let mut rules = String::new();
    for (kind, rule) in [
        (ColumnKind::Number, "text-align:right"),
        (ColumnKind::Prose, "white-space:normal;min-width:16rem"),
    ] {
        let selectors = select(kind);
        if !selectors.is_empty() {
            let _ = write!(rules, "{selectors}{{{rule}}}");
        }
    }
    rules
}

fn header(out: &mut String, data: &ReportData) {
    let phi = match data.options.privacy {
        Privacy::Masked => {
            r#"Member names and ids are masked (<code>--show-phi</code> shows them)."#
        }
        Privacy::Shown => {
            r#"<span class="phi">Member names and ids are shown: this file holds protected health information.</span>"#
        }
    };
    let _ = write!(
        out,
        r#"<header><h1>Remittance report</h1><p class="meta">As of {} · {} input file(s) · {} ledger row(s) · {} open appeal item(s). {phi}</p></header>"#,
        data.options.as_of,
        count(data.files as u64),
        count(data.rows),
        count(data.open_appeals)
    );
    out.push_str(r##"<nav class="toc" aria-label="Contents"><ul><li><a href="#figures">Headline figures</a></li><li><a href="#charts">Charts</a></li>"##);
    for t in &data.tables {
        let _ = write!(
            out,
            r##"<li><a href="#s-{}">{}</a></li>"##,
            t.id,
            escape(t.title)
        );
    }
    out.push_str("</ul></nav><main>");
}

fn figures(out: &mut String, data: &ReportData) {
    out.push_str(r#"<section id="figures" aria-labelledby="h-figures"><h2 id="h-figures">Headline figures</h2><dl class="figures">"#);
    for f in &data.figures {
        figure(out, f);
    }
    out.push_str(
        r#"</dl><details><summary>How each figure is computed</summary><dl class="defs">"#,
    );
    for f in &data.figures {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&f.label),
            escape(f.definition)
        );
    }
    out.push_str("</dl></details></section>");
}

fn figure(out: &mut String, f: &Figure) {
    let alert = matches!(f.id, "at-risk" | "past-deadline") && !f.value.is_zero();
    let what = if matches!(f.id, "at-risk" | "past-deadline") {
        "item"
    } else {
        "row"
    };
    let _ = write!(
        out,
        r#"<div class="figure{}"><dt id="label-{id}">{}</dt><dd id="headline-{id}" class="value" data-value="{}" aria-describedby="label-{id}">{}</dd><dd class="rows">{} {what}(s)</dd></div>"#,
        if alert { " alert" } else { "" },
        escape(&f.label),
        money(f.value),
        grouped(f.value),
        count(f.count),
        id = f.id,
    );
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn paid_vs_billed<'a>(
    id: &'a str,
    title: &'a str,
    desc: &'a str,
    bars: &[super::PaidVsBilled],
) -> Chart<'a> {
    let series =
        |name: &'a str, class: &'a str, pick: fn(&super::PaidVsBilled) -> Decimal| Series {
            name,
            class,
            bars: bars
                .iter()
                .map(|b| {
                    let v = pick(b);
                    let tip = format!(
                        "{}: {name} {} ({} rows)",
                        b.label,
                        grouped(v),
                        count(b.rows)
                    );
                    (f64_of(v), tip, grouped(v))
                })
                .collect(),
        };
    Chart {
        id,
        title,
        desc,
        categories: bars.iter().map(|b| b.label.clone()).collect(),
        series: vec![
            series("remitted charge", "s0", |b| b.billed),
            series("paid", "s1", |b| b.paid),
        ],
    }
}

/// `CO-50 not deemed a medical necessity…`: the code and the words of its
/// description without the category head and the `(CARC n)` tail.
fn reason_label(code: &str, description: &str) -> String {
    let body = description.split_once(": ").map_or(description, |(_, b)| b);
    let body = body.rsplit_once(" (").map_or(body, |(b, _)| b);
    format!("{code} {body}")
}

fn charts(out: &mut String, c: &Charts) {
    out.push_str(r#"<section id="charts" aria-labelledby="h-charts"><h2 id="h-charts">Charts</h2><div class="charts">"#);
    let payer = paid_vs_billed(
        "chart-payer",
        "Paid vs remitted charge by payer",
        "Horizontal bars: for each payer, the remitted charge (light blue) and the paid amount (dark blue), largest charge first.",
        &c.by_payer,
    );
    let caption = "Σ remitted charge and Σ paid of every remitted row by payer; the bars add up to the headline Remitted charge (835) and Paid.";
    chart_figure(out, &horizontal(&payer), caption, &payer);
    let reasons = reasons_chart(c);
    let caption = "Σ denied (the headline Denied) by the denial's largest adjustment reason.";
    chart_figure(out, &horizontal(&reasons), caption, &reasons);
    let month = paid_vs_billed(
        "chart-month",
        "Paid vs remitted charge by payment month",
        "Vertical bars: for each month of payment (BPR16), remitted charge (light blue) and paid (dark blue), oldest month first.",
        &c.by_month,
    );
    let caption = "By month of the remittance's payment date; reversals and recoveries count in the month they happened.";
    chart_figure(out, &vertical(&month), caption, &month);
    let days = days_chart(c);
    let median = c
        .median_days
        .map_or("no paid lines with dates".to_string(), |m| {
            format!("median {m} days")
        });
    let caption = format!(
        "Paid service lines by days from the date of service to the payment date (BPR16); {median}."
    );
    chart_figure(out, &vertical(&days), &caption, &days);
    out.push_str("</div></section>");
}

fn reasons_chart(c: &Charts) -> Chart<'static> {
    let bars = c
        .reasons
        .iter()
        .map(|r| {
            let tip = format!(
                "{}: {} — {} line(s), {} denied",
                r.code,
                r.description,
                count(r.lines),
                grouped(r.denied)
            );
            (f64_of(r.denied), tip, grouped(r.denied))
        })
        .collect();
    Chart {
        id: "chart-reasons",
        title: "Denials by reason",
        desc: "Horizontal bars: denied charges by reason code, largest first.",
        categories: c
            .reasons
            .iter()
            .map(|r| reason_label(&r.code, &r.description))
            .collect(),
        series: vec![Series {
            name: "denied",
            class: "s2",
            bars,
        }],
    }
}

fn days_chart(c: &Charts) -> Chart<'static> {
    let bars = c
        .days
        .iter()
        .map(|d| {
            let tip = format!(
                "{} days: {} paid line(s), {} paid",
                d.label,
                count(d.lines),
                grouped(d.paid)
            );
            (d.lines as f64, tip, count(d.lines))
        })
        .collect();
    Chart {
        id: "chart-days",
        title: "Days from service to payment",
        desc: "Vertical bars: number of paid service lines by days from the date of service to the payment date.",
        categories: c.days.iter().map(|d| format!("{} days", d.label)).collect(),
        series: vec![Series {
            name: "paid lines",
            class: "s3",
            bars,
        }],
    }
}

/// A chart with its caption and its numbers as a small table.
fn chart_figure(out: &mut String, svg: &str, caption: &str, chart: &Chart) {
    let _ = write!(
        out,
        "<figure><h3>{}</h3>{svg}<figcaption>{}</figcaption><details><summary>Data of “{}”</summary><table class=\"mini\"><thead><tr><th scope=\"col\">{}</th>",
        escape(chart.title),
        escape(caption),
        escape(chart.title),
        if chart.id == "chart-reasons" {
            "Reason"
        } else {
            ""
        }
    );
    for s in &chart.series {
        let _ = write!(out, r#"<th scope="col" class="n">{}</th>"#, escape(s.name));
    }
    out.push_str("</tr></thead><tbody>");
    for (i, category) in chart.categories.iter().enumerate() {
        let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, escape(category));
        for s in &chart.series {
            let label = s.bars.get(i).map_or("", |b| b.2.as_str());
            let _ = write!(out, r#"<td class="n">{}</td>"#, escape(label));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details></figure>");
}

fn table_section(out: &mut String, t: &Table) {
    let id = t.id;
    let class = if t.rows.is_empty() {
        "empty-table"
    } else {
        "table"
    };
    let _ = write!(
        out,
        r#"<section id="s-{id}" class="{class}" aria-labelledby="h-{id}"><h2 id="h-{id}">{} <span class="count">({})</span></h2><p>{}</p>"#,
        escape(t.title),
        count(t.total),
        escape(t.description)
    );
    if t.left_out() > 0 {
        let _ = write!(
            out,
            r#"<p class="note" role="note">This page carries the first {} of {} rows in the order above; {} more are left out to keep the file small. For all of them: <code>{}</code></p>"#,
            count(t.rows.len() as u64),
            count(t.total),
            count(t.left_out()),
            escape(t.get_all)
        );
    }
    if t.rows.is_empty() {
        out.push_str(r#"<p class="empty">None.</p></section>"#);
        return;
    }
    controls(out, t);
    table(out, t);
    let _ = write!(
        out,
        r#"<nav class="pager" aria-label="Pages of {}"><button type="button" class="prev">Previous</button><span class="status" aria-live="polite"></span><button type="button" class="next">Next</button></nav></section>"#,
        escape(t.title)
    );
}

/// The table itself: sortable headings, one row per kept row.
fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        r#"<div class="scroll"><table id="t-{}" class="data"><caption>{}<span class="hint"> — select a column heading to sort</span></caption><thead><tr>"#,
        t.id,
        escape(t.title)
    );
    for c in &t.columns {
        let kind = if c.kind == ColumnKind::Number {
            "num"
        } else {
            "text"
        };
        let _ = write!(
            out,
            r#"<th scope="col" data-type="{kind}"><button type="button">{}</button></th>"#,
            escape(c.name)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

fn controls(out: &mut String, t: &Table) {
    let id = t.id;
    let _ = write!(
        out,
        r#"<div class="controls"><label for="f-{id}">Filter rows</label><input type="search" id="f-{id}" aria-controls="t-{id}"><label for="n-{id}">Rows per page</label><select id="n-{id}" aria-controls="t-{id}"><option>25</option><option selected>50</option><option>100</option><option>500</option></select></div>"#
    );
}

fn footer(out: &mut String, data: &ReportData) {
    let _ = write!(
        out,
        r#"</main><footer><p>Made by remit {} from {} ledger row(s), as of {}. This file is self-contained: it loads nothing from the network and can be e-mailed or opened offline.</p></footer><script>{SCRIPT}</script></body></html>"#,
        env!("CARGO_PKG_VERSION"),
        count(data.rows),
        data.options.as_of
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_by_thousands() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(grouped(d("7215")), "7,215.00");
        assert_eq!(grouped(d("-1234567.891")), "-1,234,567.89");
        assert_eq!(grouped(d("999.5")), "999.50");
        assert_eq!(grouped(d("0")), "0.00");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(12), "12");
    }

    #[test]
    fn reason_labels_drop_the_head_and_the_code_tail() {
        assert_eq!(
            reason_label(
                "CO-50",
                "Denied: not deemed a medical necessity by the payer (CARC 50)"
            ),
            "CO-50 not deemed a medical necessity by the payer"
        );
        assert_eq!(
            reason_label("none", "Denied without a reason code"),
            "none Denied without a reason code"
        );
    }
}
