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
//! [`Unpacker`] fails, never panics, on bytes it did not write: cut short,
//! a count past the end, a date that is not one, text that is not UTF-8.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::text::Text;

/// Values appended as bytes an [`Unpacker`] reads back in the same order.
#[derive(Debug, Default)]
pub struct Packer(pub Vec<u8>);

impl Packer {
    /// A packer whose buffer holds `capacity` bytes before it grows.
    pub fn with_capacity(capacity: usize) -> Packer {
        Packer(Vec::with_capacity(capacity))
    }

    /// One byte as it is.
    pub fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// An unsigned integer, seven bits a byte, low bits first (one byte up
    /// to 127).
    pub fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    /// Bytes after their count.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.uint(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }

    /// Text as its UTF-8 bytes after their count.
    pub fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    /// A yes or no, as one byte (0 or 1).
    pub fn flag(&mut self, set: bool) {
        self.0.push(u8::from(set));
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
        self.0.push(head);
        if high == 0 {
            self.uint(low);
        } else {
            self.0.extend_from_slice(&raw[4..16]);
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
        self.0.extend_from_slice(&date.year().to_le_bytes());
        self.0.push(date.month() as u8);
        self.0.push(date.day() as u8);
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
    bytes: &'a [u8],
    at: usize,
}

/// What cut a read short.
fn short() -> String {
    "the packed claim is cut short".to_owned()
}

impl<'a> Unpacker<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Unpacker<'a> {
        Unpacker { bytes, at: 0 }
    }

    /// Fails when bytes are left: what was read was not all that was
    /// written (or not what was).
    pub fn finish(&self) -> Result<(), String> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            left => Err(format!("{left} bytes left after the packed value")),
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
    pub fn uint(&mut self) -> Result<u64, String> {
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
    pub fn text(&mut self) -> Result<Text, String> {
        let n = self.len()?;
        // Most optional fields of a claim or an event are empty: an empty
        // text needs neither the UTF-8 check nor a `Text` built from it.
        if n == 0 {
            return Ok(Text::default());
        }
        let bytes = self.take(n)?;
        let text =
            std::str::from_utf8(bytes).map_err(|_| "a packed text is not UTF-8".to_owned())?;
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
        (0..n).map(|_| self.text()).collect()
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
