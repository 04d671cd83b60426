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
        stderr
            .matches("repeats one already stored and not yet applied")
            .count(),
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

/// Issue 18 item 7: a PLB row keeps its reference in `plb_reference` and
/// names the claim the reference names (by CLP07 or CLP01) with its member
/// and, when the claim has one, its procedure; a reference to no claim
/// leaves them empty.
#[test]
fn plb_rows_keep_their_reference_and_name_the_claim_it_names() {
    let (ledger, stderr, _) = sample_ledger();
    let plb = |reference: &str| -> Vec<&BTreeMap<String, String>> {
        ledger
            .with("status", "PROVIDER_ADJUSTMENT")
            .into_iter()
            .filter(|r| r["plb_reference"] == reference)
            .collect()
    };
    // WO naming the CLP07 of RC24-008's one-line claim.
    let wo = plb("24036000935");
    assert_eq!(wo.len(), 1, "{stderr}");
    assert_eq!(
        (wo[0]["claim_id"].as_str(), wo[0]["member_id"].as_str()),
        ("RC24-008", "ACM100302")
    );
    assert_eq!(wo[0]["procedure"], "98941");
    // L6 naming the CLP07 of a two-procedure claim: no single procedure.
    let l6 = plb("24225001054");
    assert_eq!(l6[0]["claim_id"], "RC24-030");
    assert_eq!(l6[0]["procedure"], "", "two procedures: ambiguous");
    // L6 naming a CLP01.
    assert_eq!(plb("RC24-031")[0]["claim_id"], "RC24-031");
    // A refund reference that is no claim.
    let refund = plb("RFND10442");
    assert_eq!(refund[0]["claim_id"], "");
    assert_eq!(refund[0]["member_id"], "");
    // Only PLB rows have a reference.
    for r in &ledger.rows {
        assert_eq!(
            r["plb_reference"].is_empty(),
            r["status"] != "PROVIDER_ADJUSTMENT",
            "{r:?}"
        );
    }
}

/// Issue 18 item 7: the reason of a PLB row says what the amount did to the
/// payment, by the sign of `paid` — never "-0.45" for interest paid out.
#[test]
fn plb_reasons_follow_the_sign_of_paid() {
    let (ledger, _, _) = sample_ledger();
    let rows = ledger.with("status", "PROVIDER_ADJUSTMENT");
    assert!(rows.len() >= 8);
    for r in rows {
        let paid = d(&r["paid"]);
        let amount = format!("{:.2}", paid.abs());
        let expected = if paid > Decimal::ZERO {
            format!("paid out {amount}")
        } else {
            format!("took back {amount}")
        };
        assert!(r["reason"].contains(&expected), "{expected}: {r:?}");
        assert!(!r["reason"].contains(&format!("-{amount}")), "{r:?}");
    }
}

/// Issue 18 item 7: a REVERSAL row says which payment the payer reversed.
#[test]
fn reversal_rows_name_the_payment_reversed() {
    let (ledger, _, _) = sample_ledger();
    let rows = ledger.with("status", "REVERSAL");
    assert!(!rows.is_empty());
    for r in rows {
        let expected = format!(
            "Payer reversed the payment of {} (trace {})",
            r["prior_payment_date"], r["prior_trace"]
        );
        assert!(r["reason"].starts_with(&expected), "{expected}: {r:?}");
    }
}

/// Issue 18 item 7: one payer, one `payer_id` on every row — remitted rows
/// (REF*2U, not the TRN03 tax id) and unanswered rows (the 837's payer id).
#[test]
fn payer_id_is_the_same_on_every_row_of_a_payer() {
    let (ledger, _, _) = sample_ledger();
    let mut ids: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for r in &ledger.rows {
        ids.entry(&r["payer"]).or_default().insert(&r["payer_id"]);
    }
    assert_eq!(
        ids["ACME HEALTH PLAN"].iter().collect::<Vec<_>>(),
        [&"60054"]
    );
    assert_eq!(
        ids["STATE MEDICAID MCO"].iter().collect::<Vec<_>>(),
        [&"77027"]
    );
    // The deposits worklist names payers the same way.
    let bank = samples().join("bank/deposits.bai2");
    let out = remit(&[
        "deposits",
        &samples_str(),
        "--bank",
        &bank.to_string_lossy(),
        "--as-of",
        AS_OF,
    ]);
    let deposits = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
    assert!(!deposits.rows.is_empty());
    for r in deposits.rows.iter().filter(|r| !r["payer"].is_empty()) {
        let expected = ids[r["payer"].as_str()].iter().next().unwrap();
        assert_eq!(&r["payer_id"].as_str(), expected, "{r:?}");
    }
}

/// Issue 18 item 7: CLP02 in words beside the code.
#[test]
fn claim_status_has_a_words_column() {
    let (ledger, _, _) = sample_ledger();
    for r in &ledger.rows {
        let words = match r["claim_status"].as_str() {
            "" => "",
            "1" => "Processed as primary",
            "4" => "Denied",
            "22" => "Reversal of previous payment",
            other => panic!("unexpected CLP02 {other} in the samples"),
        };
        assert_eq!(r["claim_status_words"], words, "{r:?}");
    }
}

