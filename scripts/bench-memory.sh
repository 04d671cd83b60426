#!/usr/bin/env bash
# Peak memory of remit on one large synthetic 835 (issue 2: under 32 MB for
# a 1 GB file): generates the file once with the hidden `remit generate`,
# then reports the maximum resident set size and the time of
# `remit validate` and of `remit lines --out /dev/null`, from /usr/bin/time -v.
#
# usage: scripts/bench-memory.sh [BYTES] [DIR]
#   BYTES  size of the 835 (default 1000000000, i.e. 1 GB)
#   DIR    where the file is kept between runs (default target/bench-memory)
set -euo pipefail
cd "$(dirname "$0")/.."

bytes=${1:-1000000000}
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
