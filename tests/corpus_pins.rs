//! Real-data regression pins (issue 15 item 10): for every 835 and 837 in
//! `tests/corpus/`, remit's reading must equal what an independent parser
//! read — per file the counts and sums (transactions, claims, lines,
//! billed, paid, BPR02, claim and line adjustments, PLB; for 837s claims,
//! lines, billed and line charges) and per service line its procedure,
//! date of service and paid (835) or procedure, date and charge (837).
//!
//! The pins are the CSV files in `tests/corpus/pins/`, written once by
//! `tests/corpus/pins/generate.py` with pyx12 (PyPI), not by remit. This
//! test needs no Python. To regenerate them (after a corpus change, or to
//! change what is pinned), from the repository root:
//!
//! ```sh
//! python3 -m venv /tmp/pyx12-venv
//! /tmp/pyx12-venv/bin/pip install pyx12==4.0.0
//! /tmp/pyx12-venv/bin/python tests/corpus/pins/generate.py
//! cargo test --test main corpus_pins
//! ```
//!
//! and explain every changed number. The script's comment says how each
//! value is defined and how pyx12 reads each kind of file.
//!
//! A pin's `remit_today` column, when set, says why remit (when the pins
//! were made) does not give the pinned value: the test then requires that
//! remit still differs on that file, so a fix surfaces here as a failure
//! asking for the mark to be removed. Files pyx12 cannot read at all
//! (`unread.csv`) must be rejected by remit too: a file remit reads must be
//! pinned (after a human check, if pyx12 cannot read it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use remit::{
    BilledClaim, ClaimPayment, Consumer, Procedure, RemittanceHeader, RemittanceTrailer, Severity,
    TransactionId, scan_slice,
};
use rust_decimal::Decimal;

use crate::support::{corpus, files_under};

/// One CSV row: column name to value.
type Row = BTreeMap<String, String>;

/// Columns compared as amounts (by value: `6` equals `6.00`).
const MONEY: &[&str] = &[
    "billed",
    "claim_paid",
    "payment",
    "claim_adjustments",
    "line_charges",
    "line_paid",
    "line_adjustments",
    "plb_total",
    "charge",
    "paid",
    "adjustments",
];

/// The per-file columns that are remit's reading (the rest describe the pin).
const FILE_835: &[&str] = &[
    "transactions",
    "claims",
    "lines",
    "billed",
    "claim_paid",
    "payment",
    "claim_adjustments",
    "line_charges",
    "line_paid",
    "line_adjustments",
    "plb_count",
    "plb_total",
];
const FILE_837: &[&str] = &["transactions", "claims", "lines", "billed", "line_charges"];
const LINE_835: &[&str] = &[
    "claim",
    "claim_id",
    "line",
    "procedure",
    "submitted_procedure",
    "date",
    "date_level",
    "charge",
    "paid",
    "adjustments",
];
/// `date_level` is not compared for 837s: remit keeps the claim's date in
/// the line when the line has none, so the two cannot be told apart.
const LINE_837: &[&str] = &[
    "claim",
    "claim_id",
    "line",
    "number",
    "revenue_code",
    "procedure",
    "date",
    "charge",
];

