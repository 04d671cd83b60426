"""remit for Python: healthcare X12 835/837 reconciliation with Arrow results.

Every function runs remit's own Rust code (the same readers, engine and
rules as the ``remit`` command) and returns pyarrow objects with typed
columns: money ``decimal128(18, 2)``, dates ``date32``, codes and
identifiers ``string``, counts ``int64``, flags, remarks and modifiers
``list<string>``.

    >>> import remit
    >>> lines = remit.lines("samples/remits/")          # pyarrow.Table
    >>> ledger = remit.reconcile(["samples/"], as_of="2025-07-31")
    >>> ledger.to_pandas()                              # or duckdb.sql("... FROM ledger")

Inputs (``inputs`` / ``paths``) are a path (``str`` or ``os.PathLike``: a
file, or a folder searched recursively, its non-X12 files skipped), the
content of a file as ``bytes``, a ``(name, bytes)`` pair, or a list of
these.

An input that cannot be used raises :class:`X12Error` with the file, the
segment number and the byte offset where it broke. With
``keep_going=True`` its rows are left out instead (as the command line
leaves them out, with exit status 1), and :func:`last_skipped` returns
the errors.
"""

from __future__ import annotations

import datetime as _dt
import os as _os
from typing import Iterable, Iterator, List, Optional, Tuple, Union

import pyarrow as _pa

from . import _remit
from ._remit import LEDGER_SCHEMA, LINES_SCHEMA, PAYLOAD_FORMAT, RECORD_SCHEMA, X12Error

__all__ = [
    "lines",
    "validate",
    "reconcile",
    "events",
    "decide",
    "Decider",
    "X12Error",
    "last_skipped",
    "LEDGER_SCHEMA",
    "LINES_SCHEMA",
    "RECORD_SCHEMA",
    "PAYLOAD_FORMAT",
]

Input = Union[str, "_os.PathLike[str]", bytes, bytearray, memoryview, Tuple[str, bytes]]

_skipped: List[X12Error] = []


def last_skipped() -> List[X12Error]:
    """The inputs the last ``keep_going=True`` call left out, as
    :class:`X12Error` objects (not raised)."""
    return list(_skipped)


def _inputs(inputs) -> List[Tuple[str, Optional[bytes]]]:
    if isinstance(inputs, (str, bytes, bytearray, memoryview, tuple)) or hasattr(inputs, "__fspath__"):
        inputs = [inputs]
    out = []
    for n, item in enumerate(inputs):
        if isinstance(item, tuple):
            name, content = item
            out.append((str(name), bytes(content) if not isinstance(content, bytes) else content))
        elif isinstance(item, bytes):
            out.append((f"<bytes {n}>", item))
        elif isinstance(item, (bytearray, memoryview)):
            out.append((f"<bytes {n}>", bytes(item)))
        else:
            out.append((_os.fspath(item), None))
    return out


def _remember(skipped) -> None:
    _skipped[:] = list(skipped)


def lines(inputs, *, code_list=None, keep_going: bool = False) -> _pa.Table:
    """Every 835 service line of ``inputs`` as ``remit lines`` writes it:
    one row per line, claim-level remainder and provider-level amount,
    aggregated remittances split out (columns: :data:`LINES_SCHEMA`).

    ``code_list``: CARC/RARC list files merged over the built-in one (a
    path or a list), as ``--code-list``."""
    table, skipped = _remit.lines(_inputs(inputs), _paths(code_list), keep_going)
    _remember(skipped)
    return table


def validate(inputs) -> _pa.Table:
    """Every finding of ``remit validate`` on ``inputs``, one row each:
    ``file``, ``severity`` (``fatal``: the file is rejected; ``invalid``:
    it breaks a rule, such as a remittance that does not balance, but its
    money is readable; ``warning``), ``rule``, ``segment`` (1-based
    number), ``byte`` (offset), ``segment_id``, ``interchange`` (ISA13),
    ``transaction`` (ST02) and ``message``. A valid file has no rows."""
    return _pa.Table.from_batches([_remit.validate(_inputs(inputs))])


