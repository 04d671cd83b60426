//! remit reconciles healthcare payments: it reads X12 835 remittances and
//! 837 claims as streams and says, line by line, what was billed, paid,
//! denied and taken back.
//!
//! The layers, bottom up: [`x12`] (bytes, delimiters from every ISA,
//! borrowed segments with positions), [`envelope`] (ISA/GS/ST nesting and
//! counts), [`remittance`] and [`claim`] (the 835 and 837 loop parsers),
//! [`events`] (service-line events), [`reconcile`] (line identity, matching
//! and the pure decision), [`history`] (where line histories live),
//! [`ledger`] (CSV, JSON Lines and XML writers), and [`cli`].
//!
//! Reading an 835 and splitting it into service-line events:
//!
//! ```
//! use remit::events::EventCollector;
//! use remit::line::{LineEvent, Status};
//! use remit::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
//! use remit::scan::{Consumer, scan_slice};
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

pub mod acks;
pub mod bank;
pub mod claim;
pub mod cli;
pub mod codes;
pub mod contract;
pub mod diagnostic;
pub mod document;
pub mod envelope;
pub mod events;
pub mod fields;
pub mod history;
pub mod ledger;
pub mod lifecycle;
pub mod line;
pub mod money;
pub mod pipeline;
pub mod reconcile;
pub mod remittance;
pub mod reports;
pub mod scan;
pub mod split;
pub mod stages;
pub mod status_request;
pub mod tabular;
pub mod text;
pub mod x12;
