//! How the store writes the values it keeps whole (schema 9): MessagePack
//! (`rmp-serde`, structs as arrays of their fields by position, amounts and
//! dates as their text), not JSON. A decided row is some 1.3 KB of JSON and
//! about a third of that packed, and packing and unpacking cost a fraction
//! of printing and parsing JSON. Every reader goes through these functions
//! (no SQL looks inside a packed value); the columns a query filters or
//! sorts on are kept beside them as plain columns.
//!
//! Decided rows (`events.row`) have a form of their own since schema 11
//! ([`pack_row`]): a tag and a version, then the row's fields by position.
//!
//! Packed values: a decided row ([`DecidedLine`], in `events.row`), a
//! transaction's context and its pending events (`remittances.context`,
//! `remittances.events`, the events exactly as
//! [`crate::line::PackedTransaction`] packs them), a billed claim
//! (`claims.claim`) and a line's identity (`lines.key`,
//! `line_controls.base`: the same key always packs to the same bytes, so
//! the packed key is the line's unique key).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::history::{StoreError, StoreResult};
use crate::line::{
    ClaimStanding, DecidedLine, Decision, LineEvent, LineInterest, LineKey, NamedClaim, Status,
};
use crate::text::Text;

/// `value` packed.
pub(super) fn pack<T: Serialize + ?Sized>(value: &T) -> StoreResult<Vec<u8>> {
    rmp_serde::to_vec(value).map_err(|e| StoreError::Data(format!("cannot pack a value: {e}")))
}

/// A packed `what` read back.
pub(super) fn unpack<T: DeserializeOwned>(bytes: &[u8], what: &str) -> StoreResult<T> {
    rmp_serde::from_slice(bytes).map_err(|e| StoreError::Data(format!("stored {what}: {e}")))
}

/// The first byte of a decided row in the store's own form (schema 11).
/// 0xc1 is the one byte MessagePack never uses, so a row packed by schema
/// 9 or 10 (a MessagePack map: `DecidedLine`'s flattened decision makes
/// serde write every field's name, some 220 bytes a row) is told apart by
/// its first byte.
const ROW_TAG: u8 = 0xc1;

/// The version of the row form that follows [`ROW_TAG`]. The bytes outlive
/// the run that wrote them: a change to the form is a new version (and a
/// migration), and a reader refuses a version it does not know rather than
/// misread it.
const ROW_VERSION: u8 = 1;

/// A decided row as version 1 writes it: [`DecidedLine`]'s fields in their
/// declared order, the decision nested rather than flattened, so that
/// MessagePack writes a struct as the array of its fields (no names) and
/// reads it back without serde's buffering of flattened maps. No field is
/// ever left out: positions are the format.
#[derive(Serialize)]
struct RowOut<'a> {
    event: &'a LineEvent,
    status: &'a Status,
    decision: &'a Decision,
    matched_claim_line: &'a str,
    age_days: Option<i64>,
    reason: &'a str,
    recovered_claim: &'a Text,
    interest: &'a Option<LineInterest>,
    key: &'a Option<LineKey>,
    superseded_by: &'a Option<Text>,
    plb_claim: &'a Option<Box<NamedClaim>>,
    standing: &'a Option<ClaimStanding>,
}

/// [`RowOut`] read back.
#[derive(Deserialize)]
struct RowIn {
    event: LineEvent,
    status: Status,
    decision: Decision,
    matched_claim_line: String,
    age_days: Option<i64>,
    reason: String,
    recovered_claim: Text,
    interest: Option<LineInterest>,
    key: Option<LineKey>,
    superseded_by: Option<Text>,
    plb_claim: Option<Box<NamedClaim>>,
    standing: Option<ClaimStanding>,
}

/// A decided row in the store's form: [`ROW_TAG`], [`ROW_VERSION`], then
/// the row as [`RowOut`] packs it.
pub(super) fn pack_row(row: &DecidedLine) -> StoreResult<Vec<u8>> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&[ROW_TAG, ROW_VERSION]);
    let fields = RowOut {
        event: &row.event,
        status: &row.status,
        decision: &row.decision,
        matched_claim_line: &row.matched_claim_line,
        age_days: row.age_days,
        reason: &row.reason,
        recovered_claim: &row.recovered_claim,
        interest: &row.interest,
        key: &row.key,
        superseded_by: &row.superseded_by,
        plb_claim: &row.plb_claim,
        standing: &row.standing,
    };
    rmp_serde::encode::write(&mut out, &fields)
        .map_err(|e| StoreError::Data(format!("cannot pack a row: {e}")))?;
    Ok(out)
}

/// A stored decided row read back: the store's form, or the MessagePack
/// map schemas 9 and 10 wrote (read while migration 10 → 11 converts
/// them).
pub(super) fn unpack_row(bytes: &[u8]) -> StoreResult<DecidedLine> {
    let Some((&ROW_TAG, rest)) = bytes.split_first() else {
        return unpack(bytes, "row");
    };
    match rest.split_first() {
        Some((&ROW_VERSION, packed)) => {
            let r: RowIn = unpack(packed, "row")?;
            Ok(DecidedLine {
                event: r.event,
                status: r.status,
                decision: r.decision,
                matched_claim_line: r.matched_claim_line,
                age_days: r.age_days,
                reason: r.reason,
                recovered_claim: r.recovered_claim,
                interest: r.interest,
                key: r.key,
                superseded_by: r.superseded_by,
                plb_claim: r.plb_claim,
                standing: r.standing,
            })
        }
        Some((version, _)) => Err(StoreError::Data(format!(
            "stored row: form version {version}, which this remit does not know"
        ))),
        None => Err(StoreError::Data("stored row: empty".into())),
    }
}

/// True when `bytes` is a row in the store's current form.
pub(super) fn is_current_row(bytes: &[u8]) -> bool {
    bytes.starts_with(&[ROW_TAG, ROW_VERSION])
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

    /// A decided row in the store's form reads back whole, every optional
    /// part included; a row packed as schemas 9 and 10 did (a map) still
    /// reads, and packs smaller now; a form version this remit does not
    /// know is refused, not misread.
    #[test]
    fn a_row_packs_in_the_stores_form_and_reads_back() {
        use crate::line::{Flag, NamedClaim};
        let mut row = DecidedLine::new(
            LineEvent::sample(),
            Decision {
                prior_paid: Some(rust_decimal::Decimal::new(1234, 2)),
                expected_basis: "fee schedule row 3".into(),
                ..Decision::default()
            },
            "Paid as billed".into(),
        );
        row.decision.flags.insert(Flag::Recouped);
        row.matched_claim_line = "s.837#C1/1".into();
        row.age_days = Some(12);
        row.recovered_claim = "C0".into();
        row.superseded_by = Some("T2".into());
        row.plb_claim = Some(Box::new(NamedClaim {
            claim_id: "C1".into(),
            member_id: "M1".into(),
            procedure: "97110".into(),
        }));
        row.standing = Some(ClaimStanding::default());
        let packed = pack_row(&row).unwrap();
        assert!(is_current_row(&packed));
        assert_eq!(unpack_row(&packed).unwrap(), row);
        let map = pack(&row).unwrap();
        assert!(!is_current_row(&map));
        assert_eq!(unpack_row(&map).unwrap(), row);
        assert!(
            packed.len() + 150 < map.len(),
            "{} vs {}",
            packed.len(),
            map.len()
        );
        let mut newer = packed.clone();
        newer[1] = ROW_VERSION + 1;
        assert!(unpack_row(&newer).is_err());
        assert!(unpack_row(&[ROW_TAG]).is_err());
    }
}
