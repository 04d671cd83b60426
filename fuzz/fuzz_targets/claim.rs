//! Fuzz target: `remit_fuzz::claim_body` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit_fuzz::claim_body(data);
});
