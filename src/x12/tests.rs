//! Tests of the lexer through both readers: delimiters, line breaks, skipped
//! text, positions, errors, and the same segments whatever the chunking.

use super::*;
use std::io::Read;

const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *100101*1000*^*00501*000000905*0*T*:~";

fn interchange(body: &str) -> String {
    format!(
        "{ISA}GS*HP*S*R*20100101*1000*1*X*005010X221A1~ST*835*0001~{body}SE*3*0001~GE*1*1~IEA*1*000000905~"
    )
}

/// Raw text, byte offset and ordinal of every segment of a slice.
fn slice_segments(input: &[u8]) -> Vec<(String, u64, u64)> {
    let mut reader = SliceReader::new(input);
    let mut out = Vec::new();
    while let Some(s) = reader.next_segment().unwrap() {
        out.push((
            String::from_utf8_lossy(s.raw()).into_owned(),
            s.pos().byte,
            s.pos().segment,
        ));
    }
    out
}

/// Reads all segments (id and raw bytes) with a streaming reader.
fn stream_ids(input: &[u8]) -> Vec<String> {
    let mut reader = SegmentReader::new(input);
    let mut ids = Vec::new();
    while let Some(seg) = reader.next_segment().unwrap() {
        ids.push(String::from_utf8_lossy(seg.raw()).into_owned());
    }
    ids
}

/// A reader that hands out the input in the given chunk sizes (then
/// seven bytes at a time): the push and batch readers' tests both use it.
pub(super) struct Chunked<'a> {
    pub input: &'a [u8],
    pub sizes: Vec<usize>,
    pub next: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let want = self.sizes.get(self.next).copied().unwrap_or(7).max(1);
        self.next += 1;
        let n = want.min(out.len()).min(self.input.len());
        out[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }
}

#[test]
fn reads_segments_and_positions() {
    let text = interchange("BPR*I*10~");
    let mut reader = SliceReader::new(text.as_bytes());
    let isa = reader.next_segment().unwrap().unwrap();
    assert_eq!(isa.id(), b"ISA");
    assert_eq!(isa.pos().byte, 0);
    assert_eq!(isa.pos().segment, 1);
    assert_eq!(isa.pos().interchange.as_str(), "000000905");
    let gs = reader.next_segment().unwrap().unwrap();
    assert_eq!(gs.pos().byte, 106);
    assert!(gs.pos().transaction.is_empty());
    let st = reader.next_segment().unwrap().unwrap();
    assert_eq!(st.pos().transaction.as_str(), "0001");
    let bpr = reader.next_segment().unwrap().unwrap();
    assert_eq!(bpr.element(2), b"10");
    assert_eq!(bpr.pos().segment, 4);
    let se = reader.next_segment().unwrap().unwrap();
    assert_eq!(se.pos().transaction.as_str(), "0001");
    let ge = reader.next_segment().unwrap().unwrap();
    assert!(ge.pos().transaction.is_empty());
    let iea = reader.next_segment().unwrap().unwrap();
    assert_eq!(iea.pos().interchange.as_str(), "000000905");
    assert!(reader.next_segment().unwrap().is_none());
    assert!(reader.take_notices().is_empty());
}

#[test]
fn crlf_lf_and_no_line_breaks_give_the_same_segments() {
    let flat = interchange("BPR*I*10~TRN*1*X~");
    let lf = flat.replace('~', "~\n");
    let crlf = flat.replace('~', "~\r\n");
    assert_eq!(stream_ids(flat.as_bytes()), stream_ids(lf.as_bytes()));
    assert_eq!(stream_ids(flat.as_bytes()), stream_ids(crlf.as_bytes()));
}

#[test]
fn newline_as_segment_terminator_trims_carriage_return() {
    let text = interchange("BPR*I*10~").replace("~", "\r\n");
    let ids = stream_ids(text.as_bytes());
    assert_eq!(ids[3], "BPR*I*10");
}

