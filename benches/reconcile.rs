//! End-to-end reconciliation in process, in bytes of 835 input per second:
//! read every file (835s and the matching 837s) → ingest into a
//! `MemoryStore` → `Reconciler::apply_pending` → the unanswered lines.
//!
//! The input is a series of files cut from one synthetic universe (later
//! files reverse and recover payments of earlier ones), as a practice's
//! month of files would be. Two variants:
//!
//! * `one_core`: files read one after another on this thread;
//! * `all_cores`: files read by `remit::parallel_map` on every core,
//!   as `remit reconcile` does; ingest and decide stay on one thread.
//!
//! `REMIT_BENCH_MB` sets the total 835 size (default 32; 1 when run as a
//! test), split in 8 files;
//! `REMIT_BENCH_ONCE=1` runs one pass on one core and exits (for callgrind).

mod common;

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use remit::{InputContent, MemoryStore, ingest, parallel_jobs, parallel_map, read_input};
use remit_synth::{SynthConfig, write_claims, write_remittances, write_until};

const FILES: u64 = 8;

/// `FILES` 835s (one month of payments each) and their 837s, as
/// (name, bytes), with the 835 bytes in total.
fn inputs() -> (Vec<(String, Vec<u8>)>, u64) {
    let per_file = (common::megabytes(32) << 20) / FILES;
    let base = SynthConfig::new(11)
        .with_parties(3, 4, 2_000)
        .with_dates(jiff::civil::date(2024, 1, 2), 30);
    let probe = write_until(&base, std::io::sink(), per_file).expect("generated");
    let claims = (probe.slots / 10 * 10).max(10);
    let mut files = Vec::new();
    let mut era_bytes = 0;
    for i in 0..FILES {
        let cfg = base
            .clone()
            .with_claims(claims as usize)
            .with_first_claim(i * claims);
        let mut era = Vec::new();
        write_remittances(&cfg, &mut era).expect("generated");
        let mut billed = Vec::new();
        write_claims(&cfg, &mut billed).expect("generated");
        era_bytes += era.len() as u64;
        files.push((format!("era-{i}.835"), era));
        files.push((format!("claims-{i}.837"), billed));
    }
    (files, era_bytes)
}

fn read(file: &(String, Vec<u8>)) -> InputContent {
    read_input(&file.0, file.1.as_slice())
}

/// Ingests what was read and decides everything; returns the row count.
fn reconcile(files: &[(String, Vec<u8>)], contents: Vec<InputContent>) -> usize {
    let as_of = jiff::civil::date(2030, 1, 1);
    let mut store = MemoryStore::new();
    for ((name, _), content) in files.iter().zip(&contents) {
        assert!(content.summary.usable(), "{name} is usable");
        ingest(&mut store, name, content, as_of).expect("memory store");
    }
    drop(contents);
    common::decide_all(&mut store, as_of)
}

fn bench(c: &mut Criterion) {
    let (files, era_bytes) = inputs();
    let mut group = c.benchmark_group("reconcile");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Bytes(era_bytes));
    group.bench_function("one_core", |b| {
        b.iter(|| reconcile(&files, files.iter().map(read).collect()))
    });
    let jobs = parallel_jobs(None);
    group.bench_function("all_cores", |b| {
        b.iter(|| reconcile(&files, parallel_map(&files, jobs, read)))
    });
    group.finish();
}

/// One pass on one core, for `valgrind --tool=callgrind`.
#[inline(never)]
fn once(files: &[(String, Vec<u8>)]) -> usize {
    reconcile(files, files.iter().map(read).collect())
}

criterion_group!(benches, bench);

fn main() {
    if std::env::var_os("REMIT_BENCH_ONCE").is_some() {
        let (files, era_bytes) = inputs();
        let rows = once(&files);
        eprintln!("{era_bytes} bytes of 835, {rows} rows");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
