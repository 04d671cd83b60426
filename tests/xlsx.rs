//! `--format xlsx`: every tabular output read back with an independent
//! reader (calamine) and compared, cell by cell, with the same command's
//! CSV: identifiers stay text (leading zeros and 14-digit numbers intact),
//! money and counts are numbers, dates are real dates, empty cells blank.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::support::{remit, samples, temp_dir};

/// Columns whose cells must be text in the workbook whatever they look
/// like: a spreadsheet's CSV import turns them into numbers.
const IDENTIFIERS: &[&str] = &[
    "trace",
    "claim_id",
    "payer_claim_id",
    "claim_status",
    "member_id",
    "payee_npi",
    "payer_id",
    "procedure",
    "interchange",
    "transaction",
    "line_control",
];

/// Money columns of the tables (each must be a number in the workbook).
const MONEY: &[&str] = &["billed", "allowed", "paid", "patient_resp", "at_stake"];

/// Date columns.
const DATES: &[&str] = &["payment_date", "service_date", "appeal_by", "deposit_date"];

/// The CSV cells of `path`, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The cells of the workbook's only worksheet, `sheet`.
fn xlsx_rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    assert_eq!(book.sheet_names(), [sheet], "{}", path.display());
    let range = book.worksheet_range(sheet).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "the header is at A1");
    range.rows().map(|r| r.to_vec()).collect()
}

/// An Excel date serial as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    assert_eq!(serial.fract(), 0.0, "a date without a time");
    let epoch = jiff::civil::date(1899, 12, 30);
    epoch
        .checked_add(jiff::Span::new().days(serial as i64))
        .unwrap()
        .to_string()
}

