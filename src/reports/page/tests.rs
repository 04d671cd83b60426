//! The report's data: each headline figure's definition, the charts adding
//! up to the figures, the table caps, masking, and the page's size over a
//! million rows.

use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::tables::TopRows;
use super::*;
use crate::line::{EventKind, Flag, LineEvent, RemittanceContext, Status};
use crate::remittance::Adjustment;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn context(payer: &str, paid_on: &str) -> Arc<RemittanceContext> {
    Arc::new(RemittanceContext {
        source: "remits/a.835".into(),
        payer: payer.into(),
        trace: "TRN1".into(),
        payment_date: Some(day(paid_on)),
        ..Default::default()
    })
}

fn adjustment(group: &str, reason: &str, amount: &str) -> Adjustment {
    Adjustment {
        group: group.into(),
        reason: reason.into(),
        amount: d(amount),
        quantity: None,
    }
}

/// A service line of RIVERA, LUCIA paid on `paid_on`.
fn line(status: Status, billed: &str, paid: &str, paid_on: &str) -> DecidedLine {
    DecidedLine::from_event(LineEvent {
        context: context("ACME HEALTH PLAN", paid_on),
        kind: EventKind::Line,
        sequence: 0,
        claim_seq: 0,
        claim_id: "RC1".into(),
        payer_claim_id: "ICN1".into(),
        claim_status: "1".into(),
        claim_frequency: "1".into(),
        member_id: "W11112222".into(),
        member_name: "RIVERA, LUCIA".into(),
        service_date: Some(day("2024-01-02")),
        procedure: "98941".into(),
        modifiers: vec!["GP".into()],
        paid_procedure: None,
        revenue_code: Default::default(),
        units: Decimal::ONE,
        billed_units: Decimal::ONE,
        billed: d(billed),
        allowed: d(paid),
        allowed_reported: false,
        paid: d(paid),
        patient_resp: Decimal::ZERO,
        adjustments: Vec::new(),
        remarks: Vec::new(),
        line_control: Default::default(),
        received_date: None,
        interest: Decimal::ZERO,
        status,
        filing_indicator: Default::default(),
        facility_code: Default::default(),
        rendering_provider: Default::default(),
        plan_id: Default::default(),
        unexplained: None,
    })
}

fn flagged(mut row: DecidedLine, flag: Flag) -> DecidedLine {
    row.decision.flags.insert(flag);
    row
}

/// A line denied in full: what `decide` gives it, the denied amount and
/// the amount at stake both the charge its one denial adjustment refused.
fn denied(billed: &str, reason: &str) -> DecidedLine {
    let mut row = line(Status::Denied, billed, "0", "2024-02-07");
    row.event.adjustments = vec![adjustment("CO", reason, billed)];
    row.decision.appeal_by = Some(day("2024-05-07"));
    row.decision.denied = d(billed);
    row.decision.at_stake = Some(d(billed));
    row
}

/// A January deductible: PR-1 and CO-45, nothing paid, nothing denied.
fn deductible() -> DecidedLine {
    let mut row = line(Status::PatientResp, "184.86", "0", "2024-02-07");
    row.event.adjustments = vec![
        adjustment("PR", "1", "105.26"),
        adjustment("CO", "45", "79.60"),
    ];
    row.event.patient_resp = d("105.26");
    row.decision.at_stake = Some(Decimal::ZERO);
    row
}

/// Paid 50 of 100: CO-45 20.00 contractual, CO-151 30.00 denied.
fn partly_denied() -> DecidedLine {
    let mut row = flagged(
        line(Status::Paid, "100", "50", "2024-02-07"),
        Flag::PartialDenial,
    );
    row.event.adjustments = vec![adjustment("CO", "45", "20"), adjustment("CO", "151", "30")];
    row.decision.denied = d("30");
    row.decision.at_stake = Some(d("30"));
    row.decision.appeal_by = Some(day("2024-05-07"));
    row
}

