//! Writes segments into a byte buffer with the configured delimiters.
//!
//! Numbers, amounts and dates are formatted by hand, without allocation:
//! amounts carry no trailing zeros (`100`, `79.5`, `12.25`, `-12.25`),
//! dates are CCYYMMDD. Elements are written in order and never followed by
//! empty trailing elements; callers simply stop.

use jiff::civil::Date;

use super::config::SynthConfig;

/// "00" to "99", two bytes each.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two digits of `n` (0 to 99).
#[inline]
fn pair(n: usize) -> &'static [u8] {
    &PAIRS[2 * n..2 * n + 2]
}

/// A segment buffer that counts the segments it holds.
#[derive(Clone, Debug)]
pub(crate) struct Enc {
    /// The encoded segments.
    pub(crate) buf: Vec<u8>,
    /// Number of segments in `buf`.
    pub(crate) segments: u32,
    element: u8,
    component: u8,
    repetition: u8,
    terminator: u8,
    line_break: &'static [u8],
}

impl Enc {
    /// An empty buffer using the delimiters of `cfg` (validated).
    pub(crate) fn new(cfg: &SynthConfig) -> Enc {
        let d = cfg.delimiters;
        Enc {
            buf: Vec::new(),
            segments: 0,
            element: d.element,
            component: d.component,
            repetition: d.repetition.unwrap_or(b'^'),
            terminator: d.segment,
            line_break: cfg.line_break.bytes(),
        }
    }

    /// Empties the buffer.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.segments = 0;
    }

    /// The repetition separator (ISA11).
    pub(crate) fn repetition(&self) -> u8 {
        self.repetition
    }

    /// Where the buffer stands, to undo what follows with [`Enc::rollback`].
    pub(crate) fn mark(&self) -> (usize, u32) {
        (self.buf.len(), self.segments)
    }

    /// Forgets everything written since `mark`.
    pub(crate) fn rollback(&mut self, mark: (usize, u32)) {
        self.buf.truncate(mark.0);
        self.segments = mark.1;
    }

    /// Starts a segment.
    pub(crate) fn seg(&mut self, tag: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(tag);
        self
    }

    /// Ends the current segment.
    pub(crate) fn end(&mut self) {
        self.buf.push(self.terminator);
        self.buf.extend_from_slice(self.line_break);
        self.segments += 1;
    }

    /// Starts an element holding `value`.
    pub(crate) fn el(&mut self, value: &[u8]) -> &mut Self {
        self.buf.push(self.element);
        self.buf.extend_from_slice(value);
        self
    }

    /// Writes `n` empty elements (their separators).
    pub(crate) fn skip(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.buf.push(self.element);
        }
        self
    }

    /// Starts an element (for values written piecewise with `raw*`).
    pub(crate) fn sep(&mut self) -> &mut Self {
        self.buf.push(self.element);
        self
    }

    /// Starts a component of a composite element.
    pub(crate) fn comp(&mut self, value: &[u8]) -> &mut Self {
        self.buf.push(self.component);
        self.buf.extend_from_slice(value);
        self
    }

    /// Appends bytes to the current element.
    pub(crate) fn raw(&mut self, value: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(value);
        self
    }

    /// Appends a single byte to the current element.
    pub(crate) fn byte(&mut self, b: u8) -> &mut Self {
        self.buf.push(b);
        self
    }

    /// Appends `n` in decimal, left-padded with zeros to `width` digits.
    #[inline]
    pub(crate) fn raw_pad(&mut self, n: u64, width: usize) -> &mut Self {
        let mut digits = [b'0'; 20];
        let mut i = digits.len();
        let mut v = n;
        while v >= 100 {
            i -= 2;
            digits[i..i + 2].copy_from_slice(pair((v % 100) as usize));
            v /= 100;
        }
        if v >= 10 {
            i -= 2;
            digits[i..i + 2].copy_from_slice(pair(v as usize));
        } else {
            i -= 1;
            digits[i] = b'0' + v as u8;
        }
        let start = i.min(digits.len().saturating_sub(width));
        self.buf.extend_from_slice(&digits[start..]);
        self
    }

    /// Appends `n` in decimal.
    pub(crate) fn raw_num(&mut self, n: u64) -> &mut Self {
        self.raw_pad(n, 1)
    }

    /// An element holding `n`.
    pub(crate) fn num(&mut self, n: u64) -> &mut Self {
        self.sep().raw_num(n)
    }

    /// An element holding an amount of `cents`, without trailing zeros.
    pub(crate) fn amt(&mut self, cents: i64) -> &mut Self {
        self.sep();
        if cents < 0 {
            self.buf.push(b'-');
        }
        let abs = cents.unsigned_abs();
        self.raw_num(abs / 100);
        let frac = abs % 100;
        if frac != 0 {
            self.buf.push(b'.');
            self.buf.push(b'0' + (frac / 10) as u8);
            if frac % 10 != 0 {
                self.buf.push(b'0' + (frac % 10) as u8);
            }
        }
        self
    }

    /// Appends a date as CCYYMMDD.
    #[inline]
    pub(crate) fn raw_date(&mut self, d: Date) -> &mut Self {
        let year = d.year() as usize;
        let mut out = [0u8; 8];
        out[0..2].copy_from_slice(pair(year / 100 % 100));
        out[2..4].copy_from_slice(pair(year % 100));
        out[4..6].copy_from_slice(pair(d.month() as usize));
        out[6..8].copy_from_slice(pair(d.day() as usize));
        self.buf.extend_from_slice(&out);
        self
    }

    /// An element holding a date as CCYYMMDD.
    pub(crate) fn date(&mut self, d: Date) -> &mut Self {
        self.sep().raw_date(d)
    }

    /// A whole segment of plain elements, e.g. `seg_of(b"LX", &[b"1"])`.
    pub(crate) fn seg_of(&mut self, tag: &[u8], elements: &[&[u8]]) {
        self.seg(tag);
        for e in elements {
            self.el(e);
        }
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LineBreak;

    fn enc() -> Enc {
        Enc::new(&SynthConfig::default().with_line_break(LineBreak::Lf))
    }

    #[test]
    fn amounts_have_no_trailing_zeros() {
        let mut e = enc();
        for cents in [10000, 7950, 1225, -1225, 0, 5, -50, 123456789] {
            e.amt(cents);
        }
        assert_eq!(e.buf, b"*100*79.5*12.25*-12.25*0*0.05*-0.5*1234567.89");
        e.clear();
        e.raw_pad(0, 3)
            .byte(b'/')
            .raw_pad(12345, 2)
            .byte(b'/')
            .raw_pad(u64::MAX, 0);
        assert_eq!(e.buf, b"000/12345/18446744073709551615");
    }

    #[test]
    fn segments_end_with_terminator_and_line_break() {
        let mut e = enc();
        e.seg(b"DTM")
            .el(b"405")
            .date(jiff::civil::date(2024, 3, 9))
            .end();
        e.seg(b"SVC")
            .sep()
            .raw(b"HC")
            .comp(b"99213")
            .raw_pad(7, 3)
            .end();
        assert_eq!(e.buf, b"DTM*405*20240309~\nSVC*HC:99213007~\n");
        assert_eq!(e.segments, 2);
    }
}
