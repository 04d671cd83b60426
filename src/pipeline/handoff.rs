//! Deciding on a thread of its own while the caller's thread takes the
//! rows (issue 17 item 3): the caller's row handler (a ledger's CSV, JSON
//! or Parquet writer, a report's collector) and its observer format and
//! count the rows of the transactions already decided while the engine
//! decides the next ones. What is decided travels in one bounded queue,
//! in batches of a few hundred rows, so the caller sees exactly what, and
//! in the order, one thread doing both would show — the output is the
//! same byte for byte — and at most [`HAND_AHEAD`] batches wait, whatever
//! the size of the run.
//!
//! The deciding side moves to the new thread, not the writing side: the
//! writers and observers need not be `Send` (a sink holds a plain
//! `dyn Write`), only the store and the settings.
//!
//! Errors keep the order one thread would meet them in: a handler that
//! fails stops the deciding thread at its next batch, and its error is
//! the run's (it came from rows decided before anything the deciding
//! thread may have failed on since); a deciding thread that fails still
//! lets the handler take every row decided before the failure, as one
//! thread would have, then its error is the run's.

use std::cell::RefCell;
use std::sync::mpsc::{SyncSender, sync_channel};

use super::run_error::RunError;
use crate::history::StoreError;
use crate::line::DecidedLine;

/// Batches decided and not yet taken by the caller's thread, at most:
/// with [`BATCH_ROWS`], what waits stays a few MiB (a row is ~1 KB).
pub const HAND_AHEAD: usize = 8;

/// Rows a batch gathers before it is handed over (a generated transaction
/// has ~20): one hand-over wakes the caller's thread, and waking it for
/// every transaction cost more than writing the rows (44,000 context
/// switches on a 20 MB 835, most of the time a second core saved, when the
/// machine is busy).
pub const BATCH_ROWS: usize = 256;

/// What the deciding thread hands the caller's thread, in order.
#[derive(Debug)]
pub enum Handed {
    /// Deciding begins.
    Deciding,
    /// One transaction's rows; `read_back` when an earlier run applied it
    /// and its rows were read back from the store.
    Rows {
        /// The rows, in their order.
        rows: Vec<DecidedLine>,
        /// Read back rather than decided now.
        read_back: bool,
    },
    /// Every transaction is decided.
    Decided,
    /// The billed lines no remittance answered.
    Unanswered(Vec<DecidedLine>),
}

/// Why the deciding thread stopped handing over: the caller's handler
/// failed (its error is the caller's to give).
#[derive(Debug)]
pub struct TakerStopped;

/// The deciding thread's end of the queue.
pub struct HandQueue {
    sender: SyncSender<Vec<Handed>>,
    /// Messages gathered for the next batch, and their rows.
    batch: RefCell<(Vec<Handed>, usize)>,
}

impl HandQueue {
    /// Hands one message over: gathered into a batch, the batch handed
    /// over once it holds [`BATCH_ROWS`] rows or deciding is over, waiting
    /// while [`HAND_AHEAD`] batches wait; fails when the caller's handler
    /// failed (it takes nothing more).
    pub fn send(&self, handed: Handed) -> Result<(), TakerStopped> {
        let full = {
            let mut batch = self.batch.borrow_mut();
            batch.1 += match &handed {
                Handed::Rows { rows, .. } | Handed::Unanswered(rows) => rows.len(),
                Handed::Deciding | Handed::Decided => 0,
            };
            batch.0.push(handed);
            batch.1 >= BATCH_ROWS
        };
        if full { self.flush() } else { Ok(()) }
    }

    /// Hands over what was gathered.
    fn flush(&self) -> Result<(), TakerStopped> {
        let batch = std::mem::take(&mut *self.batch.borrow_mut()).0;
        if batch.is_empty() {
            return Ok(());
        }
        self.sender.send(batch).map_err(|_| TakerStopped)
    }
}

