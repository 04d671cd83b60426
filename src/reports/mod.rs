//! Reports built from decided ledger rows: the appeal worklist, the payer
//! scorecard, the
//! regulator resolution report, the HTML report page, the matches of
//! remittances with bank deposits, and the comparison with what the
//! practice posted. They know ledger rows (and deposits and postings), not
//! X12 or files.

pub mod appeals;
pub mod contracts;
pub mod deposits;
pub mod lifecycle;
pub mod page;
pub mod posting;
pub mod resolution;
