#!/usr/bin/env bash
# Runs the Spark job (spark/remit_job.py) for real on this machine and checks
# that its ledger equals `remit reconcile`'s, row for row:
#   - installs pyspark (pinned) into a cached virtualenv,
#   - starts a standalone Spark master and one worker on 127.0.0.1,
#   - submits the job over samples/ (input mode "paths", priced with
#     samples/contracts.csv and its reference schedule), over a generated
#     set of a few hundred files (mode "contents", as on a cluster without a
#     shared file system), and over the samples split into two days with a
#     history table (the second day run twice: re-runs are idempotent),
#     checks that the second day's decide stage reads the history as a
#     bucketed scan without an Exchange (no re-shuffle), that the table's
#     bucket count is kept, and that a history in the unbucketed layout
#     of earlier versions is converted and gives the same ledger,
#   - compares every ledger with `remit reconcile` on the same input,
#   - stops everything it started (by saved PIDs), whatever happens.
# Exits non-zero on any mismatch. Everything after the release build is
# bounded by REMIT_SPARK_TIMEOUT seconds (default 1800).
#
# Environment: REMIT_BIN (default: target/release/remit, built first),
# REMIT_WHEEL (default: built by scripts/build-wheel.sh),
# REMIT_SPARK_PAIRS (generated 835+837 pairs, default 100),
# REMIT_SPARK_VENV (default: ~/.cache/remit/pyspark-VERSION),
# REMIT_SPARK_WORK (default: target/spark-local).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ -z "${REMIT_SPARK_TIMED:-}" ]; then
    # The binary a cluster runs: the release build (before the time limit,
    # which bounds the Spark part only).
    if [ -z "${REMIT_BIN:-}" ]; then
        echo "spark-local.sh: cargo build --release" >&2
        cargo build --release --locked --quiet
        export REMIT_BIN="$ROOT/target/release/remit"
    fi
    # The wheel the executors run (remit's Rust code, called in Python).
    if [ -z "${REMIT_WHEEL:-}" ]; then
        REMIT_WHEEL=$(./scripts/build-wheel.sh)
        export REMIT_WHEEL
    fi
    export REMIT_SPARK_TIMED=1
    exec timeout --kill-after=60 "${REMIT_SPARK_TIMEOUT:-1800}" "$0" "$@"
fi

source scripts/spark-env.sh

AS_OF=2025-07-31
RULES=(--as-of "$AS_OF" --prompt-pay nj)
FEE="$ROOT/samples/fee-schedule.csv"
# The samples are priced with the contracts and their reference schedule
# (issue 19), the two days with the old fee schedule: both ways of pricing
# travel to the executors.
CONTRACT=(--contract "$ROOT/samples/contracts.csv"
          --reference "medicare=$ROOT/samples/medicare-reference.csv")
PAIRS=${REMIT_SPARK_PAIRS:-100}
START=$SECONDS

spark_prepare

step "the job refuses shipped files that share a base name, before Spark starts"
mkdir -p "$WORK/clash/a" "$WORK/clash/b" "$WORK/logs"
cp "$ROOT/samples/contracts.csv" "$WORK/clash/a/rates.csv"
cp "$ROOT/samples/contracts.csv" "$WORK/clash/b/rates.csv"
if "$VENV/bin/python" "$ROOT/spark/remit_job.py" --input "$WORK/clash" --ledger "$WORK/clash/out" \
    --as-of "$AS_OF" --contract "$WORK/clash/a/rates.csv" --contract "$WORK/clash/b/rates.csv" \
    2>"$WORK/logs/clash.log"; then
    fail "the job accepted two contracts named rates.csv"
fi
grep -q "share the base name 'rates.csv'" "$WORK/logs/clash.log" \
    || fail "the job did not say why it refused two contracts named rates.csv (log: $WORK/logs/clash.log)"
[ ! -e "$WORK/clash/out" ] || fail "the job wrote a ledger before refusing its options"

start_cluster 2

