#!/usr/bin/env bash
# The test command: everything a fresh machine needs, then the whole suite.
# CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# The corpus tests read tests/corpus/ (committed): a clone is enough.
if [ ! -f tests/corpus/SOURCES.md ]; then
    echo "scripts/test.sh: tests/corpus/ is missing from this checkout; the corpus tests need it" >&2
    exit 1
fi

# The report tests render `remit report` in headless Chromium, and the
# letter tests read their PDFs back with pdftotext (Debian poppler-utils);
# both fail without them. Install the Debian packages that are missing
# (CHROMIUM may name a browser); a failed install stops here rather than
# skipping the tests.
packages=()
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    packages+=(chromium)
fi
command -v pdftotext >/dev/null || packages+=(poppler-utils)
if [ ${#packages[@]} -gt 0 ]; then
    echo "scripts/test.sh: installing ${packages[*]} for the report and letter tests" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

# The Python package step needs python3 with venv (and PyPI the first time,
# for maturin, pyarrow and pytest); the Spark step (last) needs Java too:
# say so now, not after the whole build and test run.
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "scripts/test.sh: the Python package test needs python3 with venv (Debian: python3-venv)" >&2
    exit 1
fi
spark=1
if [ -n "${REMIT_SKIP_SPARK:-}" ] && [ -z "${CI:-}" ]; then spark=""; fi
if [ -n "$spark" ] && ! command -v java >/dev/null; then
    echo "scripts/test.sh: the Spark test needs java (Java 17); install it, or set REMIT_SKIP_SPARK=1 outside CI" >&2
    exit 1
fi

# Formatting and lints first of the cargo steps: CI must not pass without
# them. --workspace: the Python extension crate (python/) too.
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings

# The layering rule (tests/layers.rs, README "Design"): no module imports
# one of its rank or above. First, as it fails in a second and names the
# import; the full run below includes it again.
cargo test --locked --test main layers

cargo test --locked --all-targets
cargo test --locked --doc

# The Python package: the wheel built with maturin, installed into a fresh
# virtualenv, its results compared with the release command's (pytest).
cargo build --release --locked --quiet
export REMIT_BIN="$PWD/target/release/remit"
REMIT_WHEEL=$(./scripts/build-wheel.sh)
export REMIT_WHEEL
./scripts/python-test.sh

# The Spark job end to end on a local standalone cluster (pyspark in a cached
# virtualenv, Java 17): its ledger must equal remit reconcile's. It ships the
# wheel just built (the executors run remit's code through it).
# REMIT_SKIP_SPARK=1 skips it on a developer machine without Java; CI
# always runs it.
if [ -z "$spark" ]; then
    echo "scripts/test.sh: REMIT_SKIP_SPARK is set: the Spark job was not tested" >&2
else
    ./scripts/spark-local.sh
fi
