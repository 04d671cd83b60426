//! Issue 15's verdicts on corpus files and everyday edits of them
//! (`tests/fixtures/verdicts/verdicts/`, see the README there), through
//! every command that shows them: `lines`, `reconcile`, `appeals`,
//! `report`, `resolution`, `posting`, `split` and `history`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use crate::reconcile::Ledger;
use crate::support::{remit, temp_dir};

type Row = BTreeMap<String, String>;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts/verdicts")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn d(s: &str) -> Decimal {
    if s.is_empty() {
        Decimal::ZERO
    } else {
        s.parse().unwrap_or_else(|_| panic!("not a decimal: {s:?}"))
    }
}

/// Runs `remit` and parses its CSV output; panics with stderr on a failure
/// (exit status 3, "completed with findings", is a run that wrote its output).
fn table(args: &[&str]) -> Ledger {
    let out = remit(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "remit {args:?}: {:?}\n{stderr}",
        out.status
    );
    Ledger::parse(&String::from_utf8(out.stdout).unwrap())
}

fn find<'l>(ledger: &'l Ledger, what: &[(&str, &str)]) -> Vec<&'l Row> {
    ledger
        .rows
        .iter()
        .filter(|r| what.iter().all(|(c, v)| r[*c] == *v))
        .collect()
}

fn one<'l>(ledger: &'l Ledger, what: &[(&str, &str)]) -> &'l Row {
    let found = find(ledger, what);
    assert_eq!(found.len(), 1, "{what:?}: {found:?}");
    found[0]
}

/// Writes `remit report` for `args` and returns the page.
fn report_page(args: &[&str], name: &str) -> String {
    let html = temp_dir(name).join("report.html");
    let out = remit(&[&["report"], args, &["--html", &path(&html)]].concat());
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(html).unwrap()
}

