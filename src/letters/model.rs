//! What an appeal letter is written from: one claim of one payer, and the
//! open items on its lines, each with the facts its kind of appeal cites.
//!
//! Plain values (text, `Decimal` money, civil dates), so that a letter can
//! be built from a ledger row, a store, or a test by hand; nothing here
//! knows where the facts came from.

use jiff::civil::Date;
use rust_decimal::Decimal;

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostalAddress {
    /// Street lines (N301, N302).
    pub lines: Vec<String>,
    /// City (N401).
    pub city: String,
    /// State or province code (N402).
    pub state: String,
    /// Postal code (N403).
    pub postal_code: String,
}

impl PostalAddress {
    /// The address as printed: street lines, then `City, ST 12345`.
    pub fn printed(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .cloned()
            .collect();
        let state_zip = [self.state.as_str(), self.postal_code.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let last = match (self.city.is_empty(), state_zip.is_empty()) {
            (false, false) => format!("{}, {state_zip}", self.city),
            (false, true) => self.city.clone(),
            (true, _) => state_zip,
        };
        if !last.is_empty() {
            out.push(last);
        }
        out
    }
}

/// The payer a letter is addressed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LetterPayer {
    /// N1*PR name.
    pub name: String,
    /// N1*PR N104 (or TRN03).
    pub id: String,
    /// N1*PR N3/N4, when the remittance gave it.
    pub address: Option<PostalAddress>,
    /// The plan: CLP06 filing indicator or the payer's plan id; picks the
    /// external-review notice (see [`crate::letters::ReviewNotices`]).
    pub plan: String,
    /// The state whose law governs the plan, when known (two letters);
    /// empty: the practice's state from the letterhead is used.
    pub plan_state: String,
}

/// One claim and its open items: the subject of one letter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LetterClaim {
    /// Who the letter goes to.
    pub payer: LetterPayer,
    /// The practice's claim id (CLM01 = CLP01).
    pub claim_id: String,
    /// The payer's claim number (CLP07, ICN).
    pub payer_claim_id: String,
    /// The member id (NM1*QC / IL NM109).
    pub member_id: String,
    /// The member's name, `LAST, FIRST`.
    pub member_name: String,
    /// The patient's name when the patient is not the member (else empty).
    pub patient_name: String,
    /// The rendering provider's name, when known.
    pub rendering_provider: String,
    /// The rendering provider's NPI, when known.
    pub rendering_npi: String,
    /// The billing provider's NPI (N1*PE).
    pub billing_npi: String,
    /// The open items, in the order they are to appear.
    pub items: Vec<LetterItem>,
}

impl LetterClaim {
    /// The first and last dates of service of the items.
    pub fn service_dates(&self) -> Option<(Date, Date)> {
        let dates = self.items.iter().filter_map(|i| i.line.service_date);
        let first = dates.clone().min()?;
        Some((first, dates.max()?))
    }

    /// Σ of the items' amounts at stake.
    pub fn total_at_stake(&self) -> Decimal {
        self.items.iter().map(|i| i.line.at_stake).sum()
    }

    /// The earliest appeal deadline of the items.
    pub fn earliest_deadline(&self) -> Option<Date> {
        self.items.iter().filter_map(|i| i.line.appeal_by).min()
    }
}

/// The service line an item is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineFacts {
    /// Procedure code as billed (SVC06, else SVC01).
    pub procedure: String,
    /// Its modifiers.
    pub modifiers: Vec<String>,
    /// Revenue code (institutional lines), when any.
    pub revenue_code: String,
    /// Date of service.
    pub service_date: Option<Date>,
    /// Units billed.
    pub units: Option<Decimal>,
    /// Charge (SVC02).
    pub billed: Decimal,
    /// Allowed (AMT*B6, or derived), when known.
    pub allowed: Option<Decimal>,
    /// Paid on the remittance the item cites (SVC03).
    pub paid: Decimal,
    /// What an appeal can win back (the ledger's `at_stake`).
    pub at_stake: Decimal,
    /// Last day to appeal.
    pub appeal_by: Option<Date>,
}

