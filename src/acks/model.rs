//! The typed acknowledgments: the TA1 interchange acknowledgment, the 999
//! implementation acknowledgment (005010X231A1) and the 277 claim status
//! report in its three uses — 277CA claim acknowledgment (005010X214), 277
//! claim status response (005010X212) and, read with the same shape, the
//! 276 claim status request (005010X212) remit writes.
//!
//! Values are owned copies made at the model boundary, like the 835 and 837
//! models: short identifiers are inline texts, money is `Decimal`, dates are
//! `jiff::civil::Date`. Patient names are not kept (nothing here needs
//! them); member ids are, because they tell claims apart.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::envelope::TransactionId;
use crate::fields::Procedure;
use crate::text::Text;
use crate::x12::{Control, Position};

/// A TA1 interchange acknowledgment: the receiver's verdict on a whole
/// interchange (ISA..IEA), before any functional group is looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InterchangeAck {
    /// ISA06 of the interchange that carries the TA1 (the acknowledger).
    pub sender: Text,
    /// ISA08 of the interchange that carries the TA1 (the original sender).
    pub receiver: Text,
    /// TA101: the ISA13 acknowledged.
    pub interchange: Control,
    /// TA102: the acknowledged interchange's date.
    pub date: Option<Date>,
    /// TA104: A accepted, E accepted with errors, R rejected.
    pub code: Text,
    /// TA105: the interchange note code (`000` = no error).
    pub note: Text,
    /// ISA09 of the interchange that carries the TA1: when it was sent.
    pub sent: Option<Date>,
    /// Position of the TA1 segment.
    pub pos: Position,
}

/// One element error of a 999 (IK4).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ElementError {
    /// IK401-1: position of the element in its segment.
    pub position: Text,
    /// IK401-2: position of the component, when inside a composite.
    pub component: Text,
    /// IK401-3: repetition, when the element repeats.
    pub repetition: Text,
    /// IK402: the data element reference number (e.g. 67, 1035).
    pub reference: Text,
    /// IK403: the element syntax error code.
    pub code: Text,
    /// IK404: a copy of the bad value. May hold PHI (a member id, a name, a
    /// birth date): kept for the user to look at, never put in words.
    pub bad_value: Text,
}

/// One segment error of a 999 (IK3 with its CTX and IK4 loops).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SegmentError {
    /// IK301: the segment id (`NM1`, `SV1`).
    pub segment: Text,
    /// IK302: the segment's position in its transaction set (ST = 1).
    pub position: Text,
    /// IK303: the loop it sits in (`2010BA`).
    pub loop_id: Text,
    /// IK304: the segment syntax error code.
    pub code: Text,
    /// The business unit named by CTX (context name, reference), e.g.
    /// (`CLM01`, `RC25-008`): the claim the error belongs to.
    pub business_unit: Option<(Text, Text)>,
    /// The IK4 element errors.
    pub elements: Vec<ElementError>,
    /// Position of the IK3 segment.
    pub pos: Position,
}

/// A 999's verdict on one transaction set (AK2 … IK5).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SetResponse {
    /// AK201: the acknowledged set's ST01 (`837`).
    pub set_id: Text,
    /// AK202: the acknowledged set's ST02.
    pub control: Control,
    /// AK203: the acknowledged set's ST03.
    pub implementation: Text,
    /// The IK3 segment errors.
    pub errors: Vec<SegmentError>,
    /// IK501: A, E, M, R, W or X.
    pub code: Text,
    /// IK502..IK506: transaction set syntax error codes.
    pub set_errors: Vec<Text>,
    /// Position of the AK2 segment.
    pub pos: Position,
}

