"""Reconcile a clearinghouse's day of 835s and 837s on Apache Spark.

Every rule stays in remit's Rust code, called in each executor's Python
worker through the `remit` Python package on Arrow record batches — no
subprocess, no JSON, no private PySpark API:

    binaryFile source (path, content)
        ─► mapInArrow(remit.events)            records: transaction / event / claim / ack / rejected
        ─► ∪ history (days before D, history = true)
        ─► ack records (999, 277CA, 277, 837 batch numbers): collected and
           broadcast — they belong to no provider, every decider needs all
        ─► the rest: repartition(N, partition) + sortWithinPartitions(partition)
        ─► mapInArrow(remit.Decider(sorted=True))   acks first, then typed
                                                     ledger rows, one provider at a time
        ─► Parquet: <ledger>/day=D/payer=…/payment_month=…/
                    <history>/day=D/            today's records

Submit it with the remit wheel shipped to the executors:

    spark-submit --py-files remit-0.1.0-cp39-abi3-linux_x86_64.whl spark/remit_job.py \\
        --input /data/2025-07-31/ --ledger /lake/remit/ledger \\
        --history /lake/remit/history --as-of 2025-07-31

(or with remit installed in the executors' Python: a cluster library.)

Re-running a day is idempotent: the history read is every day before D, and
the day's ledger and history partitions (day=D) are overwritten whole.
A transaction that is already in history (a file sent again) is skipped by
the engine, as `remit reconcile --db` skips it.
"""

import argparse
import importlib
import json
import os
import re
import sys
import time
import zipfile

from pyspark import SparkFiles, StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

# What travels through the shuffle: the key, the record's kind, its
# transaction id, its payload (see remit.events) and whether it is history.
SHUFFLED = ["partition", "kind", "tx", "payload", "history"]
NO_PAYMENT_MONTH = "none"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", action="append", required=True,
                   help="a file or folder of 835s and 837s (repeatable); local paths or "
                        "Hadoop URIs (hdfs://, s3a://, abfss://, dbfs:/)")
    p.add_argument("--ledger", required=True,
                   help="root of the ledger table; the day goes to <ledger>/day=D")
    p.add_argument("--history",
                   help="root of the history table (read: days before D; "
                        "written: <history>/day=D)")
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD, as remit decide --as-of")
    p.add_argument("--day", help="the day's label (default: --as-of)")
    p.add_argument("--contract", action="append", default=[],
                   help="contract CSV (repeatable), shipped to the executors; as remit "
                        "reconcile --contract")
    p.add_argument("--fee-schedule", action="append", default=[],
                   help="the same as --contract (repeatable): an old fee schedule CSV")
    p.add_argument("--reference", action="append", default=[], metavar="NAME=CSV",
                   help="reference schedule contract rates are a percentage of, e.g. "
                        "medicare=mpfs.csv (repeatable), shipped to the executors")
    p.add_argument("--code-list", action="append", default=[],
                   help="CARC/RARC list CSV merged over the built-in one (repeatable), shipped to "
                        "the executors; statuses come from its categories, as in remit reconcile")
    p.add_argument("--prompt-pay", help="prompt-pay rule, as remit decide --prompt-pay")
    p.add_argument("--rate", help="prompt-pay rate, as remit decide --rate")
    p.add_argument("--medical-appeal-days", type=int)
    p.add_argument("--administrative-appeal-days", type=int)
    p.add_argument("--partitions", type=int,
                   help="decide partitions (default: 2 x the cluster's cores)")
    p.add_argument("--files-per-batch", type=int, default=16,
                   help="files per Arrow batch in the events stage (their contents are in "
                        "memory together; default 16)")
    p.add_argument("--keep-going", action="store_true",
                   help="exit 0 even when some input files are rejected")
    p.add_argument("--summary", help="also write the run's counts and timings here (JSON)")
    opts = p.parse_args(argv)
    check_shipped(p, opts)
    return opts


def check_shipped(parser, opts):
    """Refuses, before Spark starts, files to ship that are missing or that
    share a base name with another: executors see each shipped file by its
    base name only, so two contracts named `rates.csv` from different
    folders would price with whichever Spark kept."""
    shipped = list(opts.contract) + list(opts.fee_schedule) + list(opts.code_list)
    for spec in opts.reference:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            parser.error(f"--reference {spec}: expected NAME=CSV, e.g. medicare=mpfs.csv")
        shipped.append(path)

    def uri(path):
        # hdfs://, s3a://, dbfs:/… are Spark's to fetch: not checked here.
        return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", path) is not None

    def same(a, b):
        return a == b if uri(a) or uri(b) else os.path.realpath(a) == os.path.realpath(b)

    by_name = {}
    for path in shipped:
        if not uri(path) and not os.path.isfile(path):
            parser.error(f"{path}: no such file to ship to the executors")
        name = os.path.basename(path)
        other = by_name.setdefault(name, path)
        if not same(other, path):
            parser.error(f"{other} and {path} share the base name {name!r}, which is how "
                         "executors see a shipped file: rename one")


# ── the remit package on driver and executors ──────────────────────────────

