//! What to generate: sizes, layout, delimiters, dates and the scenario mix.
//!
//! This module only describes and validates a request; it knows nothing of
//! how segments are written.

use jiff::civil::Date;

/// The four delimiters of an interchange, as ISA declares them. The
/// generator's own, not the parser's: it shares no code with the reader it
/// feeds, so a mistake in one is not mirrored in the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Delimiters {
    /// Separates elements (ISA byte 3).
    pub element: u8,
    /// Separates components of a composite element (ISA16).
    pub component: u8,
    /// Separates repetitions (ISA11); the generator requires one.
    pub repetition: Option<u8>,
    /// Ends a segment (the byte after ISA16).
    pub segment: u8,
}

impl Default for Delimiters {
    /// `*`, `:`, `^`, `~`.
    fn default() -> Self {
        Delimiters {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        }
    }
}

/// What follows each segment terminator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LineBreak {
    /// Segments follow each other on one line.
    #[default]
    None,
    /// A line feed after each segment terminator.
    Lf,
    /// A carriage return and line feed after each segment terminator.
    CrLf,
}

impl LineBreak {
    /// The bytes written after each segment terminator.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineBreak::None => b"",
            LineBreak::Lf => b"\n",
            LineBreak::CrLf => b"\r\n",
        }
    }
}

/// How often each business scenario occurs.
///
/// Line outcomes are relative weights; everything else is a percentage
/// (0 to 100) of lines, claims or transactions as named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScenarioMix {
    /// Weight of lines paid at the billed charge, with no adjustment.
    pub paid_in_full: u32,
    /// Weight of lines reduced by CO-45 and patient responsibility (PR-1/2/3).
    pub partially_paid: u32,
    /// Weight of denied lines (CO-197, CO-50, CO-16 with LQ*HE, CO-29, PR-204).
    pub denied: u32,
    /// Percent of paid lines the payer recodes (SVC06 carries the billed code).
    pub recoded: u8,
    /// Percent of 835 lines that echo the 837 REF*6R line control number.
    pub line_control_echoed: u8,
    /// Percent of claim slots paid, then reversed (CLP02 = 22) and corrected
    /// in a later 835 to the same payee; the 837 then holds a replacement
    /// claim (CLM05-3 = 7, REF*F8 = the original ICN).
    pub reversal: u8,
    /// Percent of claim slots with an 835 payment but no 837 claim.
    pub unmatched: u8,
    /// Percent of claim slots with an 837 claim but no 835 payment yet.
    pub unanswered: u8,
    /// Percent of paid claims with a claim-level CAS (PR-1 or CO-253).
    pub claim_adjustment: u8,
    /// Percent of claims received late enough to earn prompt-pay interest
    /// (AMT*I on the claim, PLB L6 in the transaction).
    pub late: u8,
    /// Percent of other claims that carry DTM*050 (late ones always do).
    pub received_date: u8,
    /// Percent of claims with an MOA remark.
    pub remark: u8,
    /// Percent of claims whose patient is a dependent (837 HL 23).
    pub dependent: u8,
    /// Percent of reversals with a net take-back that the payer defers with
    /// a negative PLB WO instead of netting it in the same payment.
    pub deferred_recovery: u8,
    /// Percent of reversals with a net take-back the provider already
    /// refunded (negative PLB 72).
    pub provider_refund: u8,
    /// Percent of transactions recovering an earlier overpayment with a
    /// positive PLB WO whose reference is an earlier claim's CLP07.
    pub overpayment_recovery: u8,
    /// Percent of payees that are hospitals billing institutional claims
    /// (837I 005010X223A2, in their own functional groups): outpatient
    /// claims with revenue-code lines, and inpatient stays paid at claim
    /// level with MIA.
    pub institutional: u8,
    /// Percent of transactions applying a balance forwarded from an earlier
    /// remittance (positive PLB FB). Negative FB is written whenever a
    /// payment would otherwise be negative.
    pub forwarded_balance: u8,
}