/// One row of every kind the figures tell apart.
fn sample_rows() -> Vec<DecidedLine> {
    let mut paid = line(Status::Paid, "100", "60", "2024-02-07");
    paid.event.patient_resp = d("20");
    let mut underpaid = flagged(
        line(Status::Paid, "80", "40", "2024-03-06"),
        Flag::Underpaid,
    );
    underpaid.decision.variance = Some(d("-7.50"));
    underpaid.decision.expected = Some(d("47.50"));
    let mut pprd = flagged(denied("100", "18"), Flag::PreviouslyPaidReportedDenied);
    pprd.decision.prior_paid = Some(d("60"));
    let reversal = flagged(
        line(Status::Reversal, "-100", "-60", "2024-04-10"),
        Flag::Recouped,
    );
    let mut plb = line(Status::ProviderAdjustment, "0", "-25", "2024-04-10");
    plb.event.kind = EventKind::ProviderAdjustment;
    plb.event.adjustments = vec![adjustment("PLB", "WO", "25")];
    plb.decision.flags.insert(Flag::Recouped);
    let denied_again = flagged(denied("40", "27"), Flag::Recouped);
    let mut claim_adj = line(Status::ClaimAdjustment, "-2", "-2", "2024-04-10");
    claim_adj.event.kind = EventKind::ClaimAdjustment;
    let unanswered = line(Status::NoRemittance, "65", "0", "2024-01-01");
    vec![
        paid,
        deductible(),
        partly_denied(),
        underpaid,
        denied("185", "50"),
        denied("65", "197"),
        pprd,
        reversal,
        plb,
        denied_again,
        claim_adj,
        unanswered,
    ]
}

fn report(rows: &[DecidedLine], items: &[AppealItem], options: Options) -> ReportData {
    let mut builder = ReportBuilder::new(options, CodeList::builtin());
    rows.iter().for_each(|r| builder.add_row(r));
    items.iter().for_each(|i| builder.add_appeal(i));
    builder.finish()
}

fn value(data: &ReportData, id: &str) -> Decimal {
    data.figure(id).unwrap().value
}

#[test]
fn each_headline_figure_sums_what_its_definition_says() {
    let data = report(&sample_rows(), &[], Options::new(day("2024-06-01")));
    // Billed: every remitted row, reversals negative; NO_REMITTANCE apart.
    assert_eq!(value(&data, "remitted-charge"), d("752.86"));
    assert_eq!(value(&data, "paid"), d("63"));
    assert_eq!(value(&data, "patient-resp"), d("125.26"));
    // Denied: what denial adjustments refused — 185 + 65 + 40 and the 30
    // denied part of a paid line; not the previously-paid re-listing, not
    // the deductible line (PR-1 + CO-45: nothing denied).
    assert_eq!(value(&data, "denied"), d("320"));
    // Recouped: the reversal's 60 and the PLB WO's 25, not the later denial.
    assert_eq!(value(&data, "recovered"), d("85"));
    assert_eq!(value(&data, "underpaid"), d("7.50"));
    assert_eq!(value(&data, "unanswered"), d("65"));
    assert_eq!(data.figure("denied").unwrap().count, 4);
    assert_eq!(data.rows, 12);
}

fn item(at_stake: &str, days_left: i64) -> AppealItem {
    AppealItem {
        row: denied(at_stake, "50"),
        at_stake: d(at_stake),
        days_left,
        tracking: None,
    }
}

#[test]
fn money_at_risk_is_due_within_the_window_and_passed_is_apart() {
    let items = [
        item("1", -1),
        item("10", 0),
        item("100", 30),
        item("1000", 31),
    ];
    let data = report(&[], &items, Options::new(day("2024-06-01")));
    assert_eq!(value(&data, "at-risk"), d("110"));
    assert_eq!(value(&data, "past-deadline"), d("1"));
    assert_eq!(data.open_appeals, 4);
    let narrow = Options {
        deadline_days: 0,
        ..Options::new(day("2024-06-01"))
    };
    assert_eq!(value(&report(&[], &items, narrow), "at-risk"), d("10"));
}

