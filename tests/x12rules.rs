//! X12 rules on fixtures derived from the corpus (see
//! `tests/fixtures/verdicts/x12rules/README.md`): claim totals checked
//! against their lines, composites written with the wrong component
//! separator, findings that keep PHI out, and an ISA with an unusual
//! element separator.

use std::path::{Path, PathBuf};

use remit::{LEDGER_COLUMNS, LINES_COLUMNS as LINES, column_names};

use crate::support::remit;

fn fixture(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts/x12rules")
        .join(name);
    path.to_string_lossy().into_owned()
}

/// The rows of a CSV output, by column name.
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(out: &[u8]) -> Table {
        let mut reader = csv::Reader::from_reader(out);
        let headers = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        Table { headers, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.headers))
    }

    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }

    /// The rows whose `column` is `value`.
    fn with<'a>(&'a self, column: &str, value: &str) -> Vec<&'a Vec<String>> {
        let c = self.col(column);
        self.rows.iter().filter(|r| r[c] == value).collect()
    }
}

const EXAMPLE_2: &str = "example_2-wrapped.835";
const PAYMENT_FINDING: &str = "invalid: segment 18 at byte 494 (ISA13 000000001, ST02 1234) CLP: claim payment does not match its service lines: CLP04 1922.86 is not the lines' sum of SVC03 2664.86 - claim-level CAS 0 = 2664.86 (unexplained -742.00) (claim 200200964A52)";
const CHARGE_FINDING: &str = "invalid: segment 18 at byte 494 (ISA13 000000001, ST02 1234) CLP: claim charge does not match its service lines: CLP03 2100 is not the lines' sum of SVC02 2842 (unexplained -742) (claim 200200964A52)";

