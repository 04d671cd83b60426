#!/usr/bin/env bash
# Throughput of the Spark job on this machine: a generated set of
# REMIT_BENCH_PAIRS 835+837 pairs (835s of about REMIT_BENCH_BYTES bytes),
# reconciled by `remit reconcile` (--jobs 1 and 2) and by the Spark job on
# a local standalone cluster with 1 and 2 executor cores. Prints one line
# per run: wall seconds, remittance lines per second, input MB per second;
# for the job, where its time goes and the bytes it shuffled per event
# record (from Spark's event log: when the first task started, every
# stage's tasks and seconds, every task's shuffle bytes written); then
# the Python package's `remit.lines` against `remit lines`
# on the same file (the set's 835s concatenated into one file).
# Not part of CI; the figures in the README come from it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export REMIT_SPARK_WORK=${REMIT_SPARK_WORK:-$ROOT/target/spark-bench}
source scripts/spark-env.sh

PAIRS=${REMIT_BENCH_PAIRS:-100}
BYTES=${REMIT_BENCH_BYTES:-200000}
RULES=(--as-of 2025-07-31)

spark_prepare
start_cluster 2
DATA="$WORK/generated"
step "generating $PAIRS pairs of about $BYTES bytes"
generate_set "$DATA" "$PAIRS" "$BYTES"
MB=$(du -sb "$DATA" | awk '{printf "%.1f", $1 / 1e6}')

report() { # NAME SECONDS LINES [EXTRA]
    awk -v n="$1" -v s="$2" -v l="$3" -v mb="$MB" -v x="${4:-}" 'BEGIN {
        printf "bench %-22s %7.1f s  %8.0f lines/s  %6.2f MB/s  %s\n", n, s, l / s, mb / s, x }'
}

LINES=0
for jobs in 1 2; do
    t0=$(date +%s.%N)
    "$REMIT" reconcile "$DATA" "${RULES[@]}" --jobs "$jobs" --format jsonl \
        --out "$WORK/reconcile.jsonl" 2>"$WORK/logs/reconcile-$jobs.log"
    t1=$(date +%s.%N)
    LINES=$(grep -vc '"status":"NO_REMITTANCE"' "$WORK/reconcile.jsonl")
    report "reconcile --jobs $jobs" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$LINES"
done
echo "bench input: $((2 * PAIRS)) files, $MB MB, $LINES remittance ledger rows" >&2

mkdir -p "$WORK/eventlog"
SUBMIT_EXTRA=(--conf spark.eventLog.enabled=true --conf "spark.eventLog.dir=file://$WORK/eventlog")
for cores in 1 2; do
    export EXECUTOR_CORES=$cores
    t0=$(date +%s.%N)
    run_job "bench-$cores" --input "file://$DATA" \
        --ledger "$WORK/out-$cores/ledger" --partitions $((2 * cores)) "${RULES[@]}" 2>/dev/null
    t1=$(date +%s.%N)
    summary="$WORK/logs/bench-$cores.summary.json"
    job=$("$VENV/bin/python" -c "import json; print(json.load(open('$summary'))['total_seconds'])")
    report "spark $cores executor core(s)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$LINES" "spark-submit wall"
    report "spark $cores core(s), job only" "$job" "$LINES" "without the JVM's and executors' start"
    # The event log of this run: the newest file in the folder.
    log=$(ls -t "$WORK/eventlog" | head -1)
    "$VENV/bin/python" - "$WORK/eventlog/$log" "$summary" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from spark_eventlog import read, stages_shown
start, first_task, stages, written = read(sys.argv[1])
s = json.load(open(sys.argv[2]))
# Where the time goes: the application's start to its first task, then
# every stage (tasks, seconds) in order.
shown = stages_shown(stages)
print(f"bench phases: first task {(first_task - start) / 1000:.1f} s after the application "
      f"started; stages: {shown}")
print(f"bench shuffle: {written} bytes written for {s['records']} records "
      f"({s['events']} events, {s['transactions']} transactions, {s['claims']} claims): "
      f"{written / s['events']:.0f} bytes per event, {written / s['records']:.0f} per record")
PY
done

# remit.lines (Python) against remit lines (CSV) on one file: the set's
# 835s concatenated (each keeps its own envelope).
cat "$DATA"/era-*.835 >"$WORK/all.835"
# The wheel unpacked beside, not installed: the Spark virtualenv must not
# have remit (spark-local.sh tests the shipping).
rm -rf "$WORK/remit-unpacked"
"$VENV/bin/python" -m zipfile -e "$WHEEL" "$WORK/remit-unpacked"
for run in 1 2 3; do
    t0=$(date +%s.%N)
    "$REMIT" lines "$WORK/all.835" --quiet --out "$WORK/lines.csv"
    t1=$(date +%s.%N)
    PYTHONPATH="$WORK/remit-unpacked" "$VENV/bin/python" - "$WORK/all.835" <<'PY'
import sys, time
import remit
t = time.perf_counter()
table = remit.lines(sys.argv[1])
elapsed = time.perf_counter() - t
print(f"bench remit.lines (Python) {elapsed:7.2f} s  {table.num_rows} rows  {table.num_rows / elapsed:8.0f} rows/s")
PY
    rows=$(($(wc -l <"$WORK/lines.csv") - 1))
    awk -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v n="$rows" 'BEGIN {
        printf "bench remit lines (CLI, CSV) %7.2f s  %d rows  %8.0f rows/s\n", s, n, n / s }'
done
uptime >&2
