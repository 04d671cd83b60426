//! `remit split` throughput in bytes/s on a large generated remittance file
//! (~72 MB: 20 interchanges × 10 transactions × 1,500 claims, two payees,
//! 1,000 members over 28 dates, PLBs with and without claim references),
//! read as a stream the way the CLI reads files. Parts go to a sink that
//! only counts them: this is the library's cost (reading, validating,
//! indexing, writing every part); the CLI adds one file creation per part.
//! `validate` is the baseline: splitting reads and checks everything
//! `remit validate` does.
//!
//! Set `REMIT_SPLIT_BENCH_INPUT=FILE` to also write the input there (to time
//! the binary on it). Under `cargo test` (no `--bench`) the input is one
//! interchange, so the test suite only checks that the benchmark runs.

use std::hint::black_box;
use std::io;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use remit::{Discard, GroupBy, Part, SplitSink, Splitter, scan_reader};

#[path = "../tests/synth835.rs"]
mod synth835;

use synth835::{Plb, STANDARD, Transaction, interchange, office_visit};

const INTERCHANGES: u32 = 20;
const TRANSACTIONS: u32 = 10;
const CLAIMS: u32 = 1_500;

/// One transaction of `CLAIMS` office visits.
fn transaction(n: u32) -> Transaction {
    let claims = (0..CLAIMS)
        .map(|i| {
            let id = n * CLAIMS + i;
            let member = format!("MBR{:06}", (id * 7_919) % 1_000);
            let date = format!("202402{:02}", 1 + id % 28);
            let mut claim =
                office_visit(&format!("PCN{id}"), &format!("ICN{id:010}"), &member, &date);
            claim.new_header_number = i % 500 == 0;
            claim
        })
        .collect();
    let plbs = (0..6)
        .map(|k| Plb {
            reason: if k % 2 == 0 { "L6" } else { "WO" },
            reference: (k < 4).then(|| format!("ICN{:010}", n * CLAIMS + k * 97)),
            amount: if k % 2 == 0 { -37 } else { 1_250 },
        })
        .collect();
    Transaction {
        control: format!("{:04}", n % TRANSACTIONS + 1),
        payee: if n % 2 == 0 {
            "1234567893"
        } else {
            "1999999984"
        }
        .into(),
        trace: format!("EFT{n:08}"),
        claims,
        plbs,
    }
}

fn input(interchanges: u32) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..interchanges {
        let txs: Vec<Transaction> = (0..TRANSACTIONS)
            .map(|t| transaction(i * TRANSACTIONS + t))
            .collect();
        out.push_str(&interchange(1_000 + i, &txs, &STANDARD));
    }
    out.into_bytes()
}

/// Counts parts and their bytes.
#[derive(Default)]
struct Count {
    parts: u64,
    bytes: u64,
}

impl SplitSink for Count {
    fn part(&mut self, part: &Part<'_>) -> io::Result<()> {
        self.parts += 1;
        self.bytes += black_box(part.bytes).len() as u64;
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    let measuring = std::env::args().any(|a| a == "--bench");
    let input = input(if measuring { INTERCHANGES } else { 1 });
    if let Some(path) = std::env::var_os("REMIT_SPLIT_BENCH_INPUT") {
        std::fs::write(path, &input).expect("write the benchmark input");
    }
    let mut group = c.benchmark_group("split");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("validate", |b| {
        b.iter(|| scan_reader(black_box(&input[..]), &mut Discard))
    });
    for by in [
        GroupBy::Payee,
        GroupBy::Member,
        GroupBy::Claim,
        GroupBy::ServiceDate,
    ] {
        group.bench_function(by.as_str(), |b| {
            b.iter(|| {
                let mut count = Count::default();
                let outcome = Splitter::new(by)
                    .split_reader(black_box(&input[..]), &mut count)
                    .expect("counting never fails");
                assert!(outcome.summary.issues.is_valid());
                (count.parts, count.bytes)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
