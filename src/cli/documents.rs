//! Writing a set of documents (appeal letters, printable remittances) into
//! a folder: the folder is created owner-only when missing, each file is
//! written to an owner-only temporary file beside its target and the files
//! are renamed into place only once every document of the run was made, so
//! a run that fails midway leaves the folder as it was. File names come
//! from [`crate::letters::safe_file_stem`] (payer, claim id, date: no
//! patient), numbered when two documents would share one.

use std::collections::HashSet;
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
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                // The documents carry patients' names and member ids.
                builder.mode(0o700);
            }
            builder
                .create(dir)
                .map_err(|e| anyhow::anyhow!("cannot create folder {}: {e}", dir.display()))?;
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
