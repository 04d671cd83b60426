//! Where tables, reports and split files go, and how findings about inputs
//! are printed on standard error.
//!
//! Every file a command writes is written to a new owner-only (0600)
//! temporary file in the target's folder and renamed over the target only
//! when the command has finished it ([`Output::commit`]). So a run that
//! fails — a mistyped option, an unreadable fee schedule, a full disk, a
//! kill — leaves the previous output byte for byte; an output that is
//! replaced gets the new file's owner-only permissions (it carries
//! patients' names and member ids) whatever the old one had; and a symbolic
//! link at the target is replaced by the file, never written through.
//!
//! Two targets are written directly instead: `-` (standard output, which
//! keeps streaming) and an existing file that is not a regular file — a
//! device such as `/dev/null` or `/dev/stdout`, or a FIFO — where a rename
//! would replace the device rather than write to it.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::{NamedTempFile, TempPath};

use crate::diagnostic::{Issue, Severity};

/// Buffer size of every output: large writes, few system calls.
const BUFFER: usize = 1 << 16;

/// One output of a command: standard output, a device, or a staged file
/// that replaces its target on [`Output::commit`]. Dropped without a
/// commit, a staged file is removed and the target is left as it was.
pub struct Output {
    target: Target,
    /// The target as errors name it.
    shown: String,
}

enum Target {
    Stdout(BufWriter<io::Stdout>),
    /// A device or FIFO, written in place.
    Special(BufWriter<File>),
    /// A temporary file beside `path`, renamed over it on commit.
    Staged {
        path: PathBuf,
        file: BufWriter<NamedTempFile>,
    },
}

impl Output {
    /// Prepares the output `path` (`-` is standard output). Fails — before
    /// anything is written — when `path` is a folder or its folder cannot
    /// hold a new file.
    pub fn create(path: &Path) -> anyhow::Result<Output> {
        if path.as_os_str() == "-" {
            let stdout = BufWriter::with_capacity(BUFFER, io::stdout());
            return Ok(Output {
                target: Target::Stdout(stdout),
                shown: "standard output".into(),
            });
        }
        // `metadata` follows a link: a link to a device is written through
        // (`/dev/stdout` is one), a link to anything else is replaced.
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                anyhow::bail!("{}: is a folder, not a file to write", path.display())
            }
            Ok(meta) if !meta.is_file() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .with_context(|| format!("cannot open {} for writing", path.display()))?;
                return Ok(Output {
                    target: Target::Special(BufWriter::with_capacity(BUFFER, file)),
                    shown: path.display().to_string(),
                });
            }
            _ => {}
        }
        let file = stage_beside(path)?;
        Ok(Output {
            target: Target::Staged {
                path: path.to_path_buf(),
                file: BufWriter::with_capacity(BUFFER, file),
            },
            shown: path.display().to_string(),
        })
    }

    /// Finishes the output: flushes it and, for a file, moves it into
    /// place. Only now does the target change.
    pub fn commit(self) -> anyhow::Result<()> {
        let shown = self.shown;
        let named = |e: io::Error| io::Error::new(e.kind(), format!("cannot write {shown}: {e}"));
        match self.target {
            Target::Stdout(mut out) => Ok(out.flush().map_err(named)?),
            Target::Special(mut out) => Ok(out.flush().map_err(named)?),
            Target::Staged { path, file } => {
                let file = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                // On disk before the rename, so that a crash never leaves a
                // renamed but empty output.
                file.as_file()
                    .sync_all()
                    .with_context(|| format!("cannot write {}", path.display()))?;
                replace(file.into_temp_path(), &path, true)
            }
        }
    }
}

impl Output {
    /// Where the next byte will go, for [`Output::rewind`]: only a staged
    /// file (a temporary file nobody else sees yet) can be rewound.
    fn mark(&mut self) -> io::Result<Option<u64>> {
        use std::io::Seek;
        match &mut self.target {
            Target::Staged { file, .. } => {
                file.flush()?;
                Ok(Some(file.get_mut().as_file_mut().stream_position()?))
            }
            _ => Ok(None),
        }
    }

    /// Drops every byte written after `mark`.
    fn rewind(&mut self, mark: u64) -> io::Result<()> {
        use std::io::{Seek, SeekFrom};
        if let Target::Staged { file, .. } = &mut self.target {
            file.flush()?;
            let file = file.get_mut().as_file_mut();
            file.set_len(mark)?;
            file.seek(SeekFrom::Start(mark))?;
        }
        Ok(())
    }
}

