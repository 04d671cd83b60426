//! Acknowledgments of submitted claims: the TA1 interchange acknowledgment,
//! the 999 implementation acknowledgment (005010X231A1), the 277CA claim
//! acknowledgment (005010X214), the 277 claim status response and the 276
//! claim status request (005010X212) — typed models, streaming loop parsers
//! and the code lists that put them in words.
//!
//! This module owns reading what the clearinghouse and the payer say about
//! an 837 before any 835: which transaction sets a 999 accepted or rejected
//! and why (segment and element errors), and each claim's status category
//! and status codes from a 277. Tying those answers to billed claims and
//! turning them into a claim's lifecycle is [`crate::lifecycle`]'s job; this
//! module knows nothing of ledgers, stores or files.

pub mod codes;
pub mod functional;
pub mod model;
pub mod status;
pub mod words;

pub use codes::{AckCodes, AckList, Outcome};
pub use functional::{AckEvent, FunctionalAckParser, interchange_ack, set_outcome};
pub use model::*;
pub use status::{StatusEvent, StatusParser, claim_outcome};
pub use words::{describe_interchange_ack, describe_set_response, describe_statuses};

#[cfg(test)]
mod tests;
