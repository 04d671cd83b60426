//! Writes 835 transactions (005010X221A1): payment header, claims, service
//! lines and provider-level adjustments, balanced to the cent.
//!
//! Claims are rendered first (by `clp`); the header (BPR02 = ΣCLP04 −
//! ΣPLB) and the PLB trailer are rendered when the transaction is framed.

use jiff::civil::Date;

use super::adjudicate::{ClaimPayment, adjudicate};
use super::billing::BilledClaim;
use super::clp;
use super::encode::Enc;
use super::envelope::{Ids, Tally, TransactionWriter};
use super::parties::{self, Icn};
use super::rng::{Rng, Stream};
use super::universe::{Plan, SlotKind, Universe, add_days};

/// Envelope identity of 835 files.
const IDS: Ids = Ids {
    functional: b"HP",
    version: b"005010X221A1",
    sender: b"SYNTHPAYERS",
    receiver: b"SYNTHPROVIDERS",
};

/// A PLB reference: an earlier claim (CLP07) or a payment trace (TRN02).
#[derive(Clone, Copy, Debug)]
enum Reference {
    Claim(Icn),
    Trace(Plan),
}

/// One PLB adjustment: positive reduces the payment.
#[derive(Clone, Copy, Debug)]
struct ProviderAdjustment {
    reason: &'static [u8],
    reference: Reference,
    cents: i64,
}

/// Running totals of the claims added so far, with where to roll back to.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Mark {
    tally: Tally,
    body: (usize, u32),
    adjustments: usize,
}

/// Builds 835 transactions.
pub(crate) struct Remittances<'a> {
    u: Universe<'a>,
    plan: Option<Plan>,
    head: Enc,
    body: Enc,
    tail: Enc,
    claim: BilledClaim,
    payment: ClaimPayment,
    tally: Tally,
    adjustments: Vec<ProviderAdjustment>,
    /// Claim-driven adjustments plus those framing adds.
    framed: Vec<ProviderAdjustment>,
    recovery: Option<ProviderAdjustment>,
    forward: Option<(Plan, i64)>,
}

impl<'a> Remittances<'a> {
    /// A writer for the universe `u`.
    pub(crate) fn new(u: Universe<'a>) -> Self {
        let enc = Enc::new(u.cfg);
        let icn = u.icn(0, 0);
        Remittances {
            u,
            plan: None,
            head: enc.clone(),
            body: enc.clone(),
            tail: enc,
            claim: BilledClaim::new(),
            payment: ClaimPayment::new(icn),
            tally: Tally::default(),
            adjustments: Vec::new(),
            framed: Vec::new(),
            recovery: None,
            forward: None,
        }
    }

    fn plan(&self) -> Plan {
        self.plan.expect("begin() before add()")
    }

    /// Bills and adjudicates the first payment of slot `k` into `self.payment`.
    fn pay_first(&mut self, k: u64) {
        self.u.bill(k, &mut self.claim);
        self.payment.icn = self.u.icn(k, 0);
        let mut rng = Rng::keyed(self.u.cfg.seed, Stream::Adjudicate, k);
        adjudicate(&self.u.cfg.mix, &self.claim, &mut rng, &mut self.payment);
    }

    /// Writes the current claim payment with `sign` (−1 for a reversal).
    fn emit(&mut self, status: &[u8], sign: i64) {
        clp::write_claim(&mut self.body, &self.claim, &self.payment, status, sign);
        let p = &self.payment;
        self.tally.claims += 1;
        self.tally.lines += p.lines.len() as u64;
        self.tally.billed += sign * self.claim.charge;
        self.tally.paid += sign * p.paid;
        if p.interest != 0 {
            self.push(b"L6", Reference::Claim(p.icn), -sign * p.interest);
        }
    }

    fn push(&mut self, reason: &'static [u8], reference: Reference, cents: i64) {
        self.adjustments.push(ProviderAdjustment {
            reason,
            reference,
            cents,
        });
    }

