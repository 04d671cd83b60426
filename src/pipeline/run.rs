//! The pipeline's one entry point: read every input, ingest each usable
//! one into the history store (one store transaction a file), decide what
//! is pending in payment order, and hand every decided row — then every
//! billed line no remittance answered — to the caller.
//!
//! Reading never holds every input: into a memory store, inputs are read
//! on all cores, a bounded number ahead of the one being ingested; into a
//! store on disk (`--db`), each input is stored while a thread reads it, a
//! transaction at a time, so memory does not grow with the inputs.
//!
//! The settings come resolved in a [`Config`] (the command line reads
//! option files and checks flags before any output is opened; this module
//! never sees a flag). What a terminal shows — findings, notes, progress,
//! the summary — goes through an [`Observer`], so the same run serves
//! `remit reconcile` and its reports, the Python package and tests.

use std::io::Read;
use std::sync::Arc;

use super::engine::Reconciler;
use super::front_end::FrontEnd;
use super::handoff::{Handed, deciding_on_a_thread};
use super::ingest::{FileIngest, IngestReport, ingest_owned};
use super::input::{InputContent, read_input_located, read_input_packed, read_input_streamed};
use super::parallel::{parallel_in_order, parallel_jobs};
use super::parts::{decide_in_parts, plan};
use super::reread::{BytesAt, ReadAt};
pub use super::run_config::{Config, READ_AGAIN_FROM};
pub use super::run_error::RunError;
pub use super::run_summary::RunSummary;
use crate::history::{During, HistoryStore, Replay};
use crate::line::DecidedLine;
use crate::reconcile::versions::TransactionRef;
use crate::scan::FileSummary;

/// One input of a run: a name (for findings and the ledger's `source`)
/// and a way to read its bytes.
pub trait Source: Sync {
    /// The name the input goes by.
    fn name(&self) -> String;
    /// Opens the input for reading; an input that cannot be opened is
    /// rejected with the error as its finding.
    fn open(&self) -> std::io::Result<Box<dyn Read + '_>>;
    /// The input again, to be read at any byte after it was read through
    /// once — called before [`Source::open`]. A run without `--db` then
    /// keeps where each transaction and claim is, not its content (see
    /// `pipeline::reread`). `None` (the default) for an input read once
    /// only (a pipe): its content is kept packed.
    fn again(&self) -> Option<Arc<dyn ReadAt>> {
        None
    }
    /// Its size in bytes, when known before it is read (what decides
    /// whether a run reads its inputs twice: [`Config::read_again_from`]).
    fn size(&self) -> Option<u64> {
        None
    }
}

/// Bytes in memory, with a name.
impl Source for (String, Vec<u8>) {
    fn name(&self) -> String {
        self.0.clone()
    }

    fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(self.1.as_slice()))
    }

    /// A shared copy: the run's index outlives the borrow of `self`.
    fn again(&self) -> Option<Arc<dyn ReadAt>> {
        Some(Arc::new(BytesAt::new(
            self.0.clone(),
            self.1.as_slice().into(),
        )))
    }

    fn size(&self) -> Option<u64> {
        u64::try_from(self.1.len()).ok()
    }
}

/// What a run tells its caller as it goes, in this order: for each input
/// in input order, that it was read, its findings and what ingesting it
/// did; that every input was read; then each transaction decided, each row
/// handed out, and the end. Every method does nothing by default.
pub trait Observer: Sync {
    /// One input was read completely (called as its turn to be ingested
    /// comes: into a memory store inputs are read ahead on other threads,
    /// a bounded number at a time; into a store on disk, once the input
    /// was read and stored, before its findings).
    fn read(&self) {}
    /// Every input was read.
    fn reading_finished(&mut self) {}
    /// An input's findings, before it is ingested; `usable` is false when
    /// it is rejected (then nothing from it reaches the store).
    fn file(&mut self, _source: &str, _content: &InputContent, _usable: bool) {}
    /// What ingesting a usable input did.
    fn ingested(&mut self, _source: &str, _report: &IngestReport) {}
    /// Deciding begins (not called when no input was usable).
    fn deciding(&mut self) {}
    /// One remittance transaction was decided and its rows kept.
    fn transaction(&mut self, _rows: &[DecidedLine]) {}
    /// The rows of a transaction of the inputs that an earlier run applied
    /// were read back from the store (they follow as rows, in their place
    /// in payment order).
    fn read_back(&mut self, _rows: &[DecidedLine]) {}
    /// A row is handed to the caller.
    fn row(&mut self, _row: &DecidedLine) {}
    /// Deciding is over (the NO_REMITTANCE rows follow).
    fn decided(&mut self) {}
}

