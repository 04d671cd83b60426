//! Parsing throughput on one core, in bytes of X12 per second, over
//! realistic synthetic files generated in memory by `remit::synth`:
//!
//! * `lexer`: segments only (`SliceReader`), the floor under everything;
//! * `835`: segments → envelope → typed claim payments with every TR3
//!   balancing equation checked (`scan_slice` with `Discard`);
//! * `837`: segments → envelope → typed billed claims.
//!
//! `REMIT_BENCH_MB` sets the size of each file (default 64; 1 when run as
//! a test).
//! `REMIT_BENCH_ONCE=lexer|835|837` runs one pass of one of them and exits,
//! without criterion, for instruction counts: e.g.
//! `REMIT_BENCH_MB=8 REMIT_BENCH_ONCE=835 valgrind --tool=callgrind
//! --toggle-collect='*once*' target/release/deps/parse-…`.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};
use remit::{Discard, SliceReader, scan_slice};
use remit_synth::{SynthConfig, write_claims_until, write_until};

fn config() -> SynthConfig {
    SynthConfig::new(7).with_claims(20_000)
}

fn remittances() -> Vec<u8> {
    let mut out = Vec::new();
    write_until(&config(), &mut out, common::megabytes(64) << 20).expect("generated");
    out
}

fn claims() -> Vec<u8> {
    let mut out = Vec::new();
    write_claims_until(&config(), &mut out, common::megabytes(64) << 20).expect("generated");
    out
}

fn count_segments(input: &[u8]) -> u64 {
    let mut reader = SliceReader::new(input);
    let mut segments = 0;
    while let Ok(Some(seg)) = reader.next_segment() {
        black_box(seg.id());
        segments += 1;
    }
    segments
}

fn parse(c: &mut Criterion) {
    let era = remittances();
    let billed = claims();
    let segments = count_segments(&era);
    eprintln!(
        "835: {} bytes, {segments} segments ({:.1} bytes/segment); 837: {} bytes",
        era.len(),
        era.len() as f64 / segments as f64,
        billed.len()
    );
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));

    group.throughput(Throughput::Bytes(era.len() as u64));
    group.bench_function("lexer", |b| b.iter(|| count_segments(black_box(&era))));
    group.bench_function("835", |b| {
        b.iter(|| {
            let summary = scan_slice(black_box(&era), &mut Discard);
            assert!(summary.issues.is_valid());
            summary.lines
        })
    });
    group.throughput(Throughput::Bytes(billed.len() as u64));
    group.bench_function("837", |b| {
        b.iter(|| {
            let summary = scan_slice(black_box(&billed), &mut Discard);
            assert!(summary.issues.is_valid());
            summary.lines
        })
    });
    group.finish();
}

/// One pass of one benchmark, for `valgrind --tool=callgrind`.
#[inline(never)]
fn once(which: &str, era: &[u8], billed: &[u8]) -> u64 {
    match which {
        "lexer" => count_segments(era),
        "835" => scan_slice(era, &mut Discard).lines,
        "837" => scan_slice(billed, &mut Discard).lines,
        other => panic!("REMIT_BENCH_ONCE={other}: expected lexer, 835 or 837"),
    }
}

criterion_group!(benches, parse);

fn main() {
    if let Ok(which) = std::env::var("REMIT_BENCH_ONCE") {
        let (era, billed) = (remittances(), claims());
        let bytes = if which == "837" {
            billed.len()
        } else {
            era.len()
        };
        let result = once(&which, &era, &billed);
        eprintln!("{which}: {bytes} bytes, result {result}");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
