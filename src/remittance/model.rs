//! The typed 835 (005010X221A1): payment header, parties, claim payments,
//! service lines, adjustments and provider-level adjustments.
//!
//! Values are owned (copied out of the segment buffer at this boundary):
//! money is `Decimal`, dates are `jiff::civil::Date`, short identifiers are
//! inline `CompactString`s so that a typical claim costs few allocations.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::envelope::TransactionId;
use crate::fields::{Procedure, Reference};
use crate::text::Text;
use crate::x12::Position;

/// A qualified amount (AMT) or quantity (QTY).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Amount {
    /// AMT01 / QTY01 qualifier, e.g. `B6`, `I`, `AU`.
    pub qualifier: Text,
    /// AMT02 / QTY02.
    pub value: Decimal,
}

/// A qualified date (DTM).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QualifiedDate {
    /// DTM01, e.g. `405`, `232`, `472`.
    pub qualifier: Text,
    /// DTM02.
    pub date: Date,
}

/// A contact (PER).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// PER01 function code (`CX`, `BL`, `IC`).
    pub function: Text,
    /// PER02 name.
    pub name: Text,
    /// PER03..PER08 as (qualifier, number) pairs.
    pub numbers: Vec<(Text, Text)>,
}

/// A postal address (N3/N4).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Address {
    /// N301, N302.
    pub lines: Vec<Text>,
    /// N401.
    pub city: Text,
    /// N402.
    pub state: Text,
    /// N403.
    pub postal_code: Text,
    /// N404.
    pub country: Text,
}

/// A party named by N1 (payer or payee) with its address, ids and contacts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    /// N101 entity code (`PR`, `PE`).
    pub entity: Text,
    /// N102 name.
    pub name: Text,
    /// N103 id qualifier (`XX` NPI, `FI` tax id, `XV` plan id…).
    pub id_qualifier: Text,
    /// N104 id.
    pub id: Text,
    /// N3/N4.
    pub address: Option<Address>,
    /// REF segments of the party loop.
    pub references: Vec<Reference>,
    /// PER segments of the party loop.
    pub contacts: Vec<Contact>,
    /// RDM remittance delivery method (payee only), raw elements.
    pub delivery: Vec<Text>,
}

/// One bank account of a BPR (DFI qualifier, DFI id, account qualifier, number).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BankAccount {
    /// DFI id number qualifier (`01` ABA, `04` Canadian).
    pub dfi_qualifier: Text,
    /// DFI identification number.
    pub dfi_id: Text,
    /// Account number qualifier (`DA` demand deposit).
    pub account_qualifier: Text,
    /// Account number.
    pub account: Text,
}

/// BPR: the financial information, all 16 elements.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Payment {
    /// BPR01 transaction handling (`C`, `D`, `H`, `I`, `P`, `U`, `X`).
    pub handling: Text,
    /// BPR02 total actual provider payment.
    pub amount: Decimal,
    /// BPR03 credit/debit flag (`C`, `D`).
    pub credit_debit: Text,
    /// BPR04 payment method (`ACH`, `BOP`, `CHK`, `FWT`, `NON`).
    pub method: Text,
    /// BPR05 payment format (`CCP`, `CTX`).
    pub format: Text,
    /// BPR06..BPR09 originating (payer's) bank account.
    pub payer_account: BankAccount,
    /// BPR10 payer identifier (originating company id).
    pub payer_id: Text,
    /// BPR11 originating company supplemental code.
    pub payer_supplemental: Text,
    /// BPR12..BPR15 receiving (payee's) bank account.
    pub payee_account: BankAccount,
    /// BPR16 check issue or EFT effective date: the date paid.
    pub date: Option<Date>,
}

/// TRN: the reassociation trace that ties the 835 to its EFT or check.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trace {
    /// TRN01 trace type (`1`).
    pub kind: Text,
    /// TRN02 check or EFT trace number.
    pub number: Text,
    /// TRN03 payer identifier (`1` + tax id).
    pub originator: Text,
    /// TRN04 originating company supplemental code.
    pub supplemental: Text,
}

