//! The CSV ledger's own row writer (`ledger::row::write_csv`, issue 17's
//! fast writer) against the generic loop over the ledger's columns: the
//! same bytes, row for row, on a generated 835 + 837 set and on the
//! samples. The generic loop is what every other table uses and what the
//! `csv` crate proptest in `src/ledger/csv_sink.rs` pins; the ledger's
//! writer is used only for the ledger's own column list, so a copy of that
//! list takes the generic path.

use remit::{
    Column, CsvSink, DecidedLine, HistoryStore, LEDGER_COLUMNS, MemoryStore, Reconciler, Rules,
    Sink, ingest, read_input,
};
use remit_synth::{SynthConfig, write_claims, write_remittances};

use crate::support::{files_under, samples};

/// The ledger rows of `inputs` (name, bytes), decided as of `as_of`.
fn decided(inputs: &[(String, Vec<u8>)], as_of: jiff::civil::Date) -> Vec<DecidedLine> {
    let mut store = MemoryStore::new();
    for (name, bytes) in inputs {
        let content = read_input(name, bytes.as_slice());
        if content.summary.usable() {
            ingest(&mut store, name, &content, as_of).expect("memory store");
        }
    }
    let store: &mut dyn HistoryStore = &mut store;
    let mut reconciler = Reconciler::new(store, None, Rules::new(as_of)).expect("memory store");
    let mut rows = Vec::new();
    reconciler
        .apply_pending(|batch| -> Result<(), remit::StoreError> {
            rows.extend(batch);
            Ok(())
        })
        .expect("memory store");
    rows.extend(reconciler.unanswered().expect("memory store"));
    rows
}

/// `rows` written as CSV over `columns`.
fn csv(columns: &'static [Column<DecidedLine>], rows: &[DecidedLine]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut sink = CsvSink::new(Box::new(&mut out));
        sink.begin(columns).unwrap();
        for row in rows {
            sink.row(row).unwrap();
        }
        sink.finish().unwrap();
    }
    out
}

fn assert_same_rows(rows: &[DecidedLine]) {
    assert!(!rows.is_empty());
    let generic: &'static [Column<DecidedLine>] = LEDGER_COLUMNS.to_vec().leak();
    let fast = csv(LEDGER_COLUMNS, rows);
    let slow = csv(generic, rows);
    for (i, (a, b)) in fast
        .split(|&b| b == b'\n')
        .zip(slow.split(|&b| b == b'\n'))
        .enumerate()
    {
        assert_eq!(
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b),
            "line {i}"
        );
    }
    assert_eq!(fast, slow);
}

#[test]
fn the_ledgers_writer_equals_the_column_loop_on_a_generated_set() {
    let cfg = SynthConfig::new(11)
        .with_parties(2, 3, 300)
        .with_dates(jiff::civil::date(2024, 1, 2), 30)
        .with_claims(400);
    let mut era = Vec::new();
    write_remittances(&cfg, &mut era).unwrap();
    let mut billed = Vec::new();
    write_claims(&cfg, &mut billed).unwrap();
    let inputs = [
        ("era.835".to_string(), era),
        ("claims.837".to_string(), billed),
    ];
    assert_same_rows(&decided(&inputs, jiff::civil::date(2030, 1, 1)));
}

#[test]
fn the_ledgers_writer_equals_the_column_loop_on_the_samples() {
    let inputs: Vec<(String, Vec<u8>)> = ["remits", "claims"]
        .iter()
        .flat_map(|dir| files_under(&samples().join(dir)))
        .map(|path| {
            (
                path.to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            )
        })
        .collect();
    assert_same_rows(&decided(&inputs, jiff::civil::date(2025, 7, 31)));
}

/// The rows of the 835 `cfg` generates, decided alone (no 837).
fn remittance_rows(cfg: SynthConfig) -> Vec<DecidedLine> {
    let mut era = Vec::new();
    write_remittances(&cfg, &mut era).unwrap();
    decided(
        &[("era.835".to_string(), era)],
        jiff::civil::date(2030, 1, 1),
    )
}

