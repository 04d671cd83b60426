//! The claim universe: which payer pays which payee when, and what each
//! claim slot becomes (what the provider billed is in `billing`).
//!
//! Everything is a pure function of the configuration and an index, so the
//! 835 and 837 writers walk the same universe independently, and any earlier
//! claim can be re-created when a later one refers to it.

use std::cell::Cell;

use jiff::SignedDuration;
use jiff::civil::Date;

use super::config::SynthConfig;
use super::parties::{Icn, is_facility};
use super::rng::{Rng, Stream};

/// One transaction: a payment from one payer to one payee.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Global transaction index.
    pub(crate) t: u64,
    pub(crate) payer: u32,
    pub(crate) payee: u32,
    /// Payment date (BPR16).
    pub(crate) pay: Date,
    /// First claim slot.
    pub(crate) first: u64,
    /// One past the last claim slot (before any stop).
    pub(crate) end: u64,
    /// Whether the payee is a facility billing institutional claims.
    pub(crate) facility: bool,
    /// The payment's trace number (TRN02 after the payer's two digits).
    pub(crate) trace: u64,
}

/// What a claim slot becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SlotKind {
    /// Billed in the 837 and paid in the 835.
    Normal,
    /// The claim of slot `original`, paid one payment cycle earlier, is
    /// reversed and corrected here after a replacement claim.
    Reversal { original: u64 },
    /// Paid in the 835, absent from the 837.
    Unmatched,
    /// Billed in the 837, not paid yet.
    Unanswered,
}

/// Adds `days` (possibly negative) to a date, saturating at the calendar ends.
pub(crate) fn add_days(d: Date, days: i64) -> Date {
    d.saturating_add(SignedDuration::from_hours(days * 24))
}

/// The claim universe of one configuration.
#[derive(Clone, Debug)]
pub(crate) struct Universe<'a> {
    pub(crate) cfg: &'a SynthConfig,
    per_tx: u64,
    pairs: u64,
    /// The last (transaction, payment date) computed: most lookups repeat it.
    last_pay: Cell<(u64, Date)>,
}

impl<'a> Universe<'a> {
    /// The universe of a validated configuration.
    pub(crate) fn new(cfg: &'a SynthConfig) -> Self {
        Universe {
            cfg,
            per_tx: cfg.claims_per_transaction as u64,
            pairs: (cfg.payers * cfg.payees) as u64,
            last_pay: Cell::new((0, cfg.start_date)),
        }
    }

    /// Transaction `t`: pairs (payer, payee) take turns.
    pub(crate) fn plan(&self, t: u64) -> Plan {
        let pair = t % self.pairs;
        let payers = self.cfg.payers as u64;
        // Validated to fit (`SynthConfig::validate`).
        let payee = (self.cfg.first_payee() + pair / payers) as u32;
        Plan {
            t,
            payer: (pair % payers) as u32,
            payee,
            facility: is_facility(payee, self.cfg.mix.institutional),
            pay: self.pay_date(t),
            first: t * self.per_tx,
            end: (t + 1) * self.per_tx,
            trace: self.cfg.id_base() + t + 1,
        }
    }

    /// The transaction holding claim slot `k`.
    pub(crate) fn transaction_of(&self, k: u64) -> u64 {
        k / self.per_tx
    }

    /// Slots from a claim to the same slot in the same pair's next payment.
    pub(crate) fn cycle(&self) -> u64 {
        self.pairs * self.per_tx
    }

    fn pay_date(&self, t: u64) -> Date {
        let (last, date) = self.last_pay.get();
        if last == t {
            return date;
        }
        let slot = u128::from(t * self.per_tx);
        let day = slot * u128::from(self.cfg.days) / self.cfg.claims.max(1) as u128;
        let date = add_days(self.cfg.start_date, day.min(4_000_000) as i64);
        self.last_pay.set((t, date));
        date
    }

    fn raw_kind(&self, k: u64) -> u64 {
        Rng::keyed(self.cfg.seed, Stream::Slot, k).below(100)
    }

    /// What claim slot `k` becomes.
    pub(crate) fn kind(&self, k: u64) -> SlotKind {
        let mix = &self.cfg.mix;
        let (reversal, unmatched) = (u64::from(mix.reversal), u64::from(mix.unmatched));
        let draw = self.raw_kind(k);
        if draw < reversal {
            let normal =
                |o: u64| self.raw_kind(o) >= reversal + unmatched + u64::from(mix.unanswered);
            return match k.checked_sub(self.cycle()) {
                Some(original) if normal(original) => SlotKind::Reversal { original },
                _ => SlotKind::Normal,
            };
        }
        if draw < reversal + unmatched {
            SlotKind::Unmatched
        } else if draw < reversal + unmatched + u64::from(mix.unanswered) {
            SlotKind::Unanswered
        } else {
            SlotKind::Normal
        }
    }

    /// True when slot `k` draws a reversal, whether or not it can have one.
    pub(crate) fn draws_reversal(&self, k: u64) -> bool {
        self.raw_kind(k) < u64::from(self.cfg.mix.reversal)
    }

    /// The payer's claim control number of slot `k` (variant 1 = correction).
    pub(crate) fn icn(&self, k: u64, variant: u8) -> Icn {
        let plan = self.plan(self.transaction_of(k));
        Icn {
            paid: plan.pay,
            payer: plan.payer,
            key: self.cfg.id_base() + k,
            variant,
        }
    }
}
