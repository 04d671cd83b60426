//! The SQLite history store:
//!
//! * `store/ingest`: service-line events per second into a fresh store —
//!   835 transactions (already read) stored as pending, then decided one
//!   store transaction each (history lookup, matching to the 837 claims,
//!   decision, recording the event and its ledger row);
//! * `store/history_hit` and `store/history_miss`: latency of one line's
//!   history on a large store, for a line that has one and for an unknown
//!   line (what a new remittance asks for most); keys repeat, so these
//!   include the store's line-id cache; the latency of first lookups on a
//!   freshly opened store is printed before them;
//! * `store/rerun`: a file already in the large store read again (its
//!   transactions are recognised and skipped), per file.
//!
//! The large store holds `REMIT_STORE_EVENTS` events (default 10 million;
//! `REMIT_STORE_EVENTS=1000000` for a quick run; 20,000 when run as a test). It is built once into
//! `target/bench-store-<N>.sqlite` through the real pipeline (generate →
//! read → ingest → decide) and reused while present; building 10 million
//! events takes a while, and prints its ingest rate as the store grows.
//! `REMIT_BENCH_ONCE=1` runs one ingest into a fresh store and exits, without
//! criterion or the large store (for callgrind).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use remit::{
    HistoryStore, InputContent, LineHistory, LineKey, Reconciler, Rules, SqliteStore, StoreError,
    event_key, ingest, read_input,
};
use remit_synth::{SynthConfig, write_claims, write_remittances};

/// Claim slots per generated file (about 2,000 transactions' worth of
/// lines: roughly 60,000 events).
const CLAIMS_PER_FILE: u64 = 20_000;

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2100, 1, 1)
}

