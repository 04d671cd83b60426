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

/// The payment cells are keyed by the context itself, held by the writer:
/// a context freed after its rows were written cannot have its address
/// taken by the next payment's context and be mistaken for it.
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
