#!/usr/bin/env bash
# A/B of Spark jobs on one cluster: each JOB (a spark/remit_job.py, e.g.
# one checked out from main and this tree's) submitted in turn with one
# executor core and the event log on, then `remit reconcile --jobs 1` on
# the same folder, ROUNDS times (alternate the order between calls: the
# load moves). One line per run: the summary's total_seconds, the
# spark-submit wall, the load average, when the first task started and
# every stage's tasks and seconds. The bench's generated set
# (REMIT_BENCH_PAIRS pairs of REMIT_BENCH_BYTES, kept in
# $REMIT_SPARK_WORK/generated-PAIRS for the next call).
#   scripts/spark-ab.sh ROUNDS JOB...
# Needs REMIT_BIN and REMIT_WHEEL (or builds them, as spark-env.sh does).
# Not part of CI.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 ROUNDS JOB..." >&2; exit 2; }
ROUNDS=$1
shift
JOBS=()
for j in "$@"; do JOBS+=("$(realpath "$j")"); done
cd "$(dirname "$0")/.."
ROOT=$PWD
PAIRS=${REMIT_BENCH_PAIRS:-100}
BYTES=${REMIT_BENCH_BYTES:-200000}
export REMIT_SPARK_WORK=${REMIT_SPARK_WORK:-$ROOT/target/spark-ab}
DATA=$REMIT_SPARK_WORK-data/generated-$PAIRS-$BYTES
source scripts/spark-env.sh
spark_prepare
start_cluster 2
if [ ! -f "$DATA/.complete" ]; then
    rm -rf "$DATA"
    step "generating $PAIRS pairs of about $BYTES bytes"
    generate_set "$DATA" "$PAIRS" "$BYTES"
    touch "$DATA/.complete"
fi
mkdir -p "$WORK/eventlog"
SUBMIT_EXTRA=(--conf spark.eventLog.enabled=true --conf "spark.eventLog.dir=file://$WORK/eventlog")
export EXECUTOR_CORES=1
for round in $(seq 1 "$ROUNDS"); do
    n=0
    for job in "${JOBS[@]}"; do
        n=$((n + 1))
        name="job$n-$round"
        load=$(cut -d' ' -f1 /proc/loadavg)
        t0=$(date +%s.%N)
        submit "$name" "$job" --summary "$WORK/logs/$name.summary.json" --input "file://$DATA" \
            --ledger "$WORK/out-$n/ledger" --partitions 2 --as-of 2025-07-31
        t1=$(date +%s.%N)
        log=$(ls -t "$WORK/eventlog" | head -1)
        "$VENV/bin/python" - "$WORK/eventlog/$log" "$WORK/logs/$name.summary.json" \
            "$job" "$round" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$load" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from spark_eventlog import read, stages_shown
events, summary, job, round_, wall, load = sys.argv[1:]
start, first, stages, _ = read(events)
s = json.load(open(summary))
shown = stages_shown(stages)
print(f"ab round {round_} {job}: job {s['total_seconds']} s, spark-submit {float(wall):.1f} s, "
      f"load {load}, {s['ledger_rows']} rows; first task {(first - start) / 1000:.1f} s; {shown}")
PY
    done
    t0=$(date +%s.%N)
    "$REMIT" reconcile "$DATA" --as-of 2025-07-31 --jobs 1 --format jsonl \
        --out "$WORK/reconcile.jsonl" 2>"$WORK/logs/reconcile-$round.log"
    t1=$(date +%s.%N)
    awk -v r="$round" -v a="$t0" -v b="$t1" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
        'BEGIN { printf "ab round %s reconcile --jobs 1: %.2f s, load %s\n", r, b - a, l }'
done
