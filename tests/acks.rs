//! `remit validate` on acknowledgments: the sample 999s, 277CAs and 277
//! are read and checked like the 835s and 837s, and a broken one is named
//! with the file, segment, byte offset and what was expected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{remit, samples, temp_dir};

#[test]
fn validate_accepts_the_sample_acknowledgments() {
    let dir = samples().join("acks");
    let out = remit(&["validate", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    for expected in [
        "2024-11.999: valid: 999 005010X231A1 — 1 interchange(s), 1 transaction(s)",
        "2024-11.277ca: valid: 277CA 005010X214 — 1 interchange(s), 1 transaction(s), 0 claim(s), 2 claim status(es)",
        "2025-02.277ca: valid: 277CA 005010X214 — 1 interchange(s), 2 transaction(s), 0 claim(s), 4 claim status(es)",
        "2025-07.277: valid: 276/277 005010X212 — 1 interchange(s), 1 transaction(s), 0 claim(s), 1 claim status(es)",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
}

#[test]
fn validate_names_where_an_acknowledgment_breaks_its_counts() {
    let text = std::fs::read_to_string(samples().join("acks/2025-06.999")).unwrap();
    // An IK5 lost in transit: SE01 no longer counts right and the AK2 loop
    // has no verdict.
    let broken = text.replace("IK5*R*I5~\n", "");
    let dir = temp_dir("acks-validate");
    let path = dir.join("broken.999");
    std::fs::write(&path, broken).unwrap();
    let out = remit(&["validate", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Exit 3: read, with invalid findings.
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("broken.999: INVALID: 999"), "{stdout}");
    assert!(
        stdout.contains(
            "invalid: segment 9 at byte 316 (ISA13 400000512, ST02 0001) AK9: AK2 for 837 ST02 0001 has no IK5: its verdict is unknown"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "invalid: segment 10 at byte 329 (ISA13 400000512, ST02 0001) SE: SE01 says \"9\" segments from ST to SE; found 8"
        ),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------
// Issue 22 wired: the acknowledgments among the inputs of every command that
// reconciles, through the binary.

/// The ledger rows of `out` (CSV) by column name.
fn csv_rows(out: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(out);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A folder holding copies of `files` (paths under the samples, or the
/// acknowledgment fixtures).
fn inputs(name: &str, files: &[&str]) -> PathBuf {
    let dir = temp_dir(name);
    for file in files {
        let from = if file.starts_with("fixtures/") {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests")
                .join(file)
        } else {
            samples().join(file)
        };
        std::fs::copy(&from, dir.join(from.file_name().unwrap())).unwrap();
    }
    dir
}

/// The NO_REMITTANCE rows of a claim.
fn unanswered<'a>(
    rows: &'a [BTreeMap<String, String>],
    claim: &str,
) -> Vec<&'a BTreeMap<String, String>> {
    rows.iter()
        .filter(|r| r["status"] == "NO_REMITTANCE" && r["claim_id"] == claim)
        .collect()
}

fn reconcile(dir: &Path, extra: &[&str]) -> (Vec<BTreeMap<String, String>>, String) {
    let mut args = vec!["reconcile", dir.to_str().unwrap(), "--quiet"];
    args.extend(extra);
    let out = remit(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (csv_rows(&out.stdout), stderr)
}

#[test]
fn a_999_accepting_a_batch_makes_its_claims_accepted() {
    let dir = inputs(
        "acks-999-accept",
        &["claims/2025-02-837p.x12", "acks/2025-02.999"],
    );
    let (rows, stderr) = reconcile(&dir, &["--as-of", "2025-02-20"]);
    for claim in ["RC25-001", "RC25-002", "RC25-003", "RC25-004"] {
        let lines = unanswered(&rows, claim);
        assert!(!lines.is_empty(), "{claim}");
        for row in lines {
            assert_eq!(row["claim_state"], "ACCEPTED", "{claim}");
            assert_eq!(row["claim_state_date"], "2025-02-14", "{claim}");
            assert!(
                row["reason"].contains("999 of 2025-02-14"),
                "{}",
                row["reason"]
            );
        }
    }
    // The 999 is read, not reconciled: the summary counts it apart.
    assert!(stderr.contains("reconciled 1 file(s)"), "{stderr}");
    assert!(
        stderr.contains(
            "acknowledgments (TA1/999/277CA/277): 1 file(s) read, 1 acknowledgment(s) new"
        ),
        "{stderr}"
    );
}

#[test]
fn a_999_rejecting_a_batch_names_the_errors_in_words_and_lists_the_claims_to_fix() {
    let dir = inputs(
        "acks-999-reject",
        &["claims/2025-06-837p.x12", "acks/2025-06.999"],
    );
    let (rows, _) = reconcile(&dir, &["--as-of", "2025-07-31"]);
    let bad = unanswered(&rows, "RC25-008");
    assert_eq!(bad[0]["claim_state"], "REJECTED_FILE");
    assert_eq!(bad[0]["claim_state_date"], "2025-06-27");
    let reason = &bad[0]["reason"];
    // AK2/IK3/IK4 in words, and the worklist it goes on.
    for words in [
        "837 ST02 0001 rejected (IK501 R)",
        "segment NM1 #31 in loop 2010 (CLM01 RC25-008)",
        "NM109 (element 9, data element 67): value does not match the pattern",
        "(IK403 I12)",
        "fix_and_resubmit",
    ] {
        assert!(reason.contains(words), "{words}: {reason}");
    }
    let innocent = unanswered(&rows, "RC25-007");
    assert_eq!(innocent[0]["claim_state"], "REJECTED_FILE");
    assert!(
        innocent[0]["reason"].contains("resend"),
        "{}",
        innocent[0]["reason"]
    );

    // The worklist: both, soonest filing deadline first, with the reason.
    let out = remit(&[
        "resubmit",
        dir.to_str().unwrap(),
        "--as-of",
        "2025-07-31",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let list = csv_rows(&out.stdout);
    let claims: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|r| {
            (
                r["claim_id"].as_str(),
                r["worklist"].as_str(),
                r["filing_deadline"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        claims,
        [
            ("RC25-008", "fix_and_resubmit", "2025-09-21"),
            ("RC25-007", "resend", "2025-09-22")
        ]
    );
    assert_eq!(list[0]["days_left"], "52");
    assert!(
        list[0]["reason"].contains("IK403 I12"),
        "{}",
        list[0]["reason"]
    );
    // Separate from appeals: nothing there was adjudicated.
    let appeals = remit(&[
        "appeals",
        dir.to_str().unwrap(),
        "--as-of",
        "2025-07-31",
        "-q",
    ]);
    assert!(csv_rows(&appeals.stdout).is_empty());
}

#[test]
fn a_277ca_accepting_some_claims_and_rejecting_others() {
    let dir = inputs(
        "acks-277ca",
        &[
            "claims/2024-11-837p.x12",
            "acks/2024-11.999",
            "acks/2024-11.277ca",
        ],
    );
    let (rows, _) = reconcile(&dir, &["--as-of", "2024-12-01"]);
    let accepted = unanswered(&rows, "RC24-036");
    assert!(accepted.iter().all(|r| r["claim_state"] == "ACCEPTED"));
    let rejected = unanswered(&rows, "RC24-037");
    assert!(!rejected.is_empty());
    for row in rejected {
        assert_eq!(row["claim_state"], "REJECTED");
        assert_eq!(row["claim_state_date"], "2024-11-16");
        let reason = &row["reason"];
        assert!(
            reason.contains("(A3)") && reason.contains("(A7)"),
            "{reason}"
        );
        assert!(reason.contains("(status 164)"), "{reason}");
        assert_eq!(row["filing_deadline"], "2025-02-10");
        assert_eq!(row["days_left"], "71");
    }
    let out = remit(&[
        "resubmit",
        dir.to_str().unwrap(),
        "--as-of",
        "2024-12-01",
        "-q",
    ]);
    let list = csv_rows(&out.stdout);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["claim_id"], "RC24-037");
    assert_eq!(list[0]["claim_state"], "REJECTED");
}

#[test]
fn a_claim_about_to_miss_its_filing_limit_says_so() {
    let dir = inputs("acks-due-soon", &["claims/2025-06-837p.x12"]);
    // A payer-specific limit from the user's file replaces the default.
    let limits = dir.join("limits.csv");
    std::fs::write(
        &limits,
        "scope,key,days_from_service,days_from_primary_payment,note\npayer,77027,60,,MCO contract\n",
    )
    .unwrap();
    let (rows, _) = reconcile(
        &dir,
        &[
            "--as-of",
            "2025-08-15",
            "--filing-limits",
            limits.to_str().unwrap(),
        ],
    );
    let row = unanswered(&rows, "RC25-008")[0];
    assert_eq!(row["claim_state"], "SUBMITTED");
    assert_eq!(row["filing_deadline"], "2025-08-22");
    assert_eq!(row["days_left"], "7");
    assert!(
        row["reason"].contains("DUE SOON, 7 day(s) left"),
        "{}",
        row["reason"]
    );
    assert!(
        row["reason"].contains("limit configured for payer 77027"),
        "{}",
        row["reason"]
    );
    // Without the file, the built-in Medicaid default (90 days) applies.
    let (rows, _) = reconcile(&dir, &["--as-of", "2025-08-15"]);
    assert_eq!(
        unanswered(&rows, "RC25-008")[0]["filing_deadline"],
        "2025-09-21"
    );
    // A broken limits file is a usage error before anything is written.
    std::fs::write(&limits, "scope,key\npayer\n").unwrap();
    let out = remit(&[
        "reconcile",
        dir.to_str().unwrap(),
        "--filing-limits",
        limits.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--filing-limits"));
}

#[test]
fn a_secondary_claims_filing_limit_counts_from_the_primary_payers_payment() {
    // RC25-008 (Medicaid, MC: 90 days from service, 90 from the primary's
    // payment) made a secondary claim: its 837 reports the primary payer's
    // remittance date 2025-07-05 (2330B DTP*573), so the deadline is
    // 2025-07-05 + 90 days = 2025-10-03, not 2025-06-23 + 90 = 2025-09-21.
    let dir = temp_dir("acks-secondary-filing");
    let text = std::fs::read_to_string(samples().join("claims/2025-06-837p.x12")).unwrap();
    let clm = text.find("CLM*RC25-008*").expect("the sample changed");
    let sbr = text[..clm].rfind("SBR*P*").expect("a subscriber loop");
    let hi = "HI*ABK:M9901*ABF:M542*ABF:M9903*ABF:M5450~\n";
    let after_hi = clm + text[clm..].find(hi).expect("the sample changed") + hi.len();
    let other_payer = "SBR*P*18*******CI~\nNM1*IL*1*DOE*JANE****MI*P1~\n\
                       NM1*PR*2*PRIMARY PLAN*****PI*11111~\nDTP*573*D8*20250705~\n";
    let secondary = format!(
        "{}SBR*S*{}{other_payer}{}",
        &text[..sbr],
        &text[sbr + "SBR*P*".len()..after_hi],
        &text[after_hi..]
    )
    .replace("SE*42*0001", "SE*46*0001");
    std::fs::write(dir.join("secondary.x12"), secondary).unwrap();
    let (rows, _) = reconcile(&dir, &["--as-of", "2025-08-15"]);
    let row = unanswered(&rows, "RC25-008")[0];
    assert_eq!(row["filing_deadline"], "2025-10-03", "{row:?}");
    assert!(
        row["reason"].contains("90 days from the primary payer's payment 2025-07-05"),
        "{}",
        row["reason"]
    );
}

#[test]
fn a_carc_29_denial_with_proof_of_timely_submission_is_appealable() {
    let dir = inputs(
        "acks-carc29",
        &[
            "claims/2025-02-837p.x12",
            "acks/2025-02.999",
            "acks/2025-02.277ca",
            "fixtures/acks/mcd-2025-07-30-carc29.835",
        ],
    );
    let (rows, _) = reconcile(&dir, &["--as-of", "2025-07-31"]);
    let denied: Vec<_> = rows
        .iter()
        .filter(|r| r["claim_id"] == "RC25-004" && r["status"] == "DENIED")
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["flags"], "TIMELY_FILING_PROVEN");
    let reason = &denied[0]["reason"];
    assert!(
        reason.contains("CARC 29 contradicted: received per 999 of 2025-02-14 from GSCLEARHOUSE (IK5 A), on or before the filing deadline 2025-05-11"),
        "{reason}"
    );
    assert!(
        reason.contains("277CA of 2025-02-19 from STATE MEDICAID MCO"),
        "{reason}"
    );
    let appeals = remit(&[
        "appeals",
        dir.to_str().unwrap(),
        "--as-of",
        "2025-07-31",
        "-q",
    ]);
    let items = csv_rows(&appeals.stdout);
    assert!(
        items
            .iter()
            .any(|r| r["claim_id"] == "RC25-004" && r["flags"] == "TIMELY_FILING_PROVEN"),
        "{items:?}"
    );

    // Without the acknowledgments the denial is unproven either way.
    let bare = inputs(
        "acks-carc29-bare",
        &[
            "claims/2025-02-837p.x12",
            "fixtures/acks/mcd-2025-07-30-carc29.835",
        ],
    );
    let (rows, _) = reconcile(&bare, &["--as-of", "2025-07-31"]);
    let row = rows
        .iter()
        .find(|r| r["claim_id"] == "RC25-004" && r["status"] == "DENIED")
        .unwrap();
    assert_eq!(row["flags"], "");
    assert!(
        row["reason"].contains("CARC 29 unproven either way"),
        "{}",
        row["reason"]
    );
}

#[test]
fn aging_buckets_tie_to_the_unanswered_total() {
    let dir = samples();
    let (rows, _) = reconcile(&dir, &["--as-of", "2025-07-31"]);
    let unanswered: rust_decimal::Decimal = rows
        .iter()
        .filter(|r| r["status"] == "NO_REMITTANCE")
        .map(|r| r["billed"].parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert!(unanswered > rust_decimal::Decimal::ZERO);
    let out = remit(&[
        "aging",
        dir.to_str().unwrap(),
        "--as-of",
        "2025-07-31",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let table = csv_rows(&out.stdout);
    let money =
        |r: &BTreeMap<String, String>, c: &str| r[c].parse::<rust_decimal::Decimal>().unwrap();
    let buckets = [
        "days_0_30",
        "days_31_60",
        "days_61_90",
        "days_91_120",
        "days_over_120",
        "no_date",
    ];
    for basis in ["service", "submission"] {
        let of_basis: Vec<_> = table.iter().filter(|r| r["basis"] == basis).collect();
        let (payers, total): (Vec<_>, Vec<_>) =
            of_basis.iter().partition(|r| r["payer"] != "TOTAL");
        assert_eq!(total.len(), 1, "{basis}");
        assert_eq!(
            money(total[0], "total"),
            unanswered,
            "{basis}: TOTAL ties to the ledger"
        );
        let sum: rust_decimal::Decimal = payers.iter().map(|r| money(r, "total")).sum();
        assert_eq!(sum, unanswered, "{basis}: the payers' rows add up");
        for row in of_basis {
            let cells: rust_decimal::Decimal = buckets.iter().map(|b| money(row, b)).sum();
            assert_eq!(cells, money(row, "total"), "{basis} {}", row["payer"]);
        }
    }
    // The samples' unanswered claims: RC24-037 (Nov 2024) is past 120 days
    // from service; RC25-007/008 (June 2025) in 31-60.
    let total = table
        .iter()
        .find(|r| r["basis"] == "service" && r["payer"] == "TOTAL")
        .unwrap();
    assert_eq!(total["days_31_60"], "275.00");
    assert_eq!(total["days_over_120"], "130.00");
    // The report carries the same table.
    let html = temp_dir("acks-aging-report").join("report.html");
    let out = remit(&[
        "report",
        dir.to_str().unwrap(),
        "--as-of",
        "2025-07-31",
        "--html",
        html.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("A/R aging of unanswered claims"));
}

#[test]
fn status_requests_write_a_valid_276_and_the_277_answers_update_the_state() {
    let dir = inputs(
        "acks-276",
        &[
            "claims/2025-02-837p.x12",
            "acks/2025-02.999",
            "acks/2025-02.277ca",
        ],
    );
    let out_file = dir.join("out").join("requests.276");
    std::fs::create_dir_all(out_file.parent().unwrap()).unwrap();
    let envelope = samples().join("acks/status-request.csv");
    let out = remit(&[
        "status-requests",
        dir.to_str().unwrap(),
        "--envelope",
        envelope.to_str().unwrap(),
        "--as-of",
        "2025-04-01",
        "--out",
        out_file.to_str().unwrap(),
        "-q",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("asking about 4 claim(s)"), "{stderr}");
    assert!(
        stderr.contains("next batch's control_number is 700000002"),
        "{stderr}"
    );
    let batch = std::fs::read_to_string(&out_file).unwrap();
    for claim in ["RC25-001", "RC25-002", "RC25-003", "RC25-004"] {
        assert!(
            batch.contains(&format!("TRN*1*{claim}~")),
            "{claim}\n{batch}"
        );
    }
    // The payer's claim number from the 277CA is sent (REF*1K).
    assert!(batch.contains("REF*1K*77022505001034~"), "{batch}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Round trip: remit's own validator reads it back, envelope, HL
    // hierarchy and counts.
    let check = remit(&["validate", out_file.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{said}");
    assert!(said.contains("valid: 276/277 005010X212"), "{said}");
    assert!(said.contains("4 claim status(es)"), "{said}");
    // An independent validator when installed (scripts/check-276.sh sets
    // up LinuxForHealth x12; pyx12 has no 276 map).
    let venv = std::env::var("REMIT_X12CHECK_VENV").unwrap_or("/tmp/remit-x12check".into());
    if Path::new(&venv).join("bin/lfhx12").exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-276.sh");
        let checked = std::process::Command::new(script)
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(
            checked.status.success(),
            "{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }

    // The 277 answering the request updates the claim's state.
    std::fs::copy(samples().join("acks/2025-07.277"), dir.join("2025-07.277")).unwrap();
    std::fs::remove_dir_all(out_file.parent().unwrap()).unwrap();
    let (rows, _) = reconcile(&dir, &["--as-of", "2025-07-31"]);
    let row = unanswered(&rows, "RC25-004")[0];
    assert_eq!(row["claim_state"], "PENDING");
    assert_eq!(row["claim_state_date"], "2025-07-24");
    assert!(
        row["reason"].contains("awaiting benefit determination (status 45)"),
        "{}",
        row["reason"]
    );
    // Answered lately: not asked about again.
    let again = dir.join("again.276");
    let out = remit(&[
        "status-requests",
        dir.to_str().unwrap(),
        "--envelope",
        envelope.to_str().unwrap(),
        "--as-of",
        "2025-07-31",
        "--out",
        again.to_str().unwrap(),
        "-q",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !String::from_utf8_lossy(&std::fs::read(&again).unwrap_or_default()).contains("RC25-004"),
        "{stderr}"
    );
}

#[test]
fn the_store_remembers_acknowledgments_and_a_rejected_file_adds_none() {
    let dir = inputs("acks-store", &["claims/2024-11-837p.x12"]);
    let db = dir.join("history.db");
    let acks = inputs("acks-store-acks", &["acks/2024-11.277ca"]);
    // A 277CA cut short (no SE, GE, IEA) is rejected: nothing of it is kept.
    let broken = temp_dir("acks-store-broken");
    let text = std::fs::read_to_string(samples().join("acks/2024-11.277ca")).unwrap();
    let cut = &text[..text.find("SE*").unwrap()];
    std::fs::write(broken.join("cut.277ca"), cut).unwrap();
    let run = |paths: &[&Path]| {
        let mut args = vec!["reconcile"];
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        args.extend(shown.iter().map(String::as_str));
        args.extend(["--db", db.to_str().unwrap(), "--as-of", "2024-12-01", "-q"]);
        let out = remit(&args);
        (
            out.status.code(),
            csv_rows(&out.stdout),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, rows, stderr) = run(&[&dir, &broken]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cut.277ca: rejected"), "{stderr}");
    assert!(
        unanswered(&rows, "RC24-037")
            .iter()
            .all(|r| r["claim_state"] == "SUBMITTED")
    );
    // Read once, remembered: a later run without the file still knows.
    let (code, _, _) = run(&[&acks]);
    assert_eq!(code, Some(0));
    let (_, rows, _) = run(&[&dir]);
    let row = unanswered(&rows, "RC24-037")[0];
    assert_eq!(row["claim_state"], "REJECTED");
    assert_eq!(row["claim_state_date"], "2024-11-16");
}

#[test]
fn a_users_acknowledgment_code_list_puts_codes_in_its_words() {
    let dir = inputs(
        "acks-codes",
        &["claims/2024-11-837p.x12", "acks/2024-11.277ca"],
    );
    let list = temp_dir("acks-codes-list").join("ack-codes.csv");
    // No outcome: the built-in one (A7 rejects) stays.
    std::fs::write(
        &list,
        "list,code,description\nstatus,164,OUR WORDING FOR 164\ncategory,A7,OUR WORDING FOR A7\n",
    )
    .unwrap();
    let (rows, _) = reconcile(
        &dir,
        &[
            "--as-of",
            "2024-12-01",
            "--ack-codes",
            list.to_str().unwrap(),
        ],
    );
    let row = unanswered(&rows, "RC24-037")[0];
    assert_eq!(row["claim_state"], "REJECTED");
    assert!(
        row["reason"].contains("OUR WORDING FOR 164 (status 164)"),
        "{}",
        row["reason"]
    );
    assert!(
        row["reason"].contains("OUR WORDING FOR A7 (A7)"),
        "{}",
        row["reason"]
    );
}
