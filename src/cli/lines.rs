//! `remit lines`: every 835 service line as one row, split out of
//! aggregated remittances. Rows of a transaction are written when its SE is
//! read and the file has had no fatal finding; a rejected file is named on
//! standard error and the exit status says so.

use std::fs::File;

use super::args::LinesArgs;
use super::inputs::discover;
use super::output::{open, report_problems};
use super::{EXIT_INPUT, EXIT_OK};
use crate::codes::CodeList;
use crate::diagnostic::{Issue, Severity};
use crate::envelope::TransactionId;
use crate::events::EventCollector;
use crate::ledger::row::{LINES, LinesRecord};
use crate::ledger::{LedgerRow, Sink, sink};
use crate::reconcile::decide::remittance_flags;
use crate::reconcile::reason::reason;
use crate::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
use crate::scan::{Consumer, scan_reader};

struct LineWriter<'s, 'w> {
    collector: EventCollector,
    sink: &'s mut dyn Sink,
    failed: Option<std::io::Error>,
    fatal: bool,
    rows: u64,
    _w: std::marker::PhantomData<&'w ()>,
}

impl Consumer for LineWriter<'_, '_> {
    fn remittance_header(&mut self, header: &RemittanceHeader) {
        self.collector.header(header);
    }
    fn claim_payment(&mut self, claim: &ClaimPayment) {
        self.collector.claim(claim);
    }
    fn remittance_end(&mut self, trailer: &RemittanceTrailer) {
        let events = self.collector.end(trailer);
        if self.fatal {
            return;
        }
        for event in events {
            if self.failed.is_some() {
                return;
            }
            let mut row = LedgerRow::from_event(event);
            // What the event says by itself: no history, the built-in codes.
            row.flags = remittance_flags(&row.event);
            row.reason = reason(CodeList::builtin(), &row.event);
            if let Err(e) = self.sink.row(&LinesRecord(&row)) {
                self.failed = Some(e);
            }
            self.rows += 1;
        }
    }
    fn aborted(&mut self, _id: &TransactionId) {
        self.collector.abort();
    }
    fn issue(&mut self, issue: &Issue) {
        self.fatal |= issue.severity == Severity::Fatal;
    }
}

pub fn run(args: &LinesArgs) -> anyhow::Result<u8> {
    let found = discover(&args.paths);
    let out = open(&args.output.out)?;
    let mut sink = sink(args.output.format, out, "lines", "line");
    sink.begin(LINES)?;
    let mut ok = found.errors.is_empty();
    for (path, error) in &found.errors {
        eprintln!("{}: cannot read: {error}", path.display());
    }
    for input in &found.inputs {
        let source = input.display();
        let file = match File::open(&input.path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{source}: cannot open: {e}");
                ok = false;
                continue;
            }
        };
        let mut writer = LineWriter {
            collector: EventCollector::new(source.clone()),
            sink: sink.as_mut(),
            failed: None,
            fatal: false,
            rows: 0,
            _w: std::marker::PhantomData,
        };
        let summary = scan_reader(file, &mut writer);
        if let Some(e) = writer.failed {
            return Err(e.into());
        }
        report_problems(&source, &summary.issues.0);
        if !summary.usable() {
            eprintln!("{source}: rejected");
            ok = false;
        }
    }
    sink.finish()?;
    Ok(if ok { EXIT_OK } else { EXIT_INPUT })
}
