//! Decoding pending transactions, and the billed claims they will be
//! matched against, on threads of their own ahead of the deciding thread
//! (issue 17 item 3). A store in memory holds each pending 835 transaction
//! and each billed claim packed (MessagePack) or by where it is in its
//! input (read and parsed again when it is needed); turning that back into
//! events and claims is pure work on a copy, a third of what deciding
//! costs. So while the engine decides transaction *n*, one thread decodes
//! transactions *n + 1 …* in payment order and another the claims whose
//! CLM01 is a CLP01 of a decoded one; the engine takes each in its turn,
//! and the store reads those claims rather than decode them. What is
//! decided is the same, only sooner.
//!
//! Bounded: at most [`READ_AHEAD`] transactions (and their claims) are
//! copied, decoding or decoded and waiting, so what is held does not grow
//! with the run. Every queue holds that many, so no thread ever waits on a
//! full queue while another waits on it.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::Scope;

use crate::history::{ClaimCopies, DecodedClaims, HistoryStore};
use crate::line::{PackedTransaction, RemittanceTransaction};
use crate::reconcile::versions::TransactionRef;

/// Transactions decoded ahead of the one being decided, at most (a
/// generated transaction is ~40 KB of events decoded, and ~10 claims).
pub const READ_AHEAD: usize = 32;

/// A transaction decoded, or why it did not decode.
type Decoded = Result<RemittanceTransaction, String>;

/// Transactions whose claims are sent to be decoded together: a thread
/// that waits is woken once a batch, not once a transaction.
const CLAIMS_BATCH: usize = 8;

/// The deciding thread's end of the decoding threads.
pub struct ReadAhead {
    /// Copies of transactions to decode, in payment order.
    copies: Option<SyncSender<PackedTransaction>>,
    /// What they decoded to, in the same order.
    decoded: Receiver<Decoded>,
    /// Copies of claims to decode, a transaction's at a time, in batches.
    claim_copies: Option<SyncSender<Vec<ClaimCopies>>>,
    /// What they decoded to, in the same order and batches.
    claims: Receiver<Vec<DecodedClaims>>,
    /// The transactions sent to decode and not taken yet, in order, with
    /// what came back so far: the transaction once decoded.
    queued: VecDeque<(TransactionRef, Option<Decoded>)>,
    /// How many of `queued` came back decoded (the first ones).
    back: usize,
    /// The claims of the transactions back, not sent to be decoded yet.
    claims_unsent: Vec<ClaimCopies>,
    /// Transactions whose claims were sent and did not come back.
    claims_out: usize,
    /// Transactions' claims decoded, not taken yet.
    claims_back: VecDeque<DecodedClaims>,
    /// The next entry of the work list to look at.
    next: usize,
}

