//! Where a segment sits in its input: byte offset, ordinal, and the control
//! numbers of the interchange (ISA13) and transaction (ST02) around it.
//!
//! Knows nothing of 835 or 837; only the syntax layer fills these in.

use std::fmt;

/// A short control number (ISA13, GS06, ST02) kept inline so that positions
/// stay `Copy` and cost no allocation per segment.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Control {
    bytes: [u8; Control::CAPACITY],
    len: u8,
}

impl Control {
    /// Longest control number kept; longer (malformed) values are cut here.
    pub const CAPACITY: usize = 15;

    /// No control number.
    pub const EMPTY: Control = Control {
        bytes: [0; Control::CAPACITY],
        len: 0,
    };

    /// Builds a control number from raw element bytes, trimming spaces.
    pub fn new(raw: &[u8]) -> Control {
        let raw = raw.trim_ascii();
        let len = raw.len().min(Self::CAPACITY);
        let mut bytes = [0u8; Self::CAPACITY];
        bytes[..len].copy_from_slice(&raw[..len]);
        Control {
            bytes,
            len: len as u8,
        }
    }

    /// The control number as text (lossy for non-UTF-8 bytes).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("?")
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// True when no control number is known.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl serde::Serialize for Control {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Control {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Control::new(text.as_bytes()))
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// The control numbers around a segment: ISA13 and ST02.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Controls {
    /// ISA13 of the open interchange (empty outside one).
    pub interchange: Control,
    /// ST02 of the open transaction (empty outside ST..SE).
    pub transaction: Control,
}

impl Controls {
    /// No interchange, no transaction.
    pub const NONE: Controls = Controls {
        interchange: Control::EMPTY,
        transaction: Control::EMPTY,
    };
}

/// The place of one segment in its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// Byte offset of the segment's first byte, from the start of the input.
    pub byte: u64,
    /// 1-based ordinal of the segment in the input (0 when not at a segment).
    pub segment: u64,
    /// ISA13 of the interchange the segment belongs to (empty before any ISA).
    pub interchange: Control,
    /// ST02 of the transaction the segment belongs to (empty outside ST..SE).
    pub transaction: Control,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segment > 0 {
            write!(f, "segment {} at byte {}", self.segment, self.byte)?;
        } else {
            write!(f, "byte {}", self.byte)?;
        }
        if !self.interchange.is_empty() {
            write!(f, " (ISA13 {}", self.interchange)?;
            if !self.transaction.is_empty() {
                write!(f, ", ST02 {}", self.transaction)?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_trims_and_truncates() {
        assert_eq!(Control::new(b" 0001 ").as_str(), "0001");
        assert_eq!(Control::new(b"1234567890123456789").as_str().len(), 15);
        assert!(Control::new(b"").is_empty());
    }

    #[test]
    fn position_display_names_segment_byte_and_controls() {
        let pos = Position {
            byte: 120,
            segment: 4,
            interchange: Control::new(b"000000905"),
            transaction: Control::new(b"0001"),
        };
        assert_eq!(
            pos.to_string(),
            "segment 4 at byte 120 (ISA13 000000905, ST02 0001)"
        );
    }
}
