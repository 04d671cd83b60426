"""Reconcile a clearinghouse's day of 835s and 837s on Apache Spark.

Every rule stays in remit's Rust code, called in each executor's Python
worker through the `remit` Python package on Arrow record batches — no
subprocess, no JSON, no private PySpark API:

    binaryFile source (path, content)
        ─► mapInArrow(events)         records: transaction / event / claim / ack;
                                      each ack once per decide partition; counts
                                      and rejected files in an accumulator
        ─► without --history: repartition(N, partition)
           with --history: into the history table bucketed by partition
           (N buckets), then days up to D read as one bucketed scan —
           partitioned by provider already, no Exchange (see History)
        ─► sortWithinPartitions(kind != ack, partition)
        ─► mapInArrow(remit.Decider(sorted=True))   acks first, then typed
                                                     ledger rows, one provider at a time
        ─► Parquet: <ledger>/day=D/payer=…/payment_month=…/

Submit it with the remit wheel shipped to the executors:

    spark-submit --py-files remit-0.1.0-cp39-abi3-linux_x86_64.whl spark/remit_job.py \\
        --input /data/2025-07-31/ --ledger /lake/remit/ledger \\
        --history /lake/remit/history --as-of 2025-07-31

(or with remit installed in the executors' Python: a cluster library.)

Re-running a day is idempotent: the history read is every day before D, and
the day's ledger and history partitions (day=D) are overwritten whole.
The events stage runs once: nothing is cached.
A transaction that is already in history (a file sent again) is skipped by
the engine, as `remit reconcile --db` skips it.
"""

import argparse
import contextlib
import importlib
import io
import json
import os
import re
import sys
import time
import zipfile

from pyspark import AccumulatorParam, SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

# What travels through the shuffle: the key, the record's kind, its
# transaction id, its payload (see remit.events) and whether it is history.
SHUFFLED = ["partition", "kind", "tx", "payload", "history"]
NO_PAYMENT_MONTH = "none"
# Records per Arrow batch into the decide stage (Spark's default is
# 10,000): fewer, larger transfers to the Python worker.
DECIDE_BATCH_ROWS = 65_536
# What the events stage counts a file's opening as, in bytes, when it packs
# files into tasks (Spark's default is 4 MB: see `run`).
EVENTS_OPEN_COST = 65_536


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", action="append", required=True,
                   help="a file or folder of 835s and 837s (repeatable); local paths or "
                        "Hadoop URIs (hdfs://, s3a://, abfss://, dbfs:/)")
    p.add_argument("--ledger", required=True,
                   help="root of the ledger table; the day goes to <ledger>/day=D")
    p.add_argument("--history",
                   help="root of the history table, bucketed by provider (read: days "
                        "before D; written: <history>/by-provider/day=D)")
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
                   help="decide partitions (default: 2 x the cluster's cores); with "
                        "--history, the history table's buckets: set by its first run, "
                        "then kept")
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


def pa_schema(fields):
    import pyarrow as pa

    return pa.schema(fields)


# ── the stages ──────────────────────────────────────────────────────────────

class Tally(AccumulatorParam):
    """The events stage's tally, added up from every task: records per
    kind, and the rejected files by name (a retried task names its files
    again, not twice; its counts, like any accumulator's in a
    transformation, may count twice)."""

    def zero(self, value):
        return {"counts": {}, "rejected": {}}

    def addInPlace(self, a, b):
        for kind, n in b["counts"].items():
            a["counts"][kind] = a["counts"].get(kind, 0) + n
        a["rejected"].update(b["rejected"])
        return a


