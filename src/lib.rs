//! remit reconciles healthcare payments: it reads X12 835 remittances and
//! 837 claims as streams and says, line by line, what was billed, paid,
//! denied and taken back.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bank;
pub mod claim;
pub mod cli;
pub mod codes;
pub mod diagnostic;
pub mod document;
pub mod envelope;
pub mod events;
pub mod fields;
pub mod history;
pub mod ledger;
pub mod reconcile;
pub mod remittance;
pub mod reports;
pub mod scan;
pub mod tabular;
pub mod x12;

pub mod synth;
