//! The flags of a decided line: what its history reveals (a payment
//! re-listed as denied, a take-back, a duplicate payment…). Each flag has
//! a stable ledger name; a set of them is a bit set, stored as its bits.

use std::fmt;

/// A flag on a decided line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Flag {
    /// Paid before, re-listed as denied with no reversal or recovery.
    PreviouslyPaidReportedDenied = 1,
    /// Money paid on this line was taken back.
    Recouped = 2,
    /// Allowed below the fee schedule.
    Underpaid = 4,
    /// Paid twice without a reversal between.
    DuplicatePayment = 8,
    /// No 837 claim matches the remitted claim.
    NoMatchingClaim = 16,
    /// Denied again with a different reason.
    InconsistentDenial = 32,
    /// Prompt-pay interest owed exceeds interest paid.
    InterestDue = 64,
    /// Uses group code CR, removed from the 5010 835.
    DeprecatedGroupCode = 128,
    /// Paid, but part of the line was denied (denial-category adjustments):
    /// appealable for the denied part.
    PartialDenial = 256,
    /// The line differs between versions of one payment's remittance (same
    /// payer and TRN02): `reason` names the other version and what changed.
    CorrectedRemittance = 512,
    /// Several billed claims fit the remitted claim equally well (or a
    /// replacement may replace one of several claims): nothing was matched
    /// silently; `reason` names the candidates.
    AmbiguousClaimMatch = 1024,
    /// The claim-level row of a claim whose totals contradict its lines
    /// (CLP04 ≠ ΣSVC03 − Σ claim CAS, or CLP03 ≠ ΣSVC02): part of its
    /// amount is a difference no adjustment explains.
    UnexplainedDifference = 2048,
    /// A CARC 29 (timely filing) denial an acknowledgment contradicts: the
    /// claim was received before the filing deadline (proof in `reason`).
    TimelyFilingProven = 4096,
}

impl Flag {
    /// Every flag, in ledger order.
    pub const ALL: [Flag; 13] = [
        Flag::PreviouslyPaidReportedDenied,
        Flag::Recouped,
        Flag::Underpaid,
        Flag::DuplicatePayment,
        Flag::NoMatchingClaim,
        Flag::InconsistentDenial,
        Flag::InterestDue,
        Flag::DeprecatedGroupCode,
        Flag::PartialDenial,
        Flag::CorrectedRemittance,
        Flag::AmbiguousClaimMatch,
        Flag::UnexplainedDifference,
        Flag::TimelyFilingProven,
    ];

    /// The ledger name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::PreviouslyPaidReportedDenied => "PREVIOUSLY_PAID_REPORTED_DENIED",
            Flag::Recouped => "RECOUPED",
            Flag::Underpaid => "UNDERPAID",
            Flag::DuplicatePayment => "DUPLICATE_PAYMENT",
            Flag::NoMatchingClaim => "NO_MATCHING_CLAIM",
            Flag::InconsistentDenial => "INCONSISTENT_DENIAL",
            Flag::InterestDue => "INTEREST_DUE",
            Flag::DeprecatedGroupCode => "DEPRECATED_GROUP_CODE",
            Flag::PartialDenial => "PARTIAL_DENIAL",
            Flag::CorrectedRemittance => "CORRECTED_REMITTANCE",
            Flag::AmbiguousClaimMatch => "AMBIGUOUS_CLAIM_MATCH",
            Flag::UnexplainedDifference => "UNEXPLAINED_DIFFERENCE",
            Flag::TimelyFilingProven => "TIMELY_FILING_PROVEN",
        }
    }

    /// Parses a ledger name.
    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A set of flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(u32);

impl Flags {
    /// Adds a flag.
    pub fn insert(&mut self, flag: Flag) {
        self.0 |= flag as u32;
    }

    /// The flags set in either.
    pub fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// True when `flag` is set.
    pub fn contains(self, flag: Flag) -> bool {
        self.0 & flag as u32 != 0
    }

    /// The flags set, in ledger order.
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// True when no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Parses `A;B` ledger text.
    pub fn parse(s: &str) -> Flags {
        let mut flags = Flags::default();
        s.split(';')
            .filter_map(Flag::parse)
            .for_each(|f| flags.insert(f));
        flags
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, flag) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(flag.as_str())?;
        }
        Ok(())
    }
}

impl serde::Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Flags {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Flags::parse(&String::deserialize(deserializer)?))
    }
}

impl Flags {
    /// The raw bits, for storage.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Flags from stored bits (unknown bits are dropped).
    pub fn from_bits(bits: u32) -> Flags {
        let mut flags = Flags::default();
        Flag::ALL
            .into_iter()
            .filter(|f| bits & *f as u32 != 0)
            .for_each(|f| flags.insert(f));
        flags
    }
}