/// The heading of one 835 transaction: everything before the first LX/CLP.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RemittanceHeader {
    /// Envelope identity (ISA13, GS06, ST02, GS08…).
    pub id: TransactionId,
    /// BPR.
    pub payment: Payment,
    /// TRN.
    pub trace: Trace,
    /// CUR01 entity and CUR02 currency code, when present.
    pub currency: Option<(Text, Text)>,
    /// REF segments of the header (EV receiver id, F2 version).
    pub references: Vec<Reference>,
    /// DTM*405 production date.
    pub production_date: Option<Date>,
    /// Other header DTMs.
    pub dates: Vec<QualifiedDate>,
    /// Loop 1000A: the payer (N1*PR).
    pub payer: Party,
    /// Loop 1000B: the payee (N1*PE).
    pub payee: Party,
}

impl RemittanceHeader {
    /// The payee's NPI when N1*PE is qualified `XX`.
    pub fn payee_npi(&self) -> Option<&str> {
        (self.payee.id_qualifier == "XX").then_some(self.payee.id.as_str())
    }
}

/// One CAS adjustment triple: group, reason, amount, quantity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Adjustment {
    /// CAS01 claim adjustment group code (`CO`, `PR`, `OA`, `PI`; `CR` old).
    pub group: Text,
    /// CARC.
    pub reason: Text,
    /// Amount; positive reduces the payment.
    pub amount: Decimal,
    /// Units adjusted, when given.
    pub quantity: Option<Decimal>,
}

/// A remark code (LQ) on a service line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Remark {
    /// LQ01: `HE` (RARC) or `RX` (NCPDP reject code).
    pub qualifier: Text,
    /// LQ02.
    pub code: Text,
}

/// A person or organisation named in a claim (NM1).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Name {
    /// NM101 entity code (`QC`, `IL`, `74`, `82`, `TT`, `PR`, `GB`).
    pub entity: Text,
    /// NM102 `1` person, `2` organisation.
    pub kind: Text,
    /// NM103 last name or organisation name.
    pub last: Text,
    /// NM104 first name.
    pub first: Text,
    /// NM105 middle name.
    pub middle: Text,
    /// NM107 suffix.
    pub suffix: Text,
    /// NM108 id qualifier (`MI`, `XX`, `PI`…).
    pub id_qualifier: Text,
    /// NM109 id.
    pub id: Text,
}

/// MOA: outpatient adjudication information.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutpatientAdjudication {
    /// MOA01 reimbursement rate.
    pub reimbursement_rate: Option<Decimal>,
    /// MOA02 HCPCS payable amount.
    pub hcpcs_payable: Option<Decimal>,
    /// MOA03..MOA07 remark codes.
    pub remarks: Vec<Text>,
    /// MOA08 ESRD payment amount.
    pub esrd_amount: Option<Decimal>,
    /// MOA09 non-payable professional component.
    pub professional_component: Option<Decimal>,
}

/// MIA: inpatient adjudication information (24 elements, kept as given).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InpatientAdjudication {
    /// MIA01 covered days or visits.
    pub covered_days: Option<Decimal>,
    /// MIA05, MIA20..MIA24 remark codes.
    pub remarks: Vec<Text>,
    /// All 24 elements as text, for anything not modelled.
    pub elements: Vec<Text>,
}