/// One 999 transaction: the verdict on one functional group of the
/// acknowledged interchange, set by set.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunctionalAck {
    /// Envelope of the 999 itself (its ISA06 is the acknowledger).
    pub id: TransactionId,
    /// ISA09/GS04 of the 999: the date it was issued.
    pub date: Option<Date>,
    /// AK101: the acknowledged group's functional id (`HC` for an 837).
    pub functional_id: Text,
    /// AK102: the acknowledged group's GS06.
    pub group: Control,
    /// AK103: the acknowledged group's GS08.
    pub version: Text,
    /// One response per AK2 loop.
    pub sets: Vec<SetResponse>,
    /// AK901: A, E, P, R, M, W or X.
    pub code: Text,
    /// AK902: transaction sets included in the acknowledged group.
    pub included: Option<u64>,
    /// AK903: transaction sets received.
    pub received: Option<u64>,
    /// AK904: transaction sets accepted.
    pub accepted: Option<u64>,
    /// AK905..AK909: functional group syntax error codes.
    pub group_errors: Vec<Text>,
    /// Position of the AK1 segment.
    pub pos: Position,
}

impl FunctionalAck {
    /// The response for the set whose ST02 is `control`, if the 999 has an
    /// AK2 loop for it.
    pub fn set(&self, control: &Control) -> Option<&SetResponse> {
        self.sets.iter().find(|s| s.control == *control)
    }
}

/// Which 277 (or 276) a transaction is, from GS08/ST03 and BHT.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum StatusReportKind {
    /// 277CA (005010X214): the payer's or clearinghouse's front-end
    /// acknowledgment of each claim of an 837 batch.
    #[default]
    ClaimAcknowledgment,
    /// 277 (005010X212) answering a 276 claim status request.
    StatusResponse,
    /// 276 (005010X212): a claim status request.
    StatusRequest,
}

impl StatusReportKind {
    /// The kind named by ST01 and the implementation guide.
    pub fn from_ids(set_id: &str, version: &str) -> StatusReportKind {
        if set_id == "276" {
            StatusReportKind::StatusRequest
        } else if version.contains("X212") {
            StatusReportKind::StatusResponse
        } else {
            StatusReportKind::ClaimAcknowledgment
        }
    }

    /// A short label: `277CA`, `277`, `276`.
    pub fn label(self) -> &'static str {
        match self {
            StatusReportKind::ClaimAcknowledgment => "277CA",
            StatusReportKind::StatusResponse => "277",
            StatusReportKind::StatusRequest => "276",
        }
    }
}

/// A party of a status report: its NM1 entity code, qualifier and id.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusParty {
    /// NM101 (`PR` payer, `AY` clearinghouse, `41` receiver, `85`, `1P`).
    pub entity: Text,
    /// NM103 organisation name (empty for people: names are not kept).
    pub name: Text,
    /// NM108 id qualifier (`PI`, `46`, `XX`, `FI`).
    pub id_qualifier: Text,
    /// NM109.
    pub id: Text,
}

/// One status code triple of an STC composite (STC01, STC10 or STC11).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusCode {
    /// -1: the claim status category code (A1, A7, P1…).
    pub category: Text,
    /// -2: the claim status code (20, 562…).
    pub status: Text,
    /// -3: the entity the status is about (85 billing provider, IL…).
    pub entity: Text,
}

/// One STC segment.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusInfo {
    /// STC01, STC10 and STC11, in that order.
    pub codes: Vec<StatusCode>,
    /// STC02: the date the status took effect.
    pub effective: Option<Date>,
    /// STC03: action code (`U` reject, `WQ` accept) in a 277CA.
    pub action: Text,
    /// STC04: total charge the status covers.
    pub charge: Option<Decimal>,
    /// STC05: payment amount (277 responses).
    pub paid: Option<Decimal>,
    /// STC12: free-form message text.
    pub message: Text,
    /// Position of the STC segment.
    pub pos: Position,
}

/// The batch-level status of a 277CA (loop 2200B): the whole 837 batch as
/// the acknowledger saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchStatus {
    /// The 277's envelope.
    pub id: TransactionId,
    /// 2200B TRN02: the claim transaction batch number (the 837's BHT03).
    pub batch_reference: Text,
    /// The information receiver (2100B, NM1*41).
    pub receiver: StatusParty,
    /// The STC segments.
    pub statuses: Vec<StatusInfo>,
    /// QTY*90: claims accepted.
    pub accepted_count: Option<Decimal>,
    /// QTY*AA: claims rejected.
    pub rejected_count: Option<Decimal>,
    /// AMT*YU: amount accepted.
    pub accepted_amount: Option<Decimal>,
    /// AMT*YY: amount rejected.
    pub rejected_amount: Option<Decimal>,
    /// Position of the TRN segment.
    pub pos: Position,
}

