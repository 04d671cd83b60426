//! Replays the committed fuzzing corpus (`fuzz/corpus/<target>/`) through
//! the same entry points the fuzz targets call, so every input a fuzzer
//! ever kept is checked on every CI run.

use std::path::Path;

use crate::support::files_under;

/// The fuzz targets' entry points (the `remit_fuzz` library of `fuzz/`),
/// compiled into this test: `fuzz/` is a workspace of its own that needs
/// libFuzzer, and the entry points only use remit's public API.
#[path = "../fuzz/src/lib.rs"]
mod fuzzing;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    if !dir.exists() {
        return 0;
    }
    let files = files_under(&dir);
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let result = std::panic::catch_unwind(|| run(&data));
        assert!(result.is_ok(), "{} panics", file.display());
    }
    files.len()
}

#[test]
fn the_fuzzing_corpus_replays_without_panics() {
    let total = replay("lexer", fuzzing::lexer)
        + replay("document", fuzzing::document)
        + replay("remittance", fuzzing::remittance_body)
        + replay("claim", fuzzing::claim_body)
        + replay("pipeline", |data| {
            fuzzing::pipeline(data);
        });
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    if committed.exists() {
        assert!(total > 0, "fuzz/corpus exists but holds nothing");
    }
}

/// Issue 23 item 9: the whole-pipeline target's corpus (an 835 and an
/// 837 reconciled, the ledger through every writer, the XML parsed back)
/// is replayed here, and the seeds do reach the writers with rows.
#[test]
fn the_pipeline_corpus_reconciles_and_writes_every_format() {
    let replayed = replay("pipeline", |data| {
        fuzzing::pipeline(data);
    });
    assert!(replayed >= 30, "{replayed} pipeline seeds");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/pipeline");
    let (mut both, mut with_rows, mut rows) = (0, 0, 0);
    for file in files_under(&dir) {
        let data = std::fs::read(&file).unwrap();
        let at = data
            .windows(fuzzing::SEPARATOR.len())
            .position(|w| w == fuzzing::SEPARATOR);
        both +=
            usize::from(at.is_some_and(|at| at > 0 && at + fuzzing::SEPARATOR.len() < data.len()));
        let written = fuzzing::pipeline(&data);
        with_rows += usize::from(written > 0);
        rows += written;
    }
    assert!(both >= 20, "most seeds hold both an 835 and an 837");
    assert!(with_rows >= 20, "the seeds reach the writers ({rows} rows)");
}

#[test]
fn the_sample_corpus_and_samples_never_panic_any_target() {
    let mut inputs = files_under(&crate::support::corpus());
    inputs.extend(files_under(&crate::support::samples()));
    for file in inputs {
        let data = std::fs::read(&file).unwrap();
        for run in [fuzzing::lexer, fuzzing::document] {
            assert!(
                std::panic::catch_unwind(|| run(&data)).is_ok(),
                "{} panics",
                file.display()
            );
        }
    }
}

/// The fuzzing corpus's inputs as whole interchanges: `document` files as
/// they are, 835 and 837 bodies inside the envelope their targets use.
fn corpus_documents() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let wrap = |functional: &str, set: &str, version: &str, body: &[u8]| {
        let mut input = format!(
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~GS*{functional}*S*R*20240101*1200*1*X*{version}~ST*{set}*0001~"
        )
        .into_bytes();
        input.extend_from_slice(body);
        input.extend_from_slice(b"~SE*3*0001~GE*1*1~IEA*1*000000001~");
        input
    };
    let mut documents = Vec::new();
    for (target, wrapped) in [
        ("document", None),
        ("remittance", Some(("HP", "835", "005010X221A1"))),
        ("claim", Some(("HC", "837", "005010X222A1"))),
    ] {
        let dir = root.join(target);
        if !dir.exists() {
            continue;
        }
        for file in files_under(&dir) {
            let data = std::fs::read(&file).unwrap();
            let data = match wrapped {
                Some((f, s, v)) => wrap(f, s, v, &data),
                None => data,
            };
            documents.push((file.display().to_string(), data));
        }
    }
    documents
}

/// The XML the ledger writer makes of `rows`, parsed back by an independent
/// parser (roxmltree, strict XML 1.0): it must be well-formed and hold one
/// entry per row.
fn check_xml(
    name: &str,
    rows: &[remit::DecidedLine],
    columns: &'static [remit::Column<remit::DecidedLine>],
) {
    use remit::{Format, sink};
    let mut bytes = Vec::new();
    {
        let mut xml = sink(Format::Xml, Box::new(&mut bytes), "ledger", "entry");
        xml.begin(columns).unwrap();
        for row in rows {
            xml.row(row).unwrap();
        }
        xml.finish().unwrap();
    }
    let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: not UTF-8: {e}"));
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{name}: the XML output is not well-formed: {e}"));
    let entries = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .count();
    assert_eq!(entries, rows.len(), "{name}");
}

/// Every XML output the fuzzing corpus produces — `remit lines` rows and
/// `remit reconcile` rows — parses as XML 1.0, control characters and all.
#[test]
fn every_xml_output_of_the_fuzzing_corpus_is_well_formed() {
    use remit::{
        ClaimPayment, Consumer, DecidedLine, EventCollector, LEDGER_COLUMNS as COLUMNS, LineEvent,
        MemoryStore, Reconciler, RemittanceHeader, RemittanceTrailer, Rules, ingest, read_input,
        scan_slice,
    };
    struct Lines(EventCollector, Vec<LineEvent>);
    impl Consumer for Lines {
        fn remittance_header(&mut self, h: &RemittanceHeader) {
            self.0.header(h)
        }
        fn claim_payment(&mut self, c: &ClaimPayment) {
            self.0.claim(c)
        }
        fn remittance_end(&mut self, t: &RemittanceTrailer) {
            self.1.extend(self.0.end(t))
        }
    }

    let as_of = jiff::civil::date(2030, 1, 1);
    let mut documents = 0;
    let mut rows_checked = 0;
    let mut with_controls = 0;
    for (name, data) in corpus_documents() {
        documents += 1;
        let mut lines = Lines(EventCollector::new(name.as_str()), Vec::new());
        scan_slice(&data, &mut lines);
        let rows: Vec<DecidedLine> = lines.1.into_iter().map(DecidedLine::from_event).collect();
        check_xml(&name, &rows, remit::lines_table());
        rows_checked += rows.len();

        let content = read_input(&name, data.as_slice());
        if !content.summary.usable() {
            continue;
        }
        let mut store = MemoryStore::new();
        if ingest(&mut store, &name, &content, as_of).is_err() {
            continue;
        }
        let mut ledger = Vec::new();
        let mut reconciler = Reconciler::new(&mut store, None, Rules::new(as_of)).unwrap();
        reconciler
            .apply_pending(|rows| -> Result<(), remit::StoreError> {
                ledger.extend(rows);
                Ok(())
            })
            .unwrap();
        ledger.extend(reconciler.unanswered().unwrap());
        check_xml(&name, &ledger, COLUMNS);
        rows_checked += ledger.len();
        with_controls += usize::from(data.iter().any(|&b| b < 0x20 && !b"\t\n\r".contains(&b)));
    }
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    if committed.exists() {
        assert!(documents > 1000, "{documents} corpus files");
        assert!(rows_checked > 1000, "{rows_checked} rows");
        assert!(with_controls > 0, "the corpus exercises control characters");
    }
}
