//! `remit reconcile` over the samples: the whole ledger against the
//! independently generated expectation, the money invariants, independence
//! from file order, delimiters and line breaks, and batches with bad or
//! repeated files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use remit::SliceReader;
use rust_decimal::Decimal;

use crate::support::{files_under, remit, samples, temp_dir};

const AS_OF: &str = "2025-07-31";

/// A ledger read back: header and rows as column → value maps.
pub struct Ledger {
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Ledger {
    pub fn parse(text: &str) -> Ledger {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| {
                headers
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(String::from))
                    .collect()
            })
            .collect();
        Ledger { rows }
    }

    pub fn with(&self, column: &str, value: &str) -> Vec<&BTreeMap<String, String>> {
        self.rows.iter().filter(|r| r[column] == value).collect()
    }

    /// Rows without file names: `source` dropped, paths cut from
    /// `matched_claim_line`.
    pub fn without_files(&self) -> Vec<BTreeMap<String, String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.remove("source");
                let m = r["matched_claim_line"].clone();
                let cut = m.find('#').map_or(m.as_str(), |at| &m[at..]).to_string();
                r.insert("matched_claim_line".into(), cut);
                r
            })
            .collect()
    }
}

pub fn reconcile(args: &[&str]) -> (Ledger, String, i32) {
    let out = remit(&[&["reconcile"], args].concat());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        Ledger::parse(&stdout),
        stderr,
        out.status.code().unwrap_or(-1),
    )
}

fn samples_str() -> String {
    samples().to_string_lossy().into_owned()
}

fn fee_schedule() -> String {
    samples()
        .join("fee-schedule.csv")
        .to_string_lossy()
        .into_owned()
}

fn sample_ledger() -> (Ledger, String, i32) {
    reconcile(&[
        &samples_str(),
        "--fee-schedule",
        &fee_schedule(),
        "--as-of",
        AS_OF,
        "--prompt-pay",
        "nj",
    ])
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("not a decimal: {s:?}"))
}

#[test]
fn samples_ledger_equals_the_reference_model() {
    let (got, stderr, code) = sample_ledger();
    assert_eq!(code, 0, "{stderr}");
    let expected =
        Ledger::parse(&std::fs::read_to_string(samples().join("expected/ledger.csv")).unwrap());
    assert_eq!(got.rows.len(), expected.rows.len());
    let columns: Vec<&String> = expected.rows[0]
        .keys()
        .filter(|c| *c != "source" && *c != "flags")
        .collect();
    // Remittance rows in payment order; unanswered lines in any order.
    let canonical = |rows: Vec<BTreeMap<String, String>>| {
        let (mut unanswered, mut rest): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| r["status"] == "NO_REMITTANCE");
        unanswered.sort_by(|a, b| a["matched_claim_line"].cmp(&b["matched_claim_line"]));
        rest.extend(unanswered);
        rest
    };
    for (i, (g, e)) in canonical(got.without_files())
        .iter()
        .zip(canonical(expected.without_files()))
        .enumerate()
    {
        for c in &columns {
            assert_eq!(g[*c], e[*c], "row {} column {c}: {g:?}", i + 2);
        }
        assert_eq!(g["flags"], e["flags"], "row {} flags", i + 2);
    }
}

#[test]
fn paid_of_each_transaction_sums_to_its_bpr02() {
    let (ledger, _, _) = sample_ledger();
    let mut by_trace: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for row in ledger
        .rows
        .iter()
        .filter(|r| r["status"] != "NO_REMITTANCE")
    {
        *by_trace
            .entry((row["source"].clone(), row["transaction"].clone()))
            .or_default() += d(&row["paid"]);
    }
    assert_eq!(by_trace.len(), 23);
    for ((source, st02), paid) in by_trace {
        let bytes = std::fs::read(&source).unwrap();
        assert_eq!(paid, bpr02(&bytes, &st02), "{source} ST02 {st02}");
    }
}

/// BPR02 of the transaction with control number `st02`.
fn bpr02(bytes: &[u8], st02: &str) -> Decimal {
    let mut reader = SliceReader::new(bytes);
    while let Some(seg) = reader.next_segment().unwrap() {
        if seg.is(b"BPR") && seg.pos().transaction.as_str() == st02 {
            return d(seg.text(2));
        }
    }
    panic!("no BPR for ST02 {st02}");
}

#[test]
fn exam_case_previously_paid_lines_reported_denied() {
    let (ledger, _, _) = sample_ledger();
    let relisted: Vec<_> = ledger
        .rows
        .iter()
        .filter(|r| r["flags"].contains("PREVIOUSLY_PAID_REPORTED_DENIED"))
        .collect();
    assert!(relisted.len() >= 4, "{}", relisted.len());
    for r in relisted {
        assert_eq!(r["status"], "DENIED");
        assert_eq!(r["paid"], "0.00");
        assert_eq!(r["net_paid"], r["prior_paid"], "the payment stands: {r:?}");
        assert!(d(&r["prior_paid"]) > Decimal::ZERO);
        assert!(r["prior_payment_date"] < r["payment_date"]);
        assert!(!r["prior_trace"].is_empty() && r["prior_trace"] != r["trace"]);
    }
}