#[test]
fn charts_add_up_to_the_headline_figures() {
    let mut rows = sample_rows();
    let mut other = line(Status::Paid, "50", "50", "2024-03-20");
    other.event.context = context("STATE MEDICAID MCO", "2024-03-20");
    rows.push(other);
    let data = report(&rows, &[], Options::new(day("2024-06-01")));
    let c = &data.charts;
    let sum = |bars: &[PaidVsBilled], f: fn(&PaidVsBilled) -> Decimal| {
        bars.iter().map(f).sum::<Decimal>()
    };
    for bars in [&c.by_payer, &c.by_month] {
        assert_eq!(sum(bars, |b| b.billed), value(&data, "remitted-charge"));
        assert_eq!(sum(bars, |b| b.paid), value(&data, "paid"));
    }
    assert_eq!(c.by_payer[0].label, "ACME HEALTH PLAN");
    let months: Vec<(&str, u64)> = c
        .by_month
        .iter()
        .map(|b| (b.label.as_str(), b.rows))
        .collect();
    assert_eq!(months, [("2024-02", 7), ("2024-03", 2), ("2024-04", 3)]);
    assert_eq!(
        c.reasons.iter().map(|r| r.denied).sum::<Decimal>(),
        value(&data, "denied")
    );
    assert_eq!(c.reasons[0].code, "CO-50");
    assert!(
        c.reasons[0].description.contains("medical necessity"),
        "{}",
        c.reasons[0].description
    );
    // Paid lines: 2024-01-02 → 2024-02-07 (36 days, twice), → 2024-03-06
    // (64), → 2024-03-20 (78).
    let lines: Vec<(&str, u64)> = c
        .days
        .iter()
        .map(|b| (b.label, b.lines))
        .filter(|b| b.1 > 0)
        .collect();
    assert_eq!(lines, [("31–45", 2), ("61–90", 2)]);
    assert!(matches!(c.median_days, Some(36 | 50 | 64)));
}

#[test]
fn months_without_payments_show_as_empty_bars() {
    let mut undated = line(Status::Paid, "5", "5", "2024-01-01");
    Arc::make_mut(&mut undated.event.context).payment_date = None;
    let rows = [
        line(Status::Paid, "10", "5", "2024-11-15"),
        line(Status::Paid, "20", "5", "2025-02-01"),
        undated,
    ];
    let data = report(&rows, &[], Options::new(day("2025-06-01")));
    let months: Vec<(&str, u64)> = data
        .charts
        .by_month
        .iter()
        .map(|b| (b.label.as_str(), b.rows))
        .collect();
    assert_eq!(
        months,
        [
            ("no date", 1),
            ("2024-11", 1),
            ("2024-12", 0),
            ("2025-01", 0),
            ("2025-02", 1)
        ]
    );
}

#[test]
fn long_tails_fold_into_one_bar() {
    let rows: Vec<DecidedLine> = (0..40)
        .map(|i| {
            let mut r = line(Status::Paid, "10", "5", "2020-01-15");
            let month = day("2020-01-15")
                .checked_add(jiff::Span::new().months(i))
                .unwrap();
            r.event.context = context(&format!("PAYER {i:02}"), &month.to_string());
            r
        })
        .collect();
    let data = report(&rows, &[], Options::new(day("2024-06-01")));
    let c = &data.charts;
    assert_eq!(c.by_payer.len(), charts::TOP_PAYERS);
    assert_eq!(c.by_payer.last().unwrap().label, "26 other payers");
    assert_eq!(c.by_payer.last().unwrap().rows, 26);
    assert_eq!(c.by_month.len(), charts::MONTHS + 1);
    assert_eq!(c.by_month[0].label, "before 2020-05");
    assert_eq!(c.by_month[0].rows, 4);
    assert_eq!(c.by_month[charts::MONTHS].label, "2023-04");
    assert_eq!(c.by_month.iter().map(|b| b.rows).sum::<u64>(), 40);
}

#[test]
fn top_rows_keep_the_best_and_count_the_rest() {
    let mut top = TopRows::new(3);
    let mut built = 0;
    for (i, key) in [5, 1, 4, 1, 9, 0, 7].into_iter().enumerate() {
        top.offer(key, || {
            built += 1;
            vec![format!("{key}@{i}")]
        });
    }
    assert_eq!(top.total(), 7);
    let rows: Vec<String> = top.into_rows().into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        rows,
        ["0@5", "1@1", "1@3"],
        "best first; equal keys keep the earlier"
    );
    assert_eq!(built, 5, "rows that could not be kept are never rendered");
    let mut none = TopRows::new(0);
    none.offer(1, Vec::new);
    assert_eq!((none.total(), none.into_rows().len()), (1, 0));
}