/// Runs `decide` on a new thread with a [`HandQueue`] whose messages `take`
/// takes on this thread, in order; returns what `decide` returned, or the
/// first error in the order one thread would meet them (see the module
/// comment). A panic of the deciding thread is raised again here.
pub fn deciding_on_a_thread<T: Send, E>(
    decide: impl FnOnce(&HandQueue) -> Result<T, RunError<TakerStopped>> + Send,
    mut take: impl FnMut(Handed) -> Result<(), E>,
) -> Result<T, RunError<E>> {
    let (sender, handed) = sync_channel::<Vec<Handed>>(HAND_AHEAD);
    let (decided, taken) = std::thread::scope(|scope| {
        let decider = scope.spawn(move || {
            let queue = HandQueue {
                sender,
                batch: RefCell::default(),
            };
            let decided = decide(&queue);
            // What was decided before the end (or an error) goes out too;
            // a caller that stopped taking has its own error.
            let _ = queue.flush();
            // Returning drops the queue: the loop below ends.
            decided
        });
        let mut taken = Ok(());
        'taking: for batch in &handed {
            for message in batch {
                taken = take(message);
                if taken.is_err() {
                    break 'taking;
                }
            }
        }
        // Dropped before joining: a decider waiting on a full queue wakes
        // with an error and stops.
        drop(handed);
        let decided = decider
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (decided, taken)
    });
    match (decided, taken) {
        (_, Err(e)) => Err(RunError::Sink(e)),
        (Ok(decided), Ok(())) => Ok(decided),
        (Err(RunError::Ingest { source, error }), Ok(())) => {
            Err(RunError::Ingest { source, error })
        }
        (Err(RunError::Store(error)), Ok(())) => Err(RunError::Store(error)),
        // A send fails only once this thread stopped taking, and it stops
        // early only on an error (the first arm): not reached, but a wrong
        // answer here must not be silent.
        (Err(RunError::Sink(TakerStopped)), Ok(())) => Err(RunError::Store(StoreError::Data(
            "the rows' writer stopped without an error".into(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::LineEvent;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// `n` rows numbered from `from` (by their event's sequence).
    fn rows(from: u32, n: u32) -> Handed {
        let row = DecidedLine::from_event(LineEvent::sample());
        let rows = (from..from + n)
            .map(|i| {
                let mut row = row.clone();
                row.event.sequence = i;
                row
            })
            .collect();
        Handed::Rows {
            rows,
            read_back: false,
        }
    }

    /// The sequences of the rows `handed` carries.
    fn sequences(handed: &Handed) -> Vec<u32> {
        match handed {
            Handed::Rows { rows, .. } | Handed::Unanswered(rows) => {
                rows.iter().map(|r| r.event.sequence).collect()
            }
            Handed::Deciding | Handed::Decided => Vec::new(),
        }
    }

    #[test]
    fn messages_reach_the_caller_in_the_order_they_were_sent() {
        let mut seen = Vec::new();
        let done = deciding_on_a_thread(
            |queue| {
                queue.send(Handed::Deciding).map_err(RunError::Sink)?;
                for t in 0..500 {
                    queue.send(rows(t * 3, 3)).map_err(RunError::Sink)?;
                }
                queue.send(Handed::Decided).map_err(RunError::Sink)?;
                Ok(7)
            },
            |handed| {
                if matches!(handed, Handed::Decided) {
                    seen.push(u32::MAX);
                }
                seen.extend(sequences(&handed));
                Ok::<(), String>(())
            },
        );
        assert_eq!(done.expect("run"), 7);
        let mut expected: Vec<u32> = (0..1500).collect();
        expected.push(u32::MAX);
        assert_eq!(seen, expected);
    }

    /// A failing handler stops the deciding thread (it does not decide on
    /// to the end) and its error is the run's.
    #[test]
    fn a_failing_handler_stops_the_deciding_thread_with_its_error() {
        let sent = AtomicUsize::new(0);
        let done: Result<(), RunError<&str>> = deciding_on_a_thread(
            |queue| {
                for t in 0..100_000 {
                    queue.send(rows(t, 1)).map_err(RunError::Sink)?;
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            },
            |handed| {
                if sequences(&handed) == [10] {
                    Err("disk full")
                } else {
                    Ok(())
                }
            },
        );
        assert!(matches!(done, Err(RunError::Sink("disk full"))));
        assert!(
            sent.load(Ordering::Relaxed) < 100_000,
            "the deciding thread stopped early"
        );
    }

    /// The deciding thread failing: every row decided before the failure is
    /// still handed over, then its error is the run's — unless the handler
    /// failed on one of those rows, which one thread would have met first.
    #[test]
    fn a_deciding_failure_comes_after_the_rows_decided_before_it() {
        let mut seen = 0;
        let done: Result<(), RunError<&str>> = deciding_on_a_thread(
            |queue| {
                queue.send(rows(0, 5)).map_err(RunError::Sink)?;
                Err(RunError::Store(StoreError::Data("gone".into())))
            },
            |handed| {
                seen += sequences(&handed).len();
                Ok(())
            },
        );
        assert!(matches!(done, Err(RunError::Store(StoreError::Data(ref m))) if m == "gone"));
        assert_eq!(seen, 5);
        let done: Result<(), RunError<&str>> = deciding_on_a_thread(
            |queue| {
                queue.send(rows(0, 5)).map_err(RunError::Sink)?;
                Err(RunError::Store(StoreError::Data("gone".into())))
            },
            |_| Err("disk full"),
        );
        assert!(matches!(done, Err(RunError::Sink("disk full"))));
    }
}
