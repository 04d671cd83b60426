//! Integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod deposits;
mod fuzz_corpus;
mod history;
mod posting;
mod reconcile;
mod report;
mod reports;
mod roundtrip;
mod split;
mod stages;
mod support;
mod synth835;
mod trace;
