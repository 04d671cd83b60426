//! Writing a set of documents (appeal letters, printable remittances) into
//! a folder: the folder is created owner-only when missing, each file is
//! written to an owner-only temporary file beside its target and the files
//! are renamed into place only once every document of the run was made, so
//! a run that fails midway leaves the folder as it was. File names come
//! from [`crate::letters::safe_file_stem`] (payer, claim id, date: no
//! patient), numbered when two documents would share one.
//!
//! A set that must mirror a worklist (appeal letters) is committed with
//! [`Documents::commit_retiring`]: a manifest in the folder names the files
//! the previous run wrote, and those this run did not write again (the
//! item was won, lost or otherwise left the worklist) are moved into
//! an `archive/` subfolder — never deleted, and files remit did not write are
//! never touched.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use super::output::{replace, stage_beside};

/// The documents of one run, staged until [`Documents::commit`].
pub struct Documents {
    dir: PathBuf,
    taken: HashSet<String>,
    staged: Vec<(TempPath, PathBuf)>,
}

impl Documents {
    /// Documents going into `dir`, created (owner-only) when missing. A
    /// path that exists and is not a folder is an error.
    pub fn create(dir: &Path) -> anyhow::Result<Documents> {
        if let Ok(meta) = std::fs::metadata(dir) {
            anyhow::ensure!(
                meta.is_dir(),
                "{} exists and is not a folder",
                dir.display()
            );
        } else {
            create_private_dir(dir)?;
        }
        Ok(Documents {
            dir: dir.to_path_buf(),
            taken: HashSet::new(),
            staged: Vec::new(),
        })
    }

    /// A file stem not used yet in this run: `stem`, else `stem-2`, `-3`…
    pub fn unique_stem(&mut self, stem: &str) -> String {
        let mut candidate = stem.to_string();
        let mut k = 1;
        while !self.taken.insert(candidate.to_ascii_lowercase()) {
            k += 1;
            candidate = format!("{stem}-{k}");
        }
        candidate
    }

    /// Stages `bytes` as `name` in the folder.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.dir.join(name);
        let mut file = stage_beside(&path)?;
        file.write_all(bytes)
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        self.staged.push((file.into_temp_path(), path));
        Ok(())
    }

    /// Like [`Documents::commit`], then moves the files the previous run
    /// listed in the folder's `manifest` and this run did not write into
    /// `archive/` (owner-only), and records this run's files in the
    /// manifest. Returns (files written, files moved).
    pub fn commit_retiring(self, manifest: &str) -> anyhow::Result<(usize, usize)> {
        let manifest_path = self.dir.join(manifest);
        let previous = read_manifest(&manifest_path)?;
        let dir = self.dir.clone();
        let written: BTreeSet<String> = self
            .staged
            .iter()
            .filter_map(|(_, path)| path.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        let n = self.commit()?;
        let mut moved = 0;
        for name in previous.difference(&written) {
            let from = dir.join(name);
            // Only a regular file remit wrote: a name the user replaced with
            // a folder or a link is left alone.
            match std::fs::symlink_metadata(&from) {
                Ok(meta) if meta.is_file() => {}
                _ => continue,
            }
            let archive = dir.join("archive");
            create_private_dir(&archive)?;
            std::fs::rename(&from, archive.join(name)).map_err(|e| {
                anyhow::anyhow!(
                    "cannot move {} into {}: {e}",
                    from.display(),
                    archive.display()
                )
            })?;
            moved += 1;
        }
        let mut text = String::new();
        for name in &written {
            text.push_str(name);
            text.push('\n');
        }
        let mut file = stage_beside(&manifest_path)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", manifest_path.display()))?;
        replace(file.into_temp_path(), &manifest_path, true)?;
        Ok((n, moved))
    }

    /// Moves every staged file into place (replacing an earlier run's file
    /// of the same name).
    pub fn commit(self) -> anyhow::Result<usize> {
        let n = self.staged.len();
        for (temp, path) in self.staged {
            replace(temp, &path, true)?;
        }
        Ok(n)
    }
}

/// The file names a manifest lists; none when it does not exist. A name
/// that is not a plain file name (a path, `..`) is ignored: the manifest
/// sits in a folder others may write to, and must not move files outside.
fn read_manifest(path: &Path) -> anyhow::Result<BTreeSet<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|name| {
            !name.is_empty() && *name != "." && *name != ".." && !name.contains(['/', '\\', '\0'])
        })
        .map(String::from)
        .collect())
}

/// Creates `dir` owner-only when missing: the documents carry patients'
/// names and member ids.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| anyhow::anyhow!("cannot create folder {}: {e}", dir.display()))
}
