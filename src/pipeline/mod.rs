//! The pipeline: what drives a reconciliation through the history store.
//! [`run`] is its one entry point, with the settings resolved in a
//! [`Config`]: it reads each input ([`read_input`]), ingests its claims and
//! remittance transactions into the store, one file per store transaction
//! ([`ingest`]), then ([`decide`]) applies pending transactions in payment
//! order, one store transaction each, deciding every event with
//! `reconcile`'s pure rules ([`Reconciler`]).
//!
//! Above `history` (it drives the store) and below the writers and the
//! CLI: it hands out decided lines, and knows no output format, terminal
//! or command line.

pub mod engine;
pub mod front_end;
pub mod handoff;
pub mod ingest;
pub mod input;
pub mod parallel;
pub mod partition;
pub mod parts;
pub mod read_ahead;
pub mod reread;
pub mod run;
pub mod run_config;
pub mod run_error;
pub mod run_summary;

pub use engine::Reconciler;
pub use front_end::{FrontEnd, ResubmitItem};
pub use ingest::{IngestReport, ingest_remittance};
pub use input::{InputContent, read_input};
pub use parallel::{parallel_jobs, parallel_map};
pub use run::{Config, Decided, Observer, RunError, RunSummary, Source, decide, run};
