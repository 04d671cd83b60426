//! Reading many inputs on all cores: a fixed pool of scoped threads takes
//! inputs one at a time; results come back in input order, so what is
//! ingested next never depends on which thread finished first.
//! [`parallel_in_order`] hands each result on as soon as its turn comes,
//! with a bounded number of results read ahead, so that what is held does
//! not grow with the number of inputs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Number of worker threads: `requested`, else the machine's parallelism.
pub fn parallel_jobs(requested: Option<usize>) -> usize {
    requested
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Applies `work` to every item on `jobs` threads; results in item order.
pub fn parallel_map<I: Sync, T: Send>(
    items: &[I],
    jobs: usize,
    work: impl Fn(&I) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    results.lock().expect("no worker panics holding the lock")[i] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("no worker panicked")
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// Where [`parallel_in_order`] stands, under its lock.
struct Turns<T> {
    /// Results made and not yet taken, by item index.
    done: BTreeMap<usize, T>,
    /// The next item a worker takes.
    next: usize,
    /// Items taken by the consumer (the next one it waits for).
    taken: usize,
    /// Set when the consumer failed or a worker died: nothing more is read.
    stop: bool,
}

/// Tells the consumer a worker died (a panic), so that it stops waiting
/// for a result that will never come; the scope then re-raises the panic.
struct Mourner<'a, T> {
    turns: &'a Mutex<Turns<T>>,
    ready: &'a Condvar,
}

impl<T> Drop for Mourner<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Ok(mut turns) = self.turns.lock() {
                turns.stop = true;
            }
            self.ready.notify_all();
        }
    }
}

/// Applies `work` to every item on `jobs` threads and hands each result to
/// `consume` on the calling thread, in item order, as soon as its turn
/// comes. At most `ahead` items are being worked on or waiting for their
/// turn beyond the one being consumed, so memory is bounded by `ahead + 1`
/// results whatever the number of items. When `consume` fails, no further
/// item is started and its error is returned.
pub fn parallel_in_order<I: Sync, T: Send, E>(
    items: &[I],
    jobs: usize,
    ahead: usize,
    work: impl Fn(&I) -> T + Sync,
    mut consume: impl FnMut(usize, T) -> Result<(), E>,
) -> Result<(), E> {
    let ahead = ahead.max(1);
    let turns = Mutex::new(Turns {
        done: BTreeMap::new(),
        next: 0,
        taken: 0,
        stop: false,
    });
    // `room`: a worker may take another item; `ready`: a result was made.
    let (room, ready) = (Condvar::new(), Condvar::new());
    let lock = || {
        turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                let _mourner = Mourner {
                    turns: &turns,
                    ready: &ready,
                };
                loop {
                    let i = {
                        let mut t = lock();
                        while !t.stop && t.next < items.len() && t.next >= t.taken + ahead {
                            t = room.wait(t).unwrap_or_else(|p| p.into_inner());
                        }
                        if t.stop || t.next >= items.len() {
                            return;
                        }
                        t.next += 1;
                        t.next - 1
                    };
                    let result = work(&items[i]);
                    lock().done.insert(i, result);
                    ready.notify_all();
                }
            });
        }
        for i in 0..items.len() {
            let result = {
                let mut t = lock();
                loop {
                    if let Some(result) = t.done.remove(&i) {
                        t.taken = i + 1;
                        break Some(result);
                    }
                    if t.stop {
                        break None;
                    }
                    t = ready.wait(t).unwrap_or_else(|p| p.into_inner());
                }
            };
            room.notify_all();
            // None: a worker died; leaving the scope re-raises its panic.
            let Some(result) = result else { break };
            if let Err(e) = consume(i, result) {
                lock().stop = true;
                room.notify_all();
                return Err(e);
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn in_order_results_come_in_item_order_with_a_bounded_number_ahead() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let items: Vec<u32> = (0..200).collect();
        let (working, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let consumed = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let ahead = 3;
        super::parallel_in_order(
            &items,
            4,
            ahead,
            |i| {
                // Items started but not yet consumed never exceed `ahead`
                // beyond the one being consumed.
                let started = working.fetch_add(1, Ordering::SeqCst) + 1;
                let in_flight = started - consumed.load(Ordering::SeqCst);
                most.fetch_max(in_flight, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_micros(50));
                i * 2
            },
            |i, doubled| {
                consumed.fetch_add(1, Ordering::SeqCst);
                seen.push((i, doubled));
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            (0..200).map(|i| (i as usize, i * 2)).collect::<Vec<_>>()
        );
        assert!(most.load(Ordering::SeqCst) <= ahead + 1, "{most:?}");
    }

    #[test]
    fn a_failing_consumer_stops_the_reading() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let items: Vec<u32> = (0..1000).collect();
        let worked = AtomicUsize::new(0);
        let failed = super::parallel_in_order(
            &items,
            2,
            2,
            |i| {
                worked.fetch_add(1, Ordering::SeqCst);
                *i
            },
            |i, _| if i == 5 { Err("stop") } else { Ok(()) },
        );
        assert_eq!(failed, Err("stop"));
        assert!(
            worked.load(Ordering::SeqCst) <= 5 + 1 + 2 + 2,
            "reading stopped"
        );
    }

    #[test]
    fn results_keep_input_order() {
        let items: Vec<u32> = (0..100).collect();
        let out = super::parallel_map(&items, 4, |i| i * 2);
        assert_eq!(out, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    }
}
