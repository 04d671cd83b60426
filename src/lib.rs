//! remit reconciles healthcare payments: it reads X12 835 remittances and
//! 837 claims as streams and says, line by line, what was billed, paid,
//! denied and taken back.
//!
//! What a library user has, bottom up (the modules are private; this
//! crate root is the whole public face, as `csv`'s is):
//!
//! - **readers**: [`SliceReader`] and [`SegmentReader`] hand out borrowed
//!   [`Segment`]s with positions, delimiters read from every ISA;
//!   [`scan_slice`] / [`scan_reader`] run one input through the envelope
//!   and the 835, 837 and acknowledgment parsers and hand each transaction
//!   to a [`Consumer`], returning a [`FileSummary`] with every finding
//!   ([`Issue`]); [`DocumentReader`] is the same one event at a time;
//! - **models**: the 835 ([`RemittanceHeader`], [`ClaimPayment`],
//!   [`ServiceLine`], [`Adjustment`], [`ProviderAdjustment`],
//!   [`RemittanceTrailer`]…) and the 837 ([`BilledClaim`], [`BilledLine`]…);
//! - **the decided line**: [`EventCollector`] splits 835 claim payments
//!   into [`LineEvent`]s; a [`DecidedLine`] is an event with the
//!   [`Decision`] about it ([`Status`], [`Flags`], the amount at stake…);
//! - **the pipeline**: [`run`] is the entry point — with a resolved
//!   [`Config`] ([`Rules`], [`Contracts`]) it reads every [`Source`]
//!   ([`read_input`]), [`ingest`]s each into a [`HistoryStore`]
//!   ([`MemoryStore`], [`SqliteStore`]), and [`decide_pending`] has the
//!   [`Reconciler`] apply pending remittances in payment order, handing
//!   out rows (an [`Observer`] sees progress and findings);
//! - **sinks**: [`Sink`] writes [`Record`]s as CSV, JSON Lines or XML
//!   ([`sink`], [`Format`]); [`Splitter`] cuts an 835 into standalone ones.
//!
//! Reading an 835 and splitting it into service-line events:
//!
//! ```
//! use remit::{
//!     ClaimPayment, Consumer, EventCollector, LineEvent, RemittanceHeader, RemittanceTrailer,
//!     Status, scan_slice,
//! };
//!
//! let x12 = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *240301*1200*^*00501*000000001*0*P*:~\
//! GS*HP*PAYER*PRACTICE*20240301*1200*1*X*005010X221A1~ST*835*0001~\
//! BPR*I*80*C*CHK************20240301~TRN*1*12345*1999999999~\
//! N1*PR*ACME HEALTH PLAN~N1*PE*RIVERSIDE*XX*1234567893~LX*1~\
//! CLP*PCN1*1*150*80*20*12*ICN1~NM1*QC*1*DOE*JANE****MI*M1~\
//! SVC*HC:99213*100*80~DTM*472*20240105~CAS*CO*45*0~CAS*PR*3*20~\
//! SVC*HC:97140:59*50*0~DTM*472*20240105~CAS*CO*197*50~\
//! SE*16*0001~GE*1*1~IEA*1*000000001~";
//!
//! struct Lines(EventCollector, Vec<LineEvent>);
//! impl Consumer for Lines {
//!     fn remittance_header(&mut self, h: &RemittanceHeader) { self.0.header(h) }
//!     fn claim_payment(&mut self, c: &ClaimPayment) { self.0.claim(c) }
//!     fn remittance_end(&mut self, t: &RemittanceTrailer) { self.1.extend(self.0.end(t)) }
//! }
//!
//! let mut lines = Lines(EventCollector::new("example.835"), Vec::new());
//! let summary = scan_slice(x12.as_bytes(), &mut lines);
//! assert!(summary.issues.is_valid(), "{:?}", summary.issues);
//! let statuses: Vec<Status> = lines.1.iter().map(|e| e.status).collect();
//! assert_eq!(statuses, [Status::Paid, Status::Denied]);
//! assert_eq!(lines.1[1].adjustments[0].reason, "197");
//! assert_eq!(summary.paid.to_string(), "80");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod acks;
mod bank;
mod claim;
mod cli;
mod codes;
// Groundwork for issue 19 (contracts): self-contained and tested, not yet
// wired into a command, so nothing but its tests calls it yet. (`lifecycle`
// and `status_request` are wired since issue 22; the allowance stays for
// their library items no command uses: aging cells, code-list loading…)
#[allow(dead_code, unused_imports)]
mod contract;
mod diagnostic;
mod document;
mod envelope;
mod events;
mod fields;
mod hashing;
mod history;
mod ledger;
// Groundwork for issue 21 (appeal letters, printable remittances, appeal
// outcomes): public so the letter model can be used as a library.
pub mod letters;
#[allow(dead_code, unused_imports)]
mod lifecycle;
mod line;
mod money;
#[allow(dead_code, unused_imports)]
mod outcomes;
mod packing;
mod pipeline;
mod reconcile;
mod remittance;
mod reports;
mod scan;
mod split;
mod stages;
#[allow(dead_code, unused_imports)]
mod status_request;
mod tabular;
mod text;
mod x12;

