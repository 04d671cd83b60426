#!/usr/bin/env python3
"""Generate the remit sample practice data set (samples/).

Riverside Chiropractic & Family Medicine (billing NPI 1234567893, TIN
123456789) bills ACME HEALTH PLAN (payer id 60054) and STATE MEDICAID MCO
(payer id 77027) from January 2024 to June 2025 and receives the 835s that
answer its 837P claims. Every person is invented.

The committed files are the source of truth; this script is how they were
made, so that every amount stays consistent (all money is `decimal.Decimal`).
It also writes the expected reconciliation (samples/expected/*.csv) and the
generated tables of samples/README.md from a small reference model of the
rules in issues 3, 6 and 9. Run it from anywhere:

    python3 samples/tools/make_samples.py          # rewrite samples/
    python3 samples/tools/check.py                 # validate what was written

Only the Python standard library is used.
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal as D

SAMPLES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AS_OF = date(2025, 7, 31)          # the --as-of the expectations assume
NJ_DAYS, NJ_RATE = 30, D("0.12")   # --prompt-pay nj (electronic claims)
APPEAL_ADMIN, APPEAL_MEDICAL = 90, 180
MEDICAL_CARCS = {"50", "55", "56", "150", "151", "152", "167"}
ZERO = D("0")
CENT = D("0.01")

# --------------------------------------------------------------------------
# Parties
# --------------------------------------------------------------------------
PRACTICE = dict(
    name="RIVERSIDE CHIROPRACTIC & FAMILY MEDICINE",
    npi="1234567893",
    tin="123456789",
    street="410 RIVER ROAD",
    city="RIVERSIDE",
    state="NJ",
    zip="080751234",
    isa_id="RIVERSIDECFM",
    submitter_id="RCFM001",
    phone="8565550147",
    taxonomy="193200000X",
)
CLEARINGHOUSE = dict(name="GARDEN STATE CLEARINGHOUSE", id="GSCH01", isa_id="GSCLEARHOUSE")


@dataclass(frozen=True)
class Payer:
    key: str
    name: str
    payer_id: str
    company_id: str  # BPR10 / TRN03 / CCD+ originator: "1" + EIN
    isa_id: str
    filing: str      # CLP06
    sbr09: str       # 837 SBR09
    street: str
    city: str
    state: str
    zip: str
    phone: str
    dfi: str         # payer bank routing (BPR07)
    account: str     # payer bank account (BPR09)
    money: str       # "min" (X12 style, no trailing zeros) or "fixed" (2 decimals)


ACME = Payer("A", "ACME HEALTH PLAN", "60054", "1310060054", "ACMEHP60054", "12", "CI",
             "PO BOX 6005", "HARTFORD", "CT", "06150", "8005550100", "011000028", "88776655", "min")
MCD = Payer("M", "STATE MEDICAID MCO", "77027", "1220077027", "STMCO77027", "MC", "MC",
            "1 MCO PLAZA", "TRENTON", "NJ", "08625", "8005550177", "031201360", "40302010", "fixed")
PAYERS = {"A": ACME, "M": MCD}
PRACTICE_DFI, PRACTICE_ACCOUNT = "031207607", "4410098765"


@dataclass(frozen=True)
class Member:
    id: str
    last: str
    first: str
    sex: str
    dob: str
    street: str
    city: str
    zip: str
    payer: Payer
    group: str = ""


MEMBERS = {m.id: m for m in [
    Member("ACM100234", "HARPER", "NORA", "F", "19810412", "22 ELM ST", "RIVERSIDE", "08075", ACME, "G48120"),
    Member("ACM100251", "OKAFOR", "DANIEL", "M", "19750930", "7 BRIDGEBORO ST", "DELRAN", "08075", ACME, "G48120"),
    Member("ACM100277", "LINDQVIST", "ELSA", "F", "19900221", "145 POMONA RD", "CINNAMINSON", "08077", ACME, "G51733"),
    Member("ACM100289", "MARSH", "PETER", "M", "19681102", "31 LEAF AVE", "PALMYRA", "08065", ACME, "G51733"),
    Member("ACM100302", "DELGADO", "ROSA", "F", "19590617", "88 CHESTER AVE", "MOORESTOWN", "08057", ACME, "G20011"),
    Member("ACM100318", "BRENNAN", "LIAM", "M", "19940125", "12 FAIRVIEW ST", "RIVERSIDE", "08075", ACME, "G48120"),
    Member("ACM100345", "YAMADA", "KEIKO", "F", "19860808", "403 HIGH ST", "BURLINGTON", "08016", ACME, "G60402"),
    Member("ACM100361", "FOSTER", "GRANT", "M", "19720314", "56 CHURCH RD", "DELRAN", "08075", ACME, "G60402"),
    Member("MCD880012", "RIVERA", "LUCIA", "F", "19880704", "19 PAVILION AVE", "RIVERSIDE", "08075", MCD),
    Member("MCD880027", "THOMPSON", "JAMAL", "M", "19791219", "240 BROAD ST", "PALMYRA", "08065", MCD),
    Member("MCD880035", "NGUYEN", "MAI", "F", "19950505", "6 ZURBRUGG WAY", "RIVERSIDE", "08075", MCD),
    Member("MCD880049", "KOWALSKI", "ADAM", "M", "19621010", "77 WARREN ST", "BURLINGTON", "08016", MCD),
    Member("MCD880056", "OSEI", "ABENA", "F", "20010303", "310 RAILROAD AVE", "DELRAN", "08075", MCD),
    Member("MCD880063", "PRICE", "WALTER", "M", "19550228", "15 LAUREL ST", "CINNAMINSON", "08077", MCD),
    Member("MCD880071", "BAKER", "TERESA", "F", "19830916", "92 MADISON AVE", "RIVERSIDE", "08075", MCD),
]}

# --------------------------------------------------------------------------
# Charges and fee schedule
# --------------------------------------------------------------------------
CHARGE = {  # the practice's charge per unit
    "98940": D("65.00"), "98941": D("85.00"), "97140": D("55.00"), "97110": D("50.00"),
    "97012": D("40.00"), "G0283": D("35.00"), "99213": D("125.00"), "99214": D("185.00"),
    "99203": D("170.00"),
}
FEE_ROWS = [  # procedure, modifier, allowed per unit, payer ("" = any payer)
    ("98940", "", "42.50", ACME.name), ("98940", "", "31.20", MCD.name),
    ("98941", "", "55.00", ACME.name), ("98941", "", "40.10", MCD.name),
    ("97140", "", "31.50", ""), ("97140", "GP", "28.40", MCD.name),
    ("97110", "", "29.00", ""), ("97110", "GP", "25.60", MCD.name),
    ("97012", "", "18.75", ACME.name), ("97012", "", "15.10", MCD.name),
    ("G0283", "", "35.00", ACME.name), ("G0283", "", "12.25", MCD.name),
    ("99203", "", "125.00", ACME.name), ("99203", "", "98.80", MCD.name),
    ("99213", "", "92.00", ACME.name), ("99213", "25", "88.00", ACME.name), ("99213", "", "71.30", MCD.name),
    ("99214", "", "135.00", ACME.name), ("99214", "", "104.50", MCD.name),
]


def fee(payer: Payer, proc: str, mods: tuple[str, ...]) -> D:
    """Scheduled allowed per unit: exact modifier match, else the modifier-less
    row; a row for this payer wins over an any-payer row."""
    def pick(modifier: str):
        rows = [r for r in FEE_ROWS if r[0] == proc and r[1] == modifier and r[3] in (payer.name, "")]
        rows.sort(key=lambda r: r[3] == "")  # payer-specific first
        return D(rows[0][2]) if rows else None
    assert len(mods) <= 1, "samples keep to one modifier per line"
    exact = pick(mods[0]) if mods else None
    plain = pick("")
    assert exact is not None or plain is not None, (proc, mods, payer.name)
    return exact if exact is not None else plain


# --------------------------------------------------------------------------
# 837 model
# --------------------------------------------------------------------------
@dataclass
class BLine:
    proc: str
    mods: tuple[str, ...]
    units: int
    dos: date
    ref6r: str | None = None
    lx: int = 0
    claim: "BClaim | None" = field(default=None, repr=False)

    @property
    def charge(self) -> D:
        return CHARGE[self.proc] * self.units

    def ref(self) -> str:
        return f"claims/{self.claim.file}#{self.claim.id}/{self.lx}"


@dataclass
class BClaim:
    id: str
    member: Member
    lines: list[BLine]
    freq: str = "1"
    f8: str | None = None   # payer claim control number being replaced / voided
    file: str = ""
    bht: date | None = None
    dx: tuple[str, ...] = ("M9901", "M542", "M9903", "M5450")

    @property
    def payer(self) -> Payer:
        return self.member.payer

    @property
    def total(self) -> D:
        return sum((l.charge for l in self.lines), ZERO)


def L(proc: str, dos: date, units: int = 1, mod: str | None = None, ref6r: bool = True) -> BLine:
    return BLine(proc, (mod,) if mod else (), units, dos, "" if ref6r else None)


def claim(cid: str, member: str, *lines: BLine, freq="1", f8=None, dx=None) -> BClaim:
    c = BClaim(cid, MEMBERS[member], list(lines), freq, f8)
    if dx:
        c.dx = dx
    for i, l in enumerate(c.lines, 1):
        l.lx, l.claim = i, c
        if l.ref6r == "":
            l.ref6r = f"{cid.replace('RC', '').replace('-', '')}{i:02d}"
    return c


# --------------------------------------------------------------------------
# 835 model
# --------------------------------------------------------------------------
@dataclass
class Svc:
    proc: str
    mods: tuple[str, ...]
    charge: D
    paid: D
    units: D | None               # SVC05 (None = omitted, i.e. 1)
    orig_units: D | None          # SVC07
    svc06: tuple[str, tuple[str, ...]] | None
    dos: date
    cas: list[tuple[str, str, D, D | None]]
    ref6r: str | None
    b6: D | None
    remarks: tuple[str, ...]
    billed: BLine                 # the 837 line a correct matcher pairs it with

    @property
    def id_proc(self):            # identity: SVC06 when present, else SVC01
        return self.svc06 if self.svc06 else (self.proc, self.mods)


@dataclass
class ClaimPay:
    claim_id: str
    status: str                   # CLP02
    icn: str                      # CLP07
    member: Member
    lines: list[Svc]
    claim_cas: list[tuple[str, str, D, D | None]] = field(default_factory=list)
    dtm050: date | None = None
    amt_i: D | None = None
    note: str = ""

    @property
    def charge(self) -> D:
        return sum((s.charge for s in self.lines), ZERO)

    @property
    def paid(self) -> D:
        return sum((s.paid for s in self.lines), ZERO) - sum((c[2] for c in self.claim_cas), ZERO)

    @property
    def patient_resp(self) -> D:
        pr = [c[2] for s in self.lines for c in s.cas if c[0] == "PR"]
        pr += [c[2] for c in self.claim_cas if c[0] == "PR"]
        return sum(pr, ZERO)


@dataclass
class Plb:
    reason: str
    ref: str
    amount: D
    note: str = ""


@dataclass
class Txn:
    payer: Payer
    pay_date: date
    trace: str
    claims: list[ClaimPay]
    plbs: list[Plb] = field(default_factory=list)
    method: str = "ACH"           # ACH, CHK (trace = check number) or NON
    st: str = "0001"
    file: str = ""
    isa13: str = ""

    @property
    def prod_date(self) -> date:
        return self.pay_date - timedelta(days=2)

    @property
    def total(self) -> D:
        return sum((c.paid for c in self.claims), ZERO) - sum((p.amount for p in self.plbs), ZERO)


def _cas_pr(pr):
    return [("PR", code, D(a), None) for code, a in pr]


def pay(bl: BLine, pr=(), allowed: str | None = None, b6=True, ref6r=True, remarks=()) -> Svc:
    """A paid line: CO-45 down to the allowed amount, then patient responsibility."""
    payer = bl.claim.payer
    allowed_amt = D(allowed) if allowed is not None else fee(payer, bl.proc, bl.mods) * bl.units
    cas = []
    if bl.charge - allowed_amt:
        cas.append(("CO", "45", bl.charge - allowed_amt, None))
    cas += _cas_pr(pr)
    paid = allowed_amt - sum((c[2] for c in _cas_pr(pr)), ZERO)
    return Svc(bl.proc, bl.mods, bl.charge, paid, D(bl.units) if bl.units != 1 else None, None, None,
               bl.dos, cas, bl.ref6r if ref6r else None, allowed_amt if b6 else None, tuple(remarks), bl)


def pr_only(bl: BLine, pr, ref6r=True) -> Svc:
    """Paid 0, only patient responsibility (deductible): PATIENT_RESP."""
    cas = _cas_pr(pr)
    assert sum((c[2] for c in cas), ZERO) == bl.charge
    return Svc(bl.proc, bl.mods, bl.charge, ZERO, None, None, None, bl.dos, cas,
               bl.ref6r if ref6r else None, bl.charge, (), bl)


def deny(bl: BLine, reason: str, remarks=(), group="CO", ref6r=True) -> Svc:
    """Denied line: SVC03 0, SVC05 0 paid units, SVC07 the units billed."""
    return Svc(bl.proc, bl.mods, bl.charge, ZERO, ZERO, D(bl.units), None, bl.dos,
               [(group, reason, bl.charge, None)], bl.ref6r if ref6r else None, None, tuple(remarks), bl)


def neg(x: D | None) -> D | None:
    return None if x is None else -x


def reversal(cp: ClaimPay, note="") -> ClaimPay:
    """CLP02 22: same CLP01/CLP07, every charge, payment and adjustment negated."""
    lines = [replace(s, charge=-s.charge, paid=-s.paid,
                     units=-(s.units if s.units is not None else D(1)),
                     orig_units=neg(s.orig_units),
                     cas=[(g, r, -a, neg(q)) for g, r, a, q in s.cas],
                     b6=neg(s.b6), remarks=()) for s in cp.lines]
    return ClaimPay(cp.claim_id, "22", cp.icn, cp.member, lines,
                    [(g, r, -a, neg(q)) for g, r, a, q in cp.claim_cas], None, neg(cp.amt_i), note)


def cp(c: BClaim, icn: str, *lines: Svc, status="1", dtm050=None, amt_i=None, claim_cas=(), note="") -> ClaimPay:
    return ClaimPay(c.id, status, icn, c.member, list(lines), list(claim_cas), dtm050,
                    D(amt_i) if amt_i is not None else None, note)


def icn(payer: Payer, d: date, seq: int) -> str:
    doy = d.timetuple().tm_yday
    if payer is ACME:
        return f"{d:%y}{doy:03d}{seq:06d}"
    return f"7702{d:%y}{doy:03d}{seq:05d}"


# --------------------------------------------------------------------------
# The data set
# --------------------------------------------------------------------------
def d(s: str) -> date:
    return date.fromisoformat(s)


FAMILY_DX = ("I10", "E119")
CLAIM_FILES: list[tuple[str, date, list[BClaim]]] = []   # (file name, BHT04, claims)
UNBILLED: list[BClaim] = []                              # remitted, never in an 837
TXNS: list[Txn] = []
_icn_seq = {"A": 0, "M": 0}


def next_icn(payer: Payer, day: date) -> str:
    _icn_seq[payer.key] += 1
    return icn(payer, day, 900 + _icn_seq[payer.key] * 7)


def bill(name: str, bht: str, *claims: BClaim) -> None:
    for c in claims:
        c.file, c.bht = name, d(bht)
    CLAIM_FILES.append((name, d(bht), list(claims)))


def remit(payer: Payer, day: str, *claims: ClaimPay, plbs=(), method="ACH", trace=None, st="0001") -> Txn:
    t = Txn(payer, d(day), trace or "", list(claims), list(plbs), method, st)
    TXNS.append(t)
    return t


# ---- 837 claims, month by month -------------------------------------------
c001 = claim("RC24-001", "ACM100234", L("98941", d("2024-01-08")), L("97140", d("2024-01-08"), mod="59"))
c002 = claim("RC24-002", "ACM100251", L("98940", d("2024-01-10")), L("97110", d("2024-01-10"), 2))
c003 = claim("RC24-003", "ACM100277", L("99213", d("2024-01-12"), mod="25"), L("98941", d("2024-01-12")))
c004 = claim("RC24-004", "ACM100289", L("99214", d("2024-01-15")), dx=FAMILY_DX)
c005 = claim("RC24-005", "MCD880012", L("98941", d("2024-01-09")), L("97012", d("2024-01-09"), mod="GP"))
c006 = claim("RC24-006", "MCD880027", L("99213", d("2024-01-11")), dx=FAMILY_DX)
c007 = claim("RC24-007", "MCD880071", L("99203", d("2024-01-16")), L("98940", d("2024-01-16")))
c008 = claim("RC24-008", "ACM100302", L("98941", d("2024-01-17")))
bill("2024-01-837p.x12", "2024-01-19", c001, c002, c003, c004, c005, c006, c007, c008)

c009 = claim("RC24-009", "ACM100318", L("98941", d("2024-02-06")), L("97140", d("2024-02-06"), mod="59"),
             L("G0283", d("2024-02-06")))
c010 = claim("RC24-010", "ACM100345", L("99203", d("2024-02-07")), dx=FAMILY_DX)
c011 = claim("RC24-011", "ACM100361", L("G0283", d("2024-02-08")), L("98940", d("2024-02-08")))
c012 = claim("RC24-012", "MCD880049", L("98941", d("2024-02-06")), L("97110", d("2024-02-06"), 2, mod="GP"))
c013 = claim("RC24-013", "MCD880056", L("98940", d("2024-02-09")), L("97140", d("2024-02-09"), mod="GP"))
c014 = claim("RC24-014", "ACM100234", L("98941", d("2024-02-12")), L("97140", d("2024-02-12"), mod="59"))
bill("2024-02-837p.x12", "2024-02-16", c009, c010, c011, c012, c013, c014)

c015 = claim("RC24-015", "ACM100251", L("98940", d("2024-03-05")), L("97012", d("2024-03-05")))
c016 = claim("RC24-016", "ACM100277", L("99214", d("2024-03-06")), dx=FAMILY_DX)
c017 = claim("RC24-017", "MCD880063", L("98941", d("2023-11-20")))
c018 = claim("RC24-018", "MCD880012", L("98941", d("2024-03-07")), L("97012", d("2024-03-07"), mod="GP"))
c019 = claim("RC24-019", "ACM100289", L("98941", d("2024-03-11"), mod="AT"), L("97012", d("2024-03-11")),
             L("97140", d("2024-03-11"), mod="59"))
c020 = claim("RC24-020", "MCD880027", L("99213", d("2024-03-12"), mod="25"), L("98940", d("2024-03-12")))
bill("2024-03-837p.x12", "2024-03-15", c015, c016, c017, c018, c019, c020)

c021 = claim("RC24-021", "ACM100302", L("97110", d("2024-04-09"), 3), L("98940", d("2024-04-09")))
c022 = claim("RC24-022", "ACM100318", L("98940", d("2024-04-10")), L("97110", d("2024-04-10"), 1))
c023 = claim("RC24-023", "MCD880035", L("98941", d("2024-04-11")))
c024 = claim("RC24-024", "ACM100345", L("98941", d("2024-04-16")))
c025 = claim("RC24-025", "MCD880049", L("98940", d("2024-04-15")), L("97012", d("2024-04-15"), mod="GP"))
bill("2024-04-837p.x12", "2024-04-19", c021, c022, c023, c024, c025)

# ---- remittances ------------------------------------------------------------
A = ACME
M = MCD
c118 = claim("RC23-118", "ACM100361", L("98940", d("2023-12-18")))   # billed before the samples begin
UNBILLED.append(c118)
c118.file = "(no 837)"

p001 = cp(c001, next_icn(A, d("2024-02-05")), pay(c001.lines[0], pr=[("3", "20.00")]), pay(c001.lines[1]))
p002 = cp(c002, next_icn(A, d("2024-02-05")), pay(c002.lines[0], pr=[("3", "20.00")]), pay(c002.lines[1]))
p003 = cp(c003, next_icn(A, d("2024-02-05")), pay(c003.lines[0], pr=[("2", "17.60")]),
          pay(c003.lines[1], pr=[("2", "11.00")]))
p004 = cp(c004, next_icn(A, d("2024-02-05")), pay(c004.lines[0], pr=[("2", "27.00")]), dtm050=d("2024-01-22"))
p008 = cp(c008, next_icn(A, d("2024-02-05")), pay(c008.lines[0]))
p118 = cp(c118, next_icn(A, d("2024-02-05")), pay(c118.lines[0], ref6r=False))
A1 = remit(A, "2024-02-07", p001, p002, p003, p004, p008, p118)

p005 = cp(c005, next_icn(M, d("2024-02-12")), pay(c005.lines[0], b6=False), pay(c005.lines[1], b6=False))
p006 = cp(c006, next_icn(M, d("2024-02-12")), deny(c006.lines[0], "16", remarks=("N290",)))
p007 = cp(c007, next_icn(M, d("2024-02-12")), pay(c007.lines[0]), pay(c007.lines[1]))
M1 = remit(M, "2024-02-14", p005, p006, p007)

p009 = cp(c009, next_icn(A, d("2024-03-04")), pay(c009.lines[0]), pay(c009.lines[1]), pay(c009.lines[2]))
p010 = cp(c010, next_icn(A, d("2024-03-04")), pay(c010.lines[0], pr=[("1", "50.00")]))
p011 = cp(c011, next_icn(A, d("2024-03-04")), pr_only(c011.lines[0], [("1", "35.00")]),
          pay(c011.lines[1], pr=[("1", "15.00")]))
p014 = cp(c014, next_icn(A, d("2024-03-04")), pay(c014.lines[0], pr=[("3", "20.00")]), pay(c014.lines[1]))
A2 = remit(A, "2024-03-06", p009, p010, p011, p014)

p012 = cp(c012, next_icn(M, d("2024-03-11")), pay(c012.lines[0]), pay(c012.lines[1]))
p013 = cp(c013, next_icn(M, d("2024-03-11")), pay(c013.lines[0], allowed="29.64"), pay(c013.lines[1]))
M2 = remit(M, "2024-03-13", p012, p013)

# bundling (TR3 1.10.2.6 / RFI 2278): 97012 is bundled into 98941-AT.
b19_target = Svc("98941", ("AT",), D("85.00"), D("44.00"), None, None, None, d("2024-03-11"),
                 [("OA", "94", D("-40.00"), None), ("CO", "45", D("70.00"), None), ("PR", "2", D("11.00"), None)],
                 c019.lines[0].ref6r, D("55.00"), (), c019.lines[0])
b19_bundled = Svc("98941", ("AT",), D("40.00"), ZERO, ZERO, D(1), ("97012", ()), d("2024-03-11"),
                  [("CO", "97", D("40.00"), D(1))], c019.lines[1].ref6r, None, ("M15",), c019.lines[1])
p015 = cp(c015, next_icn(A, d("2024-04-08")), deny(c015.lines[0], "197", remarks=("M62",)),
          deny(c015.lines[1], "197", remarks=("M62",)))
p016 = cp(c016, next_icn(A, d("2024-04-08")), deny(c016.lines[0], "50", remarks=("N130",)))
p019 = cp(c019, next_icn(A, d("2024-04-08")), b19_target, b19_bundled, pay(c019.lines[2], pr=[("2", "6.30")]))
A3 = remit(A, "2024-04-10", p015, p016, p019)

p017 = cp(c017, next_icn(M, d("2024-04-08")), deny(c017.lines[0], "29"))
p018a = cp(c018, next_icn(M, d("2024-04-08")), deny(c018.lines[0], "197", remarks=("N54",)),
           deny(c018.lines[1], "197", remarks=("N54",)))
p020 = cp(c020, next_icn(M, d("2024-04-08")), pay(c020.lines[0]), pay(c020.lines[1]),
          claim_cas=[("PR", "3", D("2.00"), None)])
M3 = remit(M, "2024-04-10", p017, p018a, p020)

p021 = cp(c021, next_icn(A, d("2024-04-29")), pay(c021.lines[0], allowed="78.00"), pay(c021.lines[1]))
p022 = cp(c022, next_icn(A, d("2024-04-29")), pay(c022.lines[0], pr=[("3", "20.00")]), pay(c022.lines[1]))
p024a = cp(c024, next_icn(A, d("2024-04-29")), pay(c024.lines[0], pr=[("3", "20.00")]))
A4 = remit(A, "2024-05-01", p021, p022, p024a)

p023 = cp(c023, next_icn(M, d("2024-05-06")), pay(c023.lines[0]))
p025 = cp(c025, next_icn(M, d("2024-05-06")), pay(c025.lines[0]), pay(c025.lines[1]))
M4 = remit(M, "2024-05-08", p023, p025)

# ---- May 2024 837: a replacement (7) and a void (8) --------------------------
c026 = claim("RC24-026", "ACM100318", L("98940", d("2024-04-10")), L("97110", d("2024-04-10"), 2),
             freq="7", f8=p022.icn)
c023v = claim("RC24-023", "MCD880035", L("98941", d("2024-04-11")), freq="8", f8=p023.icn)
c023v.lines[0].ref6r = c023.lines[0].ref6r
c027 = claim("RC24-027", "ACM100251", L("98941", d("2024-05-07")), L("97140", d("2024-05-07"), mod="59"))
c028 = claim("RC24-028", "MCD880056", L("98941", d("2024-05-08")), L("97140", d("2024-05-08"), mod="GP"))
bill("2024-05-837p.x12", "2024-05-10", c026, c023v, c027, c028)

p009c = cp(c009, next_icn(A, d("2024-05-13")), pay(c009.lines[0], pr=[("3", "20.00")]), pay(c009.lines[1]),
           pay(c009.lines[2]), note="correction: copay applied")
p024b = cp(c024, next_icn(A, d("2024-05-13")), pay(c024.lines[0], pr=[("3", "20.00")]), note="paid again")
A5 = remit(A, "2024-05-15", reversal(p009, "reversal of 2024-03-06 payment"), p009c, p024b)

p022c = cp(c022, next_icn(A, d("2024-05-27")), pay(c026.lines[0], pr=[("3", "20.00")]), pay(c026.lines[1]),
           dtm050=d("2024-05-13"), note="replacement RC24-026 adjudicated under the original CLM01")
p027 = cp(c027, next_icn(A, d("2024-05-27")), pay(c027.lines[0], pr=[("3", "20.00")]), pay(c027.lines[1]),
          dtm050=d("2024-05-12"))
A6 = remit(A, "2024-05-29", reversal(p022, "replaced by RC24-026"), p022c, p027)

p018b = cp(c018, next_icn(M, d("2024-06-03")), deny(c018.lines[0], "50", remarks=("N130",)),
           deny(c018.lines[1], "50", remarks=("N130",)), note="re-adjudicated after authorization")
p028 = cp(c028, next_icn(M, d("2024-06-03")), pay(c028.lines[0]), pay(c028.lines[1]))
M5 = remit(M, "2024-06-05", reversal(p023, "voided by the practice (RC24-023 frequency 8)"), p018b, p028)

# ---- June 2024: prompt-pay interest -------------------------------------------
c029 = claim("RC24-029", "ACM100361", L("99214", d("2024-05-28")), L("98941", d("2024-05-28")))
c030 = claim("RC24-030", "ACM100234", L("98941", d("2024-05-29")), L("97140", d("2024-05-29"), mod="59"))
c031 = claim("RC24-031", "MCD880063", L("99213", d("2024-05-30")), L("98940", d("2024-05-30")), dx=FAMILY_DX)
bill("2024-06-837p.x12", "2024-06-03", c029, c030, c031)

p029 = cp(c029, next_icn(A, d("2024-08-12")), pay(c029.lines[0], pr=[("3", "20.00")]), pay(c029.lines[1]))
p030 = cp(c030, next_icn(A, d("2024-08-12")), pay(c030.lines[0], pr=[("3", "20.00")]), pay(c030.lines[1]),
          dtm050=d("2024-06-05"), amt_i="0.45")
A7 = remit(A, "2024-08-14", p029, p030, plbs=[
    Plb("L6", p030.icn, D("-0.45"), "interest on RC24-030 (AMT*I 0.45)"),
    Plb("WO", p008.icn, D("55.00"), "recovery of RC24-008 paid 2024-02-07 (letter, no reversal)"),
    Plb("WO", p024b.icn, D("35.00"), "recovery of the duplicate RC24-024 payment of 2024-05-15"),
    Plb("72", "RFND10442", D("-35.00"), "practice's refund check RFND10442 for the duplicate"),
    Plb("CS", "PROVSETTLE0824", D("-25.00"), "provider settlement, no claim"),
])

p031 = cp(c031, next_icn(M, d("2024-08-19")), pay(c031.lines[0]), pay(c031.lines[1]),
          dtm050=d("2024-06-05"), amt_i="1.58")
M6 = remit(M, "2024-08-21", p031, plbs=[Plb("L6", c031.id, D("-1.58"), "interest on RC24-031 (AMT*I 1.58)")])

# ---- August 2024 onwards --------------------------------------------------------
c032 = claim("RC24-032", "MCD880035", L("98940", d("2024-08-06")), L("97140", d("2024-08-06"), mod="GP"))
c033 = claim("RC24-033", "ACM100251", L("98941", d("2024-08-07")), L("97140", d("2024-08-07"), mod="59"))
bill("2024-08-837p.x12", "2024-08-16", c032, c033)

p008d = cp(c008, next_icn(A, d("2024-09-09")), deny(c008.lines[0], "50", remarks=("N130",), ref6r=False),
           note="re-listed as denied after the WO recovery")
p033 = cp(c033, next_icn(A, d("2024-09-09")), pay(c033.lines[0], pr=[("3", "20.00")]), pay(c033.lines[1]),
          dtm050=d("2024-08-19"))
A8 = remit(A, "2024-09-11", p008d, p033)

p032 = cp(c032, next_icn(M, d("2024-09-09")), pay(c032.lines[0]), pay(c032.lines[1]))
r007 = reversal(p007, "retroactive termination of eligibility")
fb = r007.paid + p032.paid
assert fb < 0
M7 = remit(M, "2024-09-11", r007, p032, method="NON",
           plbs=[Plb("FB", "BF24091101", fb, "negative balance carried forward")])

c034 = claim("RC24-034", "ACM100302", L("98941", d("2024-09-10")), L("97110", d("2024-09-10"), 2))
c035 = claim("RC24-035", "MCD880049", L("99213", d("2024-09-12"), mod="25"), L("98941", d("2024-09-12")),
             L("97140", d("2024-09-12"), mod="GP"))
bill("2024-09-837p.x12", "2024-09-20", c034, c035)

p007d = cp(c007, next_icn(M, d("2024-10-07")), deny(c007.lines[0], "27", remarks=("N30",), ref6r=False),
           deny(c007.lines[1], "27", remarks=("N30",), ref6r=False), note="denied after the reversal")
p035 = cp(c035, next_icn(M, d("2024-10-07")), pay(c035.lines[0]), pay(c035.lines[1]), pay(c035.lines[2]),
          dtm050=d("2024-09-23"))
M8 = remit(M, "2024-10-09", p007d, p035, plbs=[Plb("FB", "BF24091101", -fb, "balance forward applied")])

p034 = cp(c034, next_icn(A, d("2024-10-14")), pay(c034.lines[0]), pay(c034.lines[1]), dtm050=d("2024-09-23"))
A9 = remit(A, "2024-10-16", p034)

c036 = claim("RC24-036", "MCD880012", L("98940", d("2024-11-07")), L("97140", d("2024-11-07"), mod="GP"))
c037 = claim("RC24-037", "ACM100318", L("98940", d("2024-11-12")))
bill("2024-11-837p.x12", "2024-11-15", c036, c037)

p036 = cp(c036, next_icn(M, d("2024-12-02")), pay(c036.lines[0]), pay(c036.lines[1]))
M9 = remit(M, "2024-12-04", p036, method="CHK", trace="0048213")

# 2025: no REF*6R on these 837 lines
e001 = claim("RC25-001", "ACM100234", L("98941", d("2025-02-04"), ref6r=False),
             L("97140", d("2025-02-04"), mod="59", ref6r=False))
e002 = claim("RC25-002", "ACM100289", L("99213", d("2025-02-06"), mod="25", ref6r=False),
             L("98941", d("2025-02-06"), ref6r=False))
e003 = claim("RC25-003", "MCD880012", L("99214", d("2025-02-05"), mod="25", ref6r=False),
             L("98941", d("2025-02-05"), ref6r=False))
e004 = claim("RC25-004", "MCD880027", L("98940", d("2025-02-10"), ref6r=False))
bill("2025-02-837p.x12", "2025-02-14", e001, e002, e003, e004)

q003 = cp(e003, next_icn(M, d("2025-03-03")), pay(e003.lines[0]), pay(e003.lines[1]))
M10 = remit(M, "2025-03-05", q003)

q001 = cp(e001, next_icn(A, d("2025-03-10")), pay(e001.lines[0], pr=[("3", "20.00")]), pay(e001.lines[1]))
q002 = cp(e002, next_icn(A, d("2025-03-10")), pay(e002.lines[0], pr=[("2", "17.60")]),
          pay(e002.lines[1], pr=[("2", "11.00")]))
A10a = remit(A, "2025-03-12", q001, st="0001", trace="2025031200388")
A10b = remit(A, "2025-03-12", q002, st="0002", trace="2025031200388")   # same EFT, second 835

e005 = claim("RC25-005", "ACM100289", L("98941", d("2025-05-20")), L("97110", d("2025-05-20"), 2))
e006 = claim("RC25-006", "MCD880049", L("98941", d("2025-05-21")))
bill("2025-05-837p.x12", "2025-05-30", e005, e006)

# the exam's case: a "remediation reprocessing" remittance re-lists lines paid
# 16 months earlier as denied: CLP02 1, SVC03 0, no reversal, no PLB, no REF*6R.
relist = dict(ref6r=False)
p001r = cp(c001, next_icn(A, d("2025-06-16")), deny(c001.lines[0], "50", ("N130",), **relist),
           deny(c001.lines[1], "50", ("N130",), **relist), note="remediation re-listing")
p002r = cp(c002, next_icn(A, d("2025-06-16")), deny(c002.lines[0], "50", ("N130",), **relist),
           deny(c002.lines[1], "50", ("N130",), **relist), note="remediation re-listing")
p003r = cp(c003, next_icn(A, d("2025-06-16")), deny(c003.lines[0], "204", ("N130",), **relist),
           deny(c003.lines[1], "50", ("N130",), **relist), note="remediation re-listing")
p014r = cp(c014, next_icn(A, d("2025-06-16")), deny(c014.lines[0], "50", ("N130",), **relist),
           deny(c014.lines[1], "50", ("N130",), **relist), note="remediation re-listing")
q005 = cp(e005, next_icn(A, d("2025-06-16")), pay(e005.lines[0], pr=[("2", "11.00")]),
          pay(e005.lines[1], pr=[("2", "11.60")]), dtm050=d("2025-06-02"))
A11 = remit(A, "2025-06-18", p001r, p002r, p003r, p014r, q005)

q006 = cp(e006, next_icn(M, d("2025-06-23")), pay(e006.lines[0]))
M11 = remit(M, "2025-06-25", q006)

e007 = claim("RC25-007", "ACM100345", L("99213", d("2025-06-24"), mod="25"), L("98941", d("2025-06-24")))
e008 = claim("RC25-008", "MCD880056", L("98940", d("2025-06-23")))
bill("2025-06-837p.x12", "2025-06-27", e007, e008)

# ---- traces, files, interchange control numbers ----------------------------------
_trace_seq = {"A": 100, "M": 30}
for t in sorted(TXNS, key=lambda t: (t.pay_date, t.payer.key, t.st)):
    if not t.trace:
        _trace_seq[t.payer.key] += 17
        n = _trace_seq[t.payer.key]
        t.trace = f"{t.pay_date:%Y%m%d}{n:05d}" if t.payer is ACME else f"MC{t.pay_date:%y%m%d}{n:04d}"
    t.file = f"{'acme' if t.payer is ACME else 'mcd'}-{t.pay_date.isoformat()}.835"

STYLE = {  # delimiter / line-break variants (everything else: "~" then LF)
    "acme-2024-03-06.835": "none",     # no line breaks at all
    "mcd-2024-04-10.835": "crlf",      # CRLF after each terminator
    "mcd-2024-12-04.835": "pipe",      # | elements, > components, ^ repetition, newline terminator
    "2024-09-837p.x12": "crlf",
}


# --------------------------------------------------------------------------
# X12 writing
# --------------------------------------------------------------------------
def money(x: D, style: str) -> str:
    """X12 R type. "min": no trailing zeros (85, 31.5); "fixed": 2 decimals."""
    x = D(x)
    if style == "fixed":
        return f"{x.quantize(CENT):f}"
    s = f"{x.quantize(CENT):f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def qty(x: D | int | None) -> str:
    if x is None:
        return ""
    s = f"{D(x):f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def ymd(x: date) -> str:
    return f"{x:%Y%m%d}"


class Comp(tuple):
    """A composite element; its components are joined with the component separator."""


DELIMS = {  # style -> (element, component, repetition, terminator, line break)
    "lf": ("*", ":", "^", "~", "\n"),
    "none": ("*", ":", "^", "~", ""),
    "crlf": ("*", ":", "^", "~", "\r\n"),
    "pipe": ("|", ">", "^", "\n", ""),
}


def isa(sender: str, receiver: str, when: date, hhmm: str, ctl: str, style: str) -> list:
    el, comp, rep, _, _ = DELIMS[style]
    return ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{sender:<15}", "ZZ", f"{receiver:<15}",
            f"{when:%y%m%d}", hhmm, rep, "00501", ctl, "0", "P", comp]


def serialize(segments: list[list], style: str) -> str:
    el, comp, rep, term, brk = DELIMS[style]
    out = []
    for seg in segments:
        parts = []
        for e in seg:
            pieces = [str(c) for c in e] if isinstance(e, Comp) else [str(e)]
            for piece in pieces if seg[0] != "ISA" else ():
                for bad in (el, comp, rep, term):
                    assert bad not in piece, (seg, bad)
            parts.append(comp.join(pieces).rstrip(comp) if isinstance(e, Comp) else pieces[0])
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
        out.append(el.join(parts) + term + brk)
    text = "".join(out)
    assert len(out[0]) - len(brk) == 106, out[0]
    return text


def envelope(body_sets: list[list[list]], gs01: str, version: str, sender: str, receiver: str,
             when: date, hhmm: str, ctl: str, gs06: str, style: str) -> str:
    segs = [isa(sender, receiver, when, hhmm, ctl, style),
            ["GS", gs01, sender, receiver, ymd(when), hhmm, gs06, "X", version]]
    for body in body_sets:
        st02 = body[0][2]
        segs += body + [["SE", str(len(body) + 1), st02]]
    segs += [["GE", str(len(body_sets)), gs06], ["IEA", "1", ctl]]
    return serialize(segs, style)


def cas_segments(cas: list, style: str) -> list[list]:
    """One CAS per group code, in first-seen order, up to 6 triples each."""
    out, groups = [], {}
    for g, r, a, q in cas:
        groups.setdefault(g, []).append((r, a, q))
    for g, triples in groups.items():
        for i in range(0, len(triples), 6):
            seg = ["CAS", g]
            for r, a, q in triples[i:i + 6]:
                seg += [r, money(a, style), qty(q)]
            out.append(seg)
    return out


def body_835(t: Txn) -> list[list]:
    p, s = t.payer, t.payer.money
    amt = money(t.total, s)
    if t.method == "ACH":
        bpr = ["BPR", "I", amt, "C", "ACH", "CCP", "01", p.dfi, "DA", p.account, p.company_id, "",
               "01", PRACTICE_DFI, "DA", PRACTICE_ACCOUNT, ymd(t.pay_date)]
    elif t.method == "CHK":
        bpr = ["BPR", "I", amt, "C", "CHK"] + [""] * 11 + [ymd(t.pay_date)]
    else:
        assert t.total == 0
        bpr = ["BPR", "H", "0", "C", "NON"] + [""] * 11 + [ymd(t.pay_date)]
    b = [["ST", "835", t.st], bpr, ["TRN", "1", t.trace, p.company_id],
         ["DTM", "405", ymd(t.prod_date)],
         ["N1", "PR", p.name], ["N3", p.street], ["N4", p.city, p.state, p.zip], ["REF", "2U", p.payer_id],
         ["PER", "BL", "EDI SUPPORT", "TE", p.phone],
         ["N1", "PE", PRACTICE["name"], "XX", PRACTICE["npi"]], ["N3", PRACTICE["street"]],
         ["N4", PRACTICE["city"], PRACTICE["state"], PRACTICE["zip"]], ["REF", "TJ", PRACTICE["tin"]],
         ["LX", "1"]]
    for c in t.claims:
        pr = c.patient_resp
        b.append(["CLP", c.claim_id, c.status, money(c.charge, s), money(c.paid, s),
                  money(pr, s) if pr else "", p.filing, c.icn, "11", "1"])
        b += cas_segments(c.claim_cas, s)
        m = c.member
        b.append(["NM1", "QC", "1", m.last, m.first, "", "", "", "MI", m.id])
        if c.dtm050:
            b.append(["DTM", "050", ymd(c.dtm050)])
        if c.amt_i is not None:
            b.append(["AMT", "I", money(c.amt_i, s)])
        for v in c.lines:
            svc = ["SVC", Comp(("HC", v.proc) + v.mods), money(v.charge, s), money(v.paid, s), "",
                   qty(v.units), "", qty(v.orig_units)]
            if v.svc06:
                svc[6] = Comp(("HC", v.svc06[0]) + v.svc06[1])
            b.append(svc)
            b.append(["DTM", "472", ymd(v.dos)])
            b += cas_segments(v.cas, s)
            if v.ref6r:
                b.append(["REF", "6R", v.ref6r])
            if v.b6 is not None:
                b.append(["AMT", "B6", money(v.b6, s)])
            if v.remarks:
                for r in v.remarks:
                    b.append(["LQ", "HE", r])
    fiscal = f"{t.pay_date.year}1231"
    for i in range(0, len(t.plbs), 6):
        seg = ["PLB", PRACTICE["npi"], fiscal]
        for plb in t.plbs[i:i + 6]:
            seg += [Comp((plb.reason, plb.ref)), money(plb.amount, s)]
        b.append(seg)
    return b


def body_837(bht: date, claims: list[BClaim], st: str) -> list[list]:
    b = [["ST", "837", st, "005010X222A1"],
         ["BHT", "0019", "00", f"RCB{ymd(bht)}", ymd(bht), "1730", "CH"],
         ["NM1", "41", "2", PRACTICE["name"], "", "", "", "", "46", PRACTICE["submitter_id"]],
         ["PER", "IC", "BILLING OFFICE", "TE", PRACTICE["phone"]],
         ["NM1", "40", "2", CLEARINGHOUSE["name"], "", "", "", "", "46", CLEARINGHOUSE["id"]],
         ["HL", "1", "", "20", "1"],
         ["PRV", "BI", "PXC", PRACTICE["taxonomy"]],
         ["NM1", "85", "2", PRACTICE["name"], "", "", "", "", "XX", PRACTICE["npi"]],
         ["N3", PRACTICE["street"]], ["N4", PRACTICE["city"], PRACTICE["state"], PRACTICE["zip"]],
         ["REF", "EI", PRACTICE["tin"]]]
    by_member: dict[str, list[BClaim]] = {}
    for c in claims:
        by_member.setdefault(c.member.id, []).append(c)
    hl = 1
    for mid, cs in by_member.items():
        m = cs[0].member
        hl += 1
        b += [["HL", str(hl), "1", "22", "0"],
              ["SBR", "P", "18", m.group, "", "", "", "", "", m.payer.sbr09],
              ["NM1", "IL", "1", m.last, m.first, "", "", "", "MI", m.id],
              ["N3", m.street], ["N4", m.city, "NJ", m.zip], ["DMG", "D8", m.dob, m.sex],
              ["NM1", "PR", "2", m.payer.name, "", "", "", "", "PI", m.payer.payer_id]]
        for c in cs:
            b.append(["CLM", c.id, money(c.total, "fixed"), "", "", Comp(("11", "B", c.freq)),
                      "Y", "A", "Y", "Y"])
            if c.f8:
                b.append(["REF", "F8", c.f8])
            b.append(["HI", Comp(("ABK", c.dx[0]))] + [Comp(("ABF", x)) for x in c.dx[1:]])
            for l in c.lines:
                b += [["LX", str(l.lx)],
                      ["SV1", Comp(("HC", l.proc) + l.mods), money(l.charge, "fixed"), "UN", str(l.units),
                       "", "", Comp(("1", "2"))],
                      ["DTP", "472", "D8", ymd(l.dos)]]
                if l.ref6r:
                    b.append(["REF", "6R", l.ref6r])
    return b


def write(path: str, text: str) -> None:
    full = os.path.join(SAMPLES, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", newline="", encoding="ascii") as f:
        f.write(text)


def write_x12() -> None:
    ctl = {"A": 100000100, "M": 200000200, "P": 300000500}
    files: dict[str, list[Txn]] = {}
    for t in sorted(TXNS, key=lambda t: (t.pay_date, t.payer.key, t.st)):
        files.setdefault(t.file, []).append(t)
    for name, txns in files.items():
        p = txns[0].payer
        ctl[p.key] += 1
        for t in txns:
            t.isa13 = f"{ctl[p.key]:09d}"
        style = STYLE.get(name, "lf")
        text = envelope([body_835(t) for t in txns], "HP", "005010X221A1", p.isa_id, PRACTICE["isa_id"],
                        txns[0].prod_date, "0615", f"{ctl[p.key]:09d}", str(ctl[p.key] % 100000), style)
        write(f"remits/{name}", text)
    for name, bht, claims in CLAIM_FILES:
        ctl["P"] += 1
        style = STYLE.get(name, "lf")
        text = envelope([body_837(bht, claims, "0001")], "HC", "005010X222A1", PRACTICE["isa_id"],
                        CLEARINGHOUSE["isa_id"], bht, "1730", f"{ctl['P']:09d}", str(ctl["P"] % 100000), style)
        write(f"claims/{name}", text)


def write_fee_schedule() -> None:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["procedure", "modifier", "allowed", "payer"])
    for r in FEE_ROWS:
        w.writerow(r)
    write("fee-schedule.csv", out.getvalue())


# --------------------------------------------------------------------------
# Reference model: the ledger a correct `remit reconcile` should produce
#   remit reconcile samples/ --fee-schedule samples/fee-schedule.csv \
#         --prompt-pay nj --as-of 2025-07-31
# --------------------------------------------------------------------------
LEDGER_COLUMNS = [
    "source", "payer", "payee_npi", "trace", "payment_date", "claim_id", "payer_claim_id", "claim_status",
    "member_id", "member_name", "service_date", "procedure", "modifiers", "units", "billed", "allowed",
    "paid", "patient_resp", "adjustments", "remarks", "status", "flags", "prior_paid", "prior_payment_date",
    "prior_trace", "expected", "variance", "net_paid", "appeal_by", "matched_claim_line", "age_days",
    "at_stake", "plb_reference",
]


def carc_categories() -> dict[str, str]:
    """CARC -> category of remit's built-in code list (data/codes.csv)."""
    path = os.path.join(os.path.dirname(SAMPLES), "data", "codes.csv")
    with open(path, newline="") as f:
        return {r["code"]: r["category"] for r in csv.DictReader(f) if r["list"] == "carc"}