#[test]
fn tables_mask_members_unless_asked_and_say_what_was_left_out() {
    let items: Vec<AppealItem> = [("5", 40), ("7", 3), ("9", -2), ("8", 3)]
        .into_iter()
        .map(|(s, days)| item(s, days))
        .collect();
    let options = Options {
        table_rows: 3,
        ..Options::new(day("2024-06-01"))
    };
    let data = report(&sample_rows(), &items, options.clone());
    let appeals = data.table("appeals").unwrap();
    assert_eq!(
        (appeals.total, appeals.rows.len(), appeals.left_out()),
        (4, 3, 1)
    );
    let stakes: Vec<&str> = appeals.rows.iter().map(|r| r[9].as_str()).collect();
    assert_eq!(
        stakes,
        ["8.00", "7.00", "5.00"],
        "soonest open deadline first, larger first"
    );
    assert_eq!(&appeals.rows[0][3..5], ["R*** L.", "W11******"]);
    let page = html::page(&data);
    assert!(!page.contains("RIVERA") && !page.contains("W11112222"));
    assert!(page.contains("first 3 of 4 rows") && page.contains("remit appeals PATH..."));
    let shown = report(
        &sample_rows(),
        &items,
        Options {
            privacy: Privacy::Shown,
            ..options
        },
    );
    assert_eq!(
        &shown.table("appeals").unwrap().rows[0][3..5],
        ["RIVERA, LUCIA", "W11112222"]
    );
    assert!(html::page(&shown).contains("RIVERA, LUCIA"));
}

#[test]
fn line_tables_list_their_rows_with_the_amount_that_matters() {
    let data = report(&sample_rows(), &[], Options::new(day("2024-06-01")));
    let cells = |id: &str| data.table(id).unwrap().rows.clone();
    let pprd = cells("previously-paid");
    assert_eq!((pprd.len(), pprd[0][8].as_str()), (1, "60.00"));
    let recouped = cells("recoupments");
    let taken: Vec<(&str, &str)> = recouped
        .iter()
        .map(|r| (r[7].as_str(), r[8].as_str()))
        .collect();
    assert_eq!(
        taken,
        [("Reversal (CLP02 22)", "60.00"), ("PLB WO", "25.00")]
    );
    let under = cells("underpayments");
    assert_eq!(
        (under[0][9].as_str(), under[0][10].as_str()),
        ("47.50", "7.50")
    );
}

#[test]
fn file_findings_fill_the_last_two_tables() {
    use crate::diagnostic::{Issue, Rule, Severity};
    let finding = |source: &str, severity, rule, message: &str| FileFinding {
        source: source.into(),
        issue: Issue::new(severity, rule, Default::default(), message).at_segment(b"SE"),
    };
    let findings = FileFindings {
        files: 3,
        rejected: vec![finding(
            "bad.835",
            Severity::Fatal,
            Rule::Syntax,
            "not X12 <at all>",
        )],
        unbalanced: vec![finding(
            "odd.835",
            Severity::Invalid,
            Rule::Balance,
            "transaction does not balance",
        )],
    };
    let mut builder = ReportBuilder::new(Options::new(day("2024-06-01")), CodeList::builtin());
    builder.add_findings(&findings);
    let data = builder.finish();
    assert_eq!(data.files, 3);
    assert_eq!(
        data.table("rejected").unwrap().rows[0][2],
        "not X12 <at all>"
    );
    assert_eq!(data.table("unbalanced").unwrap().rows[0][2], "SE");
    let page = html::page(&data);
    assert!(page.contains("not X12 &lt;at all&gt;") && !page.contains("<at all>"));
}

