//! What the benches share (each bench includes this file as `mod common`):
//! the size of their generated input and the decide-everything step, so
//! that every bench measures the same engine the same way.

use std::hint::black_box;

use remit::{HistoryStore, Reconciler, Rules};

/// The generated input's size in MB: `REMIT_BENCH_MB`, else `bench` under
/// `cargo bench` (which passes `--bench`), else 1 — `cargo test
/// --all-targets` runs each bench once as a test, and small.
#[allow(dead_code)] // not every bench sizes its input this way
pub fn megabytes(bench: u64) -> u64 {
    let default = if std::env::args().any(|a| a == "--bench") {
        bench
    } else {
        1
    };
    std::env::var("REMIT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Decides everything `store` holds (no contracts, the code list's rules
/// as of `as_of`) and lists the unanswered billed lines; returns the
/// number of rows.
#[allow(dead_code)] // not every bench decides
pub fn decide_all(store: &mut dyn HistoryStore, as_of: jiff::civil::Date) -> usize {
    let mut reconciler = Reconciler::new(store, None, Rules::new(as_of)).expect("memory store");
    let mut rows = 0;
    reconciler
        .apply_pending(|r| -> Result<(), remit::StoreError> {
            rows += black_box(r).len();
            Ok(())
        })
        .expect("memory store");
    rows + reconciler.unanswered().expect("memory store").len()
}
