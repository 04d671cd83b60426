//! Deterministic generator of realistic, valid, entirely made-up X12 835
//! remittances (005010X221A1) and the 837 professional claims (005010X222A1)
//! they answer — plus, on request, institutional claims (005010X223A2).
//!
//! It feeds benchmarks (files of any size, streamed in constant memory),
//! integration tests (the same ledger whatever the delimiters) and
//! distributed tests (many files cut from one universe).
//!
//! # What is generated
//! A seeded *claim universe*: claim slot `k` belongs to transaction
//! `k / claims_per_transaction`; transactions cycle through every
//! (payer, payee) pair, and payment dates advance so that `claims` slots span
//! `days` days. Each slot is billed once in the 837 (CLM01 = `PCN` + `k`,
//! billing NPI = payee NPI, REF*6R per line) and paid in the 835 under the
//! [`ScenarioMix`]: lines paid in full, reduced by CO-45 with PR-1/2/3, or
//! denied (CO-197, CO-50, CO-16 + LQ*HE, CO-29, PR-204); recoded lines with
//! SVC06; claim-level CAS; late claims with AMT*I and PLB L6; reversals
//! (CLP02 = 22, every amount negated, same CLP07) followed by a corrected
//! claim in the same 835 and a replacement claim (CLM05-3 = 7, REF*F8) in
//! the 837; net take-backs left in the payment, deferred (PLB WO < 0) or
//! already refunded (PLB 72 < 0); recoveries of earlier claims (PLB WO > 0,
//! reference = their CLP07); forwarded balances (PLB FB); DTM*050; MOA;
//! dependents; optional unmatched and unanswered claims; optionally hospital
//! payees whose outpatient claims have revenue-code lines (SV2, SVC04,
//! `NU:` codes) and whose inpatient stays are paid at claim level with MIA.
//!
//! # Guarantees
//! Same configuration, same bytes. Envelope counts and control numbers are
//! right; money is exact (integer cents, reported as [`Decimal`]) and
//! balances: SVC02 − ΣCAS = SVC03, CLP03 − ΣCAS = CLP04, CLP05 = ΣPR,
//! BPR02 = ΣCLP04 − ΣPLB ≥ 0, PLB L6 = −ΣAMT*I.
//!
//! # Sizes and series
//! [`write_until`] streams a file of a given size in memory bounded by one
//! transaction. Files cut from one universe fit together: give each the same
//! configuration and `first_claim = i * claims`, and reversals and
//! recoveries in file `i` refer to payments in earlier files.
//!
//! ```
//! use remit_synth::{SynthConfig, write_claims, write_remittances};
//!
//! let cfg = SynthConfig::new(42).with_claims(50);
//! let mut era = Vec::new();
//! let paid = write_remittances(&cfg, &mut era).unwrap();
//! let mut claims = Vec::new();
//! let billed = write_claims(&cfg, &mut claims).unwrap();
//! assert!(era.starts_with(b"ISA*00*"));
//! assert_eq!(paid.bytes, era.len() as u64);
//! assert_eq!(billed.claims, 50); // one CLM per slot with the default mix
//! assert!(paid.claims >= 50); // reversals add a CLP
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod adjudicate;
mod billing;
mod clm;
mod clp;
mod config;
mod encode;
mod envelope;
mod parties;
mod rng;
mod tables;
mod universe;
mod write835;
mod write837;

#[cfg(test)]
mod check;
#[cfg(test)]
mod tests;

use std::io::{self, Write};

use rust_decimal::Decimal;

pub use config::{ConfigError, Delimiters, LineBreak, ScenarioMix, SynthConfig};

use envelope::{Stop, TransactionWriter, Written};
use universe::Universe;
use write835::Remittances;
use write837::Claims;

