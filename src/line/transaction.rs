//! An 835 transaction as the engine applies it: its events, the context
//! they share, its identity (so it is applied once) and its place in
//! payment order.

use std::sync::Arc;

use jiff::civil::Date;

use super::event::{LineEvent, RemittanceContext};
use crate::text::Text;

/// One 835 transaction's events, ready to apply.
#[derive(Clone, Debug)]
pub struct RemittanceTransaction {
    /// What its events share.
    pub context: Arc<RemittanceContext>,
    /// Its events, in order.
    pub events: Vec<LineEvent>,
    /// Its identity, to apply it once only.
    pub fingerprint: TransactionFingerprint,
}

/// Sort key: payment date, production date, ISA13, ST02 (then trace and
/// content, so that the order never depends on file order).
pub type OrderKey = (Option<Date>, Option<Date>, Text, Text, Text, u64);

impl RemittanceTransaction {
    /// The order in which transactions are applied.
    pub fn order_key(&self) -> OrderKey {
        order_key_of(&self.context, self.fingerprint.content_hash)
    }
}

/// The order key of a transaction with this context and content hash.
pub fn order_key_of(c: &RemittanceContext, content_hash: u64) -> OrderKey {
    (
        c.payment_or_production_date(),
        c.production_date,
        c.interchange.clone(),
        padded(&c.transaction),
        c.trace.clone(),
        content_hash,
    )
}

/// Numeric control numbers sort as numbers ("10" after "9").
fn padded(control: &str) -> Text {
    if control.bytes().all(|b| b.is_ascii_digit()) {
        format!("{control:0>15}").into()
    } else {
        control.into()
    }
}

/// Identifies an 835 transaction so it is never applied twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TransactionFingerprint {
    /// Hash of the transaction's bytes (ST..SE body).
    pub content_hash: u64,
    /// Payer + trace + ST02 + amounts, for copies re-sent with other bytes.
    pub semantic: String,
}