/// True under `cargo bench`; false when run as a test by
/// `cargo test --all-targets` (then everything is small).
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Events in the large store: `REMIT_STORE_EVENTS`, else 10 million
/// (20,000 when run as a test).
fn store_events() -> u64 {
    let default = if benchmarking() { 10_000_000 } else { 20_000 };
    std::env::var("REMIT_STORE_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Claim slots per file of the large store (fewer when run as a test).
fn claims_per_file() -> u64 {
    if benchmarking() {
        CLAIMS_PER_FILE
    } else {
        CLAIMS_PER_FILE / 10
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// File `i` of one universe: a month of payments and, when `with_claims`,
/// the 837s they answer.
fn file(i: u64, claims: u64, with_claims: bool) -> InputContent {
    let cfg = SynthConfig::new(5)
        .with_claims(claims as usize)
        .with_parties(3, 4, 20_000)
        .with_dates(jiff::civil::date(2000, 1, 3), 30)
        .with_first_claim(i * claims);
    let mut bytes = Vec::new();
    write_remittances(&cfg, &mut bytes).expect("generated");
    if with_claims {
        write_claims(&cfg, &mut bytes).expect("generated");
    }
    let content = read_input(&format!("file-{i}"), bytes.as_slice());
    assert!(content.summary.usable());
    content
}

fn events_in(content: &InputContent) -> u64 {
    content
        .transactions
        .iter()
        .map(|t| t.events.len() as u64)
        .sum()
}

/// Ingests and decides `content` into `store`; returns the events decided.
fn run(store: &mut SqliteStore, name: &str, content: &InputContent) -> u64 {
    ingest(store, name, content, as_of()).expect("ingest");
    let store: &mut dyn HistoryStore = store;
    let mut reconciler = Reconciler::new(store, None, Rules::new(as_of())).expect("store");
    let mut events = 0;
    reconciler
        .apply_pending(|rows| -> Result<(), StoreError> {
            events += rows.len() as u64;
            Ok(())
        })
        .expect("decide");
    events
}

fn remove_store(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// The large store, built if absent.
fn large_store() -> PathBuf {
    let wanted = store_events();
    let path = target_dir().join(format!("bench-store-{wanted}.sqlite"));
    if path.exists() {
        return path;
    }
    let building = path.with_extension("building");
    remove_store(&building);
    let mut store = SqliteStore::open(&building).expect("store");
    let (mut total, mut i, started) = (0u64, 0u64, Instant::now());
    while total < wanted {
        let content = file(i, claims_per_file(), false);
        let t = Instant::now();
        let events = run(&mut store, &format!("file-{i}"), &content);
        total += events;
        eprintln!(
            "building {}: {total} events, {:.0} events/s for this file, {:.0} s so far",
            path.display(),
            events as f64 / t.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        i += 1;
    }
    drop(store);
    remove_store(&path);
    for suffix in ["", "-wal", "-shm"] {
        let (mut from, mut to) = (building.as_os_str().to_owned(), path.as_os_str().to_owned());
        from.push(suffix);
        to.push(suffix);
        let _ = std::fs::rename(PathBuf::from(from), PathBuf::from(to));
    }
    path
}

fn bench_ingest(c: &mut Criterion) {
    let content = file(0, 2_000, true);
    let events = events_in(&content);
    let dir = target_dir().join("bench-store-ingest");
    std::fs::create_dir_all(&dir).expect("target dir");
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(events));
    let mut n = 0;
    group.bench_function("ingest", |b| {
        b.iter_batched(
            || {
                n += 1;
                let path = dir.join(format!("ingest-{n}.sqlite"));
                remove_store(&path);
                let store = SqliteStore::open(&path).expect("store");
                (store, path)
            },
            |(mut store, path)| {
                let decided = run(&mut store, "file-0", &content);
                drop(store);
                remove_store(&path);
                decided
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn bench_lookup(c: &mut Criterion) {
    let path = large_store();
    let mut store = SqliteStore::open(&path).expect("store");
    eprintln!(
        "{}: {} events",
        path.display(),
        store.event_count().expect("count")
    );
    let sample = file(3, claims_per_file(), false);
    let mut hits: Vec<LineKey> = sample
        .transactions
        .iter()
        .flat_map(|t| t.events.iter().map(event_key))
        .collect();
    let mut history = LineHistory::default();
    hits.retain(|k| {
        store.read_history(k, &mut history).expect("lookup");
        !history.events.is_empty()
    });
    assert!(!hits.is_empty(), "sample lines are in the store");
    let misses: Vec<LineKey> = hits
        .iter()
        .map(|k| LineKey {
            claim_id: format!("{}-NEW", k.claim_id).into(),
            ..k.clone()
        })
        .collect();

    cold_lookups(&path, &hits, &misses);
    let mut group = c.benchmark_group("store");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(1));
    for (name, keys) in [("history_hit", &hits), ("history_miss", &misses)] {
        let mut at = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                at = (at + 7919) % keys.len();
                store.read_history(&keys[at], &mut history).expect("lookup");
                black_box(history.events.len())
            })
        });
    }
    group.throughput(Throughput::Elements(events_in(&sample)));
    group.sample_size(10);
    group.bench_function("rerun", |b| {
        b.iter(|| {
            let report = ingest(&mut store, "file-3", &sample, as_of()).expect("ingest");
            assert_eq!(report.transactions, 0, "every transaction is known");
            report.applied_before.len()
        })
    });
    group.finish();
}

/// The criterion lookups repeat keys, so after the first pass the store's
/// cache knows their line ids: this prints the latency of first lookups,
/// each key once, on a freshly opened store.
fn cold_lookups(path: &Path, hits: &[LineKey], misses: &[LineKey]) {
    let store = SqliteStore::open(path).expect("store");
    for (name, keys) in [("hit", hits), ("miss", misses)] {
        let keys = &keys[..keys.len().min(5_000)];
        let started = Instant::now();
        let mut history = LineHistory::default();
        for key in keys {
            store.read_history(key, &mut history).expect("lookup");
            black_box(history.events.len());
        }
        let micros = started.elapsed().as_secs_f64() * 1e6 / keys.len() as f64;
        eprintln!(
            "first lookups ({name}): {micros:.1} µs each over {} keys",
            keys.len()
        );
    }
}

/// One ingest into a fresh store, for `valgrind --tool=callgrind`.
#[inline(never)]
fn once(content: &InputContent, path: &Path) -> u64 {
    let mut store = SqliteStore::open(path).expect("store");
    run(&mut store, "file-0", content)
}

criterion_group!(benches, bench_ingest, bench_lookup);

fn main() {
    if std::env::var_os("REMIT_BENCH_ONCE").is_some() {
        let content = file(0, 2_000, true);
        let path = target_dir().join("bench-store-once.sqlite");
        remove_store(&path);
        let started = Instant::now();
        let events = once(&content, &path);
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "{events} events in {seconds:.2} s: {:.0} events/s",
            events as f64 / seconds
        );
        remove_store(&path);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
