#!/usr/bin/env bash
# The Spark job's two stages outside Spark, on the set scripts/spark-bench.sh
# generates (REMIT_BENCH_PAIRS pairs of 835s of about REMIT_BENCH_BYTES
# bytes and the 837s they answer): `remit.events` on the files 16 at a time,
# then `remit.Decider` per decide partition as the job feeds it (every
# acknowledgment first, then the records sorted by provider, 16 records a
# batch), against `remit reconcile --jobs 1` on the same files; CPU seconds
# (every thread) and wall of each, alternating, REMIT_BENCH_ROUNDS rounds.
# Cheap and repeatable where a Spark run is neither: what the decide stage's
# Python worker spends, without the JVM (scripts/decider-bench.py).
#
# Environment: REMIT_BIN (default target/release/remit, built first),
# REMIT_WHEEL (default: built now; the A/B of two wheels is two runs),
# REMIT_BENCH_PAIRS (100), REMIT_BENCH_BYTES (200000), REMIT_BENCH_ROUNDS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${REMIT_DECIDER_WORK:-$ROOT/target/decider-bench}
# generate_set (and the binary's path) from the Spark scripts' shared part.
export REMIT_SPARK_WORK=$OUT/spark-unused
source scripts/spark-env.sh

PYARROW_VERSION=17.0.0
PYVENV=${XDG_CACHE_HOME:-$HOME/.cache}/remit/pyarrow-$PYARROW_VERSION
PAIRS=${REMIT_BENCH_PAIRS:-100}
BYTES=${REMIT_BENCH_BYTES:-200000}

if [ -z "${REMIT_BIN:-}" ]; then
    step "cargo build --release"
    cargo build --release --locked --quiet
fi
WHEEL=${REMIT_WHEEL:-$(./scripts/build-wheel.sh)}
[ -f "$WHEEL" ] || fail "no remit wheel at $WHEEL"
if ! "$PYVENV/bin/python" -c "import pyarrow, sys; sys.exit(pyarrow.__version__ != '$PYARROW_VERSION')" 2>/dev/null; then
    step "installing pyarrow $PYARROW_VERSION into $PYVENV"
    rm -rf "$PYVENV"
    python3 -m venv "$PYVENV"
    "$PYVENV/bin/pip" install --quiet --disable-pip-version-check "pyarrow==$PYARROW_VERSION"
fi
# The wheel unpacked, not installed: one virtualenv serves any wheel.
rm -rf "$OUT/remit-unpacked"
mkdir -p "$OUT"
"$PYVENV/bin/python" -m zipfile -e "$WHEEL" "$OUT/remit-unpacked"

DATA="$OUT/generated-$PAIRS-$BYTES"
if [ ! -f "$DATA/done" ]; then
    rm -rf "$DATA"
    step "generating $PAIRS pairs of about $BYTES bytes"
    generate_set "$DATA" "$PAIRS" "$BYTES"
    touch "$DATA/done"
fi
step "wheel $(basename "$WHEEL"), $(du -sb --exclude=done "$DATA" | awk '{printf "%.1f MB", $1 / 1e6}'); load: $(uptime | sed 's/.*load average: //')"
PYTHONPATH="$OUT/remit-unpacked" "$PYVENV/bin/python" scripts/decider-bench.py \
    --remit "$REMIT" --rounds "${REMIT_BENCH_ROUNDS:-2}" "$DATA"
step "load: $(uptime | sed 's/.*load average: //')"