impl Default for ScenarioMix {
    fn default() -> Self {
        ScenarioMix {
            paid_in_full: 30,
            partially_paid: 55,
            denied: 15,
            recoded: 5,
            line_control_echoed: 90,
            reversal: 5,
            unmatched: 0,
            unanswered: 0,
            claim_adjustment: 10,
            late: 5,
            received_date: 90,
            remark: 10,
            dependent: 20,
            deferred_recovery: 30,
            provider_refund: 20,
            overpayment_recovery: 10,
            institutional: 0,
            forwarded_balance: 5,
        }
    }
}

impl ScenarioMix {
    /// Every line paid in full: no adjustments, reversals or PLBs.
    pub fn clean() -> Self {
        ScenarioMix {
            paid_in_full: 1,
            partially_paid: 0,
            denied: 0,
            recoded: 0,
            reversal: 0,
            claim_adjustment: 0,
            late: 0,
            remark: 0,
            overpayment_recovery: 0,
            forwarded_balance: 0,
            ..ScenarioMix::default()
        }
    }

    fn percentages(&self) -> [(&'static str, u8); 15] {
        [
            ("recoded", self.recoded),
            ("line_control_echoed", self.line_control_echoed),
            ("reversal", self.reversal),
            ("unmatched", self.unmatched),
            ("unanswered", self.unanswered),
            ("claim_adjustment", self.claim_adjustment),
            ("late", self.late),
            ("received_date", self.received_date),
            ("remark", self.remark),
            ("dependent", self.dependent),
            ("deferred_recovery", self.deferred_recovery),
            ("provider_refund", self.provider_refund),
            ("overpayment_recovery", self.overpayment_recovery),
            ("institutional", self.institutional),
            ("forwarded_balance", self.forwarded_balance),
        ]
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some((name, _)) = self.percentages().into_iter().find(|(_, p)| *p > 100) {
            return Err(ConfigError::Percentage(name));
        }
        let slots =
            u16::from(self.reversal) + u16::from(self.unmatched) + u16::from(self.unanswered);
        if slots > 100 {
            return Err(ConfigError::Percentage("reversal + unmatched + unanswered"));
        }
        if u16::from(self.deferred_recovery) + u16::from(self.provider_refund) > 100 {
            return Err(ConfigError::Percentage(
                "deferred_recovery + provider_refund",
            ));
        }
        let weights = [self.paid_in_full, self.partially_paid, self.denied];
        if weights.iter().map(|w| u64::from(*w)).sum::<u64>() == 0 {
            return Err(ConfigError::NoLineOutcome);
        }
        Ok(())
    }
}

/// A request for synthetic 835 and 837 files.
///
/// The same configuration always yields byte-identical files. Claims are
/// numbered from [`first_claim`](Self::first_claim); claim `k` belongs to
/// transaction `k / claims_per_transaction`, and transactions cycle through
/// every (payer, payee) pair, so several files cut from one universe (see
/// [`with_first_claim`](Self::with_first_claim)) fit together.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SynthConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of payers (N1*PR in the 835, NM1*PR in the 837).
    pub payers: usize,
    /// Number of payees, who are also the 837 billing providers.
    pub payees: usize,
    /// Number of members (subscribers); member `m` is insured by payer
    /// `m % payers`. Must be at least `payers`.
    pub members: usize,
    /// Number of claim slots written by [`write_remittances`](super::write_remittances)
    /// and [`write_claims`](super::write_claims). It also sets the date rate:
    /// `claims` slots span `days` days of payments.
    pub claims: usize,
    /// Index of the first claim slot, a multiple of `claims_per_transaction`.
    pub first_claim: u64,
    /// Most service lines on one claim (1 to 50).
    pub max_lines_per_claim: usize,
    /// Claim slots per transaction (ST/SE); the last one may be shorter.
    pub claims_per_transaction: usize,
    /// Transactions per functional group (GS/GE).
    pub transactions_per_group: usize,
    /// Functional groups per interchange (ISA/IEA).
    pub groups_per_interchange: usize,
    /// Delimiters of every interchange; a repetition separator is required.
    pub delimiters: Delimiters,
    /// What follows each segment terminator.
    pub line_break: LineBreak,
    /// Payment date of the first transaction.
    pub start_date: Date,
    /// Days of payments spanned by `claims` claim slots.
    pub days: u32,
    /// How often each scenario occurs.
    pub mix: ScenarioMix,
    /// Which practice the files are for, 0 to [`MAX_PRACTICE`]: a
    /// clearinghouse's folder holds files of many practices, which share
    /// payers but not payees, claims or payments. Practice `p` has payees
    /// `p × payees ..` (other names, NPIs and tax ids), and its claim
    /// numbers (CLM01 = CLP01, REF*6R), payer claim numbers (CLP07) and
    /// trace numbers (TRN02) are those of practice 0 plus
    /// `p ×` [`PRACTICE_IDS`]; dates and every random choice are the same.
    /// Practice 0 is the files as they always were.
    pub practice: u32,
}

