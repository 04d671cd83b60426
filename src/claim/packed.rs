//! A billed claim held packed: what a run without `--db` keeps of every
//! 837 claim from reading to the end of the run (issue 17). A parsed
//! [`BilledClaim`] costs some 1.5 KB of memory with two lines (about a
//! kilobyte of fields, then its lines, dates and references); packed
//! ([`super::codec`]: fields by position, amounts and dates as binary) it
//! takes less than the size of its X12. What ingesting asks of every claim (its
//! CLM01, REF*F8, line count, charge and content identity) stays unpacked;
//! the rest is unpacked when claim matching reads the claim.

use rust_decimal::Decimal;

use super::fingerprint::ClaimFingerprint;
use super::model::BilledClaim;
use crate::text::Text;

/// Reads the billed claims of one 837 transaction (a batch) again from
/// the input they came in: what a run without `--db` keeps of a claim of
/// an input that can be read again is where it is (issue 17) — its batch,
/// shared by the batch's claims, and its [`ClaimPlace`] inline.
/// Implemented by the pipeline, which knows how inputs are read.
pub trait ClaimsAt: Send + Sync + std::fmt::Debug {
    /// Where the claim at `place` is, for errors: the input, segment and
    /// byte.
    fn whereabouts(&self, place: &ClaimPlace) -> String;
    /// The claim at `place`, read and parsed again; fails, saying where,
    /// when the input cannot be read or no longer holds the bytes read
    /// first.
    fn read_again(&self, place: &ClaimPlace) -> Result<BilledClaim, String>;
}

/// A batch as its claims share it (a store that holds many claims keeps it
/// once for a run of them: see [`PackedClaim::into_held`]).
pub type SharedBatch = std::sync::Arc<dyn ClaimsAt>;

/// Most parts a [`ClaimPlace`] names besides its own span: the billing
/// provider, subscriber and patient HL loops.
pub const PLACE_PARTS: usize = 3;

/// Where one claim is in its batch, held inline in 20 bytes (issue 17;
/// 52 with its HL loops' spans inline, ~110 as a shared block and a boxed
/// slice of spans): its own span (the CLM loop, with the HL loops right
/// before it that are read with it) relative to the batch, and up to
/// [`PLACE_PARTS`] parts that its batch keeps once for the claims that
/// share them (an HL loop is shared by every claim under it), each by its
/// index there. What the span and parts are is the
/// [`ClaimsAt`]'s business.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClaimPlace {
    span: PlaceSpan,
    parts: [u16; PLACE_PARTS],
    count: u8,
}

/// One span of a [`ClaimPlace`], relative to its batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PlaceSpan {
    /// Its first byte, from the batch's first byte.
    pub offset: u32,
    /// Its length in bytes.
    pub len: u32,
    /// The number of its first segment, from the batch's first segment.
    pub segment: u32,
}

impl ClaimPlace {
    /// The place of `span` with `parts`, in the order given; `None` when
    /// there are more than [`PLACE_PARTS`] (the claim is then kept
    /// packed).
    pub fn new(span: PlaceSpan, parts: impl IntoIterator<Item = u16>) -> Option<ClaimPlace> {
        let mut place = ClaimPlace {
            span,
            ..ClaimPlace::default()
        };
        for part in parts {
            *place.parts.get_mut(usize::from(place.count))? = part;
            place.count += 1;
        }
        Some(place)
    }

    /// Its own span.
    pub fn span(&self) -> PlaceSpan {
        self.span
    }

    /// Its parts, in the order given.
    pub fn parts(&self) -> &[u16] {
        &self.parts[..usize::from(self.count)]
    }
}

/// A billed claim, packed, with what ingesting it reads.
#[derive(Clone, Debug)]
pub struct PackedClaim {
    /// CLM01.
    pub claim_id: Text,
    /// REF*F8, the ICN of the claim it replaces or voids (when not empty).
    pub replaced_icn: Option<Text>,
    /// Its service lines.
    pub lines: u32,
    /// CLM02.
    pub charge: Decimal,
    /// [`ClaimFingerprint::identity`] of the claim.
    pub identity: u128,
    body: Body,
}

