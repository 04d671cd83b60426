//! Fuzz target: `remit_fuzz::pipeline` — an 835 and an 837 reconciled and
//! written by every ledger writer — must never panic, and its XML must be
//! well-formed.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = remit_fuzz::pipeline(data);
});