/// One service line (loop 2110).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceLine {
    /// SVC01 adjudicated procedure.
    pub procedure: Procedure,
    /// SVC02 line charge.
    pub charge: Decimal,
    /// SVC03 line paid.
    pub paid: Decimal,
    /// SVC04 revenue code.
    pub revenue_code: Text,
    /// SVC05 units paid (1 when absent, per TR3).
    pub units: Option<Decimal>,
    /// SVC06 submitted procedure, when the payer changed it.
    pub original_procedure: Option<Procedure>,
    /// SVC07 original units submitted.
    pub original_units: Option<Decimal>,
    /// DTM*472 service date.
    pub service_date: Option<Date>,
    /// DTM*150 service period start.
    pub service_from: Option<Date>,
    /// DTM*151 service period end.
    pub service_to: Option<Date>,
    /// CAS adjustments of the line.
    pub adjustments: Vec<Adjustment>,
    /// REF segments (6R line control number, LU location, 0K policy…).
    pub references: Vec<Reference>,
    /// AMT segments (B6 allowed, KH deduction).
    pub amounts: Vec<Amount>,
    /// QTY segments.
    pub quantities: Vec<Amount>,
    /// LQ remark codes.
    pub remarks: Vec<Remark>,
    /// Position of the SVC segment.
    pub pos: Position,
}

impl ServiceLine {
    /// The date of service: DTM*472, else the period start (DTM*150).
    pub fn date(&self) -> Option<Date> {
        self.service_date.or(self.service_from)
    }

    /// The billed procedure: SVC06 when the payer changed it, else SVC01.
    pub fn billed_procedure(&self) -> &Procedure {
        self.original_procedure.as_ref().unwrap_or(&self.procedure)
    }

    /// The line item control number echoed from the 837 (REF*6R).
    pub fn control_number(&self) -> Option<&str> {
        find_ref(&self.references, "6R")
    }

    /// AMT*B6, the allowed amount.
    pub fn allowed(&self) -> Option<Decimal> {
        find_amount(&self.amounts, "B6")
    }

    /// Σ CAS amounts of the line.
    pub fn adjustment_total(&self) -> Decimal {
        self.adjustments.iter().map(|a| a.amount).sum()
    }
}

/// One claim payment (loop 2100 with its 2110 lines).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimPayment {
    /// LX01 of the header-number loop (2000) this claim belongs to.
    pub header_number: Text,
    /// CLP01 patient control number (the 837 CLM01).
    pub claim_id: Text,
    /// CLP02 claim status code.
    pub status: Text,
    /// CLP03 total claim charge.
    pub charge: Decimal,
    /// CLP04 claim payment amount.
    pub paid: Decimal,
    /// CLP05 patient responsibility.
    pub patient_responsibility: Option<Decimal>,
    /// CLP06 claim filing indicator.
    pub filing_indicator: Text,
    /// CLP07 payer claim control number (ICN).
    pub payer_claim_id: Text,
    /// CLP08 facility type or place of service.
    pub facility_code: Text,
    /// CLP09 claim frequency code.
    pub frequency: Text,
    /// CLP11 DRG code.
    pub drg: Text,
    /// CLP12 DRG weight.
    pub drg_weight: Option<Decimal>,
    /// CLP13 discharge fraction.
    pub discharge_fraction: Option<Decimal>,
    /// CLP10, CLP14 (not used in 005010X221A1) when a payer sends them.
    pub unused_elements: Vec<Text>,
    /// Claim-level CAS adjustments.
    pub adjustments: Vec<Adjustment>,
    /// NM1 segments of the claim: QC patient, IL insured, 74 corrected
    /// patient, 82 rendering, TT crossover carrier, PR corrected payer, GB.
    pub names: Vec<Name>,
    /// MIA.
    pub inpatient: Option<InpatientAdjudication>,
    /// MOA.
    pub outpatient: Option<OutpatientAdjudication>,
    /// Claim REF segments.
    pub references: Vec<Reference>,
    /// Claim DTM segments (232, 233, 050, 036, 009…).
    pub dates: Vec<QualifiedDate>,
    /// PER claim contact.
    pub contacts: Vec<Contact>,
    /// AMT segments (AU, D8, F5, I, NL, T, T2…).
    pub amounts: Vec<Amount>,
    /// QTY segments.
    pub quantities: Vec<Amount>,
    /// Service lines.
    pub lines: Vec<ServiceLine>,
    /// Position of the CLP segment.
    pub pos: Position,
}