CARC_CATEGORY = carc_categories()
FLAG_ORDER = ["PREVIOUSLY_PAID_REPORTED_DENIED", "RECOUPED", "UNDERPAID", "DUPLICATE_PAYMENT", "NO_MATCHING_CLAIM",
              "INCONSISTENT_DENIAL", "INTEREST_DUE", "DEPRECATED_GROUP_CODE", "PARTIAL_DENIAL"]


def denies(reason: str) -> bool:
    """Issue 15: an adjustment refuses payment when its CARC is in the denial or
    duplicate category, or unknown to the code list -- whatever its group."""
    return CARC_CATEGORY.get(reason) in (None, "denial", "duplicate")


def line_status(claim_status: str, charge: D, paid: D, cas) -> str:
    nonzero = [x for x in cas if x[2] != 0]
    if claim_status == "22":
        return "REVERSAL"
    if paid != 0:
        return "PAID"
    if any(denies(r) for _, r, _, _ in nonzero):
        return "DENIED"
    if sum((a for g, _, a, _ in cas if g == "PR"), ZERO) > 0:
        return "PATIENT_RESP"
    if not nonzero and charge != 0:
        return "DENIED"                         # nothing explains the non-payment
    return "NO_PAYMENT_DUE"


def denied_amount(status: str, charge: D, paid: D, cas) -> D:
    if status == "DENIED" and not [x for x in cas if x[2] != 0]:
        return max(ZERO, charge - paid)
    return max(ZERO, sum((a for _, r, a, _ in cas if a != 0 and denies(r)), ZERO))


