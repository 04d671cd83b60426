//! Integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod reconcile;
mod split;
mod support;
mod synth835;
