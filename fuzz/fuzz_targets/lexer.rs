//! Fuzz target: `remit_fuzz::lexer` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit_fuzz::lexer(data);
});