def import_remit():
    """The remit package: installed (a cluster library), or the wheel
    shipped with --py-files. A wheel is a zip, Python cannot load a native
    module from a zip, and Spark puts only .zip/.egg/.jar py-files on the
    executors' sys.path: the wheel, found on sys.path (the driver) or among
    Spark's files (an executor), is unpacked once per node beside Spark's
    files and that folder put first on sys.path."""
    try:
        import remit
        return remit
    except ImportError as error:
        first_error = error
    try:
        root = SparkFiles.getRootDirectory()
    except Exception:  # noqa: BLE001 - no SparkContext files on this process
        root = None
    wheels = [p for p in sys.path if os.path.isfile(p)]
    if root and os.path.isdir(root):
        wheels += [os.path.join(root, n) for n in sorted(os.listdir(root))]
    for entry in wheels:
        name = os.path.basename(entry)
        if not (name.startswith("remit-") and name.endswith(".whl")):
            continue
        target = os.path.join(root or os.getcwd(), "unpacked", name[:-len(".whl")])
        if not os.path.isdir(target):
            partial = f"{target}.{os.getpid()}"
            with zipfile.ZipFile(entry) as wheel:
                wheel.extractall(partial)
            try:
                os.rename(partial, target)  # atomic: another worker may have won
            except OSError:
                pass
        sys.path.insert(0, target)
        sys.modules.pop("remit", None)
        importlib.invalidate_caches()
        import remit
        return remit
    raise ImportError("the remit package is neither installed nor shipped: submit with "
                      "--py-files remit-*.whl, or install the wheel on every node") from first_error


def spark_schema(arrow_schema):
    return from_arrow_schema(arrow_schema)


# ── the stages ──────────────────────────────────────────────────────────────

def events_stage(batches):
    """mapInArrow: (path, content) batches → records."""
    remit = import_remit()
    for batch in batches:
        yield remit.events(batch)


def shipped(value):
    """A value naming a shipped file, resolved on the executor: `@name` is
    the file, `NAME=@name` (a reference schedule) keeps its name."""
    if not isinstance(value, str):
        return value
    label, sep, rest = value.partition("=@")
    if sep:
        return f"{label}={SparkFiles.get(rest)}"
    if value.startswith("@"):
        return SparkFiles.get(value[1:])
    return value


def decide_stage(options, acks):
    """mapInArrow: a partition's records, sorted by provider → ledger rows.
    Shipped files (`@name`, `NAME=@name`) are found with SparkFiles on the
    executor. `acks` is a broadcast of the day's and history's ack records
    (rows of `payload`, `history`), pushed before any provider's."""

    def run(batches):
        import pyarrow as pa

        remit = import_remit()
        resolved = {}
        for key, value in options.items():
            if isinstance(value, list):
                resolved[key] = [shipped(v) for v in value]
            else:
                resolved[key] = shipped(value)
        decider = remit.Decider(sorted=True, **resolved)
        rows = acks.value
        if rows:
            n = len(rows)
            decider.push(pa.RecordBatch.from_pydict({
                "kind": ["ack"] * n,
                "partition": [""] * n,
                "tx": pa.nulls(n, pa.int64()),
                "payload": pa.array([p for p, _ in rows], pa.binary()),
                "history": [h for _, h in rows],
            }))
        for batch in batches:
            yield from decider.push(batch)
        yield from decider.finish()

    return run


def decide_options(opts, sc):
    """remit decide's options; files are shipped and named `@basename`."""
    options = {"as_of": opts.as_of}
    # Contracts and fee schedules are the same option (remit reconcile
    # --fee-schedule is a synonym of --contract). Files keep their base
    # name on the executors, so expected_basis names them as the CLI does.
    contracts = opts.contract + opts.fee_schedule
    if contracts:
        for path in contracts:
            sc.addFile(path)
        options["contract"] = ["@" + os.path.basename(p) for p in contracts]
    if opts.reference:
        references = []
        for spec in opts.reference:
            name, sep, path = spec.partition("=")
            if not sep or not name or not path:
                raise SystemExit(f"--reference {spec}: expected NAME=CSV, e.g. medicare=mpfs.csv")
            sc.addFile(path)
            references.append(f"{name}=@{os.path.basename(path)}")
        options["reference"] = references
    if opts.code_list:
        # The code list decides statuses (issue 15): decide re-derives each
        # event's status with it, so it is shipped like the fee schedule.
        for path in opts.code_list:
            sc.addFile(path)
        options["code_list"] = ["@" + os.path.basename(p) for p in opts.code_list]
    for key in ("prompt_pay", "rate", "medical_appeal_days", "administrative_appeal_days"):
        value = getattr(opts, key)
        if value is not None:
            options[key] = value
    return options


# ── history ─────────────────────────────────────────────────────────────────

