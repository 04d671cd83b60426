//! The four X12 delimiters and how they are read from an ISA segment.
//!
//! Every interchange declares its own delimiters: the element separator is
//! the byte after `ISA`, the repetition separator is ISA11 (5010 and later),
//! the component separator is ISA16 and the segment terminator is the byte
//! after ISA16. Nothing here assumes `*`, `:` or `~`.

/// The delimiters of one interchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Delimiters {
    /// Separates elements (ISA byte 3).
    pub element: u8,
    /// Separates components of a composite element (ISA16).
    pub component: u8,
    /// Separates repetitions of an element (ISA11 in 00402 and later), if any.
    pub repetition: Option<u8>,
    /// Ends a segment (the byte after ISA16).
    pub segment: u8,
}

impl Default for Delimiters {
    /// The delimiters most trading partners use: `*`, `:`, `^`, `~`.
    fn default() -> Self {
        Delimiters {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        }
    }
}

/// Why an ISA segment's delimiters could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DelimiterError {
    /// The byte after `ISA` cannot be an element separator.
    #[error("ISA element separator {0:?} is a letter, digit or blank")]
    BadElementSeparator(char),
    /// Fewer than 16 element separators were found in the ISA.
    #[error("ISA has fewer than 16 elements within {0} bytes")]
    ShortIsa(usize),
    /// Two delimiters are the same byte, or one is a letter or digit.
    #[error(
        "ISA delimiters are ambiguous: element {element:?}, component {component:?}, terminator {segment:?}"
    )]
    Ambiguous {
        /// Element separator.
        element: char,
        /// Component separator.
        component: char,
        /// Segment terminator.
        segment: char,
    },
}

/// Where the delimiters and the end of an ISA segment were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsaLayout {
    /// The interchange's delimiters.
    pub delimiters: Delimiters,
    /// Length of the ISA segment without its terminator.
    pub len: usize,
    /// True when the ISA has the standard fixed 106-byte layout.
    pub fixed_width: bool,
}

/// Longest ISA segment accepted when its elements are not fixed width.
pub const MAX_ISA_LEN: usize = 512;

/// Standard length of an ISA segment including its terminator.
pub const FIXED_ISA_LEN: usize = 106;

/// Reads the delimiters from `input`, which starts with `ISA`.
///
/// Returns `Ok(None)` when more bytes are needed (and `eof` is false).
pub fn read_isa(input: &[u8], eof: bool) -> Result<Option<IsaLayout>, DelimiterError> {
    if input.len() < 4 {
        return if eof {
            Err(DelimiterError::ShortIsa(input.len()))
        } else {
            Ok(None)
        };
    }
    let element = input[3];
    if element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
        return Err(DelimiterError::BadElementSeparator(element as char));
    }
    if let Some(layout) = fixed_layout(input, element) {
        return Ok(Some(layout));
    }
    counted_layout(input, element, eof)
}

/// The fast path: separators exactly where the fixed-width ISA puts them.
fn fixed_layout(input: &[u8], element: u8) -> Option<IsaLayout> {
    if input.len() < FIXED_ISA_LEN || input[103] != element {
        return None;
    }
    let separators = memchr::memchr_iter(element, &input[3..104]).count();
    if separators != 16 {
        return None;
    }
    let delimiters = finish(input, element, 104, 105).ok()?;
    Some(IsaLayout {
        delimiters,
        len: 105,
        fixed_width: true,
    })
}

/// The slow path: count 16 element separators; ISA16 is the next byte.
fn counted_layout(
    input: &[u8],
    element: u8,
    eof: bool,
) -> Result<Option<IsaLayout>, DelimiterError> {
    let window = &input[..input.len().min(MAX_ISA_LEN)];
    let sixteenth = memchr::memchr_iter(element, window).nth(15);
    match sixteenth {
        Some(at) if at + 2 < window.len() => {
            let delimiters = finish(input, element, at + 1, at + 2)?;
            Ok(Some(IsaLayout {
                delimiters,
                len: at + 2,
                fixed_width: false,
            }))
        }
        _ if eof || window.len() == MAX_ISA_LEN => Err(DelimiterError::ShortIsa(window.len())),
        _ => Ok(None),
    }
}

/// Builds the delimiters once ISA16 and the terminator are located.
fn finish(
    input: &[u8],
    element: u8,
    component_at: usize,
    terminator_at: usize,
) -> Result<Delimiters, DelimiterError> {
    let component = input[component_at];
    let segment = input[terminator_at];
    let ambiguous = component == element
        || segment == element
        || segment == component
        || segment.is_ascii_alphanumeric()
        || segment == b' '
        || component.is_ascii_alphanumeric();
    if ambiguous {
        return Err(DelimiterError::Ambiguous {
            element: element as char,
            component: component as char,
            segment: segment as char,
        });
    }
    let repetition = repetition_separator(&input[..component_at], element)
        .filter(|&r| r != element && r != component && r != segment);
    Ok(Delimiters {
        element,
        component,
        repetition,
        segment,
    })
}