impl Output {
    /// An error of writing, naming the output (its kind is kept, so that a
    /// closed pipe is still recognised).
    fn named(&self, error: io::Error) -> io::Error {
        io::Error::new(
            error.kind(),
            format!("cannot write {}: {error}", self.shown),
        )
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = match &mut self.target {
            Target::Stdout(out) => out.write(buf),
            Target::Special(out) => out.write(buf),
            Target::Staged { file, .. } => file.write(buf),
        };
        result.map_err(|e| self.named(e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let result = match &mut self.target {
            Target::Stdout(out) => out.write_all(buf),
            Target::Special(out) => out.write_all(buf),
            Target::Staged { file, .. } => file.write_all(buf),
        };
        result.map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = match &mut self.target {
            Target::Stdout(out) => out.flush(),
            Target::Special(out) => out.flush(),
            Target::Staged { file, .. } => file.flush(),
        };
        result.map_err(|e| self.named(e))
    }
}

/// A new owner-only temporary file in the folder of `target`, named after
/// it (`.NAME.XXXXXX.remit-tmp`, hidden) so that a file left by a killed
/// run says what it was for.
pub fn stage_beside(target: &Path) -> anyhow::Result<NamedTempFile> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = OsString::from(".");
    prefix.push(target.file_name().unwrap_or(target.as_os_str()));
    prefix.push(".");
    // tempfile creates the file with O_EXCL and mode 0600 on Unix.
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".remit-tmp")
        .tempfile_in(dir)
        .map_err(|e| {
            // tempfile's error names the random temporary name; the user
            // needs the folder and the reason.
            let text = e.to_string();
            let reason = text.split(" at path ").next().unwrap_or_default();
            anyhow::anyhow!(
                "cannot write {}: cannot create a file in {}: {reason}",
                target.display(),
                dir.display()
            )
        })
}

/// Moves a finished temporary file to `target` by renaming it: the target
/// (or a link there) is replaced in one step. Without `overwrite`, an
/// existing target is an `AlreadyExists` error and the temporary file is
/// removed.
pub fn replace(temp: TempPath, target: &Path, overwrite: bool) -> anyhow::Result<()> {
    let result = if overwrite {
        temp.persist(target)
    } else {
        temp.persist_noclobber(target)
    };
    result.map_err(|e| {
        let context = if e.error.kind() == io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists; use --force to overwrite",
                target.display()
            )
        } else {
            format!("cannot write {}", target.display())
        };
        anyhow::Error::new(e.error).context(context)
    })?;
    sync_folder(target);
    Ok(())
}

/// Makes a rename in `target`'s folder durable. Best effort: some file
/// systems cannot sync a folder, and the data itself is already on disk.
fn sync_folder(target: &Path) {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(Ok(dir)) = dir.map(File::open) {
        let _ = dir.sync_all();
    }
}

/// Bytes kept in memory by a [`Held`] before it spills to disk.
const HELD_IN_MEMORY: usize = 1 << 20;

/// An output whose rows come input by input and are kept only for the
/// inputs that turn out to be good: [`InputRows::accept`] keeps what was
/// written since [`InputRows::begin_input`], [`InputRows::reject`] drops it.
///
/// A file output is still a temporary file nobody else sees, so rows go
/// straight into it and a rejection cuts the file back: nothing is held.
/// Standard output and devices cannot be taken back, so their rows are
/// held ([`Held`]: up to 1 MiB in memory, the rest in an unnamed
/// owner-only temporary file) until the input is accepted.
pub struct InputRows {
    out: Output,
    held: Held,
    /// With a file output: its length when the current input began.
    mark: Option<u64>,
    rewindable: bool,
}

impl InputRows {
    /// Rows for `out`.
    pub fn new(mut out: Output) -> io::Result<InputRows> {
        let rewindable = out.mark()?.is_some();
        Ok(InputRows {
            out,
            held: Held::default(),
            mark: None,
            rewindable,
        })
    }

    /// What is written from now on belongs to a new input.
    pub fn begin_input(&mut self) -> io::Result<()> {
        self.mark = self.out.mark()?;
        Ok(())
    }

    /// Keeps the current input's rows (and anything written outside an
    /// input, such as a header).
    pub fn accept(&mut self) -> io::Result<()> {
        self.mark = None;
        self.held.release(&mut self.out)
    }

    /// Drops the current input's rows.
    pub fn reject(&mut self) -> io::Result<()> {
        if let Some(mark) = self.mark.take() {
            self.out.rewind(mark)?;
        }
        self.held.discard()
    }

    /// The output, once every input is accepted or rejected.
    pub fn into_output(mut self) -> io::Result<Output> {
        self.accept()?;
        Ok(self.out)
    }
}

