//! The vocabulary of a decided service line: its identity ([`LineKey`]),
//! what its 835 event is ([`LineEvent`], [`Status`]), the transaction it
//! came in ([`RemittanceTransaction`], its [`OrderKey`] and fingerprint),
//! its history as the decision reads it ([`LineHistory`]), and what was
//! decided ([`Decision`], [`Flags`], [`LineInterest`]) — together one
//! [`DecidedLine`], the ledger's row — and what the headline totals over
//! such rows mean ([`figures`]).
//!
//! Below the rules that decide, the store that remembers and the writers
//! that print: `reconcile`, `history` and `ledger` all speak these words,
//! and none of them owns them. Knows what a verdict says, not how it is
//! reached (that is `reconcile`) nor how it is written (`ledger`).

mod decided;
mod decision;
mod event;
mod event_codec;
pub mod figures;
mod flags;
mod interest;
mod key;
mod prior;
mod standing;
mod status;
mod transaction;

pub use decided::{DecidedLine, NamedClaim, reason_with_notes};
pub use decision::Decision;
pub use event::{EventKind, LineEvent, RemittanceContext, adjustments_text, push_adjustments};
pub use event_codec::written_alike;
pub use flags::{Flag, Flags};
pub use interest::{LineInterest, ReceiptSource};
pub use key::{LineKey, Scope, event_key, modifier_set, payer_key};
pub use prior::{LineHistory, PriorEvent, PriorKind};
pub use standing::ClaimStanding;
pub use status::{Status, line_status, patient_resp, prior_payer_paid};
pub use transaction::{
    OrderKey, PackedTransaction, RemittanceTransaction, TransactionAt, TransactionFingerprint,
    TransactionSize, order_key_of,
};
