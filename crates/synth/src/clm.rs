//! Renders one 837 claim loop (2300 CLM and its 2400 service lines):
//! professional (SV1) or institutional (SV2, statement dates, CL1 and the
//! attending physician).

use super::billing::{BilledClaim, BilledLine, ClaimKind};
use super::encode::Enc;
use super::parties::{self, procedure};
use super::tables::DIAGNOSES;

/// Writes CLM … and its lines.
pub(crate) fn write_claim(e: &mut Enc, c: &BilledClaim) {
    let institutional = c.kind != ClaimKind::Professional;
    e.seg(b"CLM").sep();
    parties::claim_number(e, c.key);
    e.amt(c.charge).skip(2).sep().raw(c.kind.facility_code());
    e.comp(if institutional { b"A" } else { b"B" })
        .comp(&[b'0' + c.frequency]);
    if institutional {
        e.skip(1); // CLM06 is not used in the 837I
    } else {
        e.el(b"Y");
    }
    e.el(b"A").el(b"Y").el(b"Y").end();
    if institutional {
        write_stay(e, c);
    }
    if let Some(prior) = c.prior {
        e.seg(b"REF").el(b"F8").sep();
        prior.write(e);
        e.end();
    }
    e.seg(b"HI")
        .el(b"ABK")
        .comp(DIAGNOSES[usize::from(c.diagnosis)].as_bytes())
        .end();
    if institutional {
        e.seg(b"NM1").el(b"71").el(b"1");
        parties::attending(e, c.payee, c.attending);
        e.end();
    }
    for (i, line) in c.lines.iter().enumerate() {
        e.seg(b"LX").num(i as u64 + 1).end();
        if institutional {
            write_sv2(e, line);
        } else {
            write_sv1(e, line);
        }
        e.seg(b"DTP").el(b"472").el(b"D8").date(line.date).end();
        e.seg(b"REF").el(b"6R").sep();
        parties::line_control(e, c.key, i);
        e.end();
    }
}

/// Statement dates, admission date (inpatient) and CL1.
fn write_stay(e: &mut Enc, c: &BilledClaim) {
    let (from, to) = c.statement;
    e.seg(b"DTP")
        .el(b"434")
        .el(b"RD8")
        .date(from)
        .byte(b'-')
        .raw_date(to)
        .end();
    if c.kind == ClaimKind::Inpatient {
        e.seg(b"DTP").el(b"435").el(b"D8").date(from).end();
        e.seg_of(b"CL1", &[b"1", b"7", b"01"]);
    } else {
        e.seg_of(b"CL1", &[b"", b"", b"01"]);
    }
}

fn write_sv1(e: &mut Enc, line: &BilledLine) {
    e.seg(b"SV1");
    procedure(e, line.procedure.unwrap_or(0), &line.modifiers);
    e.amt(line.charge)
        .el(b"UN")
        .num(u64::from(line.units))
        .skip(2)
        .el(b"1")
        .end();
}

/// SV2: revenue code, optional HCPCS, charge, units (days for room and board).
fn write_sv2(e: &mut Enc, line: &BilledLine) {
    let revenue = line.revenue.map_or(&b""[..], |r| r.code.as_bytes());
    e.seg(b"SV2").el(revenue);
    match line.procedure {
        Some(code) => procedure(e, code, &line.modifiers),
        None => {
            e.sep();
        }
    }
    let basis: &[u8] = if line.procedure.is_none() && revenue == b"0120" {
        b"DA"
    } else {
        b"UN"
    };
    e.amt(line.charge)
        .el(basis)
        .num(u64::from(line.units))
        .end();
}
