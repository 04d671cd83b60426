//! Progress on standard error for long runs: files and bytes read, rate and
//! time left while reading, then the transactions decided. Drawn only when
//! standard error is a terminal (a person is watching) and `--quiet` is not
//! given; a scheduled job's log or a pipe never receives it.

use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::inputs::Discovery;

/// Whether to draw progress: never with `--quiet`, never when standard
/// error is not a terminal (a file, a pipe, a scheduler's log).
pub fn should_show(quiet: bool, stderr_is_terminal: bool) -> bool {
    !quiet && stderr_is_terminal
}

/// The progress of one run. When not shown, every method does nothing.
pub struct Progress {
    shown: bool,
    reading: ProgressBar,
    files: usize,
    done: AtomicUsize,
}

impl Progress {
    /// Progress over the inputs `found`, shown as [`should_show`] decides.
    pub fn new(found: &Discovery, quiet: bool) -> Progress {
        let shown = should_show(quiet, std::io::stderr().is_terminal());
        let reading = if shown {
            let bar =
                ProgressBar::with_draw_target(Some(found.bytes()), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "reading {msg} [{bar:20}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)",
                )
                .expect("the template is valid")
                .progress_chars("=> "),
            );
            // Set without drawing: the bar appears with the first bytes
            // read, after the notes about skipped files.
            bar.with_message(format!("0/{} file(s)", found.inputs.len()))
        } else {
            ProgressBar::hidden()
        };
        Progress {
            shown,
            reading,
            files: found.inputs.len(),
            done: AtomicUsize::new(0),
        }
    }

    /// No progress at all (for tests).
    #[cfg(test)]
    pub fn hidden() -> Progress {
        Progress {
            shown: false,
            reading: ProgressBar::hidden(),
            files: 0,
            done: AtomicUsize::new(0),
        }
    }

    fn show_files(&self, done: usize) {
        if self.shown {
            self.reading
                .set_message(format!("{done}/{} file(s)", self.files));
        }
    }

    /// `input`, counting the bytes read from it.
    pub fn reader<R: Read>(&self, input: R) -> impl Read {
        self.reading.wrap_read(input)
    }

    /// One more input read completely.
    pub fn file_done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.show_files(done);
    }

    /// Reading is over: the bar goes away.
    pub fn finish_reading(&self) {
        self.reading.finish_and_clear();
    }

    /// A counter of transactions decided, shown until it is finished.
    pub fn deciding(&self) -> ProgressBar {
        if !self.shown {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} deciding: {pos} transaction(s) ({elapsed})")
                .expect("the template is valid"),
        );
        bar
    }

    /// Everything is over: nothing stays drawn.
    pub fn finish(&self) {
        self.reading.finish_and_clear();
    }

    /// Runs `print` (which writes to standard error) with the bar out of
    /// the way, so that messages and the bar do not mix on one line.
    pub fn suspend<T>(&self, print: impl FnOnce() -> T) -> T {
        self.reading.suspend(print)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_drawn_only_on_a_terminal_and_never_with_quiet() {
        assert!(should_show(false, true));
        assert!(!should_show(true, true));
        assert!(!should_show(false, false));
        assert!(!should_show(true, false));
    }

    #[test]
    fn hidden_progress_still_counts_nothing_and_reads_everything() {
        let progress = Progress::hidden();
        let mut text = String::new();
        progress
            .reader(&b"ISA*00"[..])
            .read_to_string(&mut text)
            .unwrap();
        progress.file_done();
        progress.finish();
        assert_eq!(text, "ISA*00");
    }
}
