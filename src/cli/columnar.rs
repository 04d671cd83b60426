//! The columnar adapter: remit's readers, its reconciliation and the two
//! cluster stages with Arrow record batches in and out, for the Python
//! package (`python/`) and the Spark job (`spark/remit_job.py`).
//!
//! This is the one module outside the library's own layers that knows
//! remit's row and event types ([`DecidedLine`], [`LineEvent`],
//! [`RemittanceContext`], [`BilledClaim`], the stage records) and drives
//! the pipeline: [`reconcile`] through the same run as the command
//! (`cli::runner`, over `pipeline::run` with a resolved `pipeline::Config`),
//! [`Decider`] through `stages::decide_partition` (`pipeline::decide`); the
//! Python crate sees only what is `pub`
//! here. Typed columns come from [`crate::ledger::schema`] (one declared
//! schema for every output), so `remit.lines()` and `remit lines --format
//! parquet` have the same types.
//!
//! # The records of the Spark stages
//!
//! [`events`] turns files into *records*, one Arrow row each
//! ([`RECORD_COLUMNS`]):
//!
//! | `kind` | one per | `payload` |
//! |---|---|---|
//! | `transaction` | 835 transaction | its context (payer, payee, trace, dates, envelope) and fingerprint |
//! | `event` | 835 service-line event | the event, without its context |
//! | `claim` | 837 claim | the file name and the claim |
//! | `ack` | acknowledgment (TA1, 999, 277CA, 277) or 837 batch number | the file name and the acknowledgment or batch number |
//! | `rejected` | file that cannot be used | none: `source`, `message`, `segment`, `byte` |
//!
//! `ack` records belong to no provider (their `partition` is empty): a 999
//! acknowledges a whole 837 set, whatever providers it bills for. Every
//! [`Decider`] must see all of them before the providers' records (the
//! Spark job broadcasts them), as `remit reconcile` reads every
//! acknowledgment before it decides.
//!
//! An event names its transaction by `tx`, so a transaction's context
//! travels once, not once per line: this is what brings the shuffle from
//! about 1.5 KB of JSON per event down to its own fields. `partition` is
//! the payee (835 payee NPI, 837 billing NPI): every record of one
//! provider must meet in one [`Decider`]. Payloads are MessagePack of
//! serde's data model with structs as arrays, behind a one-byte format
//! version ([`PAYLOAD_FORMAT`]).
//!
//! # How it reaches the pipeline
//!
//! [`reconcile`] parses the command's own flags, resolves them with
//! `cli::settings::config` into the same `pipeline::Config` the command
//! uses, and runs `cli::runner` (over `pipeline::run`) with a row callback
//! that fills record batches; the rejected inputs it reports map to
//! [`X12Failure`]. [`Decider`] resolves `remit decide`'s flags the same
//! way and decides each provider with `stages::decide_partition` (over
//! `pipeline::decide`) on a thread of its own, rows going into record
//! batches from the row callback. [`lines`] and [`events`] read with the pipeline's
//! read step. A change of the payload's serde shape bumps
//! [`PAYLOAD_FORMAT`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};

use arrow_array::builder::{BinaryBuilder, BooleanBuilder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use clap::Parser;
use jiff::civil::Date;

use super::args::{
    AppealArgs, Args, CodeArgs, Command, DecideStageArgs, FeeArgs, InterestArgs, ReconcileArgs,
};
use super::inputs::{discover, open_regular, starts_like_x12};
use super::runner::{Prepared, decide_inputs};
use super::settings::{self, code_list};
use crate::claim::BilledClaim;
use crate::diagnostic::{Issue, Severity};
use crate::envelope::TransactionId;
use crate::events::EventCollector;
use crate::ledger::row::{COLUMNS, LINES_NAMES, lines_table};
use crate::ledger::schema::BatchBuilder;
use crate::line::DecidedLine;
use crate::line::TransactionFingerprint;
use crate::line::{LineEvent, RemittanceContext};
use crate::pipeline::RunError;
use crate::pipeline::{Config, InputContent, read_input};
use crate::reconcile::decide::remittance_flags;
use crate::reconcile::reason::reason;
use crate::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
use crate::scan::{Consumer, Discard, FileSummary, scan_reader, scan_slice};
use crate::stages::{AckRecord, Partition, decide_partition, order_acks, remittance_partition};

/// Rows per record batch returned.
const BATCH_ROWS: usize = 65_536;

/// What went wrong, for the Python package to raise.
#[derive(Debug)]
pub enum ColumnarError {
    /// An input that cannot be used: its first fatal finding.
    X12(X12Failure),
    /// A bad option or argument (Python `ValueError`).
    Usage(String),
    /// A file that cannot be read, a store that fails… (Python `OSError`).
    Io(String),
}

/// Where an input broke, as `remit.X12Error` carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct X12Failure {
    /// The file (or the name given to bytes).
    pub file: String,
    /// 1-based ordinal of the segment (0 when not at a segment).
    pub segment: u64,
    /// Byte offset of the segment's first byte.
    pub byte: u64,
    /// The segment identifier there, when known.
    pub segment_id: Option<String>,
    /// What was found and what was expected.
    pub message: String,
}

impl X12Failure {
    fn new(file: &str, issue: &Issue) -> X12Failure {
        X12Failure {
            file: file.to_string(),
            segment: issue.pos.segment,
            byte: issue.pos.byte,
            segment_id: issue.segment.as_ref().map(|s| s.to_string()),
            message: issue.message.clone(),
        }
    }
}