    /// Reverses the first payment of `original`, then pays its correction.
    fn reverse_and_correct(&mut self, k: u64, original: u64) {
        self.pay_first(original);
        self.emit(b"22", -1);
        let (first_paid, first_icn) = (self.payment.paid, self.payment.icn);
        self.u.bill_replacement(k, original, &mut self.claim);
        self.payment.icn = self.u.icn(k, 1);
        let mut rng = Rng::keyed(self.u.cfg.seed, Stream::Correct, k);
        adjudicate(&self.u.cfg.mix, &self.claim, &mut rng, &mut self.payment);
        self.emit(b"1", 1);
        let net = self.payment.paid - first_paid;
        if net < 0 {
            let mix = &self.u.cfg.mix;
            let draw = rng.below(100);
            if draw < u64::from(mix.deferred_recovery) {
                self.push(b"WO", Reference::Claim(first_icn), net);
            } else if draw < u64::from(mix.deferred_recovery) + u64::from(mix.provider_refund) {
                self.push(b"72", Reference::Claim(first_icn), net);
            }
        }
    }

    /// A positive WO recovering part of a claim paid one cycle earlier.
    fn draw_recovery(&mut self, plan: &Plan, rng: &mut Rng) -> Option<ProviderAdjustment> {
        let slot = plan.first + rng.below(self.u.cfg.claims_per_transaction as u64);
        let target = slot.checked_sub(self.u.cycle())?;
        if self.u.kind(target) != SlotKind::Normal || self.u.draws_reversal(slot) {
            return None;
        }
        self.pay_first(target);
        let cents = self.payment.paid * rng.range(30, 100) / 100;
        (cents > 0).then_some(ProviderAdjustment {
            reason: b"WO",
            reference: Reference::Claim(self.payment.icn),
            cents,
        })
    }

    /// Adds the transaction-level PLBs and returns BPR02.
    fn settle(&mut self) -> i64 {
        self.framed.clear();
        self.framed.extend_from_slice(&self.adjustments);
        self.framed.extend(self.recovery);
        let mut net = self.tally.paid - self.framed.iter().map(|a| a.cents).sum::<i64>();
        if let Some((earlier, pct)) = self.forward {
            let cents = net * pct / 100;
            if cents > 0 {
                self.framed.push(ProviderAdjustment {
                    reason: b"FB",
                    reference: Reference::Trace(earlier),
                    cents,
                });
                net -= cents;
            }
        }
        if net < 0 {
            let reference = Reference::Trace(self.plan());
            self.framed.push(ProviderAdjustment {
                reason: b"FB",
                reference,
                cents: net,
            });
            net = 0;
        }
        net
    }
}

impl TransactionWriter for Remittances<'_> {
    type Mark = Mark;

    fn begin(&mut self, plan: &Plan) {
        self.plan = Some(*plan);
        self.body.clear();
        self.tally = Tally::default();
        self.adjustments.clear();
        let mix = self.u.cfg.mix;
        let mut rng = Rng::keyed(self.u.cfg.seed, Stream::Transaction, plan.t);
        self.recovery = None;
        if rng.chance(mix.overpayment_recovery) {
            self.recovery = self.draw_recovery(plan, &mut rng);
        }
        let earlier = plan
            .t
            .checked_sub(self.u.cycle() / self.u.cfg.claims_per_transaction as u64);
        self.forward = match earlier {
            Some(t) if rng.chance(mix.forwarded_balance) => {
                Some((self.u.plan(t), rng.range(10, 60)))
            }
            _ => None,
        };
    }

    fn add(&mut self, k: u64) {
        match self.u.kind(k) {
            SlotKind::Unanswered => {}
            SlotKind::Normal => {
                self.pay_first(k);
                self.emit(b"1", 1);
            }
            SlotKind::Unmatched => {
                self.pay_first(k);
                self.emit(b"1", 1);
                self.tally.unmatched += 1;
            }
            SlotKind::Reversal { original } => self.reverse_and_correct(k, original),
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            tally: self.tally,
            body: self.body.mark(),
            adjustments: self.adjustments.len(),
        }
    }

    fn rollback(&mut self, mark: Mark) {
        self.tally = mark.tally;
        self.body.rollback(mark.body);
        self.adjustments.truncate(mark.adjustments);
    }

    fn claims(&self) -> u64 {
        self.tally.claims
    }

    fn body_len(&self) -> usize {
        self.body.buf.len()
    }

    fn envelope(&self) -> (Ids, Date) {
        (IDS, add_days(self.plan().pay, -1))
    }

    fn frame(&mut self, st02: u32) -> (Tally, [&[u8]; 3]) {
        let plan = self.plan();
        let paid = self.settle();
        self.head.clear();
        write_header(&mut self.head, &plan, st02, paid, self.tally.claims > 0);
        self.tail.clear();
        for chunk in self.framed.chunks(6) {
            write_provider_adjustments(&mut self.tail, &plan, chunk);
        }
        let count = self.head.segments + self.body.segments + self.tail.segments + 1;
        self.tail
            .seg(b"SE")
            .num(u64::from(count))
            .sep()
            .raw_pad(u64::from(st02), 4)
            .end();
        let tally = Tally { paid, ..self.tally };
        (tally, [&self.head.buf, &self.body.buf, &self.tail.buf])
    }
}