impl ReadAhead {
    /// Starts the decoding threads in `scope` (joined when it ends).
    pub fn start<'scope>(scope: &'scope Scope<'scope, '_>) -> ReadAhead {
        let (copies, to_decode) = sync_channel::<PackedTransaction>(READ_AHEAD);
        let (done, decoded) = sync_channel::<Decoded>(READ_AHEAD);
        scope.spawn(move || {
            for copy in to_decode {
                // The deciding thread stopped (an error): nothing is wanted.
                if done.send(copy.into_transaction()).is_err() {
                    break;
                }
            }
        });
        let (claim_copies, claims_to_decode) = sync_channel::<Vec<ClaimCopies>>(READ_AHEAD);
        let (claims_done, claims) = sync_channel::<Vec<DecodedClaims>>(READ_AHEAD);
        scope.spawn(move || {
            for batch in claims_to_decode {
                let decoded = batch
                    .into_iter()
                    .map(|copies| {
                        copies
                            .into_iter()
                            .filter_map(|(at, held, batch)| {
                                held.unpack(batch.as_ref()).ok().map(|claim| (at, claim))
                            })
                            .collect()
                    })
                    .collect();
                if claims_done.send(decoded).is_err() {
                    break;
                }
            }
        });
        ReadAhead {
            copies: Some(copies),
            decoded,
            claim_copies: Some(claim_copies),
            claims,
            queued: VecDeque::new(),
            back: 0,
            claims_unsent: Vec::new(),
            claims_out: 0,
            claims_back: VecDeque::new(),
            next: 0,
        }
    }

    /// Sends the next transactions of `work` (payment order; entries marked
    /// `true` are read back, not decoded) that `store` has a copy of to be
    /// decoded, up to [`READ_AHEAD`] ahead; and the claims of those decoded
    /// meanwhile.
    pub fn feed(&mut self, work: &[(TransactionRef, bool)], store: &dyn HistoryStore) {
        self.collect(store);
        // In bursts, once half the queue was taken: a decoding thread that
        // waits is woken once a burst, not once a transaction (a wake-up
        // costs more than decoding a transaction when the machine is busy).
        if self.queued.len() > READ_AHEAD / 2 {
            return;
        }
        let Some(copies) = &self.copies else { return };
        while self.queued.len() < READ_AHEAD {
            let Some(&(id, read_back)) = work.get(self.next) else {
                return;
            };
            self.next += 1;
            if read_back {
                continue;
            }
            if let Some(copy) = store.pending_to_decode(id) {
                if copies.send(copy).is_err() {
                    // The thread died: what it still owes is reported as
                    // an error by `take`; the rest is loaded as usual.
                    self.copies = None;
                    return;
                }
                self.queued.push_back((id, None));
            }
        }
    }

    /// Takes every transaction decoded so far without waiting, and sends
    /// the claims of a batch of them to be decoded.
    fn collect(&mut self, store: &dyn HistoryStore) {
        while self.back < self.queued.len() {
            match self.decoded.try_recv() {
                Ok(decoded) => self.came_back(decoded, store),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.came_back(Err(STOPPED.to_string()), store);
                }
            }
        }
        if self.claims_unsent.len() >= CLAIMS_BATCH {
            self.send_claims();
        }
    }

    /// Notes the next transaction back from decoding, and the claims to
    /// decode for it (none when it did not decode).
    fn came_back(&mut self, decoded: Decoded, store: &dyn HistoryStore) {
        let copies = match &decoded {
            Ok(tx) => {
                let mut ids: Vec<&str> = tx.events.iter().map(|e| e.claim_id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                store.claims_to_decode(&ids)
            }
            Err(_) => Vec::new(),
        };
        self.claims_unsent.push(copies);
        self.queued[self.back].1 = Some(decoded);
        self.back += 1;
    }

    /// Sends the claims gathered to be decoded.
    fn send_claims(&mut self) {
        let batch = std::mem::take(&mut self.claims_unsent);
        let count = batch.len();
        if count == 0 {
            return;
        }
        match &self.claim_copies {
            Some(sender) if sender.send(batch).is_ok() => self.claims_out += count,
            // The thread died: those claims are decoded where they are read.
            _ => {
                self.claim_copies = None;
                self.claims_back.extend((0..count).map(|_| Vec::new()));
            }
        }
    }

    /// Transaction `id` decoded, with its claims, when it was sent to be
    /// (call in the order of the work list); `None` when it was not: the
    /// caller loads it.
    pub fn take(
        &mut self,
        id: TransactionRef,
        store: &dyn HistoryStore,
    ) -> Option<(Decoded, DecodedClaims)> {
        if self.queued.front().map(|(queued, _)| *queued) != Some(id) {
            return None;
        }
        if self.back == 0 {
            self.collect(store);
        }
        if self.back == 0 {
            let decoded = self.decoded.recv().unwrap_or_else(|_| Err(STOPPED.into()));
            self.came_back(decoded, store);
        }
        let (_, decoded) = self.queued.pop_front()?;
        self.back -= 1;
        if self.claims_back.is_empty() {
            if self.claims_out == 0 {
                self.send_claims();
            }
            if self.claims_out > 0 {
                // A claims thread that died owes nothing: the store decodes
                // them where they are read.
                let batch = self.claims.recv().unwrap_or_default();
                self.claims_out = self.claims_out.saturating_sub(batch.len().max(1));
                self.claims_back.extend(batch);
            }
        }
        let claims = self.claims_back.pop_front().unwrap_or_default();
        decoded.map(|decoded| (decoded, claims))
    }
}

/// Why a transaction sent to be decoded did not come back.
const STOPPED: &str = "the thread decoding transactions ahead stopped";
