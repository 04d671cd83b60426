//! The history store a command runs against: `--db FILE` (SQLite, made
//! owner-only, refused when it is not a remit store) or, without it, one
//! in memory for the run; and the rows a store already holds.

use std::path::{Path, PathBuf};

use crate::codes::CodeList;
use crate::history::{Failure, HistoryStore, MemoryStore, SqliteStore, StoreError};
use crate::line::DecidedLine;

/// Opens the store named by `--db`, else an in-memory one. A path that is
/// not a regular file, or a file that is not a remit store, is refused
/// (and left untouched). An existing store is made owner-only: it holds
/// patients' names and member ids, whatever mode an older remit or a copy
/// gave it.
pub fn open_store(db: Option<&Path>, codes: &CodeList) -> anyhow::Result<Box<dyn HistoryStore>> {
    let Some(path) = db else {
        return Ok(Box::new(MemoryStore::new()));
    };
    Ok(Box::new(open_sqlite(path, codes)?))
}

/// Opens an existing or new SQLite history store at `path` (see
/// [`open_store`]); a store written by an older remit has its decisions
/// re-derived with `codes`.
pub fn open_sqlite(path: &Path, codes: &CodeList) -> anyhow::Result<SqliteStore> {
    let shown = path.display();
    if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        anyhow::bail!("{shown}: not a file; --db needs a remit history store (a SQLite file)");
    }
    let store = SqliteStore::open_with_codes(path, codes).map_err(|e| store_error(path, e))?;
    for file in [
        path.to_path_buf(),
        suffixed(path, "-wal"),
        suffixed(path, "-shm"),
    ] {
        owner_only(&file);
    }
    Ok(store)
}

/// Takes the write lock of the store at `path`: an exclusive advisory lock
/// on `<path>.lock` (created owner-only), held until the returned file is
/// dropped. A run holds it from ingest through deciding, so that two runs
/// sharing a store take turns: decisions depend only on what the store
/// holds, so the result is that of one run after the other, whichever
/// went first. A run that has to wait says so on standard error. (SQLite's
/// own locks are per store transaction, too short to keep one run's
/// ingest from landing between another's decisions.) Elsewhere than Unix
/// the file is made but not locked: runs must not share a store at once.
pub fn lock_store(path: &Path) -> anyhow::Result<std::fs::File> {
    use anyhow::Context;
    let lock = suffixed(path, ".lock");
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&lock)
        .with_context(|| format!("{}: cannot create the store's lock file", lock.display()))?;
    owner_only(&lock);
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                eprintln!(
                    "{}: waiting for another remit run on this store to finish (it holds {})",
                    path.display(),
                    lock.display()
                );
                flock(&file, FlockOperation::LockExclusive).map_err(|e| {
                    anyhow::Error::new(std::io::Error::from(e))
                        .context(format!("{}: cannot lock the store", lock.display()))
                })?;
            }
            Err(e) => {
                return Err(anyhow::Error::new(std::io::Error::from(e))
                    .context(format!("{}: cannot lock the store", lock.display())));
            }
        }
    }
    Ok(file)
}

/// `path` with `suffix` appended to its file name (SQLite's companions).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes group and other permissions from an existing file (best effort:
/// a store shared read-only by its owner is still read).
fn owner_only(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            let tightened = std::fs::Permissions::from_mode(mode & 0o700);
            if let Err(e) = std::fs::set_permissions(path, tightened) {
                eprintln!(
                    "{}: warning: cannot make it owner-only: {e}",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// A store error that names the file once and says what it means.
fn store_error(path: &Path, error: StoreError) -> anyhow::Error {
    let shown = path.display().to_string();
    if error.failure() == Some(Failure::NotADatabase) {
        return anyhow::anyhow!(
            "{shown}: not a remit history store (not a SQLite database); it was left untouched"
        );
    }
    let text = error.to_string();
    let error = anyhow::Error::new(error);
    if text.contains(&shown) {
        error
    } else {
        error.context(shown)
    }
}

/// Every ledger row stored in the history at `db`, by payment date.
pub fn stored_rows(db: &Path, codes: &CodeList) -> anyhow::Result<Vec<DecidedLine>> {
    let store = open_sqlite(db, codes)?;
    let mut rows = Vec::new();
    store.rows(&Default::default(), |row| -> anyhow::Result<()> {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}
