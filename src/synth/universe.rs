//! The claim universe: which payer pays which payee when, what each claim
//! slot becomes, and what the provider billed.
//!
//! Everything is a pure function of the configuration and an index, so the
//! 835 and 837 writers walk the same universe independently, and any earlier
//! claim can be re-created when a later one refers to it.

use std::cell::Cell;

use jiff::SignedDuration;
use jiff::civil::Date;

use super::config::SynthConfig;
use super::parties::Icn;
use super::rng::{Rng, Stream};
use super::tables::{DEPENDENT_NAMES, DIAGNOSES, Kind, PROCEDURES, modifiers};

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

/// One billed service line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BilledLine {
    /// Index in [`PROCEDURES`].
    pub(crate) procedure: u8,
    pub(crate) modifiers: [Option<&'static str>; 2],
    pub(crate) units: u32,
    pub(crate) charge: i64,
    pub(crate) date: Date,
}

/// One billed claim, as the 837 states it.
#[derive(Clone, Debug)]
pub(crate) struct BilledClaim {
    /// The slot that numbers the claim (CLM01, REF*6R).
    pub(crate) key: u64,
    pub(crate) payer: u32,
    pub(crate) payee: u32,
    pub(crate) member: u64,
    /// The patient, when not the subscriber (index in `DEPENDENT_NAMES`).
    pub(crate) dependent: Option<u8>,
    /// When the payer received the claim.
    pub(crate) received: Date,
    /// Days from receipt to the payment that answers this claim.
    pub(crate) wait: i64,
    /// CLM05-3: 1 original, 7 replacement.
    pub(crate) frequency: u8,
    /// The ICN a replacement claim replaces (REF*F8).
    pub(crate) prior: Option<Icn>,
    pub(crate) diagnosis: u8,
    pub(crate) lines: Vec<BilledLine>,
    /// CLM02 = Σ line charges.
    pub(crate) charge: i64,
}

impl BilledClaim {
    /// An empty claim, to be filled by [`Universe::bill`].
    pub(crate) fn new() -> BilledClaim {
        BilledClaim {
            key: 0,
            payer: 0,
            payee: 0,
            member: 0,
            dependent: None,
            received: Date::default(),
            wait: 0,
            frequency: 1,
            prior: None,
            diagnosis: 0,
            lines: Vec::new(),
            charge: 0,
        }
    }
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
        Plan {
            t,
            payer: (pair % payers) as u32,
            payee: (pair / payers) as u32,
            pay: self.pay_date(t),
            first: t * self.per_tx,
            end: (t + 1) * self.per_tx,
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
            key: k,
            variant,
        }
    }

    /// Fills `out` with the claim first billed for slot `k`.
    pub(crate) fn bill(&self, k: u64, out: &mut BilledClaim) {
        let plan = self.plan(self.transaction_of(k));
        let mut rng = Rng::keyed(self.cfg.seed, Stream::Bill, k);
        out.key = k;
        (out.payer, out.payee) = (plan.payer, plan.payee);
        out.member = self.pick_member(plan.payer, &mut rng);
        out.dependent = rng
            .chance(self.cfg.mix.dependent)
            .then(|| rng.below(DEPENDENT_NAMES.len() as u64) as u8);
        out.wait = if rng.chance(self.cfg.mix.late) {
            rng.range(35, 75)
        } else {
            rng.range(4, 28)
        };
        out.received = add_days(plan.pay, -out.wait);
        (out.frequency, out.prior) = (1, None);
        out.diagnosis = rng.below(DIAGNOSES.len() as u64) as u8;
        let service = add_days(out.received, -rng.range(2, 20));
        self.bill_lines(plan.payee, service, &mut rng, out);
    }

    /// Fills `out` with the replacement claim that slot `k` sends for the
    /// claim of slot `original`, after that claim's first payment.
    pub(crate) fn bill_replacement(&self, k: u64, original: u64, out: &mut BilledClaim) {
        self.bill(original, out);
        let first_paid = self.plan(self.transaction_of(original)).pay;
        let pay = self.plan(self.transaction_of(k)).pay;
        let mut rng = Rng::keyed(self.cfg.seed, Stream::Replace, k);
        out.received = add_days(pay, -rng.range(1, 10)).max(first_paid);
        out.wait = (out.received.until(pay).map(|s| s.get_days()).unwrap_or(0)).into();
        out.frequency = 7;
        out.prior = Some(self.icn(original, 0));
    }

    fn pick_member(&self, payer: u32, rng: &mut Rng) -> u64 {
        let payers = self.cfg.payers as u64;
        let insured = (self.cfg.members as u64 - u64::from(payer)).div_ceil(payers);
        u64::from(payer) + payers * rng.below(insured)
    }

    fn bill_lines(&self, payee: u32, service: Date, rng: &mut Rng, out: &mut BilledClaim) {
        out.lines.clear();
        out.charge = 0;
        let mut n = 1;
        while n < self.cfg.max_lines_per_claim && rng.chance(45) {
            n += 1;
        }
        for i in 0..n {
            let line = bill_line(payee, service, i == 0, rng);
            out.charge += line.charge;
            out.lines.push(line);
        }
    }
}

fn bill_line(payee: u32, service: Date, first: bool, rng: &mut Rng) -> BilledLine {
    let visit = first && rng.chance(70);
    let procedure = if visit {
        rng.below(8)
    } else {
        rng.below(PROCEDURES.len() as u64)
    } as u8;
    let proc = PROCEDURES[usize::from(procedure)];
    let units = match proc.kind {
        Kind::Therapy => rng.range(1, 4),
        Kind::Drug if proc.code.starts_with('J') => rng.range(1, 10),
        _ => 1,
    } as u32;
    let per_unit = (proc.cents * super::parties::payee_markup(payee) / 100 + 50) / 100 * 100;
    BilledLine {
        procedure,
        modifiers: pick_modifiers(proc.kind, rng),
        units,
        charge: per_unit * i64::from(units),
        date: add_days(service, -rng.pick(&[0, 0, 0, 1, 2])),
    }
}

fn pick_modifiers(kind: Kind, rng: &mut Rng) -> [Option<&'static str>; 2] {
    let all = modifiers(kind);
    let draw = rng.below(100);
    let first = rng.below(all.len() as u64) as usize;
    let second = (first + 1) % all.len();
    match draw {
        0..65 => [None, None],
        65..95 => [Some(all[first]), None],
        _ => [Some(all[first]), Some(all[second])],
    }
}