/// The status of one service line (loop 2220D/E, or 2210D/E in a 276).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineStatus {
    /// SVC01: the procedure.
    pub procedure: Procedure,
    /// SVC02: line charge.
    pub charge: Option<Decimal>,
    /// SVC03: line payment (277 responses).
    pub paid: Option<Decimal>,
    /// SVC04: revenue code.
    pub revenue_code: Text,
    /// SVC07: units.
    pub units: Option<Decimal>,
    /// The STC segments.
    pub statuses: Vec<StatusInfo>,
    /// REF*FJ: the line item control number (the 837's REF*6R).
    pub control_number: Text,
    /// DTP*472 first day.
    pub service_from: Option<Date>,
    /// DTP*472 last day.
    pub service_to: Option<Date>,
    /// Position of the SVC segment.
    pub pos: Position,
}

/// The status of one claim (loop 2200D/E), or one claim asked about in a
/// 276.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimStatus {
    /// 277CA, 277 or 276.
    pub kind: StatusReportKind,
    /// The report's envelope.
    pub id: TransactionId,
    /// BHT04 of the report.
    pub report_date: Option<Date>,
    /// The information source (2100A): payer or clearinghouse.
    pub source: StatusParty,
    /// The information receiver (2100B).
    pub receiver: StatusParty,
    /// 2200B TRN02 of a 277CA: the 837 batch (BHT03), when given.
    pub batch_reference: Text,
    /// The billing or service provider (2100C, NM1*85 or NM1*1P).
    pub provider: StatusParty,
    /// NM109 of the patient (2100D QC in a 277CA) or subscriber (IL): a
    /// member id; PHI, never printed in findings.
    pub member_id: Text,
    /// True when the claim sits under a dependent level (2000E, HL 23).
    pub dependent: bool,
    /// TRN02: in a 277CA the patient control number (CLM01); in a 277 the
    /// trace of the 276 that asked; in a 276 the trace it sends.
    pub trace: Text,
    /// REF*EJ: patient control number (277/276).
    pub patient_control_number: Text,
    /// REF*1K: the payer's claim control number.
    pub payer_claim_number: Text,
    /// REF*D9: the clearinghouse's claim number.
    pub clearinghouse_number: Text,
    /// REF*BLT: institutional bill type.
    pub bill_type: Text,
    /// AMT*T3 (276): total claim charge asked about.
    pub charge: Option<Decimal>,
    /// DTP*472 first day.
    pub service_from: Option<Date>,
    /// DTP*472 last day.
    pub service_to: Option<Date>,
    /// The STC segments (none in a 276).
    pub statuses: Vec<StatusInfo>,
    /// Line statuses.
    pub lines: Vec<LineStatus>,
    /// Position of the TRN segment.
    pub pos: Position,
}

impl ClaimStatus {
    /// The patient control number (CLM01) this status is about: REF*EJ when
    /// present, else TRN02 (which a 277CA defines as CLM01).
    pub fn claim_id(&self) -> &str {
        if !self.patient_control_number.is_empty() {
            &self.patient_control_number
        } else {
            &self.trace
        }
    }

    /// The billing provider's NPI, when the provider level names one.
    pub fn provider_npi(&self) -> Option<&str> {
        (self.provider.id_qualifier == "XX" && !self.provider.id.is_empty())
            .then_some(self.provider.id.as_str())
    }

    /// The latest STC02 date of the claim's statuses, else the report's
    /// BHT04: the date this status speaks for.
    pub fn status_date(&self) -> Option<Date> {
        self.statuses
            .iter()
            .filter_map(|s| s.effective)
            .max()
            .or(self.report_date)
    }
}