def m2(x: D | None) -> str:
    return "" if x is None else f"{D(x).quantize(CENT):f}"


def adj_text(cas) -> str:
    return ";".join(f"{g}-{r}:{m2(a)}" for g, r, a, _ in cas)


def appeal_by(pay_date: date, cas) -> str:
    medical = any(r in MEDICAL_CARCS for g, r, a, _ in cas if a != 0 and denies(r))
    return (pay_date + timedelta(days=APPEAL_MEDICAL if medical else APPEAL_ADMIN)).isoformat()


@dataclass
class LineState:
    net: D = ZERO
    last_pay: tuple | None = None        # (paid, date, trace)
    paid_since_reversal: bool = False
    recouped: bool = False
    last_kind: str = ""
    last_denial: frozenset = frozenset()
    dup_excess: D = ZERO                  # money paid twice and not yet taken back


def interest(principal: D, days: int) -> D:
    return (principal * NJ_RATE * days / D(365)).quantize(CENT, rounding=ROUND_HALF_UP)


def ordered_txns() -> list[Txn]:
    return sorted(TXNS, key=lambda t: (t.pay_date, t.prod_date, t.isa13, t.st))


def billed_ids() -> set[str]:
    return {c.id for _, _, cs in CLAIM_FILES for c in cs}


