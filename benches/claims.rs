//! Claim matching at its extremes (issue 23 item 3), end to end in memory
//! (read → `MemoryStore` → `Reconciler::apply_pending` → unanswered
//! lines), in service lines per second:
//!
//! * `one_claim_1m_lines`: one 837 claim of 1,000,000 service lines and
//!   the 835 that pays it (an institutional or capitated file): line
//!   pairing and ordinals must stay linear in the lines of a claim;
//! * `shared_clp01`: 20,000 claims that all carry CLM01/CLP01 `0`, one
//!   patient each (a practice system that leaves the account number
//!   constant): a payment must find its claim without scoring the others;
//! * `shared_clp01_replaced`: the same claims, one in 20 then replaced
//!   (CLM05-3 = 7, REF*F8 naming the ICN the original was paid under, CLM01
//!   still `0`) and the replacement paid by a later 835: the family of `0`
//!   holds every ICN, and which claim a replacement replaces must still be
//!   found without reading the others.
//!
//! Nothing here asserts a time; the README's performance section gives
//! the figures measured. `REMIT_BENCH_LINES` and `REMIT_BENCH_CLAIMS`
//! change the sizes; `cargo test --all-targets` runs each once on 2,000
//! lines and 200 claims.

mod common;

use std::time::Duration;

use criterion::{Criterion, Throughput};
use remit::{MemoryStore, ingest, read_input};

