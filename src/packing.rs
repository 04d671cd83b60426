//! Values as compact bytes and back, for what a run holds in memory
//! between reading and deciding (billed claims: `claim::codec`; an 835
//! transaction's events: `line::packing`): texts length-prefixed, amounts
//! as sign, scale and a variable-length mantissa, dates as four bytes,
//! counts as variable-length integers; no names, no type tags. The bytes
//! live only as long as the run that wrote them, so the layout may change
//! with any release (what outlives a run — the SQLite store, the Spark
//! payloads — stays MessagePack).
//!
//! Why not a serde format: serde writes a decimal and a date as text and
//! parses them back, and MessagePack reads every field through a type
//! marker; for billed claims that was ~24,600 instructions a claim to pack
//! and ~21,000 to unpack (issue 17's profile).
//!
//! Texts go in a region of their own, before the other values (the
//! packed bytes are `[length of the texts][texts][values]`): reading back
//! checks that region as UTF-8 once and slices each text out of it, where
//! a check per text (`str::from_utf8` on a dozen bytes) cost ~55
//! instructions a text, ~45 texts a claim.
//!
//! [`Unpacker`] fails, never panics, on bytes it did not write: cut short,
//! a count past the end, a date that is not one, text that is not UTF-8.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::text::Text;

/// The most items of a list an unpacker makes room for before reading
/// them: a count is checked against the bytes left only, so corrupt bytes
/// must not size an allocation (a longer list grows as it is read).
pub const LIST_ROOM: usize = 64;

/// Values appended as bytes an [`Unpacker`] reads back in the same order.
#[derive(Debug, Default)]
pub struct Packer {
    /// Every value but the texts' bytes (their lengths included).
    values: Vec<u8>,
    /// The texts' bytes, one after the other.
    texts: String,
}

impl Packer {
    /// A packer whose buffers hold about `capacity` bytes before they grow.
    pub fn with_capacity(capacity: usize) -> Packer {
        Packer {
            values: Vec::with_capacity(capacity / 2),
            texts: String::with_capacity(capacity / 2),
        }
    }

    /// The packed bytes: the texts' length, the texts, then the values —
    /// in one block of exactly their size.
    pub fn into_bytes(self) -> Vec<u8> {
        let mut head = Packer::default();
        head.uint(self.texts.len() as u64);
        let mut out = Vec::with_capacity(head.values.len() + self.texts.len() + self.values.len());
        out.extend_from_slice(&head.values);
        out.extend_from_slice(self.texts.as_bytes());
        out.extend_from_slice(&self.values);
        out
    }

    /// One byte as it is.
    pub fn byte(&mut self, b: u8) {
        self.values.push(b);
    }

    /// An unsigned integer, seven bits a byte, low bits first (one byte up
    /// to 127).
    pub fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.values.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.values.push(n as u8);
    }

    /// Bytes after their count.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.uint(bytes.len() as u64);
        self.values.extend_from_slice(bytes);
    }

    /// Text: its length among the values, its bytes among the texts.
    pub fn text(&mut self, text: &str) {
        self.uint(text.len() as u64);
        self.texts.push_str(text);
    }

    /// A yes or no, as one byte (0 or 1).
    pub fn flag(&mut self, set: bool) {
        self.values.push(u8::from(set));
    }

    /// A flag, then the text when there is one.
    pub fn option_text(&mut self, text: Option<&Text>) {
        self.flag(text.is_some());
        if let Some(text) = text {
            self.text(text);
        }
    }

    /// A list of texts after its count.
    pub fn texts(&mut self, texts: &[Text]) {
        self.uint(texts.len() as u64);
        for text in texts {
            self.text(text);
        }
    }

    /// The decimal's own 16 bytes (flags, then the 96-bit mantissa low
    /// word first) folded: one byte for the scale (bits 0–4), the sign
    /// (bit 7) and whether the mantissa passes 64 bits (bit 6), then the
    /// mantissa as a variable-length integer or, past 64 bits, its 12
    /// bytes. Exact, the sign of a zero included.
    pub fn decimal(&mut self, d: Decimal) {
        let raw = d.serialize();
        let flags = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let scale = ((flags >> 16) & 0x1F) as u8;
        let negative = flags >> 31 != 0;
        let low = u64::from_le_bytes([
            raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11],
        ]);
        let high = u32::from_le_bytes([raw[12], raw[13], raw[14], raw[15]]);
        let head = scale | if negative { 0x80 } else { 0 } | if high != 0 { 0x40 } else { 0 };
        self.values.push(head);
        if high == 0 {
            self.uint(low);
        } else {
            self.values.extend_from_slice(&raw[4..16]);
        }
    }

    /// A flag, then the amount when there is one.
    pub fn option_decimal(&mut self, d: Option<Decimal>) {
        self.flag(d.is_some());
        if let Some(d) = d {
            self.decimal(d);
        }
    }

    /// A date as its year (two bytes), month and day.
    pub fn date(&mut self, date: Date) {
        self.values.extend_from_slice(&date.year().to_le_bytes());
        self.values.push(date.month() as u8);
        self.values.push(date.day() as u8);
    }

    /// A flag, then the date when there is one.
    pub fn option_date(&mut self, date: Option<Date>) {
        self.flag(date.is_some());
        if let Some(date) = date {
            self.date(date);
        }
    }
}

