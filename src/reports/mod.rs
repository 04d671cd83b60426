//! Reports built from decided ledger rows: the appeal worklist, the
//! regulator resolution report and the HTML report page. They know ledger
//! rows, not X12 or files.

pub mod appeals;
pub mod page;
pub mod resolution;