/// The ledger's writer formats a payment's cells (source, payer, payee,
/// trace, payment date, payer id, interchange, transaction) once and
/// copies them into the payment's rows: a row of another payment must
/// never show them. Rows of two payments of different payers, and copies
/// of one row moved to fresh contexts (one with the same values, one with
/// others: a payer a spreadsheet would run, one with a comma), are
/// written interleaved; every row shows its own payment's cells.
#[test]
fn a_payments_cells_never_leak_into_another_payments_rows() {
    use std::sync::Arc;

    let rows = remittance_rows(
        SynthConfig::new(5)
            .with_parties(2, 2, 50)
            .with_dates(jiff::civil::date(2024, 1, 2), 10)
            .with_claims(60),
    );
    // One row of each of two payments with different payers.
    let first = rows[0].clone();
    let other = rows
        .iter()
        .find(|r| r.event.context.payer != first.event.context.payer)
        .expect("two payers")
        .clone();
    let moved = |row: &DecidedLine, payer: &str, trace: &str| {
        let mut context = (*row.event.context).clone();
        context.payer = payer.into();
        context.trace = trace.into();
        context.payment_date = Some(jiff::civil::date(2025, 2, 3));
        context.interchange = "000000999".into();
        let mut row = row.clone();
        row.event.context = Arc::new(context);
        row
    };
    let same_values = moved(
        &first,
        &first.event.context.payer,
        &first.event.context.trace,
    );
    let formula = moved(&first, "=HYPERLINK(\"x\")", "T-2");
    let comma = moved(&other, "PAYER, SECOND", "T,3");
    let sequence = vec![
        first.clone(),
        other.clone(),
        first.clone(),
        formula.clone(),
        same_values.clone(),
        comma.clone(),
        formula.clone(),
        other.clone(),
    ];
    assert_same_rows(&sequence);

    let written = String::from_utf8(csv(LEDGER_COLUMNS, &sequence)).unwrap();
    let lines: Vec<&str> = written.split("\r\n").skip(1).collect();
    let starts = |line: &str, row: &DecidedLine| {
        let c = &row.event.context;
        line.starts_with(&format!("{},{},{},", c.source, c.payer, c.payee_npi))
    };
    assert!(starts(lines[0], &first), "{}", lines[0]);
    assert!(starts(lines[1], &other), "{}", lines[1]);
    assert!(starts(lines[2], &first), "{}", lines[2]);
    assert!(
        lines[3].contains(",\"'=HYPERLINK(\"\"x\"\")\",") && lines[3].contains(",T-2,2025-02-03,"),
        "{}",
        lines[3]
    );
    assert!(lines[4].contains(",000000999,"), "{}", lines[4]);
    assert!(!lines[2].contains(",000000999,"), "{}", lines[2]);
    assert!(
        lines[5].contains(",\"PAYER, SECOND\",") && lines[5].contains(",\"T,3\",2025-02-03,"),
        "{}",
        lines[5]
    );
    assert!(starts(lines[7], &other), "{}", lines[7]);
    assert!(!lines[7].contains("2025-02-03"), "{}", lines[7]);
}

/// The payment cells are keyed by the context's allocation, a weak
/// reference to it held by the writer: a context freed after its rows were
/// written cannot have its address taken by the next payment's context and
/// be mistaken for it.
#[test]
fn a_freed_payments_cells_are_not_reused_for_the_next() {
    use std::sync::Arc;

    let template = remittance_rows(
        SynthConfig::new(5)
            .with_parties(1, 1, 20)
            .with_dates(jiff::civil::date(2024, 1, 2), 5)
            .with_claims(10),
    )
    .remove(0);
    let mut out = Vec::new();
    {
        let mut sink = CsvSink::new(Box::new(&mut out));
        sink.begin(LEDGER_COLUMNS).unwrap();
        for n in 0..50 {
            // Each row owns the only other handle on a new context, dropped
            // right after it is written.
            let mut context = (*template.event.context).clone();
            context.payer = format!("PAYER {n}").into();
            let mut row = template.clone();
            row.event.context = Arc::new(context);
            sink.row(&row).unwrap();
        }
        sink.finish().unwrap();
    }
    let written = String::from_utf8(out).unwrap();
    for (n, line) in written.split("\r\n").skip(1).take(50).enumerate() {
        assert!(line.contains(&format!(",PAYER {n},")), "row {n}: {line}");
    }
}

