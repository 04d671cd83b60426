//! Reading one X12 input for reconciliation: every 835 transaction as
//! events with its fingerprint, every 837 claim, and the file's summary.
//! Nothing is returned from a transaction cut short.

use std::cell::RefCell;
use std::io::Read;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::acks::{ClaimStatus, FunctionalAck, InterchangeAck};
use crate::claim::{BilledClaim, ClaimBatchHeader, ClaimPlace, PackedClaim};
use crate::document::{DocumentReader, SegmentSource};
use crate::envelope::TransactionId;
use crate::events::EventCollector;
use crate::lifecycle::{Acknowledgment, BatchReference, SetKey};
use crate::line::{PackedTransaction, RemittanceTransaction, TransactionFingerprint};
use crate::remittance::{ClaimPayment, RemittanceHeader, RemittanceTrailer};
use crate::scan::{Consumer, FileSummary, scan};
use crate::x12::SegmentReader;

use super::reread::{BatchPlaces, Locator, Marks, ReadAt, Relocate, TransactionSpans};

/// What one input holds for reconciliation.
#[derive(Debug, Default)]
pub struct InputContent {
    /// The file's summary and findings.
    pub summary: FileSummary,
    /// Its 835 transactions, when read by [`read_input`].
    pub transactions: Vec<RemittanceTransaction>,
    /// Its 835 transactions, when read by [`read_input_packed`] or
    /// [`read_input_located`].
    pub packed: Vec<PackedTransaction>,
    /// Its 837 claims, when read by [`read_input`].
    pub claims: Vec<BilledClaim>,
    /// Its 837 claims, when read by [`read_input_packed`] or
    /// [`read_input_located`].
    pub packed_claims: Vec<PackedClaim>,
    /// The batch number (BHT03) of each of its 837 sets.
    pub batches: Vec<BatchReference>,
    /// Its acknowledgments (TA1, 999, 277CA and 277 statuses), from whole
    /// transactions only.
    pub acks: Vec<Acknowledgment>,
    /// The hashed keys its decisions may share with other inputs' (see
    /// `pipeline::partition`), when read by [`read_input_packed`]; `None`
    /// otherwise (such an input is never decided apart from the others).
    pub keys: Option<super::partition::Keys>,
}

impl InputContent {
    /// True when the file holds acknowledgments and no 835 or 837: it is
    /// read, not reconciled.
    pub fn is_acknowledgment_only(&self) -> bool {
        let s = &self.summary;
        s.remittances == 0
            && s.claim_batches == 0
            && (s.acknowledgments + s.interchange_acks + s.status_reports) > 0
    }
}

/// One 835 transaction or 837 claim of an input, packed, handed over as
/// soon as it ends (see [`read_input_streamed`]).
#[derive(Debug)]
pub enum ReadItem {
    /// A whole 835 transaction.
    Transaction(PackedTransaction),
    /// A billed claim of a whole 837 transaction.
    Claim(PackedClaim),
}

/// What a transaction or claim is kept as once read.
enum Keep<'m> {
    /// Parsed.
    Parsed,
    /// Packed (see [`read_input_packed`]).
    Packed,
    /// Where it is in `input`, from the spans in `marks` (see
    /// [`read_input_located`]); packed when some span is not known.
    Located {
        input: Arc<dyn ReadAt>,
        marks: &'m RefCell<Marks>,
    },
}

struct Collect<'m, 't> {
    /// When set, packed transactions and claims go here as they end
    /// instead of into `content` (see [`read_input_streamed`]).
    take: Option<&'t mut dyn FnMut(ReadItem)>,
    events: EventCollector,
    claims_paid: Decimal,
    claims_charged: Decimal,
    claims: u64,
    /// Claims of the open 837, with their spans when located.
    pending_claims: Vec<(BilledClaim, Option<Box<[super::reread::Span]>>)>,
    /// Statuses of the 277 being read: kept once its SE is reached.
    pending_acks: Vec<Acknowledgment>,
    keep: Keep<'m>,
    content: InputContent,
}

