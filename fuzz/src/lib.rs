//! Entry points shared by the cargo-fuzz targets (`fuzz_targets/`) and the
//! test that replays their corpus (`tests/fuzz_corpus.rs` includes this
//! file): each runs one layer on arbitrary bytes and must return without
//! panicking, whatever the input.
//!
//! Written against remit's public API only — the readers a library user
//! has — so fuzzing exercises what users call, and the library carries no
//! fuzzing code.

use std::io::Read;

use remit::{
    ClaimPayment, Consumer, EventCollector, RemittanceHeader, RemittanceTrailer, SegmentReader,
    SliceReader, scan_reader, scan_slice,
};

/// The lexer over a slice and over a reader fed in small, uneven chunks;
/// both must see the same segments.
pub fn lexer(data: &[u8]) {
    let mut whole = Vec::new();
    let mut slice = SliceReader::new(data);
    while let Ok(Some(seg)) = slice.next_segment() {
        whole.push((seg.raw().to_vec(), seg.pos().byte));
        let _ = (
            seg.id(),
            seg.element(1),
            seg.component(1, 2),
            seg.fields().get(3),
        );
    }
    let mut streamed = Vec::new();
    let mut reader = SegmentReader::new(Chunks {
        data,
        step: 1 + data.len() % 7,
    });
    while let Ok(Some(seg)) = reader.next_segment() {
        streamed.push((seg.raw().to_vec(), seg.pos().byte));
    }
    assert_eq!(whole, streamed, "chunking changed the segments");
}

/// The whole reading pipeline: envelope, 835 and 837 parsers, balancing,
/// and the split into service-line events.
pub fn document(data: &[u8]) {
    let mut events = Events(EventCollector::new("fuzz"));
    let summary = scan_slice(data, &mut events);
    let _ = (summary.usable(), summary.kind());
    for issue in &summary.issues.0 {
        let _ = issue.to_string();
    }
}

/// An 835 transaction body wrapped in a valid envelope, so mutations reach
/// the loop parser instead of the ISA.
pub fn remittance_body(data: &[u8]) {
    wrapped(b"HP", b"835", b"005010X221A1", data);
}

/// An 837 transaction body wrapped in a valid envelope.
pub fn claim_body(data: &[u8]) {
    wrapped(b"HC", b"837", b"005010X222A1", data);
}

fn wrapped(functional: &[u8], set: &[u8], version: &[u8], body: &[u8]) {
    let mut input = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~GS*".to_vec();
    input.extend_from_slice(functional);
    input.extend_from_slice(b"*S*R*20240101*1200*1*X*");
    input.extend_from_slice(version);
    input.extend_from_slice(b"~ST*");
    input.extend_from_slice(set);
    input.extend_from_slice(b"*0001~");
    input.extend_from_slice(body);
    input.extend_from_slice(b"~SE*3*0001~GE*1*1~IEA*1*000000001~");
    document(&input);
    let mut events = Events(EventCollector::new("fuzz"));
    let _ = scan_reader(
        Chunks {
            data: &input,
            step: 3,
        },
        &mut events,
    );
}

struct Events(EventCollector);

impl Consumer for Events {
    fn remittance_header(&mut self, h: &RemittanceHeader) {
        self.0.header(h);
    }
    fn claim_payment(&mut self, c: &ClaimPayment) {
        self.0.claim(c);
    }
    fn remittance_end(&mut self, t: &RemittanceTrailer) {
        let _ = self.0.end(t);
    }
}

/// A reader that hands out at most `step` bytes per call.
struct Chunks<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Chunks<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// What separates the 835 from the 837 in a [`pipeline`] input. Without
/// it, the whole input is the 835 and the 837 is empty.
pub const SEPARATOR: &[u8] = b"\n=837=\n";

/// The whole pipeline (issue 23 item 9): the bytes before [`SEPARATOR`]
/// are an 835, those after it an 837; both are reconciled in a memory
/// store (claims matched, lines decided, unanswered lines listed), and
/// the ledger goes through every writer — CSV, JSON Lines, XML (which an
/// independent parser must read back as well-formed XML 1.0 with one
/// entry per row), Parquet and xlsx. Nothing may panic; a writer may fail
/// only with an error. Returns the number of ledger rows written.
pub fn pipeline(data: &[u8]) -> usize {
    let (remits, claims) = match data.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        Some(at) => (&data[..at], &data[at + SEPARATOR.len()..]),
        None => (data, &[][..]),
    };
    let inputs = [
        ("fuzz.835".to_string(), remits.to_vec()),
        ("fuzz.837".to_string(), claims.to_vec()),
    ];
    let config = remit::Config::new(remit::Rules::new(jiff::civil::date(2030, 1, 1)));
    let mut store = remit::MemoryStore::new();
    let mut rows = Vec::new();
    let run = remit::run(&config, &inputs, &mut store, &mut (), |row| {
        rows.push(row.clone());
        Ok::<(), std::convert::Infallible>(())
    });
    if run.is_err() {
        // A memory store fails only on its own invariants; an error (not a
        // panic) is an answer.
        return 0;
    }
    for format in [
        remit::Format::Csv,
        remit::Format::Jsonl,
        remit::Format::Xml,
        remit::Format::Parquet,
        remit::Format::Xlsx,
    ] {
        let bytes = write(format, &rows);
        if format == remit::Format::Xml {
            let bytes = bytes.expect("the XML writer writes to memory");
            let text = std::str::from_utf8(&bytes).expect("the XML ledger is UTF-8");
            let doc = roxmltree::Document::parse(text).expect("the XML ledger is well-formed");
            let entries = doc
                .root_element()
                .children()
                .filter(|n| n.has_tag_name("entry"))
                .count();
            assert_eq!(entries, rows.len(), "one XML entry per row");
        }
    }
    rows.len()
}

/// The ledger `rows` written in `format` to memory.
fn write(format: remit::Format, rows: &[remit::DecidedLine]) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    {
        let mut sink = remit::sink(format, Box::new(&mut bytes), "ledger", "entry");
        sink.begin(remit::LEDGER_COLUMNS)?;
        for row in rows {
            sink.row(row)?;
        }
        sink.finish()?;
    }
    Ok(bytes)
}