def events_stage(ack_keys, tally):
    """mapInArrow: (path, content) batches → the records the decide stage
    reads (SHUFFLED columns). Rejected files go to `tally`, not on to the
    decide stage; an ack record is sent once to every decide partition,
    with the `partition` value `ack_keys[i]` that lands in partition i,
    since every decider needs every acknowledgment."""

    def run(batches):
        import pyarrow.compute as pc

        remit = import_remit()
        mine = {"counts": {}, "rejected": {}}
        for batch in batches:
            records = remit.events(batch)
            kinds = records.column("kind")
            for kind, n in zip(*pc.value_counts(kinds).flatten()):
                kind = kind.as_py()
                mine["counts"][kind] = mine["counts"].get(kind, 0) + n.as_py()
            rejected = records.filter(pc.equal(kinds, "rejected"))
            for r in rejected.select(["source", "message", "segment", "byte"]).to_pylist():
                mine["rejected"][r["source"]] = r
            records = records.select(SHUFFLED)
            yield records.filter(pc.invert(pc.is_in(kinds, value_set=pa_strings(["rejected", "ack"]))))
            acks = records.filter(pc.equal(kinds, "ack"))
            if acks.num_rows:
                column = records.schema.get_field_index("partition")
                for key in ack_keys:
                    yield acks.set_column(column, records.schema.field(column),
                                          pa_strings([key] * acks.num_rows))
        tally.add(mine)

    return run


def pa_strings(values):
    import pyarrow as pa

    return pa.array(values, pa.string())


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


def decide_stage(options, ledger_rows):
    """mapInArrow: a partition's records, acknowledgments first, then
    sorted by provider → ledger rows, counted in `ledger_rows`. Shipped
    files (`@name`, `NAME=@name`) are found with SparkFiles on the
    executor."""

    def run(batches):
        remit = import_remit()
        resolved = {}
        for key, value in options.items():
            if isinstance(value, list):
                resolved[key] = [shipped(v) for v in value]
            else:
                resolved[key] = shipped(value)
        decider = remit.Decider(sorted=True, **resolved)
        rows = 0
        for batch in batches:
            for out in decider.push(batch):
                rows += out.num_rows
                yield out
        # As the engine fills them: the JVM writes the first batches of
        # the last provider while the engine decides the rest.
        for out in decider.finish_iter():
            rows += out.num_rows
            yield out
        ledger_rows.add(rows)

    return run


def ack_keys(spark, partitions):
    """One `partition` value per decide partition: `ack_keys(…)[i]` lands
    in partition i of `repartition(partitions, "partition")` and in bucket
    i of a table bucketed by `partition` (both place a row by
    pmod(hash(partition), n)). They begin with U+0001, which no provider
    id has. Evaluated on the driver: a VALUES relation runs no job."""
    keys = {}
    tried = 0
    while len(keys) < partitions:
        values = ", ".join(f"({j})" for j in range(tried, tried + 8 * partitions))
        query = (f"SELECT k, pmod(hash(k), {partitions}) AS b FROM (SELECT "
                 f"concat(chr(1), 'ack ', CAST(j AS STRING)) AS k FROM VALUES {values} AS t(j))")
        for row in spark.sql(query).collect():
            keys.setdefault(row["b"], row["k"])
        tried += 8 * partitions
    return [keys[i] for i in range(partitions)]


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
#
# The history table keeps every day's records bucketed by provider, the
# decide stage's key, into as many buckets as the decide stage has
# partitions:
#
#     <history>/_remit_history/          the layout (JSON): buckets, key
#     <history>/by-provider/day=D/part-…_000NN.c000.snappy.parquet
#
# A day's run writes its own records into bucket files (the day's records
# are shuffled once, into their buckets) and then reads every day up to D
# as one bucketed scan: task i reads bucket i of every day, which already
# holds every record of its providers, so the decide stage has no
# Exchange and the history is never shuffled again. Spark's catalog keeps
# the bucket spec; the job declares the table over its folder each run
# (`CREATE TABLE … CLUSTERED BY … LOCATION`) in whatever catalog the
# session has (in-memory without a metastore) and drops the declaration at
# the end (an external table: its files stay).
#
# The layout before it (`<history>/day=D/*.parquet`, not bucketed, read
# and re-shuffled by every run) is converted once, on the first run that
# finds it: its days are written into the bucketed table; its day=D
# folders are no longer read after that.

HISTORY_COLUMNS = ["partition", "kind", "tx", "payload"]
LAYOUT_DIR = "_remit_history"  # `_`: Spark's file listing skips it
TABLE_DIR = "by-provider"
LAYOUT_NAME = "bucketed-by-provider"