/// ISA11 is a repetition separator from version 00402 on; before that it is
/// the standards identifier (`U`), a letter.
fn repetition_separator(isa: &[u8], element: u8) -> Option<u8> {
    let isa11 = memchr::memchr_iter(element, isa)
        .nth(10)
        .and_then(|at| isa.get(at + 1))
        .copied()?;
    if isa11.is_ascii_alphanumeric() || isa11 == b' ' || isa11 == element {
        None
    } else {
        Some(isa11)
    }
}

/// The first `ISA` in `bytes` whose element separator cannot be one (a
/// blank, letter or digit) although what follows still reads as an ISA: the
/// same byte after ISA01 (`00` or `03`, the only authorization qualifiers).
/// Returns its offset and that byte. Used only to say what was found in an
/// input that has no usable ISA, so a tab-separated interchange is named
/// as such instead of "no ISA".
pub fn find_unusable_isa(bytes: &[u8]) -> Option<(usize, u8)> {
    memchr::memmem::find_iter(bytes, b"ISA").find_map(|at| match bytes.get(at + 3..at + 7)? {
        &[sep, b'0', b'0' | b'3', again]
            if sep == again && (sep.is_ascii_alphanumeric() || sep.is_ascii_whitespace()) =>
        {
            Some((at, sep))
        }
        _ => None,
    })
}

/// A delimiter byte in words: `TAB (0x09)`, `a space (0x20)`, `'Q' (0x51)`.
pub fn describe_byte(byte: u8) -> String {
    let name = match byte {
        b'\t' => "TAB".to_string(),
        b' ' => "a space".to_string(),
        b'\r' => "CR".to_string(),
        b'\n' => "LF".to_string(),
        0x0b => "VT".to_string(),
        0x0c => "FF".to_string(),
        b if b.is_ascii_graphic() => format!("{:?}", b as char),
        _ => "the byte".to_string(),
    };
    format!("{name} (0x{byte:02X})")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *100101*1000*^*00501*006000600*0*T*:~GS";

    #[test]
    fn reads_standard_delimiters_from_fixed_width_isa() {
        let layout = read_isa(ISA, false).unwrap().unwrap();
        assert!(layout.fixed_width);
        assert_eq!(layout.len, 105);
        assert_eq!(layout.delimiters, Delimiters::default());
    }

    #[test]
    fn reads_unusual_delimiters() {
        let isa = b"ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |100101|1000|}|00501|006000600|0|T|>\nGS";
        let d = read_isa(isa, false).unwrap().unwrap().delimiters;
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            (b'|', b'>', Some(b'}'), b'\n')
        );
    }

    #[test]
    fn version_4010_isa11_u_is_not_a_repetition_separator() {
        let isa = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *100101*1000*U*00401*006000600*0*T*:~";
        let d = read_isa(isa, true).unwrap().unwrap().delimiters;
        assert_eq!(d.repetition, None);
    }

    #[test]
    fn counts_separators_when_isa_is_not_fixed_width() {
        let isa = b"ISA*00*         *01*SECRET    *ZZ*SUBMITTERS.ID  *ZZ*RECEIVERS.ID   *030101*1253*U*00501*000000905*1*T*:~GS*";
        let layout = read_isa(isa, false).unwrap().unwrap();
        assert!(!layout.fixed_width);
        assert_eq!(layout.len, 104);
        assert_eq!(layout.delimiters.segment, b'~');
    }

    #[test]
    fn asks_for_more_bytes_before_eof() {
        assert_eq!(read_isa(&ISA[..50], false), Ok(None));
        assert!(matches!(
            read_isa(&ISA[..50], true),
            Err(DelimiterError::ShortIsa(_))
        ));
    }

    #[test]
    fn rejects_alphanumeric_element_separator() {
        assert!(matches!(
            read_isa(b"ISA000", true),
            Err(DelimiterError::BadElementSeparator('0'))
        ));
    }

    #[test]
    fn finds_an_isa_with_a_blank_or_alphanumeric_separator() {
        let tab = b"junk ISA\t00\t          \t00\t          \tZZ\tSENDER";
        assert_eq!(find_unusable_isa(tab), Some((5, b'\t')));
        assert_eq!(find_unusable_isa(b"ISA 03 SECRET"), Some((0, b' ')));
        // Prose mentioning ISA, and a usable ISA, are not such an ISA.
        assert_eq!(find_unusable_isa(b"ISAAC 00 A"), None);
        assert_eq!(find_unusable_isa(b"the ISA segment"), None);
        assert_eq!(find_unusable_isa(&ISA[..20]), None);
        assert_eq!(describe_byte(b'\t'), "TAB (0x09)");
        assert_eq!(describe_byte(b'Q'), "'Q' (0x51)");
    }

    #[test]
    fn rejects_terminator_equal_to_element_separator() {
        let isa = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *100101*1000*^*00501*006000600*0*T*:*";
        assert!(matches!(
            read_isa(isa, true),
            Err(DelimiterError::Ambiguous { .. })
        ));
    }
}
