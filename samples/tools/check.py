#!/usr/bin/env python3
"""Validate the samples/ data set without trusting the generator.

Reads every X12 file with the delimiters its own ISA declares and checks:
  * envelopes: the 106-byte fixed-width ISA, GS01/GS08 per kind, SE01/SE02, GE01/GE02, IEA01/IEA02, and unique ISA13;
  * 835 balancing with exact decimals:
      - line: SVC02 - sum(CAS) = SVC03;
      - claim: CLP03 - sum(claim+line CAS) = CLP04, CLP05 = sum(PR) and CLP03 = sum(SVC02);
      - transaction: BPR02 = sum(CLP04) - sum(PLB); BPR01/BPR04 agree with the amount;
      - reversals negate the claim they reverse;
  * 835 content:
      - N1*PE XX 1234567893, NM1*QC MI, DTM*472 after every SVC, no zero PLB amount, unique LX01;
      - BPR16 equals the date in the file name;
  * 837 content:
      - CLM02 = sum(SV102); the HL hierarchy (20 -> 22) and its parent ids;
      - NM1*85 XX 1234567893; DTP*472 on every line; REF*F8 on frequency 7/8 (and only there);
      - REF*6R unique within each claim;
  * across files:
      - every CLP01 is a CLM01 (except the declared unmatched claim), with the same member id;
      - every SVC matches a billed line of the claim family on procedure (SVC06 when present), modifier set, date, charge and units;
      - an echoed REF*6R equals the billed one;
      - REF*F8 points at an ICN paid under the same CLM01;
  * fee-schedule.csv covers every billed procedure;
  * bank/deposits.bai2: record types, control totals and record counts. bank/deposits.csv holds the same deposits;
  * posting/posted.csv has the expected columns and valid values.

Exit status 0 when everything holds; otherwise every problem is printed.
Standard library only.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal as D

SAMPLES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NPI = "1234567893"
UNMATCHED_CLAIMS = {"RC23-118"}   # remitted on purpose without an 837 (NO_MATCHING_CLAIM)
problems: list[str] = []


def fail(where: str, msg: str) -> None:
    problems.append(f"{where}: {msg}")


def dec(s: str) -> D:
    return D(s) if s not in ("", None) else D(0)


def el(seg: list, i: int) -> str:
    return seg[i] if len(seg) > i else ""


# ---------------------------------------------------------------- X12 reading
class Interchange:
    def __init__(self, path: str, raw: bytes):
        self.path = path
        text = raw.decode("ascii")
        if not text.startswith("ISA"):
            raise ValueError("does not start with ISA")
        self.element = text[3]
        # find ISA16 by counting element separators, so a malformed ISA is reported, not misread
        pos = [i for i, ch in enumerate(text[:400]) if ch == self.element][:16]
        if len(pos) < 16:
            raise ValueError("ISA has fewer than 16 elements")
        self.component = text[pos[15] + 1]
        self.terminator = text[pos[15] + 2]
        self.repetition = text[pos[10] + 1]
        self.isa_raw = text[:pos[15] + 3]
        body = text.split(self.terminator)
        self.segments = []
        for s in body:
            s = s.strip("\r\n") if self.terminator not in "\r\n" else s.strip("\r")
            if s == "":
                continue
            self.segments.append(s.split(self.element))

    def comp(self, value: str) -> list[str]:
        return value.split(self.component)


def check_isa(ic: Interchange, seen_isa13: dict) -> None:
    where = ic.path
    isa = ic.isa_raw
    if len(isa) != 106:
        fail(where, f"ISA is {len(isa)} bytes, not 106")
    f = isa[:105].split(ic.element)
    if len(f) != 17:
        fail(where, f"ISA has {len(f) - 1} elements")
        return
    widths = [3, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1]
    for i, (v, w) in enumerate(zip(f, widths)):
        if len(v) != w:
            fail(where, f"ISA{i:02d} '{v}' is {len(v)} wide, expected {w}")
    try:
        datetime.strptime(f[9], "%y%m%d")
    except ValueError:
        fail(where, f"ISA09 '{f[9]}' is not YYMMDD")
    if not f[13].isdigit():
        fail(where, "ISA13 is not 9 digits")
    if f[11] != ic.repetition or f[16] != ic.component:
        fail(where, "ISA11/ISA16 do not match the separators in use")
    delims = {ic.element, ic.repetition, ic.component, ic.terminator}
    if len(delims) != 4 or any(c.isalnum() for c in delims):
        fail(where, f"delimiters not distinct/special: {delims}")
    if f[13] in seen_isa13:
        fail(where, f"ISA13 {f[13]} already used by {seen_isa13[f[13]]}")
    seen_isa13[f[13]] = where


def transactions(ic: Interchange, kind: str):
    """Checks the envelope and yields (ST02, segments from ST to SE inclusive)."""
    where = ic.path
    segs = ic.segments
    if segs[0][0] != "ISA" or segs[-1][0] != "IEA":
        fail(where, "interchange is not ISA..IEA")
        return
    isa13 = segs[0][13]
    gs_count, i = 0, 1
    want = {"835": ("HP", "005010X221A1"), "837": ("HC", "005010X222A1")}[kind]
    while i < len(segs) - 1:
        gs = segs[i]
        if gs[0] != "GS":
            fail(where, f"expected GS, found {gs[0]}")
            return
        gs_count += 1
        if (el(gs, 1), el(gs, 8)) != want:
            fail(where, f"GS01/GS08 {el(gs, 1)}/{el(gs, 8)}, expected {want}")
        i += 1
        st_count = 0
        while segs[i][0] == "ST":
            start = i
            while segs[i][0] != "SE":
                i += 1
            st, se = segs[start], segs[i]
            st_count += 1
            if el(st, 1) != kind:
                fail(where, f"ST01 {el(st, 1)} in a {kind} file")
            if kind == "837" and el(st, 3) != "005010X222A1":
                fail(where, "ST03 is not 005010X222A1")
            n = i - start + 1
            if el(se, 1) != str(n):
                fail(where, f"ST {el(st, 2)}: SE01 {el(se, 1)} but {n} segments")
            if el(se, 2) != el(st, 2):
                fail(where, f"SE02 {el(se, 2)} != ST02 {el(st, 2)}")
            yield el(st, 2), segs[start:i + 1]
            i += 1
        ge = segs[i]
        if ge[0] != "GE" or el(ge, 1) != str(st_count) or el(ge, 2) != el(gs, 6):
            fail(where, f"GE {ge} does not close GS06 {el(gs, 6)} with {st_count} ST")
        i += 1
    iea = segs[-1]
    if el(iea, 1) != str(gs_count) or el(iea, 2) != isa13:
        fail(where, f"IEA {iea} does not match {gs_count} GS / ISA13 {isa13}")


# ---------------------------------------------------------------- 837
billed_claims: dict[str, list[dict]] = defaultdict(list)   # CLM01 -> claims (original, void, ...)
billed_procs: set[tuple[str, str]] = set()   # (procedure, 837 payer id)


def check_837(ic: Interchange) -> None:
    for st02, segs in transactions(ic, "837"):
        where = f"{ic.path} ST {st02}"
        hl_levels: dict[str, str] = {}
        member = payer = None
        claim = line = None
        bht = None
        for n, s in enumerate(segs):
            tag = s[0]
            if tag == "BHT":
                bht = datetime.strptime(el(s, 4), "%Y%m%d").date()
            elif tag == "HL":
                hl_id, parent, level, child = el(s, 1), el(s, 2), el(s, 3), el(s, 4)
                if hl_id != str(len(hl_levels) + 1):
                    fail(where, f"HL01 {hl_id} out of sequence")
                if level == "20":
                    if parent:
                        fail(where, "HL 20 with a parent")
                elif level == "22":
                    if hl_levels.get(parent) != "20":
                        fail(where, f"HL {hl_id} level 22 has parent {parent} that is not level 20")
                else:
                    fail(where, f"unexpected HL level {level}")
                has_child = any(x[0] == "HL" and el(x, 2) == hl_id for x in segs[n + 1:])
                if child != ("1" if has_child else "0"):
                    fail(where, f"HL {hl_id} HL04 {child} but has_child={has_child}")
                hl_levels[hl_id] = level
            elif tag == "NM1" and el(s, 1) == "85":
                if (el(s, 8), el(s, 9)) != ("XX", NPI):
                    fail(where, f"NM1*85 is {el(s, 8)} {el(s, 9)}")
            elif tag == "NM1" and el(s, 1) == "IL":
                member = el(s, 9)
            elif tag == "NM1" and el(s, 1) == "PR":
                payer = el(s, 9)
            elif tag == "CLM":
                freq = ic.comp(el(s, 5))[2]
                claim = dict(id=el(s, 1), charge=dec(el(s, 2)), freq=freq, f8=None, member=member, payer=payer,
                             lines=[], file=os.path.basename(ic.path), bht=bht)
                billed_claims[claim["id"]].append(claim)
            elif tag == "REF" and el(s, 1) == "F8":
                claim["f8"] = el(s, 2)
            elif tag == "SV1":
                c = ic.comp(el(s, 1))
                line = dict(proc=c[1], mods=frozenset(c[2:]), charge=dec(el(s, 2)), units=dec(el(s, 4)),
                            dos=None, ref6r=None)
                claim["lines"].append(line)
                billed_procs.add((c[1], claim["payer"]))
            elif tag == "DTP" and el(s, 1) == "472":
                line["dos"] = el(s, 3)
            elif tag == "REF" and el(s, 1) == "6R":
                line["ref6r"] = el(s, 2)
        for cl in [c for cs in billed_claims.values() for c in cs if c["file"] == os.path.basename(ic.path)]:
            w = f"{ic.path} {cl['id']}"
            if sum((l["charge"] for l in cl["lines"]), D(0)) != cl["charge"]:
                fail(w, "CLM02 != sum of SV102")
            if any(l["dos"] is None for l in cl["lines"]):
                fail(w, "a line without DTP*472")
            refs = [l["ref6r"] for l in cl["lines"] if l["ref6r"]]
            if len(refs) != len(set(refs)):
                fail(w, "REF*6R not unique within the claim")
            if cl["freq"] not in ("1", "7", "8"):
                fail(w, f"frequency {cl['freq']}")
            if (cl["freq"] in ("7", "8")) != (cl["f8"] is not None):
                fail(w, "REF*F8 must be present exactly for frequency 7/8")


# ---------------------------------------------------------------- 835
remits: list[dict] = []   # one per transaction
payer_names: dict[str, set[str]] = {}   # 835 REF*2U payer id -> N1*PR names


def sum_cas(segs: list[list]) -> tuple[D, D, list]:
    total, pr, items = D(0), D(0), []
    for s in segs:
        for k in range(2, len(s), 3):
            if s[k] == "":
                continue
            a = dec(el(s, k + 1))
            total += a
            if s[1] == "PR":
                pr += a
            items.append((s[1], s[k], a))
    return total, pr, items


def check_835(ic: Interchange) -> None:
    m = re.search(r"(\d{4}-\d{2}-\d{2})\.835$", ic.path)
    for st02, segs in transactions(ic, "835"):
        where = f"{ic.path} ST {st02}"
        t = dict(file=os.path.basename(ic.path), st=st02, claims=[], plbs=[], payee=None, payer=None, lx=[])
        claim = svc = None
        state = "header"
        for s in segs:
            tag = s[0]
            if tag == "BPR":
                t["bpr01"], t["amount"], t["method"] = el(s, 1), dec(el(s, 2)), el(s, 4)
                t["date"] = datetime.strptime(el(s, 16), "%Y%m%d").date()
            elif tag == "TRN":
                t["trace"], t["trn03"] = el(s, 2), el(s, 3)
            elif tag == "DTM" and el(s, 1) == "405":
                t["production"] = el(s, 2)
            elif tag == "N1" and el(s, 1) == "PR":
                t["payer"] = el(s, 2)
            elif tag == "REF" and el(s, 1) == "2U":
                payer_names.setdefault(el(s, 2), set()).add(t["payer"])
            elif tag == "N1" and el(s, 1) == "PE":
                t["payee"] = (el(s, 3), el(s, 4))
            elif tag == "LX":
                t["lx"].append(el(s, 1))
            elif tag == "CLP":
                state = "claim"
                claim = dict(id=el(s, 1), status=el(s, 2), charge=dec(el(s, 3)), paid=dec(el(s, 4)),
                             pr=dec(el(s, 5)), icn=el(s, 7), cas=[], lines=[], member=None)
                t["claims"].append(claim)
            elif tag == "CAS":
                (svc["cas"] if state == "line" else claim["cas"]).append(s)
            elif tag == "NM1" and el(s, 1) == "QC":
                if el(s, 8) != "MI":
                    fail(where, f"NM1*QC for {claim['id']} has no MI qualifier")
                claim["member"] = el(s, 9)
            elif tag == "SVC":
                state = "line"
                c = ic.comp(el(s, 1))
                orig = ic.comp(el(s, 6)) if el(s, 6) else None
                svc = dict(proc=c[1], mods=frozenset(c[2:]), charge=dec(el(s, 2)), paid=dec(el(s, 3)),
                           units=dec(el(s, 5)) if el(s, 5) else D(1),
                           orig_units=dec(el(s, 7)) if el(s, 7) else None,
                           svc06=(orig[1], frozenset(orig[2:])) if orig else None,
                           cas=[], dos=None, ref6r=None, b6=None)
                claim["lines"].append(svc)
            elif tag == "DTM" and el(s, 1) == "472":
                svc["dos"] = el(s, 2)
            elif tag == "REF" and el(s, 1) == "6R":
                svc["ref6r"] = el(s, 2)
            elif tag == "AMT" and el(s, 1) == "B6":
                svc["b6"] = dec(el(s, 2))
            elif tag == "PLB":
                state = "plb"
                if el(s, 1) != NPI:
                    fail(where, f"PLB01 {el(s, 1)}")
                for k in range(3, len(s), 2):
                    reason, _, ref = el(s, k).partition(ic.component)
                    amount = dec(el(s, k + 1))
                    if amount == 0:
                        fail(where, f"PLB {reason} amount 0")
                    t["plbs"].append((reason, ref, amount))
        if t["payee"] != ("XX", NPI):
            fail(where, f"N1*PE is {t['payee']}")
        if len(t["lx"]) != len(set(t["lx"])):
            fail(where, "LX01 not unique")
        if m and t["date"].isoformat() != m.group(1):
            fail(where, f"BPR16 {t['date']} differs from the file name")
        if not t.get("trace") or not t.get("production"):
            fail(where, "missing TRN02 or DTM*405")
        total = D(0)
        for c in t["claims"]:
            w = f"{where} CLP {c['id']} ({c['status']})"
            ctot, cpr, _ = sum_cas(c["cas"])
            ltot, lpr = D(0), D(0)
            for v in c["lines"]:
                vt, vpr, _ = sum_cas(v["cas"])
                if v["charge"] - vt != v["paid"]:
                    fail(w, f"SVC {v['proc']}: {v['charge']} - {vt} != {v['paid']}")
                if v["dos"] is None:
                    fail(w, f"SVC {v['proc']} without DTM*472")
                if v["b6"] is not None and v["b6"] != v["paid"] + vpr:
                    fail(w, f"SVC {v['proc']}: AMT*B6 {v['b6']} != paid + PR {v['paid'] + vpr}")
                ltot += vt
                lpr += vpr
            if c["lines"] and sum((v["charge"] for v in c["lines"]), D(0)) != c["charge"]:
                fail(w, "CLP03 != sum of SVC02")
            if c["charge"] - ctot - ltot != c["paid"]:
                fail(w, f"CLP03 {c['charge']} - CAS {ctot + ltot} != CLP04 {c['paid']}")
            if c["pr"] != cpr + lpr:
                fail(w, f"CLP05 {c['pr']} != sum of PR {cpr + lpr}")
            total += c["paid"]
        total -= sum((p[2] for p in t["plbs"]), D(0))
        if total != t["amount"]:
            fail(where, f"BPR02 {t['amount']} != sum CLP04 - sum PLB = {total}")
        if t["amount"] > 0 and t["bpr01"] != "I":
            fail(where, f"BPR01 {t['bpr01']} for a payment")
        if t["amount"] == 0 and (t["bpr01"], t["method"]) != ("H", "NON"):
            fail(where, "a zero payment must be BPR01 H with BPR04 NON")
        if t["amount"] < 0:
            fail(where, "negative BPR02")
        remits.append(t)


def check_reversals() -> None:
    ordered = sorted(remits, key=lambda t: (t["date"], t["production"], t["file"], t["st"]))
    history: list[dict] = []
    for t in ordered:
        for c in t["claims"]:
            if c["status"] == "22":
                w = f"{t['file']} reversal {c['id']} {c['icn']}"
                orig = [o for o in history if o["id"] == c["id"] and o["icn"] == c["icn"] and o["status"] != "22"]
                if not orig:
                    fail(w, "no earlier claim with the same CLP01 and CLP07")
                    continue
                o = orig[-1]
                if (c["charge"], c["paid"], c["pr"]) != (-o["charge"], -o["paid"], -o["pr"]):
                    fail(w, "claim amounts are not the negated original")
                if len(c["lines"]) != len(o["lines"]):
                    fail(w, "line count differs from the original")
                for a, b in zip(c["lines"], o["lines"]):
                    if (a["proc"], a["mods"], a["dos"]) != (b["proc"], b["mods"], b["dos"]):
                        fail(w, "line identity differs from the original")
                    if (a["charge"], a["paid"]) != (-b["charge"], -b["paid"]):
                        fail(w, f"{a['proc']}: line amounts not negated")
                    ca = [(g, r, x) for g, r, x in sum_cas(a["cas"])[2]]
                    cb = [(g, r, -x) for g, r, x in sum_cas(b["cas"])[2]]
                    if ca != cb:
                        fail(w, f"{a['proc']}: CAS {ca} is not the original {cb} negated")
            history.append(c)


def family(clm01: str) -> list[dict]:
    """837 claims answering CLP01: the claims with that CLM01 plus replacements pointing at their ICNs."""
    fam = list(billed_claims.get(clm01, []))
    icns = {c["icn"] for t in remits for c in t["claims"] if c["id"] == clm01}
    fam += [c for cs in billed_claims.values() for c in cs if c["f8"] in icns and c not in fam]
    return fam


def check_cross() -> None:
    for t in remits:
        for c in t["claims"]:
            w = f"{t['file']} CLP {c['id']}"
            fam = family(c["id"])
            if not fam:
                if c["id"] not in UNMATCHED_CLAIMS:
                    fail(w, "CLP01 is no CLM01")
                continue
            if c["member"] not in {f["member"] for f in fam}:
                fail(w, f"member {c['member']} differs from the 837 subscriber")
            for v in c["lines"]:
                proc, mods = v["svc06"] if v["svc06"] else (v["proc"], v["mods"])
                units = v["orig_units"] if v["orig_units"] is not None else v["units"]
                hits = [l for f in fam for l in f["lines"] if l["proc"] == proc and l["mods"] == mods
                        and l["dos"] == v["dos"] and l["charge"] == abs(v["charge"]) and l["units"] == abs(units)]
                if not hits:
                    fail(w, f"SVC {proc} {sorted(mods)} {v['dos']} {v['charge']} x{units} matches no billed line")
                elif v["ref6r"] and v["ref6r"] not in {l["ref6r"] for l in hits}:
                    fail(w, f"SVC {proc}: REF*6R {v['ref6r']} is not the billed line's")
    all_icns = {c["icn"]: c["id"] for t in remits for c in t["claims"]}
    for cs in billed_claims.values():
        for cl in cs:
            if cl["f8"] and cl["f8"] not in all_icns:
                fail(f"{cl['file']} {cl['id']}", f"REF*F8 {cl['f8']} is no payer claim number")
            elif cl["freq"] == "8" and all_icns[cl["f8"]] != cl["id"]:
                fail(f"{cl['file']} {cl['id']}", "a void must reference an ICN of its own CLM01")


# ---------------------------------------------------------------- other files
def check_fee_schedule() -> None:
    path = os.path.join(SAMPLES, "fee-schedule.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or list(rows[0].keys()) != ["procedure", "modifier", "allowed", "payer"]:
        fail(path, "header must be procedure,modifier,allowed,payer")
    keys = Counter((r["procedure"], r["modifier"], r["payer"]) for r in rows)
    for k, n in keys.items():
        if n > 1:
            fail(path, f"duplicate row {k}")
    for r in rows:
        if dec(r["allowed"]) <= 0:
            fail(path, f"allowed {r['allowed']}")
    for name, ids in payer_names.items():
        if len(ids) != 1:
            fail(path, f"payer id {name} has several N1*PR names {ids}")
    for proc, payer_id in sorted(billed_procs):
        names = payer_names.get(payer_id, set())
        if not any(r["procedure"] == proc and r["payer"] in names | {""} for r in rows):
            fail(path, f"no row for billed procedure {proc} of payer {payer_id} {sorted(names)}")


def check_bai2() -> list[tuple[str, D]]:
    path = os.path.join(SAMPLES, "bank", "deposits.bai2")
    recs = [r for r in open(path).read().split("\n") if r]
    deposits = []
    if not recs[0].startswith("01,") or not recs[-1].startswith("99,"):
        fail(path, "file must start with 01 and end with 99")
    file_total, groups, group, acct = 0, 0, None, None
    as_of = None
    for n, r in enumerate(recs, 1):
        code = r[:2]
        fields = r.rstrip("/").split(",")
        if code == "02":
            group = dict(total=0, records=1, accounts=0)
            as_of = datetime.strptime(fields[4], "%y%m%d").date()
            groups += 1
        elif code == "03":
            acct = dict(total=0, records=1)
            group["accounts"] += 1
            group["records"] += 1
            for k in range(3, len(fields) - 3, 4):
                if fields[k + 1]:
                    acct["total"] += int(fields[k + 1])
        elif code == "16":
            acct["total"] += int(fields[2])
            acct["records"] += 1
            group["records"] += 1
            if fields[1] not in ("165", "169", "175", "301"):
                fail(path, f"record {n}: unexpected type code {fields[1]}")
            deposits.append((as_of.isoformat(), D(fields[2]) / 100))
        elif code == "88":
            acct["records"] += 1
            group["records"] += 1
        elif code == "49":
            acct["records"] += 1
            group["records"] += 1
            if int(fields[1]) != acct["total"] or int(fields[2]) != acct["records"]:
                fail(path, f"record {n}: 49 says {fields[1:3]}, counted {acct['total']} / {acct['records']}")
            group["total"] += acct["total"]
        elif code == "98":
            group["records"] += 1
            if (int(fields[1]), int(fields[2]), int(fields[3])) != (group["total"], group["accounts"],
                                                                    group["records"]):
                fail(path, f"record {n}: 98 says {fields[1:4]}, counted {group}")
            file_total += group["total"]
        elif code == "99":
            if (int(fields[1]), int(fields[2]), int(fields[3])) != (file_total, groups, len(recs)):
                fail(path, f"record {n}: 99 says {fields[1:4]}, counted {file_total}/{groups}/{len(recs)}")
        elif code != "01":
            fail(path, f"record {n}: unknown record type {code}")
    return deposits


def check_deposits_csv(bai: list[tuple[str, D]]) -> None:
    path = os.path.join(SAMPLES, "bank", "deposits.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    got = sorted((r["date"], dec(r["amount"])) for r in rows)
    if got != sorted(bai):
        fail(path, "deposits differ from deposits.bai2")
    traces = {t["trace"] for t in remits}
    for r in rows:
        m = re.search(r"TRN\*1\*([^*]+)\*", r["description"])
        if m and m.group(1) not in traces and "2025052800391" != m.group(1):
            fail(path, f"unexpected trace {m.group(1)}")


def check_postings() -> None:
    path = os.path.join(SAMPLES, "posting", "posted.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    cols = ["claim_id", "service_date", "procedure", "payer", "amount_posted", "adjustment_posted", "posting_date"]
    if not rows or list(rows[0].keys()) != cols:
        fail(path, f"header must be {','.join(cols)}")
    for r in rows:
        date.fromisoformat(r["service_date"])
        date.fromisoformat(r["posting_date"])
        dec(r["amount_posted"]), dec(r["adjustment_posted"])
        if r["claim_id"] not in billed_claims and r["claim_id"] not in UNMATCHED_CLAIMS:
            fail(path, f"unknown claim {r['claim_id']}")


def main() -> int:
    seen: dict = {}
    for sub, kind in (("claims", "837"), ("remits", "835")):
        folder = os.path.join(SAMPLES, sub)
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            try:
                ic = Interchange(os.path.relpath(path, SAMPLES), open(path, "rb").read())
            except (ValueError, UnicodeDecodeError) as e:
                fail(path, str(e))
                continue
            check_isa(ic, seen)
            (check_837 if kind == "837" else check_835)(ic)
    check_reversals()
    check_cross()
    check_fee_schedule()
    check_deposits_csv(check_bai2())
    check_postings()
    n_claims = sum(1 for cs in billed_claims.values() for c in cs)
    n_tx = len(remits)
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} problem(s)")
        return 1
    print(f"ok: {len(seen)} interchanges, {n_claims} 837 claims ({len(billed_claims)} CLM01), "
          f"{n_tx} 835 transactions, {sum(len(t['claims']) for t in remits)} CLP, "
          f"{sum(len(c['lines']) for t in remits for c in t['claims'])} SVC, "
          f"{sum(len(t['plbs']) for t in remits)} PLB amounts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