/// The ledger written through `csv`'s reader: the header, then each row as
/// a map from column name to cell.
fn read_back(written: &[u8]) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(written);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.len(), LEDGER_COLUMNS.len());
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            assert_eq!(record.len(), headers.len(), "{record:?}");
            headers
                .iter()
                .zip(record.iter())
                .map(|(name, cell)| (name.to_string(), cell.to_string()))
                .collect()
        })
        .collect()
}

/// The ledger's writer tests a row for its prompt-pay interest (7 columns)
/// and its NO_REMITTANCE standing (4) once, writing an absent group as one
/// run of commas: rows with and without each group, interleaved, equal
/// the column loop's and each shows its own group's cells, empty without.
#[test]
fn an_absent_group_of_columns_is_empty_and_a_present_one_is_written() {
    use remit::{LineInterest, ReceiptSource};
    use rust_decimal::Decimal;

    let rows = remittance_rows(
        SynthConfig::new(7)
            .with_parties(1, 1, 20)
            .with_dates(jiff::civil::date(2024, 1, 2), 5)
            .with_claims(10),
    );
    let date = jiff::civil::date;
    let plain = rows[0].clone();
    let mut interest = rows[1].clone();
    interest.interest = Some(LineInterest {
        received: date(2024, 1, 2),
        source: ReceiptSource::Dtm050,
        due: date(2024, 1, 31),
        paid_on: date(2024, 3, 1),
        days_late: 30,
        principal: Decimal::new(10000, 2),
        rate: Decimal::new(12, 2),
        owed: Decimal::new(99, 2),
        paid: Decimal::new(25, 2),
    });
    let mut standing = rows[2].clone();
    // The standing's type is the crate's own; it is read as the store reads it.
    standing.standing = Some(
        serde_json::from_str(
            r#"{"state":"REJECTED","state_date":"2024-02-03","filing_deadline":"2024-12-31","days_left":-5}"#,
        )
        .unwrap(),
    );
    let mut both = interest.clone();
    both.standing = standing.standing.clone();
    let sequence = vec![
        plain.clone(),
        interest.clone(),
        plain.clone(),
        standing.clone(),
        both.clone(),
        plain.clone(),
    ];
    assert_same_rows(&sequence);

    let read = read_back(&csv(LEDGER_COLUMNS, &sequence));
    let interest_cells = [
        ("received_date", "2024-01-02"),
        ("receipt_source", "DTM*050"),
        ("due_date", "2024-01-31"),
        ("days_late", "30"),
        ("interest_owed", "0.99"),
        ("interest_paid", "0.25"),
        ("interest_difference", "0.74"),
    ];
    let standing_cells = [
        ("claim_state", "REJECTED"),
        ("claim_state_date", "2024-02-03"),
        ("filing_deadline", "2024-12-31"),
        ("days_left", "-5"),
    ];
    let groups = [
        (false, false),
        (true, false),
        (false, false),
        (false, true),
        (true, true),
        (false, false),
    ];
    assert_eq!(read.len(), groups.len());
    for ((row, line), (has_interest, has_standing)) in read.iter().zip(&sequence).zip(groups) {
        for (name, value) in interest_cells {
            assert_eq!(row[name], if has_interest { value } else { "" }, "{name}");
        }
        for (name, value) in standing_cells {
            assert_eq!(row[name], if has_standing { value } else { "" }, "{name}");
        }
        // The group's neighbours are the row's own.
        assert_eq!(row["transaction"], line.event.context.transaction.as_str());
        assert_eq!(row["superseded_by"], "");
        assert_eq!(row["claim_id"], line.shown_claim().0);
    }
}

