//! Writes 837 transactions: professional (005010X222A1) for clinics,
//! institutional (005010X223A2) for hospitals. One billing provider per
//! transaction, one subscriber (and maybe patient) loop per claim; the claim
//! loops themselves are rendered by `clm`.
//!
//! The claims are those the 835 transactions of the same plan answer, so
//! CLM01 = CLP01, the billing NPI = the payee NPI, and every line keeps its
//! procedure, modifiers, date, charge, units and REF*6R.

use jiff::civil::Date;

use super::billing::BilledClaim;
use super::clm;
use super::encode::Enc;
use super::envelope::{Ids, Tally, TransactionWriter};
use super::parties;
use super::universe::{Plan, SlotKind, Universe};

/// Envelope identity of 837 professional transactions.
const PROFESSIONAL: Ids = Ids {
    functional: b"HC",
    version: b"005010X222A1",
    sender: b"SYNTHSUBMITTER",
    receiver: b"SYNTHCLEARING",
};

/// Envelope identity of 837 institutional transactions.
const INSTITUTIONAL: Ids = Ids {
    version: b"005010X223A2",
    ..PROFESSIONAL
};

/// Running totals of the claims added so far, with where to roll back to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    tally: Tally,
    body: (usize, u32),
    hl: u32,
    created: Option<Date>,
}

/// Builds 837 transactions.
pub(crate) struct Claims<'a> {
    u: Universe<'a>,
    plan: Option<Plan>,
    head: Enc,
    body: Enc,
    tail: Enc,
    claim: BilledClaim,
    tally: Tally,
    /// Last HL number used.
    hl: u32,
    /// Creation date (BHT04): the earliest receipt among the claims.
    created: Option<Date>,
}

impl<'a> Claims<'a> {
    /// A writer for the universe `u`.
    pub(crate) fn new(u: Universe<'a>) -> Self {
        let enc = Enc::new(u.cfg);
        Claims {
            u,
            plan: None,
            head: enc.clone(),
            body: enc.clone(),
            tail: enc,
            claim: BilledClaim::new(),
            tally: Tally::default(),
            hl: 1,
            created: None,
        }
    }

    fn emit(&mut self, unanswered: bool) {
        let c = &self.claim;
        self.hl = write_claim(&mut self.body, c, self.hl);
        self.tally.claims += 1;
        self.tally.lines += c.lines.len() as u64;
        self.tally.billed += c.charge;
        self.tally.unmatched += u64::from(unanswered);
        self.created = Some(self.created.map_or(c.received, |d| d.min(c.received)));
    }
}

impl TransactionWriter for Claims<'_> {
    type Mark = Mark;

    fn begin(&mut self, plan: &Plan) {
        self.plan = Some(*plan);
        self.body.clear();
        self.tally = Tally::default();
        self.hl = 1;
        self.created = None;
    }

    fn add(&mut self, k: u64) {
        match self.u.kind(k) {
            SlotKind::Unmatched => {}
            SlotKind::Normal => {
                self.u.bill(k, &mut self.claim);
                self.emit(false);
            }
            SlotKind::Unanswered => {
                self.u.bill(k, &mut self.claim);
                self.emit(true);
            }
            SlotKind::Reversal { original } => {
                self.u.bill_replacement(k, original, &mut self.claim);
                self.emit(false);
            }
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            tally: self.tally,
            body: self.body.mark(),
            hl: self.hl,
            created: self.created,
        }
    }

    fn rollback(&mut self, mark: Mark) {
        self.tally = mark.tally;
        self.body.rollback(mark.body);
        self.hl = mark.hl;
        self.created = mark.created;
    }

    fn claims(&self) -> u64 {
        self.tally.claims
    }

    fn body_len(&self) -> usize {
        self.body.buf.len()
    }

    fn envelope(&self) -> (Ids, Date) {
        let plan = self.plan.expect("begin() before envelope()");
        let ids = if plan.facility {
            INSTITUTIONAL
        } else {
            PROFESSIONAL
        };
        (ids, self.created.unwrap_or(plan.pay))
    }

    fn frame(&mut self, st02: u32) -> (Tally, [&[u8]; 3]) {
        let plan = self.plan.expect("begin() before frame()");
        let (ids, created) = self.envelope();
        self.head.clear();
        write_header(&mut self.head, &plan, st02, ids.version, created);
        self.tail.clear();
        let count = self.head.segments + self.body.segments + 1;
        self.tail
            .seg(b"SE")
            .num(u64::from(count))
            .sep()
            .raw_pad(u64::from(st02), 4)
            .end();
        (self.tally, [&self.head.buf, &self.body.buf, &self.tail.buf])
    }
}

