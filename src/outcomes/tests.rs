//! Outcomes: the CSV, the states they give worklist items (with later
//! remittances), and the analytics, on items that mirror the samples'
//! worklist (`samples/README.md`).

use jiff::civil::{Date, date};
use rust_decimal::Decimal;

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn key(claim: &str, dos: Date, procedure: &str, modifiers: &[&str]) -> ItemKey {
    ItemKey {
        payer: "ACME HEALTH PLAN".into(),
        claim_id: claim.into(),
        service_date: Some(dos),
        procedure: procedure.into(),
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
    }
}

fn item(claim: &str, dos: Date, procedure: &str, remitted: Date, at_stake: &str) -> OpenItem {
    OpenItem {
        key: key(claim, dos, procedure, &[]),
        payer_id: "60054".into(),
        remittance_date: Some(remitted),
        at_stake: d(at_stake),
    }
}

/// The samples' open ACME denials and an underpayment.
fn worklist() -> Vec<OpenItem> {
    vec![
        // 0: RC24-016 99214 denied CO-50, 185.00.
        item(
            "RC24-016",
            date(2024, 3, 6),
            "99214",
            date(2024, 4, 10),
            "185.00",
        ),
        // 1, 2: RC24-015 98940 and 97012 denied CO-197, 65.00 and 40.00.
        item(
            "RC24-015",
            date(2024, 3, 5),
            "98940",
            date(2024, 4, 10),
            "65.00",
        ),
        item(
            "RC24-015",
            date(2024, 3, 5),
            "97012",
            date(2024, 4, 10),
            "40.00",
        ),
        // 3: RC24-019 97012 denied CO-97, 40.00.
        item(
            "RC24-019",
            date(2024, 3, 11),
            "97012",
            date(2024, 4, 10),
            "40.00",
        ),
        // 4: RC24-021 97110 underpaid 12.00.
        item(
            "RC24-021",
            date(2024, 4, 9),
            "97110",
            date(2024, 5, 1),
            "12.00",
        ),
        // 5: RC24-008 98941 denied after the take-back, 55.00.
        item(
            "RC24-008",
            date(2024, 1, 17),
            "98941",
            date(2024, 9, 11),
            "55.00",
        ),
    ]
}

const OUTCOMES: &str = "\
payer,claim_id,service_date,procedure,modifiers,filed,outcome,decided,recovered,reference,notes
ACME HEALTH PLAN,RC24-016,2024-03-06,99214,,2024-05-02,,,,APL-1,records sent
60054,RC24-015,,,,2024-05-03,lost,2024-06-01,,APL-2,
ACME HEALTH PLAN,RC24-019,2024-03-11,97012,,2024-05-03,no answer,,,,
,RC24-021,04/09/2024,97110,,20240520,won,2024-06-20,,,
ACME HEALTH PLAN,RC24-008,,,,2024-09-20,partial,2024-10-15,20.00,,
ACME HEALTH PLAN,RC24-008,,98941,,2024-10-20,,,,,second level
";

fn outcomes() -> Vec<AppealOutcome> {
    load::parse(OUTCOMES.as_bytes(), "outcomes.csv").unwrap()
}

#[test]
fn the_csv_reads_line_and_claim_appeals() {
    let o = outcomes();
    assert_eq!(o.len(), 6);
    assert_eq!(o[0].outcome, Outcome::Pending);
    assert_eq!(o[0].reference, "APL-1");
    assert_eq!(o[0].notes, "records sent");
    assert_eq!(o[1].key.procedure, "", "a claim-level appeal");
    assert_eq!(o[1].key.payer, "60054");
    assert_eq!(o[2].outcome, Outcome::NoAnswer);
    // Three date spellings.
    assert_eq!(o[3].key.service_date, Some(date(2024, 4, 9)));
    assert_eq!(o[3].filed, date(2024, 5, 20));
    assert_eq!(o[4].recovered, d("20.00"));
    assert_eq!(o[4].source, "outcomes.csv:6");
}