/// A row is formatted in a window of the writer's buffer (4 KiB at first);
/// a row that outgrows it is formatted again in a larger one. Rows with a
/// reason and a member name far longer than the window (commas, quotes,
/// a formula start), between ordinary rows, are written whole.
#[test]
fn a_row_longer_than_the_writers_window_is_written_whole() {
    let rows = remittance_rows(
        SynthConfig::new(9)
            .with_parties(1, 1, 20)
            .with_dates(jiff::civil::date(2024, 1, 2), 5)
            .with_claims(10),
    );
    let mut sequence = Vec::new();
    for (n, size) in [5_000usize, 70_000, 9_000].into_iter().enumerate() {
        let mut long = rows[n].clone();
        long.reason = "a \"quoted\" word, then more; ".repeat(size / 28);
        long.event.member_name = format!("=NAME, {}", "Z".repeat(size));
        sequence.push(rows[n + 3].clone());
        sequence.push(long);
    }
    sequence.push(rows[7].clone());
    assert_same_rows(&sequence);
    let read = read_back(&csv(LEDGER_COLUMNS, &sequence));
    assert_eq!(read.len(), sequence.len());
    for (row, line) in read.iter().zip(&sequence) {
        assert_eq!(row["reason"], line.reason);
        let name = line.event.member_name.as_str();
        let shown = if name.starts_with('=') {
            format!("'{name}")
        } else {
            name.to_string()
        };
        assert_eq!(row["member_name"], shown);
        assert_eq!(row["claim_id"], line.shown_claim().0);
    }
}

/// The ledger's writer formats a row in a fixed window of 4 KiB (and a
/// pad), its short writes landing at the cursor modulo 4 KiB without a
/// bounds test: a row that reaches 4 KiB may have wrapped onto its own
/// start and is written by the column loop instead. Rows whose length
/// steps byte by byte across 4 KiB — the long cell (the reason, or the
/// member's name) before many short ones, so that the short writes after
/// it are the ones to cross — are written whole and as the loop writes
/// them, between ordinary rows.
#[test]
fn rows_either_side_of_the_writers_fixed_window_are_written_whole() {
    let rows = remittance_rows(
        SynthConfig::new(4)
            .with_parties(1, 1, 20)
            .with_dates(jiff::civil::date(2024, 1, 2), 5)
            .with_claims(10),
    );
    let row_length = |row: &DecidedLine| {
        let written = csv(LEDGER_COLUMNS, std::slice::from_ref(row));
        let header = written.iter().position(|&b| b == b'\n').unwrap() + 1;
        written.len() - header
    };
    let text = |n: usize| -> String { "word, ".repeat(n / 6 + 1)[..n].to_string() };
    let mut sequence = Vec::new();
    for long_name in [false, true] {
        let mut base = rows[1].clone();
        if long_name {
            base.event.member_name = text(100);
        } else {
            base.reason = text(100);
        }
        let room = 4096 - row_length(&base);
        for n in room - 40..room + 140 {
            let mut row = base.clone();
            if long_name {
                row.event.member_name = text(n);
            } else {
                row.reason = text(n);
            }
            sequence.push(row);
            sequence.push(rows[2].clone());
        }
    }
    let lengths: Vec<usize> = sequence.iter().map(row_length).collect();
    assert!(lengths.iter().any(|&n| n < 4096 - 30));
    assert!(lengths.iter().any(|&n| n > 4096 + 30));
    assert!(lengths.contains(&4095) && lengths.contains(&4096) && lengths.contains(&4097));
    assert_same_rows(&sequence);
    let read = read_back(&csv(LEDGER_COLUMNS, &sequence));
    assert_eq!(read.len(), sequence.len());
    for (row, line) in read.iter().zip(&sequence) {
        assert_eq!(row["reason"], line.reason);
        assert_eq!(row["member_name"], line.event.member_name);
        assert_eq!(row["transaction"], line.event.context.transaction.as_str());
    }
}
