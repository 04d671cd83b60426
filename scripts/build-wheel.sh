#!/usr/bin/env bash
# Builds the remit Python wheel (python/, PyO3 + maturin; abi3, CPython
# >= 3.9) into target/wheels/ and prints its path. maturin comes from PyPI
# into a virtualenv cached under ~/.cache/remit/ (installed once, then
# reused), like the Spark script's pyspark.
#
# Environment: REMIT_MATURIN_VENV (default ~/.cache/remit/maturin-VERSION).
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN_VERSION=1.16.0
VENV=${REMIT_MATURIN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/remit/maturin-$MATURIN_VERSION}

python3 -c 'import venv, ensurepip' 2>/dev/null ||
    { echo "build-wheel.sh: needs python3 with venv (Debian: python3-venv)" >&2; exit 1; }
if ! "$VENV/bin/maturin" --version 2>/dev/null | grep -q " $MATURIN_VERSION\$"; then
    echo "build-wheel.sh: installing maturin $MATURIN_VERSION into $VENV" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi
rm -f target/wheels/remit-*.whl
echo "build-wheel.sh: maturin build --release" >&2
"$VENV/bin/maturin" build --release --locked --quiet -m python/Cargo.toml --out target/wheels \
    --interpreter "$(command -v python3)" >&2
ls target/wheels/remit-*.whl