#[test]
fn text_before_first_isa_is_skipped_with_a_notice() {
    let text = format!(
        "\u{feff}From: payer\r\nSubject: ERA\r\n\r\n{}",
        interchange("")
    );
    let mut reader = SliceReader::new(text.as_bytes());
    let first = reader.next_segment().unwrap().unwrap();
    assert_eq!(first.id(), b"ISA");
    assert_eq!(
        first.pos().byte,
        (text.len() - interchange("").len()) as u64
    );
    let notices = reader.take_notices();
    assert_eq!(notices.len(), 1);
    assert!(matches!(
        notices[0].kind,
        NoticeKind::SkippedBeforeFirstInterchange { bom: true, .. }
    ));
}

#[test]
fn several_interchanges_each_with_its_own_delimiters() {
    let first = interchange("BPR*I*1~");
    let second = interchange("BPR*I*2~")
        .replace('*', "|")
        .replace('~', "\n")
        .replace("|:\n", "|>\n");
    let text = format!("{first}\r\n{second}");
    let mut reader = SliceReader::new(text.as_bytes());
    let mut bprs = Vec::new();
    while let Some(seg) = reader.next_segment().unwrap() {
        if seg.is(b"BPR") {
            bprs.push((seg.element(2).to_vec(), seg.delimiters().element));
        }
    }
    assert_eq!(bprs, vec![(b"1".to_vec(), b'*'), (b"2".to_vec(), b'|')]);
}

#[test]
fn text_between_interchanges_is_reported() {
    let text = format!("{}\nPAGE 2 OF 2\n{}", interchange(""), interchange(""));
    let mut reader = SliceReader::new(text.as_bytes());
    let mut count = 0;
    while reader.next_segment().unwrap().is_some() {
        count += 1;
    }
    assert_eq!(count, 12);
    let notices = reader.take_notices();
    assert!(matches!(
        notices[..],
        [Notice {
            kind: NoticeKind::SkippedOutsideInterchange { len: 12 },
            ..
        }]
    ));
}

#[test]
fn missing_final_terminator_is_tolerated_with_notice() {
    let mut text = interchange("");
    text.pop();
    let last = slice_segments(text.as_bytes()).pop().unwrap();
    assert_eq!(last.0, "IEA*1*000000905");
    let mut reader = SliceReader::new(text.as_bytes());
    while reader.next_segment().unwrap().is_some() {}
    assert_eq!(
        reader.take_notices()[0].kind,
        NoticeKind::UnterminatedLastSegment
    );
}

#[test]
fn no_isa_is_an_error_at_byte_zero() {
    let err = SliceReader::new(b"ST*835*0001~BPR*I~")
        .next_segment()
        .unwrap_err();
    assert_eq!(err.kind, SyntaxErrorKind::NoInterchange);
    assert_eq!(err.pos.byte, 0);
    let err = SliceReader::new(b"").next_segment().unwrap_err();
    assert_eq!(err.kind, SyntaxErrorKind::NoInterchange);
}

#[test]
fn an_isa_with_a_tab_separator_is_named_with_its_byte() {
    let text = format!("\r\n{}", interchange("BPR*I*1~").replace('*', "\t"));
    let err = SliceReader::new(text.as_bytes())
        .next_segment()
        .unwrap_err();
    assert_eq!(err.kind, SyntaxErrorKind::UnusableElementSeparator(b'\t'));
    assert_eq!(err.pos.byte, 2);
    assert!(
        err.to_string()
            .starts_with("byte 2: ISA found, but its element separator is TAB (0x09)"),
        "{err}"
    );
    // Read in chunks of any size, the ISA is still found and placed.
    for size in 1..12 {
        let chunked = Chunked {
            input: text.as_bytes(),
            sizes: vec![size; text.len()],
            next: 0,
        };
        let err = SegmentReader::new(chunked).next_segment().unwrap_err();
        assert!(
            matches!(
                &err,
                ReadError::Syntax(SyntaxError {
                    kind: SyntaxErrorKind::UnusableElementSeparator(b'\t'),
                    pos,
                }) if pos.byte == 2
            ),
            "chunks of {size}: {err}"
        );
    }
}