/// ST, BHT, submitter, receiver and the billing provider (HL 1).
fn write_header(e: &mut Enc, plan: &Plan, st02: u32, version: &[u8], created: Date) {
    e.seg(b"ST")
        .el(b"837")
        .sep()
        .raw_pad(u64::from(st02), 4)
        .el(version)
        .end();
    e.seg(b"BHT")
        .el(b"0019")
        .el(b"00")
        .el(b"B")
        .raw_pad(plan.t + 1, 9)
        .date(created);
    e.sep()
        .raw_pad(8 + plan.t % 9, 2)
        .raw_pad(plan.t * 13 % 60, 2)
        .el(b"CH")
        .end();
    e.seg(b"NM1")
        .el(b"41")
        .el(b"2")
        .el(b"SYNTH BILLING SERVICE")
        .skip(4)
        .el(b"46");
    e.el(b"SYNTHSUB01").end();
    e.seg_of(b"PER", &[b"IC", b"EDI DESK", b"TE", b"8005550100"]);
    e.seg(b"NM1").el(b"40").el(b"2").sep();
    parties::payer_name(e, plan.payer);
    e.skip(4).el(b"46").sep();
    parties::payer_id(e, plan.payer);
    e.end();
    e.seg_of(b"HL", &[b"1", b"", b"20", b"1"]);
    e.seg(b"NM1").el(b"85").el(b"2").sep();
    parties::payee_name(e, plan.payee, plan.facility);
    e.skip(4)
        .el(b"XX")
        .num(parties::payee_npi(plan.payee))
        .end();
    parties::address(e, 1, u64::from(plan.payee));
    e.seg(b"REF")
        .el(b"EI")
        .sep()
        .raw_pad(parties::payee_ein(plan.payee), 9)
        .end();
}

/// Writes the subscriber (and patient) loops and the claim; returns the
/// last HL number used.
fn write_claim(e: &mut Enc, c: &BilledClaim, hl: u32) -> u32 {
    let subscriber = hl + 1;
    let has_patient = c.dependent.is_some();
    e.seg(b"HL")
        .num(u64::from(subscriber))
        .el(b"1")
        .el(b"22")
        .num(u64::from(has_patient))
        .end();
    e.seg(b"SBR")
        .el(b"P")
        .el(if has_patient { b"" } else { b"18" });
    e.el(b"GRP")
        .raw_pad(u64::from(c.payer) + 1, 4)
        .skip(5)
        .el(parties::filing_indicator(c.payer))
        .end();
    write_person(e, b"IL", c.member, None, !has_patient);
    e.seg(b"NM1").el(b"PR").el(b"2").sep();
    parties::payer_name(e, c.payer);
    e.skip(4).el(b"PI").sep();
    parties::payer_id(e, c.payer);
    e.end();
    let mut last = subscriber;
    if has_patient {
        last += 1;
        e.seg(b"HL")
            .num(u64::from(last))
            .num(u64::from(subscriber))
            .el(b"23")
            .el(b"0")
            .end();
        e.seg_of(b"PAT", &[b"19"]);
        write_person(e, b"QC", c.member, c.dependent, true);
    }
    clm::write_claim(e, c);
    last
}

/// NM1 for a subscriber (IL, with member id) or patient (QC), and when
/// `demographics` is set the N3, N4 and DMG that go with the patient.
fn write_person(e: &mut Enc, role: &[u8], member: u64, dependent: Option<u8>, demographics: bool) {
    e.seg(b"NM1").el(role).el(b"1");
    parties::member_name(e, member, dependent);
    if role == b"IL" {
        e.skip(3).el(b"MI").sep();
        parties::member_id(e, member);
    }
    e.end();
    if demographics {
        parties::address(e, 2, member);
        let (born, sex) = parties::birth(member, dependent);
        e.seg(b"DMG").el(b"D8").date(born).el(sex).end();
    }
}