def run_model():
    """Returns (ledger rows, interest rows, per-line final state)."""
    billed = billed_ids()
    icn_to_claim = {c.icn: c for t in TXNS for c in t.claims}
    claims_by_id = {c.id: c for _, _, cs in CLAIM_FILES for c in cs if c.freq != "8"}
    states: dict[tuple, LineState] = {}
    line_keys: dict[str, list[tuple]] = {}      # claim id -> keys of its lines (for PLB allocation)
    rows, irows = [], []
    answered: set[int] = set()

    def key_of(t: Txn, c: ClaimPay, v: Svc) -> tuple:
        proc, mods = v.id_proc
        return (t.payer.name, PRACTICE["npi"], c.claim_id, c.member.id, v.dos, proc, frozenset(mods))

    def base(t: Txn, c: ClaimPay | None) -> dict:
        r = dict.fromkeys(LEDGER_COLUMNS, "")
        r.update(source=f"remits/{t.file}", payer=t.payer.name, payee_npi=PRACTICE["npi"], trace=t.trace,
                 payment_date=t.pay_date.isoformat())
        if c:
            r.update(claim_id=c.claim_id, payer_claim_id=c.icn, claim_status=c.status, member_id=c.member.id,
                     member_name=f"{c.member.last}, {c.member.first}")
        return r

    voided = {c.id for _, _, cs in CLAIM_FILES for c in cs if c.freq == "8"}

    def own_stake(t: Txn, c: ClaimPay, v: Svc) -> D:
        """What a correction puts at stake on its own row (denied part or shortfall)."""
        status = line_status(c.status, v.charge, v.paid, v.cas)
        denied = denied_amount(status, v.charge, v.paid, v.cas)
        if status == "DENIED":
            return denied
        pr = sum((a for g, _, a, _ in v.cas if g == "PR"), ZERO)
        allowed = v.b6 if v.b6 is not None else v.paid + pr
        units = v.orig_units if v.orig_units is not None else (v.units if v.units is not None else D(1))
        proc, mods = v.id_proc
        shortfall = max(ZERO, fee(t.payer, proc, mods) * units - allowed)
        return max(denied if status == "PAID" else ZERO, shortfall)

    for t in ordered_txns():
        reversed_here: dict[str, D] = {}
        # issue 15: what corrections in this 835 give back to the lines its reversals take from
        reversed_claims = {c.claim_id for c in t.claims if c.status == "22"}
        cover: dict[tuple, list] = {}            # key -> [paid, PR, own stake, PR of the reversed payment]
        for c in t.claims:
            if c.status == "22":
                for v in c.lines:
                    pr = sum((a for g, _, a, _ in v.cas if g == "PR"), ZERO)
                    cover.setdefault(key_of(t, c, v), [ZERO] * 4)[3] -= pr
        for c in t.claims:
            if c.status != "22" and c.claim_id in reversed_claims:
                for v in c.lines:
                    k = key_of(t, c, v)
                    assert k in cover, "corrections in the samples correct lines their reversal names"
                    cover[k][0] += v.paid
                    cover[k][1] += sum((a for g, _, a, _ in v.cas if g == "PR"), ZERO)
                    cover[k][2] += own_stake(t, c, v)
        covers = {k: p + max(ZERO, pr - before) + own for k, (p, pr, own, before) in cover.items()}
        for c in t.claims:
            if c.status == "22":
                reversed_here[c.claim_id] = reversed_here.get(c.claim_id, ZERO) - c.paid
            line_rows = []
            for v in c.lines:
                k = key_of(t, c, v)
                line_keys.setdefault(c.claim_id, [])
                if k not in line_keys[c.claim_id]:
                    line_keys[c.claim_id].append(k)
                st = states.setdefault(k, LineState())
                answered.add(id(v.billed))
                pr = sum((a for g, _, a, _ in v.cas if g == "PR"), ZERO)
                status = line_status(c.status, v.charge, v.paid, v.cas)
                denied = denied_amount(status, v.charge, v.paid, v.cas)
                stake = ZERO
                allowed = v.b6 if v.b6 is not None else v.paid + pr
                units = v.orig_units if v.orig_units is not None else (v.units if v.units is not None else D(1))
                proc, mods = v.id_proc
                r = base(t, c)
                r.update(service_date=v.dos.isoformat(), procedure=proc, modifiers=":".join(mods),
                         units=qty(units), billed=m2(v.charge), allowed=m2(allowed), paid=m2(v.paid),
                         patient_resp=m2(pr), adjustments=adj_text(v.cas), remarks=";".join(v.remarks),
                         status=status,
                         matched_claim_line=v.billed.ref() if c.claim_id in billed else "")
                flags = []
                if c.claim_id not in billed:
                    flags.append("NO_MATCHING_CLAIM")
                net_before = st.net
                if status == "REVERSAL":
                    # issue 3: a reversal that takes back money paid earlier is RECOUPED,
                    # whether or not a correction re-pays it in the same 835
                    if net_before > 0:
                        flags.append("RECOUPED")
                        r.update(prior_paid=m2(st.last_pay[0]), prior_payment_date=st.last_pay[1].isoformat(),
                                 prior_trace=st.last_pay[2])
                        st.recouped = True
                        # issue 15: at stake is what it takes back less a duplicate payment it undoes,
                        # nothing when it answers the practice's own void, and less what a correction
                        # in the same 835 pays back, moves to the patient or puts at stake itself
                        taken = -v.paid
                        duplicate = min(taken, st.dup_excess)
                        stake = taken - duplicate
                        if c.claim_id in voided:
                            stake = ZERO
                        used = min(stake, covers.get(k, ZERO))
                        if k in covers:
                            covers[k] -= used
                        stake -= used
                    st.dup_excess = max(ZERO, st.dup_excess + v.paid)
                    st.paid_since_reversal = False
                    st.net += v.paid
                elif status == "PAID":
                    if st.paid_since_reversal and net_before > 0:
                        flags.append("DUPLICATE_PAYMENT")
                        r.update(prior_paid=m2(st.last_pay[0]), prior_payment_date=st.last_pay[1].isoformat(),
                                 prior_trace=st.last_pay[2])
                        st.dup_excess += v.paid
                    if denied > 0:
                        flags.append("PARTIAL_DENIAL")
                    st.net += v.paid
                    st.last_pay = (v.paid, t.pay_date, t.trace)
                    st.paid_since_reversal, st.recouped = True, False
                elif status == "DENIED":
                    reasons = frozenset((g, rr) for g, rr, a, _ in v.cas if a != 0 and denies(rr))
                    duplicate_only = bool(reasons) and all(CARC_CATEGORY.get(rr) == "duplicate"
                                                           for _, rr in reasons)
                    stake = denied
                    if net_before > 0 and not st.recouped:
                        r.update(prior_paid=m2(st.last_pay[0]), prior_payment_date=st.last_pay[1].isoformat(),
                                 prior_trace=st.last_pay[2])
                        if duplicate_only:
                            stake = ZERO
                        else:
                            flags.append("PREVIOUSLY_PAID_REPORTED_DENIED")
                            stake = st.net
                    elif st.recouped:
                        flags.append("RECOUPED")
                        r.update(prior_paid=m2(st.last_pay[0]), prior_payment_date=st.last_pay[1].isoformat(),
                                 prior_trace=st.last_pay[2])
                        stake = min(denied, st.last_pay[0])
                    if st.last_kind == "DENIED" and st.last_denial and reasons and st.last_denial != reasons:
                        flags.append("INCONSISTENT_DENIAL")
                    st.last_denial = reasons
                elif net_before > 0 and not st.recouped:
                    # PATIENT_RESP / NO_PAYMENT_DUE after a payment that stands: cited, not flagged
                    r.update(prior_paid=m2(st.last_pay[0]), prior_payment_date=st.last_pay[1].isoformat(),
                             prior_trace=st.last_pay[2])
                if status in ("PAID", "PATIENT_RESP", "NO_PAYMENT_DUE"):
                    exp = fee(t.payer, proc, mods) * units
                    r.update(expected=m2(exp), variance=m2(allowed - exp))
                    if allowed < exp:
                        flags.append("UNDERPAID")
                    stake = max(denied if status == "PAID" else ZERO, max(ZERO, exp - allowed))
                st.last_kind = status
                r["net_paid"] = m2(st.net)
                r["at_stake"] = m2(stake)
                r["_flags"] = flags
                line_rows.append((r, v))
            if c.claim_cas:
                r = base(t, c)
                r.update(at_stake=m2(ZERO), paid=m2(-sum((a for _, _, a, _ in c.claim_cas), ZERO)),
                         patient_resp=m2(sum((a for g, _, a, _ in c.claim_cas if g == "PR"), ZERO)),
                         adjustments=adj_text(c.claim_cas), status="CLAIM_ADJUSTMENT", _flags=[],
                         # a claim-level row names the billed claim, not a line
                         matched_claim_line=(c.lines[0].billed.ref().rsplit("/", 1)[0]
                                             if c.claim_id in billed else ""))
                line_rows.append((r, None))
            # prompt-pay interest (issue 6, rule nj) for claims that pay something
            bc = claims_by_id.get(c.lines[0].billed.claim.id) if c.claim_id in billed else None
            if c.status != "22" and c.paid > 0 and bc is not None:
                receipt, source = (c.dtm050, "DTM*050") if c.dtm050 else (bc.bht, "BHT04")
                due = receipt + timedelta(days=NJ_DAYS)
                days = max(0, (t.pay_date - due).days)
                principal = max(ZERO, c.paid - reversed_here.get(c.claim_id, ZERO))
                owed = interest(principal, days)
                got = c.amt_i or ZERO
                l6 = sum((p.amount for p in t.plbs if p.reason == "L6" and p.ref in (c.icn, c.claim_id)), ZERO)
                assert -l6 == got, (c.claim_id, l6, got)
                due_flag = owed - got >= CENT
                if days:
                    per_line = sum((interest(v.paid, days) for v in c.lines if v.paid > 0), ZERO)
                    assert per_line == owed or principal != c.paid, (c.claim_id, per_line, owed)
                irows.append(dict(claim_id=c.claim_id, payer=t.payer.name, trace=t.trace,
                                  payment_date=t.pay_date.isoformat(), receipt_date=receipt.isoformat(),
                                  receipt_source=source, due_date=due.isoformat(), days_late=str(days),
                                  principal=m2(principal), rate="0.12", interest_owed=m2(owed),
                                  interest_paid=m2(got), difference=m2(owed - got),
                                  flag="INTEREST_DUE" if due_flag else ""))
                if due_flag:
                    for r, v in line_rows:
                        if v is not None and r["status"] == "PAID":
                            r["_flags"].append("INTEREST_DUE")
            rows += [r for r, _ in line_rows]
        for p in t.plbs:
            r = base(t, None)
            r.update(claim_id=p.ref, paid=m2(-p.amount), adjustments=f"PLB-{p.reason}:{m2(p.amount)}",
                     status="PROVIDER_ADJUSTMENT", at_stake=m2(ZERO), _flags=[])
            target = icn_to_claim.get(p.ref)
            target_id = target.claim_id if target else (p.ref if p.ref in line_keys else None)
            # issue 18: the row names the claim its reference names (claim_id,
            # member, procedure when one), the reference itself in plb_reference
            named = line_keys.get(target_id, []) if target_id else []
            procs = {k[5] for k in named if k[5]}
            r.update(plb_reference=p.ref, claim_id=target_id if named else "",
                     member_id=named[0][3] if named and len({k[3] for k in named}) == 1 else "",
                     procedure=procs.pop() if len(procs) == 1 else "")
            if p.reason in ("WO", "72", "FB") and target_id and p.amount > 0:
                keys = line_keys[target_id]
                assert len(keys) == 1, "recoveries in the samples hit one-line claims only"
                st = states[keys[0]]
                if st.net > 0:
                    r["_flags"].append("RECOUPED")
                    r.update(prior_paid=m2(st.last_pay[0]), prior_payment_date=st.last_pay[1].isoformat(),
                             prior_trace=st.last_pay[2])
                    taken = min(st.net, p.amount)
                    # issue 15: taking back a duplicate payment is nothing to appeal
                    duplicate = min(taken, st.dup_excess)
                    st.dup_excess -= duplicate
                    r["at_stake"] = m2(taken - duplicate)
                    st.net -= p.amount
                    st.recouped = st.net <= 0
                    r["net_paid"] = m2(st.net)
            rows.append(r)
    for r in rows:
        flags = sorted(r.pop("_flags"), key=FLAG_ORDER.index)   # the ledger's order (ledger::Flag::ALL)
        r["flags"] = ";".join(flags)
        appealable = r["status"] == "DENIED" or {"PARTIAL_DENIAL", "UNDERPAID", "RECOUPED"} & set(flags)
        if appealable and D(r["at_stake"]) > 0:
            adj = [] if not r["adjustments"] or r["adjustments"].startswith("PLB") else [
                (a.split("-")[0], a.split("-")[1].split(":")[0], D(a.split(":")[1]), None)
                for a in r["adjustments"].split(";")]
            r["appeal_by"] = appeal_by(date.fromisoformat(r["payment_date"]), adj)
    # void lines are answered by the payer's reversal of the original claim
    for _, _, cs in CLAIM_FILES:
        for c in cs:
            if c.freq == "8":
                answered.update(id(l) for l in c.lines)
    for name, bht, cs in CLAIM_FILES:
        for c in cs:
            for l in c.lines:
                if id(l) in answered:
                    continue
                r = dict.fromkeys(LEDGER_COLUMNS, "")
                r.update(source=f"claims/{name}", payer=c.payer.name, payee_npi=PRACTICE["npi"], claim_id=c.id,
                         member_id=c.member.id, member_name=f"{c.member.last}, {c.member.first}",
                         service_date=l.dos.isoformat(), procedure=l.proc, modifiers=":".join(l.mods),
                         units=str(l.units), billed=m2(l.charge), status="NO_REMITTANCE",
                         matched_claim_line=l.ref(), age_days=str((AS_OF - l.dos).days))
                rows.append(r)
    return rows, irows, states


