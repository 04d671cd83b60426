//! The X12 syntax layer: bytes, delimiters and segments.
//!
//! This layer knows how X12 is spelled (ISA, delimiters, segments, elements,
//! components) and where every segment sits, but nothing of 835 or 837. It
//! never panics and never allocates per segment.

pub mod batch;
pub mod delims;
pub mod hash;
pub mod ids;
pub mod lexer;
mod position;
pub mod reader;
mod segment;
#[cfg(test)]
pub mod test_files;
pub mod value;

pub use batch::BatchReader;
pub use delims::Delimiters;
pub use lexer::{Lexer, Notice, NoticeKind, SyntaxError, SyntaxErrorKind};
pub use position::{Control, Controls, Position};
pub use reader::{ReadError, SegmentReader, SliceReader};
pub use segment::{Elements, Segment, SegmentId, Split, TextSplit};

#[cfg(test)]
mod tests;
