//! The file formats: columns, cells, conflicts between rows, and which row
//! wins for a line.

use super::*;

#[test]
fn columns_come_in_any_order_and_any_case() {
    let c = load(
        &[(
            "c.csv",
            "Rate, PROCEDURE ,payer\n30.00,97110,ACME HEALTH PLAN\n",
        )],
        &[],
    );
    assert_eq!(c.len(), 1);
    // 30.00 × 2 units = 60.00
    assert_eq!(one(&c, &ACME, line("97110", &[], "2")).0, d("60.00"));
}

#[test]
fn unknown_column_is_rejected_with_the_list_of_columns() {
    let errors = load_errors(
        &[("c.csv", "payer,procedure,rate,discount\nACME,97110,30,5\n")],
        &[],
    );
    assert_eq!(
        errors,
        [
            "c.csv:1: column \"discount\" is not a contract column (the columns are: payer, plan, procedure, modifier, place, from, to, rate, max_units, rules)"
        ]
    );
}

#[test]
fn repeated_and_missing_columns_are_rejected() {
    let errors = load_errors(&[("c.csv", "rate,rate\n30,31\n")], &[]);
    assert_eq!(
        errors,
        [
            "c.csv:1: column \"rate\" appears twice in the header",
            "c.csv:1: the header has no \"procedure\" column"
        ]
    );
}

#[test]
fn a_bad_cell_names_file_line_and_column_and_every_bad_cell_is_reported() {
    let text = "payer,procedure,modifier,place,from,to,rate,max_units,rules\n\
                ACME,97110,,,,,30.00,,\n\
                ACME,97112,GPX,office,2024-13-01,,85;00,0,mppr=150\n\
                ACME,97-140,,,,,30,,\n";
    let errors = load_errors(&[("contracts.csv", text)], &[]);
    assert_eq!(
        errors,
        [
            "contracts.csv:3: column \"modifier\": \"GPX\" is not two-character modifiers separated by ':'",
            "contracts.csv:3: column \"place\": \"office\" is not facility, nonfacility or empty",
            "contracts.csv:3: column \"from\": \"2024-13-01\" is not a date (2024-01-31, 20240131 or 01/31/2024) or empty",
            "contracts.csv:3: column \"rate\": \"85;00\" is not an amount per unit (85.00) or \"P% of NAME\" (NAME a reference schedule or billed)",
            "contracts.csv:3: column \"rules\": \"mppr=150\" is not mppr=P or mppr=P:Q (2nd procedure at P %, 3rd and later at Q %, 0–100) or mppr=off; rules are ';'-separated name=value",
            "contracts.csv:3: column \"max_units\": \"0\" is not a number of units above 0, or empty",
            "contracts.csv:4: column \"procedure\": \"97-140\" is not a procedure code (letters and digits) or *",
        ]
    );
}

#[test]
fn rows_that_say_nothing_or_too_much_are_rejected() {
    let text = "payer,procedure,modifier,from,to,rate,rules\n\
                ACME,97110,,,,,\n\
                ACME,*,26,,,40%  of billed,\n\
                ACME,*,,,,,\n\
                ACME,97112,,2024-12-31,2024-01-01,30,\n\
                ACME,97113,,,,30,,extra\n";
    let errors = load_errors(&[("c.csv", text)], &[]);
    assert_eq!(
        errors,
        [
            "c.csv:2: column \"rate\": \"\" is not an amount per unit (85.00) or \"P% of NAME\" (NAME a reference schedule or billed); only a * row may leave it empty",
            "c.csv:3: column \"modifier\": \"26\" is not empty on a * row (a * row sets its scope's defaults; 26, TC and assistant shares are rules)",
            "c.csv:4: column \"rules\": \"\" is not a rate, max_units or rules: a * row with none sets nothing",
            "c.csv:5: column \"to\": \"2024-01-01\" is not a date on or after from (2024-12-31)",
            "c.csv:6: the row has 8 cells but the header names 7 columns",
        ]
    );
}

