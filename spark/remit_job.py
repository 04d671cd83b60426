"""Reconcile a clearinghouse's day of 835s and 837s on Apache Spark.

Every rule stays in the `remit` binary; this job only moves data:

    list input files ─► distribute them ─► `remit events` on each partition
        ─► DataFrame (partition, line_key, order, json) ∪ history table
        ─► repartition by `partition` (the payee / billing NPI),
           sort within partitions by (partition, line_key, order)
        ─► `remit decide` on each partition ─► ledger rows (JSON Lines)
        ─► Parquet: <ledger>/day=D/payer=…/payment_month=…/
                    <history>/day=D/   (today's records, marked history)

Submit it with the binary shipped to the executors:

    spark-submit --files target/release/remit spark/remit_job.py \\
        --input /data/2025-07-31/ --ledger /lake/remit/ledger \\
        --history /lake/remit/history --as-of 2025-07-31

Inputs are read in one of two modes (`--input-mode`):
  paths     the driver lists the files and the executors open them by path
            (`remit events --paths-from-stdin`): needs a file system every
            executor sees at the same path (NFS, a single machine);
  contents  Spark reads the files (the binaryFile source: HDFS, S3, ABFS,
            DBFS…) and pipes them base64-encoded, one line per file
            (`remit events --contents-from-stdin`);
  auto      (default) contents when an input has a URI scheme other than
            file:, paths otherwise.

Re-running a day is idempotent: the history read is every day before D, and
the day's ledger and history partitions (day=D) are overwritten whole.
A transaction that is already in history (a file sent again) is skipped by
the engine, as `remit reconcile --db` skips it.
"""

import argparse
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
import time

from pyspark import SparkFiles, StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

RECORD_COLUMNS = ["partition", "line_key", "order", "json"]
NO_PAYMENT_MONTH = "none"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", action="append", required=True,
                   help="a file or folder of 835s and 837s (repeatable); "
                        "local paths or Hadoop URIs (hdfs://, s3a://, dbfs:/)")
    p.add_argument("--ledger", required=True,
                   help="root of the ledger table; the day goes to <ledger>/day=D")
    p.add_argument("--history",
                   help="root of the history table (read: days before D; "
                        "written: <history>/day=D)")
    p.add_argument("--as-of", required=True, help="YYYY-MM-DD, passed to remit decide")
    p.add_argument("--day", help="the day's label (default: --as-of)")
    p.add_argument("--fee-schedule", help="fee schedule CSV, shipped to the executors")
    p.add_argument("--code-list", action="append", default=[],
                   help="CARC/RARC list CSV merged over the built-in one (repeatable), shipped to "
                        "the executors; statuses come from its categories, as in remit reconcile")
    p.add_argument("--prompt-pay", help="prompt-pay rule, passed to remit decide")
    p.add_argument("--rate", help="prompt-pay rate, passed to remit decide")
    p.add_argument("--decide-arg", action="append", default=[],
                   help="any other remit decide flag (repeatable), e.g. "
                        "--decide-arg=--medical-appeal-days=120")
    p.add_argument("--input-mode", choices=["auto", "paths", "contents"], default="auto")
    p.add_argument("--partitions", type=int,
                   help="decide partitions (default: 2 x the cluster's cores)")
    p.add_argument("--pipe", choices=["jvm", "python"], default="jvm",
                   help="jvm (default): Spark's own RDD.pipe, running ./REMIT in the "
                        "executor's working directory, where --files puts it (YARN, "
                        "Kubernetes, standalone); python: a Python pipe resolving the "
                        "binary with SparkFiles.get (local mode, or wherever the "
                        "executors do not run in their SparkFiles directory); slower")
    p.add_argument("--remit", default="remit",
                   help="name of the binary shipped with --files (default: remit)")
    p.add_argument("--keep-going", action="store_true",
                   help="exit 0 even when some input files are rejected")
    p.add_argument("--summary", help="also write the run's counts and timings here (JSON)")
    return p.parse_args(argv)


# ── piping through the binary ───────────────────────────────────────────────

def remit_pipe(binary, args):
    """For --pipe python: a partition function that pipes a partition's
    lines through `remit ARGS` in the Python worker and yields its output
    lines, with the binary (and any `@name` in ARGS) resolved by
    SparkFiles.get on the executor, so it works wherever SparkFiles does
    (local mode included), made executable if the copy lost its mode bits;
    remit's standard error goes to the executor log and, when it fails, to
    the task's error. Every row crosses into Python and back: several times
    slower than the JVM's RDD.pipe."""

    def run(lines):
        lines = iter(lines)
        first = next(lines, None)
        if first is None:
            return  # an empty partition starts no process
        exe = SparkFiles.get(binary)
        mode = os.stat(exe).st_mode
        if not mode & stat.S_IXUSR:
            os.chmod(exe, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        argv = [exe] + [SparkFiles.get(a[1:]) if a.startswith("@") else a for a in args]
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err)
            failure = []

            def feed():
                try:
                    for line in _chain(first, lines):
                        proc.stdin.write(line.encode("utf-8"))
                        proc.stdin.write(b"\n")
                except BrokenPipeError:
                    pass  # remit stopped reading: its exit status says why
                except BaseException as e:  # noqa: BLE001 - reported below
                    failure.append(e)
                finally:
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass

            writer = threading.Thread(target=feed, daemon=True)
            writer.start()
            for out in proc.stdout:
                yield out.decode("utf-8").rstrip("\n")
            status = proc.wait()
            writer.join()
            err.seek(0)
            message = err.read().decode("utf-8", "replace")
            if message:
                sys.stderr.write(message)
            if failure:
                raise failure[0]
            if status != 0:
                raise RuntimeError(
                    f"{' '.join(argv)} exited with status {status}: {message[-2000:]}")

    return run


