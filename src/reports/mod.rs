//! Tables built from decided ledger rows: the appeal worklist and the
//! regulator resolution report. They know ledger rows, not X12 or files.

pub mod appeals;
pub mod resolution;
