//! Short text copied out of an X12 element: the one string type the 835,
//! 837 and acknowledgment models, the line vocabulary and the store share.
//!
//! It sits below every reader so that no model has to import another
//! model's module for it (the 837 used to import the 835's).

use compact_str::CompactString;

/// Short text copied from an element (inline up to 24 bytes, so a typical
/// identifier or code costs no allocation).
pub type Text = CompactString;
