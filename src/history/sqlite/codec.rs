//! How the store writes the values it keeps whole (schema 9): MessagePack
//! (`rmp-serde`, structs as arrays of their fields by position, amounts and
//! dates as their text), not JSON. A decided row is some 1.3 KB of JSON and
//! about a third of that packed, and packing and unpacking cost a fraction
//! of printing and parsing JSON. Every reader goes through these functions
//! (no SQL looks inside a packed value); the columns a query filters or
//! sorts on are kept beside them as plain columns.
//!
//! Packed values: a decided row ([`DecidedLine`], in `events.row`), a
//! transaction's context and its pending events (`remittances.context`,
//! `remittances.events`, the events exactly as
//! [`crate::line::PackedTransaction`] packs them), a billed claim
//! (`claims.claim`) and a line's identity (`lines.key`,
//! `line_controls.base`: the same key always packs to the same bytes, so
//! the packed key is the line's unique key).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::history::{StoreError, StoreResult};

/// `value` packed.
pub(super) fn pack<T: Serialize + ?Sized>(value: &T) -> StoreResult<Vec<u8>> {
    rmp_serde::to_vec(value).map_err(|e| StoreError::Data(format!("cannot pack a value: {e}")))
}

/// A packed `what` read back.
pub(super) fn unpack<T: DeserializeOwned>(bytes: &[u8], what: &str) -> StoreResult<T> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Data(format!("stored {what}: {e}")))
}

/// The bytes of a packed column (a BLOB), borrowed from the row.
pub(super) fn blob<'r>(r: &'r rusqlite::Row<'_>, column: usize) -> StoreResult<&'r [u8]> {
    Ok(r.get_ref(column)?.as_blob()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::{LineKey, Scope};

    /// A line's packed identity is its unique key in the store: equal keys
    /// pack to equal bytes, different keys to different ones, and the bytes
    /// read back to the key. (Decided rows are read back through the
    /// store in `tests/history.rs` and the migration test.)
    #[test]
    fn a_line_key_packs_to_the_same_bytes_and_reads_back() {
        let key = |ordinal: u32| LineKey {
            payer: "P".into(),
            payee: "1234567890".into(),
            claim_id: "C1".into(),
            member_id: "M1".into(),
            service_date: Some(jiff::civil::date(2024, 1, 2)),
            procedure: "97110".into(),
            modifiers: "GP".into(),
            ordinal,
            scope: Scope::Line,
        };
        let packed = pack(&key(0)).unwrap();
        assert_eq!(packed, pack(&key(0).clone()).unwrap());
        assert_ne!(packed, pack(&key(1)).unwrap());
        assert_eq!(unpack::<LineKey>(&packed, "key").unwrap(), key(0));
        assert!(packed.len() < serde_json::to_string(&key(0)).unwrap().len() / 2);
        assert!(unpack::<LineKey>(b"not packed", "key").is_err());
    }
}
