"""The remit Python package against the remit command: same rows, typed.

Run by scripts/test.sh after the wheel is installed into a fresh
virtualenv; REMIT_BIN names the command (default target/release/remit).
"""

import csv
import datetime as dt
import decimal
import io
import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
import pyarrow.parquet as pq
import pytest

import remit

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CORPUS = ROOT / "tests" / "corpus"
BIN = os.environ.get("REMIT_BIN", str(ROOT / "target" / "release" / "remit"))
RULES = ["--as-of", "2025-07-31", "--prompt-pay", "nj", "--fee-schedule",
         str(SAMPLES / "fee-schedule.csv")]
RULE_OPTIONS = dict(as_of="2025-07-31", prompt_pay="nj", fee_schedule=SAMPLES / "fee-schedule.csv")


def run(*args, ok=(0, 1, 3)):
    done = subprocess.run([BIN, *map(str, args)], capture_output=True, cwd=ROOT)
    assert done.returncode in ok, done.stderr.decode()
    return done


def cli_csv(*args):
    """The rows of a command's CSV output, as lists of strings."""
    out = run(*args, "--format", "csv").stdout.decode("utf-8")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    return rows[0], rows[1:]


NEUTRALISED = ("=", "+", "-", "@", "\t", "\r")


def as_csv(value, type_):
    """A typed cell as the CSV writer writes it."""
    if value is None:
        return ""
    if pa.types.is_list(type_):
        return ";".join(value)
    if isinstance(value, decimal.Decimal):
        if type_.scale == 2:
            return f"{value:.2f}"
        normal = value.normalize()
        return format(normal if normal != 0 else decimal.Decimal(0), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(NEUTRALISED) else value


def table_as_csv(table):
    """The rows of a table as the CSV writer writes them (modifiers are
    ":"-joined, the other lists ";"-joined)."""
    columns = table.column_names
    types = [table.schema.field(c).type for c in columns]
    out = []
    for row in table.to_pylist():
        cells = []
        for c, t in zip(columns, types):
            value = row[c]
            if c == "modifiers" and value is not None:
                cells.append(":".join(value))
            else:
                cells.append(as_csv(value, t))
        out.append(cells)
    return columns, out


# ── lines ───────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("path", [SAMPLES, CORPUS], ids=["samples", "corpus"])
def test_lines_equal_the_command_cell_for_cell(path):
    header, expected = cli_csv("lines", path)
    table = remit.lines(path, keep_going=True)
    columns, actual = table_as_csv(table)
    assert columns == header
    assert len(actual) == len(expected) > 0
    for n, (a, e) in enumerate(zip(actual, expected)):
        assert a == e, f"row {n}: {dict(zip(header, a))} != {dict(zip(header, e))}"


def test_lines_skip_what_the_command_rejects_and_say_where():
    done = run("lines", CORPUS)
    rejected = {line.split(": rejected;")[0] for line in done.stderr.decode().splitlines()
                if ": rejected; none of its rows are written" in line}
    assert rejected, "the corpus has files the command rejects"
    remit.lines(CORPUS, keep_going=True)
    skipped = remit.last_skipped()
    assert {e.file for e in skipped} == rejected
    for e in skipped:
        assert isinstance(e, remit.X12Error) and e.message and e.segment >= 0 and e.byte >= 0


def test_lines_have_the_declared_types():
    table = remit.lines(SAMPLES / "remits")
    schema = table.schema
    assert schema == remit.LINES_SCHEMA
    assert schema.field("paid").type == pa.decimal128(18, 2)
    assert schema.field("billed").type == pa.decimal128(18, 2)
    assert schema.field("units").type == pa.decimal128(18, 4)
    assert schema.field("service_date").type == pa.date32()
    assert schema.field("payment_date").type == pa.date32()
    assert schema.field("flags").type == pa.list_(pa.string())
    assert schema.field("procedure").type == pa.string()
    assert schema.field("claim_status").type == pa.string()
    paid = table.column("paid").to_pylist()
    assert all(isinstance(v, decimal.Decimal) for v in paid if v is not None)


def test_lines_of_bytes_equal_lines_of_the_file():
    path = SAMPLES / "remits" / "acme-2024-02-07.835"
    from_file = remit.lines(path)
    from_bytes = remit.lines(("acme.835", path.read_bytes()))
    assert from_bytes.drop_columns(["source"]).equals(from_file.drop_columns(["source"]))
    assert set(from_bytes.column("source").to_pylist()) == {"acme.835"}
    assert remit.lines(path.read_bytes()).num_rows == from_file.num_rows


def test_a_broken_file_raises_x12error_with_its_position():
    content = (SAMPLES / "remits" / "acme-2024-02-07.835").read_bytes()
    # Cut inside the ISA: nothing after it can be trusted.
    broken = content[:60]
    with pytest.raises(remit.X12Error) as raised:
        remit.lines(("cut.835", broken))
    error = raised.value
    assert error.file == "cut.835"
    findings = remit.validate(("cut.835", broken)).to_pylist()
    fatal = [f for f in findings if f["severity"] == "fatal"][0]
    assert (error.segment, error.byte, error.message) == (fatal["segment"], fatal["byte"], fatal["message"])
    assert "cut.835" in str(error)


def test_an_error_in_the_middle_carries_segment_and_byte():
    content = (SAMPLES / "remits" / "acme-2024-02-07.835").read_bytes()
    text = content.decode("latin-1")
    # A second ISA inside the first interchange, with a broken header.
    at = text.index("CLP*")
    broken = (text[:at] + "ISA*00*BROKEN~" + text[at:]).encode("latin-1")
    findings = remit.validate(("mid.835", broken)).to_pylist()
    fatal = [f for f in findings if f["severity"] == "fatal"]
    if not fatal:
        pytest.skip("this damage is not fatal")
    with pytest.raises(remit.X12Error) as raised:
        remit.lines(("mid.835", broken))
    assert raised.value.byte == fatal[0]["byte"] and raised.value.segment == fatal[0]["segment"]
    assert raised.value.byte > 0 and raised.value.segment > 1


# ── validate ────────────────────────────────────────────────────────────────

def test_validate_lists_what_the_command_prints():
    done = run("validate", CORPUS)
    printed = [line.strip() for line in done.stdout.decode().splitlines() if line.startswith("  ")]
    table = remit.validate(CORPUS)
    assert table.num_rows == len(printed) > 0
    assert table.schema.field("segment").type == pa.int64()
    by_file = Counter(table.column("file").to_pylist())
    for line in done.stdout.decode().splitlines():
        if not line.startswith(" ") and ": " in line and " transaction(s)" in line:
            name = line.split(": ")[0]
            assert name in by_file or "valid" in line


# ── reconcile ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize("path", [SAMPLES, CORPUS], ids=["samples", "corpus"])
def test_reconcile_equals_the_command_cell_for_cell(path):
    header, expected = cli_csv("reconcile", path, *RULES)
    table = remit.reconcile([path], keep_going=True, **RULE_OPTIONS)
    assert table.schema == remit.LEDGER_SCHEMA
    columns, actual = table_as_csv(table)
    assert columns == header
    assert len(actual) == len(expected) > 0
    for n, (a, e) in enumerate(zip(actual, expected)):
        assert a == e, f"row {n}: {dict(zip(header, a))} != {dict(zip(header, e))}"


def test_reconcile_options_are_checked_as_the_command_checks_them():
    with pytest.raises(ValueError, match="rate"):
        remit.reconcile([SAMPLES], as_of="2025-07-31", prompt_pay="medicare", rate="lots")
    with pytest.raises(ValueError):
        remit.reconcile([SAMPLES], no_such_option=1)
    with pytest.raises(TypeError):
        remit.reconcile([SAMPLES], format="csv")


def test_reconcile_with_a_store_reads_back_what_it_already_applied(tmp_path):
    """A re-run's ledger covers every remittance of its inputs (issue 23):
    those applied before are not applied again, their rows are read back
    from the store, so the day's ledger comes out the same."""
    db = tmp_path / "history.sqlite"
    first = remit.reconcile([SAMPLES / "claims", SAMPLES / "remits"], db=db, as_of=dt.date(2025, 7, 31))
    again = remit.reconcile([SAMPLES / "remits"], db=db, as_of="2025-07-31")
    assert first.num_rows > 0
    assert multiset(again) == multiset(first)
    # Applied once: a history store holding every event twice would list
    # the re-listed lines with a prior payment of their own.
    third = remit.reconcile([SAMPLES / "remits"], db=db, as_of="2025-07-31")
    assert multiset(third) == multiset(first)


def test_reconcile_raises_for_a_rejected_file_unless_keep_going(tmp_path):
    (tmp_path / "cut.835").write_bytes((SAMPLES / "remits" / "acme-2024-02-07.835").read_bytes()[:300])
    with pytest.raises(remit.X12Error) as raised:
        remit.reconcile([SAMPLES / "remits", tmp_path], as_of="2025-07-31")
    assert raised.value.file.endswith("cut.835")
    table = remit.reconcile([SAMPLES / "remits", tmp_path], as_of="2025-07-31", keep_going=True)
    assert table.num_rows > 0
    assert [e.file for e in remit.last_skipped()] == [raised.value.file]


# ── Parquet outputs of the command ──────────────────────────────────────────

@pytest.mark.parametrize("command,extra", [("lines", []), ("reconcile", RULES)])
def test_parquet_output_equals_the_csv_output(tmp_path, command, extra):
    out = tmp_path / f"{command}.parquet"
    run(command, SAMPLES, *extra, "--format", "parquet", "--out", out)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    table = pq.read_table(out)
    expected_schema = remit.LINES_SCHEMA if command == "lines" else remit.LEDGER_SCHEMA
    assert table.schema.remove_metadata() == expected_schema
    header, expected = cli_csv(command, SAMPLES, *extra)
    columns, actual = table_as_csv(table)
    assert columns == header and actual == expected


def test_parquet_lines_leave_out_a_rejected_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = SAMPLES / "remits" / "acme-2024-02-07.835"
    (folder / "a.835").write_bytes(good.read_bytes())
    (folder / "b.835").write_bytes(good.read_bytes()[:300])
    out = tmp_path / "lines.parquet"
    done = run("lines", folder, "--format", "parquet", "--out", out, ok=(1,))
    assert b"rejected" in done.stderr
    table = pq.read_table(out)
    assert set(table.column("source").to_pylist()) == {str(folder / "a.835")}
    assert table.num_rows == remit.lines(good).num_rows


# ── the Spark stages ────────────────────────────────────────────────────────

def files_batch(paths):
    paths = sorted(paths)
    return pa.RecordBatch.from_pydict({
        "path": [str(p) for p in paths],
        "content": [p.read_bytes() for p in paths],
    }, schema=pa.schema([("path", pa.string()), ("content", pa.binary())]))


def x12_files(folder):
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def multiset(table):
    columns, rows = table_as_csv(table)
    return Counter(tuple(r) for r in rows)


def as_json(value, type_):
    """A typed cell as `remit decide` writes it in JSON Lines."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        return value
    text = as_csv(value, type_)
    return text


def jsonl_multiset(text, columns):
    rows = Counter()
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            # JSON Lines writes an empty list or text as "", Arrow as null.
            rows[tuple(None if row[c] == "" else row[c] for c in columns)] += 1
    return rows


def typed_multiset(table):
    columns = table.column_names
    types = [table.schema.field(c).type for c in columns]
    rows = Counter()
    for row in table.to_pylist():
        cells = []
        for c, t in zip(columns, types):
            v = row[c]
            if c == "modifiers":
                cells.append(":".join(v) or None)
            elif pa.types.is_list(t):
                cells.append(";".join(v) or None)
            else:
                cells.append(as_json(v, t))
        rows[tuple(cells)] += 1
    return rows


def test_events_then_decide_equal_reconcile_on_the_samples():
    records = remit.events(files_batch(x12_files(SAMPLES)))
    assert records.schema == remit.RECORD_SCHEMA
    kinds = Counter(records.column("kind").to_pylist())
    assert kinds["event"] > 0 and kinds["transaction"] > 0 and kinds["claim"] > 0
    # The acknowledgments (999, 277CA, 277) and the 837s' batch numbers
    # travel as `ack` records: the claims' front-end state and filing
    # deadlines come out as `remit reconcile` gives them.
    assert kinds["ack"] > 0
    rows = remit.decide(records, **RULE_OPTIONS)
    assert rows.schema == remit.LEDGER_SCHEMA
    # The folder, as the command reads it: its files that are not X12
    # (bank files, settings) are skipped, as `events` skips them.
    expected = remit.reconcile([str(SAMPLES)], **RULE_OPTIONS)
    got = pa.Table.from_batches([rows])
    assert multiset(got) == multiset(expected)
    states = Counter(got.column("claim_state").to_pylist())
    assert states["REJECTED"] > 0, states


def test_events_then_decide_equal_the_commands_stages_on_the_corpus():
    """The Arrow stages give exactly what `remit events | remit decide`
    gives (the JSON stages they replace), on every corpus file."""
    events = run("events", "--keep-going", CORPUS).stdout
    done = subprocess.run([BIN, "decide", *RULES], input=events, capture_output=True, check=True)
    records = remit.events(files_batch(x12_files(CORPUS)))
    rows = pa.Table.from_batches([remit.decide(records, **RULE_OPTIONS)])
    expected = jsonl_multiset(done.stdout.decode(), rows.column_names)
    assert typed_multiset(rows) == expected
    rejected = [r for r in records.to_pylist() if r["kind"] == "rejected"]
    assert rejected and all(r["source"] and r["message"] and r["byte"] is not None for r in rejected)


def test_decide_one_provider_at_a_time_equals_all_at_once():
    records = pa.Table.from_batches([remit.events(files_batch(x12_files(SAMPLES)))])
    records = records.sort_by("partition")
    all_at_once = remit.decide(records, **RULE_OPTIONS)
    decider = remit.Decider(sorted=True, **RULE_OPTIONS)
    out = []
    for batch in records.to_batches(max_chunksize=7):
        out.extend(decider.push(batch))
    out.extend(decider.finish())
    assert multiset(pa.Table.from_batches(out, schema=remit.LEDGER_SCHEMA)) == \
        multiset(pa.Table.from_batches([all_at_once]))
    # finish_iter hands out the same rows, each batch as the engine fills it.
    decider = remit.Decider(sorted=True, **RULE_OPTIONS)
    out = []
    for batch in records.to_batches(max_chunksize=7):
        out.extend(decider.push(batch))
    out.extend(decider.finish_iter())
    assert multiset(pa.Table.from_batches(out, schema=remit.LEDGER_SCHEMA)) == \
        multiset(pa.Table.from_batches([all_at_once]))
    # Input said to be sorted whose provider comes back later is refused,
    # not decided twice.
    def provider(table, name):
        return table.set_column(table.schema.get_field_index("partition"), "partition",
                                pa.array([name] * table.num_rows))
    providers = records.filter(pa.compute.not_equal(records["kind"], "ack"))
    apart = pa.concat_tables([provider(providers.slice(0, 5), "P1"),
                              provider(providers.slice(5, 1), "P2"),
                              provider(providers.slice(6), "P1")])
    decider = remit.Decider(sorted=True, **RULE_OPTIONS)
    with pytest.raises(ValueError, match="came apart"):
        for batch in apart.to_batches(max_chunksize=3):
            decider.push(batch)
    # An acknowledgment after a provider was decided would have changed
    # its rows: refused, not ignored.
    acks = records.filter(pa.compute.equal(records["kind"], "ack"))
    decider = remit.Decider(sorted=True, **RULE_OPTIONS)
    for batch in providers.to_batches():
        decider.push(batch)
    decider.finish()
    with pytest.raises(ValueError, match="push every acknowledgment first"):
        for batch in acks.to_batches():
            decider.push(batch)


def test_history_records_shape_decisions_but_yield_no_rows():
    """Day 1 decided alone, then day 2 with day 1 as history, give the rows
    of reconciling both days (day 1's unanswered lines are listed again on
    day 2, so day 1's NO_REMITTANCE rows are left out), as the Spark job's
    two-day test checks on the cluster."""
    day1 = x12_files(SAMPLES / "claims") + \
        [p for p in x12_files(SAMPLES / "remits") if "-2024-" in p.name]
    day2 = [p for p in x12_files(SAMPLES / "remits") if "-2025-" in p.name]
    first = remit.events(files_batch(day1))
    day1_rows = pa.Table.from_batches([remit.decide(first, **RULE_OPTIONS)])
    history = first.set_column(first.schema.get_field_index("history"), "history",
                               pa.array([True] * first.num_rows))
    day2_rows = pa.Table.from_batches(
        [remit.decide([history, remit.events(files_batch(day2))], **RULE_OPTIONS)])
    answered = day1_rows.filter(pa.compute.not_equal(day1_rows["status"], "NO_REMITTANCE"))
    both = remit.reconcile(sorted(day1) + sorted(day2), **RULE_OPTIONS)
    assert day2_rows.num_rows > 0 and answered.num_rows > 0
    assert multiset(answered) + multiset(day2_rows) == multiset(both)


def test_event_records_are_small():
    records = remit.events(files_batch(x12_files(SAMPLES)))
    events = [len(p) for k, p in zip(records.column("kind").to_pylist(),
                                     records.column("payload").to_pylist()) if k == "event"]
    assert sum(events) / len(events) < 200, "an event's payload has no context and no field names"


def test_a_history_payload_of_another_format_is_refused():
    records = remit.events(files_batch(x12_files(SAMPLES / "remits")))
    payloads = records.column("payload").to_pylist()
    changed = [bytes([9]) + p[1:] if p else p for p in payloads]
    records = records.set_column(records.schema.get_field_index("payload"), "payload",
                                 pa.array(changed, pa.binary()))
    with pytest.raises(ValueError, match="payload format 9"):
        remit.decide(records, as_of="2025-07-31")


@pytest.mark.parametrize("command", [
    ["appeals", SAMPLES, "--as-of", "2025-07-31"],
    ["resolution", SAMPLES, "--as-of", "2025-07-31", "--prompt-pay", "nj"],
    ["deposits", SAMPLES / "remits", "--bank", SAMPLES / "bank" / "deposits.bai2",
     "--as-of", "2025-07-31"],
    ["posting", SAMPLES, "--posted", SAMPLES / "posting" / "posted.csv",
     "--bank", SAMPLES / "bank" / "deposits.bai2", "--as-of", "2025-07-31"],
], ids=["appeals", "resolution", "deposits", "posting"])
def test_every_worklist_as_parquet_equals_its_csv(tmp_path, command):
    out = tmp_path / "out.parquet"
    run(*command, "--format", "parquet", "--out", out)
    table = pq.read_table(out)
    header, expected = cli_csv(*command)
    columns, actual = table_as_csv(table)
    assert columns == header and actual == expected and len(expected) > 0
    typed = [f.name for f in table.schema if not pa.types.is_string(f.type)]
    assert typed, "money, dates and counts are typed"
