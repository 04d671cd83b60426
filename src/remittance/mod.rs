//! The 835 Health Care Claim Payment/Advice (005010X221A1): typed model,
//! streaming loop parser and TR3 balancing.

pub mod balance;
pub mod model;
pub mod parser;
pub mod screen;

pub use model::*;
pub use parser::{RemittanceEvent, RemittanceParser};

#[cfg(test)]
mod tests;
