#!/usr/bin/env python3
"""Writes the real-data regression pins (the CSV files beside this script)
from the sample corpus in tests/corpus/, reading every 835 and 837 with
pyx12 (https://pypi.org/project/pyx12/, an independent X12 parser), not with
remit. The Rust test tests/corpus_pins.rs holds remit to these files and
needs no Python; this script is run by hand, once, when the corpus or the
definition of a pin changes:

    python3 -m venv /tmp/pyx12-venv
    /tmp/pyx12-venv/bin/pip install pyx12==4.0.0
    /tmp/pyx12-venv/bin/python tests/corpus/pins/generate.py

(from the repository root; the venv is throwaway, nothing of it is
committed). Then `cargo test --test main corpus_pins` and read the diff of
the CSV files: every changed number must be explained.

How a file is read
------------------
pyx12 4.0 ships implementation-guide maps for 005010X221A1 (835),
005010X222A1 (837P), 005010X223A2 (837I) and the 4010 guides. A file whose
GS08 names one of those is read with pyx12's map-driven reader
(X12ContextReader): pyx12 decides which loop (2100 claim, 2110 line, 2300,
2400, 2430...) each segment is in, and the values are taken from the loops
it names ("reader" column: `pyx12 map <file>`).

Versions that differ from a shipped map only by errata (X222A2, X223A3),
that are the base release of one (X221, X222), or whose claim and line
loops are those of the claim guide (X291/X298 professional and X292
institutional predeterminations and reporting) are read with that map after
rewriting GS08 in memory (`pyx12 map <file> (GS08 X read as Y)`).

For the rest (5010 dental X224A2, a bare `005010`) pyx12 has no map: its
segment reader (X12Reader) still splits the file into segments, elements
and components, and this script assigns the loops itself by the TR3 order
(`pyx12 segments`). The same loop tracker runs on every file read with a
map too, and the two must place every pinned segment (CLP, SVC, CAS, DTM,
CLM, LX, SV1/2/3, DTP in loops 2100/2110/2300/2400) alike. They differ only
where pyx12's map cannot fit a segment (an SVC01 `HC>55669` is no code it
knows, so it never opens loop 2110 and files the line under the claim):
the file is then pinned from the TR3 order, `; loops by TR3 order` is
added to `reader` and the `note` names the first segment concerned.

Before reading, `prepare` gets a file past pyx12's envelope strictness
(prose before the ISA, an ISA that is not fixed-width, an ISA12 that does
not match GS08); each such change touches the envelope only and is named in
the file's `note`.

What is pinned (money as written in the file; sums exact, with Decimal)
------------------------------------------------------------------------
835-files.csv  per file: transactions (ST), claims (CLP), lines (SVC),
    billed = sum CLP03, claim_paid = sum CLP04, payment = sum BPR02,
    claim_adjustments = sum of claim-level CAS amounts, line_charges = sum
    SVC02, line_paid = sum SVC03, line_adjustments = sum of line-level CAS
    amounts, plb_count = PLB adjustment amounts, plb_total = their sum.
835-lines.csv  per service line, in file order: claim (ordinal of the CLP in
    the file, from 1), claim_id (CLP01), line (ordinal in its claim),
    procedure (SVC01 as qualifier:code[:modifier...], empty modifiers
    dropped), submitted_procedure (SVC06, same form), date (DTM*472, else
    DTM*150; when the line has neither, the claim's DTM*232 statement date,
    which the TR3 says then applies), date_level (`line`, `claim` or empty),
    charge (SVC02), paid (SVC03), adjustments (sum of the line's CAS).
837-files.csv  per file: transactions, claims (CLM), lines (LX in 2400),
    billed = sum CLM02, line_charges = sum SV102/SV203/SV302.
837-lines.csv  per service line: claim (ordinal), claim_id (CLM01), line
    (ordinal in its claim), number (LX01), revenue_code (SV201),
    procedure (SV101/SV202/SV301), date (2400 DTP*472, first day of a
    period; else the claim's 2300 DTP*472, else DTP*434 statement start),
    date_level, charge (SV102/SV203/SV302).

Columns `pyx12_findings`, `note` and `remit_today`
--------------------------------------------------
`pyx12_findings` counts what pyx12 reported about the file (with the first
few messages), for the record; the test does not read it. `note` says
where a pin is not simply pyx12's reading (a correction by the X12 rules,
explained) or what was done to the envelope for pyx12. `remit_today` is
empty when remit agrees with the pin; otherwise it says why remit (when the
pins were made) does not, starting with what the Rust test then requires:
`rejected (defect)` (remit rejects a file it should read) or `procedure
differs (defect)` (only procedure values differ) hold until remit is fixed,
when the test fails and asks for the mark to be removed; `rejected
(intended)` marks a file remit rejects on purpose, and must keep rejecting.
These marks come from the hand-kept tables REMIT_TODAY and
REJECTED_ON_PURPOSE below: each entry is a human judgement, made by reading
the file against the TR3.

Files that pyx12 cannot read at all are listed in `unread.csv` with the
reason; the test requires remit to reject them too.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

import pyx12
import pyx12.error_handler
import pyx12.errors
import pyx12.map_index
import pyx12.params
import pyx12.x12context
import pyx12.x12file

PINS = Path(__file__).resolve().parent
CORPUS = PINS.parent

# GS08 versions pyx12 has no map for, read with the map of the guide they
# are errata or the base release of.
MAP_ALIASES = {
    "005010X222A2": "005010X222A1",
    "005010X222": "005010X222A1",
    "005010X223A3": "005010X223A2",
    "005010X221": "005010X221A1",
    "005010X291": "005010X222A1",
    "005010X298": "005010X222A1",
    "005010X292": "005010X223A2",
}

# Qualifiers of a procedure composite (SVC01/SVC06/SV101/SV202/SV301): used
# to recognise a composite written with another separator than ISA16.
PROCEDURE_QUALIFIERS = {"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UT", "WK", "ZZ", "CJ", "ID"}
OTHER_SEPARATORS = [">", ":", "^", "|"]

# What remit, at the commit these pins were made, does differently from the
# pin, by file (path under tests/corpus/): human diagnoses, made by reading
# each file against the TR3.
#
# Each entry starts with what the Rust test expects of remit until the mark
# is removed: `rejected (defect)` (remit rejects a file it should read),
# `procedure differs (defect)` (remit reads the file; only procedure values
# differ), `rejected (intended)` (remit rejects it on purpose, for good).
# (Empty since issue 15 item 8 read the composites written with '>' under
# ISA16 ':' with a warning, as these pins read them.)
REMIT_TODAY: dict[str, str] = {}

# Files remit rejects on purpose (reading on could lose or misplace money)
# while pyx12 reads on and reports: pinned with pyx12's reading for the
# record, and the test requires remit to keep rejecting them.
REJECTED_ON_PURPOSE = {
    "imsweb_x12-parser/src/test/resources/837_5010/x12_bad_segment_identifier.txt": (
        "a segment with an empty identifier; pyx12 skips it with an error"
    ),
    "imsweb_x12-parser/src/test/resources/837_5010/x12_missing_required_loops_mult_repeats.txt": (
        "claims 2 and 5 have an SV1 with no LX before it; pyx12 reports the missing 2400 "
        "loop and its line count (LX) leaves those two SV1s out, remit will not guess a line"
    ),
    "LinuxForHealth_x12/src/tests/resources/835_005010X221A1/tertiary-payment.835": (
        "SVC*HC*24599.00*1766.50*187.50**1: the procedure code was written with the element "
        "separator, so every SVC element is shifted by one; pyx12 reads SVC01 'HC' without a "
        "code, 24599.00 as the charge and 1766.50 as paid (the line pinned here is that literal "
        "reading; the payer meant HC:24599, charge 1766.50, paid 187.50, as CLP03/CLP04 and "
        "CAS OA-23 1579.00 show). No separator rule can repair it, so remit rejects it"
    ),
    "xlate_staedi/src/test/resources/x12/sample837-HL-nested.edi": (
        "HL segments without HL03 (an HL-nesting test with no claims); pyx12 reads no claim either"
    ),
}
REMIT_TODAY.update({path: f"rejected (intended): {why}" for path, why in REJECTED_ON_PURPOSE.items()})


class Findings(pyx12.error_handler.errh_null):
    """Keeps every finding pyx12 reports (errh_null forgets all but the last)."""

    def __init__(self) -> None:
        super().__init__()
        self.all: list[str] = []

    def handle_errors(self, err_list) -> None:  # noqa: ANN001 (pyx12's type)
        for _type, code, text, _value, _line in err_list:
            self.all.append(f"{code} {text}")

    def isa_error(self, err_cde, err_str) -> None:  # noqa: ANN001
        self.all.append(f"{err_cde} {err_str}")

    gs_error = isa_error
    st_error = isa_error

    def seg_error(self, err_cde, err_str, err_value=None, src_line=None) -> None:  # noqa: ANN001
        self.all.append(f"{err_cde} {err_str}")

    def ele_error(self, err_cde, err_str, bad_value, refdes=None) -> None:  # noqa: ANN001
        self.all.append(f"{err_cde} {err_str}")


class Unreadable(Exception):
    """pyx12 cannot read the file at all."""


def element(seg, n: int) -> str:
    """Element n of a pyx12 segment as text ('' when absent)."""
    value = seg.get_value(f"{seg.get_seg_id()}{n:02d}")
    return value or ""


def components(seg, n: int) -> list[str]:
    """The components of element n as pyx12 split them on ISA16."""
    ele = seg.get(f"{seg.get_seg_id()}{n:02d}")
    if ele is None:
        return []
    return [ele[i].get_value() or "" for i in range(len(ele))]


def procedure(seg, n: int, notes: list[str]) -> str:
    """A procedure composite as qualifier:code[:modifier...]."""
    parts = components(seg, n)
    if len(parts) == 1 and parts[0]:
        # One component: either a bare code or a composite written with a
        # separator other than ISA16. The X12 rule (and remit after issue 15
        # item 8): when it splits on another common separator into a known
        # qualifier and a code, that is what the sender meant.
        for sep in OTHER_SEPARATORS:
            split = parts[0].split(sep)
            if len(split) >= 2 and split[0] in PROCEDURE_QUALIFIERS and split[1]:
                notes.append(
                    f"{seg.get_seg_id()}{n:02d} {parts[0]!r} split on {sep!r} "
                    "(pyx12 reads one component: the file's composites ignore ISA16)"
                )
                parts = split
                break
    if not parts:
        return ""
    qualifier, code = parts[0], parts[1] if len(parts) > 1 else ""
    modifiers = [m for m in parts[2:6] if m]
    return ":".join([qualifier, code, *modifiers]) if (qualifier or code) else ""


def first_day(text: str) -> str:
    """CCYYMMDD or CCYYMMDD-CCYYMMDD -> CCYY-MM-DD of the first day."""
    day = text.split("-")[0]
    if len(day) != 8 or not day.isdigit():
        return ""
    return f"{day[0:4]}-{day[4:6]}-{day[6:8]}"


def money(text: str) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def cas_total(seg) -> Decimal:
    """Sum of the (up to six) CAS amounts: CAS03, 06, 09, 12, 15, 18."""
    return sum((money(element(seg, n)) for n in (3, 6, 9, 12, 15, 18)), Decimal(0))


# ---------------------------------------------------------------------------
# Reading: (segment, loop id) pairs, from pyx12's maps or by the TR3 order.


def read_text(path: Path) -> str:
    # latin-1 keeps every byte; X12 data is ASCII, odd bytes survive as is.
    return path.read_bytes().decode("latin-1")


ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1]


def prepare(text: str, notes: list[str]) -> str:
    """Gets a file past pyx12's envelope strictness without touching its data.

    pyx12 reads the ISA as 106 fixed characters at the very start of the
    file and knows ISA12 00401 and 00501 only; remit is more lenient. Each
    change here concerns the envelope only and is recorded in `notes`.
    """
    start = text.find("ISA")
    if start > 0 and "~" not in text[:start] and "ST*" not in text[:start]:
        notes.append("text before the ISA (a description of the example) removed for pyx12")
        text = text[start:]
    if not text.startswith("ISA") or len(text) < 4:
        return text
    sep = text[3]
    parts = text.split(sep, 16)
    if len(parts) < 17:
        return text
    fields = parts[1:16]
    tail = parts[16]  # ISA16, the segment terminator, and the rest of the file
    isa12 = fields[11]
    gs08 = re.search(r"0040[0-9]0|0050[0-9]0", tail[:400])
    version = {"004": "00401", "005": "00501"}[gs08.group(0)[:3]] if gs08 else isa12
    if isa12 != version:
        # pyx12 picks its maps by ISA12 + GS08; remit goes by GS08 alone.
        notes.append(f"ISA12 {isa12!r} does not match GS08 {gs08.group(0)}...: read as {version} for pyx12")
        fields[11] = version
    fixed = [f[:w].ljust(w) if len(f) != w else f for f, w in zip(fields, ISA_WIDTHS)]
    if fixed != fields and any(len(f) != w for f, w in zip(parts[1:16], ISA_WIDTHS)):
        notes.append("ISA is not fixed-width: its elements were re-padded for pyx12")
    return sep.join(["ISA", *fixed, tail])


def gs08_values(text: str) -> list[str]:
    reader = pyx12.x12file.X12Reader(io.StringIO(text, newline=""))
    return [element(s, 8) for s in reader if s.get_seg_id() == "GS"]


def rewrite_gs08(text: str, old: str, new: str) -> str:
    """GS08 old -> new in every GS segment (nothing else is touched)."""
    sep = re.escape(text[3])
    pattern = re.compile(rf"(GS{sep}(?:[^{sep}]*{sep}){{7}}){re.escape(old)}(?![0-9A-Z])")
    return pattern.sub(lambda m: m.group(1) + new, text)


def map_reading(text: str, findings: Findings):
    """(segment, loop) pairs from pyx12's map-driven reader."""
    params = pyx12.params.params()
    reader = pyx12.x12context.X12ContextReader(params, findings, io.StringIO(text, newline=""))
    out = []
    for node in reader.iter_segments():
        for err in node.errors or []:
            findings.all.append(" ".join(str(e) for e in err[:2]))
        loops = node.x12_map_node.x12path.loop_list if node.x12_map_node is not None else []
        loop = next((lp for lp in reversed(loops) if lp[:1].isdigit()), loops[-1] if loops else "")
        out.append((node.seg_data, loop))
    return out


