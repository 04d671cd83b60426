//! Inline SVG bar charts drawn by remit itself: grouped horizontal bars
//! (payers, reasons) and vertical bars (months, day ranges), with a value
//! axis, gridlines, a legend, a `<title>`/`<desc>` for the chart and a
//! `<title>` on every bar. Floats are used for coordinates only; every
//! amount shown as text was formatted from its exact decimal by the caller.

use std::fmt::Write;

use super::markup::escape;

/// One series of bars: a legend name, a CSS class for its colour, and per
/// category the bar length and the text of its tooltip and label.
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// CSS class (`s0`, `s1`…) giving the fill.
    pub class: &'a str,
    /// Per category: (value for the geometry, tooltip, label at the bar).
    pub bars: Vec<(f64, String, String)>,
}

/// A chart: categories along one axis, one bar per series per category.
pub struct Chart<'a> {
    /// Element id prefix.
    pub id: &'a str,
    /// Accessible title.
    pub title: &'a str,
    /// Accessible description (what the bars show, in words).
    pub desc: &'a str,
    /// Category labels.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series<'a>>,
}

const WIDTH: f64 = 600.0;
const LEGEND: f64 = 28.0;

/// The value range drawn: always includes 0, never empty.
fn domain(series: &[Series]) -> (f64, f64) {
    let values = series.iter().flat_map(|s| s.bars.iter().map(|b| b.0));
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi - lo < 1e-9 {
        (lo, lo + 1.0)
    } else {
        (lo, hi)
    }
}

/// About five round tick values covering `lo..=hi`.
pub fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).floor() * step;
    let mut out = Vec::new();
    let mut t = first;
    while t <= hi + step * 1e-6 && out.len() < 20 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    if out.last().is_some_and(|l| *l < hi) {
        out.push(t);
    }
    out
}

/// A tick label: `1,500`, `2.5`, `12k`, `1.2M`.
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a >= 1_000_000.0 {
        format!("{sign}{}M", trim(a / 1_000_000.0))
    } else if a >= 10_000.0 {
        format!("{sign}{}k", trim(a / 1_000.0))
    } else if a >= 1_000.0 {
        let whole = a.round() as u64;
        format!("{sign}{},{:03}", whole / 1000, whole % 1000)
    } else {
        format!("{sign}{}", trim(a))
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Cuts a label to `max` characters with an ellipsis.
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_string();
    }
    let mut out: String = label.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn open(out: &mut String, chart: &Chart, height: f64) {
    let id = escape(chart.id);
    let _ = write!(
        out,
        r#"<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(chart.title),
        escape(chart.desc)
    );
    legend(out, &chart.series);
}

fn legend(out: &mut String, series: &[Series]) {
    let mut x = 8.0;
    for s in series {
        let _ = write!(
            out,
            r#"<rect class="{}" x="{x:.1}" y="8" width="12" height="12"/><text x="{:.1}" y="18">{}</text>"#,
            escape(s.class),
            x + 16.0,
            escape(s.name)
        );
        x += 32.0 + 7.0 * s.name.chars().count() as f64;
    }
}

/// The value axis: where `lo..=hi` is drawn, from `start` to `end` pixels.
struct Scale {
    lo: f64,
    hi: f64,
    start: f64,
    end: f64,
    ticks: Vec<f64>,
}

impl Scale {
    fn new(series: &[Series], start: f64, end: f64) -> Self {
        let (lo, hi) = domain(series);
        let ticks = ticks(lo, hi);
        let first = ticks.first().copied().unwrap_or(lo);
        let last = ticks.last().copied().unwrap_or(hi);
        Scale {
            lo: first.min(lo),
            hi: last.max(hi),
            start,
            end,
            ticks,
        }
    }

    /// The pixel of value `v`.
    fn at(&self, v: f64) -> f64 {
        self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)
    }

    /// From the pixel of zero to the pixel of `v`: (lower, length).
    fn span(&self, v: f64) -> (f64, f64) {
        let (a, b) = (self.at(0.0), self.at(v));
        (a.min(b), (b - a).abs().max(0.5))
    }
}

