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

/// Reads one billed claim again from the input it came in: what a run
/// without `--db` keeps of a claim of an input that can be read again is
/// where it is (issue 17). Implemented by the pipeline, which knows how
/// inputs are read.
pub trait ClaimAt: Send + Sync + std::fmt::Debug {
    /// Where it is, for errors: the input, segment and byte.
    fn whereabouts(&self) -> String;
    /// The claim, read and parsed again; fails, saying where, when the
    /// input cannot be read or no longer holds the bytes read first.
    fn read_again(&self) -> Result<BilledClaim, String>;
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
    /// Where the claim is in an input read again when it is asked for.
    Located(std::sync::Arc<dyn ClaimAt>),
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

    /// Holds where `claim` is (`at` reads it again), not the claim.
    pub fn located(claim: &BilledClaim, at: std::sync::Arc<dyn ClaimAt>) -> PackedClaim {
        Self::with_body(claim, Body::Located(at))
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
        matches!(self.body, Body::Located(_))
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
    /// [`HeldClaim`]).
    pub fn into_held(self) -> HeldClaim {
        HeldClaim {
            identity: self.identity,
            body: self.body,
        }
    }
}

impl Body {
    fn unpack(&self, identity: u128) -> Result<BilledClaim, String> {
        match self {
            Body::Located(at) => {
                let claim = at.read_again()?;
                // The input checks its size and time; this checks the
                // content of the claim read again (CLM01 included).
                if ClaimFingerprint::of(&claim).identity() != identity {
                    return Err(format!(
                        "{}: the billed claim read again differs from what was read first: the input changed during the run; run again",
                        at.whereabouts()
                    ));
                }
                Ok(claim)
            }
            Body::Parsed(claim) => Ok((**claim).clone()),
            Body::Packed(bytes) => super::codec::decode(bytes)
                .map_err(|e| format!("a packed billed claim does not read back: {e}")),
        }
    }
}

/// A billed claim as a store that keeps claims in memory holds it once it
/// is ingested: its identity and its body (where it is, or packed), 48
/// bytes — its CLM01, ICN, line count and charge are read at ingest and
/// kept, where needed, by the store's own indexes.
#[derive(Clone, Debug)]
pub struct HeldClaim {
    identity: u128,
    body: Body,
}

impl HeldClaim {
    /// True when only where the claim is is held.
    pub fn is_located(&self) -> bool {
        matches!(self.body, Body::Located(_))
    }

    /// The claim (see [`PackedClaim::unpack`]).
    pub fn unpack(&self) -> Result<BilledClaim, String> {
        self.body.unpack(self.identity)
    }
}
