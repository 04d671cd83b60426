//! Reconciliation rules, pure: 835↔837 claim and line matching over billed
//! claims given as data, the decision about one event given its history,
//! contract prices and as-of date, the contract pricing of a claim's lines, the ordinals of identical lines, prompt-pay
//! interest, the reasons in words, and which version of a remittance
//! counts. No store, file, clock or output format: the pipeline feeds
//! these rules from the history store and records what they decide.

pub mod claims;
pub mod corrections;
pub mod decide;
pub mod interest;
pub mod ordinals;
pub mod pairing;
pub mod pricing;
pub mod reason;
pub mod recovery;
pub mod unanswered;
pub mod versions;

pub use decide::Rules;