#[test]
fn validate_finds_claim_totals_that_contradict_their_lines() {
    let out = remit(&["validate", &fixture(EXAMPLE_2)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains(": INVALID: 835"), "{stdout}");
    assert!(stdout.contains(PAYMENT_FINDING), "{stdout}");
    assert!(stdout.contains(CHARGE_FINDING), "{stdout}");
}

#[test]
fn lines_names_the_unexplained_difference_on_the_claim_row() {
    let out = remit(&["lines", &fixture(EXAMPLE_2)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Reported, not hidden, and not a rejection: the money is readable.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(PAYMENT_FINDING), "{stderr}");
    assert!(!stderr.contains("rejected"), "{stderr}");
    let table = Table::parse(&out.stdout);
    assert_eq!(table.rows.len(), 4);
    let claim_rows = table.with("status", "CLAIM_ADJUSTMENT");
    assert_eq!(claim_rows.len(), 1);
    let row = claim_rows[0];
    assert_eq!(table.get(row, "paid"), "-742.00");
    assert_eq!(table.get(row, "flags"), "UNEXPLAINED_DIFFERENCE");
    let reason = table.get(row, "reason");
    assert!(reason.starts_with("Unexplained difference"), "{reason}");
    assert!(
        reason.contains(
            "CLP04 1922.86 is not the lines' sum of SVC03 2664.86 - claim-level CAS 0 = 2664.86 (unexplained -742.00)"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("CLP03 2100 is not the lines' sum of SVC02 2842 (unexplained -742)"),
        "{reason}"
    );
    // No other row is flagged, and the rows still sum to BPR02.
    assert_eq!(table.with("flags", "").len(), 3);
    let paid: rust_decimal::Decimal = table
        .rows
        .iter()
        .map(|r| {
            table
                .get(r, "paid")
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(paid.to_string(), "1922.86");
}

#[test]
fn reconcile_flags_the_unexplained_difference_and_keeps_the_file() {
    let out = remit(&[
        "reconcile",
        &fixture(EXAMPLE_2),
        "--as-of",
        "2011-03-01",
        "--out",
        "-",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(CHARGE_FINDING), "{stderr}");
    assert!(
        stderr.contains("flags: UNEXPLAINED_DIFFERENCE 1"),
        "{stderr}"
    );
    assert!(stderr.contains("files rejected: none"), "{stderr}");
    let table = Table::parse(&out.stdout);
    let flagged = table.with("flags", "UNEXPLAINED_DIFFERENCE");
    assert_eq!(flagged.len(), 1);
    assert_eq!(table.get(flagged[0], "status"), "CLAIM_ADJUSTMENT");
    assert!(
        table
            .get(flagged[0], "reason")
            .contains("(unexplained -742.00)")
    );
}

#[test]
fn lines_shows_the_procedure_as_adjudicated_beside_the_billed_one() {
    // example_2's first two lines were billed as 59410 (SVC06) and
    // adjudicated as 59430 and 59440 (SVC01); the third has no SVC06.
    let out = remit(&["lines", &fixture(EXAMPLE_2)]);
    let table = Table::parse(&out.stdout);
    let pairs: Vec<(&str, &str)> = table
        .with("status", "PAID")
        .into_iter()
        .map(|r| (table.get(r, "procedure"), table.get(r, "paid_procedure")))
        .collect();
    assert_eq!(
        pairs,
        [("59410", "59430"), ("59410", "59440"), ("59426", "")]
    );
    // lines writes the ledger's columns through `status` and three more;
    // reconcile's columns are the ledger's, unshifted.
    assert_eq!(table.headers, LINES);
    let columns = column_names(LEDGER_COLUMNS);
    assert_eq!(LINES[..21], columns[..21]);
    assert_eq!(
        LINES[21..],
        [
            "paid_procedure",
            "flags",
            "reason",
            "claim_status_words",
            "plb_reference",
            "payer_id",
            "interchange",
            "transaction"
        ]
    );
    let out = remit(&["reconcile", &fixture(EXAMPLE_2), "--out", "-"]);
    assert_eq!(Table::parse(&out.stdout).headers, columns);
}

/// `validate` on a fixture: exit status and standard output.
fn validate(name: &str) -> (Option<i32>, String) {
    let out = remit(&["validate", &fixture(name)]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The procedures of the NO_REMITTANCE rows `reconcile` gives an 837.
fn billed_procedures(name: &str) -> Vec<String> {
    let out = remit(&[
        "reconcile",
        &fixture(name),
        "--as-of",
        "2025-01-01",
        "--out",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let table = Table::parse(&out.stdout);
    table
        .rows
        .iter()
        .map(|r| table.get(r, "procedure").to_string())
        .collect()
}

#[test]
fn an_institutional_composite_with_the_wrong_separator_is_read_with_a_warning() {
    // SV2*0471*HC>92557 under ISA16 ':' used to be read as an empty
    // procedure, and the file called valid without a word.
    let (status, stdout) = validate("sv2-wrong-separator.837i");
    assert_eq!(status, Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "warning: segment 43 at byte 1232 (ISA13 000000907, ST02 1002) SV2: SV202 is written with the component separator '>' but ISA16 declares ':'; read as qualifier HC, code 92557"
        ),
        "{stdout}"
    );
    assert_eq!(
        billed_procedures("sv2-wrong-separator.837i"),
        ["92557", "92567"]
    );
}

#[test]
fn professional_and_dental_composites_with_the_wrong_separator_are_read() {
    let (status, stdout) = validate("sv1-wrong-separator.837");
    assert_eq!(status, Some(0), "{stdout}");
    assert!(
        stdout.contains("segment 33 at byte 866 (ISA13 000010216, ST02 0021) SV1: SV101 is written with the component separator '^'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("segment 36 at byte 916 (ISA13 000010216, ST02 0021) SV1: SV101 is written with the component separator '|'"),
        "{stdout}"
    );
    assert_eq!(
        billed_procedures("sv1-wrong-separator.837"),
        ["99213", "87070", "99214", "86663"]
    );
    let (status, stdout) = validate("sv3-wrong-separator.837");
    assert_eq!(status, Some(0), "{stdout}");
    assert!(
        stdout.contains("segment 29 at byte 804 (ISA13 000010216, ST02 0002) SV3: SV301 is written with the component separator '>' but ISA16 declares ':'; read as qualifier AD, code D3320"),
        "{stdout}"
    );
    assert_eq!(billed_procedures("sv3-wrong-separator.837"), ["D3320"]);
}

#[test]
fn remittance_composites_with_the_wrong_separator_are_read_in_lines() {
    let (status, stdout) = validate("svc-wrong-separator.835");
    assert_eq!(status, Some(0), "{stdout}");
    for element in ["SVC01", "SVC06"] {
        assert!(
            stdout.contains(&format!(
                "warning: segment 21 at byte 608 (ISA13 000000001, ST02 1234) SVC: {element} is written with the component separator '>'"
            )),
            "{stdout}"
        );
    }
    let out = remit(&["lines", &fixture("svc-wrong-separator.835")]);
    assert_eq!(out.status.code(), Some(0));
    let table = Table::parse(&out.stdout);
    let first = &table.rows[0];
    // Billed as 59410 (SVC06), adjudicated as 59430 (SVC01).
    assert_eq!(
        (
            table.get(first, "procedure"),
            table.get(first, "paid_procedure")
        ),
        ("59410", "59430")
    );
}

#[test]
fn a_composite_no_separator_explains_rejects_the_file() {
    // SVC01 HX>59430: '>' splits it, but HX is no qualifier.
    let (status, stdout) = validate("svc-broken-composite.835");
    assert_eq!(status, Some(1), "{stdout}");
    assert!(
        stdout.contains("error: segment 21 at byte 608 (ISA13 000000001, ST02 1234) SVC: SVC01 has no procedure code: expected qualifier:code with the component separator ':' declared in ISA16"),
        "{stdout}"
    );
    let out = remit(&["lines", &fixture("svc-broken-composite.835")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        Table::parse(&out.stdout).rows.len(),
        0,
        "nothing from a rejected file"
    );
    // SV1*HC99213: no separator at all.
    let (status, stdout) = validate("sv1-broken-composite.837");
    assert_eq!(status, Some(1), "{stdout}");
    assert!(
        stdout.contains("SV1: SV101 has no procedure code: expected qualifier:code"),
        "{stdout}"
    );
}

const TAB_FINDING: &str = "error: byte 0: ISA found, but its element separator is TAB (0x09)";

#[test]
fn a_tab_separated_interchange_is_named_for_what_it_is() {
    let (status, stdout) = validate("tab-separated.835");
    assert_eq!(status, Some(1), "{stdout}");
    assert!(stdout.contains(TAB_FINDING), "{stdout}");
    assert!(!stdout.contains("no ISA segment"), "{stdout}");
    // In a folder it is an X12 file that cannot be read: rejected, not
    // skipped as if it were not X12.
    let dir = crate::support::temp_dir("x12rules-tab");
    std::fs::copy(fixture("tab-separated.835"), dir.join("era.835")).unwrap();
    let out = remit(&["reconcile", dir.to_str().unwrap(), "--out", "-"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(TAB_FINDING), "{stderr}");
    assert!(stderr.contains("era.835: rejected"), "{stderr}");
}

/// Names and member ids the PHI fixtures put where a date or an amount
/// belongs (see the fixtures' README).
const MISPLACED_PHI: &[&str] = &[
    "DOUGH MARY",
    "DOUGH",
    "Dough",
    "YPB123456789001",
    "SMITH TED",
    "SMITH",
    "JS00111223333",
];

fn assert_no_phi(what: &str, text: &str) {
    for phi in MISPLACED_PHI {
        assert!(!text.contains(phi), "{what} shows {phi:?}:\n{text}");
    }
}

#[test]
fn findings_about_misplaced_names_and_ids_do_not_quote_them() {
    let dir = crate::support::temp_dir("x12rules-phi");
    // Exit 3: read with an invalid finding; exit 1: rejected.
    for (name, status) in [
        ("phi-name-in-date.835", 3),
        ("phi-id-in-amount.835", 1),
        ("phi-misaligned.837", 1),
    ] {
        let file = fixture(name);
        let out = remit(&["validate", &file]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(status), "{stdout}");
        assert!(stdout.contains(" characters (letters"), "{name}: {stdout}");
        assert_no_phi(&format!("validate {name}"), &stdout);
        assert_no_phi(
            &format!("validate {name}"),
            &String::from_utf8_lossy(&out.stderr),
        );

        let out = remit(&[
            "reconcile",
            &file,
            "--as-of",
            "2025-01-01",
            "--out",
            "/dev/null",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("is not a"), "{name}: {stderr}");
        assert_no_phi(&format!("reconcile {name}"), &stderr);

        // A usable remittance beside it, so that the report is written even
        // when this fixture is rejected (no usable input writes nothing)
        // and its rejected-file table is what is checked.
        let html = dir.join(format!("{name}.html"));
        let usable = fixture(EXAMPLE_2);
        let out = remit(&[
            "report",
            &file,
            &usable,
            "--as-of",
            "2025-01-01",
            "--html",
            html.to_str().unwrap(),
        ]);
        let page = std::fs::read_to_string(&html)
            .unwrap_or_else(|e| panic!("{name}: no report ({e}): {out:?}"));
        assert_no_phi(&format!("masked report of {name}"), &page);
    }
}