/// The exact value of a headline figure of the page.
fn headline(page: &str, id: &str) -> Decimal {
    let marker = format!(r#"id="headline-{id}""#);
    let at = page.find(&marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &page[at..];
    let value = rest.find(r#"data-value=""#).unwrap() + 12;
    d(&rest[value..value + rest[value..].find('"').unwrap()])
}

/// The markup of the page's section `s-{id}` (a table, or "None.").
fn section<'p>(page: &'p str, id: &str) -> &'p str {
    let at = page
        .find(&format!(r#"id="s-{id}""#))
        .unwrap_or_else(|| panic!("no section s-{id}"));
    &page[at..at + page[at..].find("</section>").unwrap()]
}

/// True when the page's section `s-{id}` has no rows.
fn empty_section(page: &str, id: &str) -> bool {
    section(page, id).contains(r#"class="empty-table""#)
}

const UHC: &str = "uhc-legacy-2021-02.835";

#[test]
fn a_january_deductible_is_patient_responsibility_in_every_command() {
    let uhc = fixture(UHC);
    // The B4152 line of 2021-01-01: billed 184.86, PR-1 105.26, CO-45 79.60, paid 0.
    let deductible = [("procedure", "B4152"), ("service_date", "2021-01-01")];
    let lines = table(&["lines", &uhc]);
    assert_eq!(one(&lines, &deductible)["status"], "PATIENT_RESP");
    let args = [uhc.as_str(), "--as-of", "2021-03-01"];
    let ledger = table(&[&["reconcile"], &args[..]].concat());
    let row = one(&ledger, &deductible);
    assert_eq!(
        (
            &row["status"][..],
            &row["appeal_by"][..],
            &row["at_stake"][..]
        ),
        ("PATIENT_RESP", "", "0.00"),
        "{row:?}"
    );
    assert!(
        row["adjustments"].contains("PR-1:105.26") && row["adjustments"].contains("CO-45:79.60")
    );
    let appeals = table(&[&["appeals"], &args[..]].concat());
    assert!(appeals.rows.is_empty(), "{:?}", appeals.rows);
    let page = report_page(&args, "verdicts-uhc-report");
    assert_eq!(headline(&page, "denied"), Decimal::ZERO);
    assert_eq!(headline(&page, "at-risk"), Decimal::ZERO);
    assert!(
        empty_section(&page, "appeals"),
        "{}",
        section(&page, "appeals")
    );
    let resolution = table(&[&["resolution"], &args[..], &["--prompt-pay", "nj"]].concat());
    let line = one(&resolution, &deductible);
    assert_eq!(
        (&line["denied"][..], &line["at_stake"][..]),
        ("0.00", "0.00")
    );
    assert_eq!(one(&resolution, &[("claim_id", "TOTAL")])["denied"], "0.00");
}

#[test]
fn dental_co_pays_and_negotiated_discounts_are_not_appealed() {
    let dental = fixture("dental-multiple-claims.835");
    let args = [dental.as_str(), "--as-of", "2014-05-01"];
    let ledger = table(&[&["reconcile"], &args[..]].concat());
    // PR-3 + CO-131, paid 0: the patient owes the co-pay, the rest is a
    // negotiated discount. Five such lines.
    let co_pays: Vec<&Row> = ledger
        .rows
        .iter()
        .filter(|r| r["paid"] == "0.00" && r["adjustments"].contains("PR-3"))
        .collect();
    assert_eq!(co_pays.len(), 5);
    for row in &co_pays {
        assert_eq!(row["status"], "PATIENT_RESP", "{row:?}");
        assert_eq!((&row["appeal_by"][..], &row["at_stake"][..]), ("", "0.00"));
    }
    let d2790 = one(&ledger, &[("procedure", "D2790")]);
    assert_eq!(
        (&d2790["billed"][..], &d2790["patient_resp"][..]),
        ("940.00", "756.00")
    );
    // CO-131 on the whole charge, nothing owed by the patient.
    let d4342 = one(&ledger, &[("procedure", "D4342")]);
    assert_eq!(d4342["status"], "NO_PAYMENT_DUE");
    assert!(ledger.rows.iter().all(|r| r["status"] != "DENIED"));
    let appeals = table(&[&["appeals"], &args[..]].concat());
    assert!(appeals.rows.is_empty(), "{:?}", appeals.rows);
    let page = report_page(&args, "verdicts-dental-report");
    assert_eq!(headline(&page, "denied"), Decimal::ZERO);
    assert!(
        empty_section(&page, "appeals"),
        "{}",
        section(&page, "appeals")
    );
    let resolution = table(&[&["resolution"], &args[..], &["--prompt-pay", "nj"]].concat());
    assert_eq!(one(&resolution, &[("claim_id", "TOTAL")])["denied"], "0.00");
}

#[test]
fn a_user_code_list_changes_the_verdict_in_lines_and_reconcile() {
    let dir = temp_dir("verdicts-code-list");
    let list = dir.join("codes.csv");
    // A payer-specific list that counts CARC 131 as a denial.
    std::fs::write(
        &list,
        "list,code,description,category\ncarc,131,discount the payer may not take,denial\n",
    )
    .unwrap();
    let dental = fixture("dental-multiple-claims.835");
    let d4342 = [("procedure", "D4342")];
    let plain = table(&["lines", &dental]);
    assert_eq!(one(&plain, &d4342)["status"], "NO_PAYMENT_DUE");
    let theirs = table(&["lines", &dental, "--code-list", &path(&list)]);
    assert_eq!(one(&theirs, &d4342)["status"], "DENIED");
    let args = [
        dental.as_str(),
        "--as-of",
        "2014-05-01",
        "--code-list",
        &path(&list),
    ];
    let ledger = table(&[&["reconcile"], &args[..]].concat());
    let row = one(&ledger, &d4342);
    assert_eq!(
        (&row["status"][..], &row["at_stake"][..]),
        ("DENIED", "125.00")
    );
    // Paid lines with a CO-131 now refused part: PARTIAL_DENIAL.
    assert!(
        ledger
            .rows
            .iter()
            .any(|r| r["status"] == "PAID" && r["flags"].contains("PARTIAL_DENIAL"))
    );
    let appeals = table(&[&["appeals"], &args[..]].concat());
    assert!(find(&appeals, &d4342).len() == 1);
    // A bad list stops the command before anything is written.
    std::fs::write(
        &list,
        "list,code,description,category\ncarc,131,x,nonsense\n",
    )
    .unwrap();
    let out = remit(&["lines", &dental, "--code-list", &path(&list)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_secondary_without_amt_b6_is_never_underpaid_from_a_derived_amount() {
    let secondary = fixture("secondary-without-amt-b6.835");
    // The issue's fee schedule (55669 at 550.00) made the old rule give
    // allowed 34.00 (paid + PR) and UNDERPAID −516.00; a higher schedule
    // would still make the derived amount fall short.
    let dir = temp_dir("verdicts-secondary");
    let higher = dir.join("higher.csv");
    std::fs::write(&higher, "procedure,modifier,allowed\n55669,,600.00\n").unwrap();
    for (schedule, expected, variance) in [
        (fixture("secondary-fee-schedule.csv"), "550.00", "0.00"),
        (path(&higher), "600.00", "-50.00"),
    ] {
        let args = [
            secondary.as_str(),
            "--fee-schedule",
            &schedule,
            "--as-of",
            "2005-04-01",
        ];
        let ledger = table(&[&["reconcile"], &args[..]].concat());
        let row = one(&ledger, &[("procedure", "55669")]);
        assert_eq!(row["claim_status"], "2");
        // Allowed counts what the primary paid (OA-23 516.00).
        assert_eq!(row["allowed"], "550.00");
        assert_eq!(
            (&row["expected"][..], &row["variance"][..]),
            (expected, variance)
        );
        assert!(!row["flags"].contains("UNDERPAID"), "{row:?}");
        assert_eq!((&row["appeal_by"][..], &row["at_stake"][..]), ("", "0.00"));
        assert!(
            row["reason"].contains("left to a person") && row["reason"].contains("CLP02 2"),
            "{}",
            row["reason"]
        );
        assert!(table(&[&["appeals"], &args[..]].concat()).rows.is_empty());
        let page = report_page(&args, "verdicts-secondary-report");
        assert_eq!(headline(&page, "underpaid"), Decimal::ZERO);
    }
}

#[test]
fn a_zero_plb_prints_zero_and_split_writes_no_part_for_it() {
    let file = fixture("zero-plb.835");
    let lines = table(&["lines", &file]);
    let plb = one(&lines, &[("status", "PROVIDER_ADJUSTMENT")]);
    assert_eq!(plb["paid"], "0.00");
    let args = [file.as_str(), "--as-of", "2003-01-01"];
    let out = remit(&[&["reconcile"], &args[..]].concat());
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    assert!(!text.contains("-0.00"), "{text}");
    let page = report_page(&args, "verdicts-zero-plb-report");
    assert!(!page.contains("-0.00"));
    let dir = temp_dir("verdicts-zero-plb-split");
    let out = remit(&["split", &file, "--by", "member", "--out-dir", &path(&dir)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("-0.00") && !stderr.contains("provider-level"),
        "{stderr}"
    );
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["zero-plb-1-666666666A.835", "zero-plb-1-996669999B.835"]
    );
}

/// The UHC sample and three later UHC remittances (see the fixtures'
/// README): denials, a re-listing as patient responsibility, a duplicate
/// payment taken back, reversals with corrections paying less and more.
fn uhc_history() -> Vec<String> {
    vec![
        fixture(UHC),
        fixture("history/uhc-2021-03-04.835"),
        fixture("history/uhc-2021-05-06.835"),
        fixture("history/uhc-2021-06-10.835"),
    ]
}

#[test]
fn take_backs_that_undo_a_duplicate_or_are_paid_back_are_not_appeal_items() {
    let files = uhc_history();
    let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
    args.extend(["--as-of", "2021-06-30"]);
    let ledger = table(&[&["reconcile"], &args[..]].concat());
    // B4034 paid twice (DUPLICATE_PAYMENT), then one payment reversed.
    let dup = find(&ledger, &[("claim_id", "001-18701-358")]);
    assert_eq!(dup.len(), 3);
    assert!(dup[1]["flags"].contains("DUPLICATE_PAYMENT"));
    let undo = dup[2];
    assert_eq!(
        (
            &undo["status"][..],
            &undo["flags"][..],
            &undo["at_stake"][..],
            &undo["appeal_by"][..]
        ),
        ("REVERSAL", "RECOUPED", "0.00", "")
    );
    assert!(undo["reason"].contains("duplicate"), "{}", undo["reason"]);
    // Reversed and re-paid more (40.00 → 45.00): nothing to appeal.
    let repaid = one(
        &ledger,
        &[("claim_id", "001-18702-358"), ("status", "REVERSAL")],
    );
    assert_eq!(
        (&repaid["at_stake"][..], &repaid["appeal_by"][..]),
        ("0.00", "")
    );
    // Reversed 88.92 and re-paid 70.00: the net reduction is at stake.
    let reduced = one(
        &ledger,
        &[
            ("claim_id", "001-18573-358"),
            ("status", "REVERSAL"),
            ("service_date", "2020-12-21"),
        ],
    );
    assert_eq!(reduced["at_stake"], "18.92");
    assert!(!reduced["appeal_by"].is_empty());
    // A paid line re-listed as patient responsibility: the payment stands.
    let relisted = one(
        &ledger,
        &[
            ("claim_id", "001-18604-358"),
            ("payment_date", "2021-05-06"),
        ],
    );
    assert_eq!(
        (
            &relisted["status"][..],
            &relisted["flags"][..],
            &relisted["net_paid"][..],
            &relisted["prior_paid"][..]
        ),
        ("PATIENT_RESP", "", "204.18", "204.18")
    );
    assert!(relisted["reason"].contains("payment stands"));

    let appeals = table(&[&["appeals"], &args[..]].concat());
    let open: Vec<(&str, &str, &str)> = appeals
        .rows
        .iter()
        .map(|r| {
            (
                r["claim_id"].as_str(),
                r["status"].as_str(),
                r["amount_at_stake"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        open,
        [
            ("001-18573-358", "REVERSAL", "18.92"),
            ("001-18700-358", "DENIED", "184.86"),
        ]
    );
    let page = report_page(&args, "verdicts-history-report");
    let worklist = section(&page, "appeals");
    assert!(worklist.contains("18.92") && worklist.contains("184.86"));
    assert!(!worklist.contains("001-18701-358") && !worklist.contains("001-18702-358"));
    assert_eq!(headline(&page, "denied"), d("349.72"), "164.86 + 184.86");
}

#[test]
fn posting_flags_write_offs_of_what_an_appeal_can_win_not_of_co_pays() {
    let files = uhc_history();
    let dir = temp_dir("verdicts-posting");
    let posted = dir.join("posted.csv");
    // The practice wrote off the contractual part of the deductible line
    // (fine) and the whole CO-197 denial (an appealable amount) before its
    // appeal deadline.
    std::fs::write(
        &posted,
        "claim_id,service_date,procedure,amount_posted,adjustment_posted,posting_date\n\
         001-18573-358,2021-01-01,B4152,0.00,79.60,2021-02-08\n\
         001-18700-358,2021-02-01,B4152,0.00,184.86,2021-05-10\n",
    )
    .unwrap();
    let mut args: Vec<&str> = vec!["posting"];
    args.extend(files.iter().map(String::as_str));
    let posted = path(&posted);
    args.extend(["--posted", &posted, "--as-of", "2021-06-30"]);
    let report = table(&args);
    let finding = |claim: &str, date: &str| {
        one(
            &report,
            &[
                ("record", "line"),
                ("claim_id", claim),
                ("service_date", date),
            ],
        )
        .clone()
    };
    let co_pay = finding("001-18573-358", "2021-01-01");
    assert_eq!(co_pay["finding"], "OK", "{co_pay:?}");
    let denial = finding("001-18700-358", "2021-02-01");
    assert_eq!(denial["finding"], "WRITE_OFF_ON_APPEALABLE", "{denial:?}");
    assert_eq!(
        (&denial["amount_at_stake"][..], &denial["written_off"][..]),
        ("184.86", "184.86")
    );
}

#[test]
fn a_store_written_by_the_previous_version_is_migrated_and_reconciles_like_a_fresh_run() {
    // history/store-v1.sqlite: main's binary (3ccdff2, schema version 1)
    // ran `remit reconcile uhc-legacy-2021-02.835 history/uhc-2021-03-04.835
    // --db history/store-v1.sqlite --as-of 2021-03-31`. Under the group-code
    // rule it holds the deductible line as a denial with an appeal deadline
    // and the 2021-03 denial's reasons as "CO-197;CO-45".
    let dir = temp_dir("verdicts-old-store");
    let db = dir.join("store.sqlite");
    std::fs::copy(fixture("history/store-v1.sqlite"), &db).unwrap();
    let db = path(&db);
    let later = [
        fixture("history/uhc-2021-05-06.835"),
        fixture("history/uhc-2021-06-10.835"),
    ];
    let mut args: Vec<&str> = later.iter().map(String::as_str).collect();
    args.extend(["--as-of", "2021-06-30"]);
    let migrated = table(&[&["reconcile"], &args[..], &["--db", &db]].concat());
    let files = uhc_history();
    let mut all: Vec<&str> = files.iter().map(String::as_str).collect();
    all.extend(["--as-of", "2021-06-30"]);
    let fresh = table(&[&["reconcile"], &all[..]].concat());
    let later_rows: Vec<&Row> = fresh
        .rows
        .iter()
        .filter(|r| r["payment_date"].as_str() >= "2021-05-01")
        .collect();
    assert_eq!(migrated.rows.len(), later_rows.len());
    let columns = [
        "claim_id",
        "service_date",
        "procedure",
        "status",
        "flags",
        "paid",
        "net_paid",
        "prior_paid",
        "prior_trace",
        "at_stake",
        "appeal_by",
        "reason",
    ];
    for (m, f) in migrated.rows.iter().zip(later_rows) {
        for c in columns {
            assert_eq!(m[c], f[c], "column {c}: {m:?}");
        }
    }
    // Re-denied for CO-197 alone: the same denial reason as before, once the
    // stored "CO-197;CO-45" means denial reasons (the old store's reading
    // would make it INCONSISTENT_DENIAL).
    let redenied = one(
        &migrated,
        &[("claim_id", "001-18700-358"), ("status", "DENIED")],
    );
    assert_eq!(redenied["flags"], "");
    // The stored rows themselves are re-derived.
    let history = table(&["history", "--db", &db]);
    let deductible = one(
        &history,
        &[
            ("procedure", "B4152"),
            ("service_date", "2021-01-01"),
            ("payment_date", "2021-02-04"),
        ],
    );
    assert_eq!(
        (
            &deductible["status"][..],
            &deductible["appeal_by"][..],
            &deductible["at_stake"][..]
        ),
        ("PATIENT_RESP", "", "0.00")
    );
    let old_denial = one(
        &history,
        &[
            ("claim_id", "001-18700-358"),
            ("payment_date", "2021-03-04"),
        ],
    );
    assert_eq!(old_denial["at_stake"], "164.86", "CO-197 only, not CO-45");
    let appeals = table(&[&["appeals"], &args[..], &["--db", &db]].concat());
    assert!(find(&appeals, &[("service_date", "2021-01-01")]).is_empty());
    assert_eq!(appeals.rows.len(), 2, "{:?}", appeals.rows);
    // Opening it again changes nothing (the migration ran once).
    let again = table(&["history", "--db", &db]);
    assert_eq!(again.rows, history.rows);
}

/// Every fixture named by the README exists, so the README stays honest.
#[test]
fn the_fixtures_readme_names_every_fixture() {
    let dir = PathBuf::from(fixture(""));
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for file in crate::support::files_under(&dir) {
        let name = file
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if name != "README.md" {
            assert!(readme.contains(&name), "README.md does not describe {name}");
        }
    }
}
