//! How the store writes the values it keeps whole (schema 9): MessagePack
//! (`rmp-serde`, structs as arrays of their fields by position, amounts and
//! dates as their text), not JSON. A decided row is some 1.3 KB of JSON and
//! about a third of that packed, and packing and unpacking cost a fraction
//! of printing and parsing JSON. Every reader goes through these functions
//! (no SQL looks inside a packed value); the columns a query filters or
//! sorts on are kept beside them as plain columns.
//!
//! Decided rows (`events.row`) have a form of their own since schema 11: a
//! tag and a version, then the row's fields by position. Form 2 (schema
//! 13, [`pack_row`]) keeps only what the store cannot give back: the event
//! is named by its position among its transaction's stored events, and the
//! reason sentence and line key are left out when they are what the event
//! gives — ~95 bytes a row where form 1 took ~400. Reading such a row needs
//! its transaction's events ([`StoredEvents`]).
//!
//! Packed values: a decided row ([`DecidedLine`], in `events.row`), a
//! transaction's context and its pending events (`remittances.context`,
//! `remittances.events`, the events exactly as
//! [`crate::line::PackedTransaction`] packs them), a billed claim
//! (`claims.claim`) and a line's identity (`lines.key`: the same key
//! always packs to the same bytes, so the packed key tells lines apart;
//! since schema 14 they are found by a hash of those bytes, `line_hash`).

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::claim::BilledClaim;
use crate::history::{StoreError, StoreResult};
use crate::line::{
    ClaimStanding, DecidedLine, Decision, LineEvent, LineInterest, LineKey, NamedClaim,
    RemittanceContext, Status, event_key, written_alike,
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

/// The versions of the row form that follow [`ROW_TAG`]. The bytes outlive
/// the run that wrote them: a change to the form is a new version (and a
/// migration), and a reader refuses a version it does not know rather than
/// misread it. Version 1 (schema 11) keeps the whole row; version 2
/// (schema 13) leaves out what the store holds elsewhere (see
/// [`pack_row`]).
const ROW_V1: u8 = 1;
const ROW_V2: u8 = 2;

/// Version 2's flag byte: the row's event is one of its transaction's
/// stored events, named by position, so reading it needs them.
const BY_REFERENCE: u8 = 1;

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

/// A decided row as version 2 writes it (schema 13): version 1's fields,
/// but three of them left out when the store can give them back exactly.
/// A row was some 400 bytes, and most of it repeated what the store keeps
/// anyway: the event (~170 bytes) is one of its transaction's events,
/// stored for replays in `remittances.events`; the reason sentence (~100
/// bytes) is, for most rows, what the built-in code list says of the
/// event; the line key (~60 bytes) is, for most rows, the event's own.
/// Each is left out only when it is equal to what reading gives back, so
/// the rows read back are the rows stored, byte for byte.
#[derive(Serialize)]
struct RowOut2<'a> {
    /// The event's position among its transaction's stored events.
    event_at: Option<u32>,
    /// The event, when `event_at` is `None`.
    event: Option<&'a LineEvent>,
    status: &'a Status,
    decision: &'a Decision,
    matched_claim_line: &'a str,
    age_days: Option<i64>,
    /// `None`: what [`crate::reconcile::reason::reason`] says of the event
    /// with the built-in code list.
    reason: Option<&'a str>,
    recovered_claim: &'a Text,
    interest: &'a Option<LineInterest>,
    /// True: the key is `Some(event_key(event))` and `key` is `None`.
    key_is_event_key: bool,
    key: Option<&'a LineKey>,
    superseded_by: &'a Option<Text>,
    plb_claim: &'a Option<Box<NamedClaim>>,
    standing: &'a Option<ClaimStanding>,
}

