//! Replays the committed fuzzing corpus (`fuzz/corpus/<target>/`) through
//! the same entry points the fuzz targets call, so every input a fuzzer
//! ever kept is checked on every CI run.

use std::path::Path;

use crate::support::files_under;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    if !dir.exists() {
        return 0;
    }
    let files = files_under(&dir);
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let result = std::panic::catch_unwind(|| run(&data));
        assert!(result.is_ok(), "{} panics", file.display());
    }
    files.len()
}

#[test]
fn the_fuzzing_corpus_replays_without_panics() {
    let total = replay("lexer", remit::fuzzing::lexer)
        + replay("document", remit::fuzzing::document)
        + replay("remittance", remit::fuzzing::remittance_body)
        + replay("claim", remit::fuzzing::claim_body);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    if committed.exists() {
        assert!(total > 0, "fuzz/corpus exists but holds nothing");
    }
}

#[test]
fn the_sample_corpus_and_samples_never_panic_any_target() {
    let mut inputs = files_under(&crate::support::corpus());
    inputs.extend(files_under(&crate::support::samples()));
    for file in inputs {
        let data = std::fs::read(&file).unwrap();
        for run in [remit::fuzzing::lexer, remit::fuzzing::document] {
            assert!(
                std::panic::catch_unwind(|| run(&data)).is_ok(),
                "{} panics",
                file.display()
            );
        }
    }
}
