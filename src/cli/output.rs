//! Where tables and reports go: a file (created owner-only, since ledgers
//! carry patients' names and member ids) or standard output; and how
//! findings about inputs are printed on standard error.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use crate::diagnostic::{Issue, Severity};

/// Opens `path` for writing (`-` is standard output).
pub fn open(path: &Path) -> anyhow::Result<Box<dyn Write>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::with_capacity(
            1 << 16,
            std::io::stdout().lock(),
        )));
    }
    let file =
        create_file(path, true).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(Box::new(BufWriter::with_capacity(1 << 16, file)))
}

/// Creates `path` owner-only (0600 on Unix). Without `overwrite` an
/// existing file is an `AlreadyExists` error and is left untouched.
pub fn create_file(path: &Path, overwrite: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
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