def write_csv(path: str, columns: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    w = csv.DictWriter(out, columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    write(path, out.getvalue())


# --------------------------------------------------------------------------
# Bank deposits (issue 9): BAI2 and CSV describing the same deposits
# --------------------------------------------------------------------------
@dataclass
class Deposit:
    day: date
    amount: D
    type_code: str        # BAI2 detail type: 165 preauthorized ACH credit, 169 misc ACH credit, 175 check deposit
    text: str
    bank_ref: str = ""
    expect: str = ""      # what a correct `remit deposits` reports for it
    traces: tuple[str, ...] = ()


def ccd_text(payer: Payer, trace: str) -> str:
    return f"{payer.name} HCCLAIMPMT CCD TRN*1*{trace}*{payer.company_id}\\"


def build_deposits() -> tuple[list[Deposit], list[dict]]:
    deposits: list[Deposit] = []
    payments: list[dict] = []
    by_trace: dict[str, list[Txn]] = {}
    for t in ordered_txns():
        by_trace.setdefault(t.trace, []).append(t)
    for trace, ts in by_trace.items():
        t, total = ts[0], sum((x.total for x in ts), ZERO)
        p = dict(trace=trace, payer=t.payer.name, payment_date=t.pay_date.isoformat(), method=t.method,
                 amount=m2(total), files=" + ".join(sorted({f"remits/{x.file} ST {x.st}" for x in ts})), deposits="")
        if t.method == "NON":
            p["expect"] = "no money moves (BPR02 0, NON): nothing to match"
        elif t is M11:
            p["expect"] = "REMITTANCE WITHOUT DEPOSIT: money promised, never received"
        elif t.method == "CHK":
            dep = Deposit(t.pay_date + timedelta(days=2), total, "175",
                          f"REMOTE DEPOSIT CHECK {trace} {t.payer.name}", expect="matched by check number and amount",
                          traces=(trace,))
            deposits.append(dep)
            p["expect"] = "matched: check number and amount"
        elif t is M10:
            parts = [D("100.00"), total - D("100.00")]
            for i, a in enumerate(parts):
                deposits.append(Deposit(t.pay_date + timedelta(days=i), a, "165", ccd_text(t.payer, trace),
                                        expect="SPLIT: one of two deposits for one 835", traces=(trace,)))
            p["expect"] = f"SPLIT: two deposits {m2(parts[0])} + {m2(parts[1])}"
        elif len(ts) > 1:
            deposits.append(Deposit(t.pay_date, total, "165", ccd_text(t.payer, trace),
                                    expect="COMBINED: one deposit for two 835 transactions with the same trace",
                                    traces=(trace,)))
            p["expect"] = "COMBINED: one deposit covers both transactions (same TRN02)"
        else:
            deposits.append(Deposit(t.pay_date, total, "165", ccd_text(t.payer, trace),
                                    expect="matched: ACH trace and amount", traces=(trace,)))
            p["expect"] = "matched: ACH trace and amount"
        payments.append(p)
    deposits.append(Deposit(d("2025-05-28"), D("212.40"), "169", ccd_text(ACME, "2025052800391"),
                            expect="DEPOSIT WITHOUT REMITTANCE: no 835 has trace 2025052800391",
                            traces=("2025052800391",)))
    deposits.sort(key=lambda x: (x.day, x.amount))
    for i, dep in enumerate(deposits, 1):
        dep.bank_ref = f"RB{dep.day:%y%m%d}{i:04d}"
        for p in payments:
            if p["trace"] in dep.traces:
                p["deposits"] = (p["deposits"] + " + " if p["deposits"] else "") + \
                    f"{dep.day.isoformat()} {m2(dep.amount)} ({dep.bank_ref})"
    return deposits, payments


def cents(x: D) -> str:
    return str(int((x * 100).to_integral_value()))


def write_bank(deposits: list[Deposit]) -> None:
    acct = PRACTICE_ACCOUNT
    recs = [f"01,RIVERBANKNJ,RIVERSIDECFM,{AS_OF:%y%m%d},0600,{AS_OF:%Y%m%d},,,2/"]
    file_total, groups = 0, 0
    by_day: dict[date, list[Deposit]] = {}
    for dep in deposits:
        by_day.setdefault(dep.day, []).append(dep)
    for day, deps in sorted(by_day.items()):
        groups += 1
        credits = sum((x.amount for x in deps), ZERO)
        acct_recs = [f"03,{acct},USD,100,{cents(credits)},{len(deps)},/"]
        for dep in deps:
            head, _, tail = dep.text.partition(" TRN*")
            if tail:  # the CCD+ addenda go on an 88 continuation
                acct_recs.append(f"16,{dep.type_code},{cents(dep.amount)},0,{dep.bank_ref},,{head}")
                acct_recs.append(f"88,TRN*{tail}")
            else:
                acct_recs.append(f"16,{dep.type_code},{cents(dep.amount)},0,{dep.bank_ref},,{dep.text}")
        acct_total = 2 * int(cents(credits))          # 03 summary + 16 details
        acct_recs.append(f"49,{acct_total},{len(acct_recs) + 1}/")
        group = [f"02,RIVERSIDECFM,RIVERBANKNJ,1,{day:%y%m%d},2400,USD,2/"] + acct_recs
        group.append(f"98,{acct_total},1,{len(group) + 1}/")
        recs += group
        file_total += acct_total
    recs.append(f"99,{file_total},{groups},{len(recs) + 1}/")
    write("bank/deposits.bai2", "\n".join(recs) + "\n")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["date", "amount", "description"])
    for dep in deposits:
        w.writerow([dep.day.isoformat(), m2(dep.amount), f"{dep.text} REF {dep.bank_ref}"])
    write("bank/deposits.csv", out.getvalue())


# --------------------------------------------------------------------------
# Practice postings (issue 9)
# --------------------------------------------------------------------------
POSTED_COLUMNS = ["claim_id", "service_date", "procedure", "payer", "amount_posted", "adjustment_posted",
                  "posting_date"]
POSTING_FINDINGS = [  # (claim, procedure, finding) — what `remit posting` must report
    ("RC24-034", "98941", "posted less than paid: 50.00 posted, 55.00 paid (-5.00)"),
    ("RC24-035", "97140", "posted more than paid: 31.50 posted, 28.40 paid (+3.10)"),
    ("RC24-032", "97140", "paid but never posted: 28.40 paid 2024-09-11"),
    ("RC24-037", "98940", "posted but never paid: 42.50 posted 2024-12-20, no 835 line (NO_REMITTANCE)"),
    ("RC24-002", "97110", "previously-paid-reported-denied line wrongly reversed in the books: "
                          "-58.00 posted 2025-06-20; the 58.00 paid 2024-02-07 stands"),
    ("RC24-016", "99214", "write-off on a line that should be appealed: 185.00 adjusted 2024-04-12, "
                          "DENIED CO-50, appeal by 2024-10-07"),
]


def build_postings(rows: list[dict]) -> list[dict]:
    posted = []
    for r in rows:
        if r["status"] not in ("PAID", "PATIENT_RESP", "REVERSAL") or not r["procedure"]:
            continue
        contractual = sum((D(a.split(":")[1]) for a in r["adjustments"].split(";")
                           if a and not a.startswith("PR-")), ZERO)
        if "UNDERPAID" in r["flags"]:
            contractual = D(r["billed"]) - D(r["expected"])   # keep the underpayment open for appeal
        when = date.fromisoformat(r["payment_date"]) + timedelta(days=2)
        posted.append(dict(claim_id=r["claim_id"], service_date=r["service_date"], procedure=r["procedure"],
                           payer=r["payer"], amount_posted=r["paid"], adjustment_posted=m2(contractual),
                           posting_date=when.isoformat()))
    def find(cid, proc):
        return [p for p in posted if p["claim_id"] == cid and p["procedure"] == proc]
    find("RC24-034", "98941")[0]["amount_posted"] = "50.00"
    find("RC24-035", "97140")[0]["amount_posted"] = "31.50"
    posted.remove(find("RC24-032", "97140")[0])
    posted += [
        dict(claim_id="RC24-037", service_date="2024-11-12", procedure="98940", payer=ACME.name,
             amount_posted="42.50", adjustment_posted="22.50", posting_date="2024-12-20"),
        dict(claim_id="RC24-002", service_date="2024-01-10", procedure="97110", payer=ACME.name,
             amount_posted="-58.00", adjustment_posted="0.00", posting_date="2025-06-20"),
        dict(claim_id="RC24-016", service_date="2024-03-06", procedure="99214", payer=ACME.name,
             amount_posted="0.00", adjustment_posted="185.00", posting_date="2024-04-12"),
        # recoveries the practice booked: the WO take-back on RC24-008 and its own refund check
        # for the duplicate RC24-024 payment (refunded 2024-07-20, acknowledged by PLB 72 on 2024-08-14)
        dict(claim_id="RC24-008", service_date="2024-01-17", procedure="98941", payer=ACME.name,
             amount_posted="-55.00", adjustment_posted="0.00", posting_date="2024-08-16"),
        dict(claim_id="RC24-024", service_date="2024-04-16", procedure="98941", payer=ACME.name,
             amount_posted="-35.00", adjustment_posted="0.00", posting_date="2024-07-20"),
    ]
    posted.sort(key=lambda p: (p["posting_date"], p["claim_id"], p["procedure"]))
    return posted


# --------------------------------------------------------------------------
# README tables and expected files
# --------------------------------------------------------------------------
SCENARIOS = [  # (number, scenario, claims, note)
    ("1", "PAID: CO-45 contractual + PR-1/2/3 patient responsibility, allowed from AMT*B6",
     ["RC24-004", "RC24-010", "RC24-027", "RC24-005"],
     "RC24-005 has no AMT*B6: allowed = paid + PR. Every PAID row has expected = fee x units and "
     "variance 0.00 unless listed under 9."),
    ("2", "DENIED: administrative (CO-16 + N290, CO-197, CO-29) and medical necessity (CO-50)",
     ["RC24-006", "RC24-015", "RC24-017", "RC24-016"],
     "appeal_by = BPR16 + 90 days (administrative) or + 180 days (CARC 50)."),
    ("3", "PATIENT_RESP: paid 0, only PR-1 deductible", ["RC24-011"],
     "The G0283 line is PATIENT_RESP (expected 35.00, variance 0.00); the 98940 line is PAID with PR-1 15.00."),
    ("4", "PREVIOUSLY_PAID_REPORTED_DENIED (the exam's case): paid 2024-02-07 / 2024-03-06, re-listed as "
          "denied 2025-06-18 in an aggregated remediation 835 (CLP02 1, SVC03 0, no reversal, no PLB, no REF*6R)",
     ["RC24-001", "RC24-002", "RC24-003", "RC24-014"],
     "status DENIED; the payment stands (net_paid = prior net); prior_paid / prior_payment_date / prior_trace "
     "name the paying event. Three members, four claims, four dates of service, CO-50 and CO-204."),
    ("5a", "Reversal and correction in one 835 (CLP02 22 with the original CLP07, then CLP02 1 with a new CLP07)",
     ["RC24-009"],
     "REVERSAL rows flagged RECOUPED (each takes back money paid earlier; issue 3), then the correction PAID; net −20.00 "
     "(copay applied), an immediate take-back inside acme-2024-05-15.835. Issue 15: at_stake 0.00 and no appeal_by on "
     "the reversals — the correction pays back what each took, or moves it to the patient (the 20.00 copay)."),
    ("5b", "Reversal never re-paid, later denial", ["RC24-007"],
     "Reversal in the zero-pay 835 mcd-2024-09-11.835 → REVERSAL `RECOUPED`; the CO-27 denial of 2024-10-09 "
     "→ DENIED `RECOUPED` (not previously-paid), at_stake the payment taken back (98.80, 31.20), not the charge."),
    ("5c", "Void (837 CLM05-3 = 8, REF*F8) answered by a reversal", ["RC24-023"],
     "REVERSAL `RECOUPED`; the void's own 837 line must not appear as NO_REMITTANCE. Issue 15: at_stake 0.00, no "
     "appeal_by — the reversal answers the practice's own void."),
    ("6", "Delayed recovery: PLB WO referencing the CLP07 of the paid claim, then the line re-listed as denied",
     ["RC24-008"],
     "PLB row (plb_reference = 24036000935, the ICN; claim_id RC24-008, the claim it names) PROVIDER_ADJUSTMENT `RECOUPED` paid −55.00; the later "
     "denial is DENIED `RECOUPED` (not previously-paid), at_stake 55.00 (the payment taken back); `remit appeals` "
     "lists the denial only: it restates the recovery."),
    ("7", "PROVIDER_ADJUSTMENT: PLB L6 interest, WO, 72, FB, CS with a reference to no claim", [],
     "See the PLB table below: acme-2024-08-14.835, mcd-2024-08-21.835, mcd-2024-09-11.835, mcd-2024-10-09.835."),
    ("8", "CLAIM_ADJUSTMENT: SVC lines plus claim-level CAS*PR*3*2.00", ["RC24-020"],
     "One more row: status CLAIM_ADJUSTMENT, paid −2.00, patient_resp 2.00, adjustments PR-3:2.00; "
     "CLP04 100.50 = 71.30 + 31.20 − 2.00."),
    ("9", "UNDERPAID (allowed < fee x units) and exact matches that must not be flagged",
     ["RC24-013", "RC24-021", "RC24-012", "RC24-035"],
     "Flagged: RC24-013 98940 (29.64 vs 31.20), RC24-021 97110 x3 (78.00 vs 87.00). Not flagged: 97110-GP x2 "
     "and 97140-GP use the Medicaid GP rows; MCD 99213-25 must use the Medicaid modifier-less row (71.30), "
     "not ACME's 99213/25 row; ACME 99213-25 (RC24-003, RC25-002) uses the 25 row (88.00)."),
    ("10", "DUPLICATE_PAYMENT: same line paid on two 835s without a reversal", ["RC24-024"],
     "Second payment flagged with prior_* naming the first; the practice refunds by check and the payer "
     "acknowledges it on 2024-08-14 with PLB WO +35.00 (RECOUPED, net back to 35.00) and PLB 72 −35.00. Issue 15: "
     "the WO takes back the duplicate — at_stake 0.00, no appeal_by, not on the worklist."),
    ("11", "NO_MATCHING_CLAIM: CLP01 in no 837", ["RC23-118"],
     "PAID row flagged NO_MATCHING_CLAIM, matched_claim_line empty (billed December 2023)."),
    ("12", "NO_REMITTANCE: billed lines no 835 answers", ["RC24-037", "RC25-004", "RC25-007", "RC25-008"],
     "age_days = 2025-07-31 − service date."),
    ("13", "INCONSISTENT_DENIAL: denied CO-197 then CO-50", ["RC24-018"],
     "Second denial flagged; appeal window moves from 90 to 180 days."),
    ("14", "INTEREST_DUE (--prompt-pay nj): late with no interest / too little / correct", ["RC24-029", "RC24-030",
                                                                                           "RC24-031"],
     "See the interest table. RC24-029 uses BHT04 (no DTM*050); RC24-031 is paid late with the right "
     "interest and is not flagged."),
    ("15", "Replacement claim (837 CLM05-3 = 7, REF*F8 = original ICN) adjudicated under the original CLM01",
     ["RC24-022", "RC24-026"],
     "acme-2024-05-29.835: reversal of the RC24-022 payment and a correction with CLP01 RC24-022 whose lines "
     "match RC24-026 (97110 now 2 units). matched_claim_line of the correction = 2024-05-837p.x12#RC24-026/n. "
     "No NO_REMITTANCE for RC24-022 or RC24-026 lines. Issue 15: the correction pays as much or more, so the "
     "reversals have at_stake 0.00 and no appeal_by."),
    ("16", "Bundling: 97012 bundled into 98941 (CO-97, SVC06 = original code, OA-94 on the target line)",
     ["RC24-019"],
     "The bundled line (SVC01 HC:98941:AT, SVC06 HC:97012, SVC05 0, SVC07 1) matches the billed 97012 line and is "
     "DENIED (paid 0, CO-97); the target line balances 85 − (−40 + 70 + 11) = 44."),
]


def story(rows: list[dict], cid: str) -> list[str]:
    lines: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["claim_id"] == cid and r["procedure"] and r["status"] != "PROVIDER_ADJUSTMENT":
            lines.setdefault((r["service_date"], r["procedure"], r["modifiers"]), []).append(r)
    out = []
    for (dos, proc, mods), evs in lines.items():
        parts = []
        for r in evs:
            if r["status"] == "NO_REMITTANCE":
                parts.append(f"**NO_REMITTANCE** age_days {r['age_days']}")
                continue
            s = f"{r['payment_date']} **{r['status']}**"
            if r["flags"]:
                s += " `" + r["flags"] + "`"
            s += f" paid {r['paid']}"
            if r["prior_paid"]:
                s += f" prior {r['prior_paid']} ({r['prior_payment_date']}, {r['prior_trace']})"
            if r["expected"] and r["variance"] != "0.00":
                s += f", expected {r['expected']}, variance {r['variance']}"
            if r["appeal_by"]:
                s += f", appeal by {r['appeal_by']}"
            s += f" → net {r['net_paid']}"
            parts.append(s)
        units = f" x{evs[0]['units']}" if evs[0]["units"] not in ("1", "0", "-1") else ""
        out.append(f"{cid} {dos} {proc}{'-' + mods if mods else ''}{units} billed {evs[0]['billed'].lstrip('-')}: "
                   + "; ".join(parts))
    for r in rows:  # provider-level rows that reference this claim (by ICN or CLP01)
        if r["status"] == "PROVIDER_ADJUSTMENT" and r["plb_reference"] in claim_refs(cid):
            s = f"{r['payment_date']} **PROVIDER_ADJUSTMENT** {r['adjustments']}"
            s += (" `" + r["flags"] + "`") if r["flags"] else ""
            s += f" paid {r['paid']}" + (f", appeal by {r['appeal_by']}" if r["appeal_by"] else "")
            out.append(f"{cid} (PLB, plb_reference {r['plb_reference']}): {s}" + (f" → line net {r['net_paid']}"
                                                                          if r["net_paid"] else ""))
    return out


def claim_refs(cid: str) -> set[str]:
    return {cid} | {c.icn for t in TXNS for c in t.claims if c.claim_id == cid}


def files_of(cid: str) -> list[str]:
    fs = [f"claims/{name}" for name, _, cs in CLAIM_FILES for c in cs if c.id == cid]
    fs += [f"remits/{t.file}" for t in ordered_txns() for c in t.claims if c.claim_id == cid]
    fs += [f"remits/{t.file}" for t in ordered_txns() for p in t.plbs if p.ref in claim_refs(cid)]
    return list(dict.fromkeys(fs))


def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out)


