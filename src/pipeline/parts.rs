//! Deciding a run's inputs in parts, one thread a part (issue 17 item 3):
//! when the units of the inputs (each 835 transaction, each 837 claim)
//! split into components that share no key a decision reads
//! (`pipeline::partition`), the components are spread over as many groups
//! as there are jobs, and each group is ingested into a store of its own
//! and decided there, on its own thread — one file of several payees too:
//! each group gets its piece of the file (its units, in file order, and
//! the file's batch numbers), ingested as the file would be, and the
//! pieces' reports are joined into the file's (`ingest::join_pieces`).
//! This thread merges what
//! the groups decide back into the one order a single store gives —
//! transactions in payment order (their order key: no two groups hold
//! transactions with one key, which ends in the content hash and holds
//! the trace), then the NO_REMITTANCE rows by date of service, CLM01 and
//! billed line (no two groups hold one CLM01) — and tells the observer
//! and hands the rows out as a run in one store does: the output is the
//! same byte for byte.
//!
//! What a group decides waits in a bounded queue (batches of
//! [`BATCH_ROWS`] rows, at most [`HAND_AHEAD`] a group), so memory does
//! not grow with the run beyond what the stores hold.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::engine::Reconciler;
use super::front_end::FrontEnd;
use super::handoff::{BATCH_ROWS, HAND_AHEAD, Handed};
use super::ingest::{IngestReport, Noted, ingest_piece, join_pieces};
use super::input::InputContent;
use super::partition::{components, groups};
use super::run_config::Config;
use super::run_error::RunError;
use super::run_summary::RunSummary;
use crate::claim::PackedClaim;
use crate::history::{During, HistoryStore, Replay, StoreError, StoreResult};
use crate::line::{DecidedLine, OrderKey, PackedTransaction};

/// How a run's inputs are split: the group of each unit (835 transaction
/// or 837 claim) of each usable input.
#[derive(Debug)]
pub struct Plan {
    /// Per input, the groups of its units (`None`: not usable, not
    /// ingested).
    pub inputs: Vec<Option<InputPlan>>,
    /// Number of groups (at least 2).
    pub groups: usize,
}

/// The groups of one input's units.
#[derive(Debug)]
pub struct InputPlan {
    /// The group of each 835 transaction, in input order.
    pub transactions: Vec<usize>,
    /// The group of each 837 claim, in input order.
    pub claims: Vec<usize>,
}

impl InputPlan {
    /// Every unit of an input of `transactions` and `claims` in `group`.
    #[cfg(test)]
    fn whole(group: usize, transactions: usize, claims: usize) -> InputPlan {
        InputPlan {
            transactions: vec![group; transactions],
            claims: vec![group; claims],
        }
    }

    /// The groups holding a piece of the input, in order: those of its
    /// units, or the first group for an input without any (its batch
    /// numbers are noted there, and its report made).
    fn groups(&self) -> Vec<usize> {
        let mut groups: Vec<usize> = self
            .transactions
            .iter()
            .chain(&self.claims)
            .copied()
            .collect();
        groups.sort_unstable();
        groups.dedup();
        if groups.is_empty() {
            groups.push(0);
        }
        groups
    }
}

/// The plan to decide `contents` in up to `jobs` groups, or `None` when
/// they stay one: fewer than two components, or an input that reads
/// across all of them (acknowledgments) or whose keys were not collected.
pub fn plan(contents: &[InputContent], jobs: usize) -> Option<Plan> {
    if jobs < 2 {
        return None;
    }
    let mut keys = Vec::with_capacity(contents.len());
    for content in contents {
        if !content.summary.usable() {
            keys.push(None);
            continue;
        }
        if !content.acks.is_empty() {
            return None;
        }
        let k = content.keys.as_ref()?;
        // Keys noted unit by unit as the units were kept, each unit's range
        // exact: were they not (not expected), the units could not be
        // told apart.
        if k.units() != content.packed.len() + content.packed_claims.len()
            || !k.fits()
            || !content.transactions.is_empty()
            || !content.claims.is_empty()
        {
            return None;
        }
        keys.push(Some(k));
    }
    let (units, weights) = components(&keys);
    if weights.len() < 2 {
        return None;
    }
    let group_of = groups(&weights, jobs);
    let groups = group_of.iter().max().map_or(0, |&g| g + 1);
    if groups < 2 {
        return None;
    }
    let group = |c: &Vec<usize>| c.iter().map(|&c| group_of[c]).collect();
    Some(Plan {
        inputs: units
            .into_iter()
            .map(|u| {
                u.map(|u| InputPlan {
                    transactions: group(&u.transactions),
                    claims: group(&u.claims),
                })
            })
            .collect(),
        groups,
    })
}

/// One group's piece of an input: its index and name, its batch numbers,
/// and the claims and transactions (with their places in the input) of
/// the group.
struct Piece {
    input: usize,
    source: String,
    extras: InputContent,
    claims: Vec<PackedClaim>,
    transactions: Vec<(u32, PackedTransaction)>,
}

