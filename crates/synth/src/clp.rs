//! Renders one 835 claim payment loop (2100 CLP and its 2110 SVC loops),
//! with every amount multiplied by `sign` (−1 for a reversal, which repeats
//! the original payment negated).

use super::adjudicate::{Adjustment, ClaimPayment, LinePayment, Recode};
use super::billing::{BilledClaim, BilledLine, ClaimKind};
use super::encode::Enc;
use super::parties::{self, procedure};

/// Writes CLP … and its service lines.
pub(crate) fn write_claim(
    e: &mut Enc,
    claim: &BilledClaim,
    p: &ClaimPayment,
    status: &[u8],
    sign: i64,
) {
    e.seg(b"CLP").sep();
    parties::claim_number(e, claim.key);
    e.el(status).amt(sign * claim.charge).amt(sign * p.paid);
    if p.patient == 0 {
        e.sep();
    } else {
        e.amt(sign * p.patient);
    }
    e.el(parties::filing_indicator(claim.payer)).sep();
    p.icn.write(e);
    e.el(claim.kind.facility_code())
        .num(u64::from(claim.frequency))
        .end();
    write_adjustments(e, p.adjustments.as_slice(), sign);
    write_patient(e, claim);
    match (p.stay, p.remark) {
        (Some((days, allowed)), remark) => write_inpatient(e, days, sign * allowed, remark),
        (None, Some(remark)) => e.seg(b"MOA").skip(2).el(remark).end(),
        (None, None) => {}
    }
    if claim.kind != ClaimKind::Professional {
        e.seg(b"DTM").el(b"232").date(claim.statement.0).end();
        e.seg(b"DTM").el(b"233").date(claim.statement.1).end();
    }
    if p.show_received {
        e.seg(b"DTM").el(b"050").date(claim.received).end();
    }
    if p.interest != 0 {
        e.seg(b"AMT").el(b"I").amt(sign * p.interest).end();
    }
    for (i, (billed, paid)) in claim.lines.iter().zip(&p.lines).enumerate() {
        write_line(e, claim.key, i, billed, paid, sign);
    }
}

fn write_patient(e: &mut Enc, claim: &BilledClaim) {
    e.seg(b"NM1").el(b"QC").el(b"1");
    parties::member_name(e, claim.member, claim.dependent);
    e.skip(3).el(b"MI").sep();
    parties::member_id(e, claim.member);
    e.end();
    if claim.dependent.is_some() {
        e.seg(b"NM1").el(b"IL").el(b"1");
        parties::member_name(e, claim.member, None);
        e.skip(3).el(b"MI").sep();
        parties::member_id(e, claim.member);
        e.end();
    }
}

/// MIA: covered days, the DRG amount (MIA04) and a remark (MIA05).
fn write_inpatient(e: &mut Enc, days: u32, amount: i64, remark: Option<&[u8]>) {
    e.seg(b"MIA").num(u64::from(days));
    if amount != 0 {
        e.skip(2).amt(amount);
    } else if remark.is_some() {
        e.skip(3);
    }
    if let Some(remark) = remark {
        e.el(remark);
    }
    e.end();
}

/// SVC01 as paid: `HC:code[:mods]`, or `NU:revenue` for a line without a procedure.
fn write_paid_code(e: &mut Enc, billed: &BilledLine, recode: Recode) {
    let mods = &billed.modifiers;
    match (billed.procedure, recode) {
        (Some(_), Recode::Code(code)) => procedure(e, code, mods),
        (Some(code), Recode::DropModifier) => {
            let kept = mods.iter().rposition(Option::is_some).unwrap_or(0);
            procedure(e, code, &mods[..kept]);
        }
        (Some(code), Recode::None) => procedure(e, code, mods),
        (None, _) => {
            let revenue = billed.revenue.map_or(&b""[..], |r| r.code.as_bytes());
            e.sep().raw(b"NU").comp(revenue);
        }
    }
}

fn write_line(e: &mut Enc, key: u64, i: usize, billed: &BilledLine, p: &LinePayment, sign: i64) {
    e.seg(b"SVC");
    write_paid_code(e, billed, p.recode);
    e.amt(sign * billed.charge).amt(sign * p.paid).sep();
    if let (Some(_), Some(revenue)) = (billed.procedure, billed.revenue) {
        e.raw(revenue.code.as_bytes());
    }
    e.num(u64::from(billed.units));
    if let (Some(code), true) = (billed.procedure, p.recode != Recode::None) {
        procedure(e, code, &billed.modifiers);
    }
    e.end();
    e.seg(b"DTM").el(b"472").date(billed.date).end();
    write_adjustments(e, p.adjustments.as_slice(), sign);
    if p.echo_control {
        e.seg(b"REF").el(b"6R").sep();
        parties::line_control(e, key, i);
        e.end();
    }
    if let Some(allowed) = p.allowed {
        e.seg(b"AMT").el(b"B6").amt(sign * allowed).end();
    }
    if let Some(remark) = p.remark {
        e.seg(b"LQ").el(b"HE").el(remark).end();
    }
}

/// One CAS segment per run of adjustments with the same group (at most 6 each).
fn write_adjustments(e: &mut Enc, adjustments: &[Adjustment], sign: i64) {
    for run in adjustments.chunk_by(|a, b| a.group == b.group) {
        for six in run.chunks(6) {
            e.seg(b"CAS").el(six[0].group);
            for (j, a) in six.iter().enumerate() {
                if j > 0 {
                    e.sep();
                }
                e.el(a.reason).amt(sign * a.cents);
            }
            e.end();
        }
    }
}