def _chain(first, rest):
    yield first
    yield from rest


# ── the events stage ────────────────────────────────────────────────────────

def has_scheme(path):
    head = path.split("/", 1)[0]
    return head.endswith(":") and head != "file:"


def local_files(inputs):
    """Every file under the inputs, as absolute paths, in a stable order
    (remit events skips those that are not X12, as a folder walk does)."""
    files = []
    for item in inputs:
        path = os.path.abspath(item[len("file:"):] if item.startswith("file:") else item)
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                files.extend(os.path.join(root, n) for n in sorted(names))
        else:
            files.append(path)
    return files


def balanced_groups(files, count):
    """Files spread over `count` groups, largest first onto the lightest
    group, so that no task gets all the big files."""
    sized = sorted(((os.path.getsize(f), f) for f in files), reverse=True)
    groups = [[0, []] for _ in range(max(1, min(count, len(files))))]
    for size, f in sized:
        lightest = min(groups, key=lambda g: g[0])
        lightest[0] += size
        lightest[1].append(f)
    return [sorted(g[1]) for g in groups if g[1]]


def pipe(spark, lines, args, opts):
    """`remit ARGS` run on each partition of `lines` (a DataFrame of one
    string column), one input line per row: a DataFrame of its output lines
    (column `json`). With --pipe jvm this is Spark's RDD.pipe, so no row
    passes through Python; `@name` in ARGS names a file shipped with
    --files or addFile, found like the binary in the executor's working
    directory (made executable there if the copy lost its mode bits)."""
    if opts.pipe == "python":
        out = lines.rdd.map(lambda row: row[0]).mapPartitions(remit_pipe(opts.remit, args))
        return spark.createDataFrame(out.map(lambda line: (line,)), "json string")
    exe = "./" + opts.remit
    launch = 'x="$0"; [ -x "$x" ] || chmod u+x "$x"; exec "$x" "$@"'
    argv = ["sh", "-c", launch, exe] + ["./" + a[1:] if a.startswith("@") else a for a in args]
    strings = spark._jvm.org.apache.spark.sql.Encoders.STRING()
    piped = getattr(lines._jdf, "as")(strings).toJavaRDD().pipe(argv)
    frame = spark._jsparkSession.createDataset(piped.rdd(), strings).toDF()
    return DataFrame(frame, spark).withColumnRenamed("value", "json")


def event_lines(spark, opts, slices, jobs):
    """The `remit events` records of every input file (a DataFrame with one
    column, `json`), and the input mode used."""
    sc = spark.sparkContext
    mode = opts.input_mode
    if mode == "auto":
        mode = "contents" if any(has_scheme(i) for i in opts.input) else "paths"
    flags = ["events", "--keep-going", "--jobs", str(jobs)]
    if mode == "paths":
        groups = balanced_groups(local_files(opts.input), slices)
        listing = sc.parallelize(groups, max(1, len(groups))).flatMap(lambda g: g)
        paths = spark.createDataFrame(listing.map(lambda p: (p,)), "path string")
        return mode, pipe(spark, paths, flags + ["--paths-from-stdin"], opts)
    files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
             .load(opts.input))
    # file:/x/y.835 is named /x/y.835, as remit reconcile /x names it
    name = F.regexp_replace("path", "^file:", "")
    # Spark's base64 may break lines (MIME); remit wants one line per file
    encoded = F.regexp_replace(F.base64("content"), "[\r\n]", "")
    contents = files.select(F.concat_ws("\t", name, encoded).alias("line"))
    return mode, pipe(spark, contents.repartition(slices), flags + ["--contents-from-stdin"], opts)


def as_records(lines):
    """Records as (kind, partition, line_key, order, json): the JSON text is
    kept whole through the shuffle; only the keys are read out of it (a
    claim has no line_key or order: null, sorted first)."""
    keys = F.json_tuple("json", "kind", "partition", "line_key", "order")  # one parse
    return lines.select(keys.alias("kind", "partition", "line_key", "order"), "json")


# ── history ─────────────────────────────────────────────────────────────────

def hadoop_path(spark, path):
    jvm = spark.sparkContext._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p


