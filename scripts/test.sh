#!/usr/bin/env bash
# The test command: everything a fresh machine needs, then the whole suite.
# CI (.ci/run) calls exactly this, after its formatting and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/corpus ]; then
    echo "scripts/test.sh: ../shared/corpus is missing; the corpus tests need it" >&2
    exit 1
fi

cargo test --locked --all-targets
cargo test --locked --doc
