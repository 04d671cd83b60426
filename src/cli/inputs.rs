//! Input discovery: files and folders named on the command line, walked in a
//! stable order; files inside folders that are not X12 are skipped with a
//! note, files named directly are always read (and rejected if not X12).
//!
//! Only regular files are ever opened. Symbolic links are followed — a
//! folder of links to the day's files is a common way to gather them — but
//! each real folder is walked once and each real file read once (both
//! known by device and inode), so a link loop ends and a file reachable by
//! two paths is not counted twice. A FIFO, socket or device found in a
//! folder is skipped with a note; one named on the command line (a FIFO,
//! `/dev/zero`) is refused with an error naming it. Opening such a file
//! would block forever or never end.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Its path.
    pub path: PathBuf,
    /// True when named on the command line (not found in a folder).
    pub named: bool,
    /// Its size in bytes when it was found (for progress).
    pub size: u64,
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

impl Discovery {
    /// Fails with exit status 1 when there is nothing to read at all (an
    /// empty or wrong folder), after printing why, so that no command
    /// reports success — or replaces an output — having read nothing.
    pub fn require_inputs(&self, paths: &[PathBuf]) -> anyhow::Result<()> {
        if !self.inputs.is_empty() {
            return Ok(());
        }
        for note in &self.skipped {
            eprintln!("note: {note}");
        }
        for (path, error) in &self.errors {
            eprintln!("{}: {error}", path.display());
        }
        let message = if self.errors.len() == paths.len() {
            // Each path's own error, just printed, says why.
            "nothing could be read; nothing written".to_string()
        } else {
            let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            format!("no X12 file found in {}; nothing written", named.join(", "))
        };
        Err(super::Stop::new(super::EXIT_INPUT, message).into())
    }

    /// Total size of the inputs, in bytes.
    pub fn bytes(&self) -> u64 {
        self.inputs.iter().map(|i| i.size).sum()
    }
}

/// How many leading bytes are searched for an ISA when walking folders.
const SNIFF_LEN: usize = 64 * 1024;

/// Expands `paths` into input files.
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut walk = Walk::default();
    for path in paths {
        // `metadata` follows links: a link named on the command line is
        // what it points to.
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk.folder(path, &meta),
            Ok(meta) if meta.is_file() => walk.file(path, &meta, true),
            Ok(meta) => walk.found.errors.push((
                path.clone(),
                format!(
                    "not a regular file ({}); remit reads files and folders",
                    kind(&meta)
                ),
            )),
            Err(e) => walk
                .found
                .errors
                .push((path.clone(), format!("cannot read: {e}"))),
        }
    }
    walk.found
}

/// The walk's state: what was found, and which real folders and files
/// were already reached.
#[derive(Default)]
struct Walk {
    found: Discovery,
    folders: HashSet<Identity>,
    files: HashSet<Identity>,
}

impl Walk {
    fn folder(&mut self, dir: &Path, meta: &Metadata) {
        if !self.folders.insert(identity(dir, meta)) {
            self.found.skipped.push(format!(
                "{}: a folder already read (a symbolic link loop, or a second path to it); skipped",
                dir.display()
            ));
            return;
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                let error = format!("cannot read folder: {e}");
                self.found.errors.push((dir.to_path_buf(), error));
                return;
            }
        };
        entries.sort();
        for path in entries {
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => self.folder(&path, &meta),
                Ok(meta) if meta.is_file() => self.file(&path, &meta, false),
                Ok(meta) => self.found.skipped.push(format!(
                    "{}: not a regular file ({}); skipped",
                    path.display(),
                    kind(&meta)
                )),
                Err(e) => self
                    .found
                    .skipped
                    .push(format!("{}: cannot read ({e}); skipped", path.display())),
            }
        }
    }

    fn file(&mut self, path: &Path, meta: &Metadata, named: bool) {
        if !self.files.insert(identity(path, meta)) {
            self.found.skipped.push(format!(
                "{}: the same file as one already read; skipped",
                path.display()
            ));
            return;
        }
        if named || looks_like_x12(path) {
            let input = Input {
                path: path.to_path_buf(),
                named,
                size: meta.len(),
            };
            self.found.inputs.push(input);
        } else {
            self.found.skipped.push(format!(
                "{}: not X12 (no ISA segment); skipped",
                path.display()
            ));
        }
    }
}

/// What makes two paths the same file or folder.
#[cfg(unix)]
type Identity = (u64, u64);
#[cfg(not(unix))]
type Identity = PathBuf;

#[cfg(unix)]
fn identity(_path: &Path, meta: &Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _meta: &Metadata) -> Identity {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What a file that is neither a regular file nor a folder is, in words.
fn kind(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "not a file or folder"
}

/// Opens `path` for reading if it is a regular file; a FIFO, socket or
/// device is refused with an error naming it. The check is made on the
/// opened file, and the open itself does not wait for a FIFO's writer, so
/// a file swapped for a FIFO after discovery cannot hang a run either.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        Ok(file)
    } else if meta.is_dir() {
        Err(std::io::Error::other("is a folder, not a file"))
    } else {
        Err(std::io::Error::other(format!(
            "not a regular file ({}); remit reads files",
            kind(&meta)
        )))
    }
}

/// The whole content of the regular file `path` given with `option` (a
/// fee schedule, code list, bank statement, posting export); an error
/// names both: `--fee-schedule fees.csv: cannot read: …`.
pub fn read_option_file(option: &str, path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_regular(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .with_context(|| format!("{option} {}: cannot read", path.display()))?;
    Ok(bytes)
}

/// True when the first bytes of the file contain an ISA segment start.
pub fn looks_like_x12(path: &Path) -> bool {
    let Ok(file) = open_regular(path) else {
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_link_loop_and_a_second_path_read_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        let isa = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *240301*1200*^*00501*000000001*0*P*:~";
        std::fs::write(root.join("sub/a.835"), isa).unwrap();
        std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("sub/a.835"), root.join("alias.835")).unwrap();
        let found = discover(std::slice::from_ref(&root));
        let named: Vec<_> = found.inputs.iter().map(|i| i.path.clone()).collect();
        assert_eq!(named, [root.join("alias.835")], "{:?}", found.skipped);
        assert_eq!(found.skipped.len(), 2, "{:?}", found.skipped);
        assert!(
            found
                .skipped
                .iter()
                .any(|s| s.contains("loop: a folder already read"))
        );
        assert!(
            found
                .skipped
                .iter()
                .any(|s| s.contains("a.835: the same file"))
        );
    }

    #[test]
    fn a_regular_file_is_opened_and_a_device_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.csv");
        std::fs::write(&file, "a").unwrap();
        assert!(open_regular(&file).is_ok());
        let error = open_regular(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a regular file (a device)"), "{error}");
        let error = read_option_file("--bank", Path::new("/dev/zero")).unwrap_err();
        let error = format!("{error:#}");
        assert!(
            error.starts_with("--bank /dev/zero: cannot read"),
            "{error}"
        );
    }
}
