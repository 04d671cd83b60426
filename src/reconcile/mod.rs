//! Reconciliation: line identity, 835↔837 matching, the pure decision and
//! the engine that applies remittances in payment order.

pub mod claims;
pub mod decide;
pub mod engine;
pub mod fees;
pub mod ingest;
pub mod input;
pub mod interest;
pub mod ordinals;
pub mod reason;
pub mod versions;

pub use decide::{Rules, decide};
pub use engine::Reconciler;
pub use fees::FeeSchedule;
pub use ingest::{IngestReport, Remittance, ingest, ingest_remittance};
pub use input::{InputContent, read_input};
