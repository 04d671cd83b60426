//! `remit lines`: every 835 service line as one row, split out of
//! aggregated remittances. Nothing from a rejected file is written
//! ([`InputRows`]): a file output, still a temporary file, is cut back to
//! where the rejected file's rows began; rows for standard output are held
//! (up to 1 MiB in memory, the rest in an unnamed temporary file) until the
//! file has been read to its end without a fatal finding. Either way memory
//! stays bounded by one claim whatever the file's size. A rejected file is
//! named on standard error and the exit status says so.

use std::cell::RefCell;
use std::rc::Rc;

use super::args::LinesArgs;
use super::inputs::{discover, open_regular};
use super::output::{InputRows, Output, SharedRows, report_problems};
use super::progress::Progress;
use super::settings::code_list;
use super::{EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, worst};
use crate::diagnostic::{Issue, Severity};
use crate::envelope::TransactionId;
use crate::events::EventCollector;
use crate::ledger::row::lines_table;
use crate::ledger::{Sink, sink};
use crate::line::DecidedLine;
use crate::reconcile::decide::remittance_flags;
use crate::reconcile::reason::reason;
use crate::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
use crate::scan::{Consumer, scan_reader};

struct LineWriter<'s, 'w> {
    collector: EventCollector,
    sink: &'s mut (dyn Sink<DecidedLine> + 'w),
    failed: Option<std::io::Error>,
    fatal: bool,
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
            let mut row = DecidedLine::from_event(event);
            // What the event says by itself: no history; the run's code list.
            row.decision.flags = remittance_flags(&row.event);
            row.reason = reason(self.collector.codes(), &row.event);
            if let Err(e) = self.sink.row(&row) {
                self.failed = Some(e);
            }
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
    // Loaded before anything is written: a bad list stops the command.
    let codes = std::sync::Arc::new(code_list(&args.code_list)?);
    let found = discover(&args.paths);
    found.require_inputs(&args.paths)?;
    let progress = Progress::new(&found, args.quiet.quiet);
    let rows = Rc::new(RefCell::new(InputRows::new(Output::create(
        &args.output.out,
    )?)?));
    let mut sink = sink(
        args.output.format,
        Box::new(SharedRows(rows.clone())),
        "lines",
        "line",
    );
    sink.begin(lines_table())?;
    sink.flush()?;
    rows.borrow_mut().accept()?;
    let mut code = if found.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    };
    for note in &found.skipped {
        eprintln!("note: {note}");
    }
    for (path, error) in &found.errors {
        eprintln!("{}: {error}", path.display());
    }
    let mut usable = 0;
    for input in &found.inputs {
        let source = input.display();
        let file = match open_regular(&input.path) {
            Ok(f) => f,
            Err(e) => {
                progress.suspend(|| eprintln!("{source}: cannot open: {e}"));
                code = EXIT_INPUT;
                continue;
            }
        };
        rows.borrow_mut().begin_input()?;
        sink.begin_input()?;
        let mut writer = LineWriter {
            collector: EventCollector::with_codes(source.clone(), std::sync::Arc::clone(&codes)),
            sink: sink.as_mut(),
            failed: None,
            fatal: false,
        };
        let summary = scan_reader(progress.reader(file), &mut writer);
        if let Some(e) = writer.failed {
            return Err(e.into());
        }
        progress.file_done();
        progress.suspend(|| report_problems(&source, &summary.issues.0));
        if summary.usable() {
            sink.flush()?;
            rows.borrow_mut().accept()?;
            usable += 1;
            if !summary.issues.is_valid() {
                code = worst(code, EXIT_FINDINGS);
            }
        } else {
            sink.discard()?;
            rows.borrow_mut().reject()?;
            progress.suspend(|| eprintln!("{source}: rejected; none of its rows are written"));
            code = EXIT_INPUT;
        }
    }
    progress.finish();
    sink.finish()?;
    drop(sink);
    let rows = Rc::try_unwrap(rows).map_err(|_| anyhow::anyhow!("rows still shared"))?;
    let out = rows.into_inner().into_output()?;
    if usable == 0 {
        return Err(super::no_usable_input(&args.output.out));
    }
    out.commit()?;
    Ok(code)
}
