"""Checks that ledgers written by remit_job.py equal `remit reconcile`'s,
row for row, ignoring order, with their types.

    spark-submit spark/check_ledger.py \\
        --check samples reconcile.parquet ledger/day=2025-07-31 [--check ...]

Each check compares the rows of `remit reconcile --format parquet`
(EXPECTED) with the rows read back from one or more ledger directories
(PARTS, comma separated; `DIR!STATUS` leaves out that DIR's rows of that
status, e.g. the NO_REMITTANCE rows of an earlier day that a later day
reports again). Rows are compared as multisets over the reconcile columns,
as typed values (decimals, dates, lists), and every reconcile column must
have the same Spark type in the job's ledger, but for `payer`: it is a
partition column of the ledger, read back as a string, where Spark stores
an empty value as null, so an empty payer equals a null one. Exits 1 on
any difference.
"""

import argparse
import json
import sys
from collections import Counter

from pyspark.sql import SparkSession


def normalise(columns, row):
    values = []
    for c in columns:
        v = row[c]
        if c == "payer" and v == "":
            v = None
        if isinstance(v, list):
            v = tuple(v)
        values.append(v)
    return tuple(values)


def rows_of(df, columns, drop=None):
    if drop:
        df = df.where(df["status"] != drop)
    return Counter(normalise(columns, r.asDict()) for r in df.select(*columns).collect())


def actual_rows(spark, expected_schema, parts):
    columns = expected_schema.fieldNames()
    rows = Counter()
    for part in parts:
        path, _, drop = part.partition("!")
        df = spark.read.parquet(path)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise SystemExit(f"{path}: ledger lacks columns {missing}")
        for field in expected_schema.fields:
            have = df.schema[field.name].dataType
            if field.name != "payer" and have != field.dataType:
                raise SystemExit(f"{path}: column {field.name} is {have}, "
                                 f"remit reconcile's is {field.dataType}")
        rows += rows_of(df, columns, drop)
    return rows


def say(message):
    """One whole line on standard error (the JVM logs to it too)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def show(label, rows, columns):
    for row, n in list(rows.items())[:5]:
        shown = {c: str(v) for c, v in zip(columns, row) if v not in (None, "", ())}
        say(f"  {label} x{n}: {json.dumps(shown)[:600]}")


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--check", nargs=3, action="append", required=True,
                   metavar=("NAME", "EXPECTED", "PARTS"))
    opts = p.parse_args(argv)
    spark = (SparkSession.builder.appName("remit ledger check")
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
             .getOrCreate())
    failed = 0
    for name, expected_path, parts in opts.check:
        reference = spark.read.parquet(expected_path)
        columns = reference.schema.fieldNames()
        expected = rows_of(reference, columns)
        actual = actual_rows(spark, reference.schema, parts.split(","))
        if actual == expected:
            say(f"check {name}: ledger equals remit reconcile "
                f"({sum(expected.values())} rows)")
            continue
        failed += 1
        say(f"check {name}: MISMATCH: {sum(actual.values())} rows from Spark, "
            f"{sum(expected.values())} from remit reconcile")
        show("only in Spark", actual - expected, columns)
        show("only in reconcile", expected - actual, columns)
    spark.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