/// Reads back what a [`Packer`] wrote, value by value in the same order.
#[derive(Debug)]
pub struct Unpacker<'a> {
    /// The values (texts' lengths included).
    bytes: &'a [u8],
    at: usize,
    /// The texts, checked as UTF-8 once.
    texts: &'a str,
    text_at: usize,
}

/// What cut a read short.
fn short() -> String {
    "the packed claim is cut short".to_owned()
}

impl<'a> Unpacker<'a> {
    /// Reads what [`Packer::into_bytes`] wrote, from the start; fails when
    /// the texts' region is cut short or is not UTF-8.
    pub fn new(bytes: &'a [u8]) -> Result<Unpacker<'a>, String> {
        let mut head = Unpacker {
            bytes,
            at: 0,
            texts: "",
            text_at: 0,
        };
        let n = head.len()?;
        let region = head.take(n)?;
        let texts =
            std::str::from_utf8(region).map_err(|_| "the packed texts are not UTF-8".to_owned())?;
        Ok(Unpacker {
            bytes: &bytes[head.at..],
            at: 0,
            texts,
            text_at: 0,
        })
    }

    /// Fails when bytes are left: what was read was not all that was
    /// written (or not what was).
    pub fn finish(&self) -> Result<(), String> {
        match (self.bytes.len() - self.at, self.texts.len() - self.text_at) {
            (0, 0) => Ok(()),
            (left, texts) => Err(format!(
                "{left} bytes and {texts} bytes of text left after the packed value"
            )),
        }
    }

    /// One byte as it is.
    pub fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or_else(short)?;
        self.at += 1;
        Ok(b)
    }

