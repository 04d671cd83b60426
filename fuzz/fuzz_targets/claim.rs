//! Fuzz target: `remit::fuzzing::claim_body` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit::fuzzing::claim_body(data);
});
