//! remit reconciles healthcare payments: it reads X12 835 remittances and
//! 837 claims as streams and says, line by line, what was billed, paid,
//! denied and taken back.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod x12;

pub mod synth;