#[test]
fn bad_segment_identifier_names_segment_and_byte() {
    let text = interchange("BPR*I*1~Nd4*X~");
    let mut reader = SliceReader::new(text.as_bytes());
    let err = loop {
        match reader.next_segment() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert_eq!(
        err.kind,
        SyntaxErrorKind::BadSegmentId("3 characters (letters, digits)".into())
    );
    assert!(!err.to_string().contains("Nd4"), "{err}");
    assert_eq!(err.pos.segment, 5);
    assert_eq!(err.pos.byte, text.find("Nd4").unwrap() as u64);
    assert_eq!(err.pos.transaction.as_str(), "0001");
}

#[test]
fn missing_terminator_is_bounded_by_segment_limit() {
    let text = format!("{ISA}GS*{}", "X".repeat(4096));
    let lexer = Lexer::new().with_max_segment_len(1000);
    let mut reader = SegmentReader::with_lexer(text.as_bytes(), lexer);
    reader.next_segment().unwrap();
    let err = reader.next_segment().unwrap_err();
    assert!(matches!(
        err,
        ReadError::Syntax(SyntaxError {
            kind: SyntaxErrorKind::SegmentTooLong { limit: 1000, .. },
            ..
        })
    ));
}

#[test]
fn isa_without_enough_elements_is_an_error() {
    let err = SliceReader::new(b"ISA*00*00~GS*HP~")
        .next_segment()
        .unwrap_err();
    assert!(matches!(err.kind, SyntaxErrorKind::BadIsa(_)));
}

proptest::proptest! {
    #[test]
    fn chunking_never_changes_the_segments(
        sizes in proptest::collection::vec(1usize..300, 1..50),
        breaks in 0usize..3,
    ) {
        let mut text = format!("  \n{}", interchange("BPR*I*10~TRN*1*12345~CLP*A*1*10*10~"));
        text.push_str(&interchange("BPR*I*20~").replace('*', "!"));
        let text = match breaks { 0 => text, 1 => text.replace('~', "~\n"), _ => text.replace('~', "~\r\n") };
        let expected = slice_segments(text.as_bytes());
        let mut reader = SegmentReader::new(Chunked { input: text.as_bytes(), sizes, next: 0 });
        let mut got = Vec::new();
        while let Some(s) = reader.next_segment().unwrap() {
            got.push((String::from_utf8_lossy(s.raw()).into_owned(), s.pos().byte, s.pos().segment));
        }
        proptest::prop_assert_eq!(got, expected);
    }

    #[test]
    fn element_text_is_the_same_whatever_the_chunking(
        sizes in proptest::collection::vec(1usize..40, 1..80),
    ) {
        // Multi-byte names, a Latin-1 byte, long and short segments.
        let body = "NM1*QC*1*ÖSTERGÅRD*ÅSA~N3*Ünter den Linden 7~NM1*IL*1*M\u{fc}LLER~\
                    CLP*A*1*10*10~NM1*QC*1*PI\u{d1}A*JOS\u{c9}~";
        let mut bytes = interchange(body).into_bytes();
        let latin1 = bytes.windows(3).position(|w| w == b"N3*").unwrap() + 3;
        bytes[latin1] = 0xDC; // "Ü" in Latin-1: not UTF-8
        let texts = |seg: &Segment<'_>| -> Vec<Option<String>> {
            let fields = seg.fields();
            (1..6).map(|n| fields.text(n).map(str::to_string)).collect()
        };
        let mut expected = Vec::new();
        let mut slice = SliceReader::new(&bytes);
        while let Some(s) = slice.next_segment().unwrap() {
            let bytes_as_text: Vec<Option<String>> = (1..6)
                .map(|n| std::str::from_utf8(s.raw()).ok().map(|_| String::from_utf8(s.element(n).to_vec()).unwrap()))
                .collect();
            proptest::prop_assert_eq!(&texts(&s), &bytes_as_text);
            expected.push(texts(&s));
        }
        let mut reader = SegmentReader::new(Chunked { input: &bytes, sizes, next: 0 });
        let mut got = Vec::new();
        while let Some(s) = reader.next_segment().unwrap() {
            got.push(texts(&s));
        }
        proptest::prop_assert_eq!(got, expected);
    }

    #[test]
    fn lexer_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400), prefix in 0usize..2) {
        let mut input = if prefix == 1 { ISA.as_bytes().to_vec() } else { Vec::new() };
        input.extend(bytes);
        let mut reader = SliceReader::new(&input);
        for _ in 0..1000 {
            match reader.next_segment() {
                Ok(Some(_)) => {}
                _ => break,
            }
        }
    }
}