#[test]
fn every_problem_is_named_and_nothing_is_kept() {
    let csv = "\
claim_id,filed,outcome,recovered,decided,procedure,modifiers
RC1,2024-05-02,maybe,,,,
,2024-13-40,won,-5,,,
RC3,2024-05-02,lost,10.00,,,
RC4,2024-05-02,won,1.005,2024-05-01,,
RC5,2024-05-02,,,2024-06-01,,59
RC6,2024-05-02,won,
RC7,2024-05-02,won,,,99213,
RC7,2024-05-02,won,,,99213,
";
    let err = load::parse(csv.as_bytes(), "o.csv").unwrap_err();
    let messages: Vec<String> = err.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "o.csv:2:3: outcome \"maybe\": expected won, partial, lost, no answer, or empty while pending",
            "o.csv:3:1: claim_id is empty",
            "o.csv:3:2: filed \"2024-13-40\": expected a date (2024-05-02, 20240502 or 05/02/2024)",
            "o.csv:3:4: recovered \"-5\": expected an amount such as 185.00, not negative",
            "o.csv:4:4: 10.00 recovered on an appeal whose outcome is lost",
            "o.csv:5:4: recovered \"1.005\": expected an amount such as 185.00, not negative",
            "o.csv:5:5: decided 2024-05-01 is before filed 2024-05-02",
            "o.csv:6:7: modifiers without a procedure",
            "o.csv:6:5: a decision date with outcome pending: record the outcome too",
            "o.csv:7:1: the row has 4 cells, the header 7",
            "o.csv:9:1: the same appeal (item and filed date) as line 8",
        ]
    );
    assert!(
        err.to_string()
            .starts_with("11 problem(s) in the outcomes file; nothing was imported")
    );

    let header = load::parse(b"claim_id,filed,colour\n", "o.csv").unwrap_err();
    assert_eq!(
        header.0[0].to_string().split(';').next().unwrap(),
        "o.csv:1:3: unknown column \"colour\""
    );
    let missing = load::parse(b"claim_id,outcome\n", "o.csv").unwrap_err();
    assert_eq!(
        missing.0[0].to_string(),
        "o.csv:1:1: the header has no \"filed\" column"
    );
}

#[test]
fn recorded_outcomes_set_states_and_the_worklist_keeps_only_unresolved_items() {
    let tracked = track(&worklist(), &outcomes(), &[]);
    let states: Vec<ItemState> = tracked.iter().map(|t| t.state).collect();
    assert_eq!(
        states,
        [
            ItemState::Filed,    // RC24-016 pending
            ItemState::Lost,     // RC24-015 claim-level, by payer id
            ItemState::Lost,     //   both of its lines
            ItemState::NoAnswer, // RC24-019
            ItemState::Won,      // RC24-021, any payer
            ItemState::Filed,    // RC24-008: the second-level appeal supersedes the partial
        ]
    );
    let on_worklist: Vec<bool> = states.iter().map(|s| s.on_worklist()).collect();
    assert_eq!(on_worklist, [true, false, false, true, false, true]);
    // Won without an amount recovers what was at stake.
    assert_eq!(tracked[4].recovered, d("12.00"));
    assert_eq!(tracked[4].remaining, Decimal::ZERO);
    assert_eq!(tracked[4].decided, Some(date(2024, 6, 20)));
    assert!(
        tracked[1].reason.contains("outcomes.csv:3"),
        "{}",
        tracked[1].reason
    );
    // Nothing recorded: open.
    let none = track(&worklist(), &[], &[]);
    assert!(
        none.iter()
            .all(|t| t.state == ItemState::Open && t.remaining > Decimal::ZERO)
    );
}

fn payment(claim: &str, dos: Date, procedure: &str, on: Date, paid: &str) -> LinePayment {
    LinePayment {
        key: key(claim, dos, procedure, &[]),
        payer_id: "60054".into(),
        date: Some(on),
        trace: format!("T{on}"),
        paid: d(paid),
    }
}

