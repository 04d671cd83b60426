//! An 835 transaction as the engine applies it: its events, the context
//! they share, its identity (so it is applied once) and its place in
//! payment order.

use std::sync::Arc;

use jiff::civil::Date;

use super::event::{LineEvent, RemittanceContext};
use crate::text::Text;

/// One 835 transaction's events, ready to apply.
#[derive(Clone, Debug)]
pub struct RemittanceTransaction {
    /// What its events share.
    pub context: Arc<RemittanceContext>,
    /// Its events, in order.
    pub events: Vec<LineEvent>,
    /// Its identity, to apply it once only.
    pub fingerprint: TransactionFingerprint,
}

/// Sort key: payment date, production date, ISA13, ST02 (then trace and
/// content, so that the order never depends on file order).
pub type OrderKey = (Option<Date>, Option<Date>, Text, Text, Text, u64);

impl RemittanceTransaction {
    /// The order in which transactions are applied.
    pub fn order_key(&self) -> OrderKey {
        order_key_of(&self.context, self.fingerprint.content_hash)
    }
}

/// The order key of a transaction with this context and content hash.
pub fn order_key_of(c: &RemittanceContext, content_hash: u64) -> OrderKey {
    (
        c.payment_or_production_date(),
        c.production_date,
        c.interchange.clone(),
        padded(&c.transaction),
        c.trace.clone(),
        content_hash,
    )
}

/// Numeric control numbers sort as numbers ("10" after "9").
fn padded(control: &str) -> Text {
    if control.bytes().all(|b| b.is_ascii_digit()) {
        format!("{control:0>15}").into()
    } else {
        control.into()
    }
}

/// Identifies an 835 transaction so it is never applied twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TransactionFingerprint {
    /// Hash of the transaction's bytes (ST..SE body).
    pub content_hash: u64,
    /// Payer + trace + ST02 + amounts, for copies re-sent with other bytes.
    pub semantic: String,
}

/// A transaction held until it is applied, its events packed: what a run
/// without `--db` keeps of every 835 transaction between reading it and
/// deciding it (issue 17). Parsed events cost some 900 bytes of memory
/// each (about forty fields, most of them strings and vectors); packed
/// ([`super::event_codec`]: fields by position, amounts and dates as
/// binary) they take less than the size of their X12. Unpacking costs
/// a parse of those bytes, once, when the transaction is applied.
#[derive(Clone, Debug)]
pub struct PackedTransaction {
    /// What its events share, or only its payment order (see
    /// [`PackedTransaction::keep_order_only`]).
    shared: Shared,
    /// Its identity, to apply it once only.
    pub fingerprint: TransactionFingerprint,
    /// What applying it adds to a store, counted before its events are
    /// packed or dropped.
    pub size: TransactionSize,
    events: PackedEvents,
}

/// What one transaction adds to a store's line state when it is applied,
/// counted from its events while they are at hand: a store that holds
/// every pending transaction makes room for all of them once, before
/// deciding, instead of doubling its tables as they fill (issue 17).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransactionSize {
    /// Its line and claim events (each a line key): an upper bound on the
    /// lines it adds.
    pub lines: u32,
    /// Its claim payments.
    pub claims: u32,
    /// Its claim payments with a payer claim control number (CLP07).
    pub icns: u32,
    /// All its events, provider adjustments (PLB) included: about the
    /// line records applying it adds (each event is recorded on its line).
    pub events: u32,
}

impl TransactionSize {
    /// The size of a transaction with `events`.
    pub fn of(events: &[LineEvent]) -> TransactionSize {
        let mut size = TransactionSize::default();
        let mut last_claim = None;
        for event in events {
            size.events = size.events.saturating_add(1);
            if event.kind == super::event::EventKind::ProviderAdjustment {
                continue;
            }
            size.lines = size.lines.saturating_add(1);
            if last_claim != Some(event.claim_seq) {
                last_claim = Some(event.claim_seq);
                size.claims = size.claims.saturating_add(1);
                if !event.payer_claim_id.is_empty() {
                    size.icns = size.icns.saturating_add(1);
                }
            }
        }
        size
    }
}

/// Reads one 835 transaction again from the input it came in: what a run
/// without `--db` keeps of a transaction of an input that can be read
/// again (a file, bytes in memory) is where it is, not its events (issue
/// 17). Implemented by the pipeline, which knows how inputs are read.
pub trait TransactionAt: Send + Sync + std::fmt::Debug {
    /// Where it is, for errors: the input, segment and byte.
    fn whereabouts(&self) -> String;
    /// The transaction, read and parsed again; fails, saying where, when the
    /// input cannot be read or no longer holds the bytes read first.
    fn read_again(&self) -> Result<RemittanceTransaction, String>;
}

/// What a [`PackedTransaction`] keeps of what its events share.
#[derive(Clone, Debug)]
enum Shared {
    /// The context itself.
    Context(Arc<RemittanceContext>),
    /// Only the payment order it gives (about 100 bytes, where the context
    /// is some 700): a transaction read again brings its context back with
    /// its events.
    Order(Box<OrderKey>),
}