step "reference ledgers: remit reconcile"
mkdir -p "$WORK/expected" "$WORK/days/1" "$WORK/days/2"
generate_set "$WORK/generated" "$PAIRS" 80000
# Day 1: the 837s with their acknowledgments (999, 277CA, 277) and the
# 2024 835s; day 2: the 2025 835s, decided with day 1's claims and
# acknowledgments read back from the history table.
for f in "$ROOT"/samples/claims/* "$ROOT"/samples/acks/*.999 "$ROOT"/samples/acks/*.277* \
         "$ROOT"/samples/remits/*-2024-*; do cp "$f" "$WORK/days/1/"; done
cp "$ROOT"/samples/remits/*-2025-* "$WORK/days/2/"
# The samples' 835s, 837s and acknowledgments (not the bank files and
# settings beside them, which the job does not read).
rm -rf "$WORK/samples" && mkdir -p "$WORK/samples/acks"
cp -r "$ROOT"/samples/claims "$ROOT"/samples/remits "$WORK/samples/"
cp "$ROOT"/samples/acks/*.999 "$ROOT"/samples/acks/*.277* "$WORK/samples/acks/"
"$REMIT" reconcile "$WORK/samples" "${CONTRACT[@]}" "${RULES[@]}" \
    --format parquet --out "$WORK/expected/samples.parquet" 2>"$WORK/logs/reconcile-samples.log"
"$REMIT" reconcile "$WORK/generated" "${RULES[@]}" \
    --format parquet --out "$WORK/expected/generated.parquet" 2>"$WORK/logs/reconcile-generated.log"
"$REMIT" reconcile "$WORK/days/1" "$WORK/days/2" --fee-schedule "$FEE" "${RULES[@]}" \
    --format parquet --out "$WORK/expected/days.parquet" 2>"$WORK/logs/reconcile-days.log"

OUT="$WORK/out"
step "job: samples"
run_job samples --input "$WORK/samples" --ledger "$OUT/samples/ledger" \
    --history "$OUT/samples/history" "${CONTRACT[@]}" "${RULES[@]}"
step "job: generated set, $((2 * PAIRS)) files"
run_job generated --input "file://$WORK/generated" \
    --ledger "$OUT/generated/ledger" "${RULES[@]}"
step "job: two days with a history table, the second run twice"
DAYS=(--ledger "$OUT/days/ledger" --history "$OUT/days/history" --fee-schedule "$FEE" "${RULES[@]}")
run_job day1 --input "$WORK/days/1" --day 2024-12-31 "${DAYS[@]}"
run_job day2 --input "$WORK/days/2" --day "$AS_OF" "${DAYS[@]}"
run_job day2-again --input "$WORK/days/2" --day "$AS_OF" "${DAYS[@]}"
# The history is bucketed by provider: day 2's decide stage reads day 1
# as a bucketed scan, with no Exchange (no shuffle of the history).
for run in day2 day2-again; do
    "$VENV/bin/python" - "$WORK/logs/$run.summary.json" <<'PY' || fail "$run re-shuffled the history"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["history_records"] > 0, f"{sys.argv[1]}: no history records read"
assert s["decide_bucketed_scan"], f"{sys.argv[1]}: the decide stage's scan is not bucketed"
assert not s["decide_exchanges"], f"{sys.argv[1]}: the decide stage shuffles: {s['decide_exchanges']}"
PY
done
step "a history table's bucket count is kept: another --partitions is refused"
# (A subshell: submit exits on failure, which is what is expected here.)
if (submit refused "$ROOT/spark/remit_job.py" --input "$WORK/days/2" --day "$AS_OF" \
    --partitions 3 "${DAYS[@]}") 2>/dev/null; then
    fail "the job accepted --partitions 3 for a history bucketed into 4"
fi
grep -q "run with --partitions 4" "$WORK/logs/refused.log" \
    || fail "the job did not say how to run with the history's buckets (log: $WORK/logs/refused.log)"
step "job: day 2 over day 1 in the unbucketed layout of earlier versions (converted)"
# The layout the job wrote before buckets: <history>/day=D/*.parquet with
# the columns partition, kind, tx, payload, each ack record once with an
# empty partition; rewritten here from day 1's bucket files (which hold a
# copy of each ack record per bucket).
"$VENV/bin/python" - "$OUT/days/history/by-provider/day=2024-12-31" \
    "$OUT/legacy/history/day=2024-12-31" <<'PY'
import os, sys
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
table = pq.read_table(sys.argv[1]).select(["partition", "kind", "tx", "payload"])
is_ack = pc.equal(table["kind"], "ack")
acks = table.filter(is_ack)
one_copy = acks.filter(pc.equal(acks["partition"], pc.min(acks["partition"])))
one_copy = one_copy.set_column(0, table.schema.field(0), pa.array([""] * one_copy.num_rows))
legacy = pa.concat_tables([table.filter(pc.invert(is_ack)), one_copy])
os.makedirs(sys.argv[2])
pq.write_table(legacy, os.path.join(sys.argv[2], "part-00000.snappy.parquet"))
PY
run_job legacy --input "$WORK/days/2" --day "$AS_OF" --ledger "$OUT/legacy/ledger" \
    --history "$OUT/legacy/history" --fee-schedule "$FEE" "${RULES[@]}"
"$VENV/bin/python" - "$WORK/logs/legacy.summary.json" "$WORK/logs/day1.summary.json" <<'PY' \
    || fail "the unbucketed history was not converted"
import json, sys
s = json.load(open(sys.argv[1]))
day1 = json.load(open(sys.argv[2]))
assert s["history_converted"] == ["2024-12-31"], s["history_converted"]
assert s["history_records"] == day1["records"], (s["history_records"], day1["records"])
assert s["history_records"] > 0 and s["decide_bucketed_scan"] and not s["decide_exchanges"], s
PY

step "compare with remit reconcile"
submit check "$ROOT/spark/check_ledger.py" \
    --check samples "$WORK/expected/samples.parquet" "$OUT/samples/ledger/day=$AS_OF" \
    --check generated "$WORK/expected/generated.parquet" "$OUT/generated/ledger/day=$AS_OF" \
    --check two-days "$WORK/expected/days.parquet" \
    "$OUT/days/ledger/day=2024-12-31!NO_REMITTANCE,$OUT/days/ledger/day=$AS_OF" \
    --check two-days-converted "$WORK/expected/days.parquet" \
    "$OUT/days/ledger/day=2024-12-31!NO_REMITTANCE,$OUT/legacy/ledger/day=$AS_OF"
grep '^check ' "$WORK/logs/check.log" >&2
for d in 2024-12-31 "$AS_OF"; do
    [ -d "$OUT/days/history/by-provider/day=$d" ] || fail "history partition day=$d was not written"
done

echo "spark-local: every ledger equals remit reconcile's; $((SECONDS - START)) s" >&2
echo "spark-local: 4 passed, 0 failed"