def tracked_reading(text: str, findings: Findings | None):
    """(segment, loop) pairs from pyx12's segment reader, loops by TR3 order."""
    reader = pyx12.x12file.X12Reader(io.StringIO(text, newline=""))
    out = []
    loop = ""
    kind = ""
    for seg in reader:
        sid = seg.get_seg_id()
        if sid == "ST":
            kind, loop = element(seg, 1), "HEADER"
        elif sid in ("SE", "GE", "IEA", "ISA", "GS"):
            loop = ""
        elif kind == "835":
            if sid == "LX":
                loop = "2000"
            elif sid == "CLP":
                loop = "2100"
            elif sid == "SVC":
                loop = "2110"
            elif sid == "PLB":
                loop = "FOOTER"
        elif kind == "837":
            if sid == "HL":
                loop = "2000"
            elif sid == "CLM":
                loop = "2300"
            elif sid == "SBR" and loop in ("2300", "2320", "2330"):
                loop = "2320"
            elif sid == "LX" and loop not in ("", "HEADER"):
                loop = "2400"
            elif sid == "SVD" and loop in ("2400", "2430"):
                loop = "2430"
            elif sid == "NM1" and loop == "2430":
                loop = "2420"
        out.append((seg, loop))
    if findings is not None:
        reader.cleanup()
        findings.handle_errors(reader.pop_errors())
    return out