/// Reads one pins file (`#` lines are comments).
fn pins(name: &str) -> Vec<Row> {
    let path = corpus().join("pins").join(name);
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// What remit read from one file: claims of the transactions it completed.
#[derive(Default)]
struct Reading {
    fatal: Option<String>,
    transactions: u64,
    payment: Decimal,
    claim_payments: Vec<ClaimPayment>,
    billed_claims: Vec<BilledClaim>,
    plb: Vec<Decimal>,
    pending_payments: Vec<ClaimPayment>,
    pending_billed: Vec<BilledClaim>,
    pending_bpr: Decimal,
}

impl Consumer for Reading {
    fn remittance_header(&mut self, header: &RemittanceHeader) {
        self.pending_bpr = header.payment.amount;
    }
    fn claim_payment(&mut self, claim: &ClaimPayment) {
        self.pending_payments.push(claim.clone());
    }
    fn remittance_end(&mut self, trailer: &RemittanceTrailer) {
        self.transactions += 1;
        self.payment += self.pending_bpr;
        self.claim_payments.append(&mut self.pending_payments);
        self.plb
            .extend(trailer.provider_adjustments.iter().map(|p| p.amount));
    }
    fn billed_claim(&mut self, claim: BilledClaim) {
        self.pending_billed.push(claim);
    }
    fn claim_batch_end(&mut self, _content_hash: u64) {
        self.transactions += 1;
        self.billed_claims.append(&mut self.pending_billed);
    }
    fn aborted(&mut self, _id: &TransactionId) {
        self.pending_payments.clear();
        self.pending_billed.clear();
    }
    fn issue(&mut self, issue: &remit::Issue) {
        if issue.severity == Severity::Fatal && self.fatal.is_none() {
            self.fatal = Some(issue.message.clone());
        }
    }
}

fn read(bytes: &[u8]) -> Reading {
    let mut reading = Reading::default();
    scan_slice(bytes, &mut reading);
    reading
}

/// `qualifier:code[:modifier...]`, as the pins write a procedure.
fn procedure(p: &Procedure) -> String {
    if p.qualifier.is_empty() && p.code.is_empty() {
        return String::new();
    }
    let mut parts = vec![p.qualifier.as_str(), p.code.as_str()];
    parts.extend(p.modifiers.iter().map(|m| m.as_str()));
    parts.join(":")
}

fn row(pairs: &[(&str, String)]) -> Row {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn sum<T>(items: &[T], f: impl Fn(&T) -> Decimal) -> String {
    items.iter().map(f).sum::<Decimal>().to_string()
}

/// remit's reading of an 835 in the pins' terms: file totals and lines.
fn remittance_rows(r: &Reading) -> (Row, Vec<Row>) {
    let claims = &r.claim_payments;
    let lines: Vec<_> = claims.iter().flat_map(|c| &c.lines).collect();
    let totals = row(&[
        ("transactions", r.transactions.to_string()),
        ("claims", claims.len().to_string()),
        ("lines", lines.len().to_string()),
        ("billed", sum(claims, |c| c.charge)),
        ("claim_paid", sum(claims, |c| c.paid)),
        ("payment", r.payment.to_string()),
        ("claim_adjustments", sum(claims, |c| c.adjustment_total())),
        ("line_charges", sum(&lines, |l| l.charge)),
        ("line_paid", sum(&lines, |l| l.paid)),
        ("line_adjustments", sum(&lines, |l| l.adjustment_total())),
        ("plb_count", r.plb.len().to_string()),
        ("plb_total", sum(&r.plb, |a| *a)),
    ]);
    let mut rows = Vec::new();
    for (n, claim) in claims.iter().enumerate() {
        for (m, line) in claim.lines.iter().enumerate() {
            // The line's own date (DTM*472, else DTM*150); when it has
            // none, the claim's statement date (DTM*232) applies.
            let (date, level) = match (line.date(), claim.date("232")) {
                (Some(d), _) => (d.to_string(), "line"),
                (None, Some(d)) => (d.to_string(), "claim"),
                (None, None) => (String::new(), ""),
            };
            rows.push(row(&[
                ("claim", (n + 1).to_string()),
                ("claim_id", claim.claim_id.to_string()),
                ("line", (m + 1).to_string()),
                ("procedure", procedure(&line.procedure)),
                (
                    "submitted_procedure",
                    line.original_procedure
                        .as_ref()
                        .map(procedure)
                        .unwrap_or_default(),
                ),
                ("date", date),
                ("date_level", level.to_string()),
                ("charge", line.charge.to_string()),
                ("paid", line.paid.to_string()),
                ("adjustments", line.adjustment_total().to_string()),
            ]));
        }
    }
    (totals, rows)
}

/// remit's reading of an 837 in the pins' terms.
fn billed_rows(r: &Reading) -> (Row, Vec<Row>) {
    let claims = &r.billed_claims;
    let lines: Vec<_> = claims.iter().flat_map(|c| &c.lines).collect();
    let totals = row(&[
        ("transactions", r.transactions.to_string()),
        ("claims", claims.len().to_string()),
        ("lines", lines.len().to_string()),
        ("billed", sum(claims, |c| c.charge)),
        ("line_charges", sum(&lines, |l| l.charge)),
    ]);
    let mut rows = Vec::new();
    for (n, claim) in claims.iter().enumerate() {
        for (m, line) in claim.lines.iter().enumerate() {
            rows.push(row(&[
                ("claim", (n + 1).to_string()),
                ("claim_id", claim.claim_id.to_string()),
                ("line", (m + 1).to_string()),
                ("number", line.number.to_string()),
                ("revenue_code", line.revenue_code.to_string()),
                ("procedure", procedure(&line.procedure)),
                (
                    "date",
                    line.service_date.map(|d| d.to_string()).unwrap_or_default(),
                ),
                ("charge", line.charge.to_string()),
            ]));
        }
    }
    (totals, rows)
}

/// True when a pinned and a read value are the same.
fn same(column: &str, pinned: &str, read: &str) -> bool {
    if MONEY.contains(&column) {
        let value = |s: &str| {
            if s.is_empty() {
                Decimal::ZERO
            } else {
                Decimal::from_str(s).unwrap_or_else(|_| panic!("{column}: {s:?} is not an amount"))
            }
        };
        value(pinned) == value(read)
    } else {
        pinned == read
    }
}

fn compare_columns(what: &str, columns: &[&str], pinned: &Row, read: &Row, out: &mut Vec<String>) {
    for column in columns {
        let p = pinned.get(*column).map(String::as_str).unwrap_or_default();
        let r = read.get(*column).map(String::as_str).unwrap_or_default();
        if !same(column, p, r) {
            out.push(format!("{what} {column}: pinned {p:?}, remit reads {r:?}"));
        }
    }
}

/// Every difference between remit's reading of `bytes` and the pins of one
/// file (`kind` "835" or "837"); empty when they agree.
fn differences(kind: &str, bytes: &[u8], file: &Row, lines: &[&Row]) -> Vec<String> {
    let reading = read(bytes);
    if let Some(message) = reading.fatal {
        return vec![format!("remit rejects the file: {message}")];
    }
    let (file_columns, line_columns, (totals, rows)) = match kind {
        "835" => (FILE_835, LINE_835, remittance_rows(&reading)),
        _ => (FILE_837, LINE_837, billed_rows(&reading)),
    };
    let mut out = Vec::new();
    compare_columns("file", file_columns, file, &totals, &mut out);
    if rows.len() != lines.len() {
        out.push(format!(
            "{} service lines pinned, remit reads {}",
            lines.len(),
            rows.len()
        ));
    }
    for (pinned, read) in lines.iter().zip(&rows) {
        let what = format!("claim {} line {}", pinned["claim"], pinned["line"]);
        compare_columns(&what, line_columns, pinned, read, &mut out);
    }
    out
}

/// What is wrong, if anything, with remit's reading of a file given its
/// `remit_today` mark (see generate.py's REMIT_TODAY) and the differences.
fn judge(mark: &str, diffs: &[String]) -> Option<String> {
    let rejected = diffs.len() == 1 && diffs[0].starts_with("remit rejects the file");
    let list = || diffs.join("\n  ");
    let (expect, _why) = mark.split_once(": ").unwrap_or((mark, ""));
    match expect {
        "" if diffs.is_empty() => None,
        "" => Some(format!("differs from the pins:\n  {}", list())),
        "rejected (intended)" if rejected => None,
        "rejected (intended)" => Some(format!(
            "remit no longer rejects it ({mark}):\n  {}",
            list()
        )),
        _ if diffs.is_empty() => Some(format!(
            "remit now reads it as pinned: remove its REMIT_TODAY entry in \
             generate.py and regenerate the pins (was: {mark})"
        )),
        "rejected (defect)" if rejected => None,
        "procedure differs (defect)" if diffs.iter().all(|d| d.contains(" procedure: pinned ")) => {
            None
        }
        _ => Some(format!(
            "remit's reading changed but still differs from the pins (mark: {mark}):\n  {}",
            list()
        )),
    }
}

/// The pins of one kind: file rows, and each file's line rows.
struct Kind {
    name: &'static str,
    files: Vec<Row>,
    lines: BTreeMap<String, Vec<Row>>,
}

fn kind(name: &'static str) -> Kind {
    let mut lines: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for row in pins(&format!("{name}-lines.csv")) {
        lines.entry(row["file"].clone()).or_default().push(row);
    }
    Kind {
        name,
        files: pins(&format!("{name}-files.csv")),
        lines,
    }
}

fn corpus_file(rel: &str) -> Vec<u8> {
    std::fs::read(corpus().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_corpus_835_and_837_reads_as_pinned() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for kind in [kind("835"), kind("837")] {
        for file in &kind.files {
            let rel = &file["file"];
            let lines: Vec<&Row> = kind.lines.get(rel).into_iter().flatten().collect();
            let diffs = differences(kind.name, &corpus_file(rel), file, &lines);
            compared += 1;
            if let Some(problem) = judge(&file["remit_today"], &diffs) {
                failures.push(format!("{rel}: {problem}"));
            }
        }
    }
    assert!(compared > 100, "only {compared} pinned files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A corpus file that is neither pinned nor listed as unreadable by pyx12
/// would escape the regression test.
#[test]
fn every_corpus_sample_is_pinned_or_explained() {
    let root = corpus();
    let mut listed = BTreeSet::new();
    for name in ["835-files.csv", "837-files.csv", "unread.csv"] {
        for row in pins(name) {
            assert!(listed.insert(row["file"].clone()), "{} twice", row["file"]);
        }
    }
    let mut missing = Vec::new();
    for path in files_under(&root) {
        let rel = rel_path(&root, &path);
        let not_a_sample = rel.starts_with("pins/")
            || rel.contains("LICENSE")
            || [".md", ".csv", ".json", "-expected.txt"]
                .iter()
                .any(|e| rel.ends_with(e));
        if !not_a_sample && !listed.remove(&rel) {
            missing.push(rel);
        }
    }
    assert!(missing.is_empty(), "not in the pins: {missing:?}");
    assert!(
        listed.is_empty(),
        "pinned but not in the corpus: {listed:?}"
    );
}

/// pyx12 cannot read these (no interchange, prose): remit must not read
/// them either, or they would be read without an independent check.
#[test]
fn files_pyx12_cannot_read_are_rejected_by_remit() {
    for row in pins("unread.csv") {
        let reading = read(&corpus_file(&row["file"]));
        assert!(
            reading.fatal.is_some(),
            "{}: remit reads it but pyx12 cannot ({}); pin it from remit's reading after a human check",
            row["file"],
            row["reason"]
        );
    }
}

/// The comparison notices a change of one line's procedure, date or paid
/// amount, and of a file total (the file is edited in memory).
#[test]
fn a_changed_procedure_date_or_amount_fails_the_pins() {
    const EMEDNY: &str = "keironstoddart_edi-835-parser/tests/test_edi_835_files/emedny_sample.txt";
    let pins = kind("835");
    let file = pins.files.iter().find(|f| f["file"] == EMEDNY).unwrap();
    let lines: Vec<&Row> = pins.lines[EMEDNY].iter().collect();
    let original = String::from_utf8(corpus_file(EMEDNY)).unwrap();
    assert_eq!(
        differences("835", original.as_bytes(), file, &lines),
        Vec::<String>::new()
    );
    let edited = |from: &str, to: &str| {
        assert!(original.contains(from), "{from}");
        differences(
            "835",
            original.replacen(from, to, 1).as_bytes(),
            file,
            &lines,
        )
        .join("\n")
    };
    let procedure = edited("SVC*HC:V2700:RB*", "SVC*HC:V2701:RB*");
    assert!(
        procedure.contains(
            "claim 1 line 2 procedure: pinned \"HC:V2700:RB\", remit reads \"HC:V2701:RB\""
        ),
        "{procedure}"
    );
    let date = edited("DTM*472*20100101", "DTM*472*20100102");
    assert!(
        date.contains("claim 1 line 1 date: pinned \"2010-01-01\""),
        "{date}"
    );
    let paid = edited("SVC*HC:V2700:RB*2.75*2.75", "SVC*HC:V2700:RB*2.75*2.70");
    assert!(paid.contains("claim 1 line 2 paid"), "{paid}");
    assert!(paid.contains("file line_paid"), "{paid}");
    let billed = edited(
        "CLP*PATIENT ACCOUNT NUMBER*1*34.25",
        "CLP*PATIENT ACCOUNT NUMBER*1*34.26",
    );
    assert!(billed.contains("file billed: pinned"), "{billed}");
}

#[test]
fn marks_hold_remit_to_what_they_say() {
    let rejected = vec!["remit rejects the file: SV101 has no procedure code".to_string()];
    let procedure = vec!["claim 1 line 1 procedure: pinned \"HC:1\", remit reads \"\"".to_string()];
    let charge = vec!["claim 1 line 1 charge: pinned \"1\", remit reads \"2\"".to_string()];
    assert_eq!(judge("", &[]), None);
    assert!(judge("", &charge).is_some());
    assert_eq!(judge("rejected (intended): why", &rejected), None);
    assert!(judge("rejected (intended): why", &[]).is_some());
    assert!(judge("rejected (intended): why", &charge).is_some());
    assert_eq!(judge("rejected (defect): why", &rejected), None);
    let fixed = judge("rejected (defect): why", &[]).unwrap();
    assert!(fixed.contains("remove its REMIT_TODAY entry"), "{fixed}");
    assert!(judge("rejected (defect): why", &charge).is_some());
    assert_eq!(judge("procedure differs (defect): why", &procedure), None);
    assert!(judge("procedure differs (defect): why", &charge).is_some());
    assert!(judge("procedure differs (defect): why", &rejected).is_some());
    assert!(judge("procedure differs (defect): why", &[]).is_some());
}

fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}
