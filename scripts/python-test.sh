#!/usr/bin/env bash
# The Python package end to end: builds the wheel (scripts/build-wheel.sh),
# installs it into a fresh virtualenv with pytest, and runs python/tests/
# against the release `remit` command (the results must be the command's).
# pyarrow and pytest come from PyPI (pinned; pip's cache makes later runs
# quick).
#
# Environment: REMIT_BIN (default target/release/remit, built first),
# REMIT_WHEEL (default: built now).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PYARROW_VERSION=17.0.0
PYTEST_VERSION=8.3.5

python3 -c 'import venv, ensurepip' 2>/dev/null ||
    { echo "python-test.sh: needs python3 with venv (Debian: python3-venv)" >&2; exit 1; }
if [ -z "${REMIT_BIN:-}" ]; then
    echo "python-test.sh: cargo build --release" >&2
    cargo build --release --locked --quiet
    export REMIT_BIN="$ROOT/target/release/remit"
fi
WHEEL=${REMIT_WHEEL:-$(./scripts/build-wheel.sh)}
[ -f "$WHEEL" ] || { echo "python-test.sh: no wheel at $WHEEL" >&2; exit 1; }

VENV="$ROOT/target/python-test/venv"
rm -rf "$VENV"
python3 -m venv "$VENV"
echo "python-test.sh: installing $(basename "$WHEEL") into a fresh virtualenv" >&2
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "pyarrow==$PYARROW_VERSION" "pytest==$PYTEST_VERSION" "$WHEEL"
# From outside the source tree, so that the installed package is tested.
cd "$ROOT/target/python-test"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/python/tests"