/// The claim itself.
#[derive(Clone, Debug)]
enum Body {
    /// Where the claim is in an input read again when it is asked for:
    /// its batch and its place in it.
    Located(SharedBatch, ClaimPlace),
    /// The claim as [`super::codec`] packs it.
    Packed(Box<[u8]>),
    /// As parsed: a claim held as it is ([`PackedClaim::parsed`]).
    Parsed(Box<BilledClaim>),
}

impl PackedClaim {
    /// Packs `claim`.
    pub fn pack(claim: &BilledClaim) -> PackedClaim {
        let body = Body::Packed(super::codec::encode(claim).into_boxed_slice());
        Self::with_body(claim, body)
    }

    /// Holds where `claim` is (`batch` reads it again at `place`), not
    /// the claim.
    pub fn located(claim: &BilledClaim, batch: SharedBatch, place: ClaimPlace) -> PackedClaim {
        Self::with_body(claim, Body::Located(batch, place))
    }

    /// Holds `claim` as it is, unpacked.
    pub fn parsed(claim: BilledClaim) -> PackedClaim {
        let mut packed = Self::with_body(&claim, Body::Packed(Box::default()));
        packed.body = Body::Parsed(Box::new(claim));
        packed
    }

    fn with_body(claim: &BilledClaim, body: Body) -> PackedClaim {
        PackedClaim {
            claim_id: claim.claim_id.clone(),
            replaced_icn: claim
                .payer_claim_number
                .clone()
                .filter(|icn| !icn.is_empty()),
            lines: u32::try_from(claim.lines.len()).unwrap_or(u32::MAX),
            charge: claim.charge,
            identity: ClaimFingerprint::of(claim).identity(),
            body,
        }
    }

    /// True when only where the claim is is held.
    pub fn is_located(&self) -> bool {
        matches!(self.body, Body::Located(..))
    }

    /// True when the claim is held packed.
    pub fn is_packed(&self) -> bool {
        matches!(self.body, Body::Packed(_))
    }

    /// The claim; fails only when the packed bytes do not read back, or
    /// the input of a located claim changed.
    pub fn unpack(&self) -> Result<BilledClaim, String> {
        self.body.unpack(self.identity)
    }

    /// What a store keeps of the claim once it is ingested (see
    /// [`HeldClaim`]), and the batch it is read again from, when it is
    /// held by where it is: the store keeps that once for the claims that
    /// share it, and hands it back to [`HeldClaim::unpack`].
    pub fn into_held(self) -> (HeldClaim, Option<SharedBatch>) {
        let (body, batch) = match self.body {
            Body::Located(batch, place) => (HeldBody::Located(place), Some(batch)),
            Body::Packed(bytes) => (HeldBody::Packed(bytes), None),
            Body::Parsed(claim) => (HeldBody::Parsed(claim), None),
        };
        let identity = [(self.identity >> 64) as u64, self.identity as u64];
        (HeldClaim { identity, body }, batch)
    }
}

impl Body {
    fn unpack(&self, identity: u128) -> Result<BilledClaim, String> {
        match self {
            Body::Located(at, place) => read_again(&**at, place, identity),
            Body::Parsed(claim) => Ok((**claim).clone()),
            Body::Packed(bytes) => decode(bytes),
        }
    }
}

/// The claim at `place` of `at`, read again and checked against what was
/// read first.
fn read_again(
    at: &dyn ClaimsAt,
    place: &ClaimPlace,
    identity: u128,
) -> Result<BilledClaim, String> {
    let claim = at.read_again(place)?;
    // The input checks its size and time; this checks the content of the
    // claim read again (CLM01 included).
    if ClaimFingerprint::of(&claim).identity() != identity {
        return Err(format!(
            "{}: the billed claim read again differs from what was read first: the input changed during the run; run again",
            at.whereabouts(place)
        ));
    }
    Ok(claim)
}

/// A claim packed by [`super::codec`], unpacked.
fn decode(bytes: &[u8]) -> Result<BilledClaim, String> {
    super::codec::decode(bytes)
        .map_err(|e| format!("a packed billed claim does not read back: {e}"))
}

