//! Integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod fuzz_corpus;
mod history;
mod reconcile;
mod reports;
mod roundtrip;
mod split;
mod stages;
mod support;
mod synth835;
