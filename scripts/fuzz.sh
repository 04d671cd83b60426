#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS (default 600) each, seeded from
# the samples and the sample corpus (tests/corpus/), then minimises what the fuzzers kept
# into fuzz/corpus/<target>/ (committed; tests/fuzz_corpus.rs replays it).
# Targets: lexer, document, remittance (835 body), claim (837 body), and
# pipeline (an 835 and an 837 joined by a "\n=837=\n" line, reconciled,
# the ledger written as CSV, JSON Lines, XML — parsed back — Parquet, xlsx).
#
# Needs the nightly toolchain (libFuzzer instrumentation); installs
# cargo-fuzz if missing. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lexer document remittance claim pipeline)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

seeds=target/fuzz-seeds
rm -rf "$seeds" && mkdir -p "$seeds"/{whole,remittance,claim,pipeline}
# NUL-separated: several corpus paths contain spaces.
while IFS= read -r -d '' f; do
    cp "$f" "$seeds/whole/$(echo "$f" | tr '/ ' '__')"
done < <(find samples/remits samples/claims tests/corpus -type f -size -64k \
    -not -path 'tests/corpus/pins/*' -not -name '*.md' -not -name 'LICENSE*' -print0)
# Transaction bodies for the wrapped targets: the segments between ST and SE.
python3 - "$seeds" <<'PY'
import os, re, sys
seeds = sys.argv[1]
for name in os.listdir(f"{seeds}/whole"):
    data = open(f"{seeds}/whole/{name}", "rb").read()
    m = re.search(rb"ST\*(835|837)\*[^~]*~(.*?)SE\*", data, re.S)
    if m:
        kind = "remittance" if m.group(1) == b"835" else "claim"
        open(f"{seeds}/{kind}/{name}", "wb").write(m.group(2).rstrip(b"~\r\n"))
# Whole-pipeline seeds: every 835 with an 837 (the samples' claims in turn),
# joined by the separator remit_fuzz::pipeline splits on.
names = sorted(os.listdir(f"{seeds}/whole"))
data = {n: open(f"{seeds}/whole/{n}", "rb").read() for n in names}
remits = [n for n in names if b"ST*835" in data[n]]
claims = [n for n in names if b"ST*837" in data[n]]
for i, r in enumerate(remits):
    pair = data[r] + b"\n=837=\n" + (data[claims[i % len(claims)]] if claims else b"")
    if len(pair) <= 16384:
        open(f"{seeds}/pipeline/{r}", "wb").write(pair)
PY

for target in "${targets[@]}"; do
    case $target in
        lexer|document) seed="$seeds/whole" ;;
        pipeline) seed="$seeds/pipeline" ;;
        *) seed="$seeds/$target" ;;
    esac
    work="target/fuzz-work/$target"
    mkdir -p "fuzz/corpus/$target" "$work"
    echo "== $target: ${seconds}s"
    # New inputs go to the first directory (the work area); the committed
    # corpus and the seeds are read as starting points.
    cargo +nightly fuzz run "$target" "$work" "fuzz/corpus/$target" "$seed" -- \
        -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 \
        > "target/fuzz-$target.log" 2>&1 || { tail -30 "target/fuzz-$target.log"; exit 1; }
    grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "target/fuzz-$target.log" || true
    # Keep only the inputs that add coverage, merged into the committed corpus.
    cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "$work" -- -merge=1 -max_len=16384 \
        > "target/fuzz-$target-merge.log" 2>&1 || { tail -30 "target/fuzz-$target-merge.log"; exit 1; }
    echo "   corpus: $(ls "fuzz/corpus/$target" | wc -l) inputs"
done
