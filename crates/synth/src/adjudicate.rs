//! The payer's side: how each billed line and claim is paid, adjusted or
//! denied, in integer cents so every balancing equation holds exactly:
//!
//! - line: charge − Σ line adjustments = paid;
//! - claim: charge − Σ(claim + line adjustments) = paid;
//! - patient responsibility = Σ PR adjustments;
//! - interest = round(paid × 12% × days late / 365), days late counted
//!   from 30 days after receipt.
//!
//! Inpatient stays are paid at claim level (a DRG-like allowed amount), with
//! no service line payments.

use super::billing::{BilledClaim, BilledLine, ClaimKind};
use super::config::ScenarioMix;
use super::parties::{Icn, payer_rate};
use super::rng::Rng;
use super::tables::PROCEDURES;

/// One CAS reason and amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Adjustment {
    /// CO or PR.
    pub(crate) group: &'static [u8],
    /// CARC.
    pub(crate) reason: &'static [u8],
    pub(crate) cents: i64,
}

/// Up to three adjustments, CO before PR.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Adjustments {
    items: [Adjustment; 3],
    count: u8,
}

impl Adjustments {
    const NONE: Adjustments = Adjustments {
        items: [Adjustment {
            group: b"CO",
            reason: b"45",
            cents: 0,
        }; 3],
        count: 0,
    };

    /// The adjustments in order.
    pub(crate) fn as_slice(&self) -> &[Adjustment] {
        &self.items[..usize::from(self.count)]
    }

    /// Adds a non-zero adjustment; returns its amount (0 when skipped).
    fn push(&mut self, group: &'static [u8], reason: &'static [u8], cents: i64) -> i64 {
        if cents == 0 {
            return 0;
        }
        self.items[usize::from(self.count)] = Adjustment {
            group,
            reason,
            cents,
        };
        self.count += 1;
        cents
    }

    fn total(&self) -> i64 {
        self.as_slice().iter().map(|a| a.cents).sum()
    }

    fn patient(&self) -> i64 {
        self.as_slice()
            .iter()
            .filter(|a| a.group == b"PR")
            .map(|a| a.cents)
            .sum()
    }
}

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
    pub(crate) adjustments: Adjustments,
    /// AMT*B6, the allowed amount.
    pub(crate) allowed: Option<i64>,
    /// LQ*HE remark code.
    pub(crate) remark: Option<&'static [u8]>,
    pub(crate) recode: Recode,
    /// Whether the 835 echoes REF*6R.
    pub(crate) echo_control: bool,
}

impl LinePayment {
    fn push(&mut self, group: &'static [u8], reason: &'static [u8], cents: i64) {
        self.paid -= self.adjustments.push(group, reason, cents);
    }
}

/// The payment of one claim.
#[derive(Clone, Debug)]
pub(crate) struct ClaimPayment {
    /// CLP07.
    pub(crate) icn: Icn,
    /// Empty for an inpatient stay, paid at claim level.
    pub(crate) lines: Vec<LinePayment>,
    pub(crate) adjustments: Adjustments,
    /// CLP04.
    pub(crate) paid: i64,
    /// CLP05.
    pub(crate) patient: i64,
    /// AMT*I, zero when none.
    pub(crate) interest: i64,
    /// Inpatient: covered days and the allowed (DRG) amount, for MIA.
    pub(crate) stay: Option<(u32, i64)>,
    /// Whether DTM*050 is written.
    pub(crate) show_received: bool,
    /// MOA (or MIA05) remark code.
    pub(crate) remark: Option<&'static [u8]>,
}