impl std::fmt::Display for X12Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: segment {} (byte {}): {}",
            self.file, self.segment, self.byte, self.message
        )
    }
}

impl std::fmt::Display for ColumnarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnarError::X12(x) => x.fmt(f),
            ColumnarError::Usage(m) | ColumnarError::Io(m) => f.write_str(m),
        }
    }
}

impl From<std::io::Error> for ColumnarError {
    fn from(e: std::io::Error) -> Self {
        ColumnarError::Io(e.to_string())
    }
}

fn other(e: impl std::fmt::Display) -> ColumnarError {
    ColumnarError::Io(format!("{e:#}"))
}

/// The result of a call: batches (empty when there are no rows), and the
/// inputs that were skipped because they could not be used (only when the
/// caller asked to keep going).
pub type Batches = (Vec<RecordBatch>, Vec<X12Failure>);

// ── inputs ──────────────────────────────────────────────────────────────────

/// One input: a file or folder, or bytes with a name.
pub enum Source {
    /// A file, or a folder searched recursively for X12.
    Path(PathBuf),
    /// Content in memory, named in `source` columns and errors.
    Bytes {
        /// The name.
        name: String,
        /// The content (borrowed from its owner where it can be, e.g. a
        /// Python `bytes` object).
        bytes: Box<dyn AsRef<[u8]> + Send + Sync>,
    },
}

/// One input found, ready to read.
enum Found<'a> {
    File(PathBuf, String),
    Bytes(&'a str, &'a [u8]),
}

impl Found<'_> {
    fn name(&self) -> &str {
        match self {
            Found::File(_, name) => name,
            Found::Bytes(name, _) => name,
        }
    }

    /// Scans the input; a file that cannot be opened is a fatal finding.
    fn scan(&self, consumer: &mut dyn Consumer) -> FileSummary {
        match self {
            Found::Bytes(_, bytes) => scan_slice(bytes, consumer),
            Found::File(path, _) => match open_regular(path) {
                Ok(file) => scan_reader(file, consumer),
                Err(e) => FileSummary::unreadable(e),
            },
        }
    }
}

/// Files and folders expanded as the command line expands them (folders
/// recursively, their non-X12 files skipped); a path that does not exist
/// is an error.
fn expand(sources: &[Source]) -> Result<Vec<Found<'_>>, ColumnarError> {
    let mut found = Vec::new();
    for source in sources {
        match source {
            Source::Bytes { name, bytes } => found.push(Found::Bytes(name, (**bytes).as_ref())),
            Source::Path(path) => {
                let discovery = discover(std::slice::from_ref(path));
                if let Some((path, error)) = discovery.errors.first() {
                    return Err(ColumnarError::Io(format!("{}: {error}", path.display())));
                }
                found.extend(
                    discovery
                        .inputs
                        .into_iter()
                        .map(|i| Found::File(i.path.clone(), i.display())),
                );
            }
        }
    }
    Ok(found)
}

/// The first fatal finding of a scanned input.
fn fatal(name: &str, summary: &FileSummary) -> Option<X12Failure> {
    summary
        .issues
        .0
        .iter()
        .find(|i| i.severity == Severity::Fatal)
        .map(|i| X12Failure::new(name, i))
}

// ── lines ───────────────────────────────────────────────────────────────────

/// Collects `remit lines` rows of one input.
struct LineRows<'b> {
    collector: EventCollector,
    rows: &'b mut BatchBuilder<DecidedLine>,
    done: &'b mut Vec<RecordBatch>,
    failed: Option<std::io::Error>,
}

impl Consumer for LineRows<'_> {
    fn remittance_header(&mut self, header: &RemittanceHeader) {
        self.collector.header(header);
    }
    fn claim_payment(&mut self, claim: &ClaimPayment) {
        self.collector.claim(claim);
    }
    fn remittance_end(&mut self, trailer: &RemittanceTrailer) {
        for event in self.collector.end(trailer) {
            if self.failed.is_some() {
                return;
            }
            // What the event says by itself, as `remit lines` writes it.
            let mut row = DecidedLine::from_event(event);
            row.decision.flags = remittance_flags(&row.event);
            row.reason = reason(self.collector.codes(), &row.event);
            if let Err(e) = self.rows.push(&row) {
                self.failed = Some(e);
            }
            if self.rows.len() >= BATCH_ROWS {
                self.done.push(self.rows.finish());
            }
        }
    }
    fn aborted(&mut self, _id: &TransactionId) {
        self.collector.abort();
    }
}

/// The columns of [`lines`]: those of `remit lines`.
pub fn lines_columns() -> &'static [&'static str] {
    LINES_NAMES
}

