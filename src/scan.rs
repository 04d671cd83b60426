//! Reads one X12 input to its end: hands each typed event to a consumer and
//! keeps the per-file summary (what was read, totals, every finding) that
//! `validate` prints and every other command uses to accept or reject a
//! file.

use std::collections::BTreeSet;
use std::io::Read;

use rust_decimal::Decimal;

use crate::acks::{AckEvent, BatchStatus, ClaimStatus, FunctionalAck, InterchangeAck, StatusEvent};
use crate::claim::{BilledClaim, ClaimBatchHeader, ClaimEvent};
use crate::diagnostic::{Issue, Issues, Rule, Severity};
use crate::document::{DocumentEvent, DocumentReader, SegmentSource};
use crate::envelope::TransactionId;
use crate::remittance::{ClaimPayment, RemittanceEvent, RemittanceHeader, RemittanceTrailer};

mod screen;
pub use screen::screen_reader;

/// Receives the typed content of one input, in order.
pub trait Consumer {
    /// An 835 transaction begins.
    fn remittance_header(&mut self, _header: &RemittanceHeader) {}
    /// One 835 claim payment.
    fn claim_payment(&mut self, _claim: &ClaimPayment) {}
    /// An 835 transaction ends.
    fn remittance_end(&mut self, _trailer: &RemittanceTrailer) {}
    /// An 837 transaction begins.
    fn claim_batch(&mut self, _header: &ClaimBatchHeader) {}
    /// One billed 837 claim.
    fn billed_claim(&mut self, _claim: BilledClaim) {}
    /// An 837 transaction ends; `content_hash` identifies its bytes.
    fn claim_batch_end(&mut self, _content_hash: u64) {}
    /// A TA1 interchange acknowledgment.
    fn interchange_ack(&mut self, _ack: &InterchangeAck) {}
    /// One whole 999 transaction.
    fn functional_ack(&mut self, _ack: &FunctionalAck) {}
    /// The batch-level (2200B) status of a 277CA.
    fn batch_status(&mut self, _status: &BatchStatus) {}
    /// A provider-level (2200C) status of a 277.
    fn provider_status(&mut self, _status: &ClaimStatus) {}
    /// One claim's status from a 277CA or 277 (or a claim asked about in a
    /// 276).
    fn claim_status(&mut self, _status: &ClaimStatus) {}
    /// A 277 or 276 transaction ends.
    fn status_report_end(&mut self) {}
    /// A transaction was cut short: drop what it produced.
    fn aborted(&mut self, _id: &TransactionId) {}
    /// A finding, delivered before the event it was found with.
    fn issue(&mut self, _issue: &Issue) {}
}

/// A consumer that keeps nothing (for `validate`).
pub struct Discard;

impl Consumer for Discard {}

/// What one input contained.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// Interchanges (ISA).
    pub interchanges: u64,
    /// 835 transactions.
    pub remittances: u64,
    /// 837 transactions.
    pub claim_batches: u64,
    /// Implementation guides seen (GS08), e.g. `005010X221A1`.
    pub versions: BTreeSet<String>,
    /// Claims (CLP or CLM).
    pub claims: u64,
    /// 999 transactions.
    pub acknowledgments: u64,
    /// TA1 segments.
    pub interchange_acks: u64,
    /// 277CA, 277 and 276 transactions.
    pub status_reports: u64,
    /// Claims in 277CA, 277 and 276 transactions.
    pub claim_statuses: u64,
    /// Service lines (SVC or SV1/SV2/SV3).
    pub lines: u64,
    /// Σ CLP03 and Σ CLM02.
    pub billed: Decimal,
    /// Σ BPR02 of the 835s.
    pub paid: Decimal,
    /// Every finding.
    pub issues: Issues,
}

impl FileSummary {
    /// The summary of an input that cannot be opened or read: `error`, as
    /// its one fatal finding.
    pub fn unreadable(error: impl std::fmt::Display) -> FileSummary {
        let mut summary = FileSummary::default();
        summary.issues.push(Issue::new(
            Severity::Fatal,
            Rule::Syntax,
            Default::default(),
            format!("cannot open: {error}"),
        ));
        summary
    }

    /// True when the input can be used (no fatal finding).
    pub fn usable(&self) -> bool {
        !self.issues.has_fatal()
    }

    /// What the file is, in words (`835 005010X221A1`).
    pub fn kind(&self) -> String {
        let mut kinds = Vec::new();
        if self.remittances > 0 {
            kinds.push("835");
        }
        if self.claim_batches > 0 {
            kinds.push("837");
        }
        if self.acknowledgments > 0 {
            kinds.push("999");
        }
        if self.interchange_acks > 0 {
            kinds.push("TA1");
        }
        if self.status_reports > 0 {
            kinds.extend(self.status_kinds());
        }
        let versions: Vec<&str> = self.versions.iter().map(String::as_str).collect();
        format!("{} {}", kinds.join("+"), versions.join(","))
            .trim()
            .to_string()
    }
}

impl FileSummary {
    /// The 276/277 kinds seen, from their guides.
    fn status_kinds(&self) -> Vec<&'static str> {
        let mut kinds = Vec::new();
        for version in &self.versions {
            let kind = if version.contains("X214") {
                "277CA"
            } else if version.contains("X212") {
                "276/277"
            } else {
                continue;
            };
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        if kinds.is_empty() {
            kinds.push("277");
        }
        kinds
    }
}

/// Reads `input` to its end, feeding `consumer`.
pub fn scan_reader<R: Read>(input: R, consumer: &mut dyn Consumer) -> FileSummary {
    scan(DocumentReader::from_reader(input), consumer)
}

