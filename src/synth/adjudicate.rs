//! The payer's side: how each billed line and claim is paid, adjusted or
//! denied, in integer cents so every balancing equation holds exactly:
//!
//! - line: charge − Σ line adjustments = paid;
//! - claim: charge − Σ(claim + line adjustments) = paid;
//! - patient responsibility = Σ PR adjustments;
//! - interest = round(paid × 12% × days late / 365), days late counted
//!   from 30 days after receipt.

use super::config::ScenarioMix;
use super::parties::{Icn, payer_rate};
use super::rng::Rng;
use super::tables::PROCEDURES;
use super::universe::{BilledClaim, BilledLine};

/// One CAS reason and amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Adjustment {
    /// CO or PR.
    pub(crate) group: &'static [u8],
    /// CARC.
    pub(crate) reason: &'static [u8],
    pub(crate) cents: i64,
}

const NO_ADJUSTMENT: Adjustment = Adjustment {
    group: b"CO",
    reason: b"45",
    cents: 0,
};

/// How the payer changed the billed procedure (reported with SVC06).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recode {
    /// Paid as billed.
    None,
    /// Paid as another procedure (index in `PROCEDURES`).
    Code(u8),
    /// Paid without the billed last modifier.
    DropModifier,
}

/// The payment of one service line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinePayment {
    pub(crate) paid: i64,
    adjustments: [Adjustment; 3],
    count: u8,
    /// AMT*B6, the allowed amount.
    pub(crate) allowed: Option<i64>,
    /// LQ*HE remark code.
    pub(crate) remark: Option<&'static [u8]>,
    pub(crate) recode: Recode,
    /// Whether the 835 echoes REF*6R.
    pub(crate) echo_control: bool,
}

impl LinePayment {
    /// The line's CAS adjustments, CO before PR.
    pub(crate) fn adjustments(&self) -> &[Adjustment] {
        &self.adjustments[..usize::from(self.count)]
    }

    fn push(&mut self, group: &'static [u8], reason: &'static [u8], cents: i64) {
        if cents != 0 {
            self.adjustments[usize::from(self.count)] = Adjustment {
                group,
                reason,
                cents,
            };
            self.count += 1;
            self.paid -= cents;
        }
    }
}

/// The payment of one claim.
#[derive(Clone, Debug)]
pub(crate) struct ClaimPayment {
    /// CLP07.
    pub(crate) icn: Icn,
    pub(crate) lines: Vec<LinePayment>,
    pub(crate) claim_adjustment: Option<Adjustment>,
    /// CLP04.
    pub(crate) paid: i64,
    /// CLP05.
    pub(crate) patient: i64,
    /// AMT*I, zero when none.
    pub(crate) interest: i64,
    /// Whether DTM*050 is written.
    pub(crate) show_received: bool,
    /// MOA remark code.
    pub(crate) remark: Option<&'static [u8]>,
}

impl ClaimPayment {
    /// An empty payment, to be filled by [`adjudicate`].
    pub(crate) fn new(icn: Icn) -> ClaimPayment {
        ClaimPayment {
            icn,
            lines: Vec::new(),
            claim_adjustment: None,
            paid: 0,
            patient: 0,
            interest: 0,
            show_received: false,
            remark: None,
        }
    }
}

/// Rounds `num / den` half up, for non-negative values.
fn round_div(num: i64, den: i64) -> i64 {
    (2 * num + den) / (2 * den)
}

/// Adjudicates `claim` into `out`, drawing choices from `rng`.
pub(crate) fn adjudicate(
    mix: &ScenarioMix,
    claim: &BilledClaim,
    rng: &mut Rng,
    out: &mut ClaimPayment,
) {
    out.lines.clear();
    let mut line_paid = 0;
    let mut patient = 0;
    for line in &claim.lines {
        let paid = adjudicate_line(mix, claim.payer, line, rng);
        line_paid += paid.paid;
        patient += pr_sum(paid.adjustments());
        out.lines.push(paid);
    }
    out.claim_adjustment = claim_adjustment(mix, line_paid, rng);
    let claim_cents = out.claim_adjustment.map_or(0, |a| a.cents);
    out.paid = line_paid - claim_cents;
    out.patient = patient + out.claim_adjustment.map_or(0, |a| pr_sum(&[a]));
    let late = claim.wait - 30;
    out.interest = if late > 0 && out.paid > 0 {
        round_div(out.paid * 12 * late, 36500)
    } else {
        0
    };
    out.show_received = late > 0 || rng.chance(mix.received_date);
    let denied = out.lines.iter().any(|l| l.paid == 0);
    out.remark = rng
        .chance(mix.remark)
        .then_some(if denied { b"MA01" } else { b"N130" });
}

fn pr_sum(adjustments: &[Adjustment]) -> i64 {
    adjustments
        .iter()
        .filter(|a| a.group == b"PR")
        .map(|a| a.cents)
        .sum()
}

