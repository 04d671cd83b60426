//! Reconciliation rules, pure: 835↔837 claim and line matching over billed
//! claims given as data, the decision about one event given its history,
//! fee schedule and as-of date, the ordinals of identical lines, prompt-pay
//! interest, the reasons in words, and which version of a remittance
//! counts. No store, file, clock or output format: the pipeline feeds
//! these rules from the history store and records what they decide.

pub mod claims;
pub mod corrections;
pub mod decide;
pub mod fees;
pub mod interest;
pub mod ordinals;
pub mod pairing;
pub mod reason;
pub mod recovery;
pub mod unanswered;
pub mod versions;

pub use decide::Rules;
pub use fees::FeeSchedule;
