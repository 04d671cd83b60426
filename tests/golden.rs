//! Outputs recorded before a refactoring, compared byte for byte after it.
//!
//! Every command that writes a table or a page is run on the samples, on
//! the whole corpus and on a generated set, and what it writes (the output
//! file and standard error) is compared with `tests/golden/`. Small outputs
//! are kept whole, so that a difference shows as a diff; large ones (the
//! corpus and generated sets) as a SHA-256 and a line count.
//!
//! A change that means to alter an output re-records them, in a commit of
//! its own that says why:
//!
//! ```sh
//! REMIT_RECORD_GOLDEN=1 cargo test --test main golden
//! git diff tests/golden
//! ```

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::support::{corpus, remit, samples, temp_dir};

/// Where the recorded outputs live.
fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// How a recorded output is kept.
#[derive(Clone, Copy)]
enum Kept {
    /// The bytes themselves.
    Whole,
    /// `sha256 lines` of the bytes.
    Digest,
}

/// Paths in an output are the machine's: recorded relative to the
/// repository (and the case's temporary folder as `TMP`), so that the
/// recording holds on any clone.
fn portable(bytes: &[u8], tmp: &Path) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    // Other cases' folders (the generated set's) carry this process's id.
    let run = format!("remit-test-{}-", std::process::id());
    text.replace(&s(tmp), "TMP")
        .replace(&root, "")
        .replace(&run, "remit-test-PID-")
        .into_bytes()
}

/// Compares `bytes` with the recording `name`, or records it.
fn check(name: &str, bytes: &[u8], kept: Kept, failures: &mut Vec<String>) {
    let recorded = match kept {
        Kept::Whole => bytes.to_vec(),
        Kept::Digest => {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count();
            format!("{:x} {lines}\n", Sha256::digest(bytes)).into_bytes()
        }
    };
    let path = golden_dir().join(name);
    if std::env::var_os("REMIT_RECORD_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &recorded).unwrap();
        return;
    }
    match std::fs::read(&path) {
        Ok(old) if old == recorded => {}
        Ok(old) => failures.push(format!(
            "{name}: differs from the recording{}",
            first_difference(&old, &recorded)
        )),
        Err(e) => failures.push(format!("{name}: no recording ({e})")),
    }
}

/// The first line that differs, for the failure message.
fn first_difference(old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    for (n, (a, b)) in old.lines().zip(new.lines()).enumerate() {
        if a != b {
            return format!(" at line {}:\n  was: {a}\n  now: {b}", n + 1);
        }
    }
    format!(
        " ({} lines recorded, {} now)",
        old.lines().count(),
        new.lines().count()
    )
}

/// Runs one case: `args` with `{out}` standing for the output file, which
/// is then read (when `out` is given) beside standard error.
struct Case<'a> {
    name: &'a str,
    args: Vec<String>,
    out: Option<&'a str>,
    kept: Kept,
}

impl Case<'_> {
    /// The corpus cases' standard error lists every finding of 146 files
    /// (half a megabyte): kept as a digest like their output.
    fn stderr_kept(&self) -> Kept {
        if self.name.starts_with("corpus-") {
            Kept::Digest
        } else {
            Kept::Whole
        }
    }
}

fn run(case: &Case<'_>, failures: &mut Vec<String>) {
    let tmp = temp_dir(&format!("golden-{}", case.name));
    let out_file = case.out.map(|ext| tmp.join(format!("out.{ext}")));
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| match &out_file {
            Some(f) => a.replace("{out}", &s(f)),
            None => a.clone(),
        })
        .collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = remit(&refs);
    let status = format!("exit {:?}\n", output.status.code());
    let mut stderr = status.into_bytes();
    stderr.extend(portable(&output.stderr, &tmp));
    check(
        &format!("{}.stderr", case.name),
        &stderr,
        case.stderr_kept(),
        failures,
    );
    let body = match (&out_file, case.out) {
        (Some(f), Some(ext)) => Some((std::fs::read(f).unwrap_or_default(), ext)),
        _ => None,
    };
    let (bytes, ext) = body.unwrap_or((output.stdout, "stdout"));
    check(
        &format!("{}.{ext}", case.name),
        &portable(&bytes, &tmp),
        case.kept,
        failures,
    );
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_string()).collect()
}

/// The generated set: a 835 and the 837s it answers, written once per run.
fn generated() -> (String, String) {
    let dir = temp_dir("golden-generated");
    let era = dir.join("generated.835");
    let claims = dir.join("generated.837");
    for (kind, out, extra) in [("835", &era, None), ("837", &claims, Some(&era))] {
        let mut a = vec![
            "generate".to_string(),
            "--kind".into(),
            kind.into(),
            "--bytes".into(),
            "1500000".into(),
            "--seed".into(),
            "7".into(),
            "--out".into(),
            s(out),
        ];
        if let Some(e) = extra {
            a.extend(["--matching-835".into(), s(e)]);
        }
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let status = remit(&refs).status;
        assert!(status.success(), "remit generate {kind}: {status:?}");
    }
    (s(&era), s(&claims))
}

