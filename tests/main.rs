//! Integration tests: one binary, one module per area.

mod cli;
mod corpus;
mod history;
mod reconcile;
mod report;
mod reports;
mod support;
