//! The columnar adapter: remit's readers, its reconciliation and the two
//! cluster stages with Arrow record batches in and out, for the Python
//! package (`python/`) and the Spark job (`spark/remit_job.py`).
//!
//! This is the one module outside the library's own layers that knows
//! remit's row and event types ([`DecidedLine`], [`LineEvent`],
//! [`RemittanceContext`], [`BilledClaim`], the stage records) and drives
//! the pipeline: [`reconcile`] through the same run as the command
//! (`cli::runner`, over `pipeline::run` with a resolved `pipeline::Config`),
//! [`Decider`] through `stages::decide_records` (`pipeline::decide`); the
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
//! way and decides each provider with `stages::decide_records` (over
//! `pipeline::decide`). [`lines`] and [`events`] read with the pipeline's
//! read step. A change of the payload's serde shape bumps
//! [`PAYLOAD_FORMAT`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

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
use crate::pipeline::{Config, InputContent, read_input};
use crate::reconcile::decide::remittance_flags;
use crate::reconcile::reason::reason;
use crate::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
use crate::scan::{Consumer, Discard, FileSummary, scan_reader, scan_slice};
use crate::stages::{
    AckRecord, ClaimRecord, Record, RemittanceRecord, decide_records, remittance_partition,
};

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

/// One provider's records, waiting to be decided.
#[derive(Default)]
struct Group {
    claims: Vec<(bool, Vec<u8>)>,
    transactions: HashMap<(bool, i64), Vec<u8>>,
    events: Vec<(bool, i64, Vec<u8>)>,
}

/// The decide stage: records in, ledger rows out, with the rules of
/// `remit decide`'s flags. Records may come in any number of batches; all
/// records of one `partition` (provider) must reach the same decider. When
/// the batches come sorted by `partition`, each provider is decided as
/// soon as the next one starts, so memory holds one provider; otherwise
/// everything is decided at [`Decider::finish`].
pub struct Decider {
    config: Config,
    /// The acknowledgments and batch numbers every provider is decided
    /// with (`ack` records, pushed before the providers' records).
    acks: Vec<AckRecord>,
    current: Option<(String, Group)>,
    waiting: BTreeMap<String, Group>,
    decided: HashSet<String>,
    sorted: bool,
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
        let config = deciding_config(*as_of, fees, appeals, interest, codes)?;
        Ok(Decider {
            config,
            acks: Vec::new(),
            current: None,
            waiting: BTreeMap::new(),
            decided: HashSet::new(),
            sorted,
        })
    }

    /// Takes a batch of records (columns `kind`, `partition`, `tx`,
    /// `payload`, and `history` when some are from earlier days); returns
    /// the ledger rows of the providers it completed (sorted input only).
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
        let mut done = Vec::new();
        for i in 0..batch.num_rows() {
            let kind = kinds.value(i);
            if kind == "rejected" {
                continue;
            }
            let partition = partitions.value(i);
            let from_history = history
                .as_ref()
                .is_some_and(|h| h.is_valid(i) && h.value(i));
            if kind == "ack" {
                self.ack(payloads.value(i), from_history)?;
                continue;
            }
            let payload = payloads.value(i).to_vec();
            let group = self.group(partition, &mut done)?;
            match kind {
                "claim" => group.claims.push((from_history, payload)),
                "transaction" => {
                    group
                        .transactions
                        .insert((from_history, txs.value(i)), payload);
                }
                "event" => group.events.push((from_history, txs.value(i), payload)),
                other => {
                    return Err(ColumnarError::Usage(format!(
                        "decide: unknown record kind {other:?}"
                    )));
                }
            }
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

    /// The group of `partition`; with sorted input, a new partition
    /// decides the previous one into `done`.
    fn group(
        &mut self,
        partition: &str,
        done: &mut Vec<RecordBatch>,
    ) -> Result<&mut Group, ColumnarError> {
        if !self.sorted {
            return Ok(self.waiting.entry(partition.to_string()).or_default());
        }
        if self.current.as_ref().is_none_or(|(p, _)| p != partition) {
            if self.decided.contains(partition) {
                return Err(ColumnarError::Usage(format!(
                    "decide: records of one provider came apart in input said to be sorted by partition ({partition})"
                )));
            }
            if let Some((previous, group)) = self.current.take() {
                done.extend(self.decide(&previous, group)?);
                self.decided.insert(previous);
            }
            self.current = Some((partition.to_string(), Group::default()));
        }
        Ok(&mut self.current.as_mut().expect("just set").1)
    }

    /// The rows of what is still held.
    pub fn finish(&mut self) -> Result<Vec<RecordBatch>, ColumnarError> {
        let mut done = Vec::new();
        if let Some((partition, group)) = self.current.take() {
            done.extend(self.decide(&partition, group)?);
            self.decided.insert(partition);
        }
        for (partition, group) in std::mem::take(&mut self.waiting) {
            done.extend(self.decide(&partition, group)?);
        }
        Ok(done)
    }

    /// One provider's rows, with the engine of `remit decide`.
    fn decide(&self, partition: &str, group: Group) -> Result<Vec<RecordBatch>, ColumnarError> {
        let mut records =
            Vec::with_capacity(self.acks.len() + group.claims.len() + group.events.len());
        records.extend(self.acks.iter().cloned().map(Record::Ack));
        for (history, payload) in &group.claims {
            let (source, claim): (String, BilledClaim) = decode("claim", payload)?;
            records.push(Record::Claim(ClaimRecord {
                partition: partition.to_string(),
                source,
                history: *history,
                claim,
            }));
        }
        let mut contexts: HashMap<(bool, i64), (RemittanceContext, TransactionFingerprint)> =
            HashMap::with_capacity(group.transactions.len());
        for (key, payload) in &group.transactions {
            contexts.insert(*key, decode("transaction", payload)?);
        }
        for (history, tx, payload) in &group.events {
            let event: LineEvent = decode("event", payload)?;
            let Some((context, fingerprint)) = contexts.get(&(*history, *tx)) else {
                return Err(ColumnarError::Usage(format!(
                    "decide: an event of transaction {tx} of provider {partition} came without its transaction record"
                )));
            };
            records.push(Record::Remittance(RemittanceRecord {
                partition: partition.to_string(),
                // Neither is read by the decision: it sorts by itself.
                line_key: String::new(),
                order: String::new(),
                history: *history,
                fingerprint: fingerprint.clone(),
                context: context.clone(),
                event,
            }));
        }
        let rows = decide_records(records, &self.config).map_err(other)?;
        ledger_batches(&rows)
    }
}

/// Ledger rows as record batches of the ledger's typed columns.
pub fn ledger_batches(rows: &[DecidedLine]) -> Result<Vec<RecordBatch>, ColumnarError> {
    let mut builder = BatchBuilder::new(COLUMNS);
    let mut out = Vec::new();
    for row in rows {
        builder.push(row)?;
        if builder.len() >= BATCH_ROWS {
            out.push(builder.finish());
        }
    }
    if !builder.is_empty() {
        out.push(builder.finish());
    }
    Ok(out)
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
}