#[test]
fn nothing_is_half_loaded() {
    // One good file, one with a bad row: the whole set is refused.
    let good = ("good.csv", "procedure,rate\n97110,30\n");
    let bad = ("bad.csv", "procedure,rate\n97112,thirty\n");
    let errors = load_errors(&[good, bad], &[]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("bad.csv:2: column \"rate\""));
    let whole = try_load(&[good, bad], &[]).unwrap_err().to_string();
    assert!(whole.starts_with("1 problem in the contract files; nothing was loaded\n  bad.csv:2"));
}

#[test]
fn blank_rows_and_trailing_commas_are_not_errors() {
    let c = load(
        &[("c.csv", "procedure,rate,\n97110,30,\n,,\n\n97112,32,,\n")],
        &[],
    );
    assert_eq!(c.len(), 2);
}

#[test]
fn an_empty_file_says_what_the_header_should_be() {
    let errors = load_errors(&[("c.csv", "")], &[]);
    assert_eq!(
        errors,
        [
            "c.csv: the file is empty; the first line must name the columns (payer, plan, procedure, modifier, place, from, to, rate, max_units, rules)"
        ]
    );
}

#[test]
fn ambiguous_pair_is_rejected_naming_both_rows() {
    // The same scope, no dates, in two files: no rule can choose.
    let a = ("acme.csv", "payer,procedure,rate\nACME,97110,30.00\n");
    let b = (
        "acme-2.csv",
        "procedure,payer,rate\n97112,ACME,33.00\n97110, acme ,31.00\n",
    );
    let errors = load_errors(&[a, b], &[]);
    assert_eq!(
        errors,
        [
            "acme.csv:2 and acme-2.csv:3 are ambiguous: both set payer ACME, procedure 97110; merge them or give them different scopes or dates"
        ]
    );
    // Plan names and CLP06 codes are the same plan.
    let errors = load_errors(
        &[(
            "c.csv",
            "payer,plan,procedure,from,to,rate\nACME,PPO,97110,2024-01-01,2024-12-31,30\nACME,12,97110,2024-01-01,2024-12-31,31\n",
        )],
        &[],
    );
    assert_eq!(
        errors,
        [
            "c.csv:2 and c.csv:3 are ambiguous: both set payer ACME, plan PPO, procedure 97110 from 2024-01-01 to 2024-12-31; merge them or give them different scopes or dates"
        ]
    );
}

#[test]
fn overlapping_dates_for_the_same_scope_are_rejected() {
    let text = "payer,procedure,from,to,rate\n\
                ACME,97110,2024-01-01,2024-12-31,30.00\n\
                ACME,97110,2024-07-01,,31.50\n\
                ACME,97110,,2023-12-31,29.00\n\
                ACME,97110,,,28.00\n";
    let errors = load_errors(&[("c.csv", text)], &[]);
    // Row 4 ends before row 2 starts, and row 5 (undated) is the standing
    // rate the dated rows override: only rows 2 and 3 conflict.
    assert_eq!(
        errors,
        [
            "c.csv:2 and c.csv:3 overlap: both set payer ACME, procedure 97110 from 2024-07-01 to 2024-12-31 (dates are inclusive)"
        ]
    );
}

#[test]
fn a_rate_naming_an_unloaded_reference_is_rejected() {
    let errors = load_errors(
        &[("c.csv", "procedure,rate\n97110,115% of medicare\n")],
        &[("ucr", "ucr.csv", "procedure,amount\n97110,50\n")],
    );
    assert_eq!(
        errors,
        ["c.csv:2: column \"rate\": no reference schedule is called \"medicare\" (loaded: ucr)"]
    );
}

#[test]
fn reference_files_are_validated_like_contracts() {
    let errors = load_errors(
        &[],
        &[
            (
                "medicare",
                "mpfs.csv",
                "procedure,modifier,facility,nonfacility,locality\n97110,,25,30,01\n",
            ),
            ("billed", "b.csv", "procedure,amount\n97110,1\n"),
            (
                "ucr",
                "ucr.csv",
                "procedure,amount,from,to\n97110,50,2024-01-01,2024-12-31\n97110,52,2024-06-01,\n97112,,,\n",
            ),
        ],
    );
    assert_eq!(
        errors,
        [
            "mpfs.csv:1: column \"locality\" is not a reference schedule column (the columns are: procedure, modifier, amount, facility, nonfacility, from, to)",
            "reference schedule name \"billed\": \"billed\" is reserved for the line's billed amount",
            "ucr.csv:4: column \"amount\": \"\" is not an amount in amount, facility or nonfacility",
            "ucr.csv:2 and ucr.csv:3 overlap: both set reference ucr, procedure 97110 from 2024-06-01 to 2024-12-31 (dates are inclusive)",
        ]
    );
}