/// Every 835 service line of the inputs, as `remit lines` writes them
/// (same columns, same values, typed). A rejected input stops the call
/// with its [`X12Failure`], unless `keep_going`: then its rows are left
/// out and it is returned beside the batches.
pub fn lines(
    sources: &[Source],
    code_lists: &[PathBuf],
    keep_going: bool,
) -> Result<Batches, ColumnarError> {
    let codes = Arc::new(code_list(code_lists).map_err(usage)?);
    let found = expand(sources)?;
    let mut rows = BatchBuilder::new(lines_table());
    let mut batches = Vec::new();
    let mut skipped = Vec::new();
    for input in &found {
        let name = input.name();
        let mut input_batches = Vec::new();
        let mut consumer = LineRows {
            collector: EventCollector::with_codes(name, Arc::clone(&codes)),
            rows: &mut rows,
            done: &mut input_batches,
            failed: None,
        };
        let summary = input.scan(&mut consumer);
        if let Some(e) = consumer.failed {
            return Err(e.into());
        }
        if let Some(failure) = fatal(name, &summary) {
            // Nothing of a rejected input is returned.
            rows.finish();
            if !keep_going {
                return Err(ColumnarError::X12(failure));
            }
            skipped.push(failure);
            continue;
        }
        if !rows.is_empty() {
            input_batches.push(rows.finish());
        }
        batches.extend(input_batches);
    }
    Ok((batches, skipped))
}

// ── validate ────────────────────────────────────────────────────────────────

/// The columns of [`validate`]: one row per finding.
pub const FINDING_COLUMNS: &[&str] = &[
    "file",
    "severity",
    "rule",
    "segment",
    "byte",
    "segment_id",
    "interchange",
    "transaction",
    "message",
];

/// Every finding of `remit validate` on the inputs, one row each: the
/// file, how serious (`fatal` rejects the file, `invalid` breaks a rule
/// but leaves the money readable, `warning`), the rule, the segment number, byte offset and identifier,
/// the ISA13 and ST02 around it, and the message.
pub fn validate(sources: &[Source]) -> Result<RecordBatch, ColumnarError> {
    let found = expand(sources)?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("file", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
        Field::new("rule", DataType::Utf8, false),
        Field::new("segment", DataType::Int64, false),
        Field::new("byte", DataType::Int64, false),
        Field::new("segment_id", DataType::Utf8, true),
        Field::new("interchange", DataType::Utf8, true),
        Field::new("transaction", DataType::Utf8, true),
        Field::new("message", DataType::Utf8, false),
    ]));
    let mut file = StringBuilder::new();
    let mut severity = StringBuilder::new();
    let mut rule = StringBuilder::new();
    let mut segment = Int64Builder::new();
    let mut byte = Int64Builder::new();
    let mut segment_id = StringBuilder::new();
    let mut interchange = StringBuilder::new();
    let mut transaction = StringBuilder::new();
    let mut message = StringBuilder::new();
    let optional = |b: &mut StringBuilder, s: &str| {
        if s.is_empty() {
            b.append_null()
        } else {
            b.append_value(s)
        }
    };
    for input in &found {
        let summary = input.scan(&mut Discard);
        for issue in &summary.issues.0 {
            file.append_value(input.name());
            severity.append_value(match issue.severity {
                Severity::Fatal => "fatal",
                Severity::Invalid => "invalid",
                Severity::Warning => "warning",
            });
            rule.append_value(format!("{:?}", issue.rule));
            segment.append_value(issue.pos.segment as i64);
            byte.append_value(issue.pos.byte as i64);
            optional(&mut segment_id, issue.segment.as_deref().unwrap_or(""));
            optional(&mut interchange, issue.pos.interchange.as_str());
            optional(&mut transaction, issue.pos.transaction.as_str());
            message.append_value(&issue.message);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(file.finish()),
        Arc::new(severity.finish()),
        Arc::new(rule.finish()),
        Arc::new(segment.finish()),
        Arc::new(byte.finish()),
        Arc::new(segment_id.finish()),
        Arc::new(interchange.finish()),
        Arc::new(transaction.finish()),
        Arc::new(message.finish()),
    ];
    RecordBatch::try_new(schema, columns).map_err(other)
}

// ── reconcile ───────────────────────────────────────────────────────────────

/// The columns of [`reconcile`] and [`Decider`]: the ledger's.
pub fn ledger_columns() -> &'static [&'static str] {
    static NAMES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| crate::ledger::table::names(COLUMNS));
    &NAMES
}

/// `remit reconcile ARGS` with the ledger rows as record batches: `args`
/// are the command's own flags and paths (`--as-of`, `--fee-schedule`,
/// `--db`, `--prompt-pay`, `--code-list`…), checked as the command checks
/// them. Rejected inputs stop the call with the first one's failure unless
/// `keep_going` (then they come back beside the rows, as the command
/// reports them and exits 1). The summary goes to standard error unless
/// `--quiet`.
pub fn reconcile(args: &[String], keep_going: bool) -> Result<Batches, ColumnarError> {
    let Command::Reconcile(args) = parse_command("reconcile", args)? else {
        unreachable!("the command is reconcile");
    };
    let ReconcileArgs {
        input,
        fees,
        appeals,
        interest,
        codes,
        ..
    } = &args;
    let config = deciding_config(input.as_of, fees, appeals, interest, codes)?;
    let prepared = Prepared::new(input, config).map_err(usage)?;
    let mut rows = BatchBuilder::new(COLUMNS);
    let mut batches = Vec::new();
    let tally = decide_inputs(input, &prepared, |row| {
        rows.push(row)?;
        if rows.len() >= BATCH_ROWS {
            batches.push(rows.finish());
        }
        Ok(())
    })
    .map_err(other)?;
    if !rows.is_empty() {
        batches.push(rows.finish());
    }
    if !input.quiet.quiet {
        tally.print();
    }
    let rejected: Vec<X12Failure> = tally
        .findings()
        .rejected
        .iter()
        .map(|f| X12Failure::new(&f.source, &f.issue))
        .collect();
    if let Some(first) = rejected.first().filter(|_| !keep_going) {
        return Err(ColumnarError::X12(first.clone()));
    }
    tally
        .require_usable(std::path::Path::new("-"))
        .map_err(usage)?;
    Ok((batches, rejected))
}