def exists(spark, path):
    fs, p = hadoop_path(spark, path)
    return fs.exists(p)


def earlier_history(spark, root, day):
    """The records of every day before `day` (None when there is none)."""
    if not root or not exists(spark, root):
        return None
    table = spark.read.option("basePath", root).parquet(root)
    if "day" not in table.columns:
        raise SystemExit(f"{root}: not a history table (no day=YYYY-MM-DD partitions)")
    return table.where(F.col("day") < F.lit(day)).select(*RECORD_COLUMNS)


def as_history(records):
    """Today's records marked as history. The flag is rewritten in the JSON
    text: `remit events --history` differs from `remit events` only there
    (tests/stages.rs checks it)."""
    return records.withColumn(
        "json", F.regexp_replace("json", '"history":false', '"history":true'))


# ── the decide stage and the ledger ─────────────────────────────────────────

def decide_flags(opts):
    flags = ["decide", "--as-of", opts.as_of]
    files = []
    if opts.fee_schedule:
        name = os.path.basename(opts.fee_schedule)
        flags += ["--fee-schedule", "@" + name]
        files.append(opts.fee_schedule)
    # The code list decides statuses (issue 15): decide re-derives each
    # event's status with it, so it is shipped like the fee schedule.
    for path in opts.code_list:
        flags += ["--code-list", "@" + os.path.basename(path)]
        files.append(path)
    if opts.prompt_pay:
        flags += ["--prompt-pay", opts.prompt_pay]
    if opts.rate:
        flags += ["--rate", opts.rate]
    return flags + opts.decide_arg, files


def ledger_frame(decided):
    """The ledger rows as a DataFrame of strings, in the ledger's column
    order (numbers keep their JSON text), plus payment_month."""
    first = decided.first()
    if first is None:
        return None
    columns = list(json.loads(first.json).keys())
    schema = StructType([StructField(c, StringType()) for c in columns])
    ledger = decided.select(F.from_json("json", schema).alias("row")).select("row.*")
    month = F.when(F.length("payment_date") >= 7, F.substring("payment_date", 1, 7))
    return ledger.withColumn("payment_month", F.coalesce(month, F.lit(NO_PAYMENT_MONTH)))


def remove(spark, path):
    fs, p = hadoop_path(spark, path)
    if fs.exists(p):
        fs.delete(p, True)


# ── the job ─────────────────────────────────────────────────────────────────

def main(argv):
    opts = parse_args(argv)
    day = opts.day or opts.as_of
    spark = (SparkSession.builder.appName(f"remit {day}")
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
             .getOrCreate())
    sc = spark.sparkContext
    started = time.time()
    cores = sc.defaultParallelism
    partitions = opts.partitions or 2 * cores
    jobs = int(sc.getConf().get("spark.task.cpus", "1"))
    flags, files = decide_flags(opts)
    for f in files:
        sc.addFile(f)

    mode, lines = event_lines(spark, opts, 4 * cores, jobs)
    records = as_records(lines).persist(StorageLevel.MEMORY_AND_DISK)
    rejected = (records.where(F.col("kind") == "rejected")
                .select(F.get_json_object("json", "$.source").alias("source"),
                        F.get_json_object("json", "$.message").alias("message"))
                .collect())
    today = records.where(F.col("kind") != "rejected").select(*RECORD_COLUMNS)
    today_count, today_bytes = today.agg(F.count("*"), F.sum(F.length("json"))).first()
    events_done = time.time()

    history = earlier_history(spark, opts.history, day)
    everything = today if history is None else today.unionByName(history)
    shuffled = (everything.repartition(partitions, "partition")
                .sortWithinPartitions("partition", "line_key", "order"))
    decided = pipe(spark, shuffled.select("json"), flags, opts).persist(
        StorageLevel.MEMORY_AND_DISK)

    ledger_dir = f"{opts.ledger.rstrip('/')}/day={day}"
    ledger = ledger_frame(decided)
    rows = 0
    if ledger is None:
        remove(spark, ledger_dir)
    else:
        (ledger.write.mode("overwrite")
         .partitionBy("payer", "payment_month").parquet(ledger_dir))
        rows = decided.count()
    decided_done = time.time()
    if opts.history:
        (as_history(today).write.mode("overwrite")
         .parquet(f"{opts.history.rstrip('/')}/day={day}"))

    summary = {
        "day": day, "input_mode": mode, "records": today_count,
        "record_bytes": today_bytes or 0,
        "history_records": 0 if history is None else history.count(),
        "ledger_rows": rows, "rejected": [r.asDict() for r in rejected],
        "partitions": partitions, "cores": cores,
        "events_seconds": round(events_done - started, 2),
        "decide_seconds": round(decided_done - events_done, 2),
        "total_seconds": round(time.time() - started, 2),
    }
    for r in rejected[:50]:
        print(f"remit job: rejected {r['source']}: {r['message']}", file=sys.stderr)
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