def _paths(value) -> List[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        value = [value]
    return [_os.fspath(v) for v in value]


def _flags(options: dict) -> List[str]:
    """Keyword options as the command's flags: ``as_of="2025-07-31"`` is
    ``--as-of 2025-07-31``, ``True`` a bare flag, a list a repeated flag."""
    args: List[str] = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is True:
                args.append(flag)
            else:
                if isinstance(v, (_dt.date, _dt.datetime)):
                    v = v.strftime("%Y-%m-%d")
                args.extend([flag, _os.fspath(v) if hasattr(v, "__fspath__") else str(v)])
    return args


_OUTPUT_OPTIONS = {"format", "out"}


def reconcile(paths, *, keep_going: bool = False, quiet: bool = True, **options) -> _pa.Table:
    """The ledger of ``remit reconcile PATHS`` (columns:
    :data:`LEDGER_SCHEMA`), with the command's options as keywords:
    ``as_of`` (date or ``YYYY-MM-DD``), ``db`` (the SQLite history store),
    ``contract`` (a path or a list; ``fee_schedule`` is the same),
    ``reference`` (``"NAME=PATH"`` or a list), ``code_list`` (a path or a list), ``prompt_pay``,
    ``rate``, ``medical_appeal_days``, ``administrative_appeal_days``,
    ``jobs``. Options are checked as the command checks them (a bad one
    raises ``ValueError``). ``quiet=False`` prints the command's summary
    on standard error."""
    bad = _OUTPUT_OPTIONS.intersection(options)
    if bad:
        raise TypeError(f"reconcile() returns the ledger; it takes no {', '.join(sorted(bad))}")
    args = _paths(paths) + _flags(dict(options, quiet=quiet))
    table, skipped = _remit.reconcile(args, keep_going)
    _remember(skipped)
    return table


def events(files) -> _pa.RecordBatch:
    """The events stage of the Spark job: a record batch with columns
    ``path`` (string) and ``content`` (binary) — what Spark's
    ``binaryFile`` source reads — turned into records (columns:
    :data:`RECORD_SCHEMA`): one ``transaction`` record per 835
    transaction, one ``event`` per service-line event, one ``claim`` per
    837 claim, one ``rejected`` per file that cannot be used (with
    ``source``, ``message``, ``segment`` and ``byte``). Contents that are
    not X12 are skipped."""
    if isinstance(files, _pa.Table):
        files = files.combine_chunks().to_batches()[0] if files.num_rows else _pa.RecordBatch.from_pylist([], schema=files.schema)
    return _remit.events(files)


class Decider:
    """The decide stage, incrementally: ``push`` record batches (from
    :func:`events`, and from the history table with ``history`` true),
    get ledger batches back. With ``sorted=True`` the batches must come
    sorted by ``partition``: each provider is decided as soon as the next
    begins, so memory holds about one provider. Providers are decided on a
    thread of the decider's own while ``push`` decodes the next records;
    ``push`` returns the ledger batches filled so far (without waiting),
    :meth:`finish` (or :meth:`finish_iter`) the rest. Options are those of
    ``remit decide`` (``as_of``, ``contract``, ``fee_schedule``, ``reference``, ``code_list``,
    ``prompt_pay``, ``rate``, appeal days)."""

    def __init__(self, *, sorted: bool = False, **options):
        self._inner = _remit.Decider(_flags(options), sorted)

    def push(self, batch: _pa.RecordBatch) -> List[_pa.RecordBatch]:
        return self._inner.push(batch)

    def finish(self) -> List[_pa.RecordBatch]:
        """No more records: every ledger batch still to come."""
        return self._inner.finish()

    def finish_iter(self) -> Iterator[_pa.RecordBatch]:
        """:meth:`finish` as an iterator: each batch as soon as the engine
        (deciding on a thread of its own) has filled it, so that the
        consumer (Spark's Parquet writer) works while the last providers
        are decided."""
        self._inner.close()
        while True:
            batch = self._inner.next_batch()
            if batch is None:
                return
            yield batch


def decide(records, **options) -> _pa.RecordBatch:
    """The decide stage on records (a record batch, a table or a list of
    batches, in any order): the ledger rows, as ``remit decide`` writes
    them (columns: :data:`LEDGER_SCHEMA`)."""
    if isinstance(records, _pa.RecordBatch):
        batches: Iterable[_pa.RecordBatch] = [records]
    elif isinstance(records, _pa.Table):
        batches = records.to_batches()
    else:
        batches = records
    decider = Decider(**options)
    out: List[_pa.RecordBatch] = []
    for b in batches:
        out.extend(decider.push(b))
    out.extend(decider.finish())
    table = _pa.Table.from_batches(out, schema=LEDGER_SCHEMA)
    return table.combine_chunks().to_batches()[0] if table.num_rows else _pa.RecordBatch.from_pylist([], schema=LEDGER_SCHEMA)
