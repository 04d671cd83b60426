//! What the provider billed for each claim slot: patient, dates, and
//! service lines with procedure or revenue codes, modifiers, units and
//! charges — professional (837P) or institutional (837I) claims.

use jiff::civil::Date;

use super::parties::payee_markup;
use super::rng::{Rng, Stream};
use super::tables::{
    DEPENDENT_NAMES, DIAGNOSES, INPATIENT, Kind, OFFICE_VISITS, OUTPATIENT, PROCEDURES,
    PROFESSIONAL, ROOM_AND_BOARD, Revenue, modifiers,
};
use super::universe::{Universe, add_days};

/// Facility list prices are this many times the professional ones.
const FACILITY_FACTOR: i64 = 3;

/// What form a claim takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClaimKind {
    /// 837P from a clinic, place of service 11 (office).
    Professional,
    /// 837I, type of bill 13x (hospital outpatient).
    Outpatient,
    /// 837I, type of bill 11x (hospital inpatient), paid at claim level.
    Inpatient,
}

impl ClaimKind {
    /// CLP08 and CLM05-1: the place of service or the facility type.
    pub(crate) fn facility_code(self) -> &'static [u8] {
        match self {
            ClaimKind::Professional | ClaimKind::Inpatient => b"11",
            ClaimKind::Outpatient => b"13",
        }
    }
}

/// One billed service line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BilledLine {
    /// Index in [`PROCEDURES`]; `None` for revenue-code-only lines.
    pub(crate) procedure: Option<u8>,
    /// Institutional lines only.
    pub(crate) revenue: Option<&'static Revenue>,
    pub(crate) modifiers: [Option<&'static str>; 2],
    pub(crate) units: u32,
    pub(crate) charge: i64,
    pub(crate) date: Date,
}

impl BilledLine {
    /// List price per unit of this line, as billed or as `procedure`.
    pub(crate) fn list_cents(&self, procedure: Option<u8>) -> i64 {
        let base = match procedure {
            Some(p) => PROCEDURES[usize::from(p)].cents,
            None => self.revenue.map_or(0, |r| r.cents),
        };
        if self.revenue.is_some() {
            base * FACILITY_FACTOR
        } else {
            base
        }
    }
}

/// One billed claim, as the 837 states it.
#[derive(Clone, Debug)]
pub(crate) struct BilledClaim {
    /// What numbers the claim (CLM01, REF*6R): its slot plus the
    /// practice's id base (`SynthConfig::id_base`).
    pub(crate) key: u64,
    pub(crate) kind: ClaimKind,
    pub(crate) payer: u32,
    pub(crate) payee: u32,
    pub(crate) member: u64,
    /// The patient, when not the subscriber (index in `DEPENDENT_NAMES`).
    pub(crate) dependent: Option<u8>,
    /// Attending physician of an institutional claim (0 to 3).
    pub(crate) attending: u8,
    /// When the payer received the claim.
    pub(crate) received: Date,
    /// Days from receipt to the payment that answers this claim.
    pub(crate) wait: i64,
    /// First and last day of service (an inpatient stay's admission and discharge).
    pub(crate) statement: (Date, Date),
    /// CLM05-3: 1 original, 7 replacement.
    pub(crate) frequency: u8,
    /// The ICN a replacement claim replaces (REF*F8).
    pub(crate) prior: Option<super::parties::Icn>,
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
            kind: ClaimKind::Professional,
            payer: 0,
            payee: 0,
            member: 0,
            dependent: None,
            attending: 0,
            received: Date::default(),
            wait: 0,
            statement: (Date::default(), Date::default()),
            frequency: 1,
            prior: None,
            diagnosis: 0,
            lines: Vec::new(),
            charge: 0,
        }
    }

    fn push(&mut self, line: BilledLine) {
        self.charge += line.charge;
        self.statement = (
            self.statement.0.min(line.date),
            self.statement.1.max(line.date),
        );
        self.lines.push(line);
    }
}