/// What ingesting a piece gave (see `ingest::ingest_piece`).
type PieceReport = StoreResult<(IngestReport, Vec<(u32, Noted)>)>;

/// What a group hands this thread, in order.
enum Part {
    /// Its pieces of inputs were ingested: each one's report (by input
    /// index; the first failure ends them), and whether its store holds a
    /// claim.
    Ingested(Vec<(usize, PieceReport)>, bool),
    /// One transaction's rows, with its payment order.
    Rows(OrderKey, Vec<DecidedLine>),
    /// Its billed lines no remittance answered, in their order.
    Unanswered(Vec<DecidedLine>),
    /// Deciding is over: transactions applied, and what deciding again did.
    Done(usize, Replay),
    /// It failed.
    Failed(StoreError),
}

/// This thread's end of a group's queue, with the batch being read.
struct PartQueue {
    receiver: Receiver<Vec<Part>>,
    batch: VecDeque<Part>,
}

impl PartQueue {
    /// The group's next message, waiting for it; a group gone without a
    /// word (it panicked: the scope raises the panic again) is a failure.
    fn peek(&mut self) -> &mut Part {
        while self.batch.is_empty() {
            match self.receiver.recv() {
                Ok(batch) => self.batch.extend(batch),
                Err(_) => self.batch.push_back(Part::Failed(StoreError::Data(
                    "a part of the run stopped without an answer".into(),
                ))),
            }
        }
        self.batch.front_mut().expect("not empty")
    }

    fn take(&mut self) -> Part {
        self.peek();
        self.batch.pop_front().expect("not empty")
    }
}

/// A group's end of its queue.
struct PartSender {
    sender: SyncSender<Vec<Part>>,
    batch: Vec<Part>,
    rows: usize,
}

impl PartSender {
    fn send(&mut self, part: Part) -> StoreResult<()> {
        self.rows += match &part {
            Part::Rows(_, rows) | Part::Unanswered(rows) => rows.len(),
            _ => 0,
        };
        let end = !matches!(part, Part::Rows(..));
        self.batch.push(part);
        if end || self.rows >= BATCH_ROWS {
            self.rows = 0;
            let batch = std::mem::take(&mut self.batch);
            self.sender
                .send(batch)
                .map_err(|_| StoreError::Data("the run stopped".into()))?;
        }
        Ok(())
    }
}

