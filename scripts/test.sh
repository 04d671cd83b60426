#!/usr/bin/env bash
# The test command: everything a fresh machine needs, then the whole suite.
# CI (.ci/run) calls exactly this, after its formatting and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ../shared/corpus ]; then
    echo "scripts/test.sh: ../shared/corpus is missing; the corpus tests need it" >&2
    exit 1
fi

# The report tests render `remit report` in headless Chromium and fail
# without it. Install the Debian package when no browser is found (CHROMIUM
# may name one); a failed install stops here rather than skipping them.
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    echo "scripts/test.sh: installing Chromium for the report tests" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi

cargo test --locked --all-targets
cargo test --locked --doc