// Readers: bytes, segments, one input's transactions and findings.
pub use diagnostic::{Issue, Issues, Rule, Severity};
pub use document::{DocumentEvent, DocumentReader};
pub use envelope::TransactionId;
pub use scan::{Consumer, Discard, FileSummary, scan_reader, scan_slice};
pub use x12::{
    Delimiters, Lexer, Notice, NoticeKind, Position, ReadError, Segment, SegmentReader,
    SliceReader, SyntaxError, SyntaxErrorKind,
};

// Models: the 835 and the 837, and the values they share.
pub use claim::{
    BilledClaim, BilledLine, BillingProvider, ClaimBatchHeader, ClaimEvent, ClaimKind, ClaimParser,
    Patient, Period, Subscriber,
};
pub use codes::{CarcCategory, CodeList, describe_adjustment, reason_in_words};
pub use fields::{Procedure, Reference};
pub use remittance::{
    Address, Adjustment, Amount, BankAccount, ClaimPayment, Contact, HeaderNumber,
    InpatientAdjudication, Name, OutpatientAdjudication, Party, Payment, ProviderAdjustment,
    QualifiedDate, Remark, RemittanceEvent, RemittanceHeader, RemittanceParser, RemittanceTotals,
    RemittanceTrailer, ServiceLine, Trace,
};
pub use text::Text;

// The decided line: 835 events, their identity, history and decision.
pub use events::EventCollector;
pub use line::{
    DecidedLine, Decision, EventKind, Flag, Flags, LineEvent, LineHistory, LineInterest, LineKey,
    OrderKey, PriorEvent, PriorKind, ReceiptSource, RemittanceContext, RemittanceTransaction,
    Scope, Status, TransactionFingerprint, event_key,
};

// The rules and the pipeline that drives them through a history store.
pub use contract::{ContractLoader, Contracts};
pub use history::sqlite::{RowFilter, current_version as store_schema_version};
pub use history::{
    AckStore, ClaimStore, During, Failure, HistoryStore, Ingested, MemoryStore, OpenLine,
    SqliteStore, StoreError, StoreResult, VersionStore,
};
pub use pipeline::ingest::ingest;
pub use pipeline::{
    Config, Decided, IngestReport, InputContent, Observer, Reconciler, RunError, RunSummary,
    Source, decide as decide_pending, parallel_jobs, parallel_map, read_input, run,
};
pub use reconcile::Rules;
pub use reconcile::claims::{ClaimRef, StoredClaim};
pub use reconcile::decide::decide;
pub use reconcile::interest::PromptPay;
pub use reconcile::versions::{StoredVersion, TransactionRef};

// Sinks: tables written as CSV, JSON Lines or XML; 835s split apart.
pub use ledger::row::{COLUMNS as LEDGER_COLUMNS, LINES_NAMES as LINES_COLUMNS, lines_table};
pub use ledger::table::names as column_names;
pub use ledger::{Cell, Column, ColumnType, CsvSink, Format, JsonLinesSink, Sink, XmlSink, sink};
pub use split::{
    GroupBy, Origin, Part, PartGroup, PartNote, SplitOutcome, SplitSink, Splitter, TransactionSplit,
};

/// The `remit` binary's entry point: parses the command line and runs it.
#[doc(hidden)]
pub use cli::main as cli_main;

/// The columnar adapter the Python package (`python/`) and the Spark job
/// call: readers, reconcile and the cluster stages as Arrow record batches.
/// An adapter beside the CLI, not library API.
#[doc(hidden)]
pub use cli::columnar;