/// A payment, or the remittance that says something: date (BPR16), check
/// or EFT trace (TRN02) and an amount.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentRef {
    /// BPR16.
    pub date: Option<Date>,
    /// TRN02.
    pub trace: String,
    /// The amount that remittance paid on the line (or took back).
    pub amount: Decimal,
}

/// One CAS adjustment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdjustmentFact {
    /// CAS01 group (CO, PR, OA, PI).
    pub group: String,
    /// CARC.
    pub reason: String,
    /// Amount.
    pub amount: Decimal,
}

/// What a denial letter asks the payer to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// Reconsider and pay the line.
    Reconsideration,
    /// Process the enclosed corrected claim (missing or invalid
    /// information, an unprocessable claim).
    CorrectedClaim,
    /// Reconsider medical necessity with the enclosed medical records.
    MedicalRecords,
    /// Reconsider a timely-filing denial with the enclosed proof of timely
    /// submission.
    TimelyFilingProof,
}

/// How money was taken back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// A claim reversal (CLP02 = 22).
    Reversal,
    /// A provider-level adjustment (PLB) with its reason code (WO, FB, 72…)
    /// and reference.
    ProviderLevel {
        /// PLB03-1.
        reason: String,
        /// PLB03-2.
        reference: String,
    },
}

/// What kind of item, with the facts its letter cites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A line the payer paid and later re-listed as denied, with no
    /// reversal or recovery taking the money back.
    PreviouslyPaidDenied {
        /// The original payment (date, trace, amount on the line).
        original: PaymentRef,
        /// The later remittance that lists the line as denied.
        relisted: PaymentRef,
        /// The adjustments of the re-listing.
        adjustments: Vec<AdjustmentFact>,
        /// Its remark codes.
        remarks: Vec<String>,
    },
    /// A denied line, or the denied part of a paid one.
    Denial {
        /// The remittance that denied it.
        remittance: PaymentRef,
        /// The adjustments (all of them; the denial reasons are told apart
        /// by their category in the code list).
        adjustments: Vec<AdjustmentFact>,
        /// Remark codes.
        remarks: Vec<String>,
        /// What to ask, when the practice knows better than the codes
        /// (see [`crate::letters::default_ask`]).
        ask: Option<Ask>,
    },
    /// Allowed less than the contract says.
    Underpayment {
        /// The remittance that paid it.
        remittance: PaymentRef,
        /// The contract basis (the contract engine's `expected_basis`).
        basis: String,
        /// The contract's expected allowed amount.
        expected: Decimal,
        /// What the payer allowed.
        allowed: Decimal,
        /// The line's adjustments.
        adjustments: Vec<AdjustmentFact>,
    },
    /// Money taken back.
    Recoupment {
        /// The remittance that took it (date, trace, amount taken back as a
        /// positive number).
        remittance: PaymentRef,
        /// Reversal or provider-level recovery.
        recovery: Recovery,
        /// The payment taken back, when known.
        original: Option<PaymentRef>,
    },
    /// Paid after the prompt-pay deadline without the interest owed.
    LatePayment {
        /// The late payment (date, trace, principal).
        remittance: PaymentRef,
        /// When the payer received the claim.
        received: Date,
        /// Where that date came from (`DTM*050`, `BHT04`).
        received_source: String,
        /// When it was due.
        due: Date,
        /// Days paid after the due date.
        days_late: i64,
        /// The rule, e.g. `nj (30 days, 0.12 a year)`.
        rule: String,
        /// Yearly rate.
        rate: Decimal,
        /// The late amount earning interest.
        principal: Decimal,
        /// Interest owed.
        owed: Decimal,
        /// Interest paid (AMT*I / PLB L6).
        paid: Decimal,
    },
}

impl ItemKind {
    /// The kind's name in templates and file names.
    pub fn as_str(&self) -> &'static str {
        match self {
            ItemKind::PreviouslyPaidDenied { .. } => "previously_paid",
            ItemKind::Denial { .. } => "denial",
            ItemKind::Underpayment { .. } => "underpayment",
            ItemKind::Recoupment { .. } => "recoupment",
            ItemKind::LatePayment { .. } => "late_payment",
        }
    }
}

/// One open item on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterItem {
    /// The line.
    pub line: LineFacts,
    /// What is wrong with it, and the evidence.
    pub kind: ItemKind,
}