impl ClaimPayment {
    /// An empty payment, to be filled by [`adjudicate`].
    pub(crate) fn new(icn: Icn) -> ClaimPayment {
        ClaimPayment {
            icn,
            lines: Vec::new(),
            adjustments: Adjustments::NONE,
            paid: 0,
            patient: 0,
            interest: 0,
            stay: None,
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
    out.adjustments = Adjustments::NONE;
    out.stay = None;
    let (line_paid, line_patient) = if claim.kind == ClaimKind::Inpatient {
        adjudicate_stay(mix, claim, rng, out);
        (claim.charge, 0)
    } else {
        adjudicate_lines(mix, claim, rng, out)
    };
    if out.stay.is_none() {
        claim_adjustment(mix, line_paid, rng, &mut out.adjustments);
    }
    out.paid = line_paid - out.adjustments.total();
    out.patient = line_patient + out.adjustments.patient();
    let late = claim.wait - 30;
    out.interest = if late > 0 && out.paid > 0 {
        round_div(out.paid * 12 * late, 36500)
    } else {
        0
    };
    out.show_received = late > 0 || rng.chance(mix.received_date);
    let denied = out.paid == 0 || out.lines.iter().any(|l| l.paid == 0);
    out.remark = rng
        .chance(mix.remark)
        .then_some(if denied { b"MA01" } else { b"N130" });
}

/// Pays each line; returns Σ line payments and Σ line PR.
fn adjudicate_lines(
    mix: &ScenarioMix,
    claim: &BilledClaim,
    rng: &mut Rng,
    out: &mut ClaimPayment,
) -> (i64, i64) {
    let (mut paid, mut patient) = (0, 0);
    for line in &claim.lines {
        let p = adjudicate_line(mix, claim.payer, line, rng);
        paid += p.paid;
        patient += p.adjustments.patient();
        out.lines.push(p);
    }
    (paid, patient)
}

/// Pays an inpatient stay as a whole: allowed amount less a deductible, or
/// denied, all in claim-level adjustments.
fn adjudicate_stay(mix: &ScenarioMix, claim: &BilledClaim, rng: &mut Rng, out: &mut ClaimPayment) {
    let days = claim.lines.first().map_or(1, |room| room.units);
    let a = &mut out.adjustments;
    let allowed = match rng.weighted(&[mix.paid_in_full, mix.partially_paid, mix.denied]) {
        0 => claim.charge,
        1 => {
            let allowed = claim.charge * payer_rate(claim.payer) / 100;
            a.push(b"CO", b"45", claim.charge - allowed);
            if rng.chance(40) {
                a.push(b"PR", b"1", allowed.min(rng.range(500, 1600) * 100));
            }
            allowed
        }
        _ => {
            let d = rng.pick(&DENIALS[..2]);
            a.push(d.group, d.reason, claim.charge);
            0
        }
    };
    out.stay = Some((if allowed > 0 { days } else { 0 }, allowed));
}

fn adjudicate_line(mix: &ScenarioMix, payer: u32, line: &BilledLine, rng: &mut Rng) -> LinePayment {
    let mut out = LinePayment {
        paid: line.charge,
        adjustments: Adjustments::NONE,
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
        Recode::Code(p) => Some(p),
        _ => line.procedure,
    };
    let fee = line.list_cents(paid_as) * payer_rate(payer) / 100;
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
    let lower = line
        .procedure
        .and_then(|p| PROCEDURES[usize::from(p)].lower);
    match (lower, line.modifiers) {
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

/// Line denials; the first two also deny whole inpatient stays.
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

/// Sometimes a claim-level deductible (PR-1) or sequestration (CO-253).
fn claim_adjustment(mix: &ScenarioMix, line_paid: i64, rng: &mut Rng, out: &mut Adjustments) {
    if line_paid <= 0 || !rng.chance(mix.claim_adjustment) {
        return;
    }
    if rng.chance(50) {
        out.push(b"PR", b"1", line_paid.min(rng.range(10, 100) * 100));
    } else {
        out.push(b"CO", b"253", round_div(line_paid * 2, 100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ScenarioMix, SynthConfig};
    use crate::rng::Stream;
    use crate::universe::Universe;

    #[test]
    fn every_adjudication_balances() {
        let mix = ScenarioMix {
            institutional: 50,
            ..ScenarioMix::default()
        };
        let cfg = SynthConfig::default().with_mix(mix);
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
            let mut adjusted = pay.adjustments.total();
            for (billed, paid) in claim.lines.iter().zip(&pay.lines) {
                let line_adj = paid.adjustments.total();
                assert_eq!(billed.charge - line_adj, paid.paid);
                assert!(paid.paid >= 0);
                adjusted += line_adj;
            }
            assert_eq!(claim.charge - adjusted, pay.paid);
            assert!(pay.paid >= 0 && pay.patient >= 0);
            assert_eq!(pay.lines.is_empty(), claim.kind == ClaimKind::Inpatient);
        }
    }
}