/// Compares one table: same header, same rows, each cell of the type its
/// CSV text calls for. Returns how many identifier cells with a leading
/// zero, money cells and date cells it saw.
fn compare(name: &str, csv: &[Vec<String>], xlsx: &[Vec<Data>]) -> (usize, usize, usize) {
    assert_eq!(csv.len(), xlsx.len(), "{name}: rows");
    let header = &csv[0];
    let got: Vec<String> = xlsx[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(&got, header, "{name}: header");
    let (mut zeros, mut money, mut dates) = (0, 0, 0);
    for (n, (want, got)) in csv.iter().zip(xlsx).enumerate().skip(1) {
        assert_eq!(got.len(), header.len(), "{name} row {n}: width");
        for ((column, text), cell) in header.iter().zip(want).zip(got) {
            let at = format!("{name} row {n} column {column}");
            match cell {
                Data::Empty => assert_eq!(text, "", "{at}"),
                Data::String(s) => {
                    // CSV neutralises formulas with a quote; xlsx need not.
                    let plain = text
                        .strip_prefix('\'')
                        .filter(|t| t.starts_with(['=', '+', '-', '@', '\t', '\r']));
                    assert_eq!(s, plain.unwrap_or(text), "{at}");
                    assert!(!MONEY.contains(&column.as_str()), "{at}: money as text");
                    assert!(!DATES.contains(&column.as_str()), "{at}: date as text");
                    if IDENTIFIERS.contains(&column.as_str()) && s.starts_with('0') {
                        zeros += 1;
                    }
                }
                Data::Float(f) => {
                    assert!(
                        !IDENTIFIERS.contains(&column.as_str()),
                        "{at}: identifier {text} as a number"
                    );
                    let exact: f64 = text.parse().unwrap_or_else(|_| panic!("{at}: {text}"));
                    assert_eq!(*f, exact, "{at}");
                    if MONEY.contains(&column.as_str()) {
                        // CSV writes money with exactly two decimals.
                        assert_eq!(format!("{f:.2}"), *text, "{at}");
                        money += 1;
                    }
                }
                Data::Int(i) => assert_eq!(i.to_string(), *text, "{at}"),
                Data::DateTime(d) => {
                    assert!(d.is_datetime(), "{at}: a date, not a duration");
                    assert_eq!(excel_date(d.as_f64()), *text, "{at}");
                    dates += 1;
                }
                other => panic!("{at}: unexpected {other:?}"),
            }
        }
    }
    (zeros, money, dates)
}

/// Runs `args` with `--format csv` and `--format xlsx` and compares them.
fn check(name: &str, sheet: &str, args: &[&str]) -> (usize, usize, usize) {
    let dir = temp_dir(&format!("xlsx-{name}"));
    let csv_path = dir.join("out.csv");
    let xlsx_path = dir.join("out.xlsx");
    for (format, path) in [("csv", &csv_path), ("xlsx", &xlsx_path)] {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", format, "--out", path.to_str().unwrap()]);
        let out = remit(&all);
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{name} {format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&xlsx_path).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "{name}: the workbook holds PHI");
    compare(name, &csv_rows(&csv_path), &xlsx_rows(&xlsx_path, sheet))
}

#[test]
fn every_table_reads_back_with_the_csv_values_and_typed_cells() {
    let s = samples();
    let s = s.to_str().unwrap();
    let fees = format!("{s}/fee-schedule.csv");
    let bank = format!("{s}/bank/deposits.bai2");
    let posted = format!("{s}/posting/posted.csv");
    let as_of = "2025-07-31";
    let reconcile = [
        "reconcile",
        s,
        "--fee-schedule",
        &fees,
        "--as-of",
        as_of,
        "--prompt-pay",
        "nj",
    ];
    let (zeros, money, dates) = check("reconcile", "ledger", &reconcile);
    assert!(zeros > 0, "trace 0048213 is in the samples: kept as text");
    assert!(money > 100 && dates > 100, "{money} money, {dates} dates");

    let (zeros, money, _) = check("lines", "lines", &["lines", s]);
    assert!(zeros > 0 && money > 100);
    let appeals = ["appeals", s, "--fee-schedule", &fees, "--as-of", as_of];
    let (_, money, dates) = check("appeals", "appeals", &appeals);
    assert!(money > 10 && dates > 10);
    let resolution = ["resolution", s, "--prompt-pay", "nj", "--as-of", as_of];
    let (_, money, _) = check("resolution", "resolution", &resolution);
    assert!(money > 100);
    let deposits = ["deposits", s, "--bank", &bank, "--as-of", as_of];
    let (_, _, dates) = check("deposits", "deposits", &deposits);
    assert!(dates > 5);
    let posting = ["posting", s, "--posted", &posted, "--as-of", as_of];
    let (_, money, _) = check("posting", "posting", &posting);
    assert!(money > 10);

    let dir = temp_dir("xlsx-history-store");
    let db = dir.join("h.db");
    let db = db.to_str().unwrap();
    let out = remit(&["reconcile", s, "--db", db, "--out", "/dev/null"]);
    assert!(matches!(out.status.code(), Some(0 | 3)));
    check("history", "history", &["history", "--db", db]);
}

#[test]
fn a_fourteen_digit_claim_number_stays_text() {
    let s = samples();
    let dir = temp_dir("xlsx-claim-number");
    let path = dir.join("lines.xlsx");
    let out = remit(&[
        "lines",
        s.to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert!(matches!(out.status.code(), Some(0 | 3)));
    let rows = xlsx_rows(&path, "lines");
    let column = rows[0]
        .iter()
        .position(|c| matches!(c, Data::String(s) if s == "payer_claim_id"))
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r[column] == Data::String("77022433701019".into())),
        "payer claim number 77022433701019 as text"
    );
}

#[test]
fn xlsx_needs_a_file_and_says_so_before_writing_anything() {
    let s = samples();
    let out = remit(&["reconcile", s.to_str().unwrap(), "--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on standard output");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("--out"), "{message}");
    // Checked before inputs are read: no summary, no progress.
    assert!(!message.contains("reconciled"), "{message}");
    let out = remit(&[
        "lines",
        s.to_str().unwrap(),
        "--format",
        "xlsx",
        "--out",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