/// Ingests and decides `contents` (every input's, read) in the groups of
/// `plan`, handing out what a run in one store would, in its order (see
/// the module comment). `empty` is the run's store, empty: each group's
/// store is one of its kind, and it stays empty.
#[allow(clippy::too_many_arguments)]
pub fn decide_in_parts<E>(
    config: &Config,
    names: &[String],
    contents: Vec<InputContent>,
    plan: Plan,
    empty: &mut dyn HistoryStore,
    observer: &mut dyn super::Observer,
    summary: &mut RunSummary,
    mut hand_out: impl FnMut(&mut dyn super::Observer, Handed) -> Result<(), E>,
) -> Result<(), RunError<E>> {
    // Without acknowledgments the front end holds no claim: the same for
    // any store, and shared by the groups (it notes open submissions under
    // a lock, in a map whose order is its keys').
    let front_end = FrontEnd::load(
        &*empty,
        &config.ack_codes,
        config.filing_limits.clone(),
        config.as_of(),
    )
    .during("tying acknowledgments to claims")?;
    let mut stores = Vec::with_capacity(plan.groups);
    for _ in 0..plan.groups {
        stores.push(
            empty
                .empty_part()
                .ok_or_else(|| StoreError::Data("the store cannot be split".into()))?,
        );
    }
    // What observers see of each input (its summary), and each group's
    // pieces of the inputs, in input order; how many pieces each input has.
    let mut seen = Vec::with_capacity(contents.len());
    let mut pieces_of = vec![0usize; contents.len()];
    let mut work: Vec<Vec<Piece>> = (0..plan.groups).map(|_| Vec::new()).collect();
    for ((i, mut content), input) in contents.into_iter().enumerate().zip(plan.inputs) {
        let usable = content.summary.usable();
        let summary = content.summary.clone();
        let transactions = std::mem::take(&mut content.packed);
        let claims = std::mem::take(&mut content.packed_claims);
        let batches = std::mem::take(&mut content.batches);
        seen.push((
            InputContent {
                summary,
                ..InputContent::default()
            },
            usable,
        ));
        let Some(input) = input else { continue };
        let holding = input.groups();
        pieces_of[i] = holding.len();
        // Where each group's piece of this input is in `work[g]`.
        let mut at = vec![usize::MAX; plan.groups];
        for &g in &holding {
            at[g] = work[g].len();
            work[g].push(Piece {
                input: i,
                source: names[i].clone(),
                extras: InputContent {
                    batches: batches.clone(),
                    ..InputContent::default()
                },
                claims: Vec::new(),
                transactions: Vec::new(),
            });
        }
        for (n, (tx, &g)) in transactions
            .into_iter()
            .zip(&input.transactions)
            .enumerate()
        {
            let place = u32::try_from(n).unwrap_or(u32::MAX);
            work[g][at[g]].transactions.push((place, tx));
        }
        for (claim, &g) in claims.into_iter().zip(&input.claims) {
            work[g][at[g]].claims.push(claim);
        }
    }
    let shared = &front_end;
    let decided = std::thread::scope(|scope| -> Result<(usize, Replay), RunError<E>> {
        let mut queues = Vec::with_capacity(plan.groups);
        let mut go = Vec::with_capacity(plan.groups);
        for (store, pieces) in stores.into_iter().zip(work) {
            let (sender, receiver) = sync_channel(HAND_AHEAD);
            let (go_sender, go_receiver) = sync_channel::<bool>(1);
            queues.push(PartQueue {
                receiver,
                batch: VecDeque::new(),
            });
            go.push(go_sender);
            let sender = PartSender {
                sender,
                batch: Vec::new(),
                rows: 0,
            };
            scope.spawn(move || part(config, shared, store, pieces, sender, go_receiver));
        }
        // Every group's ingest, told in input order: an input's pieces'
        // reports joined into its report.
        let mut reports: Vec<Vec<PieceReport>> = (0..names.len()).map(|_| Vec::new()).collect();
        let mut claims_known = false;
        for queue in &mut queues {
            match queue.take() {
                Part::Ingested(ingested, claims) => {
                    claims_known |= claims;
                    for (i, report) in ingested {
                        reports[i].push(report);
                    }
                }
                Part::Failed(error) => return Err(RunError::Store(error)),
                _ => unreachable!("a group ingests before it decides"),
            }
        }
        for (i, (content, usable)) in seen.iter().enumerate() {
            let source = &names[i];
            summary.files += 1;
            observer.file(source, content, *usable);
            if !usable {
                continue;
            }
            summary.usable += 1;
            let pieces = std::mem::take(&mut reports[i]);
            let got = pieces.len();
            let mut joined = Vec::with_capacity(got);
            for piece in pieces {
                match piece {
                    Ok(piece) => joined.push(piece),
                    Err(error) => {
                        return Err(RunError::Ingest {
                            source: source.clone(),
                            error,
                        });
                    }
                }
            }
            if got != pieces_of[i] {
                return Err(RunError::Store(StoreError::Data(format!(
                    "{source} was not ingested"
                ))));
            }
            observer.ingested(source, &join_pieces(joined));
        }
        observer.reading_finished();
        for go in &go {
            // A group gone failed: its queue says so below.
            let _ = go.send(claims_known);
        }
        hand_out(observer, Handed::Deciding).map_err(RunError::Sink)?;
        // Transactions, in payment order across the groups.
        loop {
            let mut first: Option<(usize, &OrderKey)> = None;
            for (g, queue) in queues.iter_mut().enumerate() {
                match queue.peek() {
                    Part::Rows(key, _) if first.is_none_or(|(_, k)| &*key < k) => {
                        first = Some((g, key));
                    }
                    Part::Failed(error) => {
                        let error = std::mem::replace(error, StoreError::Data(String::new()));
                        return Err(RunError::Store(error));
                    }
                    _ => {}
                }
            }
            let Some((g, _)) = first else { break };
            let Part::Rows(_, rows) = queues[g].take() else {
                unreachable!("peeked")
            };
            hand_out(
                observer,
                Handed::Rows {
                    rows,
                    read_back: false,
                },
            )
            .map_err(RunError::Sink)?;
        }
        hand_out(observer, Handed::Decided).map_err(RunError::Sink)?;
        let mut open = Vec::new();
        let (mut applied, mut replay) = (0, Replay::default());
        for queue in &mut queues {
            match queue.take() {
                Part::Unanswered(rows) => open.extend(rows),
                Part::Failed(error) => return Err(RunError::Store(error)),
                _ => unreachable!("transactions come first"),
            }
            match queue.take() {
                Part::Done(n, r) => {
                    applied += n;
                    replay = add(replay, r);
                }
                Part::Failed(error) => return Err(RunError::Store(error)),
                _ => unreachable!("the end comes last"),
            }
        }
        hand_out(observer, Handed::Unanswered(in_place(open))).map_err(RunError::Sink)?;
        Ok((applied, replay))
    })?;
    summary.transactions = decided.0;
    summary.replay = decided.1;
    // Complete: every group made its NO_REMITTANCE rows.
    summary.front_end = Some(front_end);
    Ok(())
}