/// The events of a [`PackedTransaction`].
#[derive(Clone, Debug)]
enum PackedEvents {
    /// Where the transaction is in an input read again when it is applied.
    Located(Arc<dyn TransactionAt>),
    /// The events as [`super::event_codec`] packs them (without their
    /// context).
    Packed(Box<[u8]>),
    /// As parsed: events that were never asked to be packed.
    Parsed(Vec<LineEvent>),
}

impl PackedTransaction {
    /// Packs `tx`'s events.
    pub fn pack(tx: RemittanceTransaction) -> PackedTransaction {
        PackedTransaction {
            size: TransactionSize::of(&tx.events),
            events: PackedEvents::Packed(super::event_codec::encode(&tx.events).into_boxed_slice()),
            shared: Shared::Context(tx.context),
            fingerprint: tx.fingerprint,
        }
    }

    /// Holds `tx` as it is, unpacked (for callers that apply it soon).
    pub fn parsed(tx: RemittanceTransaction) -> PackedTransaction {
        PackedTransaction {
            size: TransactionSize::of(&tx.events),
            shared: Shared::Context(tx.context),
            fingerprint: tx.fingerprint,
            events: PackedEvents::Parsed(tx.events),
        }
    }

    /// Holds where `tx` is (`at` reads it again): its events are dropped.
    pub fn located(tx: RemittanceTransaction, at: Arc<dyn TransactionAt>) -> PackedTransaction {
        PackedTransaction {
            size: TransactionSize::of(&tx.events),
            shared: Shared::Context(tx.context),
            fingerprint: tx.fingerprint,
            events: PackedEvents::Located(at),
        }
    }

    /// The order in which transactions are applied.
    pub fn order_key(&self) -> OrderKey {
        match &self.shared {
            Shared::Context(context) => order_key_of(context, self.fingerprint.content_hash),
            Shared::Order(order) => OrderKey::clone(order),
        }
    }

    /// What its events share: held, or read again with them when only
    /// its payment order was kept (fails as [`PackedTransaction::unpack`]).
    pub fn context(&self) -> Result<Arc<RemittanceContext>, String> {
        match &self.shared {
            Shared::Context(context) => Ok(Arc::clone(context)),
            Shared::Order(_) => Ok(self.unpack()?.context),
        }
    }

    /// Of a transaction held by where it is, keeps only its payment order,
    /// not its context: a store that holds every pending transaction until
    /// deciding (the memory store) no longer holds their contexts, some
    /// 700 bytes a transaction — 40 bytes a service line on the 1 GB case
    /// (issue 17). The context comes back when the events are read again.
    /// A transaction held packed or parsed keeps its context (its events
    /// are decoded against it).
    pub fn keep_order_only(&mut self) {
        if let (PackedEvents::Located(_), Shared::Context(_)) = (&self.events, &self.shared) {
            self.shared = Shared::Order(Box::new(self.order_key()));
        }
    }

    /// True when it holds its context (not only its payment order: see
    /// [`PackedTransaction::keep_order_only`]).
    pub fn holds_context(&self) -> bool {
        matches!(self.shared, Shared::Context(_))
    }

    /// True when only where its events are is held.
    pub fn is_located(&self) -> bool {
        matches!(self.events, PackedEvents::Located(_))
    }

    /// True when its events are held packed.
    pub fn is_packed(&self) -> bool {
        matches!(self.events, PackedEvents::Packed(_))
    }

    /// The transaction with its events, each sharing the context; fails
    /// only when the packed bytes do not read back.
    pub fn unpack(&self) -> Result<RemittanceTransaction, String> {
        let events = match &self.events {
            PackedEvents::Located(at) => {
                let tx = at.read_again()?;
                // The bytes read again are those read first (the input
                // checks its size and time; this checks the content).
                if tx.fingerprint != self.fingerprint {
                    return Err(format!(
                        "{}: the remittance transaction read again differs from what was read first: the input changed during the run; run again",
                        at.whereabouts()
                    ));
                }
                return Ok(tx);
            }
            PackedEvents::Parsed(events) => events.clone(),
            PackedEvents::Packed(bytes) => super::event_codec::decode(bytes, self.held_context()?)
                .map_err(|e| format!("a packed remittance transaction does not read back: {e}"))?,
        };
        Ok(RemittanceTransaction {
            context: Arc::clone(self.held_context()?),
            events,
            fingerprint: self.fingerprint.clone(),
        })
    }

    /// The context of a transaction whose events are held (never only
    /// the order: [`PackedTransaction::keep_order_only`]).
    fn held_context(&self) -> Result<&Arc<RemittanceContext>, String> {
        match &self.shared {
            Shared::Context(context) => Ok(context),
            Shared::Order(_) => Err("a held remittance transaction lost its context".into()),
        }
    }

    /// [`PackedTransaction::unpack`], without a copy of events held parsed.
    pub fn into_transaction(self) -> Result<RemittanceTransaction, String> {
        match (self.events, self.shared) {
            (PackedEvents::Parsed(events), Shared::Context(context)) => Ok(RemittanceTransaction {
                context,
                events,
                fingerprint: self.fingerprint,
            }),
            (events, shared) => PackedTransaction {
                events,
                shared,
                ..self
            }
            .unpack(),
        }
    }
}