def missing_path(error):
    text = str(error)
    return any(s in text for s in ("PATH_NOT_FOUND", "Path does not exist",
                                   "FileNotFoundException", "does not exist"))


def sql_string(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class History:
    """The history table at `root`, bucketed by provider into `buckets`."""

    def __init__(self, spark, root, day, partitions, default_partitions):
        self.spark = spark
        self.root = root.rstrip("/")
        self.day = day
        self.converted = []
        layout = self._layout()
        legacy = None if layout else self._legacy()
        if layout:
            self.buckets = layout["buckets"]
            if partitions and partitions != self.buckets:
                raise SystemExit(
                    f"{self.root}: the history table is bucketed by provider into "
                    f"{self.buckets} buckets, and the decide stage must have as many "
                    f"partitions: run with --partitions {self.buckets} (or without "
                    "--partitions)")
        else:
            self.buckets = partitions or default_partitions
        self.ack_keys = ack_keys(spark, self.buckets)
        # Unique per run: with a metastore (Hive, Databricks) the
        # declaration is dropped at the end, and two runs never share one.
        self.table = f"remit_history_{os.getpid()}_{int(time.time() * 1000)}"
        spark.sql(
            f"CREATE TABLE {self.table} (partition STRING, kind STRING, tx BIGINT, "
            f"payload BINARY, day STRING) USING parquet PARTITIONED BY (day) "
            f"CLUSTERED BY (partition) INTO {self.buckets} BUCKETS "
            f"LOCATION {sql_string(self.root + '/' + TABLE_DIR)}")
        if layout:
            try:
                spark.sql(f"ALTER TABLE {self.table} RECOVER PARTITIONS")
            except Exception as error:  # noqa: BLE001 - no day written yet
                if not missing_path(error):
                    raise
        else:
            self._write_layout()
            if legacy is not None:
                self._convert(legacy)

    def _layout(self):
        try:
            rows = (self.spark.read.schema("layout STRING, buckets INT, key STRING")
                    .json(f"{self.root}/{LAYOUT_DIR}").collect())
        except Exception as error:  # noqa: BLE001 - no layout: a new table
            if missing_path(error):
                return None
            raise
        if not rows or rows[0]["layout"] != LAYOUT_NAME or not rows[0]["buckets"]:
            raise SystemExit(f"{self.root}/{LAYOUT_DIR}: not the layout of a remit history "
                             f"table ({LAYOUT_NAME}): move it away or pass another --history")
        return rows[0].asDict()

    def _write_layout(self):
        (self.spark.createDataFrame([(LAYOUT_NAME, self.buckets, "partition")],
                                    "layout STRING, buckets INT, key STRING")
         .coalesce(1).write.mode("overwrite").json(f"{self.root}/{LAYOUT_DIR}"))

    def _legacy(self):
        """The days of the layout before buckets (None when there is none)."""
        try:
            table = (self.spark.read.option("basePath", self.root)
                     .parquet(f"{self.root}/day=*"))
        except Exception as error:  # noqa: BLE001 - none: a new table
            if missing_path(error) or "UNABLE_TO_INFER_SCHEMA" in str(error):
                return None
            raise
        missing = [c for c in HISTORY_COLUMNS if c not in table.columns]
        if missing:
            raise SystemExit(f"{self.root}: not a history table of this job (no "
                             f"{', '.join(missing)} column): a history written by the JSON "
                             "job must be rebuilt from its files")
        return table

    def _convert(self, legacy):
        """Writes the unbucketed layout's days into the table, once; its
        ack records (one each, partition "") go to every bucket."""
        self.converted = sorted(r["day"] for r in legacy.select("day").distinct().collect())
        columns = [*HISTORY_COLUMNS, "day"]
        keys = self.spark.createDataFrame([(k,) for k in self.ack_keys], "ack_key STRING")
        acks = (legacy.where(F.col("kind") == "ack").crossJoin(keys)
                .withColumn("partition", F.col("ack_key")).select(*columns))
        (legacy.where(F.col("kind") != "ack").select(*columns).unionByName(acks)
         .repartition(self.buckets, "partition")
         .write.insertInto(self.table, overwrite=True))
        print(f"remit job: converted the history at {self.root} (days "
              f"{', '.join(self.converted)}) to the table bucketed by provider at "
              f"{self.root}/{TABLE_DIR}; its day=… folders are no longer read",
              file=sys.stderr)

    def write_day(self, records):
        """The day's records, into their buckets (day=D replaced whole)."""
        view = f"{self.table}_day"
        # One file per bucket: repartitioning by the bucket key with the
        # same number of partitions sends bucket i to task i.
        records.select(*HISTORY_COLUMNS).repartition(self.buckets, "partition") \
            .createOrReplaceTempView(view)
        self.spark.sql(f"INSERT OVERWRITE TABLE {self.table} PARTITION (day = "
                       f"{sql_string(self.day)}) SELECT {', '.join(HISTORY_COLUMNS)} "
                       f"FROM {view}")
        self.spark.catalog.dropTempView(view)

    def up_to_day(self):
        """Every record of days up to D, `history` true before D: one
        bucketed scan, partitioned by provider."""
        table = self.spark.table(self.table).where(F.col("day") <= F.lit(self.day))
        return (table.withColumn("history", F.col("day") < F.lit(self.day))
                .select(*HISTORY_COLUMNS, "history"))

    def earlier_count(self):
        """The records of days before D (an ack record once, not once per
        bucket)."""
        once = (F.col("kind") != "ack") | (F.col("partition") == self.ack_keys[0])
        return (self.spark.table(self.table).where(F.col("day") < F.lit(self.day))
                .where(once).count())

    def close(self):
        self.spark.sql(f"DROP TABLE IF EXISTS {self.table}")


def plan_of(df):
    """The formatted physical plan of `df` (DataFrame.explain prints it)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        df.explain(mode="formatted")
    return buffer.getvalue()


def exchanges(plan):
    """The Exchange nodes of a formatted plan's tree (its first block)."""
    tree = plan.split("\n\n\n")[0]
    return [line.strip(" +-:") for line in tree.splitlines() if "Exchange" in line]


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
             # Spark turns a bucketed scan into a plain one when no operator
             # needs its partitioning, and leaves out a repartition the
             # bucketed scan satisfies: with both, the decide stage would
             # get providers split across tasks. The history table's scan
             # stays bucketed.
             .config("spark.sql.sources.bucketing.autoBucketedScan.enabled", "false")
             .getOrCreate())
    sc = spark.sparkContext
    remit = import_remit()
    started = time.time()
    cores = sc.defaultParallelism
    partitions = opts.partitions or 2 * cores
    options = decide_options(opts, sc)
    # The history table first: a layout it refuses stops the job before
    # any work, and an unbucketed one is converted.
    history = (History(spark, opts.history, day, opts.partitions, partitions)
               if opts.history else None)
    try:
        status = run(spark, opts, day, remit, options, history, partitions, started)
    finally:
        if history is not None:
            history.close()
    spark.stop()
    return status