#[test]
fn every_flag_and_status_appears_in_the_samples() {
    let (ledger, _, _) = sample_ledger();
    for status in [
        "PAID",
        "DENIED",
        "PATIENT_RESP",
        "REVERSAL",
        "CLAIM_ADJUSTMENT",
        "PROVIDER_ADJUSTMENT",
        "NO_REMITTANCE",
    ] {
        assert!(!ledger.with("status", status).is_empty(), "no {status}");
    }
    for flag in [
        "PREVIOUSLY_PAID_REPORTED_DENIED",
        "RECOUPED",
        "UNDERPAID",
        "DUPLICATE_PAYMENT",
        "NO_MATCHING_CLAIM",
        "INCONSISTENT_DENIAL",
    ] {
        assert!(
            ledger.rows.iter().any(|r| r["flags"].contains(flag)),
            "no {flag}"
        );
    }
}

#[test]
fn appeal_deadlines_are_90_days_administrative_180_medical_necessity() {
    let (ledger, _, _) = sample_ledger();
    let date = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    for r in ledger.with("status", "DENIED") {
        let days = (date(&r["appeal_by"]) - date(&r["payment_date"])).get_days();
        let medical = [
            "CO-50:", "CO-55:", "CO-56:", "CO-150:", "CO-151:", "CO-152:", "CO-167:",
        ]
        .iter()
        .any(|c| r["adjustments"].contains(c));
        assert_eq!(days, if medical { 180 } else { 90 }, "{r:?}");
    }
}

#[test]
fn no_remittance_rows_carry_their_age() {
    let (ledger, _, _) = sample_ledger();
    let rows = ledger.with("status", "NO_REMITTANCE");
    assert_eq!(rows.len(), 5);
    for r in rows {
        let age = (AS_OF.parse::<jiff::civil::Date>().unwrap()
            - r["service_date"].parse::<jiff::civil::Date>().unwrap())
        .get_days();
        assert_eq!(r["age_days"], age.to_string());
        assert!(r["matched_claim_line"].contains('#'));
    }
}

/// Rewrites an X12 file with other delimiters and line breaks.
fn redelimit(
    bytes: &[u8],
    [element, component, repetition, terminator]: [u8; 4],
    line_break: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut reader = SliceReader::new(bytes);
    while let Some(seg) = reader.next_segment().unwrap() {
        let old = seg.delimiters();
        for &b in seg.raw() {
            out.push(match b {
                _ if b == old.element => element,
                _ if b == old.component => component,
                _ if Some(b) == old.repetition => repetition,
                _ => b,
            });
        }
        out.push(terminator);
        out.extend_from_slice(line_break);
    }
    out
}

fn copy_samples(dir: &Path, delims: [u8; 4], line_break: &[u8]) -> Vec<PathBuf> {
    let mut copies = Vec::new();
    for file in files_under(&samples()) {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !["835", "x12", "999", "277ca", "277"].contains(&ext) {
            continue;
        }
        let target = dir.join(file.file_name().unwrap());
        std::fs::write(
            &target,
            redelimit(&std::fs::read(&file).unwrap(), delims, line_break),
        )
        .unwrap();
        copies.push(target);
    }
    copies
}

#[test]
fn same_ledger_whatever_file_order_delimiters_or_line_breaks() {
    let (reference, _, _) = sample_ledger();
    let fee = fee_schedule();
    let dir = temp_dir("redelimited");
    let mut copies = copy_samples(&dir, [b'|', b'>', b'}', b'\n'], b"");
    copies.reverse();
    let args: Vec<String> = copies
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
    argv.extend([
        "--fee-schedule",
        &fee,
        "--as-of",
        AS_OF,
        "--prompt-pay",
        "nj",
    ]);
    let (got, stderr, code) = reconcile(&argv);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(got.without_files(), reference.without_files());

    let dir = temp_dir("crlf");
    let copies = copy_samples(&dir, [b'*', b':', b'^', b'~'], b"\r\n");
    let (got, _, _) = reconcile(&[
        dir.to_str().unwrap(),
        "--fee-schedule",
        &fee,
        "--as-of",
        AS_OF,
        "--prompt-pay",
        "nj",
    ]);
    // 835s and 837s, and the 999s, 277CAs and 277 that answer the 837s.
    assert_eq!(copies.len(), 40);
    assert_eq!(got.without_files(), reference.without_files());
}