impl Universe<'_> {
    /// Fills `out` with the claim first billed for slot `k`.
    pub(crate) fn bill(&self, k: u64, out: &mut BilledClaim) {
        let plan = self.plan(self.transaction_of(k));
        let mix = &self.cfg.mix;
        let mut rng = Rng::keyed(self.cfg.seed, Stream::Bill, k);
        (out.key, out.payer, out.payee) = (self.cfg.id_base() + k, plan.payer, plan.payee);
        out.member = self.pick_member(plan.payer, &mut rng);
        let dependent = rng.chance(mix.dependent);
        out.dependent = dependent.then(|| rng.below(DEPENDENT_NAMES.len() as u64) as u8);
        out.wait = if rng.chance(mix.late) {
            rng.range(35, 75)
        } else {
            rng.range(4, 28)
        };
        out.received = add_days(plan.pay, -out.wait);
        (out.frequency, out.prior) = (1, None);
        out.diagnosis = rng.below(DIAGNOSES.len() as u64) as u8;
        out.attending = rng.below(4) as u8;
        out.kind = match (plan.facility, rng.chance(30)) {
            (false, _) => ClaimKind::Professional,
            (true, true) => ClaimKind::Inpatient,
            (true, false) => ClaimKind::Outpatient,
        };
        let service = add_days(out.received, -rng.range(2, 20));
        self.bill_lines(service, &mut rng, out);
    }

    /// Fills `out` with the replacement claim that slot `k` sends for the
    /// claim of slot `original`, after that claim's first payment.
    pub(crate) fn bill_replacement(&self, k: u64, original: u64, out: &mut BilledClaim) {
        self.bill(original, out);
        let first_paid = self.plan(self.transaction_of(original)).pay;
        let pay = self.plan(self.transaction_of(k)).pay;
        let mut rng = Rng::keyed(self.cfg.seed, Stream::Replace, k);
        out.received = add_days(pay, -rng.range(1, 10)).max(first_paid);
        out.wait = out.received.until(pay).map_or(0, |s| s.get_days()).into();
        out.frequency = 7;
        out.prior = Some(self.icn(original, 0));
    }

    fn pick_member(&self, payer: u32, rng: &mut Rng) -> u64 {
        let payers = self.cfg.payers as u64;
        let insured = (self.cfg.members as u64 - u64::from(payer)).div_ceil(payers);
        u64::from(payer) + payers * rng.below(insured)
    }

    fn bill_lines(&self, service: Date, rng: &mut Rng, out: &mut BilledClaim) {
        out.lines.clear();
        out.charge = 0;
        out.statement = (Date::MAX, Date::MIN);
        let mut n = 1;
        while n < self.cfg.max_lines_per_claim && rng.chance(45) {
            n += 1;
        }
        let markup = payee_markup(out.payee);
        if out.kind == ClaimKind::Inpatient {
            bill_stay(service, n, markup, rng, out);
            return;
        }
        for i in 0..n {
            let line = match out.kind {
                ClaimKind::Outpatient => outpatient_line(service, markup, rng),
                _ => professional_line(service, i == 0, markup, rng),
            };
            out.push(line);
        }
    }
}

/// A line whose charge is the list price with the payee's markup, rounded
/// to whole dollars, times the units.
fn priced(mut line: BilledLine, markup: i64) -> BilledLine {
    let per_unit = (line.list_cents(line.procedure) * markup / 100 + 50) / 100 * 100;
    line.charge = per_unit * i64::from(line.units);
    line
}

fn units_of(procedure: u8, rng: &mut Rng) -> u32 {
    let proc = PROCEDURES[usize::from(procedure)];
    (match proc.kind {
        Kind::Therapy => rng.range(1, 4),
        Kind::Drug if proc.code.starts_with('J') => rng.range(1, 10),
        _ => 1,
    }) as u32
}

fn professional_line(service: Date, first: bool, markup: i64, rng: &mut Rng) -> BilledLine {
    let visit = first && rng.chance(70);
    let procedure = rng.below(if visit { OFFICE_VISITS } else { PROFESSIONAL }) as u8;
    let line = BilledLine {
        procedure: Some(procedure),
        revenue: None,
        modifiers: pick_modifiers(PROCEDURES[usize::from(procedure)].kind, rng),
        units: units_of(procedure, rng),
        charge: 0,
        date: add_days(service, -rng.pick(&[0, 0, 0, 1, 2])),
    };
    priced(line, markup)
}

fn outpatient_line(service: Date, markup: i64, rng: &mut Rng) -> BilledLine {
    let revenue = &OUTPATIENT[rng.below(OUTPATIENT.len() as u64) as usize];
    let line = BilledLine {
        procedure: revenue.procedure,
        revenue: Some(revenue),
        modifiers: [None, None],
        units: match revenue.procedure {
            Some(p) => units_of(p, rng),
            None => rng.range(1, 3) as u32,
        },
        charge: 0,
        date: add_days(service, -rng.pick(&[0, 0, 1])),
    };
    priced(line, markup)
}

/// An inpatient stay ending on `service`: room and board for each day, then
/// other services during the stay.
fn bill_stay(service: Date, n: usize, markup: i64, rng: &mut Rng, out: &mut BilledClaim) {
    let days = rng.range(1, 6);
    let admission = add_days(service, -days);
    let room = BilledLine {
        procedure: None,
        revenue: Some(&ROOM_AND_BOARD),
        modifiers: [None, None],
        units: days as u32,
        charge: 0,
        date: admission,
    };
    out.statement = (admission, service);
    out.push(priced(room, markup));
    for _ in 1..n {
        let revenue = &INPATIENT[rng.below(INPATIENT.len() as u64) as usize];
        let line = BilledLine {
            procedure: revenue.procedure,
            revenue: Some(revenue),
            modifiers: [None, None],
            units: 1,
            charge: 0,
            date: add_days(admission, rng.range(0, days)),
        };
        out.push(priced(line, markup));
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