def generated_sections(rows, irows, payments, deposits) -> dict[str, str]:
    sec = {}
    trs = []
    for no, title, cids, note in SCENARIOS:
        files = sorted({f for c in cids for f in files_of(c)})
        expect = [s for c in cids for s in story(rows, c)]
        trs.append([no, title, "<br>".join(files) or "—", "<br>".join(expect + [note])])
    sec["scenarios"] = md_table(["#", "Scenario", "Files", "Expected ledger rows (status `flags` money → net_paid)"],
                                trs)
    t_rows = []
    for t in ordered_txns():
        bpr = {"ACH": "I / ACH", "CHK": "I / CHK", "NON": "H / NON"}[t.method]
        claims = ", ".join(f"{c.claim_id}{' (22)' if c.status == '22' else ''} {m2(c.paid)}" for c in t.claims)
        plbs = ", ".join(f"{p.reason}:{p.ref} {m2(p.amount)}" for p in t.plbs) or "—"
        style = {"none": "no line breaks", "crlf": "`~` CRLF", "pipe": "`|` `>` `^`, newline-terminated"}.get(
            STYLE.get(t.file, ""), "`~` LF")
        t_rows.append([f"`remits/{t.file}`" + (f" ST {t.st}" if t.st != "0001" or t.file == A10a.file else ""),
                       t.pay_date.isoformat(), t.trace, bpr, m2(t.total), claims, plbs, style])
    sec["remittances"] = md_table(["File", "BPR16", "TRN02", "BPR01/04", "BPR02", "CLP01 (CLP02) CLP04",
                                   "PLB reason:reference amount", "Format"], t_rows)
    plb_rows = [[r["source"], r["payment_date"], r["plb_reference"], r["claim_id"] or "—", r["adjustments"], r["paid"], r["flags"] or "—",
                 r["net_paid"] or "—", r["appeal_by"] or "—"]
                for r in rows if r["status"] == "PROVIDER_ADJUSTMENT"]
    sec["plb"] = md_table(["Source", "Date", "plb_reference", "claim_id (the claim it names)", "adjustments", "paid", "flags",
                           "net_paid of the line", "appeal_by"], plb_rows)
    i_rows = [[r["claim_id"], r["payment_date"], f"{r['receipt_date']} ({r['receipt_source']})", r["due_date"],
               r["days_late"], r["principal"], r["interest_owed"], r["interest_paid"], r["difference"],
               r["flag"] or "—"] for r in irows if r["days_late"] != "0"]
    sec["interest"] = md_table(["Claim", "Paid (BPR16)", "Received", "Due", "Days late", "Principal",
                                "Owed (12%/365)", "Paid (AMT*I = −PLB L6)", "Difference", "Flag"], i_rows)
    d_rows = [[p["trace"], p["payer"], p["payment_date"], p["amount"], p["files"], p["deposits"] or "—", p["expect"]]
              for p in payments]
    for dep in deposits:
        if "WITHOUT REMITTANCE" in dep.expect:
            d_rows.append(["—", "—", "—", "—", "—", f"{dep.day.isoformat()} {m2(dep.amount)} ({dep.bank_ref})",
                           dep.expect])
    sec["deposits"] = md_table(["TRN02", "Payer", "BPR16", "BPR02", "835", "Deposit(s)", "Expected"], d_rows)
    sec["posting"] = md_table(["Claim", "Procedure", "Expected finding"], [list(x) for x in POSTING_FINDINGS])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        for f in filter(None, r["flags"].split(";")):
            counts[f] = counts.get(f, 0) + 1
    paid = sum((D(r["paid"]) for r in rows if r["paid"]), ZERO)
    assert paid == sum((t.total for t in TXNS), ZERO)
    sec["counts"] = md_table(["Status or flag", "Rows"], [[k, str(v)] for k, v in sorted(counts.items())]) + \
        f"\n\n{len(rows)} rows in all. The sum of `paid` over all rows equals the sum of BPR02 over the 23 " \
        f"transactions: **{m2(paid)}**."
    return sec