/// [`RowOut2`] read back.
#[derive(Deserialize)]
struct RowIn2 {
    event_at: Option<u32>,
    event: Option<LineEvent>,
    status: Status,
    decision: Decision,
    matched_claim_line: String,
    age_days: Option<i64>,
    reason: Option<String>,
    recovered_claim: Text,
    interest: Option<LineInterest>,
    key_is_event_key: bool,
    key: Option<LineKey>,
    superseded_by: Option<Text>,
    plb_claim: Option<Box<NamedClaim>>,
    standing: Option<ClaimStanding>,
}

/// The first byte of a transaction's events stored compressed (schema
/// 13): the byte MessagePack never uses, so the packed array schemas 7 to
/// 12 stored (its first byte an array marker) is told apart and still
/// read.
const EVENTS_TAG: u8 = 0xc1;

/// The version of the compressed form that follows [`EVENTS_TAG`]: Snappy's
/// raw format of the events as [`pack`] writes them.
const EVENTS_SNAPPY: u8 = 1;

/// A transaction's events as `remittances.events` keeps them (schema 13):
/// packed, then compressed with Snappy. A transaction's events repeat its
/// payer, claims, members and codes: ~3.5 KB packed, about a third of
/// that compressed on generated files. Deflate compresses further but
/// zlib sets up ~300 KB of tables for each transaction (callgrind, the 1
/// MB set: ~30k instructions an event, against a few hundred here). They
/// are written once and read when the transaction is decided and when its
/// rows are.
pub(super) fn pack_events(events: &[LineEvent]) -> StoreResult<Vec<u8>> {
    compress_events(&pack(events)?)
}

/// Events packed by [`pack`] (as schemas 7 to 12 stored them) compressed.
pub(super) fn compress_events(packed: &[u8]) -> StoreResult<Vec<u8>> {
    compressed([EVENTS_TAG, EVENTS_SNAPPY], packed, "events")
}

/// `packed` compressed with Snappy's raw format, after the two bytes of
/// `header` (a tag and a form version).
fn compressed(header: [u8; 2], packed: &[u8], what: &str) -> StoreResult<Vec<u8>> {
    let mut out = vec![0; 2 + snap::raw::max_compress_len(packed.len())];
    out[..2].copy_from_slice(&header);
    let n = snap::raw::Encoder::new()
        .compress(packed, &mut out[2..])
        .map_err(|e| StoreError::Data(format!("cannot compress {what}: {e}")))?;
    out.truncate(2 + n);
    Ok(out)
}

/// True when `remittances.events` holds the compressed form.
pub(super) fn is_compressed_events(bytes: &[u8]) -> bool {
    bytes.starts_with(&[EVENTS_TAG, EVENTS_SNAPPY])
}

/// A transaction's stored events read back: compressed (schema 13) or the
/// packed array schemas 7 to 12 stored.
pub(super) fn unpack_events(bytes: &[u8]) -> StoreResult<Vec<LineEvent>> {
    match bytes {
        [EVENTS_TAG, EVENTS_SNAPPY, compressed @ ..] => {
            let packed = snap::raw::Decoder::new()
                .decompress_vec(compressed)
                .map_err(|e| StoreError::Data(format!("stored events: {e}")))?;
            unpack(&packed, "events")
        }
        [EVENTS_TAG, version, ..] => Err(StoreError::Data(format!(
            "stored events: form version {version}, which this remit does not know"
        ))),
        _ => unpack(bytes, "events"),
    }
}

/// The first byte of a billed claim in the store's own form (schema 15):
/// the byte MessagePack never uses, so a claim schemas 9 to 14 packed with
/// MessagePack (its first byte an array marker) is told apart and still
/// read.
const CLAIM_TAG: u8 = 0xc1;

/// The version of the claim form that follows [`CLAIM_TAG`]: the claim as
/// [`crate::claim::codec`] writes it (fields by position, amounts and dates
/// as binary, the form a run without `--db` holds claims in), compressed
/// with Snappy. A claim's form outlives the run that wrote it: a change to
/// [`crate::claim::codec`]'s layout is a new version here (and a migration).
const CLAIM_V1: u8 = 1;