/// A billed claim as a store that keeps claims in memory holds it once it
/// is ingested: its identity and its body (where it is in its batch, or
/// packed), 40 bytes — its batch is kept by the store, once for the claims
/// that share it (88 bytes with the batch a fat pointer in every claim and
/// the HL loops' spans inline). Its CLM01, ICN, line count and charge are
/// read at ingest and kept, where needed, by the store's own indexes.
#[derive(Clone, Debug)]
pub struct HeldClaim {
    /// [`ClaimFingerprint::identity`], as two halves: a `u128` would align
    /// the claim to 16 bytes and pad it by 8.
    identity: [u64; 2],
    body: HeldBody,
}

/// What a [`HeldClaim`] holds of the claim itself: a [`Body`] without the
/// batch.
#[derive(Clone, Debug)]
enum HeldBody {
    /// Where the claim is in its batch.
    Located(ClaimPlace),
    /// The claim as [`super::codec`] packs it.
    Packed(Box<[u8]>),
    /// As parsed.
    Parsed(Box<BilledClaim>),
}

impl HeldClaim {
    /// True when only where the claim is is held.
    pub fn is_located(&self) -> bool {
        matches!(self.body, HeldBody::Located(_))
    }

    /// The claim (see [`PackedClaim::unpack`]); `batch` is the one
    /// [`PackedClaim::into_held`] gave with it (a claim held by where it
    /// is fails without it).
    pub fn unpack(&self, batch: Option<&SharedBatch>) -> Result<BilledClaim, String> {
        match (&self.body, batch) {
            (HeldBody::Located(place), Some(batch)) => read_again(&**batch, place, self.identity()),
            (HeldBody::Located(_), None) => {
                Err("a billed claim held by where it is has no batch to be read from".into())
            }
            (HeldBody::Packed(bytes), _) => decode(bytes),
            (HeldBody::Parsed(claim), _) => Ok((**claim).clone()),
        }
    }

    /// Where the claim is in its batch, when it is held so.
    #[cfg(test)]
    pub fn place(&self) -> Option<&ClaimPlace> {
        match &self.body {
            HeldBody::Located(place) => Some(place),
            HeldBody::Packed(_) | HeldBody::Parsed(_) => None,
        }
    }

    /// [`ClaimFingerprint::identity`] of the claim.
    pub fn identity(&self) -> u128 {
        (u128::from(self.identity[0]) << 64) | u128::from(self.identity[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(n: u32) -> PlaceSpan {
        PlaceSpan {
            offset: n * 100,
            len: n + 1,
            segment: n * 3,
        }
    }

    /// A place keeps its span and up to three parts as given; a claim
    /// with more has no place (it is kept packed). A held claim is 40
    /// bytes: 2.93 million of them on the 1 GB case.
    #[test]
    fn a_place_holds_up_to_three_parts_inline() {
        let place = ClaimPlace::new(span(4), [0, 7, 9]).expect("fits");
        assert_eq!((place.span(), place.parts()), (span(4), &[0u16, 7, 9][..]));
        let one = ClaimPlace::new(span(2), [3]).expect("fits");
        assert_eq!((one.span(), one.parts()), (span(2), &[3u16][..]));
        assert!(ClaimPlace::new(span(1), [1, 2, 3, 4]).is_none());
        assert_eq!(std::mem::size_of::<ClaimPlace>(), 20);
        assert_eq!(std::mem::size_of::<HeldClaim>(), 40);
    }

    /// The identity a held claim carries in halves is the claim's.
    #[test]
    fn a_held_claim_keeps_its_identity() {
        let claim = BilledClaim {
            claim_id: "A1".into(),
            ..BilledClaim::default()
        };
        let packed = PackedClaim::pack(&claim);
        let identity = packed.identity;
        assert_ne!(identity >> 64, 0);
        let (held, batch) = packed.into_held();
        assert!(batch.is_none());
        assert_eq!(held.identity(), identity);
        assert_eq!(held.unpack(None).expect("reads back"), claim);
    }
}