/// How far apart the claim, payer claim and trace numbers of two
/// practices are (see [`SynthConfig::practice`]): more than any file
/// written here holds, and within the widths they are written with (CLM01's
/// nine digits up to practice 9, CLP07's and TRN02's ten up to 99).
pub const PRACTICE_IDS: u64 = 100_000_000;

/// The highest [`SynthConfig::practice`].
pub const MAX_PRACTICE: u32 = 99;

impl Default for SynthConfig {
    /// A small universe: 3 payers, 4 payees, 200 members, 200 claims.
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            payers: 3,
            payees: 4,
            members: 200,
            claims: 200,
            first_claim: 0,
            max_lines_per_claim: 6,
            claims_per_transaction: 10,
            transactions_per_group: 5,
            groups_per_interchange: 2,
            delimiters: Delimiters::default(),
            line_break: LineBreak::None,
            start_date: jiff::civil::date(2024, 1, 2),
            days: 90,
            mix: ScenarioMix::default(),
            practice: 0,
        }
    }
}

impl SynthConfig {
    /// The default configuration with another seed.
    pub fn new(seed: u64) -> Self {
        SynthConfig {
            seed,
            ..SynthConfig::default()
        }
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the numbers of payers, payees and members.
    pub fn with_parties(mut self, payers: usize, payees: usize, members: usize) -> Self {
        (self.payers, self.payees, self.members) = (payers, payees, members);
        self
    }

    /// Sets the number of claim slots.
    pub fn with_claims(mut self, claims: usize) -> Self {
        self.claims = claims;
        self
    }

    /// Starts at claim slot `first_claim` (a multiple of `claims_per_transaction`),
    /// so file `i` of a series can hold slots `i * claims ..`.
    pub fn with_first_claim(mut self, first_claim: u64) -> Self {
        self.first_claim = first_claim;
        self
    }

    /// Sets the most lines per claim.
    pub fn with_max_lines_per_claim(mut self, lines: usize) -> Self {
        self.max_lines_per_claim = lines;
        self
    }

    /// Sets how claims, transactions and groups nest.
    pub fn with_layout(
        mut self,
        claims_per_transaction: usize,
        per_group: usize,
        per_interchange: usize,
    ) -> Self {
        self.claims_per_transaction = claims_per_transaction;
        self.transactions_per_group = per_group;
        self.groups_per_interchange = per_interchange;
        self
    }

    /// Sets the delimiters (the repetition separator must be `Some`).
    pub fn with_delimiters(mut self, delimiters: Delimiters) -> Self {
        self.delimiters = delimiters;
        self
    }

    /// Sets what follows each segment terminator.
    pub fn with_line_break(mut self, line_break: LineBreak) -> Self {
        self.line_break = line_break;
        self
    }

    /// Sets the first payment date and the days spanned by `claims` slots.
    pub fn with_dates(mut self, start_date: Date, days: u32) -> Self {
        (self.start_date, self.days) = (start_date, days);
        self
    }

    /// Writes the files of practice `practice` (see [`SynthConfig::practice`]).
    pub fn with_practice(mut self, practice: u32) -> Self {
        self.practice = practice;
        self
    }

    /// The first payee of this practice.
    pub(crate) fn first_payee(&self) -> u64 {
        u64::from(self.practice) * self.payees as u64
    }

    /// What this practice adds to claim, payer claim and trace numbers.
    pub(crate) fn id_base(&self) -> u64 {
        u64::from(self.practice) * PRACTICE_IDS
    }

    /// Sets the scenario mix.
    pub fn with_mix(mut self, mix: ScenarioMix) -> Self {
        self.mix = mix;
        self
    }

    /// Checks that the request can be written as valid X12.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let counts = [
            ("payers", self.payers),
            ("payees", self.payees),
            ("claims_per_transaction", self.claims_per_transaction),
            ("transactions_per_group", self.transactions_per_group),
            ("groups_per_interchange", self.groups_per_interchange),
            ("days", self.days as usize),
        ];
        if let Some((name, _)) = counts.into_iter().find(|(_, n)| *n == 0) {
            return Err(ConfigError::Zero(name));
        }
        if self.members < self.payers {
            return Err(ConfigError::TooFewMembers);
        }
        if !(1..=50).contains(&self.max_lines_per_claim) {
            return Err(ConfigError::Lines(self.max_lines_per_claim));
        }
        let last_payee = (self.first_payee() + self.payees as u64).saturating_sub(1);
        if self.practice > MAX_PRACTICE || u32::try_from(last_payee).is_err() {
            return Err(ConfigError::Practice(self.practice));
        }
        if self.first_claim % self.claims_per_transaction as u64 != 0 {
            return Err(ConfigError::UnalignedFirstClaim);
        }
        validate_delimiters(&self.delimiters, self.line_break)?;
        self.mix.validate()
    }
}

