//! Tests only: the X12 files bundled with the repository (the samples and
//! the public corpus), for tests that hold a reader or a codec to every
//! real input rather than a hand-written one.

use std::path::{Path, PathBuf};

/// Every file under `samples/` and `tests/corpus/` that holds an ISA,
/// recursively, in a stable order.
pub fn bundled() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    under(&root.join("samples"), &mut files);
    under(&root.join("tests/corpus"), &mut files);
    files.sort();
    files
}

fn under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            under(&path, out);
        } else if std::fs::read(&path).is_ok_and(|b| b.windows(3).any(|w| w == b"ISA")) {
            out.push(path);
        }
    }
}
