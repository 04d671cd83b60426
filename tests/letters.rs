//! Issue 21 end to end through the binary: appeal letters of each kind
//! (`remit appeals --letters`), printable remittances (`remit eob`),
//! appeal outcomes in the store (`remit outcomes`) and what they change in
//! the worklist and the denial analytics (`remit denials`).
//!
//! The PDFs are read back with an independent tool, `pdftotext`
//! (poppler-utils), so that what the payer will read is what is checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{remit, samples, temp_dir};

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn letterhead() -> String {
    s(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/letters/letterhead.csv"))
}

fn docs(name: &str) -> String {
    s(&Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/letters")
        .join(name))
}

fn verdicts(name: &str) -> String {
    s(&Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/verdicts/verdicts")
        .join(name))
}

fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    stderr
}

/// The text of a PDF as `pdftotext -layout` extracts it, with runs of
/// spaces made one (table columns are laid out with spaces).
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", &s(pdf), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn contains_all(text: &str, what: &str, facts: &[&str]) {
    for fact in facts {
        assert!(text.contains(fact), "{what}: {fact:?} missing in:\n{text}");
    }
}

/// The files of a folder, without hidden ones (remit's `.remit-letters`
/// list of the letters it wrote).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    out.sort();
    out
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The samples' appeals with letters, fee schedule and NJ prompt pay.
fn sample_letters(dir: &Path, extra: &[&str]) -> (PathBuf, String) {
    let letters = dir.join("letters");
    let samples = s(&samples());
    let fees = format!("{samples}/fee-schedule.csv");
    let letterhead = letterhead();
    let letters_arg = s(&letters);
    let worklist = s(&dir.join("appeals.csv"));
    let mut args = vec![
        "appeals",
        &samples,
        "--fee-schedule",
        &fees,
        "--prompt-pay",
        "nj",
        "--as-of",
        "2025-07-31",
        "--quiet",
        "--letterhead",
        &letterhead,
        "--letters",
        &letters_arg,
        "--out",
        &worklist,
    ];
    args.extend(extra);
    let stderr = ok(&remit(&args));
    (letters, stderr)
}