/// Appends the payment trace number (TRN02) of a transaction.
fn trace(e: &mut Enc, plan: &Plan) {
    e.raw_pad(u64::from(plan.payer) + 1, 2)
        .raw_pad(plan.trace, 10);
}

fn write_header(e: &mut Enc, plan: &Plan, st02: u32, paid: i64, has_claims: bool) {
    e.seg(b"ST")
        .el(b"835")
        .sep()
        .raw_pad(u64::from(st02), 4)
        .end();
    write_payment(e, plan, paid);
    let ein = parties::payer_ein(plan.payer);
    e.seg(b"TRN").el(b"1").sep();
    trace(e, plan);
    e.sep().byte(b'1').raw_pad(ein, 9).end();
    e.seg(b"DTM").el(b"405").date(add_days(plan.pay, -1)).end();
    e.seg(b"N1").el(b"PR").sep();
    parties::payer_name(e, plan.payer);
    e.end();
    parties::address(e, 0, u64::from(plan.payer));
    e.seg(b"REF").el(b"2U").sep();
    parties::payer_id(e, plan.payer);
    e.end();
    e.seg(b"PER")
        .el(b"BL")
        .el(b"EDI SUPPORT")
        .el(b"TE")
        .el(b"800555");
    e.raw_pad(u64::from(plan.payer) % 10_000, 4).end();
    write_payee(e, plan.payee, plan.facility);
    if has_claims {
        e.seg_of(b"LX", &[b"1"]);
    }
}

/// BPR: `I` with ACH or check, or `H`/`NON` when nothing is paid.
fn write_payment(e: &mut Enc, plan: &Plan, paid: i64) {
    e.seg(b"BPR");
    if paid == 0 {
        e.el(b"H").amt(0).el(b"C").el(b"NON").skip(11);
    } else if parties::pays_by_check(plan.payer) {
        e.el(b"I").amt(paid).el(b"C").el(b"CHK").skip(11);
    } else {
        let (payer, payee) = (u64::from(plan.payer), u64::from(plan.payee));
        e.el(b"I")
            .amt(paid)
            .el(b"C")
            .el(b"ACH")
            .el(b"CCP")
            .el(b"01");
        e.sep()
            .raw_pad(21_000_000 + payer, 9)
            .el(b"DA")
            .sep()
            .raw_pad(700_000 + payer, 10);
        e.sep()
            .byte(b'1')
            .raw_pad(parties::payer_ein(plan.payer), 9)
            .skip(1)
            .el(b"01");
        e.sep()
            .raw_pad(31_000_000 + payee, 9)
            .el(b"DA")
            .sep()
            .raw_pad(800_000 + payee, 10);
    }
    e.date(plan.pay).end();
}

fn write_payee(e: &mut Enc, payee: u32, facility: bool) {
    e.seg(b"N1").el(b"PE").sep();
    parties::payee_name(e, payee, facility);
    e.el(b"XX").num(parties::payee_npi(payee)).end();
    parties::address(e, 1, u64::from(payee));
    e.seg(b"REF")
        .el(b"TJ")
        .sep()
        .raw_pad(parties::payee_ein(payee), 9)
        .end();
}

fn write_provider_adjustments(e: &mut Enc, plan: &Plan, chunk: &[ProviderAdjustment]) {
    let fiscal_year_end = jiff::civil::date(plan.pay.year(), 12, 31);
    e.seg(b"PLB")
        .num(parties::payee_npi(plan.payee))
        .date(fiscal_year_end);
    for a in chunk {
        e.el(a.reason).comp(b"");
        match &a.reference {
            Reference::Claim(icn) => icn.write(e),
            Reference::Trace(p) => trace(e, p),
        }
        e.amt(a.cents);
    }
    e.end();
}
