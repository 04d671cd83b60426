//! What remit keeps of one billed claim to tie acknowledgments to it: the
//! keys a 999 (interchange ids, GS06, ST02), a TA1 (ISA13) and a 277
//! (CLM01, billing NPI, member, batch, line control numbers) can name, and
//! the facts timely filing and aging need (payer, dates of service, charge,
//! submission date).

use compact_str::CompactString;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::acks::FunctionalAck;
use crate::claim::{BilledClaim, ClaimKind};
use crate::envelope::TransactionId;
use crate::text::Text;
use crate::x12::Control;

/// Identifies one 837 transaction set across clearinghouses and practices:
/// the interchange sender and receiver (ISA06/ISA08), the group (GS06) and
/// the set (ST02). Control numbers alone collide between senders.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SetKey {
    /// ISA06 of the 837 (the submitter).
    pub sender: Text,
    /// ISA08 of the 837 (the clearinghouse or payer).
    pub receiver: Text,
    /// GS06 of the 837's group.
    pub group: Text,
    /// ST02 of the 837 set.
    pub control: Text,
}

impl SetKey {
    /// The key of the 837 set a billed claim came in.
    pub fn of_claim_set(id: &TransactionId) -> SetKey {
        SetKey {
            sender: id.sender.clone(),
            receiver: id.receiver.clone(),
            group: id.group.as_str().into(),
            control: id.control.as_str().into(),
        }
    }

    /// The key of the 837 set a 999's AK2 names: the 999 travels the other
    /// way, so its ISA08 is the 837's sender and its ISA06 the receiver.
    pub fn acknowledged_by(ack: &FunctionalAck, control: &Control) -> SetKey {
        SetKey {
            sender: ack.id.receiver.clone(),
            receiver: ack.id.sender.clone(),
            group: ack.group.as_str().into(),
            control: control.as_str().into(),
        }
    }

    /// The same group (sender, receiver, GS06), any set.
    pub fn same_group(&self, other: &SetKey) -> bool {
        self.sender == other.sender && self.receiver == other.receiver && self.group == other.group
    }
}

impl std::fmt::Display for SetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}→{} GS06 {} ST02 {}",
            self.sender, self.receiver, self.group, self.control
        )
    }
}

/// Identifies one submission of one claim: the set it was sent in and its
/// CLM01. A replacement sent later is another submission.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SubmissionKey {
    /// The 837 set.
    pub set: SetKey,
    /// CLM01.
    pub claim_id: Text,
}

/// One billed claim as the acknowledgment side sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SubmittedClaim {
    /// ISA06/ISA08/GS06/ST02 of the 837 set.
    pub set: Option<SetKey>,
    /// ISA13 of the 837 interchange (what a TA1 names).
    pub interchange: Control,
    /// CLM01.
    pub claim_id: Text,
    /// 2010AA billing provider NPI.
    pub billing_npi: Text,
    /// 2010BA subscriber member id (PHI: never printed in findings).
    pub member_id: Text,
    /// 2010BB payer id.
    pub payer_id: Text,
    /// 2010BB payer name.
    pub payer_name: Text,
    /// SBR09 claim filing indicator (`MB` Medicare Part B, `MC` Medicaid,
    /// `CI` commercial…).
    pub filing_indicator: Text,
    /// SBR01 payer responsibility (`P` primary, `S`, `T`…).
    pub responsibility: Text,
    /// CLM05-3 frequency (1 original, 7 replacement, 8 void).
    pub frequency: Text,
    /// True for an 837I, whose timely filing counts from the statement's
    /// last day.
    pub institutional: bool,
    /// CLM02.
    pub charge: Decimal,
    /// First day of service (earliest line date, else the claim's).
    pub service_from: Option<Date>,
    /// Last day of service (latest line date, else the statement's end).
    pub service_to: Option<Date>,
    /// BHT04: the day the 837 was created and sent.
    pub submitted: Option<Date>,
    /// BHT03: the batch number a 277CA echoes in 2200B TRN02.
    pub batch_reference: Text,
    /// REF*6R line item control numbers, in line order (empty when absent).
    pub line_controls: Vec<Text>,
    /// The 837 file it came from.
    pub source: CompactString,
    /// On a secondary claim: when the primary payer paid, as the 837
    /// reports it (2330B/2430 DTP*573); the filing limit counts from it.
    pub primary_paid: Option<Date>,
}

impl SubmittedClaim {
    /// The acknowledgment-side view of a billed claim. `batch_reference` is
    /// the 837's BHT03 (from its `ClaimBatchHeader`), `source` the file.
    pub fn new(claim: &BilledClaim, batch_reference: &str, source: &str) -> SubmittedClaim {
        let line_dates = claim.lines.iter().filter_map(|l| l.service_date);
        let line_ends = claim
            .lines
            .iter()
            .filter_map(|l| l.service_to.or(l.service_date));
        let statement = claim.dates.iter().find(|d| d.qualifier == "434");
        let service_from = line_dates
            .min()
            .or(statement.map(|p| p.from))
            .or(claim.date("472"));
        let service_to = statement.map(|p| p.to).or(line_ends.max()).or(service_from);
        SubmittedClaim {
            set: Some(SetKey::of_claim_set(&claim.id)),
            interchange: claim.id.interchange,
            claim_id: claim.claim_id.clone(),
            billing_npi: claim.billing_provider.npi.clone(),
            member_id: claim.subscriber.member_id.clone(),
            payer_id: claim.subscriber.payer_id.clone(),
            payer_name: claim.subscriber.payer_name.clone(),
            filing_indicator: claim.subscriber.filing_indicator.clone(),
            responsibility: claim.subscriber.responsibility.clone(),
            frequency: claim.frequency.clone(),
            institutional: claim.kind == ClaimKind::Institutional,
            charge: claim.charge,
            service_from,
            service_to,
            submitted: claim.created,
            batch_reference: batch_reference.into(),
            line_controls: claim
                .lines
                .iter()
                .map(|l| l.control_number.clone())
                .collect(),
            source: source.into(),
            primary_paid: claim.other_payer_paid,
        }
    }

    /// The submission's key (a claim read without an envelope has an empty
    /// set key).
    pub fn key(&self) -> SubmissionKey {
        SubmissionKey {
            set: self.set.clone().unwrap_or(SetKey {
                sender: Text::default(),
                receiver: Text::default(),
                group: Text::default(),
                control: Text::default(),
            }),
            claim_id: self.claim_id.clone(),
        }
    }

    /// True when another payer is primary (SBR01 S, T or a later
    /// responsibility): timely filing then counts from the primary's payment.
    pub fn is_secondary(&self) -> bool {
        !matches!(self.responsibility.as_str(), "" | "P")
    }

    /// The payer as a label: its name, else its id.
    pub fn payer(&self) -> &str {
        if self.payer_name.is_empty() {
            &self.payer_id
        } else {
            &self.payer_name
        }
    }
}
