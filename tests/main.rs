//! Integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod fuzz_corpus;
mod history;
mod reconcile;
mod reports;
mod roundtrip;
mod stages;
mod support;