/// A billed claim as `claims.claim` keeps it (schema 15). MessagePack
/// wrote every amount and date as text and every nested structure with its
/// own header: ~530 bytes a claim on generated files, a third of what a
/// `--db` store held per event. Snappy because a claim repeats its
/// provider's and members' words within itself, and it costs a few hundred
/// instructions where deflate sets up ~300 KB of tables per value.
pub(super) fn pack_claim(claim: &BilledClaim) -> StoreResult<Vec<u8>> {
    compressed(
        [CLAIM_TAG, CLAIM_V1],
        &crate::claim::codec::encode(claim),
        "billed claim",
    )
}

/// A stored billed claim read back: the store's own form (schema 15) or
/// the MessagePack schemas 9 to 14 wrote.
pub(super) fn unpack_claim(bytes: &[u8]) -> StoreResult<BilledClaim> {
    match bytes {
        [CLAIM_TAG, CLAIM_V1, compressed @ ..] => {
            let packed = snap::raw::Decoder::new()
                .decompress_vec(compressed)
                .map_err(|e| StoreError::Data(format!("stored billed claim: {e}")))?;
            crate::claim::codec::decode(&packed)
                .map_err(|e| StoreError::Data(format!("stored billed claim: {e}")))
        }
        [CLAIM_TAG, version, ..] => Err(StoreError::Data(format!(
            "stored billed claim: form version {version}, which this remit does not know"
        ))),
        _ => unpack(bytes, "billed claim"),
    }
}

/// True when `claims.claim` holds the store's own form (schema 15).
pub(super) fn is_claim_form(bytes: &[u8]) -> bool {
    bytes.starts_with(&[CLAIM_TAG, CLAIM_V1])
}

/// A stored 835 transaction's events, as a row of version 2 names them:
/// its context set on each.
#[derive(Debug)]
pub(super) struct StoredEvents {
    pub context: Arc<RemittanceContext>,
    pub events: Vec<LineEvent>,
}

impl StoredEvents {
    /// The events of `context` as `remittances.events` keeps them.
    pub fn unpack(context: Arc<RemittanceContext>, stored: &[u8]) -> StoreResult<StoredEvents> {
        let events = unpack_events(stored)?
            .into_iter()
            .map(|e| LineEvent {
                context: Arc::clone(&context),
                ..e
            })
            .collect();
        Ok(StoredEvents { context, events })
    }

    /// Where `event` is among these events: by its sequence first (the
    /// position it has when the engine left it as read), else the first
    /// equal one. Equal as packed, too: amounts compare by value (1.0 =
    /// 1.00) but are printed as written, so a row names a stored event
    /// only when reading that event gives back its very text.
    fn position(&self, event: &LineEvent) -> Option<u32> {
        let at = event.sequence as usize;
        let found = match self.events.get(at) {
            Some(e) if written_alike(e, event) => Some(at),
            _ => self
                .events
                .iter()
                .position(|e| e.sequence == event.sequence && written_alike(e, event)),
        }?;
        u32::try_from(found).ok()
    }
}

/// A decided row in the store's form, version 1 ([`ROW_TAG`], then
/// [`RowOut`]): the whole row. Migration 10 → 11 writes this form.
pub(super) fn pack_row_v1(row: &DecidedLine) -> StoreResult<Vec<u8>> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&[ROW_TAG, ROW_V1]);
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