# ---------------------------------------------------------------------------
# Extraction from (segment, loop) pairs.


def extract_835(pairs, notes: list[str]):
    totals = {k: 0 for k in ("transactions", "claims", "lines", "plb_count")}
    sums = {
        k: Decimal(0)
        for k in (
            "billed",
            "claim_paid",
            "payment",
            "claim_adjustments",
            "line_charges",
            "line_paid",
            "line_adjustments",
            "plb_total",
        )
    }
    lines: list[dict] = []
    claim: dict | None = None
    claim_lines: list[dict] = []
    line: dict | None = None

    def close_claim() -> None:
        nonlocal claim, claim_lines, line
        if claim is not None:
            for entry in claim_lines:
                if not entry["date"] and claim["date"]:
                    entry["date"], entry["date_level"] = claim["date"], "claim"
            lines.extend(claim_lines)
        claim, claim_lines, line = None, [], None

    for seg, loop in pairs:
        sid = seg.get_seg_id()
        if sid == "ST":
            close_claim()
            totals["transactions"] += 1
        elif sid == "BPR":
            sums["payment"] += money(element(seg, 2))
        elif sid == "CLP" and loop == "2100":
            close_claim()
            totals["claims"] += 1
            claim = {"ordinal": totals["claims"], "id": element(seg, 1), "date": ""}
            sums["billed"] += money(element(seg, 3))
            sums["claim_paid"] += money(element(seg, 4))
        elif sid == "CAS" and loop == "2100" and claim is not None and line is None:
            sums["claim_adjustments"] += cas_total(seg)
        elif sid == "DTM" and loop == "2100" and claim is not None and line is None:
            if element(seg, 1) == "232":
                claim["date"] = first_day(element(seg, 2))
        elif sid == "SVC" and loop == "2110" and claim is not None:
            totals["lines"] += 1
            line = {
                "claim": claim["ordinal"],
                "claim_id": claim["id"],
                "line": len(claim_lines) + 1,
                "procedure": procedure(seg, 1, notes),
                "submitted_procedure": procedure(seg, 6, notes),
                "date": "",
                "date_level": "",
                "_472": "",
                "_150": "",
                "charge": element(seg, 2),
                "paid": element(seg, 3),
                "adjustments": Decimal(0),
            }
            claim_lines.append(line)
            sums["line_charges"] += money(element(seg, 2))
            sums["line_paid"] += money(element(seg, 3))
        elif sid == "DTM" and loop == "2110" and line is not None:
            qualifier = element(seg, 1)
            if qualifier in ("472", "150"):
                line["_" + qualifier] = first_day(element(seg, 2))
                own = line["_472"] or line["_150"]
                line["date"], line["date_level"] = own, "line"
        elif sid == "CAS" and loop == "2110" and line is not None:
            amount = cas_total(seg)
            line["adjustments"] += amount
            sums["line_adjustments"] += amount
        elif sid == "PLB":
            close_claim()
            for n in (4, 6, 8, 10, 12, 14):
                if element(seg, n - 1) or element(seg, n):
                    totals["plb_count"] += 1
                    sums["plb_total"] += money(element(seg, n))
        elif sid == "SE":
            close_claim()
    close_claim()
    for entry in lines:
        del entry["_472"], entry["_150"]
    return {**totals, **sums}, lines


