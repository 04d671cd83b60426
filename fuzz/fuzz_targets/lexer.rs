//! Fuzz target: `remit::fuzzing::lexer` must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    remit::fuzzing::lexer(data);
});