fn size(var: &str, bench: usize, test: usize) -> usize {
    let default = if std::env::args().any(|a| a == "--bench") {
        bench
    } else {
        test
    };
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const CODES: [&str; 5] = ["98940", "98941", "97110", "97140", "97530"];

/// A service date in January 2024 for line `i`.
fn date(i: usize) -> String {
    format!("202401{:02}", 1 + i % 28)
}

/// Wraps a transaction body in ISA/GS/ST … SE/GE/IEA.
fn envelope(functional: &str, set: &str, version: &str, body: &str) -> Vec<u8> {
    let segments = body.matches('~').count() + 2;
    format!(
        "ISA*00*          *00*          *ZZ*CLINIC         *ZZ*ACME           *240301*1200*^*00501*000000001*0*P*:~\
         GS*{functional}*C*A*20240301*1200*1*X*{version}~ST*{set}*0001~{body}SE*{segments}*0001~GE*1*1~IEA*1*000000001~"
    )
    .into_bytes()
}

/// An 837P of `claims`, each (CLM01, member id, line count), lines of
/// charge 10.
fn billed(claims: &[(String, String, usize)]) -> Vec<u8> {
    billed_as(claims, "20240201", |n| n, |_| String::new())
}

/// [`billed`] created on `created`, claim `n` billed as the `at(n)`th of
/// the original list (its dates), its CLM05-3 and REF*F8 given by
/// `version(n)` (empty: an original).
fn billed_as(
    claims: &[(String, String, usize)],
    created: &str,
    at: impl Fn(usize) -> usize,
    version: impl Fn(usize) -> String,
) -> Vec<u8> {
    let mut body = format!(
        "BHT*0019*00*REF1*{created}*1200*CH~NM1*41*2*CLINIC*****46*S1~NM1*40*2*ACME*****46*R1~\
         HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~REF*EI*123456789~",
    );
    for (n, (clm01, member, lines)) in claims.iter().enumerate() {
        let icn = version(n);
        let (frequency, f8) = if icn.is_empty() {
            ("1", String::new())
        } else {
            ("7", format!("REF*F8*{icn}~"))
        };
        body += &format!(
            "HL*{}*1*22*0~SBR*P*18*GRP******CI~NM1*IL*1*DOE*JOHN****MI*{member}~NM1*PR*2*ACME*****PI*60054~\
             CLM*{clm01}*{}***11:B:{frequency}*Y*A*Y*Y~{f8}",
            n + 2,
            10 * lines
        );
        for i in 0..*lines {
            body += &format!(
                "LX*{}~SV1*HC:{}*10*UN*1***1~DTP*472*D8*{}~",
                i + 1,
                CODES[i % CODES.len()],
                date(i + at(n))
            );
        }
    }
    envelope("HC", "837", "005010X222A1", &body)
}

/// The 835 paying every line of `claims` 6 of 10 (CO-45 for the rest).
fn remitted(claims: &[(String, String, usize)]) -> Vec<u8> {
    remitted_as(
        claims,
        ("T1", "20240301", "1"),
        |n| n,
        |n| format!("ICN{n}"),
    )
}

/// [`remitted`] with (trace, payment date, CLP09), claim `n` paid as the
/// `at(n)`th of the original list (its dates) under ICN `icn(n)`.
fn remitted_as(
    claims: &[(String, String, usize)],
    (trace, paid_on, frequency): (&str, &str, &str),
    at: impl Fn(usize) -> usize,
    icn: impl Fn(usize) -> String,
) -> Vec<u8> {
    let mut body = String::new();
    let mut total = 0;
    for (n, (clp01, member, lines)) in claims.iter().enumerate() {
        total += 6 * lines;
        body += &format!(
            "CLP*{clp01}*1*{}*{}**12*{}*11*{frequency}~NM1*QC*1*DOE*JOHN****MI*{member}~",
            10 * lines,
            6 * lines,
            icn(n)
        );
        for i in 0..*lines {
            body += &format!(
                "SVC*HC:{}*10*6~DTM*472*{}~CAS*CO*45*4~",
                CODES[i % CODES.len()],
                date(i + at(n))
            );
        }
    }
    let body = format!(
        "BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*{paid_on}~\
         TRN*1*{trace}*1512345678~DTM*405*{paid_on}~N1*PR*ACME~N1*PE*CLINIC*XX*1234567893~LX*1~{body}"
    );
    envelope("HP", "835", "005010X221A1", &body)
}

/// Reads, ingests and decides both files; returns the rows.
fn reconcile(files: &[(String, Vec<u8>)]) -> usize {
    let as_of = jiff::civil::date(2030, 1, 1);
    let mut store = MemoryStore::new();
    for (name, bytes) in files {
        let content = read_input(name, bytes.as_slice());
        assert!(content.summary.usable(), "{name} is usable");
        ingest(&mut store, name, &content, as_of).expect("memory store");
    }
    common::decide_all(&mut store, as_of)
}

fn files(claims: &[(String, String, usize)]) -> Vec<(String, Vec<u8>)> {
    vec![
        ("claims.837".to_string(), billed(claims)),
        ("era.835".to_string(), remitted(claims)),
    ]
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("claims");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));

    let lines = size("REMIT_BENCH_LINES", 1_000_000, 2_000);
    let one = files(&[("BIG1".to_string(), "M1".to_string(), lines)]);
    assert_eq!(reconcile(&one), lines, "every line paid, none open");
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function("one_claim_1m_lines", |b| b.iter(|| reconcile(&one)));
    drop(one);

    let count = size("REMIT_BENCH_CLAIMS", 20_000, 200);
    let shared: Vec<(String, String, usize)> = (0..count)
        .map(|i| ("0".to_string(), format!("M{i}"), 1))
        .collect();
    let shared = files(&shared);
    assert_eq!(reconcile(&shared), count, "every claim matched, none open");
    group.throughput(Throughput::Elements(count as u64));
    group.bench_function("shared_clp01", |b| b.iter(|| reconcile(&shared)));
    drop(shared);

    let originals: Vec<(String, String, usize)> = (0..count)
        .map(|i| ("0".to_string(), format!("M{i}"), 1))
        .collect();
    // One in 20 replaced (same member, same line), its replacement paid
    // under a new ICN by a later 835.
    let replaced: Vec<usize> = (0..count).step_by(20).collect();
    let replacements: Vec<(String, String, usize)> =
        replaced.iter().map(|&i| originals[i].clone()).collect();
    let versions = vec![
        ("claims.837".to_string(), billed(&originals)),
        (
            "replacements.837".to_string(),
            billed_as(
                &replacements,
                "20240310",
                |n| replaced[n],
                |n| format!("ICN{}", replaced[n]),
            ),
        ),
        ("era.835".to_string(), remitted(&originals)),
        (
            "later.835".to_string(),
            remitted_as(
                &replacements,
                ("T2", "20240320", "7"),
                |n| replaced[n],
                |n| format!("R{n}"),
            ),
        ),
    ];
    assert_eq!(
        reconcile(&versions),
        count + replaced.len(),
        "every claim and replacement matched, none open"
    );
    group.throughput(Throughput::Elements((count + replaced.len()) as u64));
    group.bench_function("shared_clp01_replaced", |b| b.iter(|| reconcile(&versions)));
    group.finish();
    c.final_summary();
}
