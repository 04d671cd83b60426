//! The binary end to end: validate and lines over the corpus and over
//! hand-made inputs, exit codes, and errors naming file and position.

use crate::support::{corpus, remit, temp_dir};

const EMEDNY: &str = "keironstoddart_edi-835-parser/tests/test_edi_835_files/emedny_sample.txt";

fn corpus_file(rel: &str) -> String {
    corpus().join(rel).to_string_lossy().into_owned()
}

#[test]
fn validate_reports_a_valid_file_and_exits_zero() {
    let out = remit(&["validate", &corpus_file(EMEDNY)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(": valid: 835 005010X221A1"), "{stdout}");
    assert!(
        stdout.contains("3 claim(s), 10 service line(s); billed 102.50, paid 45.75"),
        "{stdout}"
    );
}

#[test]
fn validate_exits_three_and_names_position_of_an_imbalance() {
    let file = corpus_file(
        "irobayna_stupidedi/spec/fixtures/005010/X221 HP835 Health Care Claim Payment Advice/case/3a.edi",
    );
    let out = remit(&["validate", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Readable but broken: "completed with findings", not "rejected".
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout.contains("INVALID"));
    assert!(
        stdout.contains(
            "segment 43 at byte 1622 (ISA13 000000905, ST02 0001) SE: transaction does not balance"
        ),
        "{stdout}"
    );
}

#[test]
fn lines_splits_an_aggregated_remittance_into_rows() {
    let out = remit(&["lines", &corpus_file(EMEDNY)]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().unwrap().clone();
    // The ledger's first 21 columns, then paid_procedure, flags, reason,
    // and the words, reference and transaction columns.
    assert_eq!(headers.len(), 29);
    assert_eq!(&headers[0], "source");
    assert_eq!(&headers[20], "status");
    assert_eq!(
        (&headers[21], &headers[22], &headers[23]),
        ("paid_procedure", "flags", "reason")
    );
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 10);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let paid: rust_decimal::Decimal = records
        .iter()
        .map(|r| r[col("paid")].parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(paid.to_string(), "45.75");
    // The second claim's lines were denied for timely filing (CO-29).
    let denied: Vec<&csv::StringRecord> = records
        .iter()
        .filter(|r| &r[col("status")] == "DENIED")
        .collect();
    assert_eq!(denied.len(), 4);
    assert!(
        denied
            .iter()
            .any(|r| &r[col("adjustments")] == "CO-29:12.00" && &r[col("member_id")] == "LL88888L")
    );
    assert!(
        records
            .iter()
            .all(|r| &r[col("payer")] == "NYSDOH" && &r[col("payee_npi")] == "9999999995")
    );
    assert_eq!(
        &records[0][col("member_name")],
        "SUBMITTED LAST, SUBMITTED FIRST"
    );
    assert_eq!(&records[0][col("modifiers")], "RB");
    assert_eq!(&records[0][col("service_date")], "2010-01-01");
}

#[test]
fn bad_file_in_a_batch_is_named_and_the_others_are_read() {
    let dir = temp_dir("batch");
    let truncated = dir.join("truncated.835");
    let text = std::fs::read_to_string(corpus_file(EMEDNY)).unwrap();
    let cut = text.find("CLP*PATIENT ACCOUNT NUMBER*2").unwrap();
    std::fs::write(&truncated, &text[..cut]).unwrap();
    let notx12 = dir.join("notes.txt");
    std::fs::write(&notx12, "hello").unwrap();
    let out = remit(&[
        "lines",
        &corpus_file(EMEDNY),
        truncated.to_str().unwrap(),
        notx12.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stdout.lines().count(),
        11,
        "the good file's 10 rows and a header: {stdout}"
    );
    assert!(stderr.contains("truncated.835: error: segment"), "{stderr}");
    assert!(
        stderr.contains("input ends inside transaction ST02 1740 (no SE)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("notes.txt: error: byte 0: no ISA segment found"),
        "{stderr}"
    );
    assert!(stderr.contains("truncated.835: rejected"));
}

#[test]
fn folders_skip_non_x12_files_with_a_note() {
    let dir = temp_dir("folder");
    std::fs::copy(corpus_file(EMEDNY), dir.join("a.txt")).unwrap();
    std::fs::write(dir.join("README"), "not edi").unwrap();
    let out = remit(&["validate", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("README: not X12 (no ISA segment); skipped"),
        "{stderr}"
    );
}

/// `remit … | head`: when the reader of standard output goes away, remit
/// stops quietly with status 0 in every output format, as Unix tools do.
#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};

    let dir = temp_dir("closed-pipe");
    let era = dir.join("big.835");
    let era = era.to_str().unwrap();
    let out = remit(&[
        "generate", "--kind", "835", "--bytes", "400000", "--seed", "7", "--out", era,
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for command in ["lines", "reconcile"] {
        for format in ["csv", "jsonl", "xml"] {
            let mut child = Command::new(env!("CARGO_BIN_EXE_remit"))
                .args([command, era, "--format", format])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut first = [0u8; 256];
            child.stdout.take().unwrap().read_exact(&mut first).unwrap();
            // Dropping the pipe's read end: remit's next writes fail with EPIPE.
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{command} {format}: {stderr}");
            assert!(
                !stderr.contains("Broken pipe"),
                "{command} {format}: {stderr}"
            );
        }
    }
}

/// `remit validate` on `text` written to a file: exit status and stdout.
fn validate_text(dir: &std::path::Path, name: &str, text: &str) -> (Option<i32>, String) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = remit(&["validate", &path.to_string_lossy()]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `segment N at byte B ` of the segment that starts with `start` in
/// `text`, counted here independently of remit.
fn position_of(text: &str, start: &str) -> String {
    let mut byte = 0;
    for (n, segment) in text.split('~').enumerate() {
        let body = segment.trim_start();
        if body.starts_with(start) {
            let at = byte + segment.len() - body.len();
            return format!("segment {} at byte {at} ", n + 1);
        }
        byte += segment.len() + 1;
    }
    panic!("no segment starts with {start}")
}

/// Each balancing rule broken on its own in a valid file: `validate`
/// (which screens a file before parsing it) still finds it, at the right
/// segment and byte, with the right exit status — a fast path that skipped
/// a rule would print the file as valid.
#[test]
fn validate_finds_each_balancing_rule_broken_alone() {
    let dir = temp_dir("validate-rules");
    let era = std::fs::read_to_string(corpus().join(EMEDNY)).unwrap();
    let (status, stdout) = validate_text(&dir, "valid.835", &era);
    assert_eq!(status, Some(0), "{stdout}");
    // (edit from, edit to, segment the finding sits at, message, status)
    let cases = [
        (
            "SVC*HC:V2020*12*0**0",
            "SVC*HC:V2020*12*1**0",
            "SVC*HC:V2020*12*1",
            "SVC: service line does not balance: SVC02 12 - CAS 12 = 0, but SVC03 is 1",
            3,
        ),
        (
            "CLP*PATIENT ACCOUNT NUMBER*2*34*0**",
            "CLP*PATIENT ACCOUNT NUMBER*2*35*0**",
            "CLP*PATIENT ACCOUNT NUMBER*2*35",
            "CLP: claim does not balance: CLP03 35 - CAS 34 = 1, but CLP04 is 0",
            3,
        ),
        (
            "CLP*PATIENT ACCOUNT NUMBER*1*34.25*34.25**",
            "CLP*PATIENT ACCOUNT NUMBER*1*35.25*35.25**",
            "CLP*PATIENT ACCOUNT NUMBER*1*35.25",
            "CLP: claim payment does not match its service lines",
            3,
        ),
        (
            "CLP*PATIENT ACCOUNT NUMBER*1*34.25*34.25**",
            "CLP*PATIENT ACCOUNT NUMBER*1*35.25*35.25**",
            "CLP*PATIENT ACCOUNT NUMBER*1*35.25",
            "CLP: claim charge does not match its service lines",
            3,
        ),
        (
            "BPR*I*45.75*",
            "BPR*I*45.76*",
            "SE*",
            "SE: transaction does not balance",
            3,
        ),
        (
            "CLP*PATIENT ACCOUNT NUMBER*1*34.25*34.25**",
            "CLP*PATIENT ACCOUNT NUMBER*1*34.25*34.25*5*",
            "CLP*PATIENT ACCOUNT NUMBER*1*34.25",
            "CLP: CLP05 patient responsibility 5 differs from the sum of PR adjustments 0",
            0,
        ),
    ];
    for (from, to, at, message, code) in cases {
        assert_eq!(era.matches(from).count(), 1, "{from}");
        let edited = era.replacen(from, to, 1);
        let (status, stdout) = validate_text(&dir, "edited.835", &edited);
        let line = stdout
            .lines()
            .find(|l| l.contains(message))
            .unwrap_or_else(|| panic!("{to}: no finding {message:?} in {stdout}"));
        assert!(line.contains(&position_of(&edited, at)), "{to}: {line}");
        assert_eq!(status, Some(code), "{to}: {stdout}");
    }
    // 837: CLM02 = Σ line charges.
    let claims = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/claims/2024-01-837p.x12"),
    )
    .unwrap();
    let (status, stdout) = validate_text(&dir, "valid.837", &claims);
    assert_eq!(status, Some(0), "{stdout}");
    let edited = claims.replacen("SV1*HC:98941*85.00*", "SV1*HC:98941*85.01*", 1);
    let (status, stdout) = validate_text(&dir, "edited.837", &edited);
    let message =
        "CLM: claim RC24-001 charge CLM02 140.00 differs from the sum of its line charges 140.01";
    let line = stdout.lines().find(|l| l.contains(message));
    let line = line.unwrap_or_else(|| panic!("no CLM02 finding in {stdout}"));
    assert!(
        line.contains(&position_of(&edited, "CLM*RC24-001*")),
        "{line}"
    );
    assert_eq!(status, Some(3), "{stdout}");
}