def extract_837(pairs, notes: list[str]):
    totals = {"transactions": 0, "claims": 0, "lines": 0}
    sums = {"billed": Decimal(0), "line_charges": Decimal(0)}
    lines: list[dict] = []
    claim: dict | None = None
    claim_lines: list[dict] = []
    line: dict | None = None

    def close_claim() -> None:
        nonlocal claim, claim_lines, line
        if claim is not None:
            fallback = claim["472"] or claim["434"]
            for entry in claim_lines:
                if not entry["date"] and fallback:
                    entry["date"], entry["date_level"] = fallback, "claim"
            lines.extend(claim_lines)
        claim, claim_lines, line = None, [], None

    for seg, loop in pairs:
        sid = seg.get_seg_id()
        if sid in ("ST", "SE", "HL"):
            close_claim()
            if sid == "ST":
                totals["transactions"] += 1
        elif sid == "CLM" and loop == "2300":
            close_claim()
            totals["claims"] += 1
            claim = {"ordinal": totals["claims"], "id": element(seg, 1), "472": "", "434": ""}
            sums["billed"] += money(element(seg, 2))
        elif sid == "DTP" and loop == "2300" and claim is not None:
            qualifier = element(seg, 1)
            if qualifier in ("472", "434") and not claim[qualifier]:
                claim[qualifier] = first_day(element(seg, 3))
        elif sid == "LX" and loop == "2400" and claim is not None:
            totals["lines"] += 1
            line = {
                "claim": claim["ordinal"],
                "claim_id": claim["id"],
                "line": len(claim_lines) + 1,
                "number": element(seg, 1),
                "revenue_code": "",
                "procedure": "",
                "date": "",
                "date_level": "",
                "charge": "",
            }
            claim_lines.append(line)
        elif sid in ("SV1", "SV2", "SV3") and loop == "2400" and line is not None:
            if sid == "SV2":
                line["revenue_code"] = element(seg, 1)
                line["procedure"] = procedure(seg, 2, notes)
                line["charge"] = element(seg, 3)
            else:
                line["procedure"] = procedure(seg, 1, notes)
                line["charge"] = element(seg, 2)
            sums["line_charges"] += money(line["charge"])
        elif sid == "DTP" and loop == "2400" and line is not None:
            if element(seg, 1) == "472" and line["date_level"] != "line":
                line["date"], line["date_level"] = first_day(element(seg, 3)), "line"
    close_claim()
    return {**totals, **sums}, lines


