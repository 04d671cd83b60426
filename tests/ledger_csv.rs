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