/// `remit COMMAND ARGS` parsed as the command line would be: the Python
/// package and the Spark job take a command's own flags, so they are
/// checked by the same parser and fail with the same message.
fn parse_command(command: &str, args: &[String]) -> Result<Command, ColumnarError> {
    let argv = ["remit", command]
        .into_iter()
        .map(String::from)
        .chain(args.iter().cloned());
    Args::try_parse_from(argv)
        .map(|parsed| parsed.command)
        .map_err(|e| ColumnarError::Usage(e.to_string()))
}

/// The pipeline's configuration from a deciding command's flags, resolved
/// as `cli::settings` resolves them for the command itself.
fn deciding_config(
    as_of: Option<Date>,
    fees: &FeeArgs,
    appeals: &AppealArgs,
    interest: &InterestArgs,
    codes: &CodeArgs,
) -> Result<Config, ColumnarError> {
    settings::config(
        as_of,
        Some(fees),
        Some(appeals),
        Some((&interest.prompt_pay, interest.rate.as_deref())),
        Some(codes),
    )
    .map_err(usage)
}

/// A resolution failure (an unreadable option file, a bad rate) as the
/// usage error it is, with its whole chain of causes.
fn usage(e: anyhow::Error) -> ColumnarError {
    ColumnarError::Usage(format!("{e:#}"))
}

// ── the Spark stages: events ────────────────────────────────────────────────

/// Version of the payload encoding, the first byte of every payload. A
/// history table written with another version is refused, not misread.
/// 2: events carry CLP06, CLP08 and the rendering provider (contract
/// pricing, appeal letters, denial analytics). 3: events carry the claim's
/// class of contract code (REF*CE), a contract row's plan id; claims their
/// birth dates and other payer's payment date; `ack` records exist.
pub const PAYLOAD_FORMAT: u8 = 3;

/// The columns of the records ([`events`], [`Decider::push`]).
pub const RECORD_COLUMNS: &[&str] = &[
    "kind",
    "partition",
    "tx",
    "payload",
    "history",
    "source",
    "message",
    "segment",
    "byte",
];

/// The Arrow schema of the records.
pub fn record_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("partition", DataType::Utf8, false),
        Field::new("tx", DataType::Int64, true),
        Field::new("payload", DataType::Binary, true),
        Field::new("history", DataType::Boolean, false),
        Field::new("source", DataType::Utf8, true),
        Field::new("message", DataType::Utf8, true),
        Field::new("segment", DataType::Int64, true),
        Field::new("byte", DataType::Int64, true),
    ]))
}

/// Records being built.
struct Records {
    kind: StringBuilder,
    partition: StringBuilder,
    tx: Int64Builder,
    payload: BinaryBuilder,
    history: BooleanBuilder,
    source: StringBuilder,
    message: StringBuilder,
    segment: Int64Builder,
    byte: Int64Builder,
    buffer: Vec<u8>,
}

impl Records {
    fn new() -> Records {
        Records {
            kind: StringBuilder::new(),
            partition: StringBuilder::new(),
            tx: Int64Builder::new(),
            payload: BinaryBuilder::new(),
            history: BooleanBuilder::new(),
            source: StringBuilder::new(),
            message: StringBuilder::new(),
            segment: Int64Builder::new(),
            byte: Int64Builder::new(),
            buffer: Vec::new(),
        }
    }

    fn push(
        &mut self,
        kind: &str,
        partition: &str,
        tx: Option<i64>,
        payload: &impl serde::Serialize,
    ) -> Result<(), ColumnarError> {
        self.buffer.clear();
        self.buffer.push(PAYLOAD_FORMAT);
        rmp_serde::encode::write(&mut self.buffer, payload).map_err(other)?;
        self.kind.append_value(kind);
        self.partition.append_value(partition);
        self.tx.append_option(tx);
        self.payload.append_value(&self.buffer);
        self.history.append_value(false);
        self.source.append_null();
        self.message.append_null();
        self.segment.append_null();
        self.byte.append_null();
        Ok(())
    }

    fn rejected(&mut self, failure: &X12Failure) {
        self.kind.append_value("rejected");
        self.partition.append_value("");
        self.tx.append_null();
        self.payload.append_null();
        self.history.append_value(false);
        self.source.append_value(&failure.file);
        self.message.append_value(&failure.message);
        self.segment.append_value(failure.segment as i64);
        self.byte.append_value(failure.byte as i64);
    }

    fn finish(mut self) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.kind.finish()),
            Arc::new(self.partition.finish()),
            Arc::new(self.tx.finish()),
            Arc::new(self.payload.finish()),
            Arc::new(self.history.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.message.finish()),
            Arc::new(self.segment.finish()),
            Arc::new(self.byte.finish()),
        ];
        RecordBatch::try_new(record_schema(), columns).expect("columns built to the schema")
    }
}

