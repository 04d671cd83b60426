//! A billed claim held packed: what a run without `--db` keeps of every
//! 837 claim from reading to the end of the run (issue 17). A parsed
//! [`BilledClaim`] costs some 1.5 KB of memory with two lines (about a
//! kilobyte of fields, then its lines, dates and references); packed as
//! MessagePack (fields by position, amounts and dates as text) it takes
//! about the size of its X12. What ingesting asks of every claim (its
//! CLM01, REF*F8, line count, charge and content identity) stays unpacked;
//! the rest is unpacked when claim matching reads the claim.

use rust_decimal::Decimal;

use super::fingerprint::ClaimFingerprint;
use super::model::BilledClaim;
use crate::text::Text;

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
    /// MessagePack of the claim.
    Packed(Box<[u8]>),
    /// As parsed: a claim that did not pack (none fails to, but a failure
    /// must not lose it).
    Parsed(Box<BilledClaim>),
}

impl PackedClaim {
    /// Packs `claim`.
    pub fn pack(claim: &BilledClaim) -> PackedClaim {
        let body = match rmp_serde::to_vec(claim) {
            Ok(bytes) => Body::Packed(bytes.into_boxed_slice()),
            Err(_) => Body::Parsed(Box::new(claim.clone())),
        };
        Self::with_body(claim, body)
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

    /// True when the claim is held packed.
    pub fn is_packed(&self) -> bool {
        matches!(self.body, Body::Packed(_))
    }

    /// The claim; fails only when the packed bytes do not read back.
    pub fn unpack(&self) -> Result<BilledClaim, String> {
        match &self.body {
            Body::Parsed(claim) => Ok((**claim).clone()),
            Body::Packed(bytes) => rmp_serde::from_slice(bytes)
                .map_err(|e| format!("a packed billed claim does not read back: {e}")),
        }
    }
}
