//! The cluster stages: `remit events | remit decide` gives `remit
//! reconcile`'s ledger row for row whatever order the records arrive in,
//! and history records shape decisions without yielding rows.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::support::{self, remit, samples, temp_dir};

const RULES: &[&str] = &["--as-of", "2025-07-31", "--prompt-pay", "nj"];

fn decide(input: &[u8], extra: &[&str]) -> String {
    let out = piped(&[&["decide"], RULES, extra].concat(), input);
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Runs remit with `input` on standard input.
fn piped(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_remit"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// `remit reconcile` of the samples with the test rules, as JSON Lines.
fn reconciled(paths: &[&str]) -> BTreeSet<String> {
    let out = remit(&[&["reconcile"], paths, &["--format", "jsonl"], RULES].concat());
    rows(&String::from_utf8(out.stdout).unwrap())
}

fn rows(jsonl: &str) -> BTreeSet<String> {
    jsonl
        .lines()
        .map(|l| {
            serde_json::to_string(&serde_json::from_str::<serde_json::Value>(l).unwrap()).unwrap()
        })
        .collect()
}

fn events(paths: &[&str], extra: &[&str]) -> Vec<u8> {
    let out = remit(&[&["events"], paths, extra].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn events_then_decide_equals_reconcile_in_any_record_order() {
    let dir = samples().to_string_lossy().into_owned();
    let fee = samples()
        .join("fee-schedule.csv")
        .to_string_lossy()
        .into_owned();
    let reference = remit(
        &[
            &[
                "reconcile",
                &dir,
                "--format",
                "jsonl",
                "--fee-schedule",
                &fee,
            ],
            RULES,
        ]
        .concat(),
    );
    let stream = events(&[&dir], &[]);
    let mut lines: Vec<&[u8]> = stream
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    lines.reverse();
    let third = lines.len() / 3;
    lines.rotate_left(third);
    let shuffled = lines.join(&b'\n');
    let decided = decide(&shuffled, &["--fee-schedule", &fee]);
    let expected = rows(&String::from_utf8(reference.stdout).unwrap());
    assert_eq!(expected.len(), 116);
    assert_eq!(rows(&decided), expected);
}

#[test]
fn history_records_shape_decisions_but_yield_no_rows() {
    let dir = temp_dir("stagehistory");
    let (early, late) = (dir.join("early"), dir.join("late"));
    std::fs::create_dir_all(&early).unwrap();
    std::fs::create_dir_all(&late).unwrap();
    for sub in ["claims", "remits"] {
        for entry in std::fs::read_dir(samples().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let target = if sub == "claims" || name.contains("2024-") {
                &early
            } else {
                &late
            };
            std::fs::copy(&path, target.join(&name)).unwrap();
        }
    }
    let mut stream = events(&[early.to_str().unwrap()], &["--history"]);
    stream.extend(events(&[late.to_str().unwrap()], &[]));
    let decided = decide(&stream, &[]);
    let values: Vec<serde_json::Value> = decided
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let remitted: Vec<_> = values
        .iter()
        .filter(|v| v["status"] != "NO_REMITTANCE")
        .collect();
    assert!(
        remitted
            .iter()
            .all(|v| v["payment_date"].as_str().unwrap() >= "2025-01-01")
    );
    let relisted = remitted
        .iter()
        .filter(|v| {
            v["flags"]
                .as_str()
                .unwrap_or("")
                .contains("PREVIOUSLY_PAID_REPORTED_DENIED")
        })
        .count();
    assert_eq!(relisted, 8, "payments from the history records are found");
}

#[test]
fn a_rejected_input_becomes_a_record_and_can_keep_going() {
    let dir = temp_dir("stagereject");
    std::fs::write(dir.join("bad.835"), "not x12").unwrap();
    let bad = dir.join("bad.835").to_string_lossy().into_owned();
    let out = remit(&["events", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let out = remit(&["events", &bad, "--keep-going"]);
    assert_eq!(out.status.code(), Some(0));
    let record: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(record["kind"], "rejected");
    assert!(
        record["message"]
            .as_str()
            .unwrap()
            .contains("no ISA segment")
    );
}

#[test]
fn a_transaction_read_twice_is_applied_once() {
    let dir = samples().to_string_lossy().into_owned();
    let mut stream = events(&[&dir], &[]);
    stream.extend(events(&[&dir], &[]));
    let decided = rows(&decide(&stream, &[]));
    assert_eq!(decided, reconciled(&[&dir]));
    assert_eq!(decided, reconciled(&[&dir, &dir]));
}

#[test]
fn a_transaction_already_in_history_yields_no_rows_again() {
    let dir = samples().to_string_lossy().into_owned();
    let mut stream = events(&[&dir], &[]);
    stream.extend(events(&[&dir], &["--history"]));
    let decided = rows(&decide(&stream, &[]));
    let unanswered: BTreeSet<String> = reconciled(&[&dir])
        .into_iter()
        .filter(|r| r.contains("\"status\":\"NO_REMITTANCE\""))
        .collect();
    assert_eq!(unanswered.len(), 5);
    assert_eq!(decided, unanswered, "only the still unanswered claims");
}

#[test]
fn history_records_differ_only_in_their_history_flag() {
    // The Spark job moves a day's records into history by rewriting this
    // flag in the JSON text, without parsing the records.
    let dir = samples().to_string_lossy().into_owned();
    let today = String::from_utf8(events(&[&dir], &[])).unwrap();
    let history = String::from_utf8(events(&[&dir], &["--history"])).unwrap();
    assert!(
        today
            .lines()
            .all(|l| l.matches("\"history\":").count() == 1)
    );
    assert_eq!(
        today.replace("\"history\":false", "\"history\":true"),
        history
    );
}

#[test]
fn paths_and_contents_on_stdin_give_the_records_of_a_folder() {
    let dir = temp_dir("stagestdin");
    let claims = samples().join("claims");
    for name in ["2024-01-837p.x12", "2024-02-837p.x12"] {
        std::fs::copy(claims.join(name), dir.join(name)).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "not x12").unwrap();
    let folder = events(&[dir.to_str().unwrap()], &[]);
    let files = support::files_under(&dir);
    let listing: String = files.iter().map(|p| format!("{}\n", p.display())).collect();
    let out = piped(&["events", "--paths-from-stdin"], listing.as_bytes());
    assert!(out.status.success());
    assert_eq!(out.stdout, folder);
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt: not X12"));
    let contents: String = files
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            format!("{}\t{}\n", p.display(), STANDARD.encode(bytes))
        })
        .collect();
    let out = piped(&["events", "--contents-from-stdin"], contents.as_bytes());
    assert!(out.status.success());
    assert_eq!(out.stdout, folder);
}

#[test]
fn content_that_is_not_base64_is_a_rejected_record() {
    let out = piped(&["events", "--contents-from-stdin"], b"bad.835\t***\n");
    assert_eq!(out.status.code(), Some(1));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["kind"], "rejected");
    assert_eq!(record["source"], "bad.835");
    assert!(record["message"].as_str().unwrap().contains("base64"));
}

/// Issue 15's fixtures (statuses from the code list, take-backs paid back
/// by corrections in the same remittance, a secondary without AMT*B6)
/// decided by the stages with a user's code list: the rows of `remit
/// reconcile` with the same list. `remit events` knows no code list; the
/// statuses its records carry are re-derived by `decide` with its own.
#[test]
fn events_then_decide_equals_reconcile_with_a_code_list() {
    let dir = temp_dir("stagecodes");
    let list = dir.join("codes.csv");
    std::fs::write(
        &list,
        "list,code,description,category\ncarc,131,discount the payer may not take,denial\n",
    )
    .unwrap();
    let list = list.to_string_lossy().into_owned();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts/verdicts")
        .to_string_lossy()
        .into_owned();
    let fee = format!("{fixtures}/secondary-fee-schedule.csv");
    let options = ["--code-list", list.as_str(), "--fee-schedule", fee.as_str()];
    let stream = events(&[&fixtures], &[]);
    let decided = rows(&decide(&stream, &options));
    let out = remit(
        &[
            &["reconcile", fixtures.as_str(), "--format", "jsonl"],
            RULES,
            &options[..],
        ]
        .concat(),
    );
    let expected = rows(&String::from_utf8(out.stdout).unwrap());
    assert!(expected.len() > 50, "{} rows", expected.len());
    assert_eq!(decided, expected);
    for status in ["\"DENIED\"", "\"PATIENT_RESP\"", "\"REVERSAL\""] {
        assert!(expected.iter().any(|r| r.contains(status)), "no {status}");
    }
    assert!(expected.iter().any(|r| r.contains("PARTIAL_DENIAL")));
    // The list reached the decision: CO-131 on the whole charge is a
    // denial by this list (the built-in one says NO_PAYMENT_DUE).
    assert!(
        decided
            .iter()
            .any(|r| r.contains(r#""procedure":"D4342""#) && r.contains(r#""status":"DENIED""#))
    );
}

#[test]
fn a_corrected_remittance_decides_as_in_reconcile() {
    // One payment, one trace: the original (corpus profee.edi) and its
    // corrected version, as new records and with the original in history.
    let original = support::corpus()
        .join("tastypackets_x12-parser/test/test-files/835/profee.edi")
        .to_string_lossy()
        .into_owned();
    let corrected = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts/trace/profee-corrected.835")
        .to_string_lossy()
        .into_owned();
    let stream = events(&[&original, &corrected], &[]);
    assert_eq!(
        rows(&decide(&stream, &[])),
        reconciled(&[&original, &corrected])
    );
    let mut stream = events(&[&original], &["--history"]);
    stream.extend(events(&[&corrected], &[]));
    let decided: Vec<serde_json::Value> = decide(&stream, &[])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let corrected_rows = decided
        .iter()
        .filter(|v| v["superseded_by"].is_null())
        .count();
    let superseded: Vec<_> = decided
        .iter()
        .filter(|v| !v["superseded_by"].is_null())
        .collect();
    assert_eq!(corrected_rows, 10, "the corrected version's rows");
    assert_eq!(superseded.len(), 1, "the history's changed line, shown");
    assert_eq!(superseded[0]["procedure"], "V2700");
    assert!(decided.iter().all(|v| {
        !v["flags"]
            .as_str()
            .unwrap_or("")
            .contains("DUPLICATE_PAYMENT")
    }));
}