/// A transaction's id among the records: its file, place in the file and
/// identity, so that two transactions never share one (a file sent again
/// with the same name and other content included).
fn transaction_id(source: &str, index: usize, fingerprint: &TransactionFingerprint) -> i64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut h);
    index.hash(&mut h);
    fingerprint.hash(&mut h);
    h.finish() as i64
}

/// The records of one file's content.
fn file_records(
    out: &mut Records,
    name: &str,
    content: &InputContent,
) -> Result<(), ColumnarError> {
    for claim in &content.claims {
        let partition = claim.billing_provider.npi.to_string();
        out.push("claim", &partition, None, &(name, claim))?;
    }
    // Batch numbers first, then acknowledgments, as `stages::records`
    // lists them. A tuple, not `AckRecord`: its skipped `None` fields
    // would shift the positions of a struct written as an array.
    for batch in &content.batches {
        out.push("ack", "", None, &(name, None::<()>, Some(batch)))?;
    }
    for ack in &content.acks {
        out.push("ack", "", None, &(name, Some(ack), None::<()>))?;
    }
    for (index, tx) in content.transactions.iter().enumerate() {
        let partition = remittance_partition(&tx.context);
        let id = transaction_id(name, index, &tx.fingerprint);
        out.push(
            "transaction",
            &partition,
            Some(id),
            &(&*tx.context, &tx.fingerprint),
        )?;
        for event in &tx.events {
            // The event's context is not serialised (serde skips it).
            out.push("event", &partition, Some(id), event)?;
        }
    }
    Ok(())
}

/// The events stage: the records of every file of `files`, a batch with
/// columns `path` (utf8) and `content` (binary) — the `binaryFile`
/// source's. Content that is not X12 is skipped (as a folder's other files
/// are); a file that cannot be used yields one `rejected` record.
pub fn events(files: &RecordBatch) -> Result<RecordBatch, ColumnarError> {
    let column = |name: &str| {
        files
            .column_by_name(name)
            .ok_or_else(|| ColumnarError::Usage(format!("events: the batch has no column {name}")))
    };
    let paths = column("path")?;
    let contents = column("content")?;
    let paths = paths
        .as_string_opt::<i32>()
        .ok_or_else(|| ColumnarError::Usage("events: path must be utf8".into()))?;
    let mut out = Records::new();
    for i in 0..files.num_rows() {
        let name = paths.value(i);
        let bytes: &[u8] = match contents.data_type() {
            DataType::Binary => contents.as_binary::<i32>().value(i),
            DataType::LargeBinary => contents.as_binary::<i64>().value(i),
            other => {
                return Err(ColumnarError::Usage(format!(
                    "events: content must be binary, not {other}"
                )));
            }
        };
        if !starts_like_x12(bytes) {
            continue;
        }
        let content = read_input(name, bytes);
        match fatal(name, &content.summary) {
            Some(failure) => out.rejected(&failure),
            None => file_records(&mut out, name, &content)?,
        }
    }
    Ok(out.finish())
}

// ── the Spark stages: decide ────────────────────────────────────────────────

/// Rows per ledger batch the decider hands out: smaller than
/// [`BATCH_ROWS`] so that a provider's rows leave in several batches while
/// it is decided (the bench's providers have ~30,000 rows each), and the
/// consumer (Spark's Parquet writer) works on the first ones meanwhile.
const DECIDED_BATCH_ROWS: usize = 8_192;

/// Ledger batches made and not yet taken, at most: the deciding thread
/// waits beyond that (a batch is ~6 MB), so memory stays bounded when the
/// consumer is slower than the engine.
const DECIDED_AHEAD: usize = 4;

/// One provider's records, decoded as they came, waiting for its last one.
struct Provider {
    name: String,
    partition: Partition,
    /// The transactions' contexts, shared by their events (decoded once).
    transactions: HashMap<(bool, i64), (Arc<RemittanceContext>, TransactionFingerprint)>,
    /// The events, in the order they came: they join their transaction
    /// when the provider is complete (an event may come before its
    /// transaction record), in this order, as `stages::decide_records`
    /// takes records.
    events: Vec<(bool, i64, LineEvent)>,
}

impl Provider {
    fn new(name: &str) -> Provider {
        Provider {
            name: name.to_string(),
            partition: Partition::default(),
            transactions: HashMap::new(),
            events: Vec::new(),
        }
    }

    /// Everything the engine needs: each event joined to its transaction.
    fn into_partition(self) -> Result<Partition, ColumnarError> {
        let Provider {
            name,
            mut partition,
            transactions,
            events,
        } = self;
        let mut slots = HashMap::with_capacity(transactions.len());
        for (history, tx, event) in events {
            let Some((context, fingerprint)) = transactions.get(&(history, tx)) else {
                return Err(ColumnarError::Usage(format!(
                    "decide: an event of transaction {tx} of provider {name} came without its transaction record"
                )));
            };
            let slot = *slots
                .entry((history, tx))
                .or_insert_with(|| partition.transaction(history, context, fingerprint));
            partition.add_event(slot, history, fingerprint, event, || Arc::clone(context));
        }
        Ok(partition)
    }
}