/// One bar with its tooltip.
fn bar(out: &mut String, class: &str, (x, y, w, h): (f64, f64, f64, f64), tip: &str) {
    let _ = write!(
        out,
        r#"<rect class="{}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{}</title></rect>"#,
        escape(class),
        escape(tip)
    );
}

/// A text label.
fn label(out: &mut String, class: &str, (x, y): (f64, f64), anchor: &str, text: &str) {
    let _ = write!(
        out,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
        escape(text)
    );
}

/// Gridlines and labels of a value axis running left to right.
fn x_ticks(out: &mut String, scale: &Scale, top: f64, bottom: f64) {
    for &t in &scale.ticks {
        let x = scale.at(t);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{top:.1}" y2="{bottom:.1}"/>"#
        );
        label(out, "tick", (x, bottom + 16.0), "middle", &tick_label(t));
    }
}

/// Gridlines and labels of a value axis running bottom to top.
fn y_ticks(out: &mut String, scale: &Scale, left: f64, right: f64) {
    for &t in &scale.ticks {
        let y = scale.at(t);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{left:.1}" x2="{right:.1}" y1="{y:.1}" y2="{y:.1}"/>"#
        );
        label(out, "tick", (left - 6.0, y + 4.0), "end", &tick_label(t));
    }
}

/// A category name left of its bars, cut short with the full name as its
/// tooltip.
fn row_label(out: &mut String, category: &str, (x, y): (f64, f64)) {
    let _ = write!(
        out,
        r#"<text class="cat" x="{x:.1}" y="{y:.1}" text-anchor="end"><title>{}</title>{}</text>"#,
        escape(category),
        escape(&short(category, 24))
    );
}

/// A category name under its bars, slanted.
fn column_label(out: &mut String, category: &str, (x, y): (f64, f64)) {
    let _ = write!(
        out,
        r#"<text class="cat" x="{x:.1}" y="{y:.1}" text-anchor="end" transform="rotate(-40 {x:.1} {y:.1})">{}</text>"#,
        escape(&short(category, 14))
    );
}

/// Categories down the left, bars to the right (payers, reason codes).
pub fn horizontal(chart: &Chart) -> String {
    let (left, right, top, thick) = (170.0, 70.0, LEGEND + 6.0, 16.0);
    let group = thick * chart.series.len() as f64 + 10.0;
    let bottom = top + group * chart.categories.len().max(1) as f64;
    let scale = Scale::new(&chart.series, left, WIDTH - right);
    let mut out = String::new();
    open(&mut out, chart, bottom + 26.0);
    x_ticks(&mut out, &scale, top, bottom);
    for (i, category) in chart.categories.iter().enumerate() {
        let y0 = top + group * i as f64 + 5.0;
        row_label(&mut out, category, (left - 6.0, y0 + group / 2.0));
        for (k, s) in chart.series.iter().enumerate() {
            let Some((v, tip, text)) = s.bars.get(i) else {
                continue;
            };
            let (x, w) = scale.span(*v);
            let y = y0 + thick * k as f64;
            bar(&mut out, s.class, (x, y, w, thick - 2.0), tip);
            label(
                &mut out,
                "val",
                (x + w + 4.0, y + thick - 5.0),
                "start",
                text,
            );
        }
    }
    let zero = scale.at(0.0);
    let _ = write!(
        out,
        r#"<line class="axis" x1="{zero:.1}" x2="{zero:.1}" y1="{top:.1}" y2="{bottom:.1}"/></svg>"#
    );
    out
}