/// A decided row in the store's form, version 2 ([`RowOut2`]), stored
/// under the transaction whose events are `stored` (none: a row of no
/// stored transaction, kept whole). The event is named by position when it
/// is one of them; only then are the key and the reason left out when they
/// are what reading works out from the event (the event's context, which
/// the key depends on, is then the transaction's). The same row and events
/// always pack to the same bytes: a replay compares rows by them.
pub(super) fn pack_row(row: &DecidedLine, stored: Option<&StoredEvents>) -> StoreResult<Vec<u8>> {
    let event_at = stored.and_then(|s| s.position(&row.event));
    let by_reference = event_at.is_some();
    let key_is_event_key = by_reference
        && row
            .key
            .as_ref()
            .is_some_and(|k| *k == event_key(&row.event));
    let reason_is_rendered = by_reference && row.reason == rendered_reason(&row.event);
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&[ROW_TAG, ROW_V2, if by_reference { BY_REFERENCE } else { 0 }]);
    let fields = RowOut2 {
        event_at,
        event: (!by_reference).then_some(&row.event),
        status: &row.status,
        decision: &row.decision,
        matched_claim_line: &row.matched_claim_line,
        age_days: row.age_days,
        reason: (!reason_is_rendered).then_some(row.reason.as_str()),
        recovered_claim: &row.recovered_claim,
        interest: &row.interest,
        key_is_event_key,
        key: if key_is_event_key {
            None
        } else {
            row.key.as_ref()
        },
        superseded_by: &row.superseded_by,
        plb_claim: &row.plb_claim,
        standing: &row.standing,
    };
    rmp_serde::encode::write(&mut out, &fields)
        .map_err(|e| StoreError::Data(format!("cannot pack a row: {e}")))?;
    Ok(out)
}

/// The reason a version 2 row leaves out: the built-in code list's words
/// for the event (never the run's `--code-list`, which the next reader may
/// not have).
fn rendered_reason(event: &LineEvent) -> String {
    crate::reconcile::reason::reason(crate::codes::CodeList::builtin(), event)
}

/// True when reading the row needs its transaction's stored events.
pub(super) fn needs_events(bytes: &[u8]) -> bool {
    matches!(bytes, [ROW_TAG, ROW_V2, flags, ..] if flags & BY_REFERENCE != 0)
}