/// The thread that decides providers, one after the other, and makes their
/// ledger batches from the rows as they come, while the caller's thread
/// decodes the next provider's records and takes the batches already made.
/// (With more than one core, `pipeline::decide` runs the engine itself on
/// a further thread, the claims decoded ahead of it, and hands this one
/// the rows.)
struct Engine {
    providers: Option<mpsc::Sender<Provider>>,
    /// In a mutex only for the decider to be `Sync` (a Python object
    /// must be): one thread takes the batches.
    batches: Mutex<mpsc::Receiver<Result<RecordBatch, ColumnarError>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Engine {
    fn start(config: Arc<Config>, acks: Arc<Vec<AckRecord>>) -> Result<Engine, ColumnarError> {
        let (providers, to_decide) = mpsc::channel::<Provider>();
        let (made, batches) = mpsc::sync_channel(DECIDED_AHEAD);
        let thread = std::thread::Builder::new()
            .name("remit-decider".into())
            .spawn(move || {
                let mut rows = BatchBuilder::new(COLUMNS);
                for provider in to_decide {
                    if let Err(e) = decide_provider(provider, &acks, &config, &mut rows, &made) {
                        // The caller takes the error in its turn; if it is
                        // gone, there is no one to tell.
                        let _ = made.send(Err(e));
                        return;
                    }
                }
                if !rows.is_empty() {
                    let _ = made.send(Ok(rows.finish()));
                }
            })?;
        Ok(Engine {
            providers: Some(providers),
            batches: Mutex::new(batches),
            thread: Some(thread),
        })
    }

    fn send(&self, provider: Provider) -> Result<(), ColumnarError> {
        self.providers
            .as_ref()
            .and_then(|p| p.send(provider).ok())
            .ok_or_else(|| ColumnarError::Io("decide: the deciding thread stopped".into()))
    }

    fn receiver(&mut self) -> &mut mpsc::Receiver<Result<RecordBatch, ColumnarError>> {
        // Never locked, so never poisoned.
        self.batches.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// The batches made so far, without waiting.
    fn ready(&mut self, out: &mut Vec<RecordBatch>) -> Result<(), ColumnarError> {
        loop {
            match self.receiver().try_recv() {
                Ok(batch) => out.push(batch?),
                Err(mpsc::TryRecvError::Empty) => return Ok(()),
                // Stopped after an error it sent (taken above), or done.
                Err(mpsc::TryRecvError::Disconnected) => return Ok(()),
            }
        }
    }

    /// No more providers: the next batch, waiting for it; `None` when
    /// every provider is decided and every batch taken.
    fn next(&mut self) -> Result<Option<RecordBatch>, ColumnarError> {
        self.providers = None;
        match self.receiver().recv() {
            Ok(batch) => batch.map(Some),
            Err(mpsc::RecvError) => {
                let panicked = self.thread.take().is_some_and(|t| t.join().is_err());
                if panicked {
                    Err(ColumnarError::Io(
                        "decide: the deciding thread failed".into(),
                    ))
                } else {
                    Ok(None)
                }
            }
        }
    }
}

impl Drop for Engine {
    /// Stops the thread: without providers to wait for and with no one
    /// taking its batches, it ends at its next provider or batch.
    fn drop(&mut self) {
        self.providers = None;
        let (_, closed) = mpsc::sync_channel(0);
        drop(std::mem::replace(self.receiver(), closed));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One provider's rows into `rows`, each full batch handed to `made` as
/// soon as it is full.
fn decide_provider(
    provider: Provider,
    acks: &[AckRecord],
    config: &Config,
    rows: &mut BatchBuilder<DecidedLine>,
    made: &mpsc::SyncSender<Result<RecordBatch, ColumnarError>>,
) -> Result<(), ColumnarError> {
    let partition = provider.into_partition()?;
    decide_partition(partition, acks, config, |row| {
        rows.push(row).map_err(ColumnarError::from)?;
        if rows.len() >= DECIDED_BATCH_ROWS {
            made.send(Ok(rows.finish())).map_err(|_| {
                ColumnarError::Io("decide: the ledger batches are no longer taken".into())
            })?;
        }
        Ok(())
    })
    .map_err(|e| match e {
        RunError::Ingest { error, .. } | RunError::Store(error) => other(error),
        RunError::Sink(e) => e,
    })
}

/// The decide stage: records in, ledger rows out, with the rules of
/// `remit decide`'s flags. Records may come in any number of batches; all
/// records of one `partition` (provider) must reach the same decider. When
/// the batches come sorted by `partition`, each provider goes to the
/// deciding thread as soon as the next one starts, so memory holds about
/// one provider; otherwise everything is decided at [`Decider::finish`].
///
/// Records are decoded as they come; a provider is decided on a thread of
/// the decider's own, rows going straight into ledger batches of
/// [`DECIDED_BATCH_ROWS`] rows, handed out as they fill: by
/// [`Decider::push`] (those made so far) and [`Decider::next_batch`].
pub struct Decider {
    config: Arc<Config>,
    /// The acknowledgments and batch numbers every provider is decided
    /// with (`ack` records, pushed before the providers' records).
    acks: Vec<AckRecord>,
    current: Option<Provider>,
    waiting: BTreeMap<String, Provider>,
    decided: HashSet<String>,
    sorted: bool,
    engine: Option<Engine>,
}

fn decode<T: serde::de::DeserializeOwned>(kind: &str, payload: &[u8]) -> Result<T, ColumnarError> {
    match payload.split_first() {
        Some((&PAYLOAD_FORMAT, rest)) => rmp_serde::from_slice(rest).map_err(|e| {
            ColumnarError::Usage(format!("decide: a {kind} record cannot be read: {e}"))
        }),
        Some((version, _)) => Err(ColumnarError::Usage(format!(
            "decide: a {kind} record of payload format {version}; this remit reads format {PAYLOAD_FORMAT}: \
             rebuild the history from its files with this version's events stage"
        ))),
        None => Err(ColumnarError::Usage(format!(
            "decide: an empty {kind} record"
        ))),
    }
}

impl Decider {
    /// A decider with `remit decide`'s flags (`--as-of`, `--fee-schedule`,
    /// `--code-list`, `--prompt-pay`, `--rate`, appeal days). `sorted`:
    /// the batches come sorted by `partition`.
    pub fn new(args: &[String], sorted: bool) -> Result<Decider, ColumnarError> {
        let Command::Decide(args) = parse_command("decide", args)? else {
            unreachable!("the command is decide");
        };
        let DecideStageArgs {
            as_of,
            fees,
            appeals,
            interest,
            codes,
            ..
        } = &args;
        // `jobs` stays one a core: the engine then decides on a thread of
        // its own with the claims and transactions decoded ahead of it
        // (`pipeline::read_ahead`), and the decider's thread, which takes
        // the rows, only builds the batches. Measured on the bench with
        // one job instead: the decide stage 21.5 s against main's 15.7 s.
        let config = deciding_config(*as_of, fees, appeals, interest, codes)?;
        Ok(Decider {
            config: Arc::new(config),
            acks: Vec::new(),
            current: None,
            waiting: BTreeMap::new(),
            decided: HashSet::new(),
            sorted,
            engine: None,
        })
    }

    /// Takes a batch of records (columns `kind`, `partition`, `tx`,
    /// `payload`, and `history` when some are from earlier days); returns
    /// the ledger batches made since the last call, without waiting (with
    /// sorted input, rows of the providers already complete).
    pub fn push(&mut self, batch: &RecordBatch) -> Result<Vec<RecordBatch>, ColumnarError> {
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                ColumnarError::Usage(format!("decide: the batch has no column {name}"))
            })
        };
        let kinds = column("kind")?
            .as_string_opt::<i32>()
            .ok_or_else(|| ColumnarError::Usage("decide: kind must be utf8".into()))?;
        let partitions = column("partition")?
            .as_string_opt::<i32>()
            .ok_or_else(|| ColumnarError::Usage("decide: partition must be utf8".into()))?;
        let txs = column("tx")?;
        let txs = txs
            .as_primitive_opt::<arrow_array::types::Int64Type>()
            .ok_or_else(|| ColumnarError::Usage("decide: tx must be int64".into()))?;
        let payloads = column("payload")?;
        let payloads = payloads
            .as_binary_opt::<i32>()
            .ok_or_else(|| ColumnarError::Usage("decide: payload must be binary".into()))?;
        let history = batch
            .column_by_name("history")
            .and_then(|h| h.as_boolean_opt().cloned());
        for i in 0..batch.num_rows() {
            let kind = kinds.value(i);
            if kind == "rejected" {
                continue;
            }
            let partition = partitions.value(i);
            let from_history = history
                .as_ref()
                .is_some_and(|h| h.is_valid(i) && h.value(i));
            let payload = payloads.value(i);
            if kind == "ack" {
                self.ack(payload, from_history)?;
                continue;
            }
            let provider = self.provider(partition)?;
            match kind {
                "claim" => {
                    let (source, claim): (String, BilledClaim) = decode("claim", payload)?;
                    provider.partition.add_claim(source, claim, from_history);
                }
                "transaction" => {
                    let (context, fingerprint): (RemittanceContext, TransactionFingerprint) =
                        decode("transaction", payload)?;
                    provider.transactions.insert(
                        (from_history, txs.value(i)),
                        (Arc::new(context), fingerprint),
                    );
                }
                "event" => {
                    let event: LineEvent = decode("event", payload)?;
                    provider.events.push((from_history, txs.value(i), event));
                }
                other => {
                    return Err(ColumnarError::Usage(format!(
                        "decide: unknown record kind {other:?}"
                    )));
                }
            }
        }
        let mut done = Vec::new();
        if let Some(engine) = &mut self.engine {
            engine.ready(&mut done)?;
        }
        Ok(done)
    }

    /// Keeps an `ack` record for every provider still to decide. One that
    /// comes after a provider was decided would have changed its rows:
    /// refused, not ignored.
    fn ack(&mut self, payload: &[u8], history: bool) -> Result<(), ColumnarError> {
        if !self.decided.is_empty() {
            return Err(ColumnarError::Usage(
                "decide: an ack record came after providers' records; push every acknowledgment first".into(),
            ));
        }
        type AckPayload = (
            String,
            Option<crate::lifecycle::Acknowledgment>,
            Option<crate::lifecycle::BatchReference>,
        );
        let (source, ack, batch): AckPayload = decode("ack", payload)?;
        self.acks.push(AckRecord {
            source,
            history,
            ack,
            batch,
        });
        Ok(())
    }

    /// The provider `partition`'s records; with sorted input, a new
    /// partition sends the previous one to be decided.
    fn provider(&mut self, partition: &str) -> Result<&mut Provider, ColumnarError> {
        if !self.sorted {
            return Ok(self
                .waiting
                .entry(partition.to_string())
                .or_insert_with(|| Provider::new(partition)));
        }
        if self.current.as_ref().is_none_or(|p| p.name != partition) {
            if self.decided.contains(partition) {
                return Err(ColumnarError::Usage(format!(
                    "decide: records of one provider came apart in input said to be sorted by partition ({partition})"
                )));
            }
            if let Some(previous) = self.current.take() {
                self.decide(previous)?;
            }
            self.current = Some(Provider::new(partition));
        }
        Ok(self.current.as_mut().expect("just set"))
    }

    /// Sends a complete provider to the deciding thread (started with the
    /// first one, when every acknowledgment is in).
    fn decide(&mut self, provider: Provider) -> Result<(), ColumnarError> {
        self.decided.insert(provider.name.clone());
        if self.engine.is_none() {
            let mut acks = self.acks.clone();
            order_acks(&mut acks);
            self.engine = Some(Engine::start(Arc::clone(&self.config), Arc::new(acks))?);
        }
        self.engine.as_ref().expect("just started").send(provider)
    }

    /// No more records: what is still held goes to be decided (see
    /// [`Decider::next_batch`]).
    pub fn close(&mut self) -> Result<(), ColumnarError> {
        if let Some(provider) = self.current.take() {
            self.decide(provider)?;
        }
        for (_, provider) in std::mem::take(&mut self.waiting) {
            self.decide(provider)?;
        }
        Ok(())
    }

    /// After [`Decider::close`]: the next ledger batch, waiting for the
    /// engine to fill it; `None` when every row was handed out. Records
    /// pushed afterwards start a new round.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>, ColumnarError> {
        let Some(engine) = self.engine.as_mut() else {
            return Ok(None);
        };
        let next = engine.next();
        if !matches!(next, Ok(Some(_))) {
            self.engine = None;
        }
        next
    }

