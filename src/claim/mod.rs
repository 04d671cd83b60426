//! The 837 Health Care Claim as billed (professional, institutional, dental;
//! 5010 and 4010): typed model and streaming loop parser.

pub mod codec;
pub mod fingerprint;
pub mod model;
pub mod packed;
pub mod parser;
pub mod screen;

pub use fingerprint::ClaimFingerprint;
pub use model::*;
pub use packed::{
    ClaimPlace, ClaimsAt, HeldClaim, PLACE_PARTS, PackedClaim, PlaceSpan, SharedBatch,
};
pub use parser::{ClaimEvent, ClaimParser};

#[cfg(test)]
mod tests;