/// One group: ingests its inputs into its store, says how that went, waits
/// for the word to decide (whether the run knows billed claims), decides.
fn part(
    config: &Config,
    front_end: &FrontEnd,
    mut store: Box<dyn HistoryStore>,
    pieces: Vec<Piece>,
    mut out: PartSender,
    go: Receiver<bool>,
) {
    let mut reports = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let report = ingest_piece(
            &mut *store,
            &piece.source,
            &piece.extras,
            piece.claims,
            piece.transactions,
            config.as_of(),
        );
        let failed = report.is_err();
        reports.push((piece.input, report));
        if failed {
            break;
        }
    }
    let claims = match store.has_claims().during("looking for billed claims") {
        Ok(claims) => claims,
        Err(error) => {
            let _ = out.send(Part::Failed(error));
            return;
        }
    };
    if out.send(Part::Ingested(reports, claims)).is_err() {
        return;
    }
    // No word: the run stopped.
    let Ok(claims_known) = go.recv() else { return };
    let decided = (|| -> StoreResult<()> {
        let mut reconciler =
            Reconciler::new(&mut *store, config.contracts.as_ref(), config.rules.clone())?
                .with_front_end(front_end)
                .with_claims_known(claims_known);
        let applied =
            reconciler.apply_pending_keyed(|key, rows| out.send(Part::Rows(key.clone(), rows)))?;
        let replay = reconciler.replay();
        let open = reconciler.unanswered()?;
        out.send(Part::Unanswered(open))?;
        out.send(Part::Done(applied, replay))
    })();
    if let Err(error) = decided {
        let _ = out.send(Part::Failed(error));
    }
}

/// The NO_REMITTANCE rows of every group in the order one store lists
/// them: by place, stably (rows of one place are of one CLM01, so of one
/// group, and keep its order). Sorted by index, rows moved once.
fn in_place(rows: Vec<DecidedLine>) -> Vec<DecidedLine> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| super::engine::place(&rows[a]).cmp(&super::engine::place(&rows[b])));
    let mut slots: Vec<Option<DecidedLine>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// What deciding again did in two stores, together.