fn validate_delimiters(d: &Delimiters, line_break: LineBreak) -> Result<(), ConfigError> {
    let Some(repetition) = d.repetition else {
        return Err(ConfigError::Delimiters(
            "a repetition separator is required",
        ));
    };
    let all = [d.element, d.component, repetition, d.segment];
    let distinct = (0..4).all(|i| (i + 1..4).all(|j| all[i] != all[j]));
    if !distinct {
        return Err(ConfigError::Delimiters("the four delimiters must differ"));
    }
    // Data uses letters, digits, blanks, '.', '-' and ','.
    let in_data = |b: u8| b.is_ascii_alphanumeric() || b" .-,".contains(&b);
    if all.iter().any(|b| in_data(*b) || !b.is_ascii()) {
        return Err(ConfigError::Delimiters("a delimiter occurs in the data"));
    }
    if all[..3].iter().any(|b| b"\r\n".contains(b)) {
        return Err(ConfigError::Delimiters(
            "only the segment terminator may be CR or LF",
        ));
    }
    if b"\r\n".contains(&d.segment) && line_break != LineBreak::None {
        return Err(ConfigError::Delimiters(
            "a CR or LF terminator needs LineBreak::None",
        ));
    }
    Ok(())
}

/// Why a [`SynthConfig`] cannot be generated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A count that must be positive is zero.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// Some payer would have no member.
    #[error("members must be at least payers")]
    TooFewMembers,
    /// `max_lines_per_claim` is outside 1..=50.
    #[error("max_lines_per_claim is {0}; the 837P allows 1 to 50")]
    Lines(usize),
    /// `first_claim` is not a multiple of `claims_per_transaction`.
    #[error("first_claim must be a multiple of claims_per_transaction")]
    UnalignedFirstClaim,
    /// `practice` is over [`MAX_PRACTICE`], or its payees' numbers overflow.
    #[error("practice is {0}; it must be at most 99 (with payees numbered within 32 bits)")]
    Practice(u32),
    /// The delimiters cannot be used.
    #[error("delimiters: {0}")]
    Delimiters(&'static str),
    /// A percentage (or a sum of them) exceeds 100.
    #[error("{0} exceeds 100 percent")]
    Percentage(&'static str),
    /// All line outcome weights are zero.
    #[error("at least one line outcome weight must be positive")]
    NoLineOutcome,
}

impl From<ConfigError> for std::io::Error {
    fn from(e: ConfigError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
    }
}