/// A stored decided row read back: the store's form (either version), or
/// the MessagePack map schemas 9 and 10 wrote (read while migration 10 →
/// 11 converts them). `stored`: the events of the row's transaction, which
/// a row naming its event by position needs (see [`needs_events`]); the
/// caller sets the event's context on rows that keep their event whole.
pub(super) fn unpack_row(bytes: &[u8], stored: Option<&StoredEvents>) -> StoreResult<DecidedLine> {
    let Some((&ROW_TAG, rest)) = bytes.split_first() else {
        return unpack(bytes, "row");
    };
    match rest.split_first() {
        Some((&ROW_V1, packed)) => {
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
        Some((&ROW_V2, [_flags, packed @ ..])) => {
            let r: RowIn2 = unpack(packed, "row")?;
            let event = match (r.event_at, r.event) {
                (None, Some(event)) => event,
                (Some(at), None) => stored
                    .and_then(|s| s.events.get(at as usize))
                    .cloned()
                    .ok_or_else(|| {
                        StoreError::Data(format!(
                            "stored row: event {at} of its transaction, which the store does not hold"
                        ))
                    })?,
                _ => return Err(StoreError::Data("stored row: no event".into())),
            };
            let key = if r.key_is_event_key {
                Some(event_key(&event))
            } else {
                r.key
            };
            let reason = match r.reason {
                Some(reason) => reason,
                None => rendered_reason(&event),
            };
            Ok(DecidedLine {
                event,
                status: r.status,
                decision: r.decision,
                matched_claim_line: r.matched_claim_line,
                age_days: r.age_days,
                reason,
                recovered_claim: r.recovered_claim,
                interest: r.interest,
                key,
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

/// True when `bytes` is a row in one of the store's own forms (not a
/// MessagePack map of schemas 9 and 10).
pub(super) fn is_tagged_row(bytes: &[u8]) -> bool {
    matches!(bytes, [ROW_TAG, ROW_V1 | ROW_V2, ..])
}

/// True when `bytes` is a row in the form this remit writes.
pub(super) fn is_current_row(bytes: &[u8]) -> bool {
    bytes.starts_with(&[ROW_TAG, ROW_V2])
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
    /// part included; a row packed as schemas 9 and 10 did (a map) and one
    /// of form 1 (schema 11) still read; a form version this remit does
    /// not know is refused, not misread.
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
        let packed = pack_row(&row, None).unwrap();
        assert!(is_current_row(&packed) && !needs_events(&packed));
        assert_eq!(unpack_row(&packed, None).unwrap(), row);
        let v1 = pack_row_v1(&row).unwrap();
        assert!(is_tagged_row(&v1) && !is_current_row(&v1));
        assert_eq!(unpack_row(&v1, None).unwrap(), row);
        let map = pack(&row).unwrap();
        assert!(!is_tagged_row(&map));
        assert_eq!(unpack_row(&map, None).unwrap(), row);
        assert!(v1.len() + 150 < map.len(), "{} vs {}", v1.len(), map.len());
        let mut newer = packed.clone();
        newer[1] = ROW_V2 + 1;
        assert!(unpack_row(&newer, None).is_err());
        assert!(unpack_row(&[ROW_TAG], None).is_err());
        assert!(unpack_row(&[ROW_TAG, ROW_V2], None).is_err());
    }

    /// Events of one transaction as the store keeps them: packed, then
    /// read back with their context.
    fn stored(events: &[LineEvent]) -> StoredEvents {
        let events: Vec<LineEvent> = events
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.adjustments.push(crate::remittance::Adjustment {
                    group: "CO".into(),
                    reason: "45".into(),
                    amount: rust_decimal::Decimal::new(1250, 2),
                    quantity: None,
                });
                e
            })
            .collect();
        let context = Arc::new(RemittanceContext {
            trace: "T1".into(),
            payee_npi: "1234567890".into(),
            ..RemittanceContext::default()
        });
        StoredEvents::unpack(context, &pack(&events).unwrap()).unwrap()
    }

    /// Schema 13: a row whose event is one of its transaction's stored
    /// events names it by position, and leaves out the reason and the key
    /// when they are what the event gives; it reads back equal, and much
    /// smaller than the whole row. Without the events it is refused, not
    /// misread.
    #[test]
    fn a_row_names_its_stored_event_and_leaves_out_what_it_gives() {
        let mut first = LineEvent::sample();
        first.sequence = 0;
        let mut second = LineEvent::sample();
        second.sequence = 1;
        second.claim_id = "C2".into();
        let tx = stored(&[first, second]);
        let event = tx.events[1].clone();
        assert!(!rendered_reason(&event).is_empty());
        let mut row = DecidedLine::new(event.clone(), Decision::default(), rendered_reason(&event));
        row.key = Some(event_key(&event));
        let packed = pack_row(&row, Some(&tx)).unwrap();
        assert!(needs_events(&packed));
        assert_eq!(unpack_row(&packed, Some(&tx)).unwrap(), row);
        let whole = pack_row_v1(&row).unwrap();
        assert!(
            packed.len() * 3 < whole.len(),
            "{} vs {}",
            packed.len(),
            whole.len()
        );
        assert!(unpack_row(&packed, None).is_err());
        assert!(unpack_row(&packed, Some(&stored(&[]))).is_err());
        // The same row and events always pack to the same bytes (a replay
        // compares rows by them).
        assert_eq!(packed, pack_row(&row, Some(&tx)).unwrap());
    }

    /// Schema 13 keeps a transaction's events compressed, and reads them
    /// back equal; the packed array schemas 7 to 12 stored still reads; a
    /// form this remit does not know, or damaged bytes, are refused.
    #[test]
    fn stored_events_compress_and_read_back() {
        let events: Vec<LineEvent> = (0..40)
            .map(|i| {
                let mut e = LineEvent::sample();
                e.sequence = i;
                e
            })
            .collect();
        let packed = pack(&events).unwrap();
        let stored = pack_events(&events).unwrap();
        assert!(is_compressed_events(&stored) && !is_compressed_events(&packed));
        assert!(
            stored.len() * 3 < packed.len(),
            "{} vs {}",
            stored.len(),
            packed.len()
        );
        assert_eq!(unpack_events(&stored).unwrap(), events);
        assert_eq!(unpack_events(&packed).unwrap(), events);
        assert_eq!(compress_events(&packed).unwrap(), stored);
        let mut newer = stored.clone();
        newer[1] = EVENTS_SNAPPY + 1;
        assert!(unpack_events(&newer).is_err());
        assert!(unpack_events(&stored[..stored.len() / 2]).is_err());
    }

    /// Schema 15 keeps a billed claim in the claim codec's form,
    /// compressed: every claim of the samples and the corpus reads back
    /// equal (its fingerprint too), smaller than MessagePack wrote it; the
    /// MessagePack schemas 9 to 14 stored still reads; a form this remit
    /// does not know, or damaged bytes, are refused.
    #[test]
    fn stored_claims_read_back_in_either_form() {
        use crate::claim::ClaimFingerprint;
        let claims = crate::claim::codec::tests::bundled_claims();
        assert!(claims.len() > 50, "only {} claims", claims.len());
        let (mut old_bytes, mut new_bytes) = (0, 0);
        for claim in &claims {
            let old = pack(claim).unwrap();
            let new = pack_claim(claim).unwrap();
            assert!(is_claim_form(&new) && !is_claim_form(&old));
            let back = unpack_claim(&new).unwrap();
            assert_eq!(&back, claim);
            assert_eq!(ClaimFingerprint::of(&back), ClaimFingerprint::of(claim));
            assert_eq!(&unpack_claim(&old).unwrap(), claim);
            let mut newer = new.clone();
            newer[1] = CLAIM_V1 + 1;
            assert!(unpack_claim(&newer).is_err());
            assert!(unpack_claim(&new[..new.len() / 2]).is_err());
            old_bytes += old.len();
            new_bytes += new.len();
        }
        assert!(new_bytes * 5 < old_bytes * 4, "{new_bytes} vs {old_bytes}");
    }

    /// What a row must keep: a reason other than the built-in words (a
    /// `--code-list` run's, a note prefixed), a key other than the event's
    /// (an ordinal a REF*6R gave), an event changed after it was read or
    /// whose amounts are written otherwise (1.0 against 1.00: equal values,
    /// other text). Each reads back as stored.
    #[test]
    fn a_row_keeps_what_its_event_does_not_give() {
        let mut sample = LineEvent::sample();
        sample.sequence = 0;
        let tx = stored(&[sample]);
        let event = tx.events[0].clone();
        let base = || {
            let mut row =
                DecidedLine::new(event.clone(), Decision::default(), rendered_reason(&event));
            row.key = Some(event_key(&event));
            row
        };
        let full = pack_row(&base(), Some(&tx)).unwrap().len();
        let mut noted = base();
        noted.reason = format!("a note; {}", noted.reason);
        let mut ordinal = base();
        ordinal.key.as_mut().unwrap().ordinal = 2;
        let mut changed = base();
        changed.event.claim_id = "OTHER".into();
        let mut rescaled = base();
        rescaled.event.paid = rescaled.event.paid.round_dp(0);
        rescaled.event.paid.rescale(rescaled.event.paid.scale() + 1);
        assert_eq!(rescaled.event.paid, event.paid.round_dp(0));
        let mut no_key = base();
        no_key.key = None;
        for row in [noted, ordinal, changed, rescaled, no_key] {
            let packed = pack_row(&row, Some(&tx)).unwrap();
            let mut back = unpack_row(&packed, Some(&tx)).unwrap();
            // A whole event's context is set by the caller, as the
            // store does from the row's transaction.
            back.event.context = Arc::clone(&tx.context);
            assert_eq!(back, row, "{row:?}");
            assert_eq!(pack(&back.event).unwrap(), pack(&row.event).unwrap());
            assert!(packed.len() >= full, "{} vs {full}", packed.len());
        }
    }
}