/// An observer that shows nothing.
impl Observer for () {}

/// What the decide step did.
#[derive(Debug)]
pub struct Decided {
    /// Remittance transactions applied.
    pub transactions: usize,
    /// What deciding earlier transactions again did.
    pub replay: Replay,
    /// Transactions an earlier run applied, whose rows were read back.
    pub read_back: usize,
    /// The claims' front end, complete once the NO_REMITTANCE rows are
    /// made (they note the submissions still open).
    pub front_end: FrontEnd,
}

/// Reads `inputs`, ingests every usable one into `store`, decides what is
/// pending (this run's and any an earlier run left) and hands each row to
/// `on_row`: the rows of each transaction in payment order — those of the
/// inputs' transactions an earlier run applied read back from the store,
/// in their place — then the billed lines no remittance answered. When no input is usable nothing
/// is decided, so the caller can leave its output as it was.
///
/// With more than one job (`Config::jobs`), deciding overlaps `on_row`
/// (see [`decide_covering`]); what `on_row` and `observer` see is the same.
/// Into an empty store in memory that keeps nothing for after the run
/// ([`HistoryStore::empty_part`]), inputs that split into parts sharing
/// nothing a decision reads are decided a part a thread, each in a store
/// of its own (`pipeline::parts`): `store` is then left empty — the rows,
/// the observer's calls and the summary are those of one store.
pub fn run<S: Source, E>(
    config: &Config,
    inputs: &[S],
    store: &mut dyn HistoryStore,
    observer: &mut dyn Observer,
    mut on_row: impl FnMut(&DecidedLine) -> Result<(), E>,
) -> Result<RunSummary, RunError<E>> {
    let mut summary = RunSummary::default();
    let mut applied_before = Vec::new();
    if store.ingests_while_reading() {
        for input in inputs {
            let ingested = stream_input(config, input, store, observer, &mut summary)?;
            if let Some(report) = ingested {
                applied_before.extend(report.applied_before.iter().map(|(_, _, id)| *id));
            }
        }
    } else {
        let jobs = parallel_jobs(config.jobs);
        let size: u64 = inputs.iter().filter_map(Source::size).sum();
        let locate = store.reads_pending_again() && size >= config.read_again_from;
        let read = |input: &S| read_source(input, locate);
        // Inputs held packed into an empty store in memory may be decided
        // in parts, a thread each (`pipeline::parts`): which parts is known
        // only once every input is read, so all are read first (a run this
        // size — under `read_again_from` — holds them all in its store
        // anyway).
        let split = jobs >= 2 && !locate && store.empty_part().is_some();
        if split {
            let mut contents = Vec::with_capacity(inputs.len());
            parallel_in_order(inputs, jobs, jobs, read, |_, content| {
                observer.read();
                contents.push(content);
                Ok::<(), std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
            if let Some(plan) = plan(&contents, jobs) {
                let names: Vec<String> = inputs.iter().map(Source::name).collect();
                decide_in_parts(
                    config,
                    &names,
                    contents,
                    plan,
                    store,
                    observer,
                    &mut summary,
                    |observer, handed| hand_out(observer, &mut on_row, handed),
                )?;
                return Ok(summary);
            }
            for (input, content) in inputs.iter().zip(contents) {
                let (source, before) = (input.name(), &mut applied_before);
                ingest_input(
                    config,
                    store,
                    observer,
                    &mut summary,
                    source,
                    content,
                    before,
                )?;
            }
        } else {
            // Each input is ingested as soon as its turn comes (input
            // order), with at most `jobs` more being read meanwhile: a run
            // holds a bounded number of read inputs, not all of them.
            parallel_in_order(inputs, jobs, jobs, read, |i, content| {
                observer.read();
                let (source, before) = (inputs[i].name(), &mut applied_before);
                ingest_input(
                    config,
                    store,
                    observer,
                    &mut summary,
                    source,
                    content,
                    before,
                )
            })?;
        }
    }
    observer.reading_finished();
    if summary.usable == 0 {
        // Nothing to decide: what an earlier run left pending stays so.
        return Ok(summary);
    }
    let decided = decide_covering(config, store, observer, &applied_before, on_row)?;
    summary.transactions = decided.transactions;
    summary.replay = decided.replay;
    summary.read_back = decided.read_back;
    summary.front_end = Some(decided.front_end);
    Ok(summary)
}

/// Ingests one read input into the store (when usable), telling the
/// observer, counting it, and noting the transactions an earlier run
/// applied.
fn ingest_input<E>(
    config: &Config,
    store: &mut dyn HistoryStore,
    observer: &mut dyn Observer,
    summary: &mut RunSummary,
    source: String,
    content: InputContent,
    applied_before: &mut Vec<TransactionRef>,
) -> Result<(), RunError<E>> {
    summary.files += 1;
    let usable = content.summary.usable();
    observer.file(&source, &content, usable);
    if !usable {
        return Ok(());
    }
    summary.usable += 1;
    match ingest_owned(store, &source, content, config.as_of()) {
        Ok(report) => {
            observer.ingested(&source, &report);
            applied_before.extend(report.applied_before.iter().map(|(_, _, id)| *id));
            Ok(())
        }
        Err(error) => Err(RunError::Ingest { source, error }),
    }
}

/// The decide step alone, over a store whose inputs are ingested: applies
/// every pending transaction in payment order and hands each row to
/// `on_row`, then the billed lines no remittance answered. Returns the
/// number of transactions applied and the claims' front end. (`remit decide` and the Spark stages
/// fill a store from records and call this.)
///
/// Every acknowledgment the store holds is first tied to every claim it
/// holds ([`FrontEnd`]): NO_REMITTANCE rows carry the claim's front-end
/// state and filing deadline, and CARC 29 denials are judged against the
/// acknowledgments. Done here, not by each caller, so reconcile and the
/// stages judge alike.
pub fn decide<E>(
    config: &Config,
    store: &mut dyn HistoryStore,
    observer: &mut dyn Observer,
    on_row: impl FnMut(&DecidedLine) -> Result<(), E>,
) -> Result<Decided, RunError<E>> {
    decide_covering(config, store, observer, &[], on_row)
}

/// [`decide`], with the rows of `applied_before` (transactions of the
/// inputs an earlier run applied) read back from the store in their place
/// in payment order (see [`Reconciler::apply_covering`]).
///
/// With more than one job (`Config::jobs`), deciding runs on a thread of
/// its own (`pipeline::handoff`), with pending transactions decoded on
/// another ahead of it (`pipeline::read_ahead`), while this thread tells
/// `observer` and hands the rows to `on_row`: formatting and writing them
/// overlaps deciding the next transactions. Both see what, and in the
/// order, they see with one job, when everything stays on this thread.
pub fn decide_covering<E>(
    config: &Config,
    store: &mut dyn HistoryStore,
    observer: &mut dyn Observer,
    applied_before: &[TransactionRef],
    mut on_row: impl FnMut(&DecidedLine) -> Result<(), E>,
) -> Result<Decided, RunError<E>> {
    let mut hand_out = |handed| hand_out(observer, &mut on_row, handed);
    if parallel_jobs(config.jobs) < 2 {
        return decide_handing(config, store, applied_before, false, hand_out);
    }
    deciding_on_a_thread(
        |queue| decide_handing(config, store, applied_before, true, |h| queue.send(h)),
        &mut hand_out,
    )
}

/// Tells `observer` what was decided and hands its rows to `on_row`, in
/// the order a run has always done it: a transaction, then each of its
/// rows to both.
fn hand_out<E>(
    observer: &mut dyn Observer,
    on_row: &mut impl FnMut(&DecidedLine) -> Result<(), E>,
    handed: Handed,
) -> Result<(), E> {
    let rows = match handed {
        Handed::Deciding => {
            observer.deciding();
            return Ok(());
        }
        Handed::Decided => {
            observer.decided();
            return Ok(());
        }
        Handed::Rows { rows, read_back } => {
            if read_back {
                observer.read_back(&rows);
            } else {
                observer.transaction(&rows);
            }
            rows
        }
        Handed::Unanswered(rows) => rows,
    };
    for row in &rows {
        observer.row(row);
        on_row(row)?;
    }
    Ok(())
}

/// The decide step: applies what is pending (decoding it ahead on a
/// thread of its own when `read_ahead`), handing each step to `hand`.
fn decide_handing<E>(
    config: &Config,
    store: &mut dyn HistoryStore,
    applied_before: &[TransactionRef],
    read_ahead: bool,
    mut hand: impl FnMut(Handed) -> Result<(), E>,
) -> Result<Decided, RunError<E>> {
    let front_end = FrontEnd::load(
        store,
        &config.ack_codes,
        config.filing_limits.clone(),
        config.as_of(),
    )
    .during("tying acknowledgments to claims")?;
    let mut reconciler = Reconciler::new(store, config.contracts.as_ref(), config.rules.clone())?
        .with_front_end(&front_end)
        .with_read_ahead(read_ahead);
    hand(Handed::Deciding).map_err(RunError::Sink)?;
    let covered = reconciler.apply_covering(
        applied_before,
        |rows, read_back| -> Result<(), RunError<E>> {
            hand(Handed::Rows { rows, read_back }).map_err(RunError::Sink)
        },
    )?;
    let replay = reconciler.replay();
    hand(Handed::Decided).map_err(RunError::Sink)?;
    let unanswered = reconciler.unanswered()?;
    hand(Handed::Unanswered(unanswered)).map_err(RunError::Sink)?;
    // The open submissions were noted while the NO_REMITTANCE rows were
    // made: the front end is complete only now.
    drop(reconciler);
    Ok(Decided {
        replay,
        transactions: covered.applied,
        read_back: covered.read_back,
        front_end,
    })
}

/// Most transactions and claims read ahead of the one being stored.
const STREAM_AHEAD: usize = 64;

/// Reads one input on a thread of its own while storing its transactions
/// and claims as they come (one store transaction for the file, committed
/// only when the file is whole and usable: see [`FileIngest`]); what is
/// held is at most [`STREAM_AHEAD`] transactions, whatever the size of the
/// input. Returns what ingesting it did, `None` when it was rejected.
fn stream_input<S: Source, E>(
    config: &Config,
    input: &S,
    store: &mut dyn HistoryStore,
    observer: &mut dyn Observer,
    summary: &mut RunSummary,
) -> Result<Option<IngestReport>, RunError<E>> {
    let source = input.name();
    let mut file = match FileIngest::begin(store, &source, config.as_of()) {
        Ok(file) => file,
        Err(error) => return Err(RunError::Ingest { source, error }),
    };
    let (sender, items) = std::sync::mpsc::sync_channel(STREAM_AHEAD);
    let content = std::thread::scope(|scope| {
        let reader = scope.spawn(move || match input.open() {
            Ok(reader) => read_input_streamed(&input.name(), reader, &mut |item| {
                // The receiver lives until the reader is done.
                let _ = sender.send(item);
            }),
            Err(e) => unopened(e),
        });
        for item in items {
            file.take(item);
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    observer.read();
    summary.files += 1;
    let usable = content.summary.usable();
    observer.file(&source, &content, usable);
    match file.finish(&content, usable) {
        Ok(Some(report)) => {
            summary.usable += 1;
            observer.ingested(&source, &report);
            Ok(Some(report))
        }
        Ok(None) => Ok(None),
        Err(error) => Err(RunError::Ingest { source, error }),
    }
}

/// The content of an input that cannot be opened: that, as its fatal
/// finding.
fn unopened(e: std::io::Error) -> InputContent {
    InputContent {
        summary: FileSummary::unreadable(&e),
        ..InputContent::default()
    }
}

/// Reads one input; one that cannot be opened has that as its fatal
/// finding. With `locate`, of an input that can be read again only where
/// each transaction and claim is is kept.
fn read_source(input: &impl Source, locate: bool) -> InputContent {
    let source = input.name();
    let again = if locate { input.again() } else { None };
    match input.open() {
        Ok(reader) => match again {
            Some(again) => read_input_located(&source, reader, again),
            // Packed as read: a few inputs are read ahead of their ingest,
            // and the memory store holds every transaction until it is
            // applied (issue 17).
            None => read_input_packed(&source, reader),
        },
        Err(e) => unopened(e),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::Date;

    use super::*;
    use crate::history::{MemoryStore, StoreError};
    use crate::line::Status;
    use crate::reconcile::Rules;

    fn sample(path: &str) -> (String, Vec<u8>) {
        let full = format!("{}/samples/{path}", env!("CARGO_MANIFEST_DIR"));
        (path.to_string(), std::fs::read(full).expect("sample"))
    }

    /// Counts what the run told it, in the order it told it.
    #[derive(Default)]
    struct Seen {
        files: Vec<(String, bool)>,
        ingested: usize,
        transactions: usize,
        rows: usize,
        decided: bool,
    }

    impl Observer for Seen {
        fn file(&mut self, source: &str, _content: &InputContent, usable: bool) {
            self.files.push((source.to_string(), usable));
        }
        fn ingested(&mut self, _source: &str, _report: &IngestReport) {
            self.ingested += 1;
        }
        fn transaction(&mut self, _rows: &[DecidedLine]) {
            assert!(
                !self.decided,
                "transactions come before the end of deciding"
            );
            self.transactions += 1;
        }
        fn row(&mut self, _row: &DecidedLine) {
            self.rows += 1;
        }
        fn decided(&mut self) {
            self.decided = true;
        }
    }

    fn config() -> Config {
        Config::new(Rules::new(Date::constant(2025, 12, 31)))
    }

    #[test]
    fn a_run_reads_ingests_and_decides_every_usable_input_in_order() {
        let inputs = vec![
            sample("claims/2024-01-837p.x12"),
            ("garbage.835".to_string(), b"not x12 at all".to_vec()),
            sample("remits/acme-2024-02-07.835"),
        ];
        let mut seen = Seen::default();
        let (summary, rows) =
            run_collecting(&config(), &inputs, &mut MemoryStore::new(), &mut seen);
        assert_eq!(
            seen.files,
            [
                ("claims/2024-01-837p.x12".to_string(), true),
                ("garbage.835".to_string(), false),
                ("remits/acme-2024-02-07.835".to_string(), true),
            ]
        );
        assert_eq!((summary.files, summary.usable), (3, 2));
        assert_eq!(seen.ingested, 2, "the rejected input is not ingested");
        assert!(summary.transactions > 0);
        assert_eq!(seen.transactions, summary.transactions);
        assert_eq!(seen.rows, rows.len(), "every row handed out is observed");
        assert!(rows.iter().any(|r| r.status != Status::NoRemittance));
        // The remittance answered claims of the 837: its rows name them.
        assert!(rows.iter().any(|r| !r.matched_claim_line.is_empty()));
    }

    #[test]
    fn nothing_is_decided_when_no_input_is_usable() {
        let inputs = vec![("bad.835".to_string(), b"ISA*00".to_vec())];
        let mut store = MemoryStore::new();
        let mut seen = Seen::default();
        let summary = run(&config(), &inputs, &mut store, &mut seen, |_| {
            Ok::<(), std::convert::Infallible>(())
        })
        .expect("run");
        assert_eq!((summary.usable, summary.transactions), (0, 0));
        assert!(!seen.decided);
    }

    #[test]
    fn a_run_hands_back_the_front_end_of_the_claims_it_left_open() {
        let inputs = vec![sample("claims/2024-01-837p.x12")];
        let mut store = MemoryStore::new();
        let mut unanswered = 0;
        let summary = run(&config(), &inputs, &mut store, &mut (), |row| {
            unanswered += usize::from(row.status == Status::NoRemittance);
            Ok::<(), std::convert::Infallible>(())
        })
        .expect("run");
        let front_end = summary.front_end.expect("a decided run has a front end");
        assert!(unanswered > 0, "no remittance answered the 837");
        // Every NO_REMITTANCE claim was noted open, for the worklists.
        assert!(!front_end.open_claims().is_empty());
        let none = run(
            &config(),
            &[("bad.835".to_string(), b"ISA*00".to_vec())],
            &mut MemoryStore::new(),
            &mut (),
            |_| Ok::<(), std::convert::Infallible>(()),
        )
        .expect("run");
        assert!(none.front_end.is_none(), "nothing decided, no front end");
    }

    #[test]
    fn a_failing_row_handler_stops_the_run_with_its_error() {
        let inputs = vec![sample("remits/acme-2024-02-07.835")];
        let mut store = MemoryStore::new();
        let failed = run(&config(), &inputs, &mut store, &mut (), |_| {
            Err("disk full")
        });
        assert!(matches!(failed, Err(RunError::Sink("disk full"))));
    }

    /// With a store on disk, inputs are ingested while they are read: a
    /// file whose fatal finding comes after whole transactions leaves
    /// nothing in the store, and the ledger equals the memory store's.
    #[test]
    fn a_store_on_disk_ingests_while_reading_and_keeps_nothing_of_a_rejected_file() {
        let dir = std::env::temp_dir().join(format!("remit-run-stream-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let good = sample("remits/acme-2024-02-07.835");
        let mut spoiled = sample("remits/acme-2024-03-06.835");
        spoiled.0 = "spoiled.835".into();
        spoiled.1.extend_from_slice(b"ISA*00*");
        let inputs = vec![sample("claims/2024-01-837p.x12"), spoiled, good];
        let mut store = crate::history::SqliteStore::open(&dir.join("h.db")).unwrap();
        assert!(store.ingests_while_reading());
        let mut seen = Seen::default();
        let (summary, rows) = run_collecting(&config(), &inputs, &mut store, &mut seen);
        assert_eq!(seen.files[1], ("spoiled.835".to_string(), false));
        assert_eq!((summary.files, summary.usable, seen.ingested), (3, 2, 2));
        let (_, expected) = run_collecting(&config(), &inputs, &mut MemoryStore::new(), &mut ());
        assert_eq!(rows, expected);
        let mut stored = 0;
        store
            .rows(&Default::default(), |row| {
                assert_ne!(row.event.context.source, "spoiled.835");
                stored += 1;
                Ok::<(), StoreError>(())
            })
            .unwrap();
        assert!(stored > 0);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// An input whose bytes differ when read again (a file changed while
    /// it was reconciled) stops the run with an error naming it and the
    /// transaction's place, never with rows from two versions of it.
    #[test]
    fn an_input_changed_between_the_reads_stops_the_run_naming_it() {
        struct Changed((String, Vec<u8>), Vec<u8>);
        impl Source for Changed {
            fn name(&self) -> String {
                self.0.name()
            }
            fn open(&self) -> std::io::Result<Box<dyn Read + '_>> {
                self.0.open()
            }
            fn again(&self) -> Option<Arc<dyn ReadAt>> {
                Some(Arc::new(BytesAt::new(
                    self.name(),
                    self.1.as_slice().into(),
                )))
            }
        }
        let (name, bytes) = sample("remits/acme-2024-02-07.835");
        // Same length, one amount's digit changed.
        let mut changed = bytes.clone();
        let at = changed
            .windows(4)
            .position(|w| w == b"CLP*")
            .and_then(|clp| {
                changed[clp..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|d| clp + d)
            })
            .expect("a CLP");
        changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
        let inputs = vec![Changed((name, bytes), changed)];
        // With two jobs the transaction is read again on the thread that
        // decodes ahead of the engine: the error is the same.
        for jobs in [1, 2] {
            let mut rows = 0;
            let read_twice = Config {
                read_again_from: 0,
                jobs: Some(jobs),
                ..config()
            };
            let failed = run(
                &read_twice,
                &inputs,
                &mut MemoryStore::new(),
                &mut (),
                |_| {
                    rows += 1;
                    Ok::<(), std::convert::Infallible>(())
                },
            );
            let Err(RunError::Store(error)) = failed else {
                panic!("the run went on: {failed:?}");
            };
            let message = error.to_string();
            assert!(
                message.starts_with("remits/acme-2024-02-07.835: the 835 transaction at segment "),
                "{message}"
            );
            assert!(message.contains("changed"), "{message}");
            assert_eq!(rows, 0, "no row of the changed transaction was handed out");
        }
    }

    /// Runs `inputs` into `store`, telling `observer`; the summary and
    /// every row handed out, in order.
    fn run_collecting(
        config: &Config,
        inputs: &[(String, Vec<u8>)],
        store: &mut dyn HistoryStore,
        observer: &mut dyn Observer,
    ) -> (RunSummary, Vec<DecidedLine>) {
        let mut rows = Vec::new();
        let summary = run(config, inputs, store, observer, |row| {
            rows.push(row.clone());
            Ok::<(), std::convert::Infallible>(())
        })
        .expect("run");
        (summary, rows)
    }

    /// The rows of `inputs` in a memory store, their transactions and
    /// claims kept as places and read again (`read_again_from` 0) or kept
    /// packed (a threshold above their size).
    fn rows_reading(inputs: &[(String, Vec<u8>)], read_again_from: u64) -> Vec<DecidedLine> {
        let config = Config {
            read_again_from,
            ..config()
        };
        run_collecting(&config, inputs, &mut MemoryStore::new(), &mut ()).1
    }

    /// The 837 (`claims.837`) and 835 (`era.835`) `cfg` generates.
    fn generated(cfg: remit_synth::SynthConfig) -> [(String, Vec<u8>); 2] {
        let mut era = Vec::new();
        remit_synth::write_remittances(&cfg, &mut era).expect("835");
        let mut billed = Vec::new();
        remit_synth::write_claims(&cfg, &mut billed).expect("837");
        [
            ("claims.837".to_string(), billed),
            ("era.835".to_string(), era),
        ]
    }

    /// Reading inputs twice (large runs) and holding them packed (small
    /// ones) give the same rows, to the byte of every position a reason
    /// names: on every sample (835s, 837s, acknowledgments, which interact
    /// through claims) and on a generated set with reversals, corrections
    /// and claims of several providers.
    #[test]
    fn reading_inputs_twice_gives_the_rows_of_holding_them() {
        let dir = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
        let mut inputs = Vec::new();
        for kind in ["claims", "remits", "acks"] {
            let mut names: Vec<_> = std::fs::read_dir(format!("{dir}/{kind}"))
                .expect("samples")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".csv") && !n.ends_with(".md"))
                .collect();
            names.sort();
            inputs.extend(names.iter().map(|n| sample(&format!("{kind}/{n}"))));
        }
        let twice = rows_reading(&inputs, 0);
        assert!(twice.len() > 100, "the samples decide many rows");
        assert_eq!(twice, rows_reading(&inputs, u64::MAX));

        let [billed, era] = generated(
            remit_synth::SynthConfig::new(17)
                .with_parties(2, 3, 200)
                .with_dates(Date::constant(2024, 1, 2), 30)
                .with_claims(300),
        );
        let generated = vec![billed, era];
        let twice = rows_reading(&generated, 0);
        assert!(twice.iter().any(|r| !r.matched_claim_line.is_empty()));
        assert_eq!(twice, rows_reading(&generated, u64::MAX));
    }

    /// Issue 17 item 3: with more than one job, pending transactions are
    /// decoded on a thread ahead of the engine and rows handed to the
    /// caller on another; the rows are the same, in the same order, as one
    /// thread's — holding inputs packed or reading them twice, on the
    /// samples and on a generated set of several providers.
    #[test]
    fn the_rows_are_the_same_for_any_jobs_in_either_read_mode() {
        let [billed, era] = generated(
            remit_synth::SynthConfig::new(23)
                .with_parties(3, 4, 300)
                .with_dates(Date::constant(2024, 1, 2), 40)
                .with_claims(600),
        );
        let inputs = vec![
            billed,
            sample("claims/2024-01-837p.x12"),
            era,
            sample("remits/acme-2024-02-07.835"),
            sample("remits/acme-2024-03-06.835"),
        ];
        for read_again_from in [0, u64::MAX] {
            let rows = |jobs| {
                let config = Config {
                    read_again_from,
                    jobs: Some(jobs),
                    ..config()
                };
                let mut seen = Seen::default();
                let (_, rows) =
                    run_collecting(&config, &inputs, &mut MemoryStore::new(), &mut seen);
                assert_eq!(seen.rows, rows.len(), "every row handed out is observed");
                rows
            };
            let one = rows(1);
            assert!(one.len() > 1_000, "a run of many rows: {}", one.len());
            assert!(one == rows(2), "--jobs 2 differs ({read_again_from})");
            assert!(one == rows(4), "--jobs 4 differs ({read_again_from})");
        }
    }

    /// A clearinghouse's folder: the pairs of several practices (payees,
    /// claims, payer claim numbers and traces of their own; payers shared),
    /// given in any order. The rows are the same, in the same order, for
    /// any jobs and any order of the files; every practice's payees are in
    /// them; and the NO_REMITTANCE rows come last, by date of service,
    /// CLM01 and billed line.
    #[test]
    fn a_folder_of_many_practices_decides_alike_for_any_jobs_and_file_order() {
        use crate::line::Status;

        let mut inputs = Vec::new();
        for practice in 0..4u32 {
            let [billed, era] = generated(
                remit_synth::SynthConfig::new(31 + u64::from(practice))
                    .with_practice(practice)
                    .with_mix(remit_synth::ScenarioMix {
                        unanswered: 10,
                        ..remit_synth::ScenarioMix::default()
                    })
                    .with_parties(2, 2, 120)
                    .with_dates(Date::constant(2024, 1, 2), 40)
                    .with_claims(200),
            );
            inputs.push((format!("p{practice}.837"), billed.1));
            inputs.push((format!("p{practice}.835"), era.1));
        }
        let rows = |inputs: &[(String, Vec<u8>)], jobs| {
            let config = Config {
                jobs: Some(jobs),
                ..config()
            };
            run_collecting(&config, inputs, &mut MemoryStore::new(), &mut ()).1
        };
        let one = rows(&inputs, 1);
        let payees: std::collections::BTreeSet<&str> = one
            .iter()
            .map(|r| r.event.context.payee_npi.as_str())
            .collect();
        assert_eq!(payees.len(), 8, "two payees a practice: {payees:?}");
        assert!(one == rows(&inputs, 2), "--jobs 2 differs");
        assert!(one == rows(&inputs, 4), "--jobs 4 differs");
        let mut shuffled = inputs.clone();
        shuffled.reverse();
        shuffled.swap(1, 5);
        assert!(one == rows(&shuffled, 2), "the order of the files matters");

        let first_open = one
            .iter()
            .position(|r| r.status == Status::NoRemittance)
            .expect("some billed lines are unanswered");
        let open = &one[first_open..];
        assert!(open.len() > 10, "{} open lines", open.len());
        assert!(open.iter().all(|r| r.status == Status::NoRemittance));
        assert!(open.windows(2).all(|w| {
            let place = |r: &DecidedLine| {
                (
                    r.event.service_date,
                    r.event.claim_id.clone(),
                    r.matched_claim_line.clone(),
                )
            };
            place(&w[0]) <= place(&w[1])
        }));
    }

    /// With more than one job the row handler runs on a thread of its own:
    /// its failure still stops the run with its error, having taken no row
    /// after the one it failed on; a changed input still stops it naming
    /// the input.
    #[test]
    fn with_many_jobs_a_failing_handler_or_a_changed_input_still_stops_the_run() {
        let inputs = vec![
            sample("claims/2024-01-837p.x12"),
            sample("remits/acme-2024-02-07.835"),
            sample("remits/acme-2024-03-06.835"),
        ];
        let config = Config {
            jobs: Some(2),
            ..config()
        };
        let mut taken = 0;
        let failed = run(&config, &inputs, &mut MemoryStore::new(), &mut (), |_| {
            taken += 1;
            if taken == 3 { Err("disk full") } else { Ok(()) }
        });
        assert!(matches!(failed, Err(RunError::Sink("disk full"))));
        assert_eq!(taken, 3, "nothing is handed out after the failure");
    }

    /// Issue 23 item 2, the memory backend: a second run over one store
    /// hands out the first run's rows again, read back (when the store
    /// keeps rows), and one that keeps none fails rather than drop them.
    #[test]
    fn a_second_run_on_one_store_hands_out_the_same_rows() {
        let inputs = vec![
            sample("claims/2024-01-837p.x12"),
            sample("remits/acme-2024-02-07.835"),
        ];
        let collect = |store: &mut MemoryStore| {
            let mut rows = Vec::new();
            let summary = run(&config(), &inputs, store, &mut (), |row| {
                rows.push(row.clone());
                Ok::<(), std::convert::Infallible>(())
            });
            summary.map(|s| (s.transactions, s.read_back, rows))
        };
        let mut store = MemoryStore::keeping_rows();
        let (applied, read_back, first) = collect(&mut store).expect("first run");
        assert!(applied > 0);
        assert_eq!(read_back, 0);
        let (applied_again, read_back, second) = collect(&mut store).expect("second run");
        assert_eq!((applied_again, read_back), (0, applied));
        assert_eq!(first, second);
        let mut forgetful = MemoryStore::new();
        collect(&mut forgetful).expect("first run");
        assert!(matches!(collect(&mut forgetful), Err(RunError::Store(_))));
    }
}