impl Consumer for Collect<'_, '_> {
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
        let tx = RemittanceTransaction {
            context: Arc::clone(&context),
            events,
            fingerprint,
        };
        if let Some(keys) = &mut self.content.keys {
            keys.transaction(&tx);
        }
        let packed = match &self.keep {
            Keep::Parsed => {
                self.content.transactions.push(tx);
                return;
            }
            Keep::Packed => PackedTransaction::pack(tx),
            Keep::Located { input, marks } => match marks.borrow().transaction() {
                Some(spans) => {
                    let at = TransactionSpans::new(Arc::clone(input), spans, parse_again);
                    PackedTransaction::located(tx, Arc::new(at))
                }
                None => PackedTransaction::pack(tx),
            },
        };
        match &mut self.take {
            Some(take) => take(ReadItem::Transaction(packed)),
            None => self.content.packed.push(packed),
        }
    }
    fn billed_claim(&mut self, claim: BilledClaim) {
        let spans = match &self.keep {
            Keep::Located { marks, .. } => marks.borrow_mut().claim(claim.pos.segment),
            _ => None,
        };
        self.pending_claims.push((claim, spans));
    }
    fn claim_batch_end(&mut self, content_hash: u64) {
        let mut places = match &self.keep {
            Keep::Located { input, marks } => {
                let control = self.pending_claims.first().map(|(c, _)| c.id.control);
                marks.borrow().batch().zip(control).map(|(spans, control)| {
                    BatchPlaces::new(Arc::clone(input), spans, control.as_str(), content_hash)
                })
            }
            _ => None,
        };
        // Every claim placed first: its batch is shared once all of its
        // claims' HL loops are in it.
        let placed: Vec<Option<(usize, ClaimPlace)>> = self
            .pending_claims
            .iter()
            .map(|(_, spans)| places.as_mut()?.place(spans.as_deref()?))
            .collect();
        let batches = places.map(BatchPlaces::finish).unwrap_or_default();
        for ((mut claim, _), place) in self.pending_claims.drain(..).zip(placed) {
            claim.transaction_hash = content_hash;
            if let Some(keys) = &mut self.content.keys {
                keys.claim(&claim);
            }
            let batch = place.and_then(|(batch, place)| Some((batches.get(batch)?, place)));
            let packed = match (&self.keep, batch) {
                (Keep::Parsed, _) => {
                    self.content.claims.push(claim);
                    continue;
                }
                (_, Some((batch, place))) => PackedClaim::located(&claim, Arc::clone(batch), place),
                (_, None) => PackedClaim::pack(&claim),
            };
            match &mut self.take {
                Some(take) => take(ReadItem::Claim(packed)),
                None => self.content.packed_claims.push(packed),
            }
        }
    }
    fn claim_batch(&mut self, header: &ClaimBatchHeader) {
        self.content.batches.push(BatchReference {
            set: SetKey::of_claim_set(&header.id),
            reference: header.reference.clone(),
        });
    }
    fn interchange_ack(&mut self, ack: &InterchangeAck) {
        self.content
            .acks
            .push(Acknowledgment::Interchange(ack.clone()));
    }
    fn functional_ack(&mut self, ack: &FunctionalAck) {
        self.content
            .acks
            .push(Acknowledgment::Functional(ack.clone()));
    }
    fn provider_status(&mut self, status: &ClaimStatus) {
        self.pending_acks
            .push(Acknowledgment::Provider(status.clone()));
    }
    fn claim_status(&mut self, status: &ClaimStatus) {
        self.pending_acks
            .push(Acknowledgment::Claim(status.clone()));
    }
    fn status_report_end(&mut self) {
        // A 276 asks, it does not answer: its claims are not evidence.
        self.pending_acks.retain(|a| a.kind() != "276");
        self.content.acks.append(&mut self.pending_acks);
    }
    fn aborted(&mut self, _id: &TransactionId) {
        self.events.abort();
        self.pending_claims.clear();
        self.pending_acks.clear();
    }
}

/// Reads one input named `source`.
pub fn read_input(source: &str, input: impl Read) -> InputContent {
    read(source, DocumentReader::from_reader(input), Keep::Parsed)
}

