//! Appeal outcomes: what the practice filed and what the payer answered,
//! where each worklist item stands given those answers and later
//! remittances, and denial analytics.
//!
//! This module owns the outcome model ([`AppealOutcome`]), the outcomes CSV
//! a practice imports ([`load`], validated like every input: every
//! problem named by file, line and column, nothing kept from a file with
//! one), the tracking rules ([`track`]: a later payment of an appealed
//! line wins it automatically), and the analytics ([`analyze`]). All of it
//! is pure: the store keeps the outcomes and the CLI feeds these functions;
//! nothing here reads a clock, a store or a ledger row.

pub mod analytics;
pub mod load;
pub mod model;
pub mod tracking;

#[cfg(test)]
mod tests;

pub use analytics::{Adjudication, AnalyticsLine, DenialAnalytics, DenialCategory, Tally, analyze};
pub use load::{OutcomeError, OutcomeErrors};
pub use model::{AppealOutcome, ItemKey, Outcome};
pub use tracking::{ItemState, LinePayment, OpenItem, Tracked, covers, track};