#[test]
fn a_remittance_given_twice_is_applied_once_with_a_warning() {
    let dir = temp_dir("twice");
    let original = samples().join("remits/acme-2024-02-07.835");
    let copy = dir.join("copy-of-acme.835");
    std::fs::copy(&original, &copy).unwrap();
    let (once, _, _) = reconcile(&[original.to_str().unwrap(), "--as-of", AS_OF]);
    let (twice, stderr, code) = reconcile(&[
        original.to_str().unwrap(),
        copy.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 0);
    assert_eq!(once.rows.len(), twice.rows.len());
    assert_eq!(
        stderr.matches("was already applied; skipped").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("copy-of-acme.835") || stderr.contains("acme-2024-02-07.835"));
}

#[test]
fn as_of_ignores_later_remittances() {
    let (ledger, _, _) = reconcile(&[&samples_str(), "--as-of", "2024-06-30"]);
    assert!(
        ledger
            .rows
            .iter()
            .all(|r| r["payment_date"].is_empty() || r["payment_date"].as_str() <= "2024-06-30")
    );
    assert!(
        ledger
            .rows
            .iter()
            .any(|r| r["payment_date"] == "2024-05-29")
    );
}

#[test]
fn a_bad_file_is_rejected_and_the_rest_reconciled() {
    let dir = temp_dir("badbatch");
    let text = std::fs::read_to_string(samples().join("remits/acme-2024-02-07.835")).unwrap();
    let cut = text.len() / 2;
    std::fs::write(dir.join("cut.835"), &text[..cut]).unwrap();
    std::fs::write(
        dir.join("letter.835"),
        "Dear provider, please find enclosed...",
    )
    .unwrap();
    let good = samples().join("remits/mcd-2024-02-14.835");
    let (ledger, stderr, code) = reconcile(&[
        good.to_str().unwrap(),
        dir.join("cut.835").to_str().unwrap(),
        dir.join("letter.835").to_str().unwrap(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!ledger.rows.is_empty());
    assert!(
        ledger
            .rows
            .iter()
            .all(|r| r["source"].ends_with("mcd-2024-02-14.835"))
    );
    assert!(
        stderr.contains("cut.835: error:") && stderr.contains("truncated"),
        "{stderr}"
    );
    assert!(
        stderr.contains("letter.835: error: byte 0: no ISA segment found"),
        "{stderr}"
    );
    assert!(
        stderr.contains("files rejected:") && stderr.contains("cut.835"),
        "{stderr}"
    );
}

#[test]
fn jsonl_and_xml_carry_the_same_rows() {
    let (csv_ledger, _, _) = sample_ledger();
    let json = remit(&[
        "reconcile",
        &samples_str(),
        "--as-of",
        AS_OF,
        "--fee-schedule",
        &fee_schedule(),
        "--format",
        "jsonl",
    ]);
    let lines: Vec<serde_json::Value> = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), csv_ledger.rows.len());
    for (j, c) in lines.iter().zip(&csv_ledger.rows) {
        assert_eq!(j["paid"].as_str().unwrap_or(""), c["paid"]);
        assert_eq!(j["status"].as_str().unwrap(), c["status"]);
    }
    let xml = remit(&[
        "reconcile",
        &samples_str(),
        "--as-of",
        AS_OF,
        "--format",
        "xml",
    ]);
    let text = String::from_utf8(xml.stdout).unwrap();
    assert_eq!(text.matches("<entry>").count(), csv_ledger.rows.len());
    assert!(text.contains("<matched_claim_line>"));
}

#[test]
fn prompt_pay_interest_per_claim_equals_the_reference_model() {
    let (ledger, _, _) = sample_ledger();
    let expected =
        Ledger::parse(&std::fs::read_to_string(samples().join("expected/interest.csv")).unwrap());
    type ClaimInterest = (Decimal, Decimal, String, String, String);
    let mut by_claim: BTreeMap<(String, String), ClaimInterest> = BTreeMap::new();
    for r in ledger
        .rows
        .iter()
        .filter(|r| !r["interest_owed"].is_empty())
    {
        let entry = by_claim
            .entry((r["claim_id"].clone(), r["trace"].clone()))
            .or_insert((
                Decimal::ZERO,
                Decimal::ZERO,
                r["due_date"].clone(),
                r["days_late"].clone(),
                r["receipt_source"].clone(),
            ));
        entry.0 += d(&r["interest_owed"]);
        entry.1 += d(&r["interest_paid"]);
    }
    assert_eq!(by_claim.len(), expected.rows.len());
    for e in &expected.rows {
        let got = &by_claim[&(e["claim_id"].clone(), e["trace"].clone())];
        assert_eq!(got.0, d(&e["interest_owed"]), "{e:?}");
        assert_eq!(got.1, d(&e["interest_paid"]), "{e:?}");
        assert_eq!(
            (&got.2, &got.3, &got.4),
            (&e["due_date"], &e["days_late"], &e["receipt_source"])
        );
        let flagged = ledger.rows.iter().any(|r| {
            r["claim_id"] == e["claim_id"]
                && r["trace"] == e["trace"]
                && r["flags"].contains("INTEREST_DUE")
        });
        assert_eq!(flagged, e["flag"] == "INTEREST_DUE", "{e:?}");
    }
}

#[test]
fn a_bad_prompt_pay_rule_is_a_usage_error() {
    let out = remit(&["reconcile", &samples_str(), "--prompt-pay", "medicare"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rate"));
}
