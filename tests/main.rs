//! Integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod deposits;
mod history;
mod posting;
mod reconcile;
mod reports;
mod support;