/// Reads bytes in memory to their end, feeding `consumer`.
pub fn scan_slice(input: &[u8], consumer: &mut dyn Consumer) -> FileSummary {
    scan(DocumentReader::from_slice(input), consumer)
}

/// Reads a document to its end, feeding `consumer`.
pub fn scan<S: SegmentSource>(
    mut reader: DocumentReader<S>,
    consumer: &mut dyn Consumer,
) -> FileSummary {
    let mut summary = FileSummary::default();
    let mut issues: Vec<Issue> = Vec::new();
    // A syntax or I/O error ends the document; it is recorded as a finding.
    loop {
        let next = reader.next_event();
        for issue in reader.take_issues() {
            consumer.issue(&issue);
            issues.push(issue);
        }
        let Ok(Some(event)) = next else { break };
        summarise(&mut summary, &event);
        if let Some(claim) = dispatch(event, consumer) {
            reader.recycle(claim);
        }
    }
    summary.interchanges = reader.interchanges();
    summary.issues = Issues(issues);
    summary
}

fn summarise(summary: &mut FileSummary, event: &DocumentEvent) {
    match event {
        DocumentEvent::Remittance(RemittanceEvent::Header(h)) => {
            summary.remittances += 1;
            summary.paid += h.payment.amount;
            summary.versions.insert(h.id.version.to_string());
        }
        DocumentEvent::Remittance(RemittanceEvent::Claim(c)) => {
            summary.claims += 1;
            summary.lines += c.lines.len() as u64;
            summary.billed += c.charge;
        }
        DocumentEvent::Claim(ClaimEvent::Header(h)) => {
            summary.claim_batches += 1;
            summary.versions.insert(h.id.version.to_string());
        }
        DocumentEvent::Claim(ClaimEvent::Claim(c)) => {
            summary.claims += 1;
            summary.lines += c.lines.len() as u64;
            summary.billed += c.charge;
        }
        DocumentEvent::Acknowledgment(AckEvent::Functional(a)) => {
            summary.acknowledgments += 1;
            summary.versions.insert(a.id.version.to_string());
        }
        DocumentEvent::Acknowledgment(AckEvent::Interchange(_)) => summary.interchange_acks += 1,
        DocumentEvent::Status(StatusEvent::Claim(c)) => {
            summary.claim_statuses += 1;
            summary.lines += c.lines.len() as u64;
        }
        DocumentEvent::Status(StatusEvent::End { version, .. }) => {
            summary.status_reports += 1;
            summary.versions.insert(version.to_string());
        }
        _ => {}
    }
}

/// Hands `event` to `consumer`; returns a claim payment it is done with.
fn dispatch(event: DocumentEvent, consumer: &mut dyn Consumer) -> Option<Box<ClaimPayment>> {
    match event {
        DocumentEvent::Remittance(RemittanceEvent::Header(h)) => consumer.remittance_header(&h),
        DocumentEvent::Remittance(RemittanceEvent::Claim(c)) => {
            consumer.claim_payment(&c);
            return Some(c);
        }
        DocumentEvent::Remittance(RemittanceEvent::End(t)) => consumer.remittance_end(&t),
        DocumentEvent::Claim(ClaimEvent::Header(h)) => consumer.claim_batch(&h),
        DocumentEvent::Claim(ClaimEvent::Claim(c)) => consumer.billed_claim(*c),
        DocumentEvent::Claim(ClaimEvent::End { content_hash, .. }) => {
            consumer.claim_batch_end(content_hash)
        }
        DocumentEvent::Acknowledgment(AckEvent::Interchange(a)) => consumer.interchange_ack(&a),
        DocumentEvent::Acknowledgment(AckEvent::Functional(a)) => consumer.functional_ack(&a),
        DocumentEvent::Status(StatusEvent::Batch(b)) => consumer.batch_status(&b),
        DocumentEvent::Status(StatusEvent::Provider(p)) => consumer.provider_status(&p),
        DocumentEvent::Status(StatusEvent::Claim(c)) => consumer.claim_status(&c),
        DocumentEvent::Status(StatusEvent::End { .. }) => consumer.status_report_end(),
        DocumentEvent::Aborted(id) => consumer.aborted(&id),
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use remit_synth::{ScenarioMix, SynthConfig, write_remittances};

    /// Keeps a copy of every claim payment it is shown.
    #[derive(Default)]
    struct Claims(Vec<ClaimPayment>);

    impl Consumer for Claims {
        fn claim_payment(&mut self, claim: &ClaimPayment) {
            self.0.push(claim.clone());
        }
    }

    #[test]
    fn reused_claim_payments_carry_nothing_over() {
        let mix = ScenarioMix {
            institutional: 50,
            remark: 60,
            claim_adjustment: 40,
            ..ScenarioMix::default()
        };
        let cfg = SynthConfig::new(3)
            .with_claims(400)
            .with_max_lines_per_claim(12)
            .with_mix(mix);
        let mut era = Vec::new();
        write_remittances(&cfg, &mut era).unwrap();
        let mut recycled = Claims::default();
        scan_slice(&era, &mut recycled);
        let mut fresh = Vec::new();
        let mut reader = DocumentReader::from_slice(&era);
        while let Some(event) = reader.next_event().unwrap() {
            if let DocumentEvent::Remittance(RemittanceEvent::Claim(c)) = event {
                fresh.push(*c);
            }
        }
        assert!(fresh.len() >= 400);
        assert!(fresh.iter().any(|c| c.inpatient.is_some()));
        assert_eq!(recycled.0, fresh);
    }
}
