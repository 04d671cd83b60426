//! Reading one X12 input for reconciliation: every 835 transaction as
//! events with its fingerprint, every 837 claim, and the file's summary.
//! Nothing is returned from a transaction cut short.

use std::io::Read;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::claim::BilledClaim;
use crate::envelope::TransactionId;
use crate::events::EventCollector;
use crate::line::{RemittanceTransaction, TransactionFingerprint};
use crate::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
use crate::scan::{Consumer, FileSummary, scan_reader};

/// What one input holds for reconciliation.
#[derive(Debug, Default)]
pub struct InputContent {
    /// The file's summary and findings.
    pub summary: FileSummary,
    /// Its 835 transactions.
    pub transactions: Vec<RemittanceTransaction>,
    /// Its 837 claims.
    pub claims: Vec<BilledClaim>,
}

struct Collect {
    events: EventCollector,
    claims_paid: Decimal,
    claims_charged: Decimal,
    claims: u64,
    pending_claims: Vec<BilledClaim>,
    content: InputContent,
}

impl Consumer for Collect {
    fn remittance_header(&mut self, header: &RemittanceHeader) {
        self.events.header(header);
        self.claims_paid = Decimal::ZERO;
        self.claims_charged = Decimal::ZERO;
        self.claims = 0;
    }
    fn claim_payment(&mut self, claim: &ClaimPayment) {
        self.claims_paid += claim.paid;
        self.claims_charged += claim.charge;
        self.claims += 1;
        self.events.claim(claim);
    }
    fn remittance_end(&mut self, trailer: &RemittanceTrailer) {
        let Some(context) = self.events.context().cloned() else {
            return;
        };
        let events = self.events.end(trailer);
        let semantic = format!(
            "{}|{}|{}|{}|{}|{}|{}|{}|{}",
            crate::line::payer_key(&context.payer_id, &context.payer),
            context.trace,
            context.transaction,
            context.payment_amount.normalize(),
            context
                .payment_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            self.claims,
            self.claims_charged.normalize(),
            self.claims_paid.normalize(),
            trailer.totals.provider_adjustments.normalize(),
        );
        let fingerprint = TransactionFingerprint {
            content_hash: trailer.content_hash,
            semantic,
        };
        self.content.transactions.push(RemittanceTransaction {
            context: Arc::clone(&context),
            events,
            fingerprint,
        });
    }
    fn billed_claim(&mut self, claim: BilledClaim) {
        self.pending_claims.push(claim);
    }
    fn claim_batch_end(&mut self, content_hash: u64) {
        for mut claim in self.pending_claims.drain(..) {
            claim.transaction_hash = content_hash;
            self.content.claims.push(claim);
        }
    }
    fn aborted(&mut self, _id: &TransactionId) {
        self.events.abort();
        self.pending_claims.clear();
    }
}

/// Reads one input named `source`.
pub fn read_input(source: &str, input: impl Read) -> InputContent {
    let mut collect = Collect {
        events: EventCollector::new(source),
        claims_paid: Decimal::ZERO,
        claims_charged: Decimal::ZERO,
        claims: 0,
        pending_claims: Vec::new(),
        content: InputContent::default(),
    };
    let summary = scan_reader(input, &mut collect);
    let mut content = collect.content;
    content.summary = summary;
    content
}
