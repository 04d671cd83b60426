//! Appeal letters and printable remittances, as HTML and PDF.

pub mod pdf;