/// Issue 18 item 7: `remit lines` rows carry ISA13 and ST02, so that each
/// transaction's `paid` can be summed and tied to its BPR02.
#[test]
fn lines_rows_tie_to_their_transactions_bpr02() {
    let out = remit(&["lines", &samples_str()]);
    let ledger = Ledger::parse(&String::from_utf8(out.stdout).unwrap());
    let mut by_tx: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    for row in &ledger.rows {
        assert!(!row["interchange"].is_empty() && !row["transaction"].is_empty());
        *by_tx
            .entry((
                row["source"].clone(),
                row["interchange"].clone(),
                row["transaction"].clone(),
            ))
            .or_default() += d(&row["paid"]);
    }
    assert_eq!(by_tx.len(), 23);
    for ((source, _, st02), paid) in by_tx {
        let bytes = std::fs::read(&source).unwrap();
        assert_eq!(paid, bpr02(&bytes, &st02), "{source} ST02 {st02}");
    }
}

/// The amount printed right after `label ` (or `label (`) in `text` (the
/// first one).
fn figure(text: &str, label: &str) -> Decimal {
    let at = text
        .find(&format!("{label} "))
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    let rest = text[at + label.len() + 1..].trim_start_matches('(');
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    d(&rest[..end])
}

/// Issue 18 item 3: one figure, one label, one sum in every command. The
/// 837s' charges are "billed (837)" (Σ CLM02, read here independently);
/// what the 835s restate is "remitted charge (835)"; "paid" is Σ BPR02 in
/// reconcile, report, resolution and posting alike, and what a command
/// counts differently (paid on claim lines, denied as reported, net paid
/// on claim lines) has a label of its own whose gap to the headline is
/// printed.
#[test]
fn headline_figures_mean_the_same_in_every_command() {
    let samples_dir = samples_str();
    let fees = fee_schedule();
    let common = [
        samples_dir.as_str(),
        "--fee-schedule",
        &fees,
        "--as-of",
        AS_OF,
    ];
    let (ledger, reconcile_err, _) = reconcile(&common);
    // Σ CLM02 of the sample 837s, by reading their CLM segments.
    let mut clm02 = Decimal::ZERO;
    for file in files_under(&samples().join("claims")) {
        let bytes = std::fs::read(&file).unwrap();
        let mut reader = SliceReader::new(&bytes);
        while let Some(seg) = reader.next_segment().unwrap() {
            if seg.is(b"CLM") {
                clm02 += d(seg.text(2));
            }
        }
    }
    assert_eq!(
        figure(&reconcile_err, ", charges"),
        clm02,
        "{reconcile_err}"
    );
    let remitted = |r: &&BTreeMap<String, String>| r["status"] != "NO_REMITTANCE";
    let sum = |column: &str| -> Decimal {
        ledger
            .rows
            .iter()
            .filter(remitted)
            .filter(|r| !r[column].is_empty())
            .map(|r| d(&r[column]))
            .sum()
    };
    let paid = figure(&reconcile_err, "paid");
    assert_eq!(paid, sum("paid"));
    assert_eq!(
        figure(&reconcile_err, "remitted charge (835)"),
        sum("billed")
    );
    assert!(!reconcile_err.contains("charged"), "{reconcile_err}");
    let denied = figure(&reconcile_err, "denied");

    let dir = temp_dir("figures-report");
    let html = dir.join("report.html");
    let html_text = html.to_string_lossy().into_owned();
    let out = remit(&[&["report"], &common[..], &["--html", &html_text]].concat());
    let report_err = String::from_utf8_lossy(&out.stderr).into_owned();
    let summary = report_err
        .lines()
        .find(|l| l.starts_with("report: wrote"))
        .unwrap();
    assert_eq!(figure(summary, "paid"), paid, "{summary}");
    assert_eq!(figure(summary, "denied"), denied, "{summary}");
    assert_eq!(
        figure(summary, "remitted charge (835)"),
        sum("billed"),
        "{summary}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(r#"<dt id="label-remitted-charge">Remitted charge (835)</dt>"#));
    assert!(
        !page.contains(r#"id="label-billed""#),
        "no card says billed for 835 charges"
    );

    let out = remit(
        &[
            &["resolution"],
            &common[..],
            &["--prompt-pay", "nj", "--out", "-"],
        ]
        .concat(),
    );
    let resolution_err = String::from_utf8_lossy(&out.stderr).into_owned();
    let on_lines = figure(&resolution_err, "paid on claim lines");
    let elsewhere = figure(&resolution_err, "provider-level (PLB) amounts");
    assert_eq!(on_lines + elsewhere, paid, "{resolution_err}");
    assert_eq!(figure(&resolution_err, "paid of all rows"), paid);
    assert_eq!(
        figure(&resolution_err, "stands, denied"),
        denied,
        "{resolution_err}"
    );
    assert!(figure(&resolution_err, "denied as reported") >= denied);

    let posted = samples().join("posting/posted.csv");
    let out = remit(&[
        "posting",
        &samples_dir,
        "--posted",
        &posted.to_string_lossy(),
        "--as-of",
        AS_OF,
        "--out",
        "-",
    ]);
    let posting_err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(figure(&posting_err, "  paid"), paid, "{posting_err}");
    let net = figure(&posting_err, "net paid on claim lines");
    let unallocated = figure(&posting_err, "not allocated to a line");
    assert_eq!(net + unallocated, paid, "{posting_err}");
}