/// Categories along the bottom, bars upwards (months, day ranges). Values
/// are written above the bars of a single series when there is room;
/// category names every n-th bar (ending with the last) when crowded.
pub fn vertical(chart: &Chart) -> String {
    let (left, right, top, bottom) = (56.0, WIDTH - 10.0, LEGEND + 10.0, 236.0);
    let n = chart.categories.len();
    let slot = (right - left) / n.max(1) as f64;
    let thick = slot * 0.8 / chart.series.len().max(1) as f64;
    let scale = Scale::new(&chart.series, bottom, top);
    let values = chart.series.len() == 1 && (slot >= 30.0 || n <= 12);
    let every = (22.0 / slot).ceil().max(1.0) as usize;
    let mut out = String::new();
    open(&mut out, chart, 300.0);
    y_ticks(&mut out, &scale, left, right);
    for (i, category) in chart.categories.iter().enumerate() {
        let x0 = left + slot * i as f64 + slot * 0.1;
        for (k, s) in chart.series.iter().enumerate() {
            let Some((v, tip, text)) = s.bars.get(i) else {
                continue;
            };
            let (y, h) = scale.span(*v);
            let x = x0 + thick * k as f64;
            bar(&mut out, s.class, (x, y, (thick - 1.0).max(1.0), h), tip);
            if values {
                label(&mut out, "val", (x + thick / 2.0, y - 4.0), "middle", text);
            }
        }
        if (n - 1 - i) % every == 0 {
            column_label(
                &mut out,
                category,
                (left + slot * (i as f64 + 0.5), bottom + 14.0),
            );
        }
    }
    let zero = scale.at(0.0);
    let _ = write!(
        out,
        r#"<line class="axis" x1="{left:.1}" x2="{right:.1}" y1="{zero:.1}" y2="{zero:.1}"/></svg>"#
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: &[f64]) -> String {
        vertical(&Chart {
            id: "c",
            title: "T <1>",
            desc: "D & d",
            categories: values.iter().map(|v| format!("cat {v}")).collect(),
            series: vec![Series {
                name: "paid",
                class: "s1",
                bars: values
                    .iter()
                    .map(|v| (*v, format!("tip {v}"), format!("{v}")))
                    .collect(),
            }],
        })
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 7215.0),
            vec![0.0, 2000.0, 4000.0, 6000.0, 8000.0]
        );
        assert_eq!(
            ticks(0.0, 1.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = ticks(-130.0, 470.0);
        assert!(t[0] <= -130.0 && *t.last().unwrap() >= 470.0 && t.contains(&0.0));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(1500.0), "1,500");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(25_000.0), "25k");
        assert_eq!(tick_label(-1_250_000.0), "-1.25M");
        assert_eq!(tick_label(0.0), "0");
    }

    #[test]
    fn charts_are_accessible_and_escaped() {
        let svg = chart(&[10.0, 20.0]);
        assert!(svg.starts_with(
            r#"<svg id="c" class="chart" role="img" aria-labelledby="c-title c-desc""#
        ));
        assert!(svg.contains("<title id=\"c-title\">T &lt;1&gt;</title>"));
        assert!(svg.contains("<desc id=\"c-desc\">D &amp; d</desc>"));
        assert_eq!(
            svg.matches("<rect class=\"s1\" x=").count(),
            3,
            "legend + 2 bars"
        );
        assert!(svg.contains("<title>tip 20</title>"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn negative_bars_hang_below_the_axis() {
        let svg = chart(&[-50.0, 100.0]);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let h = horizontal(&Chart {
            id: "h",
            title: "t",
            desc: "d",
            categories: vec![
                "a".into(),
                "a very long payer name that goes on and on".into(),
            ],
            series: vec![Series {
                name: "x",
                class: "s0",
                bars: vec![
                    (-5.0, "t".into(), "-5".into()),
                    (0.0, "t".into(), "0".into()),
                ],
            }],
        });
        assert!(h.contains("a very long payer name …"));
        assert!(!h.contains("NaN"));
    }

    #[test]
    fn empty_charts_draw_without_dividing_by_zero() {
        let svg = chart(&[]);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
