//! Fuzz target: `remit_fuzz::document` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit_fuzz::document(data);
});
