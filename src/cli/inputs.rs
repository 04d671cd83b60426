//! Input discovery: files and folders named on the command line, walked in a
//! stable order; files inside folders that are not X12 are skipped with a
//! note, files named directly are always read (and rejected if not X12).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Its path.
    pub path: PathBuf,
    /// True when named on the command line (not found in a folder).
    pub named: bool,
}

impl Input {
    /// The path as shown in output.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// What walking the paths found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Inputs to read, in order.
    pub inputs: Vec<Input>,
    /// Notes about files skipped inside folders.
    pub skipped: Vec<String>,
    /// Paths that could not be read at all.
    pub errors: Vec<(PathBuf, String)>,
}

/// How many leading bytes are searched for an ISA when walking folders.
const SNIFF_LEN: usize = 64 * 1024;

/// Expands `paths` into input files.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut found),
            Ok(_) => found.inputs.push(Input {
                path: path.clone(),
                named: true,
            }),
            Err(e) => found.errors.push((path.clone(), e.to_string())),
        }
    }
    found
}

fn walk(dir: &Path, found: &mut Discovery) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            found.errors.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, found);
        } else if looks_like_x12(&path) {
            found.inputs.push(Input { path, named: false });
        } else {
            found.skipped.push(format!(
                "{}: not X12 (no ISA segment); skipped",
                path.display()
            ));
        }
    }
}

/// True when the first bytes of the file contain an ISA segment start.
pub fn looks_like_x12(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return true; // let the reader report the error
    };
    let mut head = Vec::with_capacity(SNIFF_LEN);
    if file.take(SNIFF_LEN as u64).read_to_end(&mut head).is_err() {
        return true;
    }
    starts_like_x12(&head)
}

/// True when the first bytes of `content` contain an ISA segment start,
/// usable or not: an ISA with a tab (or letter, digit…) element separator
/// is an X12 file that cannot be read, to be rejected with that reason
/// rather than skipped as "not X12". An ISA separated by spaces is not
/// counted: prose mentioning "ISA 00" would look like one.
pub fn starts_like_x12(content: &[u8]) -> bool {
    let head = &content[..content.len().min(SNIFF_LEN)];
    memchr::memmem::find_iter(head, b"ISA")
        .any(|at| matches!(crate::x12::delims::read_isa(&head[at..], true), Ok(Some(_))))
        || crate::x12::delims::find_unusable_isa(head).is_some_and(|(_, sep)| sep != b' ')
}
