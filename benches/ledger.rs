//! The CSV ledger writer alone, in rows per second (issue 17 item 2: the
//! target is ≤ 2,000 instructions a row): ledger rows of a generated
//! 835 + 837 set, decided once in process (read → `MemoryStore` →
//! `Reconciler::apply_pending`, as `benches/reconcile.rs` does), then
//! written again and again by `CsvSink` over the ledger's columns into a
//! byte sink.
//!
//! `REMIT_BENCH_MB` sets the 835 size (default 4; 1 when run as a test);
//! `REMIT_BENCH_ONCE=1` writes the rows once and exits (for callgrind: the
//! writer's share is `CsvSink::row` inclusive, divided by the rows printed).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use remit::{
    CsvSink, DecidedLine, HistoryStore, LEDGER_COLUMNS, MemoryStore, Reconciler, Rules, Sink,
    ingest, read_input,
};
use remit_synth::{SynthConfig, write_claims, write_remittances, write_until};

/// The ledger rows of one generated 835 and its 837s.
fn rows() -> Vec<DecidedLine> {
    let base = SynthConfig::new(7)
        .with_parties(3, 4, 2_000)
        .with_dates(jiff::civil::date(2024, 1, 2), 30);
    let probe = write_until(&base, std::io::sink(), common::megabytes(4) << 20).expect("generated");
    let cfg = base.with_claims(probe.slots.max(10) as usize);
    let mut era = Vec::new();
    write_remittances(&cfg, &mut era).expect("generated");
    let mut billed = Vec::new();
    write_claims(&cfg, &mut billed).expect("generated");
    let as_of = jiff::civil::date(2030, 1, 1);
    let mut store = MemoryStore::new();
    for (name, bytes) in [("era.835", &era), ("claims.837", &billed)] {
        let content = read_input(name, bytes.as_slice());
        assert!(content.summary.usable(), "{name} is usable");
        ingest(&mut store, name, &content, as_of).expect("memory store");
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

/// Writes `rows` as the CSV ledger; returns the bytes written.
#[inline(never)]
fn write_csv(rows: &[DecidedLine]) -> usize {
    let mut out = Vec::with_capacity(rows.len() * 512);
    {
        let mut sink = CsvSink::new(Box::new(&mut out));
        sink.begin(LEDGER_COLUMNS).expect("in memory");
        for row in rows {
            sink.row(row).expect("in memory");
        }
        sink.finish().expect("in memory");
    }
    black_box(&out).len()
}

fn bench(c: &mut Criterion) {
    let rows = rows();
    let mut group = c.benchmark_group("ledger");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("csv_rows", |b| b.iter(|| write_csv(&rows)));
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    if std::env::var_os("REMIT_BENCH_ONCE").is_some() {
        let rows = rows();
        let bytes = write_csv(&rows);
        eprintln!("{} rows, {bytes} bytes of CSV", rows.len());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
