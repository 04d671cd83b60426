//! `remit appeals` and `remit resolution` over the samples, and the reason
//! column with a user-supplied code list.

use rust_decimal::Decimal;

use crate::reconcile::{Ledger, reconcile};
use crate::support::{remit, samples, temp_dir};

fn run(args: &[&str]) -> (Ledger, String, i32) {
    let out = remit(args);
    (
        Ledger::parse(&String::from_utf8(out.stdout).unwrap()),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn sample_dir() -> String {
    samples().to_string_lossy().into_owned()
}

fn fee() -> String {
    samples()
        .join("fee-schedule.csv")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn appeals_lists_open_lines_by_payer_and_deadline() {
    let as_of = "2024-10-01";
    let (items, stderr, code) = run(&[
        "appeals",
        &sample_dir(),
        "--fee-schedule",
        &fee(),
        "--as-of",
        as_of,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!items.rows.is_empty());
    let keys: Vec<(String, String)> = items
        .rows
        .iter()
        .map(|r| (r["payer"].clone(), r["appeal_by"].clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "grouped by payer, then by deadline");
    let today: jiff::civil::Date = as_of.parse().unwrap();
    for r in &items.rows {
        let deadline: jiff::civil::Date = r["appeal_by"].parse().unwrap();
        let left = (deadline - today).get_days();
        assert_eq!(r["days_left"], left.to_string());
        assert_eq!(r["deadline_passed"], if left < 0 { "yes" } else { "no" });
        assert!(
            !r["flags"].contains("PREVIOUSLY_PAID_REPORTED_DENIED"),
            "previously paid lines are not appealed"
        );
        assert!(r["payment_date"].as_str() <= as_of);
        match (r["status"].as_str(), r["flags"].as_str()) {
            (_, f) if f.contains("RECOUPED") && r["status"] != "DENIED" => {
                assert_eq!(d(&r["amount_at_stake"]), -d(&r["paid"]))
            }
            (_, f) if f.contains("UNDERPAID") => assert!(d(&r["amount_at_stake"]) > Decimal::ZERO),
            ("DENIED", "") | ("DENIED", "INCONSISTENT_DENIAL") => {
                assert_eq!(r["amount_at_stake"], r["billed"])
            }
            _ => {}
        }
    }
    assert!(items.rows.iter().any(|r| r["deadline_passed"] == "no"));
    assert!(items.rows.iter().any(|r| r["deadline_passed"] == "yes"));
    assert!(
        stderr.contains("ACME HEALTH PLAN:") && stderr.contains("at stake"),
        "{stderr}"
    );
}

#[test]
fn appeals_drop_lines_a_later_remittance_settled() {
    // RC24-009 was reversed (RECOUPED) and paid again by its correction in
    // the same remittance: nothing is open on it.
    let (items, _, _) = run(&["appeals", &sample_dir(), "--as-of", "2025-07-31"]);
    assert!(items.rows.iter().all(|r| r["claim_id"] != "RC24-009"));
    // RC24-007's payment was reversed and its later denial is RECOUPED: open.
    assert!(items.rows.iter().any(|r| r["claim_id"] == "RC24-007"
        && r["status"] == "DENIED"
        && r["flags"].contains("RECOUPED")));
}

#[test]
fn resolution_lists_every_claim_line_with_interest_and_totals() {
    let (ledger, _, _) = reconcile(&[&sample_dir(), "--as-of", "2025-07-31", "--prompt-pay", "nj"]);
    let (report, stderr, code) = run(&[
        "resolution",
        &sample_dir(),
        "--as-of",
        "2025-07-31",
        "--prompt-pay",
        "nj",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (total, lines) = report.rows.split_last().unwrap();
    let line_events = ledger
        .rows
        .iter()
        .filter(|r| {
            !matches!(
                r["status"].as_str(),
                "NO_REMITTANCE" | "PROVIDER_ADJUSTMENT" | "CLAIM_ADJUSTMENT"
            )
        })
        .count();
    assert_eq!(lines.len(), line_events);
    assert_eq!(total["claim_id"], "TOTAL");
    let sum = |c: &str| lines.iter().map(|r| d(&r[c])).sum::<Decimal>();
    for column in ["billed", "allowed", "paid", "denied"] {
        assert_eq!(d(&total[column]), sum(column), "{column}");
    }
    let interest = |c: &str| {
        lines
            .iter()
            .filter(|r| !r[c].is_empty())
            .map(|r| d(&r[c]))
            .sum::<Decimal>()
    };
    assert_eq!(
        d(&total["interest_computed"]),
        interest("interest_computed")
    );
    assert_eq!(d(&total["interest_applied"]), interest("interest_applied"));
    assert_eq!(
        d(&total["interest_difference"]),
        interest("interest_computed") - interest("interest_applied")
    );
    assert!(
        interest("interest_computed") > interest("interest_applied"),
        "the samples owe interest"
    );
    for r in lines.iter().filter(|r| r["status"] == "DENIED") {
        assert_eq!(r["denied"], r["billed"]);
    }
    for r in lines.iter().filter(|r| !r["days_late"].is_empty()) {
        assert!(
            !r["received_date"].is_empty()
                && !r["due_date"].is_empty()
                && !r["payment_date"].is_empty()
        );
    }
}

#[test]
fn resolution_requires_a_prompt_pay_rule() {
    let (_, stderr, code) = run(&["resolution", &sample_dir()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--prompt-pay"));
}

#[test]
fn a_user_code_list_replaces_descriptions_and_unknown_codes_are_shown() {
    let dir = temp_dir("codelist");
    let list = dir.join("carc.csv");
    std::fs::write(&list, "Code,Description,Start Date,Stop Date\n50,Payer says: not medically necessary (test list),01/01/1995,\n").unwrap();
    let (ledger, stderr, code) = reconcile(&[
        &sample_dir(),
        "--as-of",
        "2025-07-31",
        "--code-list",
        list.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let co50: Vec<_> = ledger
        .rows
        .iter()
        .filter(|r| r["adjustments"].contains("CO-50:"))
        .collect();
    assert!(!co50.is_empty());
    assert!(
        co50.iter()
            .all(|r| r["reason"].contains("not medically necessary (test list) (CARC 50")),
        "{:?}",
        co50[0]["reason"]
    );
    // Codes the list does not know are kept and named unknown.
    let dir = temp_dir("unknowncode");
    let text = std::fs::read_to_string(samples().join("remits/acme-2024-02-07.835")).unwrap();
    std::fs::write(
        dir.join("x.835"),
        text.replacen("CAS*CO*45*", "CAS*CO*Z99*", 1),
    )
    .unwrap();
    let (ledger, _, _) = reconcile(&[dir.to_str().unwrap(), "--as-of", "2025-07-31"]);
    assert!(
        ledger
            .rows
            .iter()
            .any(|r| r["adjustments"].contains("CO-Z99:")
                && r["reason"].contains("Unknown reason code Z99"))
    );
}

/// Issue 18 item 7: a PLB recovery on the worklist names the claim its
/// reference names (RC24-008, by its CLP07 24036000935), with the member
/// and procedure, not the raw reference.
#[test]
fn a_plb_recovery_on_the_worklist_names_its_claim() {
    let (items, stderr, _) = run(&[
        "appeals",
        &sample_dir(),
        "--fee-schedule",
        &fee(),
        "--as-of",
        "2024-08-31",
    ]);
    let plb = items.with("status", "PROVIDER_ADJUSTMENT");
    assert_eq!(plb.len(), 1, "{stderr}");
    assert_eq!(
        (
            plb[0]["claim_id"].as_str(),
            plb[0]["member_id"].as_str(),
            plb[0]["procedure"].as_str()
        ),
        ("RC24-008", "ACM100302", "98941")
    );
}