impl ClaimPayment {
    /// The NM1 with entity code `entity`.
    pub fn name(&self, entity: &str) -> Option<&Name> {
        self.names.iter().find(|n| n.entity == entity)
    }

    /// The member id: NM1*QC NM109, else NM1*IL NM109.
    pub fn member_id(&self) -> Option<&str> {
        let id = |e| {
            self.name(e)
                .map(|n| n.id.as_str())
                .filter(|s| !s.is_empty())
        };
        id("QC").or_else(|| id("IL"))
    }

    /// The class of contract code (REF*CE): the payer's plan or product
    /// the claim was paid under, when the payer sends it.
    pub fn contract_class(&self) -> Option<&str> {
        find_ref(&self.references, "CE").filter(|v| !v.trim().is_empty())
    }

    /// A date of the claim by DTM qualifier.
    pub fn date(&self, qualifier: &str) -> Option<Date> {
        self.dates
            .iter()
            .find(|d| d.qualifier == qualifier)
            .map(|d| d.date)
    }

    /// An amount of the claim by AMT qualifier.
    pub fn amount(&self, qualifier: &str) -> Option<Decimal> {
        find_amount(&self.amounts, qualifier)
    }

    /// True for CLP02 = 22, a reversal of a previous payment.
    pub fn is_reversal(&self) -> bool {
        self.status == "22"
    }

    /// Σ claim-level CAS amounts.
    pub fn adjustment_total(&self) -> Decimal {
        self.adjustments.iter().map(|a| a.amount).sum()
    }
}

/// One PLB amount: a provider-level adjustment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProviderAdjustment {
    /// PLB01 provider identifier.
    pub provider_id: Text,
    /// PLB02 fiscal period date.
    pub fiscal_period: Option<Date>,
    /// Adjustment reason code (`WO`, `L6`, `FB`, `72`, `CS`…).
    pub reason: Text,
    /// Reference identification (component 2), e.g. a CLP07 or CLP01.
    pub reference: Text,
    /// Amount; positive decreases the payment, negative increases it.
    pub amount: Decimal,
    /// Position of the PLB segment.
    pub pos: Position,
}

/// TS3/TS2 provider summary of a header-number loop (LX).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeaderNumber {
    /// LX01.
    pub number: Text,
    /// TS3 elements, as given.
    pub provider_summary: Vec<Text>,
    /// TS2 elements, as given.
    pub supplemental_summary: Vec<Text>,
}

/// Totals of one transaction, kept while streaming.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemittanceTotals {
    /// Number of CLP segments.
    pub claims: u64,
    /// Number of SVC segments.
    pub lines: u64,
    /// Σ CLP03.
    pub charge: Decimal,
    /// Σ CLP04.
    pub paid: Decimal,
    /// Σ PLB amounts.
    pub provider_adjustments: Decimal,
}

/// The end of one 835 transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemittanceTrailer {
    /// PLB amounts, one per reason/amount pair.
    pub provider_adjustments: Vec<ProviderAdjustment>,
    /// LX header-number loops with their TS3/TS2 summaries.
    pub header_numbers: Vec<HeaderNumber>,
    /// Running totals.
    pub totals: RemittanceTotals,
    /// BPR02 as stated in the header (repeated here for balancing).
    pub stated_payment: Decimal,
    /// Hash of the transaction's body segments, to recognise a copy.
    pub content_hash: u64,
    /// Position of the SE segment.
    pub pos: Position,
}

fn find_ref<'a>(refs: &'a [Reference], qualifier: &str) -> Option<&'a str> {
    refs.iter()
        .find(|r| r.qualifier == qualifier)
        .map(|r| r.value.as_str())
}

fn find_amount(amounts: &[Amount], qualifier: &str) -> Option<Decimal> {
    amounts
        .iter()
        .find(|a| a.qualifier == qualifier)
        .map(|a| a.value)
}