    /// [`Decider::close`], then every batch still to come.
    pub fn finish(&mut self) -> Result<Vec<RecordBatch>, ColumnarError> {
        self.close()?;
        let mut done = Vec::new();
        while let Some(batch) = self.next_batch()? {
            done.push(batch);
        }
        Ok(done)
    }
}

/// The typed schema of the ledger's rows.
pub fn ledger_schema() -> SchemaRef {
    crate::ledger::schema::schema(COLUMNS)
}

/// The typed schema of `remit lines`' rows.
pub fn lines_schema() -> SchemaRef {
    crate::ledger::schema::schema(lines_table())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_without_its_rare_trailing_field_reads_back_whole() {
        let content = read_input(
            "era.835",
            std::fs::read("samples/remits/acme-2024-02-07.835")
                .unwrap()
                .as_slice(),
        );
        let event = content.transactions[0].events[0].clone();
        let mut bytes = vec![PAYLOAD_FORMAT];
        rmp_serde::encode::write(&mut bytes, &event).unwrap();
        let back: LineEvent = decode("event", &bytes).unwrap();
        assert_eq!(
            LineEvent {
                context: back.context.clone(),
                ..event
            },
            back
        );
        bytes[0] = 9;
        let error = decode::<LineEvent>("event", &bytes)
            .unwrap_err()
            .to_string();
        assert!(error.contains("payload format 9"), "{error}");
    }

    /// The records of every file under `samples/`, in one batch.
    fn sample_records() -> RecordBatch {
        let mut paths = Vec::new();
        let mut folders = vec![PathBuf::from("samples")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let contents: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
        let files = RecordBatch::try_from_iter([
            (
                "path",
                Arc::new(arrow_array::StringArray::from(names)) as ArrayRef,
            ),
            (
                "content",
                Arc::new(arrow_array::BinaryArray::from_iter_values(&contents)) as ArrayRef,
            ),
        ])
        .unwrap();
        events(&files).unwrap()
    }

    fn rows(batches: &[RecordBatch]) -> usize {
        batches.iter().map(|b| b.num_rows()).sum()
    }

    #[test]
    fn a_decider_fed_record_by_record_hands_out_every_row_once() {
        let records = sample_records();
        let args = ["--as-of".to_string(), "2025-07-31".to_string()];
        let mut at_once = Decider::new(&args, false).unwrap();
        let mut expected = at_once.push(&records).unwrap();
        expected.extend(at_once.finish().unwrap());
        assert!(rows(&expected) > 0);
        // Sorted by provider (acks first), one record a push: every
        // provider but the last is decided on the engine's thread while
        // records are still pushed.
        let kinds = records.column(0).as_string::<i32>();
        let partitions = records.column(1).as_string::<i32>();
        let mut order: Vec<usize> = (0..records.num_rows()).collect();
        order.sort_by_key(|&i| (kinds.value(i) != "ack", partitions.value(i)));
        let mut sorted = Decider::new(&args, true).unwrap();
        let mut out = Vec::new();
        for i in order {
            out.extend(sorted.push(&records.slice(i, 1)).unwrap());
        }
        sorted.close().unwrap();
        while let Some(batch) = sorted.next_batch().unwrap() {
            assert!(batch.num_rows() <= DECIDED_BATCH_ROWS);
            out.push(batch);
        }
        assert_eq!(rows(&out), rows(&expected));
        assert!(sorted.next_batch().unwrap().is_none());
        // A decider dropped while it decides stops its thread.
        let mut dropped = Decider::new(&args, false).unwrap();
        dropped.push(&records).unwrap();
        dropped.close().unwrap();
        drop(dropped);
    }
}