#[test]
fn one_letter_per_claim_with_the_facts_of_each_kind_of_item() {
    let dir = temp_dir("letters-kinds");
    let (letters, stderr) = sample_letters(&dir, &[]);
    assert!(
        stderr.contains("appeal letters: 16 claim(s) written"),
        "{stderr}"
    );
    assert_eq!(mode(&letters) & 0o077, 0, "the folder is owner-only");
    let pdf = |claim: &str| pdf_text(&letters.join(format!("ACME_HEALTH_PLAN_{claim}.pdf")));

    // Previously paid, now reported denied: the original payment and the
    // re-listing, each with its date and trace.
    contains_all(
        &pdf("RC24-002"),
        "previously paid",
        &[
            "Previously paid, now reported as denied",
            "02/07/2024",
            "2024020700117",
            "paid $22.50 for this line",
            "06/18/2025",
            "2025061800270",
            "No reversal of that payment",
            "correct your records",
            // The payer's name and N3/N4 address, from the 835's N1*PR loop.
            "ACME HEALTH PLAN",
            "PO BOX 6005",
            "HARTFORD, CT 06150",
            "Member ID ACM100251",
        ],
    );
    // A medical-necessity denial: the reason in words with its codes,
    // medical records, and the external-review right.
    contains_all(
        &pdf("RC24-016"),
        "denial",
        &[
            "Denied: 99214 on 03/06/2024",
            "04/10/2024",
            "2024041000151",
            "denied $185.00",
            "CO-50",
            "not deemed a medical necessity",
            "N130",
            "medical records",
            "External review",
            "10/07/2024",
        ],
    );
    // An underpayment: allowed, expected under the fee schedule, shortfall.
    contains_all(
        &pdf("RC24-021"),
        "underpayment",
        &[
            "Paid below the contracted rate",
            "allowed $78.00",
            "$87.00",
            "fee schedule",
            "underpaid by $9.00",
        ],
    );
    // A late payment: dates, days late, interest owed against paid.
    contains_all(
        &pdf("RC24-030"),
        "late payment",
        &[
            "Paid late without the interest owed",
            "06/05/2024",
            "DTM*050",
            "07/05/2024",
            "2024081400219",
            "40 days late",
            "Interest of $0.46 is owed",
            "you paid $0.24",
            "$0.22",
        ],
    );
    // A claim with two open items holds both in one letter.
    let two = pdf("RC24-015");
    contains_all(&two, "two items", &["1. Denied: 98940", "2. Denied: 97012"]);
    // The plan (CLP06 MC) picks the Medicaid external-review text of
    // --review-notices over the letterhead state's.
    std::fs::create_dir_all(dir.join("notices")).unwrap();
    let (medicaid, _) = sample_letters(
        &dir.join("notices"),
        &["--review-notices", &docs("review-notices.csv")],
    );
    let text = pdf_text(&medicaid.join("STATE_MEDICAID_MCO_RC24-018.pdf"));
    contains_all(
        &text,
        "medicaid notice",
        &["External review", "State Fair Hearing"],
    );
    // Past deadlines are noted without PHI.
    assert!(
        stderr.contains(
            "note: claim RC24-016: item 1 (denial) is past its appeal deadline 10/07/2024"
        )
    );

    // File names: payer and claim only; owner-only files.
    let worklist = std::fs::read_to_string(dir.join("appeals.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(worklist.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (member_id, member_name) = (col("member_id"), col("member_name"));
    let phi: Vec<String> = reader
        .records()
        .flat_map(|r| {
            let r = r.unwrap();
            let name = r[member_name].to_string();
            let last = name
                .split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            vec![r[member_id].to_string(), last]
        })
        .filter(|v| !v.is_empty())
        .collect();
    assert!(!phi.is_empty());
    let all = files(&letters);
    assert_eq!(all.len(), 32, "{all:?}");
    for file in &all {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let stem = name.rsplit_once('.').unwrap().0;
        let (payer, claim) = stem.rsplit_once('_').unwrap();
        assert!(
            ["ACME_HEALTH_PLAN", "STATE_MEDICAID_MCO"].contains(&payer),
            "{name}"
        );
        assert!(claim.starts_with("RC24-"), "{name}");
        for value in &phi {
            assert!(
                !name.to_uppercase().contains(&value.to_uppercase()),
                "{name} names {value}"
            );
        }
        assert_eq!(mode(file), 0o600, "{name}");
    }
}

#[test]
fn denial_analytics_group_by_the_rendering_provider_of_the_remittance() {
    // A corpus remittance whose claims name their rendering provider
    // (NM1*82) by name with a payer-assigned number.
    let file = s(&Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "tests/corpus/LinuxForHealth_x12/src/tests/resources/835_005010X221A1/secondary-payment.835",
    ));
    let out = remit(&["denials", &file, "--as-of", "2025-07-31", "--quiet"]);
    // 3: the sample leaves BPR16 out (a finding), and is still used.
    assert_eq!(out.status.code(), Some(3));
    let rows = csv_rows(&String::from_utf8(out.stdout).unwrap());
    let providers: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["dimension"] == "rendering_provider")
        .map(|r| (r["group"].as_str(), r["lines"].as_str()))
        .collect();
    assert_eq!(
        providers,
        [("ACME MEDICAL CENTER", "1"), ("SMITH JONES PA", "2")]
    );
}