#[test]
fn every_output_is_what_was_recorded() {
    let samples = s(&samples());
    let corpus = s(&corpus());
    let fees = format!("{samples}/fee-schedule.csv");
    let bank = format!("{samples}/bank/deposits.bai2");
    let posted = format!("{samples}/posting/posted.csv");
    let as_of = ["--as-of", "2025-07-31"];
    let (era, claims) = generated();
    let mut cases: Vec<Case<'_>> = Vec::new();
    let mut add = |name, list: Vec<String>, out, kept| {
        cases.push(Case {
            name,
            args: list,
            out,
            kept,
        })
    };
    for (name, format) in [
        ("samples-reconcile", "csv"),
        ("samples-reconcile-jsonl", "jsonl"),
        ("samples-reconcile-xml", "xml"),
    ] {
        let mut a = args(&["reconcile", &samples, "--fee-schedule", &fees]);
        a.extend(args(&as_of));
        a.extend(args(&[
            "--prompt-pay",
            "nj",
            "--format",
            format,
            "--out",
            "{out}",
        ]));
        add(name, a, Some(format), Kept::Whole);
    }
    // The samples priced by the sample contract and its reference
    // schedule: the ledger (expected, variance, expected_basis) and the
    // payer scorecard.
    let contract = format!("{samples}/contracts.csv");
    let reference = format!("medicare={samples}/medicare-reference.csv");
    for (name, command) in [
        ("samples-reconcile-contracts", "reconcile"),
        ("samples-contracts", "contracts"),
    ] {
        let mut a = args(&[
            command,
            &samples,
            "--contract",
            &contract,
            "--reference",
            &reference,
            "--out",
            "{out}",
        ]);
        a.extend(args(&as_of));
        add(name, a, Some("csv"), Kept::Whole);
    }
    add(
        "samples-lines",
        args(&["lines", &samples, "--out", "{out}"]),
        Some("csv"),
        Kept::Whole,
    );
    let mut a = args(&[
        "appeals",
        &samples,
        "--fee-schedule",
        &fees,
        "--out",
        "{out}",
    ]);
    a.extend(args(&as_of));
    add("samples-appeals", a, Some("csv"), Kept::Whole);
    let mut a = args(&[
        "resolution",
        &samples,
        "--prompt-pay",
        "nj",
        "--out",
        "{out}",
    ]);
    a.extend(args(&as_of));
    add("samples-resolution", a, Some("csv"), Kept::Whole);
    let mut a = args(&["deposits", &samples, "--bank", &bank, "--out", "{out}"]);
    a.extend(args(&as_of));
    add("samples-deposits", a, Some("csv"), Kept::Whole);
    let mut a = args(&["posting", &samples, "--posted", &posted, "--out", "{out}"]);
    a.extend(args(&as_of));
    add("samples-posting", a, Some("csv"), Kept::Whole);
    let mut a = args(&[
        "report",
        &samples,
        "--fee-schedule",
        &fees,
        "--html",
        "{out}",
    ]);
    a.extend(args(&as_of));
    add("samples-report", a, Some("html"), Kept::Digest);
    add(
        "corpus-validate",
        args(&["validate", &corpus]),
        None,
        Kept::Digest,
    );
    add(
        "corpus-lines",
        args(&["lines", &corpus, "--out", "{out}"]),
        Some("csv"),
        Kept::Digest,
    );
    let mut a = args(&["reconcile", &corpus, "--out", "{out}"]);
    a.extend(args(&["--as-of", "2030-01-01"]));
    add("corpus-reconcile", a, Some("csv"), Kept::Digest);
    let mut a = args(&["reconcile", &era, &claims, "--out", "{out}"]);
    a.extend(args(&["--as-of", "2030-01-01", "--prompt-pay", "nj"]));
    add("generated-reconcile", a, Some("csv"), Kept::Digest);
    add(
        "generated-lines",
        args(&["lines", &era, "--format", "jsonl", "--out", "{out}"]),
        Some("jsonl"),
        Kept::Digest,
    );
    let mut failures = Vec::new();
    for case in &cases {
        run(case, &mut failures);
    }
    history_case(&samples, &mut failures);
    assert!(
        failures.is_empty(),
        "outputs differ from tests/golden (re-record with REMIT_RECORD_GOLDEN=1 when the change is meant):\n{}",
        failures.join("\n")
    );
}

/// The samples through a history store in two runs (remittances, then
/// claims), and `remit history` of the store.
fn history_case(samples: &str, failures: &mut Vec<String>) {
    let tmp = temp_dir("golden-history");
    let db = s(&tmp.join("h.sqlite"));
    for (step, folder) in [("remits", "remits"), ("claims", "claims")] {
        let out = s(&tmp.join(format!("{step}.csv")));
        let input = format!("{samples}/{folder}");
        let output = remit(&[
            "reconcile",
            &input,
            "--db",
            &db,
            "--as-of",
            "2025-07-31",
            "--out",
            &out,
        ]);
        let mut stderr = format!("exit {:?}\n", output.status.code()).into_bytes();
        stderr.extend(portable(&output.stderr, &tmp));
        check(
            &format!("history-{step}.stderr"),
            &stderr,
            Kept::Whole,
            failures,
        );
        let bytes = std::fs::read(&out).unwrap_or_default();
        check(
            &format!("history-{step}.csv"),
            &portable(&bytes, &tmp),
            Kept::Whole,
            failures,
        );
    }
    let output = remit(&["history", "--db", &db]);
    check(
        "history-list.csv",
        &portable(&output.stdout, &tmp),
        Kept::Whole,
        failures,
    );
}