def earlier_history(spark, root, day):
    """The records of every day before `day` (None when there is none)."""
    if not root:
        return None
    try:
        table = spark.read.option("basePath", root).parquet(root)
    except Exception as error:  # noqa: BLE001 - a missing table is the first day
        if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
            return None
        raise
    if "day" not in table.columns:
        raise SystemExit(f"{root}: not a history table (no day=YYYY-MM-DD partitions)")
    missing = [c for c in SHUFFLED[:-1] if c not in table.columns]
    if missing:
        raise SystemExit(f"{root}: not a history table of this job (no {', '.join(missing)} "
                         "column): a history written by the JSON job must be rebuilt from "
                         "its files")
    earlier = table.where(F.col("day") < F.lit(day))
    return earlier.select(*SHUFFLED[:-1]).withColumn("history", F.lit(True))


# ── the job ─────────────────────────────────────────────────────────────────

def main(argv):
    opts = parse_args(argv)
    day = opts.day or opts.as_of
    spark = (SparkSession.builder.appName(f"remit {day}")
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
             # The ledger is written partitioned by payer and month: with
             # concurrent writers per task Spark need not sort every row by
             # (payer, month) first (it falls back to sorting past 64).
             .config("spark.sql.maxConcurrentOutputFileWriters", "64")
             .getOrCreate())
    sc = spark.sparkContext
    remit = import_remit()
    started = time.time()
    cores = sc.defaultParallelism
    partitions = opts.partitions or 2 * cores
    options = decide_options(opts, sc)

    # The events stage: file contents are in memory a batch at a time.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(opts.files_per_batch))
    files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
             .load(opts.input)
             # file:/x/y.835 is named /x/y.835, as remit reconcile /x names it
             .select(F.regexp_replace("path", "^file:", "").alias("path"), "content"))
    records = files.mapInArrow(events_stage, spark_schema(remit.RECORD_SCHEMA)).persist(
        StorageLevel.MEMORY_AND_DISK)
    # One pass over the records: how many of each kind, and the rejected
    # files with where they broke.
    failure = F.struct("source", "message", "segment", "byte")
    tally = (records.groupBy("kind")
             .agg(F.count("*").alias("count"),
                  F.collect_list(F.when(F.col("kind") == "rejected", failure)).alias("failures"))
             .collect())
    counts = {r["kind"]: r["count"] for r in tally if r["kind"] != "rejected"}
    rejected = [f for r in tally for f in r["failures"]]
    today = records.where(F.col("kind") != "rejected").select(*SHUFFLED)
    events_done = time.time()

    # The decide stage: every record of one provider meets in one partition.
    spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    history = earlier_history(spark, opts.history, day)
    everything = today if history is None else today.unionByName(history)
    # Acknowledgments name 837 sets and claims, not providers: a 999 covers
    # a whole set whatever providers it bills for. They are few (one 999
    # per set, one 277CA row per claim) and every decider needs all of
    # them before its first provider, so they are broadcast, not shuffled.
    is_ack = F.col("kind") == "ack"
    ack_rows = [(bytes(r["payload"]), bool(r["history"]))
                for r in everything.where(is_ack).select("payload", "history").collect()]
    acks = sc.broadcast(ack_rows)
    shuffled = (everything.where(~is_ack)
                .repartition(partitions, "partition").sortWithinPartitions("partition"))
    ledger = shuffled.mapInArrow(decide_stage(options, acks), spark_schema(remit.LEDGER_SCHEMA))
    month = F.date_format("payment_date", "yyyy-MM")
    ledger = ledger.withColumn("payment_month", F.coalesce(month, F.lit(NO_PAYMENT_MONTH)))
    ledger_dir = f"{opts.ledger.rstrip('/')}/day={day}"
    (ledger.write.mode("overwrite")
     .partitionBy("payer", "payment_month").parquet(ledger_dir))
    decided_done = time.time()
    try:
        rows = spark.read.parquet(ledger_dir).count()
    except Exception as error:  # noqa: BLE001 - no rows: nothing but _SUCCESS
        if "UNABLE_TO_INFER_SCHEMA" not in str(error) and "Unable to infer" not in str(error):
            raise
        rows = 0
    if opts.history:
        (today.drop("history").write.mode("overwrite")
         .parquet(f"{opts.history.rstrip('/')}/day={day}"))

    summary = {
        "day": day,
        "records": sum(counts.values()), "events": counts.get("event", 0),
        "transactions": counts.get("transaction", 0), "claims": counts.get("claim", 0),
        "history_records": 0 if history is None else history.count(),
        "ledger_rows": rows,
        "rejected": [r.asDict() for r in rejected],
        "partitions": partitions, "cores": cores,
        "events_seconds": round(events_done - started, 2),
        "decide_seconds": round(decided_done - events_done, 2),
        "total_seconds": round(time.time() - started, 2),
    }
    for r in rejected[:50]:
        print(f"remit job: rejected {r['source']}: segment {r['segment']} "
              f"(byte {r['byte']}): {r['message']}", file=sys.stderr)
    if len(rejected) > 50:
        print(f"remit job: ... and {len(rejected) - 50} more rejected", file=sys.stderr)
    shown = dict(summary, rejected=len(rejected))
    print("remit job: " + json.dumps(shown), file=sys.stderr)
    if opts.summary:
        with open(opts.summary, "w") as f:
            json.dump(summary, f, indent=1)
    spark.stop()
    return 1 if rejected and not opts.keep_going else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