#[test]
fn a_recoupment_letter_names_what_was_taken_back_and_the_payment_it_took() {
    let dir = temp_dir("letters-recoupment");
    let letters = dir.join("letters");
    let stderr = ok(&remit(&[
        "appeals",
        &verdicts("uhc-legacy-2021-02.835"),
        &verdicts("history/uhc-2021-03-04.835"),
        &verdicts("history/uhc-2021-05-06.835"),
        "--as-of",
        "2021-06-30",
        "--quiet",
        "--letters",
        &s(&letters),
        "--letterhead",
        &letterhead(),
        "--letter-format",
        "pdf",
        "--out",
        &s(&dir.join("appeals.csv")),
    ]));
    assert!(stderr.contains("appeal letters: 2 claim(s)"), "{stderr}");
    // --letter-format pdf: no HTML.
    assert!(
        files(&letters)
            .iter()
            .all(|f| f.extension().unwrap() == "pdf")
    );
    let text = pdf_text(&letters.join("UNITED_HEALTHCARE_INSURANCE_COMPANY_001-18573-358.pdf"));
    contains_all(
        &text,
        "recoupment",
        &[
            "Payment taken back: B4152 on 12/21/2020",
            "05/06/2021",
            "1234567892",
            "took back $18.92 by reversing the claim",
            "02/04/2021",
            "1234567890",
            "$88.92",
            "specific reason and basis for this recovery",
            "9900 BREN ROAD",
        ],
    );
}

#[test]
fn a_practice_template_replaces_the_letter_in_html_and_pdf() {
    let dir = temp_dir("letters-template");
    let template = dir.join("mine.html");
    std::fs::write(
        &template,
        "<html><head><title>{{ title }}</title></head><body>\
         <h1>OUR OWN LETTER for {{ claim.claim_id }} ({{ claim.total_at_stake }})</h1>\
         {% for item in items %}<p>{{ item.number }}. {{ item.kind }} {{ item.procedure }}</p>{% endfor %}\
         </body></html>",
    )
    .unwrap();
    let (letters, _) = sample_letters(&dir, &["--template", &s(&template)]);
    let html = std::fs::read_to_string(letters.join("ACME_HEALTH_PLAN_RC24-016.html")).unwrap();
    assert!(
        html.contains("OUR OWN LETTER for RC24-016 ($185.00)"),
        "{html}"
    );
    assert!(html.contains("1. denial 99214"), "{html}");
    let text = pdf_text(&letters.join("ACME_HEALTH_PLAN_RC24-016.pdf"));
    assert!(
        text.contains("OUR OWN LETTER for RC24-016 ($185.00)"),
        "{text}"
    );
}

#[test]
fn bad_letter_options_stop_the_command_before_anything_is_written() {
    let dir = temp_dir("letters-bad-options");
    let bad = dir.join("bad.html");
    std::fs::write(&bad, "<p>\n{% for x in %}\n</p>").unwrap();
    let letters = dir.join("letters");
    let worklist = dir.join("appeals.csv");
    let samples = s(&samples());
    let base = [
        "appeals",
        samples.as_str(),
        "--as-of",
        "2025-07-31",
        "--quiet",
        "--out",
    ];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        let w = s(&worklist);
        args.push(&w);
        args.extend(extra);
        let out = remit(&args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let l = s(&letters);
    let b = s(&bad);
    let lh = letterhead();
    let (code, stderr) = run(&["--letters", &l, "--letterhead", &lh, "--template", &b]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.html"),
        "the template is named: {stderr}"
    );
    let (code, stderr) = run(&["--letters", &l]);
    assert_eq!(code, Some(2), "--letters needs --letterhead: {stderr}");
    assert!(stderr.contains("--letterhead"), "{stderr}");
    let not_csv = dir.join("letterhead.csv");
    std::fs::write(&not_csv, "setting,value\ncolour,blue\n").unwrap();
    let (code, stderr) = run(&["--letters", &l, "--letterhead", &s(&not_csv)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("letterhead.csv:2"),
        "file and line: {stderr}"
    );
    assert!(!letters.exists(), "no letter folder");
    assert!(!worklist.exists(), "no worklist");
}

#[test]
fn the_printable_remittance_of_a_claim_has_its_lines_adjustments_and_payment() {
    let dir = temp_dir("eob");
    let out = dir.join("eob");
    let remits = s(&samples().join("remits"));
    let stderr = ok(&remit(&[
        "eob",
        &remits,
        "--claim",
        "RC24-016",
        "--out",
        &s(&out),
        "--quiet",
    ]));
    assert!(
        stderr.contains("eob: 1 claim payment(s) written"),
        "{stderr}"
    );
    let all = files(&out);
    let names: Vec<String> = all
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "ACME_HEALTH_PLAN_RC24-016_2024-04-10.html",
            "ACME_HEALTH_PLAN_RC24-016_2024-04-10.pdf"
        ]
    );
    assert!(all.iter().all(|f| mode(f) == 0o600));
    let text = pdf_text(&all[1]);
    contains_all(
        &text,
        "eob",
        &[
            "RC24-016",
            "2024041000151",
            "ACME HEALTH PLAN",
            "99214",
            "$185.00",
            "CO",
            "not deemed a medical necessity",
            "N130",
            "LINDQVIST, ELSA",
        ],
    );
    // A claim no input holds: status 1, nothing written.
    let none = dir.join("none");
    let out2 = remit(&[
        "eob",
        &remits,
        "--claim",
        "NOPE-1",
        "--out",
        &s(&none),
        "--quiet",
    ]);
    assert_eq!(out2.status.code(), Some(1));
    assert!(!none.exists());
}

