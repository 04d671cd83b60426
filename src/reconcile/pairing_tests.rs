//! The linear assignment against the literal greedy (sort every pair by
//! score, remitted line, billed line; take pairs whose both ends are
//! free; split lines join their best billed line) on random claims drawn
//! from small alphabets, so that ties, shared codes, repeated controls and
//! split lines are common.

use std::sync::Arc;

use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::fields::Procedure;
use crate::line::Status;

/// The literal greedy the module replaces: quadratic, the reference.
fn assign_by_sorting_pairs(
    events: &[LineEvent],
    lines: &[BilledLine],
) -> (Vec<Option<usize>>, i64) {
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if event.kind != EventKind::Line {
            continue;
        }
        for (j, line) in lines.iter().enumerate() {
            if let Some(score) = line_score(event, line) {
                pairs.push((score, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut assigned = vec![None; events.len()];
    let mut taken = vec![false; lines.len()];
    let mut total = 0;
    for &(score, i, j) in &pairs {
        if assigned[i].is_none() && !taken[j] {
            assigned[i] = Some(j);
            taken[j] = true;
            total += score;
        }
    }
    for &(_, i, j) in &pairs {
        if assigned[i].is_none() && events[i].paid_procedure.is_some() {
            assigned[i] = Some(j);
        }
    }
    (assigned, total)
}

/// (kind is a line, procedure, revenue code, modifiers, day, charge,
/// units, control, split) from small alphabets.
type Remitted = (bool, u8, u8, u8, u8, u8, u8, u8, bool);
/// (procedure, revenue code, modifiers, day, charge, units, control).
type Billed = (u8, u8, u8, u8, u8, u8, u8);

const CODES: [&str; 3] = ["", "98941", "0450"];
const MODIFIERS: [&[&str]; 3] = [&[], &["25"], &["59", "25"]];

fn day(d: u8) -> Option<jiff::civil::Date> {
    (d > 0).then(|| date(2024, 1, i8::try_from(d).unwrap()))
}

fn texts(list: &[&str]) -> Vec<Text> {
    list.iter().map(|&m| m.into()).collect()
}

fn event(r: Remitted, sequence: u32) -> LineEvent {
    let (line, procedure, revenue, modifiers, d, charge, units, control, split) = r;
    LineEvent {
        context: Arc::default(),
        kind: if line {
            EventKind::Line
        } else {
            EventKind::ClaimAdjustment
        },
        sequence,
        claim_seq: 0,
        claim_id: "C1".into(),
        payer_claim_id: Text::default(),
        claim_status: "1".into(),
        claim_frequency: "1".into(),
        member_id: Text::default(),
        member_name: String::new(),
        service_date: day(d),
        procedure: CODES[usize::from(procedure)].into(),
        modifiers: texts(MODIFIERS[usize::from(modifiers)]),
        paid_procedure: split.then(|| "98941".into()),
        revenue_code: CODES[usize::from(revenue)].into(),
        units: Decimal::ONE,
        // A negative charge too: a reversal's billed amount is compared
        // by its size.
        billed_units: Decimal::from(i64::from(units) - 1),
        billed: Decimal::from(i64::from(charge) * 50 - 50),
        allowed: Decimal::ZERO,
        allowed_reported: false,
        paid: Decimal::ZERO,
        patient_resp: Decimal::ZERO,
        adjustments: Vec::new(),
        remarks: Vec::new(),
        line_control: if control == 0 {
            Text::default()
        } else {
            control.to_string().into()
        },
        received_date: None,
        interest: Decimal::ZERO,
        status: Status::Paid,
        unexplained: None,
        filing_indicator: Text::default(),
        facility_code: Text::default(),
        rendering_provider: Text::default(),
        plan_id: Default::default(),
    }
}

fn billed(b: Billed) -> BilledLine {
    let (procedure, revenue, modifiers, d, charge, units, control) = b;
    BilledLine {
        procedure: Procedure {
            code: CODES[usize::from(procedure)].into(),
            modifiers: texts(MODIFIERS[usize::from(modifiers)]),
            ..Procedure::default()
        },
        revenue_code: CODES[usize::from(revenue)].into(),
        service_date: day(d),
        // 50.00 written as 50.0: equal amounts in different scales.
        charge: Decimal::new(i64::from(charge) * 500, 1),
        units: (units > 0).then(|| Decimal::from(units)),
        control_number: if control == 0 {
            Text::default()
        } else {
            control.to_string().into()
        },
        ..BilledLine::default()
    }
}

fn remitted() -> impl Strategy<Value = Remitted> {
    (
        prop::bool::weighted(0.9),
        0..3u8,
        0..3u8,
        0..3u8,
        0..3u8,
        0..3u8,
        0..3u8,
        0..3u8,
        prop::bool::weighted(0.2),
    )
}

fn billed_line() -> impl Strategy<Value = Billed> {
    (0..3u8, 0..3u8, 0..3u8, 0..3u8, 0..3u8, 0..3u8, 0..3u8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_linear_assignment_is_the_greedy_one(
        remits in prop::collection::vec(remitted(), 0..12),
        bills in prop::collection::vec(billed_line(), 0..12),
    ) {
        let events: Vec<LineEvent> =
            remits.into_iter().enumerate().map(|(i, r)| event(r, i as u32)).collect();
        let lines: Vec<BilledLine> = bills.into_iter().map(billed).collect();
        let greedy = assign_by_sorting_pairs(&events, &lines);
        // Both ways, whatever the claim's size: `assign` picks one by it.
        prop_assert_eq!(&assign_linear(&events, &lines), &greedy);
        if events.len() * lines.len() <= SMALL {
            prop_assert_eq!(&assign_small(&events, &lines), &greedy);
        }
        prop_assert_eq!(assign(&events, &lines), greedy);
    }

    /// [`score_bound`] bounds every pair's score, and the assignment's
    /// total is at most the sum of the remitted lines' bounds (claims
    /// fitting that well are found by an index, the rest left unscored:
    /// `SharedClaims::charge_fits_best`); some claim reaches the bound.
    #[test]
    fn no_line_scores_above_its_bound(
        remits in prop::collection::vec(remitted(), 0..12),
        bills in prop::collection::vec(billed_line(), 0..12),
    ) {
        let events: Vec<LineEvent> =
            remits.into_iter().enumerate().map(|(i, r)| event(r, i as u32)).collect();
        let lines: Vec<BilledLine> = bills.into_iter().map(billed).collect();
        let held = |e: &LineEvent| {
            !e.line_control.is_empty() && lines.iter().any(|l| l.control_number == e.line_control)
        };
        for e in events.iter().filter(|e| e.kind == EventKind::Line) {
            let bound = score_bound(e, held(e));
            for l in &lines {
                prop_assert!(line_score(e, l).unwrap_or(0) <= bound, "{:?} {:?}", e, l);
            }
            // Reached: the line's control echoed, or its code and features
            // on a line without a control.
            let copy = BilledLine {
                procedure: crate::fields::Procedure {
                    code: e.procedure.clone(),
                    modifiers: e.modifiers.clone(),
                    ..Default::default()
                },
                revenue_code: e.revenue_code.clone(),
                service_date: e.service_date,
                charge: e.billed.abs(),
                units: Some(e.billed_units.abs()),
                control_number: if held(e) { e.line_control.clone() } else { Text::default() },
                ..BilledLine::default()
            };
            if e.service_date.is_some() || held(e) {
                prop_assert_eq!(line_score(e, &copy).unwrap_or(0), bound, "{:?}", e);
            }
        }
        let total: i64 = events
            .iter()
            .filter(|e| e.kind == EventKind::Line)
            .map(|e| score_bound(e, held(e)))
            .sum();
        prop_assert!(assign(&events, &lines).1 <= total);
    }

    /// The modifier sets compared on the stack are the joined sets
    /// [`Facts`] and the linear way's keys compare.
    #[test]
    fn modifier_sets_compare_as_joined(
        a in prop::collection::vec(prop::sample::select(vec!["", "25", "59", "GP", "25:59", "XU"]), 0..7),
        b in prop::collection::vec(prop::sample::select(vec!["", "25", "59", "GP", "25:59", "XU"]), 0..7),
    ) {
        let (a, b) = (texts(&a), texts(&b));
        prop_assert_eq!(same_modifier_set(&a, &b), modifier_set(&a) == modifier_set(&b));
    }
}

#[test]
fn the_date_outweighs_modifiers_and_a_control_outweighs_everything() {
    // Remitted 98941-25 on Jan 1, charge 50; billed: 98941 (no modifier)
    // on Jan 1 (100 + 30 date + 10 charge + 5 units = 145), 98941-25 on Jan
    // 2 (100 + 20 + 10 + 5 = 135). The date wins.
    let e = event((true, 1, 0, 1, 1, 2, 2, 0, false), 0);
    let by_date = billed((1, 0, 0, 1, 1, 1, 0));
    let by_modifier = billed((1, 0, 1, 2, 1, 1, 0));
    assert_eq!(
        assign(
            std::slice::from_ref(&e),
            &[by_modifier.clone(), by_date.clone()]
        ),
        (vec![Some(1)], 145)
    );
    // With REF*6R 1 on both the remitted and the modifier line: 1000.
    let mut e = e;
    e.line_control = "1".into();
    let mut by_modifier = by_modifier;
    by_modifier.control_number = "1".into();
    assert_eq!(assign(&[e], &[by_modifier, by_date]), (vec![Some(0)], 1000));
}

#[test]
fn identical_lines_pair_in_order_and_a_split_line_joins_its_sibling() {
    // Three identical remitted lines against two identical billed lines:
    // the first two pair in order; the third is a split line (SVC06) and
    // joins the first billed line, the best and first.
    let mut events: Vec<LineEvent> = (0..3)
        .map(|i| event((true, 1, 0, 0, 1, 2, 2, 0, false), i))
        .collect();
    events[2].paid_procedure = Some("98941".into());
    let lines = vec![billed((1, 0, 0, 1, 1, 1, 0)), billed((1, 0, 0, 1, 1, 1, 0))];
    assert_eq!(
        assign(&events, &lines),
        (vec![Some(0), Some(1), Some(0)], 2 * 165)
    );
}
