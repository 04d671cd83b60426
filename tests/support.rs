//! Shared helpers: where the sample corpus and samples live, running the
//! binary, walking folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The public 835/837 sample corpus committed in `tests/corpus/` (see its
/// README.md and SOURCES.md), so the tests need nothing outside the clone.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The repository's samples folder.
#[allow(dead_code)]
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Every file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs the `remit` binary with `args`.
pub fn remit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_remit"))
        .args(args)
        .output()
        .expect("remit runs")
}

/// A fresh temporary directory for one test, `remit-test-<pid>-<name>`.
///
/// Left in place when the test ends (helpers hand out paths inside it, and
/// a failed test's files are evidence); instead, the first call of a run
/// removes the directories of earlier runs whose process is gone, so
/// repeated runs do not fill the disk (some tests write 76 MB, and a day
/// of runs once left 15 GB).
pub fn temp_dir(name: &str) -> PathBuf {
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(remove_stale_dirs);
    let dir = std::env::temp_dir().join(format!("remit-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes the `remit-test-<pid>-*` directories of processes that no longer
/// run. Only where `/proc` says which processes run: elsewhere a directory
/// of a concurrent run could not be told from a stale one.
fn remove_stale_dirs() {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("remit-test-")) else {
            continue;
        };
        let Some((pid, _)) = rest.split_once('-') else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