#[test]
fn reference_arguments_are_name_equals_file() {
    assert_eq!(
        parse_reference_arg("medicare=data/mpfs 2024.csv"),
        Ok(("medicare", "data/mpfs 2024.csv"))
    );
    assert_eq!(
        parse_reference_arg("mpfs.csv").unwrap_err().to_string(),
        "reference schedule name \"\": the name is empty; write --reference NAME=FILE"
    );
    assert!(parse_reference_arg("medicare=").is_err());
    assert!(parse_reference_arg("medi care=x.csv").is_err());
}

#[test]
fn plan_specific_row_beats_payer_wide_row() {
    let text = "payer,plan,procedure,rate\n\
                ACME HEALTH PLAN,,97110,30.00\n\
                ACME HEALTH PLAN,PPO,97110,33.00\n\
                ACME HEALTH PLAN,GOLD-PPO-7,97110,34.00\n\
                ,HMO,97110,36.00\n";
    let c = load(&[("c.csv", text)], &[]);
    let l = || line("97110", &[], "1");
    // CLP06 12 (PPO): the plan row, 33.00 × 1.
    let (amount, basis) = one(&c, &ACME, l());
    assert_eq!(amount, d("33.00"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN PPO (c.csv:3), 97110 at 33.00, 1 unit"
    );
    // CLP06 HM (HMO): the any-payer HMO row loses to the payer's own row,
    // because the payer is compared before the plan: 30.00.
    let hmo = Payer {
        filing: "HM",
        ..ACME
    };
    assert_eq!(one(&c, &hmo, l()).0, d("30.00"));
    // Another payer's HMO claim gets the any-payer HMO row: 36.00.
    let other = Payer {
        id: "99999",
        name: "OTHER",
        filing: "HM",
        plan: "",
    };
    assert_eq!(one(&c, &other, l()).0, d("36.00"));
    // A plan id beats the filing indicator: 34.00.
    let gold = Payer {
        plan: "gold-ppo-7",
        ..ACME
    };
    assert_eq!(one(&c, &gold, l()).0, d("34.00"));
}

#[test]
fn payer_id_beats_payer_name_beats_any_payer() {
    let text = "payer,procedure,rate\n,97110,28\nacme health plan,97110,30\n60054,97110,31\n";
    let c = load(&[("c.csv", text)], &[]);
    assert_eq!(one(&c, &ACME, line("97110", &[], "1")).0, d("31"));
    let by_name = Payer { id: "", ..ACME };
    assert_eq!(one(&c, &by_name, line("97110", &[], "1")).0, d("30"));
    let other = Payer {
        id: "1",
        name: "X",
        ..ACME
    };
    assert_eq!(one(&c, &other, line("97110", &[], "1")).0, d("28"));
}

#[test]
fn modifiers_on_the_row_must_be_on_the_line_and_more_of_them_win() {
    let text = "procedure,modifier,place,rate\n\
                97110,,,29.00\n\
                97110,GP,,25.60\n\
                97110,GP:KX,,26.00\n\
                97110,GP,facility,24.00\n";
    let c = load(&[("c.csv", text)], &[]);
    let p = |mods: &[&str], place| one(&c, &ACME, line("97110", mods, "1").at(place)).0;
    assert_eq!(p(&[], Place::NonFacility), d("29.00"));
    // GP and 59: the GP row (59 changes nothing here).
    assert_eq!(p(&["59", "GP"], Place::NonFacility), d("25.60"));
    // GP and KX: the row naming both.
    assert_eq!(p(&["KX", "GP"], Place::Unknown), d("26.00"));
    // Modifiers come before place: GP:KX beats GP + facility.
    assert_eq!(p(&["KX", "GP"], Place::Facility), d("26.00"));
    assert_eq!(p(&["GP"], Place::Facility), d("24.00"));
    // A place-scoped row never matches an unknown place.
    assert_eq!(p(&["GP"], Place::Unknown), d("25.60"));
}

#[test]
fn a_tie_between_modifier_rows_is_an_error_naming_both() {
    let text = "procedure,modifier,rate\n97110,GP,25.60\n97110,59,27.00\n";
    let c = load(&[("c.csv", text)], &[]);
    let p = price(&c, &ACME, &[line("97110", &["GP", "59"], "1")]);
    assert_eq!(
        p[0].as_ref().unwrap_err().to_string(),
        "c.csv:2 and c.csv:3 both price 97110-59-GP and neither is more specific"
    );
    // Either alone is fine: 25.60 and 27.00.
    assert_eq!(
        amounts(
            &c,
            &ACME,
            &[line("97110", &["GP"], "1"), line("97110", &["59"], "1")]
        ),
        [Some(d("25.60")), Some(d("27.00"))]
    );
}

#[test]
fn a_line_no_row_covers_has_no_expected() {
    let c = load(
        &[(
            "c.csv",
            "payer,procedure,from,rate\nACME HEALTH PLAN,97110,2024-01-01,30\n",
        )],
        &[],
    );
    let mut undated = line("97110", &[], "1");
    undated.date = None;
    assert_eq!(
        amounts(
            &c,
            &ACME,
            &[
                line("97112", &[], "1"),
                line("97110", &[], "1").on("2023-12-31"),
                undated,
                line("", &[], "1"),
            ]
        ),
        [None, None, None, None]
    );
}

#[test]
fn dated_rate_change_across_a_year_boundary() {
    let text = "payer,plan,procedure,from,to,rate\n\
                ACME HEALTH PLAN,PPO,97110,2024-01-01,2024-12-31,30.00\n\
                ACME HEALTH PLAN,PPO,97110,2025-01-01,,31.50\n\
                ACME HEALTH PLAN,PPO,97110,,,29.00\n";
    let c = load(&[("contracts.csv", text)], &[]);
    let p = price(
        &c,
        &ACME,
        &[
            // 30.00 × 2 = 60.00 on the last day of 2024.
            line("97110", &[], "2").on("2024-12-31"),
            // 31.50 × 2 = 63.00 from the first day of 2025.
            line("97110", &[], "2").on("2025-01-01"),
            // Before any dated row: the standing rate, 29.00 × 2 = 58.00.
            line("97110", &[], "2").on("2023-12-31"),
        ],
    );
    let got: Vec<(Decimal, String)> = p
        .into_iter()
        .map(|r| {
            let e = r.unwrap().unwrap();
            (e.amount, e.basis)
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                d("60.00"),
                "ACME HEALTH PLAN PPO 2024 (contracts.csv:2), 97110 at 30.00, 2 units".to_string()
            ),
            (
                d("63.00"),
                "ACME HEALTH PLAN PPO from 2025-01-01 (contracts.csv:3), 97110 at 31.50, 2 units"
                    .to_string()
            ),
            (
                d("58.00"),
                "ACME HEALTH PLAN PPO (contracts.csv:4), 97110 at 29.00, 2 units".to_string()
            ),
        ]
    );
}

#[test]
fn several_files_load_together_and_a_star_row_prices_every_code() {
    let defaults = (
        "defaults.csv",
        "payer,procedure,rate\nACME HEALTH PLAN,*,60% of billed\n",
    );
    let specific = (
        "acme.csv",
        "payer,procedure,rate\nACME HEALTH PLAN,97110,30.00\n",
    );
    let c = load(&[defaults, specific], &[]);
    // The code's own row: 30.00 × 1.
    assert_eq!(one(&c, &ACME, line("97110", &[], "1")).0, d("30.00"));
    // Any other code: 60 % of its 85.00 charge = 51.00.
    let (amount, basis) = one(&c, &ACME, line("97530", &[], "2").billed("85.00"));
    assert_eq!(amount, d("51.00"));
    assert_eq!(
        basis,
        "ACME HEALTH PLAN (defaults.csv:2), 97530 at 60% of billed 85.00, 2 units"
    );
}
