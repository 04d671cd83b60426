//! Tables built from decided ledger rows: the appeal worklist, the
//! regulator resolution report, and the matches of remittances with bank
//! deposits. They know ledger rows (and deposits), not X12 or files.

pub mod appeals;
pub mod deposits;
pub mod resolution;