/// The store, the samples reconciled into it, and the docs' outcomes CSV
/// imported.
/// `remit appeals SAMPLES --db DB --letters LETTERS` on 2025-07-31.
fn appeals_with_letters(db: &str, letters: &Path) -> std::process::Output {
    remit(&[
        "appeals",
        &s(&samples()),
        "--db",
        db,
        "--as-of",
        "2025-07-31",
        "--quiet",
        "--letters",
        &s(letters),
        "--letterhead",
        &letterhead(),
    ])
}

fn store_with_outcomes(dir: &Path) -> String {
    let db = s(&dir.join("remit.db"));
    let samples = s(&samples());
    ok(&remit(&[
        "reconcile",
        &samples,
        "--db",
        &db,
        "--as-of",
        "2025-07-31",
        "--quiet",
        "--out",
        "/dev/null",
    ]));
    let listed = remit(&["outcomes", &docs("outcomes.csv"), "--db", &db]);
    let stderr = ok(&listed);
    assert!(
        stderr.contains("4 row(s) read from 1 file(s): 4 added, 0 updated, 0 unchanged"),
        "{stderr}"
    );
    db
}

#[test]
fn outcomes_round_trip_through_the_store() {
    let dir = temp_dir("outcomes-store");
    let db = store_with_outcomes(&dir);
    let listed = remit(&["outcomes", "--db", &db]);
    ok(&listed);
    let table = String::from_utf8(listed.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines,
        [
            "payer,claim_id,service_date,procedure,modifiers,filed,outcome,decided,recovered,reference,notes,source",
            &format!(
                "ACME HEALTH PLAN,RC24-016,2024-03-06,99214,,2024-05-02,won,2024-06-10,185.00,APL-24-0117,records sent with the letter,{}:2",
                docs("outcomes.csv")
            ),
            &format!(
                "ACME HEALTH PLAN,RC24-015,,,,2024-05-03,lost,2024-06-01,0.00,APL-24-0118,no authorization on file,{}:3",
                docs("outcomes.csv")
            ),
            &format!(
                "ACME HEALTH PLAN,RC24-021,,,,2024-05-20,pending,,0.00,,,{}:4",
                docs("outcomes.csv")
            ),
            &format!(
                "STATE MEDICAID MCO,RC24-006,2024-01-11,99213,,2024-02-20,no_answer,,0.00,,,{}:5",
                docs("outcomes.csv")
            ),
        ]
    );
    // Importing again changes nothing; an answer that came in updates the row.
    let again = ok(&remit(&[
        "outcomes",
        &docs("outcomes.csv"),
        "--db",
        &db,
        "--out",
        "/dev/null",
    ]));
    assert!(again.contains("0 added, 0 updated, 4 unchanged"), "{again}");
    let answered = dir.join("answered.csv");
    std::fs::write(
        &answered,
        "claim_id,filed,outcome,decided,recovered,payer\nRC24-021,2024-05-20,partial,2024-07-01,4.50,ACME HEALTH PLAN\n",
    )
    .unwrap();
    let updated = ok(&remit(&[
        "outcomes",
        &s(&answered),
        "--db",
        &db,
        "--out",
        "/dev/null",
    ]));
    assert!(
        updated.contains("0 added, 1 updated, 0 unchanged"),
        "{updated}"
    );
    // A file with a problem imports nothing and names file, line and column.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "claim_id,filed,outcome\nRC24-019,2024-05-20,maybe\n").unwrap();
    let out = remit(&["outcomes", &s(&bad), "--db", &db, "--out", "/dev/null"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.csv:2:3"), "{stderr}");
    let after = String::from_utf8(remit(&["outcomes", "--db", &db]).stdout).unwrap();
    assert_eq!(after.lines().count(), 5, "still the four outcomes: {after}");
    assert_eq!(mode(Path::new(&db)), 0o600);
}

fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
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

#[test]
fn recorded_outcomes_change_the_worklist_the_letters_and_the_analytics() {
    let dir = temp_dir("outcomes-worklist");
    let db = store_with_outcomes(&dir);
    let samples = s(&samples());
    let letters = dir.join("letters");
    let out = appeals_with_letters(&db, &letters);
    let stderr = ok(&out);
    let rows = csv_rows(&String::from_utf8(out.stdout).unwrap());
    let state = |claim: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r["claim_id"] == claim)
            .map(|r| r["appeal_state"].clone())
            .collect()
    };
    // Won and lost appeals are resolved: off the worklist.
    assert!(state("RC24-016").is_empty(), "won: {rows:?}");
    assert!(state("RC24-015").is_empty(), "lost (the whole claim)");
    assert!(stderr.contains("3 appealed line(s) resolved"), "{stderr}");
    // Unanswered stays, to escalate; never appealed stays open.
    assert_eq!(state("RC24-006"), ["no_answer"]);
    let note = &rows.iter().find(|r| r["claim_id"] == "RC24-006").unwrap()["appeal_note"];
    assert!(
        note.contains("appeal filed 2024-02-20") && note.contains("outcomes.csv:5"),
        "{note}"
    );
    assert_eq!(state("RC24-019"), ["open"]);
    // Letters only for items nothing was filed for.
    let written: Vec<String> = files(&letters)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert!(written.contains(&"ACME_HEALTH_PLAN_RC24-019.pdf".to_string()));
    for appealed in ["RC24-016", "RC24-015", "RC24-006", "RC24-021"] {
        assert!(
            !written.iter().any(|w| w.contains(appealed)),
            "{appealed} was appealed already: {written:?}"
        );
    }

    // The analytics tie to the imported CSV: RC24-016 won 185.00 (one
    // line), RC24-015 lost (its two denied lines), RC24-006 unanswered;
    // RC24-021 is an underpayment, not a denial.
    let out = remit(&[
        "denials",
        &samples,
        "--db",
        &db,
        "--as-of",
        "2025-07-31",
        "--quiet",
    ]);
    let stderr = ok(&out);
    let table = csv_rows(&String::from_utf8(out.stdout).unwrap());
    let total = table.iter().find(|r| r["dimension"] == "total").unwrap();
    assert_eq!(total["appealed"], "4");
    assert_eq!(total["decided"], "3");
    assert_eq!(total["overturned"], "1");
    assert_eq!(total["overturn_rate"], "0.3333");
    assert_eq!(total["recovered"], "185.00");
    let lines: u64 = total["lines"].parse().unwrap();
    let denied: u64 = total["denied_lines"].parse().unwrap();
    assert!(denied > 0 && lines > denied);
    let by_payer: u64 = table
        .iter()
        .filter(|r| r["dimension"] == "payer")
        .map(|r| r["lines"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(by_payer, lines, "the payers add up to the total");
    let acme = table
        .iter()
        .find(|r| r["dimension"] == "payer" && r["group"] == "ACME HEALTH PLAN")
        .unwrap();
    assert_eq!(
        (acme["appealed"].as_str(), acme["recovered"].as_str()),
        ("3", "185.00")
    );
    assert!(stderr.contains("185.00 recovered"), "{stderr}");
    // A range that excludes every remittance leaves nothing.
    let out = remit(&[
        "denials",
        &samples,
        "--db",
        &db,
        "--as-of",
        "2025-07-31",
        "--quiet",
        "--from",
        "2030-01-01",
    ]);
    let table = csv_rows(&String::from_utf8(ok_out(out)).unwrap());
    assert_eq!(table[0]["lines"], "0");

    // The report page carries the same analytics.
    let html = dir.join("report.html");
    ok(&remit(&[
        "report",
        &samples,
        "--db",
        &db,
        "--as-of",
        "2025-07-31",
        "--quiet",
        "--html",
        &s(&html),
    ]));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Denial analytics"));
    assert!(page.contains("<td>total</td><td>all</td>"), "the total row");
    assert!(page.contains("<td>185.00</td>"));
}

fn ok_out(out: Output) -> Vec<u8> {
    ok(&out);
    out.stdout
}

#[test]
fn letters_of_items_that_left_the_worklist_move_to_the_archive() {
    // First run: no outcomes known, RC24-016 (won later) gets a letter.
    let dir = temp_dir("letters-archive");
    let db = s(&dir.join("remit.db"));
    let letters = dir.join("letters");
    let appeals = || appeals_with_letters(&db, &letters);
    ok(&appeals());
    let names = |d: &Path| -> Vec<String> {
        files(d)
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().to_string())
            .collect()
    };
    let first = names(&letters);
    assert!(first.iter().any(|n| n.contains("RC24-016")), "{first:?}");
    // A file of the user's own is never touched.
    std::fs::write(letters.join("my-notes-RC24-016.txt"), "call Tuesday").unwrap();

    // The outcomes arrive: RC24-016 won, RC24-015 lost, RC24-006 and
    // RC24-021 filed. Their letters leave the folder for archive/.
    ok(&remit(&["outcomes", &docs("outcomes.csv"), "--db", &db]));
    let stderr = ok(&appeals());
    let second = names(&letters);
    for gone in ["RC24-016", "RC24-015", "RC24-006", "RC24-021"] {
        assert!(
            !second
                .iter()
                .any(|n| n.contains(gone) && n.ends_with(".pdf")),
            "{gone}: {second:?}"
        );
    }
    assert!(second.contains(&"my-notes-RC24-016.txt".to_string()));
    assert!(second.iter().any(|n| n.contains("RC24-019")), "{second:?}");
    let archived = names(&letters.join("archive"));
    assert!(
        archived.iter().any(|n| n.contains("RC24-016")),
        "{archived:?}"
    );
    assert_eq!(mode(&letters.join("archive")), 0o700);
    assert!(stderr.contains("moved to"), "{stderr}");
    // Every file the first run wrote is either still there or archived.
    for name in first.iter().filter(|n| !n.starts_with('.')) {
        assert!(
            second.contains(name) || archived.contains(name),
            "{name} was lost"
        );
    }
    // A third run with nothing changed moves nothing.
    let stderr = ok(&appeals());
    assert!(!stderr.contains("moved to"), "{stderr}");
}
