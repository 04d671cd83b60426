//! `remit posting`: the samples' deliberate posting errors (and nothing
//! else), totals that tie to the deposits, column names set by flags, and
//! an unreadable export rejected with its line numbers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use crate::reconcile::Ledger;
use crate::support::{remit, samples};

fn fixture(name: &str) -> String {
    path(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/posting")
            .join(name),
    )
}

fn path(p: PathBuf) -> String {
    p.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> (Ledger, String, i32) {
    let out = remit(args);
    (
        Ledger::parse(&String::from_utf8(out.stdout).unwrap()),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn samples_posting(posted: &str, extra: &[&str]) -> (Ledger, String, i32) {
    let mut args = vec![
        "posting".to_string(),
        path(samples()),
        "--posted".into(),
        posted.to_string(),
        "--fee-schedule".into(),
        path(samples().join("fee-schedule.csv")),
        "--as-of".into(),
        "2025-07-31".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn the_samples_show_exactly_the_deliberate_posting_errors() {
    let posted = path(samples().join("posting/posted.csv"));
    let (rows, stderr, code) = samples_posting(&posted, &[]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<_> = rows.with("record", "line");
    let findings: Vec<(&str, &str, &str)> = lines
        .iter()
        .filter(|r| r["finding"] != "OK")
        .map(|r| {
            (
                r["claim_id"].as_str(),
                r["procedure"].as_str(),
                r["finding"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        vec![
            ("RC24-002", "97110", "PREVIOUSLY_PAID_REVERSED_IN_BOOKS"),
            ("RC24-016", "99214", "WRITE_OFF_ON_APPEALABLE"),
            ("RC24-032", "97140", "NOT_POSTED"),
            ("RC24-034", "98941", "POSTED_LESS"),
            ("RC24-035", "97140", "POSTED_MORE"),
            ("RC24-037", "98940", "POSTED_NOT_PAID"),
        ]
    );
    let line = |claim: &str, procedure: &str| {
        *lines
            .iter()
            .find(|r| r["claim_id"] == claim && r["procedure"] == procedure)
            .unwrap()
    };
    let less = line("RC24-034", "98941");
    assert_eq!(
        (
            &less["posted"][..],
            &less["paid"][..],
            &less["difference"][..]
        ),
        ("50.00", "55.00", "-5.00")
    );
    let more = line("RC24-035", "97140");
    assert_eq!(
        (
            &more["posted"][..],
            &more["paid"][..],
            &more["difference"][..]
        ),
        ("31.50", "28.40", "3.10")
    );
    let missing = line("RC24-032", "97140");
    assert_eq!(
        (&missing["paid"][..], &missing["payment_dates"][..]),
        ("28.40", "2024-09-11")
    );
    let unpaid = line("RC24-037", "98940");
    assert_eq!(
        (&unpaid["posted"][..], &unpaid["posting_dates"][..]),
        ("42.50", "2024-12-20")
    );
    assert_eq!(unpaid["ledger_status"], "NO_REMITTANCE");
    let reversed = line("RC24-002", "97110");
    assert_eq!(
        (&reversed["paid"][..], &reversed["posted"][..]),
        ("58.00", "0.00")
    );
    assert!(reversed["flags"].contains("PREVIOUSLY_PAID_REPORTED_DENIED"));
    let written_off = line("RC24-016", "99214");
    assert_eq!(
        (
            &written_off["written_off"][..],
            &written_off["appeal_by"][..]
        ),
        ("185.00", "2024-10-07")
    );
    // The other re-listed lines keep their payment in the books, the
    // recoveries and reversals net out, the underpaid lines keep the
    // underpayment open: all OK.
    for (claim, procedure) in [
        ("RC24-001", "98941"),
        ("RC24-008", "98941"),
        ("RC24-024", "98941"),
        ("RC24-009", "97140"),
        ("RC24-007", "99203"),
        ("RC24-013", "98940"),
        ("RC24-021", "97110"),
        ("RC24-022", "97110"),
    ] {
        assert_eq!(
            line(claim, procedure)["finding"],
            "OK",
            "{claim} {procedure}"
        );
    }
    assert!(
        stderr.contains("findings: OK 70, POSTED_LESS 1, POSTED_MORE 1, NOT_POSTED 1, POSTED_NOT_PAID 1, PREVIOUSLY_PAID_REVERSED_IN_BOOKS 1, WRITE_OFF_ON_APPEALABLE 1"),
        "{stderr}"
    );
}

/// (payer, month) → money column of the total rows.
fn totals(rows: &Ledger, column: &str) -> BTreeMap<(String, String), Decimal> {
    rows.with("record", "total")
        .into_iter()
        .filter(|r| r["month"] != "all" && !r[column].is_empty())
        .map(|r| ((r["payer"].clone(), r["month"].clone()), d(&r[column])))
        .collect()
}

#[test]
fn totals_tie_to_the_deposits_per_payer_and_month() {
    let posted = path(samples().join("posting/posted.csv"));
    let bank = path(samples().join("bank/deposits.bai2"));
    let (rows, stderr, code) = samples_posting(&posted, &["--bank", &bank]);
    assert_eq!(code, 0, "{stderr}");
    let (deposits, _, _) = run(&[
        "deposits",
        &path(samples().join("remits")),
        "--bank",
        &bank,
        "--as-of",
        "2025-07-31",
    ]);
    let mut promised: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    let mut received: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for r in &deposits.rows {
        let payer = if r["payer"].is_empty() {
            "(no remittance)"
        } else {
            &r["payer"]
        };
        let date = if r["payment_date"].is_empty() {
            &r["deposit_date"]
        } else {
            &r["payment_date"]
        };
        let key = (payer.to_string(), date[..7].to_string());
        *promised.entry(key.clone()).or_default() += d(&r["promised"]);
        *received.entry(key).or_default() += d(&r["received"]);
    }
    let remitted = totals(&rows, "remitted");
    for (key, amount) in &promised {
        assert_eq!(
            remitted.get(key).copied().unwrap_or_default(),
            *amount,
            "{key:?}"
        );
    }
    assert_eq!(totals(&rows, "received"), {
        let mut all = received.clone();
        for key in remitted.keys() {
            all.entry(key.clone()).or_default();
        }
        all
    });
    // Every difference between posted and paid is explained by a finding.
    let all = rows
        .rows
        .iter()
        .find(|r| r["record"] == "total" && r["payer"] == "all")
        .unwrap();
    assert_eq!(all["remitted"], "2769.47");
    assert_eq!(all["received"], "2941.77");
    let explained: Decimal = rows
        .with("record", "line")
        .iter()
        .map(|r| d(&r["difference"]))
        .sum();
    assert_eq!(d(&all["difference"]), explained);
    assert_eq!(explained, d("-45.80"));
    assert!(
        stderr.contains("received 2941.77 (difference from paid 172.30)"),
        "{stderr}"
    );
}

#[test]
fn column_names_come_from_flags() {
    let (rows, stderr, code) = samples_posting(
        &fixture("renamed.csv"),
        &[
            "--posted-claim-column",
            "Claim #",
            "--posted-service-date-column",
            "DOS",
            "--posted-procedure-column",
            "CPT",
            "--posted-payer-column",
            "Insurance",
            "--posted-amount-column",
            "Payment",
            "--posted-adjustment-column",
            "Write Off",
            "--posted-date-column",
            "Posted On",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let finding = |claim: &str, procedure: &str, payer: &str| {
        rows.rows
            .iter()
            .find(|r| {
                r["record"] == "line"
                    && r["claim_id"] == claim
                    && r["procedure"] == procedure
                    && r["payer"].eq_ignore_ascii_case(payer)
            })
            .map(|r| r["finding"].clone())
            .unwrap_or_default()
    };
    assert_eq!(finding("RC24-004", "99214", "ACME HEALTH PLAN"), "OK");
    assert_eq!(
        finding("RC24-034", "98941", "ACME HEALTH PLAN"),
        "POSTED_LESS"
    );
    assert_eq!(
        finding("RC24-016", "99214", "ACME HEALTH PLAN"),
        "WRITE_OFF_ON_APPEALABLE"
    );
    // Posted under the wrong payer: the Medicaid payment is not posted, and
    // the posting matches nothing ACME paid.
    assert_eq!(
        finding("RC24-005", "97012", "Acme Health Plan"),
        "POSTED_NOT_PAID"
    );
    assert_eq!(
        finding("RC24-005", "97012", "STATE MEDICAID MCO"),
        "NOT_POSTED"
    );
}

#[test]
fn an_unreadable_export_is_rejected_with_its_line_numbers() {
    let (rows, stderr, code) = samples_posting(&fixture("bad.csv"), &[]);
    assert_eq!(code, 1);
    assert!(rows.rows.is_empty());
    let bad = fixture("bad.csv");
    for expected in [
        format!("{bad}: line 3: amount_posted \"fifty\" is not an amount"),
        format!("{bad}: line 4: service_date \"2024-02-30\" is not a date"),
        format!("{bad}: rejected; nothing is compared"),
    ] {
        assert!(stderr.contains(&expected), "{expected}\n{stderr}");
    }
    assert!(!stderr.contains("RC24-"), "no claim data in errors");
}

/// With a fresh `--db` the comparison is the same as without one: the
/// stored rows stand in for this run's, and the billed lines no remittance
/// answered (computed, never stored) are still compared with the books.
#[test]
fn a_history_store_gives_the_same_comparison_as_one_run() {
    let posted = path(samples().join("posting/posted.csv"));
    let (alone, stderr, code) = samples_posting(&posted, &[]);
    assert_eq!(code, 0, "{stderr}");
    let dir = crate::support::temp_dir("posting-db");
    let db = path(dir.join("history.db"));
    let (stored, stderr, code) = samples_posting(&posted, &["--db", &db]);
    assert_eq!(code, 0, "{stderr}");
    let sorted = |ledger: &Ledger| {
        let mut rows = ledger.rows.clone();
        rows.sort();
        rows
    };
    assert!(
        !alone.with("finding", "POSTED_NOT_PAID").is_empty(),
        "the samples post lines no remittance paid"
    );
    assert_eq!(sorted(&stored), sorted(&alone));
}