#[test]
fn a_later_payment_wins_an_appealed_line_automatically() {
    let payments = vec![
        // RC24-016: paid in full after the appeal of 2024-05-02.
        payment(
            "RC24-016",
            date(2024, 3, 6),
            "99214",
            date(2024, 6, 12),
            "185.00",
        ),
        // RC24-015 98940 (recorded lost): 30.00 paid later → partial.
        payment(
            "RC24-015",
            date(2024, 3, 5),
            "98940",
            date(2024, 7, 3),
            "30.00",
        ),
        // RC24-019: a payment before the appeal was filed does not count…
        payment(
            "RC24-019",
            date(2024, 3, 11),
            "97012",
            date(2024, 4, 30),
            "40.00",
        ),
        // …nor one on another line of another claim.
        payment(
            "RC24-099",
            date(2024, 3, 11),
            "97012",
            date(2024, 6, 1),
            "40.00",
        ),
        // RC24-008: paid 60.00 then 10.00 reversed: 50.00 of 55.00.
        payment(
            "RC24-008",
            date(2024, 1, 17),
            "98941",
            date(2024, 11, 6),
            "60.00",
        ),
        payment(
            "RC24-008",
            date(2024, 1, 17),
            "98941",
            date(2024, 11, 20),
            "-10.00",
        ),
    ];
    let tracked = track(&worklist(), &outcomes(), &payments);
    assert_eq!(tracked[0].state, ItemState::Won);
    assert!(tracked[0].automatic);
    assert_eq!(tracked[0].decided, Some(date(2024, 6, 12)));
    assert_eq!(tracked[0].recovered, d("185.00"));
    assert!(
        tracked[0].reason.contains("won automatically"),
        "{}",
        tracked[0].reason
    );
    assert!(!tracked[0].state.on_worklist());

    // Recorded lost, then 30.00 of 65.00 paid: partial, 35.00 remaining.
    assert_eq!(tracked[1].state, ItemState::Partial);
    assert_eq!(tracked[1].remaining, d("35.00"));
    // Its sibling line got nothing: still lost.
    assert_eq!(tracked[2].state, ItemState::Lost);

    assert_eq!(
        tracked[3].state,
        ItemState::NoAnswer,
        "{}",
        tracked[3].reason
    );

    // 60.00 − 10.00 = 50.00 < 55.00 at stake: partial, recovered the
    // larger of the recorded 20.00 and the 50.00 paid.
    assert_eq!(tracked[5].state, ItemState::Partial);
    assert_eq!(tracked[5].recovered, d("50.00"));
    assert_eq!(tracked[5].remaining, d("5.00"));
}

#[test]
fn modifiers_must_match_as_a_set() {
    let mut it = item(
        "RC24-027",
        date(2024, 5, 7),
        "97140",
        date(2024, 5, 29),
        "10.00",
    );
    it.key.modifiers = vec!["59".into(), "GP".into()];
    let csv = "claim_id,procedure,modifiers,filed\nRC24-027,97140,GP:59,2024-06-01\nRC24-027,97140,25,2024-06-02\n";
    let o = load::parse(csv.as_bytes(), "o.csv").unwrap();
    assert!(covers(&o[0], &it));
    assert!(!covers(&o[1], &it));
    assert_eq!(track(&[it], &o, &[])[0].filed, Some(date(2024, 6, 1)));
}

/// `at`: payer, month of 2024, procedure, rendering provider.
fn line(
    at: (&str, i8, &str, &str),
    billed: &str,
    adj: Adjudication,
    reasons: &[(&str, &str)],
    appeal: Option<(ItemState, &str)>,
) -> AnalyticsLine {
    let (payer, month, procedure, provider) = at;
    let denial_reasons: Vec<(String, Decimal)> =
        reasons.iter().map(|(c, a)| (c.to_string(), d(a))).collect();
    AnalyticsLine {
        payer: payer.into(),
        payment_date: Some(date(2024, month, 10)),
        procedure: procedure.into(),
        rendering_provider: provider.into(),
        billed: d(billed),
        denied_amount: denial_reasons.iter().map(|r| r.1).sum(),
        denial_reasons,
        adjudication: adj,
        appeal: appeal.map(|(s, r)| (s, d(r))),
    }
}