# ---------------------------------------------------------------------------


def samples() -> list[Path]:
    out = []
    for root, _dirs, files in os.walk(CORPUS):
        for name in files:
            path = Path(root) / name
            rel = path.relative_to(CORPUS).as_posix()
            if rel.startswith("pins/") or "LICENSE" in name:
                continue
            if name.endswith((".md", ".csv", ".json", "-expected.txt")):
                continue
            out.append(path)
    return sorted(out, key=lambda p: p.relative_to(CORPUS).as_posix())


PINNED_SEGMENTS = {"CLP", "SVC", "CAS", "DTM", "CLM", "LX", "SV1", "SV2", "SV3", "DTP"}


def read_file(path: Path, notes: list[str]):
    """(kind, reader, findings, pairs) for one file, or raises Unreadable."""
    text = prepare(read_text(path), notes)
    try:
        versions = gs08_values(text)
        tracked = tracked_reading(text, None)
    except (pyx12.errors.X12Error, pyx12.errors.EngineError, IndexError, ValueError) as e:
        raise Unreadable(f"pyx12 cannot split it into segments: {e}") from e
    kinds = {element(s, 1) for s, _ in tracked if s.get_seg_id() == "ST"}
    if not kinds:
        raise Unreadable("no ST segment")
    if len(kinds) != 1 or not kinds <= {"835", "837"}:
        raise Unreadable(f"transaction sets {sorted(kinds)}")
    kind = kinds.pop()
    index = pyx12.map_index.map_index()
    icvn = element(tracked[0][0], 12) if tracked and tracked[0][0].get_seg_id() == "ISA" else ""
    fic = "HP" if kind == "835" else "HC"
    mapped, reader = text, ""
    for version in sorted(set(versions)):
        target = version if index.get_filename(icvn, version, fic) else MAP_ALIASES.get(version)
        if target and index.get_filename(icvn, target, fic):
            mapped = rewrite_gs08(mapped, version, target) if target != version else mapped
            name = index.get_filename(icvn, target, fic)
            reader = f"pyx12 map {name}" + (f" (GS08 {version} read as {target})" if target != version else "")
        else:
            reader = ""
            break
    findings = Findings()
    if reader and len(set(versions)) == 1:
        try:
            pairs = map_reading(mapped, findings)
        except (pyx12.errors.X12Error, pyx12.errors.EngineError) as e:
            raise Unreadable(f"pyx12's map reader stops: {e}") from e
        # The loop tracker must agree with pyx12's map on every pinned
        # segment. Where it does not, pyx12 could not fit a segment into its
        # map (a malformed composite is not a code it knows, so the loop
        # that segment opens is never opened): the file's TR3 order is then
        # the better reading, and the note says what pyx12 did.
        mine = [(s.format(), lp) for s, lp in tracked if s.get_seg_id() in PINNED_SEGMENTS]
        theirs = [(s.format(), lp) for s, lp in pairs if s.get_seg_id() in PINNED_SEGMENTS]
        pinned_loops = ("2100", "2110", "2300", "2400")
        placed = [
            (m, t)
            for m, t in zip(mine, theirs)
            if m != t and (m[1] in pinned_loops or t[1] in pinned_loops)
        ]
        if len(mine) != len(theirs):
            raise SystemExit(f"{path}: the two readings see different segments")
        if placed:
            (seg, ours), (_, its) = placed[0]
            notes.append(
                f"pyx12's map puts {len(placed)} segment(s) in another loop than the TR3 order, "
                f"first {seg} in loop {its or '(none)'} instead of {ours}: pinned from the "
                "segments with the loops in TR3 order"
            )
            pairs = tracked
            reader += "; loops by TR3 order"
    else:
        pairs = tracked_reading(text, findings)
        reader = "pyx12 segments (no pyx12 map for GS08 " + ",".join(sorted(set(versions))) + ")"
    return kind, reader, findings, pairs


