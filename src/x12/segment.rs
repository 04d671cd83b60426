//! A borrowed X12 segment: its bytes, its delimiters and its position.
//!
//! Elements and components are found lazily with `memchr` on the borrowed
//! bytes; nothing is copied or allocated. Element numbers follow X12 usage:
//! element 1 is the first after the segment identifier (`CLP01`).

use super::{Delimiters, Position};

/// One segment, without its terminator, borrowed from the input buffer.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    raw: &'a [u8],
    delims: Delimiters,
    pos: Position,
}

impl<'a> Segment<'a> {
    /// Wraps raw segment bytes (without terminator).
    pub fn new(raw: &'a [u8], delims: Delimiters, pos: Position) -> Self {
        Segment { raw, delims, pos }
    }

    /// The segment identifier, e.g. `b"CLP"`.
    pub fn id(&self) -> &'a [u8] {
        match memchr::memchr(self.delims.element, self.raw) {
            Some(at) => &self.raw[..at],
            None => self.raw,
        }
    }

    /// The segment identifier as text (`"?"` if not ASCII).
    pub fn id_str(&self) -> &'a str {
        std::str::from_utf8(self.id()).unwrap_or("?")
    }

    /// True when the identifier equals `id`.
    pub fn is(&self, id: &[u8]) -> bool {
        self.id() == id
    }

    /// The raw bytes of the segment, without terminator.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Where the segment starts in its input.
    pub fn pos(&self) -> Position {
        self.pos
    }

    /// The delimiters of the interchange the segment belongs to.
    pub fn delimiters(&self) -> Delimiters {
        self.delims
    }

    /// Element `n` (1-based); empty when absent.
    pub fn element(&self, n: usize) -> &'a [u8] {
        self.elements().nth(n.wrapping_sub(1)).unwrap_or(b"")
    }

    /// Element `n` as trimmed text; empty when absent or not UTF-8.
    pub fn text(&self, n: usize) -> &'a str {
        std::str::from_utf8(self.element(n))
            .unwrap_or("")
            .trim_matches(' ')
    }

    /// The elements after the identifier, in order.
    pub fn elements(&self) -> Split<'a> {
        let rest = match memchr::memchr(self.delims.element, self.raw) {
            Some(at) => &self.raw[at + 1..],
            None => &self.raw[self.raw.len()..],
        };
        Split::new(rest, self.delims.element, self.raw.len() > self.id().len())
    }

    /// Number of elements after the identifier (trailing empties included).
    pub fn element_count(&self) -> usize {
        memchr::memchr_iter(self.delims.element, self.raw).count()
    }

    /// The components of element `n`.
    pub fn components(&self, n: usize) -> Split<'a> {
        let element = self.element(n);
        Split::new(element, self.delims.component, true)
    }

    /// Component `m` (1-based) of element `n`; empty when absent.
    pub fn component(&self, n: usize, m: usize) -> &'a [u8] {
        self.components(n).nth(m.wrapping_sub(1)).unwrap_or(b"")
    }

    /// Splits a composite element's bytes into components.
    pub fn split_components(&self, element: &'a [u8]) -> Split<'a> {
        Split::new(element, self.delims.component, true)
    }
}

/// An iterator over the parts of a byte slice split on one delimiter.
#[derive(Clone, Debug)]
pub struct Split<'a> {
    rest: &'a [u8],
    delim: u8,
    done: bool,
}

impl<'a> Split<'a> {
    fn new(bytes: &'a [u8], delim: u8, any: bool) -> Self {
        Split {
            rest: bytes,
            delim,
            done: !any,
        }
    }
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        match memchr::memchr(self.delim, self.rest) {
            Some(at) => {
                let part = &self.rest[..at];
                self.rest = &self.rest[at + 1..];
                Some(part)
            }
            None => {
                self.done = true;
                Some(self.rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(raw: &[u8]) -> Segment<'_> {
        Segment::new(raw, Delimiters::default(), Position::default())
    }

    #[test]
    fn elements_are_numbered_from_one() {
        let s = seg(b"CLP*PCN1*1*100*80**12*ICN");
        assert_eq!(s.id(), b"CLP");
        assert_eq!(s.element(1), b"PCN1");
        assert_eq!(s.element(4), b"80");
        assert_eq!(s.element(5), b"");
        assert_eq!(s.element(7), b"ICN");
        assert_eq!(s.element(8), b"");
        assert_eq!(s.element(0), b"");
        assert_eq!(s.element_count(), 7);
    }

    #[test]
    fn components_split_on_component_separator() {
        let s = seg(b"SVC*HC:99213:25:59*100*80");
        let parts: Vec<&[u8]> = s.components(1).collect();
        assert_eq!(parts, vec![&b"HC"[..], b"99213", b"25", b"59"]);
        assert_eq!(s.component(1, 2), b"99213");
        assert_eq!(s.component(1, 6), b"");
        assert_eq!(s.component(2, 1), b"100");
    }

    #[test]
    fn segment_without_elements_has_none() {
        let s = seg(b"SE");
        assert_eq!(s.elements().count(), 0);
        assert_eq!(s.element(1), b"");
        assert_eq!(s.components(1).count(), 1);
    }

    #[test]
    fn text_trims_padding() {
        assert_eq!(seg(b"N1*PE*ACME  *XX*123").text(2), "ACME");
    }
}
