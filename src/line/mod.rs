//! The vocabulary of a decided service line: its identity ([`LineKey`]),
//! what its 835 event is ([`LineEvent`], [`Status`]) and the flags a
//! decision gives it ([`Flags`]).
//!
//! Below the rules that decide, the store that remembers and the writers
//! that print: `reconcile`, `history` and `ledger` all speak these words,
//! and none of them owns them. Knows what a verdict says, not how it is
//! reached (that is `reconcile`) nor how it is written (`ledger`).

mod event;
mod flags;
mod key;
mod status;

pub use event::{EventKind, LineEvent, RemittanceContext};
pub use flags::{Flag, Flags};
pub use key::{LineKey, Scope, event_key, modifier_set, payer_key};
pub use status::{
    Status, denies, is_secondary_status, line_status, patient_resp, prior_payer_paid,
};