def update_readme(sections: dict[str, str]) -> None:
    path = os.path.join(SAMPLES, "README.md")
    text = open(path, encoding="utf-8").read()
    for name, body in sections.items():
        pat = re.compile(rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.S)
        assert pat.search(text), f"README.md lacks the generated:{name} markers"
        text = pat.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def check_invariants(rows: list[dict]) -> None:
    for t in TXNS:
        got = sum((D(r["paid"]) for r in rows if r["trace"] == t.trace and r["source"] == f"remits/{t.file}"),
                  ZERO)
        want = sum((x.total for x in TXNS if x.trace == t.trace and x.file == t.file), ZERO)
        assert got == want, (t.file, got, want)
    assert 30 <= len(billed_ids()) <= 45, len(billed_ids())


def check_postings(rows: list[dict], posted: list[dict], states: dict) -> None:
    """The books differ from the ledger exactly where POSTING_FINDINGS says."""
    net = {(k[2], k[4].isoformat(), k[5]): st.net for k, st in states.items()}
    book: dict[tuple, D] = {}
    for p in posted:
        k = (p["claim_id"], p["service_date"], p["procedure"])
        book[k] = book.get(k, ZERO) + D(p["amount_posted"])
    differ = {k[0] + " " + k[2] for k in set(net) | set(book) if net.get(k, ZERO) != book.get(k, ZERO)}
    writeoffs = {p["claim_id"] + " " + p["procedure"] for p in posted if D(p["adjustment_posted"]) > 0
                 and any(r["status"] == "DENIED" and r["appeal_by"] and r["claim_id"] == p["claim_id"]
                         and r["procedure"] == p["procedure"] and r["payment_date"] <= p["posting_date"]
                         for r in rows)}
    assert differ | writeoffs == {f"{c} {p}" for c, p, _ in POSTING_FINDINGS}, (differ, writeoffs)


def main() -> None:
    write_x12()
    write_fee_schedule()
    rows, irows, states = run_model()
    check_invariants(rows)
    write_csv("expected/ledger.csv", LEDGER_COLUMNS, rows)
    write_csv("expected/interest.csv", list(irows[0].keys()), irows)
    deposits, payments = build_deposits()
    write_bank(deposits)
    write_csv("expected/deposits.csv", ["trace", "payer", "payment_date", "method", "amount", "files", "deposits",
                                        "expect"], payments)
    posted = build_postings(rows)
    check_postings(rows, posted, states)
    write_csv("posting/posted.csv", POSTED_COLUMNS, posted)
    update_readme(generated_sections(rows, irows, payments, deposits))
    print(f"wrote {len(CLAIM_FILES)} 837 files, {len({t.file for t in TXNS})} 835 files, {len(rows)} ledger rows")


if __name__ == "__main__":
    main()
