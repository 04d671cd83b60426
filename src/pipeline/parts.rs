//! Deciding a run's inputs in parts, one thread a part (issue 17 item 3):
//! when the inputs split into components that share no key a decision
//! reads (`pipeline::partition`), the components are spread over as many
//! groups as there are jobs, and each group is ingested into a store of
//! its own and decided there, on its own thread. This thread merges what
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
use super::ingest::{IngestReport, ingest_owned};
use super::input::InputContent;
use super::partition::{components, groups};
use super::run_config::Config;
use super::run_error::RunError;
use super::run_summary::RunSummary;
use crate::history::{During, HistoryStore, Replay, StoreError, StoreResult};
use crate::line::{DecidedLine, OrderKey};

/// How a run's inputs are split: the group of each usable input.
#[derive(Debug)]
pub struct Plan {
    /// Per input, its group (`None`: not usable, not ingested).
    pub group_of: Vec<Option<usize>>,
    /// Number of groups (at least 2).
    pub groups: usize,
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
        keys.push(Some(content.keys.as_ref()?));
    }
    let component_of = components(&keys);
    let count = component_of.iter().flatten().max().map_or(0, |&c| c + 1);
    if count < 2 {
        return None;
    }
    let mut weights = vec![0u64; count];
    for (c, k) in component_of.iter().zip(&keys) {
        if let (Some(c), Some(k)) = (c, k) {
            weights[*c] += 1 + k.len() as u64;
        }
    }
    let group_of_component = groups(&weights, jobs);
    let groups = group_of_component.iter().max().map_or(0, |&g| g + 1);
    Some(Plan {
        group_of: component_of
            .iter()
            .map(|c| c.map(|c| group_of_component[c]))
            .collect(),
        groups,
    })
}

/// What a group hands this thread, in order.
enum Part {
    /// Its inputs were ingested: each one's report (by input index; the
    /// first failure ends them), and whether its store holds a claim.
    Ingested(Vec<(usize, StoreResult<IngestReport>)>, bool),
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
    // What observers see of each input (its summary), and each group's.
    let mut seen = Vec::with_capacity(contents.len());
    let mut work: Vec<Vec<(usize, String, InputContent)>> =
        (0..plan.groups).map(|_| Vec::new()).collect();
    for (i, content) in contents.into_iter().enumerate() {
        let usable = content.summary.usable();
        let summary = content.summary.clone();
        seen.push((
            InputContent {
                summary,
                ..InputContent::default()
            },
            usable,
        ));
        if let Some(g) = plan.group_of[i] {
            work[g].push((i, names[i].clone(), content));
        }
    }
    let shared = &front_end;
    let decided = std::thread::scope(|scope| -> Result<(usize, Replay), RunError<E>> {
        let mut queues = Vec::with_capacity(plan.groups);
        let mut go = Vec::with_capacity(plan.groups);
        for (store, inputs) in stores.into_iter().zip(work) {
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
            scope.spawn(move || part(config, shared, store, inputs, sender, go_receiver));
        }
        // Every group's ingest, told in input order.
        let mut reports: Vec<Option<StoreResult<IngestReport>>> =
            (0..names.len()).map(|_| None).collect();
        let mut claims_known = false;
        for queue in &mut queues {
            match queue.take() {
                Part::Ingested(ingested, claims) => {
                    claims_known |= claims;
                    for (i, report) in ingested {
                        reports[i] = Some(report);
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
            match reports[i].take() {
                Some(Ok(report)) => observer.ingested(source, &report),
                Some(Err(error)) => {
                    return Err(RunError::Ingest {
                        source: source.clone(),
                        error,
                    });
                }
                None => {
                    return Err(RunError::Store(StoreError::Data(format!(
                        "{source} was not ingested"
                    ))));
                }
            }
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
    inputs: Vec<(usize, String, InputContent)>,
    mut out: PartSender,
    go: Receiver<bool>,
) {
    let mut reports = Vec::with_capacity(inputs.len());
    for (i, source, content) in inputs {
        let report = ingest_owned(&mut *store, &source, content, config.as_of());
        let failed = report.is_err();
        reports.push((i, report));
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
        let plan = Plan {
            group_of: group_of.iter().map(|&g| Some(g)).collect(),
            groups,
        };
        let names: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
        let mut rows = Vec::new();
        let mut summary = RunSummary::default();
        decide_in_parts(
            &config(2),
            &names,
            contents(inputs),
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
        let g = &plan.group_of;
        assert_eq!((g[0], g[1]), (g[4], g[4]), "the copy is with practice 0");
        assert_ne!(g[2], g[0]);
        // Keys alone: the copy shares CLM01s with the 835 even without
        // its 837 (which shares the ICNs of its replacements too).
        let keys: Vec<_> = [1, 4].iter().map(|&i| contents[i].keys.as_ref()).collect();
        assert_eq!(components(&keys), [Some(0), Some(0)]);

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
        let mut named = 0;
        let b1_named = edit(&b1.1, |s| {
            (s.starts_with("REF*F8*") && named == 0).then(|| {
                named += 1;
                format!("REF*F8*{icn}")
            })
        });
        assert_eq!(named, 1, "practice 1's 837 holds a replacement");
        let apart = vec![b0.clone(), e0.clone(), b1, e1.clone()];
        assert!(plan_of(&apart).is_some(), "without it they are apart");
        let inputs = vec![b0, e0, ("p1.837".to_string(), b1_named), e1];
        let plan = plan_of(&inputs);
        assert!(plan.is_none(), "one component: {plan:?}");
        assert!(
            one_store(&inputs) == rows_of_run(&inputs, 2),
            "--jobs 2 differs"
        );
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