/// Reads one input named `source`, its 835 transactions and 837 claims
/// packed as each ends (into [`InputContent::packed`] and
/// [`InputContent::packed_claims`]): a run holds every transaction from
/// reading to deciding and every claim to its end, and parsed they cost
/// several times their packed size (issue 17).
pub fn read_input_packed(source: &str, input: impl Read) -> InputContent {
    read(source, DocumentReader::from_reader(input), Keep::Packed)
}

/// Reads one input named `source`, handing each 835 transaction and 837
/// claim, packed, to `take` as soon as it ends (only whole transactions'):
/// the content returned holds the file's summary, batch numbers and
/// acknowledgments, not its transactions or claims. What is held while
/// reading is one transaction, whatever the size of the file (issue 17:
/// `--db` RSS flat).
pub fn read_input_streamed(
    source: &str,
    input: impl Read,
    take: &mut dyn FnMut(ReadItem),
) -> InputContent {
    read_into(
        source,
        DocumentReader::from_reader(input),
        Keep::Packed,
        Some(take),
    )
}

/// Reads one input named `source` that `again` reads again: of each 835
/// transaction and 837 claim only where it is is kept, with what ingesting
/// and matching ask without reading it (see `pipeline::reread`); those
/// whose place is not known are packed.
pub fn read_input_located(source: &str, input: impl Read, again: Arc<dyn ReadAt>) -> InputContent {
    let marks = RefCell::new(Marks::default());
    let reader = DocumentReader::new(Locator {
        inner: SegmentReader::new(input),
        marks: &marks,
    });
    let keep = Keep::Located {
        input: again,
        marks: &marks,
    };
    read(source, reader, keep)
}

/// The one 835 transaction of the bytes `pipeline::reread` read again,
/// parsed (its [`super::reread::ParseAgain`]).
fn parse_again(
    source: &str,
    reader: DocumentReader<Relocate<'_>>,
) -> Option<RemittanceTransaction> {
    read_transaction_again(source, reader)
}

/// The one 835 transaction a document of bytes read again holds, parsed.
fn read_transaction_again<S: SegmentSource>(
    source: &str,
    reader: DocumentReader<S>,
) -> Option<RemittanceTransaction> {
    let mut content = read(source, reader, Keep::Parsed);
    (content.transactions.len() == 1).then(|| content.transactions.remove(0))
}

fn read<S: SegmentSource>(source: &str, reader: DocumentReader<S>, keep: Keep<'_>) -> InputContent {
    read_into(source, reader, keep, None)
}

fn read_into<S: SegmentSource>(
    source: &str,
    reader: DocumentReader<S>,
    keep: Keep<'_>,
    take: Option<&mut dyn FnMut(ReadItem)>,
) -> InputContent {
    let mut collect = Collect {
        keep,
        take,
        events: EventCollector::new(source),
        claims_paid: Decimal::ZERO,
        claims_charged: Decimal::ZERO,
        claims: 0,
        pending_claims: Vec::new(),
        pending_acks: Vec::new(),
        content: InputContent::default(),
    };
    // Only inputs held packed may be decided apart (`pipeline::partition`):
    // the others' keys are not collected.
    if matches!(collect.keep, Keep::Packed) && collect.take.is_none() {
        collect.content.keys = Some(super::partition::Keys::default());
    }
    let summary = scan(reader, &mut collect);
    let mut content = collect.content;
    content.summary = summary;
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_packed_transaction_of_the_samples_and_the_corpus_unpacks_to_the_same_events() {
        let mut events = 0;
        for path in crate::x12::test_files::bundled() {
            let bytes = std::fs::read(&path).expect("readable");
            let content = read_input("input.835", bytes.as_slice());
            for tx in content.transactions {
                let packed = PackedTransaction::pack(tx.clone());
                assert!(packed.is_packed());
                assert_eq!(packed.order_key(), tx.order_key());
                let back = packed.into_transaction().expect("unpacks");
                assert_eq!(back.events, tx.events, "{}", path.display());
                assert!(
                    back.events
                        .iter()
                        .all(|e| Arc::ptr_eq(&e.context, &tx.context))
                );
                events += tx.events.len();
            }
        }
        assert!(
            events > 1000,
            "only {events} events in the samples and the corpus"
        );
    }
}
