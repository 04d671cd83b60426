//! The typed 837 claim as billed: billing provider, subscriber, patient,
//! claim header and service lines — the same shape for professional (SV1),
//! institutional (SV2) and dental (SV3) claims, 5010 and 4010.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::envelope::TransactionId;
use crate::fields::{Procedure, Reference};
use crate::text::Text;
use crate::x12::Position;

/// Which 837 a transaction is, from GS08/ST03 (and the line segments).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    /// X222 / X098: professional (SV1).
    #[default]
    Professional,
    /// X223 / X096: institutional (SV2).
    Institutional,
    /// X224 / X097: dental (SV3).
    Dental,
}

impl ClaimKind {
    /// The kind named by an implementation guide id such as `005010X223A2`.
    pub fn from_version(version: &str) -> Option<ClaimKind> {
        let guide = version.get(6..10)?;
        match guide {
            "X222" | "X098" | "X291" | "X298" => Some(ClaimKind::Professional),
            "X223" | "X096" | "X292" | "X299" => Some(ClaimKind::Institutional),
            "X224" | "X097" => Some(ClaimKind::Dental),
            _ => None,
        }
    }
}

/// The heading of one 837 transaction (BHT and the 1000A/B loops).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimBatchHeader {
    /// Envelope identity.
    pub id: TransactionId,
    /// BHT02 purpose (`00` original, `18` reissue).
    pub purpose: Text,
    /// BHT03 originator's reference.
    pub reference: Text,
    /// BHT04 creation date: the date the claims were sent.
    pub created: Option<Date>,
    /// BHT06 claim or encounter (`CH`, `RP`, `31`).
    pub claim_type: Text,
    /// 1000A submitter name.
    pub submitter: Text,
    /// 1000B receiver name.
    pub receiver: Text,
}

/// The billing provider of a claim (loop 2010AA).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BillingProvider {
    /// NM103 name.
    pub name: Text,
    /// NM109 when NM108 = `XX`.
    pub npi: Text,
    /// REF*EI (or SY) tax id.
    pub tax_id: Text,
}

/// The subscriber and payer of a claim (loop 2000B).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subscriber {
    /// SBR01 payer responsibility (`P`, `S`, `T`…).
    pub responsibility: Text,
    /// SBR03 group number.
    pub group_number: Text,
    /// SBR09 claim filing indicator.
    pub filing_indicator: Text,
    /// NM1*IL NM109: the member id.
    pub member_id: Text,
    /// NM1*IL last name.
    pub last: Text,
    /// NM1*IL first name.
    pub first: Text,
    /// NM1*PR NM103: payer name.
    pub payer_name: Text,
    /// NM1*PR NM109: payer id.
    pub payer_id: Text,
    /// 2010BA DMG02 birth date (PHI), when given: a 276 asking about the
    /// claim sends it. Absent from stores written before it existed.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// 2010BA DMG03 gender code (`F`, `M`, `U`).
    #[serde(default)]
    pub gender: Text,
}

/// The patient when not the subscriber (loop 2000C, NM1*QC).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Patient {
    /// NM103 last name.
    pub last: Text,
    /// NM104 first name.
    pub first: Text,
    /// NM109 id, if the payer assigned one.
    pub id: Text,
    /// 2010CA DMG02 birth date (PHI): the 276 requires it for a dependent.
    /// Absent from stores written before it existed.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// 2010CA DMG03 gender code.
    #[serde(default)]
    pub gender: Text,
}

/// A DTP date or period of a claim or line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Period {
    /// DTP01 qualifier (`472`, `434`, `431`…).
    pub qualifier: Text,
    /// First day.
    pub from: Date,
    /// Last day (same as `from` for a D8 date).
    pub to: Date,
}

/// One billed service line (loop 2400).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BilledLine {
    /// LX01 line number.
    pub number: Text,
    /// The procedure (SV101, SV202, SV301); empty code for revenue-only SV2.
    pub procedure: Procedure,
    /// SV201 revenue code (institutional).
    pub revenue_code: Text,
    /// Line charge (SV102, SV203, SV302).
    pub charge: Decimal,
    /// Unit basis (`UN`, `MJ`, `DA`).
    pub unit_basis: Text,
    /// Units (SV104, SV205, SV306); 1 when absent.
    pub units: Option<Decimal>,
    /// Place of service (SV105, SV303).
    pub place_of_service: Text,
    /// SV207 non-covered charge (institutional).
    pub non_covered: Option<Decimal>,
    /// DTP*472 first day, else the claim's date of service.
    pub service_date: Option<Date>,
    /// DTP*472 last day.
    pub service_to: Option<Date>,
    /// REF*6R line item control number.
    pub control_number: Text,
    /// Other line REF segments.
    pub references: Vec<Reference>,
    /// Position of the LX segment.
    pub pos: Position,
}

/// One claim as billed (loop 2300 with its 2400 lines).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BilledClaim {
    /// Professional, institutional or dental.
    pub kind: ClaimKind,
    /// Envelope identity of the transaction.
    pub id: TransactionId,
    /// BHT04 creation date of the transaction.
    pub created: Option<Date>,
    /// The billing provider (2010AA).
    pub billing_provider: BillingProvider,
    /// Subscriber and payer (2000B).
    pub subscriber: Subscriber,
    /// Patient when not the subscriber (2000C).
    pub patient: Option<Patient>,
    /// CLM01 patient control number.
    pub claim_id: Text,
    /// CLM02 total claim charge.
    pub charge: Decimal,
    /// CLM05-1 place of service (837P) or facility type (837I).
    pub facility_code: Text,
    /// CLM05-2 facility code qualifier.
    pub facility_qualifier: Text,
    /// CLM05-3 frequency: 1 original, 7 replacement, 8 void.
    pub frequency: Text,
    /// REF*F8: the payer's claim number of the claim replaced or voided.
    pub payer_claim_number: Option<Text>,
    /// Claim DTP dates and periods.
    pub dates: Vec<Period>,
    /// HI diagnosis codes (qualifier:code), in order.
    pub diagnoses: Vec<Text>,
    /// NM1*82 rendering provider NPI (2310B), when given.
    pub rendering_npi: Text,
    /// Claim REF segments other than F8.
    pub references: Vec<Reference>,
    /// Number of other-payer (2320) loops.
    pub other_payers: u32,
    /// The billed lines.
    pub lines: Vec<BilledLine>,
    /// Position of the CLM segment.
    pub pos: Position,
    /// Hash of the 837 transaction the claim came in (set at its SE).
    pub transaction_hash: u64,
    /// The latest adjudication date of another payer the 837 reports
    /// (2330B DTP*573 claim check or remittance date, 2430 DTP*573 line
    /// adjudication date): on a secondary claim, the primary payer's
    /// payment, from which its filing limit counts. Absent from stores
    /// written before it existed.
    #[serde(default)]
    pub other_payer_paid: Option<Date>,
}

impl BilledClaim {
    /// The member id the payer knows: the subscriber's NM1*IL NM109.
    pub fn member_id(&self) -> &str {
        &self.subscriber.member_id
    }

    /// A claim date by DTP qualifier (first day).
    pub fn date(&self, qualifier: &str) -> Option<Date> {
        self.dates
            .iter()
            .find(|d| d.qualifier == qualifier)
            .map(|d| d.from)
    }

    /// True for frequency 7 (replacement) or 8 (void).
    pub fn replaces_another(&self) -> bool {
        self.frequency == "7" || self.frequency == "8"
    }
}
