//! One acknowledgment as read from a file and kept in the history store:
//! a TA1, a whole 999 transaction, or one claim's (or one provider's)
//! status from a 277CA/277. Stored as read, not as the verdict it gave,
//! so that a later run ties it again — to claims read after it, with the
//! code list of that run — and the lifecycle never depends on the order
//! files arrived in.

use crate::acks::{ClaimStatus, FunctionalAck, InterchangeAck};
use crate::text::Text;

use super::{AckTracker, SetKey};

/// One acknowledgment, as read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "ack", rename_all = "snake_case")]
pub enum Acknowledgment {
    /// A TA1.
    Interchange(InterchangeAck),
    /// A 999 transaction.
    Functional(FunctionalAck),
    /// A claim's status (2200D) from a 277CA or 277.
    Claim(ClaimStatus),
    /// A provider's status (2200C) from a 277CA.
    Provider(ClaimStatus),
}

impl Acknowledgment {
    /// Hands it to `tracker` as read from `source`.
    pub fn feed(&self, tracker: &mut AckTracker, source: &str) {
        match self {
            Acknowledgment::Interchange(a) => tracker.add_interchange_ack(a, source),
            Acknowledgment::Functional(a) => tracker.add_functional_ack(a, source),
            Acknowledgment::Claim(s) => tracker.add_claim_status(s, source),
            Acknowledgment::Provider(s) => tracker.add_provider_status(s, source),
        }
    }

    /// The transaction it answers in words (`999`, `277CA`…), for counts.
    pub fn kind(&self) -> &'static str {
        match self {
            Acknowledgment::Interchange(_) => "TA1",
            Acknowledgment::Functional(_) => "999",
            Acknowledgment::Claim(s) | Acknowledgment::Provider(s) => s.kind.label(),
        }
    }
}

/// The batch number (BHT03) of one 837 set: a 277CA names it in 2200B
/// TRN02, and a provider-level rejection covers the claims of that batch.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchReference {
    /// The 837 set.
    pub set: SetKey,
    /// Its BHT03.
    pub reference: Text,
}