#[test]
fn masked_finding_tables_show_no_element_text() {
    use crate::diagnostic::{Expected, Issue, Rule, Severity, shown_element};
    // A date that does not exist is quoted on stderr, but the masked page
    // gives only its shape; with --show-phi the page quotes it too.
    let shown = shown_element(b"BPR", b"I", 16, b"20002316", Expected::Date);
    let (message, redacted) = shown.messages(|t| format!("BPR16 is not a date: {t}"));
    let issue = Issue::new(Severity::Fatal, Rule::BadValue, Default::default(), message)
        .with_redacted(redacted);
    let findings = FileFindings {
        files: 1,
        rejected: vec![FileFinding {
            source: "bad.835".into(),
            issue,
        }],
        unbalanced: Vec::new(),
    };
    let cell = |privacy| {
        let options = Options {
            privacy,
            ..Options::new(day("2024-06-01"))
        };
        let mut builder = ReportBuilder::new(options, CodeList::builtin());
        builder.add_findings(&findings);
        builder.finish().table("rejected").unwrap().rows[0][2].clone()
    };
    assert_eq!(
        cell(Privacy::Masked),
        "BPR16 is not a date: 8 characters (digits)"
    );
    assert_eq!(cell(Privacy::Shown), "BPR16 is not a date: \"20002316\"");
}

#[test]
fn the_page_escapes_every_text_and_loads_nothing() {
    let mut rows = sample_rows();
    rows[0].event.context = context("<script>alert(1)</script> & \"co\"", "2024-02-07");
    let data = report(&rows, &[], Options::new(day("2024-06-01")));
    let page = html::page(&data);
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
    assert_eq!(
        page.matches("<script>").count(),
        1,
        "only remit's own script"
    );
    for external in ["src=", "href=\"http", "url(", "@import", "<link"] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains(r#"<dd id="headline-paid" class="value" data-value="63.00""#));
}

/// A million rows: every kind of table overflows its cap, yet the page
/// stays a few megabytes and its figures are exact.
#[test]
fn a_million_rows_make_a_page_of_a_few_megabytes() {
    const ROWS: u64 = 1_000_000;
    let mut builder = ReportBuilder::new(Options::new(day("2025-01-01")), CodeList::builtin());
    let mut paid = line(Status::Paid, "100", "60", "2024-02-07");
    let mut pprd = flagged(denied("100", "18"), Flag::PreviouslyPaidReportedDenied);
    let mut reversal = flagged(
        line(Status::Reversal, "-100", "-60", "2024-04-10"),
        Flag::Recouped,
    );
    let mut underpaid = flagged(
        line(Status::Paid, "80", "40", "2024-03-06"),
        Flag::Underpaid,
    );
    let mut appeal = item("100", 10);
    for i in 0..ROWS {
        let cents = Decimal::new((i % 9973) as i64, 2);
        let claim: crate::text::Text = format!("RC{i:07}").as_str().into();
        let row = match i % 4 {
            0 => &mut paid,
            1 => &mut pprd,
            2 => &mut reversal,
            _ => &mut underpaid,
        };
        row.event.claim_id = claim;
        row.decision.prior_paid = Some(d("50") + cents);
        row.decision.variance = Some(-cents);
        builder.add_row(row);
        if i % 4 == 1 {
            appeal.at_stake = d("100") + cents;
            appeal.days_left = (i % 200) as i64 - 100;
            appeal.row.event.claim_id = row.event.claim_id.clone();
            builder.add_appeal(&appeal);
        }
    }
    let data = builder.finish();
    assert_eq!(data.rows, ROWS);
    assert_eq!(
        value(&data, "paid"),
        d("10000000"),
        "250,000 × (60 − 60 + 40)"
    );
    for id in ["appeals", "previously-paid", "recoupments", "underpayments"] {
        let t = data.table(id).unwrap();
        assert_eq!(t.rows.len(), DEFAULT_TABLE_ROWS, "{id}");
        assert_eq!(t.total, 250_000, "{id}");
    }
    let page = html::page(&data);
    assert!(page.len() < 4 << 20, "{} bytes", page.len());
    assert!(page.contains("first 2,000 of 250,000 rows"));
    eprintln!("a page over {ROWS} rows: {} bytes", page.len());
}
