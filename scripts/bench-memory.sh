#!/usr/bin/env bash
# Peak memory of remit on one large synthetic 835 (issue 2: under 32 MB for
# a 1 GB file): generates the file once with the hidden `remit generate`,
# then reports the maximum resident set size and the time of
# `remit validate` and of `remit lines --out /dev/null`, from /usr/bin/time -v.
#
# Then `remit reconcile` (issue 17: ≤ 200 bytes of RSS per service line in
# memory, flat ≤ 256 MiB with --db) on a smaller generated 835 and its
# matching 837s: max RSS, RSS per 835 service line and per 835 byte, for
# the memory store and for a fresh --db store, and the 835 MB/s.
#
# usage: scripts/bench-memory.sh [BYTES] [DIR]
#   BYTES  size of the 835 (default 1000000000, i.e. 1 GB)
#   DIR    where the file is kept between runs (default target/bench-memory)
#   RECONCILE_BYTES (environment) size of reconcile's 835 (default
#          20000000: about 110,000 service lines, seconds in memory and
#          well under a minute with --db)
#   RECONCILE_DB (environment) 0 skips the --db case: issue 17's 1 GB case
#          is `RECONCILE_BYTES=1000000000 RECONCILE_DB=0 scripts/bench-memory.sh`
#          (~2.2 GB of inputs, kept in DIR; ~10 min here; the --db run of
#          that size would take hours)
set -euo pipefail
cd "$(dirname "$0")/.."

bytes=${1:-1000000000}
reconcile_bytes=${RECONCILE_BYTES:-20000000}
dir=${2:-target/bench-memory}
seed=1
era="$dir/synthetic-$bytes.835"

if [ ! -x /usr/bin/time ]; then
    echo "bench-memory.sh: /usr/bin/time (GNU time) is needed for the maximum RSS" >&2
    exit 1
fi

cargo build --release --quiet
remit=target/release/remit
mkdir -p "$dir"
if [ ! -s "$era" ]; then
    "$remit" generate --kind 835 --bytes "$bytes" --seed "$seed" --out "$era.part"
    mv "$era.part" "$era"
fi

# measure LABEL COMMAND...: runs the command once, prints max RSS, wall time
# and user CPU time (the machine may be shared: user time is the steadier).
measure() {
    local label=$1
    shift
    local report
    report=$(mktemp)
    # validate exits 1 when the file has findings; the measurement still stands.
    /usr/bin/time -v -o "$report" "$@" >/dev/null || true
    local rss wall user
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
    wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$report")
    user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$report")
    rm -f "$report"
    printf '%-28s max RSS %7.1f MB   wall %s   user %s s\n' \
        "$label" "$(echo "$rss / 1024" | bc -l)" "$wall" "$user"
}

size=$(stat -c %s "$era")
echo "input: $era ($size bytes)"
measure "remit validate" "$remit" validate --quiet "$era"
# A device cannot be taken back, so lines holds each file's rows until the
# file is accepted: in memory up to 1 MiB, then in an unnamed file in
# $TMPDIR (page cache, not resident memory; about 3x the 835 on disk).
measure "remit lines --out /dev/null" "$remit" lines --quiet --out /dev/null "$era"

# reconcile: one 835 and the 837s it answers, generated once.
era2="$dir/reconcile-$reconcile_bytes.835"
claims2="$dir/reconcile-$reconcile_bytes.837"
if [ ! -s "$claims2" ]; then
    "$remit" generate --kind 835 --bytes "$reconcile_bytes" --seed "$seed" --out "$era2.part"
    "$remit" generate --kind 837 --bytes "$reconcile_bytes" --seed "$seed" \
        --matching-835 "$era2.part" --out "$claims2.part"
    mv "$era2.part" "$era2"
    mv "$claims2.part" "$claims2"
fi
era2_size=$(stat -c %s "$era2")
# Service lines of the 835, from reconcile's own summary on standard error.
summary=$(mktemp)
"$remit" reconcile --quiet --as-of 2030-01-01 --out /dev/null "$era2" "$claims2" 2>"$summary" || true
lines=$(sed -n 's/^  remitted (835): [0-9]* claim payment(s), \([0-9]*\) service line(s).*/\1/p' "$summary")
rm -f "$summary"
echo "input: $era2 ($era2_size bytes, $lines service lines) + $claims2"

# measure_reconcile LABEL ARGS...: max RSS of `remit reconcile ARGS`, per
# service line and per 835 byte, and the 835 throughput over wall time.
measure_reconcile() {
    local label=$1
    shift
    local report
    report=$(mktemp)
    # Exit 3 (completed with findings) is the usual outcome on generated data.
    /usr/bin/time -v -o "$report" "$remit" reconcile --quiet --as-of 2030-01-01 \
        --out /dev/null "$@" "$era2" "$claims2" >/dev/null 2>&1 || true
    local rss wall user seconds
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
    wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$report")
    user=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$report")
    rm -f "$report"
    # m:ss.cc (or h:mm:ss) to seconds.
    seconds=$(echo "$wall" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s}')
    printf '%-28s max RSS %7.1f MB  %6.0f B/line  %5.2f B/835-byte  wall %s (%.1f MB/s)  user %s s\n' \
        "$label" "$(echo "$rss / 1024" | bc -l)" "$(echo "$rss * 1024 / $lines" | bc -l)" \
        "$(echo "$rss * 1024 / $era2_size" | bc -l)" "$wall" \
        "$(echo "$era2_size / 1000000 / $seconds" | bc -l)" "$user"
}

measure_reconcile "remit reconcile (memory)"
if [ "${RECONCILE_DB:-1}" != 0 ]; then
    store=$(mktemp -d)
    measure_reconcile "remit reconcile --db (fresh)" --db "$store/history.sqlite"
    rm -rf "$store"
fi