fn add(a: Replay, b: Replay) -> Replay {
    Replay {
        claims: a.claims || b.claims,
        remittances: a.remittances || b.remittances,
        versions: a.versions || b.versions,
        acknowledgments: a.acknowledgments || b.acknowledgments,
        transactions: a.transactions + b.transactions,
        changed_rows: a.changed_rows + b.changed_rows,
        blocked: a.blocked + b.blocked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::MemoryStore;
    use crate::pipeline::input::read_input_packed;
    use crate::pipeline::run::run;
    use crate::reconcile::Rules;
    use jiff::civil::Date;

    fn config(jobs: usize) -> Config {
        Config {
            jobs: Some(jobs),
            ..Config::new(Rules::new(Date::constant(2025, 12, 31)))
        }
    }

    /// Practice `p`'s 837 and 835, as `remit generate --practice` writes
    /// them (small).
    fn practice(p: u32) -> [(String, String); 2] {
        let cfg = remit_synth::SynthConfig::new(41 + u64::from(p))
            .with_practice(p)
            .with_mix(remit_synth::ScenarioMix {
                unanswered: 10,
                ..remit_synth::ScenarioMix::default()
            })
            .with_parties(2, 2, 100)
            .with_dates(Date::constant(2024, 1, 2), 40)
            .with_claims(150);
        let mut era = Vec::new();
        remit_synth::write_remittances(&cfg, &mut era).expect("835");
        let mut billed = Vec::new();
        remit_synth::write_claims(&cfg, &mut billed).expect("837");
        let text = |b: Vec<u8>| String::from_utf8(b).expect("ASCII");
        [
            (format!("p{p}.837"), text(billed)),
            (format!("p{p}.835"), text(era)),
        ]
    }

    fn bytes(inputs: &[(String, String)]) -> Vec<(String, Vec<u8>)> {
        inputs
            .iter()
            .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
            .collect()
    }

    /// The rows of a run in one store (one job: never split).
    fn one_store(inputs: &[(String, String)]) -> Vec<DecidedLine> {
        rows_of_run(inputs, 1)
    }

    fn rows_of_run(inputs: &[(String, String)], jobs: usize) -> Vec<DecidedLine> {
        let mut rows = Vec::new();
        run(
            &config(jobs),
            &bytes(inputs),
            &mut MemoryStore::new(),
            &mut (),
            |row| {
                rows.push(row.clone());
                Ok::<(), std::convert::Infallible>(())
            },
        )
        .expect("run");
        rows
    }

    /// What a run of `jobs` reports of each input (its report, and its
    /// counts of transactions repeated and claims known) and its rows;
    /// checked to be decided in parts with more than one job (the caller's
    /// store left empty), in one store with one.
    fn reported_run(
        inputs: &[(String, String)],
        jobs: usize,
    ) -> (Vec<String>, Vec<(usize, usize)>, Vec<DecidedLine>) {
        #[derive(Default)]
        struct Reports(Vec<String>, Vec<(usize, usize)>);
        impl crate::pipeline::Observer for Reports {
            fn ingested(&mut self, source: &str, report: &IngestReport) {
                self.0.push(format!("{source}: {report:?}"));
                self.1.push((report.repeated.len(), report.known_claims));
            }
        }
        let mut reports = Reports::default();
        let mut rows = Vec::new();
        let mut store = MemoryStore::new();
        run(
            &config(jobs),
            &bytes(inputs),
            &mut store,
            &mut reports,
            |row| {
                rows.push(row.clone());
                Ok::<(), std::convert::Infallible>(())
            },
        )
        .expect("run");
        assert_eq!(store.empty_part().is_some(), jobs > 1, "split: {jobs} jobs");
        (reports.0, reports.1, rows)
    }

    fn contents(inputs: &[(String, String)]) -> Vec<InputContent> {
        inputs
            .iter()
            .map(|(n, t)| read_input_packed(n, t.as_bytes()))
            .collect()
    }

    /// The rows of the inputs decided in the groups `group_of` says,
    /// right or wrong.
    fn rows_in_groups(inputs: &[(String, String)], group_of: &[usize]) -> Vec<DecidedLine> {
        let groups = group_of.iter().max().map_or(0, |g| g + 1);
        let contents = contents(inputs);
        let plan = Plan {
            inputs: contents
                .iter()
                .zip(group_of)
                .map(|(c, &g)| Some(InputPlan::whole(g, c.packed.len(), c.packed_claims.len())))
                .collect(),
            groups,
        };
        rows_in_plan(inputs, contents, plan)
    }

    /// The rows of `contents` (read from `inputs`) decided as `plan` says,
    /// right or wrong.
    fn rows_in_plan(
        inputs: &[(String, String)],
        contents: Vec<InputContent>,
        plan: Plan,
    ) -> Vec<DecidedLine> {
        let names: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
        let mut rows = Vec::new();
        let mut summary = RunSummary::default();
        decide_in_parts(
            &config(2),
            &names,
            contents,
            plan,
            &mut MemoryStore::new(),
            &mut (),
            &mut summary,
            |_, handed| {
                if let Handed::Rows { rows: r, .. } | Handed::Unanswered(r) = handed {
                    rows.extend(r);
                }
                Ok::<(), std::convert::Infallible>(())
            },
        )
        .expect("decided");
        rows
    }

    /// Each segment of `text` that `pick` picks, changed by `change`.
    fn edit(text: &str, mut change: impl FnMut(&str) -> Option<String>) -> String {
        text.split('~')
            .map(|s| change(s).unwrap_or_else(|| s.to_string()))
            .collect::<Vec<_>>()
            .join("~")
    }

    /// Practices that share nothing are decided apart, and their rows are
    /// those of one store, in its order.
    #[test]
    fn practices_sharing_nothing_are_decided_apart_as_in_one_store() {
        let mut inputs = Vec::new();
        for p in 0..3 {
            inputs.extend(practice(p));
        }
        let plan = plan(&contents(&inputs), 2).expect("three practices split");
        assert_eq!(plan.groups, 2);
        let one = one_store(&inputs);
        assert!(one.len() > 300, "{} rows", one.len());
        // The claims' front end handed back is the whole run's.
        let open = |jobs| {
            let mut store = MemoryStore::new();
            let summary = run(&config(jobs), &bytes(&inputs), &mut store, &mut (), |_| {
                Ok::<(), std::convert::Infallible>(())
            })
            .expect("run");
            // A run decided in parts leaves the caller's store empty: with
            // two jobs this one was split, with one it was not.
            assert_eq!(store.empty_part().is_some(), jobs > 1, "split: {jobs} jobs");
            let front_end = summary.front_end.expect("decided");
            let open: Vec<_> = front_end
                .open_claims()
                .into_iter()
                .map(|(claim, life, _)| format!("{claim:?} {life:?}"))
                .collect();
            (summary.transactions, open)
        };
        let (applied, open_one) = open(1);
        assert!(
            applied > 10 && open_one.len() > 10,
            "{applied} {}",
            open_one.len()
        );
        assert_eq!((applied, open_one), open(2));
        assert!(one == rows_of_run(&inputs, 2), "--jobs 2 differs");
        assert!(one == rows_of_run(&inputs, 4), "--jobs 4 differs");
        assert!(one == rows_in_groups(&inputs, &[0, 0, 1, 1, 2, 2]));
    }

    /// A practice's 837 copied into another practice's folder under its
    /// own billing NPI: its claims share every CLM01 with the first
    /// practice's payments, which must see them (two claims fit each
    /// payment) — so the copy is decided with that practice. Deciding it
    /// apart (the wrong plan) changes rows: the test would see it.
    #[test]
    fn a_clm01_shared_across_practices_joins_them() {
        let [b0, e0] = practice(0);
        let [b1, e1] = practice(1);
        let copy = edit(&b0.1, |s| {
            // Every billing provider's NPI another; REF*F8 dropped from
            // the copy would change its segment counts, so ICNs stay: the
            // CLM01s alone are tested by the plan below.
            s.starts_with("NM1*85").then(|| {
                let (head, _) = s.rsplit_once('*').expect("NM109");
                format!("{head}*1999999993")
            })
        });
        assert_ne!(copy, b0.1);
        let inputs = vec![b0, e0, b1, e1, ("copy.837".to_string(), copy)];
        let contents = contents(&inputs);
        let plan = plan(&contents, 2).expect("two components");
        let held = |i: usize| plan.inputs[i].as_ref().expect("usable").groups();
        // Practice 0's two payees are joined by the copy (its claims share
        // one billing NPI, and each a CLM01 with one payee's claims).
        assert_eq!(held(0).len(), 1, "practice 0's claims are one part");
        assert_eq!(
            (held(0), held(1)),
            (held(4), held(4)),
            "the copy is with practice 0"
        );
        assert_ne!(held(2), held(0));
        // Keys alone: the copy shares CLM01s with the 835 even without
        // its 837 (which shares the ICNs of its replacements too).
        let keys: Vec<_> = [1, 4].iter().map(|&i| contents[i].keys.as_ref()).collect();
        assert_eq!(components(&keys).1.len(), 1, "one component");

        let one = one_store(&inputs);
        assert!(one == rows_of_run(&inputs, 2), "--jobs 2 differs");
        // In one store the copy's claims are the first practice's (the
        // same claims: known, not stored again); decided apart they would
        // be listed unanswered.
        assert!(
            one != rows_in_groups(&inputs, &[0, 0, 1, 1, 1]),
            "deciding the copy apart gives other rows"
        );
    }

    /// A replacement claim of one practice whose REF*F8 names the ICN
    /// (CLP07) an 835 of another practice paid a claim under: the ICN
    /// joins them (the family of a CLP01 takes in the replacements naming
    /// an ICN it was paid under, whatever their CLM01). On the generated
    /// sets no row changes when they are wrongly decided apart (tried on
    /// twelve ICNs: the other practice's claim never fits the payment
    /// better), so the plan itself is what is tested.
    #[test]
    fn an_icn_named_across_practices_joins_them() {
        let [b0, e0] = practice(0);
        let [b1, e1] = practice(1);
        let icn = e0
            .1
            .split('~')
            .find_map(|s| {
                let e: Vec<&str> = s.split('*').collect();
                (e[0] == "CLP" && e.get(7).is_some_and(|v| !v.is_empty())).then(|| e[7].to_string())
            })
            .expect("a CLP07");
        // The claim named (its place in practice 1's 837) and the
        // transaction that paid under the ICN (its place in the 835).
        let (mut named, mut claim, mut claims) = (0, 0, 0);
        let b1_named = edit(&b1.1, |s| {
            if s.starts_with("CLM*") {
                claims += 1;
            }
            (s.starts_with("REF*F8*") && named == 0).then(|| {
                named += 1;
                claim = claims - 1;
                format!("REF*F8*{icn}")
            })
        });
        assert_eq!(named, 1, "practice 1's 837 holds a replacement");
        let paid = e0
            .1
            .split('~')
            .take_while(|s| !(s.starts_with("CLP*") && s.split('*').nth(7) == Some(icn.as_str())))
            .filter(|s| s.starts_with("ST*"))
            .count()
            - 1;
        let apart = vec![b0.clone(), e0.clone(), b1, e1.clone()];
        let together = vec![b0, e0, ("p1.837".to_string(), b1_named), e1];
        let component = |inputs: &[(String, String)]| {
            let contents = contents(inputs);
            let keys: Vec<_> = contents.iter().map(|c| c.keys.as_ref()).collect();
            let (units, _) = components(&keys);
            let unit = |i: usize| units[i].clone().expect("usable");
            (unit(2).claims[claim], unit(1).transactions[paid])
        };
        let (a, b) = component(&apart);
        assert_ne!(a, b, "without it they are apart");
        let (a, b) = component(&together);
        assert_eq!(a, b, "the ICN joins them");
        assert!(plan_of(&together).is_some(), "the rest is still split");
        assert!(
            one_store(&together) == rows_of_run(&together, 2),
            "--jobs 2 differs"
        );
    }

    /// The 837 and 835 of one practice of two payees — one pair of
    /// files — are decided in two parts, and their rows are those of one
    /// store.
    #[test]
    fn a_pair_of_two_payees_is_decided_in_parts_as_in_one_store() {
        let inputs = practice(0).to_vec();
        let payees = |t: &str| {
            let mut p: Vec<&str> = t.split('~').filter(|s| s.starts_with("N1*PE*")).collect();
            p.sort_unstable();
            p.dedup();
            p.len()
        };
        assert_eq!(payees(&inputs[1].1), 2, "two payees");
        let plan = plan_of(&inputs).expect("a pair of two payees splits");
        assert_eq!(plan.groups, 2);
        for input in plan.inputs.iter().flatten() {
            assert_eq!(input.groups(), [0, 1], "each file is split");
        }
        let one = one_store(&inputs);
        assert!(one.len() > 100, "{} rows", one.len());
        for jobs in [2, 4] {
            let mut rows = Vec::new();
            let mut store = MemoryStore::new();
            run(&config(jobs), &bytes(&inputs), &mut store, &mut (), |row| {
                rows.push(row.clone());
                Ok::<(), std::convert::Infallible>(())
            })
            .expect("run");
            // Decided in parts: the caller's store is left empty.
            assert!(store.empty_part().is_some(), "split: {jobs} jobs");
            assert!(one == rows, "--jobs {jobs} differs");
        }
    }

    /// A claim payment of one payee whose CLP01 is a CLM01 another payee
    /// billed joins the two payees' units: the file is not split.
    #[test]
    fn a_clp01_shared_across_payees_joins_them() {
        let inputs = practice(0).to_vec();
        assert!(plan_of(&inputs).is_some());
        // The first CLM01 billed, and the payee NPI of the transaction
        // that pays it; a transaction of the other payee pays it too.
        let segments: Vec<&str> = inputs[0].1.split('~').collect();
        let clm01 = segments
            .iter()
            .find_map(|s| s.strip_prefix("CLM*"))
            .and_then(|s| s.split('*').next())
            .expect("a CLM01")
            .to_string();
        let mut payee = String::new();
        let mut first_payee = None;
        let mut changed = 0;
        let era = edit(&inputs[1].1, |s| {
            if let Some(rest) = s.strip_prefix("N1*PE*") {
                payee = rest.to_string();
                first_payee.get_or_insert_with(|| payee.clone());
            }
            let other = first_payee.as_ref().is_some_and(|p| *p != payee);
            (other && changed == 0 && s.starts_with("CLP*")).then(|| {
                changed += 1;
                let e: Vec<&str> = s.splitn(3, '*').collect();
                format!("CLP*{clm01}*{}", e[2])
            })
        });
        assert_eq!(changed, 1);
        let joined = vec![inputs[0].clone(), ("p0.835".to_string(), era)];
        assert!(plan_of(&joined).is_none(), "one component");
        assert!(one_store(&joined) == rows_of_run(&joined, 2));
    }

    /// Copies of a transaction in one file have the same keys: they are
    /// decided in one part (the copy is known, decided once), and the
    /// file's report lists the copies in its order, as one store does; so
    /// are copies of a claim (another file here: each copy is known).
    #[test]
    fn copies_of_a_transaction_in_one_file_stay_together() {
        let [b0, e0] = practice(0);
        // The first transaction of each payee, copied at the end of the
        // last functional group: the second payee's first.
        let segments: Vec<&str> = e0.1.split('~').collect();
        let mut blocks: Vec<(usize, usize, String)> = Vec::new();
        let mut start = 0;
        let mut payee = String::new();
        for (i, s) in segments.iter().enumerate() {
            if s.starts_with("ST*") {
                start = i;
            } else if let Some(p) = s.strip_prefix("N1*PE*") {
                payee = p.to_string();
            } else if s.starts_with("SE*") && !blocks.iter().any(|b| b.2 == payee) {
                blocks.push((start, i, payee.clone()));
            }
        }
        assert_eq!(blocks.len(), 2, "two payees");
        let ge = segments
            .iter()
            .rposition(|s| s.starts_with("GE*"))
            .expect("a GE");
        let mut copied: Vec<String> = segments[..ge].iter().map(|s| s.to_string()).collect();
        for &(a, b, _) in blocks.iter().rev() {
            copied.extend(segments[a..=b].iter().map(|s| s.to_string()));
        }
        let e: Vec<&str> = segments[ge].split('*').collect();
        let count: usize = e[1].parse().expect("GE01");
        copied.push(format!("GE*{}*{}", count + 2, e[2]));
        copied.extend(segments[ge + 1..].iter().map(|s| s.to_string()));
        // The 837 again, as another file: each claim a copy of one.
        let again = ("again.837".to_string(), b0.1.clone());
        let inputs = vec![b0, ("p0.835".to_string(), copied.join("~")), again];
        let contents = contents(&inputs);
        assert!(contents[1].summary.usable());
        let n = contents[1].packed.len();
        let plan = plan(&contents, 2).expect("split");
        let groups = &plan.inputs[1].as_ref().expect("usable").transactions;
        // Which transaction each copy copies: its place among the first.
        let place = |seg: usize| {
            segments[..=seg]
                .iter()
                .filter(|s| s.starts_with("ST*"))
                .count()
                - 1
        };
        let (first, second) = (place(blocks[0].0), place(blocks[1].0));
        assert_ne!(groups[first], groups[second], "the payees are apart");
        assert_eq!(groups[second], groups[n - 2], "a copy is with its original");
        assert_eq!(groups[first], groups[n - 1], "a copy is with its original");
        let claims = |i: usize| &plan.inputs[i].as_ref().expect("usable").claims;
        assert_eq!(claims(0), claims(2), "a claim's copy is with it");
        assert!(
            claims(0).iter().min() != claims(0).iter().max(),
            "the 837 is split"
        );
        let billed = contents[0].packed_claims.len();
        let of = |jobs| {
            let (reports, counts, rows) = reported_run(&inputs, jobs);
            let known = [(0, 0), (2, 0), (0, billed)];
            assert_eq!(counts, known, "the copies are known");
            (reports, rows)
        };
        let (reports, rows) = of(1);
        let (split_reports, split_rows) = of(2);
        assert_eq!(reports, split_reports);
        assert!(rows == split_rows, "--jobs 2 differs");
    }

    /// Copies of a claim inside one 837 (its transaction sent twice in the
    /// file) share their CLM01: they are in one part, the copy is known as
    /// one store knows it, and the file's report and the rows are those of
    /// `--jobs 1`.
    #[test]
    fn copies_of_a_claim_in_one_837_stay_together() {
        let [b0, e0] = practice(0);
        let segments: Vec<&str> = b0.1.split('~').collect();
        let st = segments
            .iter()
            .position(|s| s.starts_with("ST*"))
            .expect("an ST");
        let se = segments
            .iter()
            .position(|s| s.starts_with("SE*"))
            .expect("an SE");
        let ge = segments
            .iter()
            .rposition(|s| s.starts_with("GE*"))
            .expect("a GE");
        let mut copied: Vec<String> = segments[..ge].iter().map(|s| s.to_string()).collect();
        copied.extend(segments[st..=se].iter().map(|s| s.to_string()));
        let e: Vec<&str> = segments[ge].split('*').collect();
        let count: usize = e[1].parse().expect("GE01");
        copied.push(format!("GE*{}*{}", count + 1, e[2]));
        copied.extend(segments[ge + 1..].iter().map(|s| s.to_string()));
        let inputs = vec![("p0.837".to_string(), copied.join("~")), e0];
        let contents = contents(&inputs);
        assert!(contents[0].summary.usable());
        let plan = plan(&contents, 2).expect("two payees split");
        let claims = &plan.inputs[0].as_ref().expect("usable").claims;
        assert!(
            claims.iter().min() != claims.iter().max(),
            "the 837 is split"
        );
        // The claims of the first transaction and of its copy, in order.
        let first = segments[st..=se]
            .iter()
            .filter(|s| s.starts_with("CLM*"))
            .count();
        assert!(first > 0, "the first transaction bills claims");
        let n = claims.len();
        assert_eq!(
            claims[..first],
            claims[n - first..],
            "each copy is with its original"
        );
        let of = |jobs| {
            let (reports, counts, rows) = reported_run(&inputs, jobs);
            assert_eq!(counts, [(0, first), (0, 0)], "the copies are known");
            (reports, rows)
        };
        let (reports, rows) = of(1);
        assert!(rows.len() > 100, "{} rows", rows.len());
        let (split_reports, split_rows) = of(2);
        assert_eq!(reports, split_reports);
        assert!(rows == split_rows, "--jobs 2 differs");
    }

    /// A row handler failing in a run decided in parts stops the run with
    /// its error, having taken no row after the one it failed on; the
    /// parts' threads stop (the run returns).
    #[test]
    fn a_failing_handler_stops_a_run_in_parts() {
        let mut inputs = Vec::new();
        for p in 0..3 {
            inputs.extend(practice(p));
        }
        assert!(plan_of(&inputs).is_some());
        let mut taken = 0;
        let failed = run(
            &config(2),
            &bytes(&inputs),
            &mut MemoryStore::new(),
            &mut (),
            |_| {
                taken += 1;
                if taken == 50 {
                    Err("disk full")
                } else {
                    Ok(())
                }
            },
        );
        assert!(matches!(failed, Err(RunError::Sink("disk full"))));
        assert_eq!(taken, 50, "nothing is handed out after the failure");
    }

    fn plan_of(inputs: &[(String, String)]) -> Option<Plan> {
        plan(&contents(inputs), 2)
    }

    /// Acknowledgments are tied to any claim: a run with them is one part.
    #[test]
    fn acknowledgments_keep_a_run_in_one_store() {
        let mut inputs = Vec::new();
        for p in 0..2 {
            inputs.extend(practice(p));
        }
        assert!(plan_of(&inputs).is_some());
        let dir = format!("{}/samples/acks", env!("CARGO_MANIFEST_DIR"));
        let ack = std::fs::read_dir(&dir)
            .expect("samples")
            .map(|e| e.expect("entry").path())
            .find(|p| p.extension().is_some_and(|x| x != "md" && x != "csv"))
            .expect("an acknowledgment sample");
        let text = std::fs::read_to_string(&ack).expect("ack");
        inputs.push(("ack.x12".to_string(), text));
        assert!(plan_of(&inputs).is_none());
        assert!(one_store(&inputs) == rows_of_run(&inputs, 2));
    }
}