    /// The next `n` bytes as they are.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).ok_or_else(short)?;
        let taken = self.bytes.get(self.at..end).ok_or_else(short)?;
        self.at = end;
        Ok(taken)
    }

    /// An unsigned integer as [`Packer::uint`] writes it.
    #[inline]
    pub fn uint(&mut self) -> Result<u64, String> {
        // Most counts and lengths are under 128: one byte, read inline.
        if let Some(&b) = self.bytes.get(self.at)
            && b < 0x80
        {
            self.at += 1;
            return Ok(u64::from(b));
        }
        self.uint_long()
    }

    /// [`Unpacker::uint`] of two bytes or more (or none left).
    #[inline(never)]
    fn uint_long(&mut self) -> Result<u64, String> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7F) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err("a packed count is too long".to_owned())
    }

    /// A count as [`Packer::uint`] writes it; an error when it passes the
    /// bytes left (every item takes one at least).
    pub fn len(&mut self) -> Result<usize, String> {
        let n = self.uint()?;
        // A count can never pass the bytes left (every item takes one at
        // least): no allocation sized by corrupt bytes.
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.bytes.len() - self.at)
            .ok_or_else(short)
    }

    /// Text as [`Packer::text`] writes it; an error when it is not UTF-8.
    #[inline]
    pub fn text(&mut self) -> Result<Text, String> {
        let n = self.uint()?;
        // Most optional fields of a claim or an event are empty.
        if n == 0 {
            return Ok(Text::default());
        }
        // The region was checked as UTF-8 whole; `get` checks that both
        // ends fall between characters.
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.text_at.checked_add(n))
            .ok_or_else(short)?;
        let text = self
            .texts
            .get(self.text_at..end)
            .ok_or_else(|| "a packed text is cut short or splits a character".to_owned())?;
        self.text_at = end;
        Ok(Text::new(text))
    }

    /// A flag as [`Packer::flag`] writes it; an error for any other byte.
    pub fn flag(&mut self) -> Result<bool, String> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(format!("a packed flag reads {other}")),
        }
    }

    /// What [`Packer::option_text`] writes.
    pub fn option_text(&mut self) -> Result<Option<Text>, String> {
        Ok(if self.flag()? {
            Some(self.text()?)
        } else {
            None
        })
    }

    /// What [`Packer::texts`] writes.
    pub fn texts(&mut self) -> Result<Vec<Text>, String> {
        let n = self.len()?;
        let mut texts = Vec::with_capacity(n.min(LIST_ROOM));
        for _ in 0..n {
            texts.push(self.text()?);
        }
        Ok(texts)
    }

    /// An amount as [`Packer::decimal`] writes it, bit for bit; an error
    /// for a scale past 28.
    pub fn decimal(&mut self) -> Result<Decimal, String> {
        let head = self.byte()?;
        let scale = head & 0x1F;
        if scale > 28 || head & 0x20 != 0 {
            return Err(format!("a packed amount has scale byte {head:#x}"));
        }
        let mut raw = [0u8; 16];
        let flags = u32::from(scale) << 16 | if head & 0x80 != 0 { 1 << 31 } else { 0 };
        raw[..4].copy_from_slice(&flags.to_le_bytes());
        if head & 0x40 == 0 {
            raw[4..12].copy_from_slice(&self.uint()?.to_le_bytes());
        } else {
            raw[4..16].copy_from_slice(self.take(12)?);
        }
        Ok(Decimal::deserialize(raw))
    }

    /// What [`Packer::option_decimal`] writes.
    pub fn option_decimal(&mut self) -> Result<Option<Decimal>, String> {
        Ok(if self.flag()? {
            Some(self.decimal()?)
        } else {
            None
        })
    }

    /// A date as [`Packer::date`] writes it; an error for one that is not
    /// a date.
    pub fn date(&mut self) -> Result<Date, String> {
        let year = self.take(2)?;
        let year = i16::from_le_bytes([year[0], year[1]]);
        let (month, day) = (self.byte()? as i8, self.byte()? as i8);
        Date::new(year, month, day).map_err(|e| format!("a packed date: {e}"))
    }

    /// What [`Packer::option_date`] writes.
    pub fn option_date(&mut self) -> Result<Option<Date>, String> {
        Ok(if self.flag()? {
            Some(self.date()?)
        } else {
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(texts: &[&str]) -> Vec<u8> {
        let mut out = Packer::default();
        for (i, text) in texts.iter().enumerate() {
            out.uint(i as u64);
            out.text(text);
        }
        out.into_bytes()
    }

    /// Texts of any script, empty ones among them, read back in their
    /// places between the other values.
    #[test]
    fn texts_read_back_from_their_region_between_the_values() {
        let texts = ["Müller", "", "日本語", "A", "", "Ñ-Ø"];
        let bytes = packed(&texts);
        let mut input = Unpacker::new(&bytes).expect("region is UTF-8");
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(input.uint().unwrap(), i as u64);
            assert_eq!(input.text().unwrap(), *text);
        }
        input.finish().expect("everything read");
    }

    /// A length that ends inside a character, runs past the region, or
    /// leaves text unread is an error, never a wrong text or a panic.
    #[test]
    fn a_text_length_that_splits_a_character_or_overruns_is_an_error() {
        let bytes = packed(&["Mü"]);
        // [region length 3]["Mü" = 3 bytes][index 0][text length 3]
        assert_eq!(bytes, [3, b'M', 0xC3, 0xBC, 0, 3]);
        let mut split = bytes.clone();
        split[5] = 2; // "M" and half of "ü"
        let mut input = Unpacker::new(&split).unwrap();
        input.uint().unwrap();
        assert!(input.text().is_err());
        let mut over = bytes.clone();
        over[5] = 4;
        let mut input = Unpacker::new(&over).unwrap();
        input.uint().unwrap();
        assert!(input.text().is_err());
        let mut short = bytes.clone();
        short[5] = 1; // reads "M", leaves "ü" unread
        let mut input = Unpacker::new(&short).unwrap();
        input.uint().unwrap();
        assert_eq!(input.text().unwrap(), "M");
        assert!(input.finish().is_err());
    }

    /// A region that is not UTF-8 is refused when reading starts.
    #[test]
    fn a_region_that_is_not_utf8_is_refused() {
        let mut bytes = packed(&["Mü"]);
        bytes[2] = 0xFF;
        assert!(Unpacker::new(&bytes).is_err());
        assert!(Unpacker::new(&[9, b'a']).is_err(), "region past the end");
    }
}
