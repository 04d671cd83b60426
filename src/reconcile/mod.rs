//! Reconciliation: line identity, 835↔837 matching, the pure decision and
//! the engine that applies remittances in payment order.

pub mod claims;
pub mod decide;
pub mod engine;
pub mod fees;
pub mod input;
pub mod key;
pub mod reason;

pub use claims::ClaimIndex;
pub use decide::{Decision, Rules, decide};
pub use engine::{Applied, Reconciler, RemittanceTransaction};
pub use fees::FeeSchedule;
pub use input::{InputContent, read_input};