def write_csv(name: str, header_comment: str, columns: list[str], rows: list[dict]) -> None:
    with open(PINS / name, "w", newline="", encoding="utf-8") as out:
        for line in header_comment.strip().splitlines():
            out.write(f"# {line}".rstrip() + "\n")
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: str(row.get(k, "")) for k in columns})


FILE_835 = [
    "file",
    "reader",
    "transactions",
    "claims",
    "lines",
    "billed",
    "claim_paid",
    "payment",
    "claim_adjustments",
    "line_charges",
    "line_paid",
    "line_adjustments",
    "plb_count",
    "plb_total",
    "pyx12_findings",
    "remit_today",
    "note",
]
LINE_835 = [
    "file",
    "claim",
    "claim_id",
    "line",
    "procedure",
    "submitted_procedure",
    "date",
    "date_level",
    "charge",
    "paid",
    "adjustments",
]
FILE_837 = [
    "file",
    "reader",
    "transactions",
    "claims",
    "lines",
    "billed",
    "line_charges",
    "pyx12_findings",
    "remit_today",
    "note",
]
LINE_837 = [
    "file",
    "claim",
    "claim_id",
    "line",
    "number",
    "revenue_code",
    "procedure",
    "date",
    "date_level",
    "charge",
]

COMMENT = """
Generated by tests/corpus/pins/generate.py with pyx12 {version}: do not edit by hand;
change the script (its REMIT_TODAY / REJECTED_ON_PURPOSE tables hold the human judgements)
and rerun it.
Read by tests/corpus_pins.rs. Lines starting with '#' are comments.
"""