def run(spark, opts, day, remit, options, history, partitions, started):
    """The job, once the session and the history table are open."""
    sc = spark.sparkContext
    cores = sc.defaultParallelism

    # The events stage: file contents are in memory a batch at a time.
    # It runs once, as the map side of the decide stage's shuffle (or of
    # the history table's write): no cache, no pass of its own to count
    # records or find the acknowledgments.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(opts.files_per_batch))
    # Fewer, larger events tasks: Spark packs files into a task up to the
    # input's bytes per core, counting each file as its length plus
    # `openCostInBytes` (4 MB by default), so 200 files of 200 KB made 7
    # tasks for one core, each paying a task's start, a Python worker's
    # round trip and the first batch's wait; with a cost of 64 KB they are
    # packed by the input's bytes per `defaultParallelism` (at least 2 on a
    # standalone cluster: 3 tasks for that day on one core; each at most
    # `maxPartitionBytes`, 128 MB). Unless set.
    if not sc.getConf().contains("spark.sql.files.openCostInBytes"):
        spark.conf.set("spark.sql.files.openCostInBytes", str(EVENTS_OPEN_COST))
    # No adaptive execution (unless set): the decide stage's repartition
    # has a fixed number of partitions, which AQE keeps, and a history
    # day's read is a bucketed scan with no Exchange, so it has nothing to
    # re-plan; with it on, the shuffle's map side runs as a job of its own
    # and the decide stage is planned again once it ends (~1.5 s between
    # the stages at load 8, on a cold JVM).
    if not sc.getConf().contains("spark.sql.adaptive.enabled"):
        spark.conf.set("spark.sql.adaptive.enabled", "false")
    files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
             .load(opts.input)
             # file:/x/y.835 is named /x/y.835, as remit reconcile /x names it
             .select(F.regexp_replace("path", "^file:", "").alias("path"), "content"))
    if history is not None:
        partitions = history.buckets
    keys = history.ack_keys if history is not None else ack_keys(spark, partitions)
    tally = sc.accumulator({"counts": {}, "rejected": {}}, Tally())
    record_schema = remit.RECORD_SCHEMA
    shuffled_schema = pa_schema([record_schema.field(c) for c in SHUFFLED])
    today = files.mapInArrow(events_stage(keys, tally), spark_schema(shuffled_schema))

    if history is None:
        everything = today
    else:
        # The day's records go into their buckets first; the decide stage
        # then reads the day with every earlier day, bucket by bucket.
        history.write_day(today)
        everything = history.up_to_day()
    # Every partition begins with the acknowledgments (the events stage
    # sent each to every partition): a 999 covers a whole 837 set, whatever
    # providers it bills for, and every decider needs all of them before
    # its first provider. From the history table the repartition is no
    # shuffle: the bucketed scan is already partitioned so, and Spark
    # leaves it out.
    if history is not None:
        # A job of its own (the events stage ran in the history's write):
        # larger batches. Without history both stages are one job, and the
        # setting, read once per query, stays what the events stage needs.
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(DECIDE_BATCH_ROWS))
    shuffled = (everything.repartition(partitions, "partition")
                .sortWithinPartitions(F.col("kind") != "ack", "partition"))
    ledger_rows = sc.accumulator(0)
    ledger = shuffled.mapInArrow(decide_stage(options, ledger_rows),
                                 spark_schema(remit.LEDGER_SCHEMA))
    month = F.date_format("payment_date", "yyyy-MM")
    ledger = ledger.withColumn("payment_month", F.coalesce(month, F.lit(NO_PAYMENT_MONTH)))
    ledger_dir = f"{opts.ledger.rstrip('/')}/day={day}"
    (ledger.write.mode("overwrite")
     .partitionBy("payer", "payment_month").parquet(ledger_dir))
    decided_done = time.time()
    # The plan the summary reports, once the write is done: planning it
    # before would add a second planning pass on a JVM still warming up,
    # ahead of the first task (the write plans the same query itself).
    # Only with history: what the test checks of it (no Exchange, a
    # bucketed scan) is the history's read; without, explaining costs the
    # run a planning pass for nothing.
    decide_plan = plan_of(ledger) if history is not None else ""
    counts = tally.value["counts"]
    rejected = [tally.value["rejected"][k] for k in sorted(tally.value["rejected"])]
    history_records = 0 if history is None else history.earlier_count()

    summary = {
        "day": day,
        "records": sum(n for k, n in counts.items() if k != "rejected"),
        "events": counts.get("event", 0),
        "transactions": counts.get("transaction", 0), "claims": counts.get("claim", 0),
        "history_records": history_records,
        "history_buckets": None if history is None else history.buckets,
        "history_converted": [] if history is None else history.converted,
        # What the test checks: the decide stage reads the history
        # without an Exchange (a bucketed scan).
        "decide_exchanges": exchanges(decide_plan),
        "decide_bucketed_scan": "Bucketed: true" in decide_plan,
        "ledger_rows": ledger_rows.value,
        "rejected": rejected,
        "partitions": partitions, "cores": cores,
        "ledger_seconds": round(decided_done - started, 2),
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
    return 1 if rejected and not opts.keep_going else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
