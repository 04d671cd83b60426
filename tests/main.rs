//! Integration tests: one binary, one module per area.

mod acks;
mod claims837;
mod cli;
mod corpus;
mod corpus_pins;
mod deposits;
mod fuzz_corpus;
mod golden;
mod history;
mod inputs;
mod layers;
mod outputs;
mod posting;
mod readme;
mod reconcile;
mod report;
mod reports;
mod roundtrip;
mod split;
mod stages;
mod support;
mod synth835;
mod trace;
mod verdicts;
mod x12rules;
mod xlsx;
