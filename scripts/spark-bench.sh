#!/usr/bin/env bash
# Throughput of the Spark job on this machine: a generated set of
# REMIT_BENCH_PAIRS 835+837 pairs (835s of about REMIT_BENCH_BYTES bytes),
# reconciled by `remit reconcile` (--jobs 1 and 2) and by the Spark job on
# a local standalone cluster with 1 and 2 executor cores (input mode
# contents). Prints one line per run: wall seconds, remittance lines per
# second, input MB per second, and the job's event and decide phases.
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

for cores in 1 2; do
    export EXECUTOR_CORES=$cores
    t0=$(date +%s.%N)
    run_job "bench-$cores" --input "file://$DATA" --input-mode contents \
        --ledger "$WORK/out-$cores/ledger" --partitions $((2 * cores)) "${RULES[@]}" 2>/dev/null
    t1=$(date +%s.%N)
    phases=$("$VENV/bin/python" -c "import json; s = json.load(open('$WORK/logs/bench-$cores.summary.json')); print(f\"job {s['total_seconds']} s: events {s['events_seconds']} s, decide+write {s['decide_seconds']} s, records {s['records']}\")")
    report "spark $cores executor core(s)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$LINES" "spark-submit wall; $phases"
done
uptime >&2