fn adjudicate_line(mix: &ScenarioMix, payer: u32, line: &BilledLine, rng: &mut Rng) -> LinePayment {
    let mut out = LinePayment {
        paid: line.charge,
        adjustments: [NO_ADJUSTMENT; 3],
        count: 0,
        allowed: None,
        remark: None,
        recode: Recode::None,
        echo_control: rng.chance(mix.line_control_echoed),
    };
    match rng.weighted(&[mix.paid_in_full, mix.partially_paid, mix.denied]) {
        0 => out.allowed = Some(line.charge),
        1 => reduce(mix, payer, line, rng, &mut out),
        _ => deny(line, rng, &mut out),
    }
    out
}

/// Pays the fee schedule amount less patient responsibility.
fn reduce(mix: &ScenarioMix, payer: u32, line: &BilledLine, rng: &mut Rng, out: &mut LinePayment) {
    out.recode = if rng.chance(mix.recoded) {
        recode(line)
    } else {
        Recode::None
    };
    let paid_as = match out.recode {
        Recode::Code(p) => p,
        _ => line.procedure,
    };
    let fee = PROCEDURES[usize::from(paid_as)].cents * payer_rate(payer) / 100;
    let allowed = (fee * i64::from(line.units)).min(line.charge);
    out.allowed = Some(allowed);
    out.push(b"CO", b"45", line.charge - allowed);
    match rng.below(100) {
        0..25 => {}
        25..45 => {
            let deductible = allowed.min(rng.range(20, 250) * 100);
            out.push(b"PR", b"1", deductible);
            out.push(b"PR", b"2", round_div((allowed - deductible) * 20, 100));
        }
        45..80 => out.push(b"PR", b"2", round_div(allowed * 20, 100)),
        _ => out.push(
            b"PR",
            b"3",
            allowed.min(rng.pick(&[10, 20, 25, 30, 40]) * 100),
        ),
    }
}

fn recode(line: &BilledLine) -> Recode {
    match (
        PROCEDURES[usize::from(line.procedure)].lower,
        line.modifiers,
    ) {
        (Some(lower), _) => Recode::Code(lower),
        (None, [Some(_), _]) => Recode::DropModifier,
        _ => Recode::None,
    }
}

/// A denial: group, CARC and the RARC that goes with it.
#[derive(Clone, Copy, Debug)]
struct Denial {
    group: &'static [u8],
    reason: &'static [u8],
    remark: Option<&'static [u8]>,
}

const fn denial(
    group: &'static [u8],
    reason: &'static [u8],
    remark: Option<&'static [u8]>,
) -> Denial {
    Denial {
        group,
        reason,
        remark,
    }
}

const DENIALS: [Denial; 5] = [
    denial(b"CO", b"197", None),
    denial(b"CO", b"50", None),
    denial(b"CO", b"16", Some(b"M51")),
    denial(b"CO", b"29", None),
    denial(b"PR", b"204", Some(b"N130")),
];

fn deny(line: &BilledLine, rng: &mut Rng, out: &mut LinePayment) {
    let d = rng.pick(&DENIALS);
    out.push(d.group, d.reason, line.charge);
    out.remark = d.remark;
}

fn claim_adjustment(mix: &ScenarioMix, line_paid: i64, rng: &mut Rng) -> Option<Adjustment> {
    if line_paid <= 0 || !rng.chance(mix.claim_adjustment) {
        return None;
    }
    let (reason, cents): (&[u8], i64) = if rng.chance(50) {
        (b"1", line_paid.min(rng.range(10, 100) * 100))
    } else {
        (b"253", round_div(line_paid * 2, 100))
    };
    let group: &[u8] = if reason == b"1" { b"PR" } else { b"CO" };
    (cents > 0).then_some(Adjustment {
        group,
        reason,
        cents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::config::SynthConfig;
    use crate::synth::rng::Stream;
    use crate::synth::universe::Universe;

    #[test]
    fn every_adjudication_balances() {
        let cfg = SynthConfig::default();
        let u = Universe::new(&cfg);
        let mut claim = BilledClaim::new();
        for k in 0..500 {
            u.bill(k, &mut claim);
            let mut pay = ClaimPayment::new(u.icn(k, 0));
            adjudicate(
                &cfg.mix,
                &claim,
                &mut Rng::keyed(1, Stream::Adjudicate, k),
                &mut pay,
            );
            let mut adjusted = pay.claim_adjustment.map_or(0, |a| a.cents);
            for (billed, paid) in claim.lines.iter().zip(&pay.lines) {
                let line_adj: i64 = paid.adjustments().iter().map(|a| a.cents).sum();
                assert_eq!(billed.charge - line_adj, paid.paid);
                assert!(paid.paid >= 0);
                adjusted += line_adj;
            }
            assert_eq!(claim.charge - adjusted, pay.paid);
        }
    }
}