/// What a generator wrote, to compare with a parser's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SynthSummary {
    /// ISA/IEA interchanges.
    pub interchanges: u64,
    /// GS/GE functional groups.
    pub groups: u64,
    /// ST/SE transactions.
    pub transactions: u64,
    /// Claims written: CLP segments in an 835, CLM segments in an 837.
    pub claims: u64,
    /// Service lines: SVC segments in an 835, SV1 segments in an 837.
    pub lines: u64,
    /// Σ CLP03 (signed, so reversals subtract) in an 835; Σ CLM02 in an 837.
    pub billed: Decimal,
    /// Σ BPR02 in an 835; zero in an 837.
    pub paid: Decimal,
    /// 835: claims with no 837 claim. 837: claims with no 835 payment.
    pub unmatched: u64,
    /// Claim slots of the universe covered, starting at `first_claim`.
    pub slots: u64,
    /// Bytes written.
    pub bytes: u64,
}

impl From<Written> for SynthSummary {
    fn from(w: Written) -> Self {
        SynthSummary {
            interchanges: w.interchanges,
            groups: w.groups,
            transactions: w.transactions,
            claims: w.tally.claims,
            lines: w.tally.lines,
            billed: Decimal::new(w.tally.billed, 2),
            paid: Decimal::new(w.tally.paid, 2),
            unmatched: w.tally.unmatched,
            slots: w.slots,
            bytes: w.bytes,
        }
    }
}

fn generate<'a, W: Write, T: TransactionWriter>(
    cfg: &'a SynthConfig,
    make: impl FnOnce(Universe<'a>) -> T,
    stop: Stop,
    out: W,
) -> io::Result<SynthSummary> {
    cfg.validate()?;
    let u = Universe::new(cfg);
    let mut tx = make(u.clone());
    envelope::run(&u, &mut tx, stop, out).map(SynthSummary::from)
}

/// Writes the 835 remittances of claim slots `first_claim .. first_claim + claims`.
///
/// Output goes out one transaction at a time; wrap files in a
/// [`std::io::BufWriter`] or not, as the writes are large.
pub fn write_remittances<W: Write>(cfg: &SynthConfig, out: W) -> io::Result<SynthSummary> {
    generate(cfg, Remittances::new, Stop::Slots(cfg.claims as u64), out)
}

/// Writes the 837 claims that [`write_remittances`] with the same
/// configuration answers (plus unanswered ones, minus unmatched ones):
/// 837P only, unless `mix.institutional` makes some payees hospitals, whose
/// 837I transactions then get functional groups of their own.
pub fn write_claims<W: Write>(cfg: &SynthConfig, out: W) -> io::Result<SynthSummary> {
    generate(cfg, Claims::new, Stop::Slots(cfg.claims as u64), out)
}

/// Writes 835 remittances from `first_claim` on until the file would
/// exceed `target_bytes`; `claims` then only sets the date rate.
///
/// The file ends on a claim boundary, at most `target_bytes` long (unless
/// its first claim alone is larger) and short of it by less than one claim
/// plus one transaction's envelope. Memory stays bounded by one
/// transaction. [`write_claims_matching`] writes the 837 it answers.
pub fn write_until<W: Write>(
    cfg: &SynthConfig,
    out: W,
    target_bytes: u64,
) -> io::Result<SynthSummary> {
    generate(cfg, Remittances::new, Stop::Bytes(target_bytes), out)
}

/// Writes the 837P claims of the claim slots an earlier run covered
/// (`written.slots`, e.g. from [`write_until`]), with the same dates.
pub fn write_claims_matching<W: Write>(
    cfg: &SynthConfig,
    written: &SynthSummary,
    out: W,
) -> io::Result<SynthSummary> {
    generate(cfg, Claims::new, Stop::Slots(written.slots), out)
}

/// Writes 837P claims from `first_claim` on until the file would exceed
/// `target_bytes`, like [`write_until`] does for 835s.
pub fn write_claims_until<W: Write>(
    cfg: &SynthConfig,
    out: W,
    target_bytes: u64,
) -> io::Result<SynthSummary> {
    generate(cfg, Claims::new, Stop::Bytes(target_bytes), out)
}
