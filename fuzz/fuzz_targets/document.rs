//! Fuzz target: `remit::fuzzing::document` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit::fuzzing::document(data);
});