impl Write for InputRows {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.rewindable {
            self.out.write(buf)
        } else {
            self.held.write(buf)
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A [`Write`] into shared [`InputRows`], for a sink that writes while its
/// caller decides what to keep.
pub struct SharedRows(pub std::rc::Rc<std::cell::RefCell<InputRows>>);

impl Write for SharedRows {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Output held back in memory, then in an unnamed temporary file, until it
/// is released or discarded.
#[derive(Default)]
struct Held {
    memory: Vec<u8>,
    spill: Option<File>,
    spilled: bool,
}

impl Held {
    /// Writes what is held to `out` and holds nothing any more.
    fn release(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.spilled {
            use std::io::{Seek, SeekFrom};
            let spill = self.spill.as_mut().expect("a spill file when spilled");
            spill.flush()?;
            spill.seek(SeekFrom::Start(0))?;
            io::copy(spill, out)?;
        }
        out.write_all(&self.memory)?;
        self.discard()
    }

    /// Drops what is held.
    fn discard(&mut self) -> io::Result<()> {
        self.memory.clear();
        if self.spilled {
            use std::io::{Seek, SeekFrom};
            let spill = self.spill.as_mut().expect("a spill file when spilled");
            spill.set_len(0)?;
            spill.seek(SeekFrom::Start(0))?;
            self.spilled = false;
        }
        Ok(())
    }
}

impl Write for Held {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.memory.len() + buf.len() <= HELD_IN_MEMORY {
            self.memory.extend_from_slice(buf);
            return Ok(buf.len());
        }
        if self.spill.is_none() {
            self.spill = Some(tempfile::tempfile()?);
        }
        let spill = self.spill.as_mut().expect("just created");
        // Memory first, so the spill file holds the bytes in order.
        spill.write_all(&self.memory)?;
        self.memory.clear();
        spill.write_all(buf)?;
        self.spilled = true;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Prints one finding about `source` on standard error.
pub fn report(source: &str, issue: &Issue) {
    eprintln!("{source}: {issue}");
}

/// Prints the fatal and invalid findings of a file; counts the warnings.
pub fn report_problems(source: &str, issues: &[Issue]) {
    let mut warnings = 0;
    for issue in issues {
        if issue.severity == Severity::Warning {
            warnings += 1;
        } else {
            report(source, issue);
        }
    }
    if warnings > 0 {
        eprintln!("{source}: {warnings} warning(s); `remit validate` lists them");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_target_changes_only_on_commit_and_nothing_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ledger.csv");
        std::fs::write(&target, "previous\n").unwrap();
        let mut out = Output::create(&target).unwrap();
        out.write_all(b"new\n").unwrap();
        out.flush().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"previous\n");
        drop(out);
        assert_eq!(std::fs::read(&target).unwrap(), b"previous\n");
        assert_eq!(files_in(dir.path()), ["ledger.csv"]);

        let mut out = Output::create(&target).unwrap();
        out.write_all(b"new\n").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new\n");
        assert_eq!(files_in(dir.path()), ["ledger.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_output_is_owner_only_and_a_link_is_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("open.csv");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = Output::create(&target).unwrap();
        out.commit().unwrap();
        assert_eq!(mode(&target), 0o600);

        let elsewhere = dir.path().join("elsewhere.txt");
        std::fs::write(&elsewhere, "keep me").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let mut out = Output::create(&link).unwrap();
        out.write_all(b"rows").unwrap();
        out.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(std::fs::read(&link).unwrap(), b"rows");
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"keep me");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place() {
        let mut out = Output::create(Path::new("/dev/null")).unwrap();
        out.write_all(b"gone").unwrap();
        out.commit().unwrap();
        assert!(!std::fs::symlink_metadata("/dev/null").unwrap().is_file());
    }

    #[test]
    fn a_folder_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let error = Output::create(dir.path()).err().unwrap().to_string();
        assert!(error.contains("is a folder"), "{error}");
        let missing = dir.path().join("no/such/folder/out.csv");
        let error = format!("{:#}", Output::create(&missing).err().unwrap());
        assert!(error.contains("cannot create a file in"), "{error}");
    }

    #[test]
    fn held_bytes_are_released_in_order_or_discarded_even_past_memory() {
        let mut held = Held::default();
        let big: Vec<u8> = (0..3 * HELD_IN_MEMORY).map(|i| (i % 251) as u8).collect();
        held.write_all(b"head").unwrap();
        for chunk in big.chunks(4096) {
            held.write_all(chunk).unwrap();
        }
        held.write_all(b"tail").unwrap();
        let mut out = Vec::new();
        held.release(&mut out).unwrap();
        let mut expected = b"head".to_vec();
        expected.extend_from_slice(&big);
        expected.extend_from_slice(b"tail");
        assert_eq!(out.len(), expected.len());
        assert!(out == expected);

        held.write_all(&big).unwrap();
        held.discard().unwrap();
        held.write_all(b"next").unwrap();
        let mut out = Vec::new();
        held.release(&mut out).unwrap();
        assert_eq!(out, b"next");
    }

    #[test]
    fn a_file_output_keeps_the_rows_of_accepted_inputs_only() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("lines.csv");
        let mut rows = InputRows::new(Output::create(&target).unwrap()).unwrap();
        rows.write_all(b"header\n").unwrap();
        rows.accept().unwrap();
        for (text, good) in [("a\n", true), ("bad\nrows\n", false), ("c\n", true)] {
            rows.begin_input().unwrap();
            rows.write_all(text.as_bytes()).unwrap();
            if good {
                rows.accept().unwrap();
            } else {
                rows.reject().unwrap();
            }
        }
        rows.into_output().unwrap().commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"header\na\nc\n");
    }

    #[test]
    fn without_overwrite_an_existing_target_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("part.835");
        std::fs::write(&target, "first").unwrap();
        let temp = stage_beside(&target).unwrap().into_temp_path();
        let error = replace(temp, &target, false).unwrap_err().to_string();
        assert!(error.contains("already exists; use --force"), "{error}");
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert_eq!(files_in(dir.path()), ["part.835"]);
    }
}