FILE = {"835": FILE_835, "837": FILE_837}
LINE = {"835": LINE_835, "837": LINE_837}


def summary(rows: list[dict]) -> str:
    """Comment lines listing every file remit differs on, and every correction."""
    out = ["", "Where remit differs from these pins (column remit_today):"]
    out += [f"- {r['file']}: {r['remit_today']}" for r in rows if r["remit_today"]]
    out += ["", "Where a pin is not pyx12's literal reading, or pyx12 needed help (column note):"]
    out += [f"- {r['file']}: {r['note']}" for r in rows if r["note"]]
    return "\n".join(out)


def summarise_findings(found: list[str]) -> str:
    if not found:
        return ""
    first = sorted(set(found))
    shown = "; ".join(first[:3]) + ("; ..." if len(first) > 3 else "")
    return f"{len(found)}: {shown}"


def main() -> int:
    files = {"835": [], "837": []}
    lines = {"835": [], "837": []}
    unread = []
    for path in samples():
        rel = path.relative_to(CORPUS).as_posix()
        notes: list[str] = []
        try:
            kind, reader, findings, pairs = read_file(path, notes)
        except Unreadable as e:
            unread.append({"file": rel, "reason": " ".join(str(e).split())})
            continue
        extract = extract_835 if kind == "835" else extract_837
        totals, file_lines = extract(pairs, notes)
        files[kind].append(
            {
                "file": rel,
                "reader": reader,
                **totals,
                "pyx12_findings": summarise_findings(findings.all),
                "remit_today": REMIT_TODAY.get(rel, ""),
                "note": " | ".join(dict.fromkeys(notes)),
            }
        )
        lines[kind].extend({"file": rel, **entry} for entry in file_lines)
    comment = COMMENT.format(version=pyx12.__version__)
    for kind in ("835", "837"):
        write_csv(f"{kind}-files.csv", comment + summary(files[kind]), FILE[kind], files[kind])
        write_csv(f"{kind}-lines.csv", comment, LINE[kind], lines[kind])
    write_csv("unread.csv", comment, ["file", "reason"], unread)
    for kind in ("835", "837"):
        print(f"{kind}: {len(files[kind])} files, {len(lines[kind])} lines", file=sys.stderr)
    print(f"unread by pyx12: {len(unread)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