#[test]
fn analytics_by_payer_month_category_procedure_and_provider() {
    use Adjudication::*;
    let lines = vec![
        line(("ACME", 3, "98940", "1111111111"), "65.00", Paid, &[], None),
        line(
            ("ACME", 4, "99214", "1111111111"),
            "185.00",
            Denied,
            &[("50", "185.00")],
            Some((ItemState::Won, "185.00")),
        ),
        line(
            ("ACME", 4, "98940", "2222222222"),
            "65.00",
            Denied,
            &[("197", "65.00")],
            Some((ItemState::Lost, "0")),
        ),
        line(
            ("ACME", 4, "97012", "2222222222"),
            "40.00",
            Denied,
            &[("197", "40.00")],
            Some((ItemState::Filed, "0")),
        ),
        line(
            ("ACME", 4, "97140", ""),
            "55.00",
            PartlyDenied,
            &[("45", "5.00"), ("151", "20.00")],
            None,
        ),
        line(
            ("MCD", 3, "99213", "1111111111"),
            "125.00",
            Denied,
            &[("16", "125.00")],
            Some((ItemState::Partial, "60.00")),
        ),
        line(("MCD", 3, "98941", "1111111111"), "85.00", Paid, &[], None),
        line(("MCD", 5, "98941", "1111111111"), "85.00", Paid, &[], None),
    ];
    let a = analyze(&lines, None, None);
    // 8 lines; 5 denied (4 denied + 1 partly).
    assert_eq!((a.total.lines, a.total.denied), (8, 5));
    assert_eq!(a.total.denial_rate(), Some(d("0.625")));
    // billed 65+185+65+40+55+125+85+85 = 705.00; denied 185+65+40+25+125 = 440.00.
    assert_eq!(a.total.billed, d("705.00"));
    assert_eq!(a.total.denied_amount, d("440.00"));
    // Appealed 4 of 5 denials; decided 3 (won, lost, partial); overturned 2.
    assert_eq!(
        (a.total.appealed, a.total.decided, a.total.overturned),
        (4, 3, 2)
    );
    assert_eq!(a.total.appeal_rate(), Some(d("0.8")));
    assert_eq!(a.total.overturn_rate(), Some(d("0.6667")));
    // Recovered 185.00 + 60.00.
    assert_eq!(a.total.recovered, d("245.00"));

    // ACME: 5 lines, 4 denied; MCD: 3 lines, 1 denied.
    assert_eq!(a.by_payer["ACME"].denial_rate(), Some(d("0.8")));
    assert_eq!(a.by_payer["MCD"].denial_rate(), Some(d("0.3333")));
    // March: 3 lines (ACME 98940, MCD 99213, MCD 98941), 1 denied; April: 4 of 4.
    assert_eq!(
        (a.by_month["2024-03"].lines, a.by_month["2024-03"].denied),
        (3, 1)
    );
    assert_eq!(
        (a.by_month["2024-04"].lines, a.by_month["2024-04"].denied),
        (4, 4)
    );
    // Categories over all 8 lines: authorization 2, medical necessity 2
    // (the partly denied line's largest denial reason is 151), coding 1.
    assert_eq!(a.by_category[&DenialCategory::Authorization].denied, 2);
    assert_eq!(
        a.by_category[&DenialCategory::Authorization].denial_rate(),
        Some(d("0.25"))
    );
    assert_eq!(a.by_category[&DenialCategory::MedicalNecessity].denied, 2);
    assert_eq!(
        a.by_category[&DenialCategory::CodingOrInformation].denied_amount,
        d("125.00")
    );
    // 98940: 2 lines, 1 denied.
    assert_eq!(a.by_procedure["98940"].denial_rate(), Some(d("0.5")));
    // Provider 2222222222: both denied, 1 decided and lost.
    assert_eq!(a.by_provider["2222222222"].overturn_rate(), Some(d("0")));
    assert_eq!(a.by_provider["(unknown)"].denied, 1);

    // A date range: April only.
    let april = analyze(&lines, Some(date(2024, 4, 1)), Some(date(2024, 4, 30)));
    assert_eq!((april.total.lines, april.total.denied), (4, 4));
    assert_eq!(april.total.recovered, d("185.00"));

    let rows = analytics::table(&a);
    assert_eq!(
        rows[0],
        [
            "total", "all", "8", "5", "0.6250", "705.00", "440.00", "4", "0.8000", "3", "2",
            "0.6667", "245.00"
        ]
    );
    assert!(rows.iter().all(|r| r.len() == analytics::COLUMNS.len()));
    assert!(
        rows.iter()
            .any(|r| r[0] == "reason_category" && r[1] == "authorization")
    );
}
