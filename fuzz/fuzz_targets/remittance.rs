//! Fuzz target: `remit::fuzzing::remittance_body` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit::fuzzing::remittance_body(data);
});
