#!/usr/bin/env bash
# Checks remit's acknowledgment fixtures and written 276 batches with
# validators that share no code with remit:
#   - 276 and 277 (005010X212): LinuxForHealth x12 (Apache-2.0), whose
#     pydantic models check loops, required segments, code values and SE
#     counts. pyx12 4.0 cannot: it ships no 276 X212 map, and its 277 X212
#     map is not registered and rejects the TR3's own example.
#   - 999 (005010X231A1) and 277CA (005010X214): pyx12's x12valid.
# Both are installed into a throwaway virtualenv under /tmp, never the repo.
# Usage: scripts/check-276.sh [FILE...]   (default: the committed fixtures)
# Exit 0 when every file passes (or python3 is missing: then it says so),
# 1 when one fails.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${REMIT_X12CHECK_VENV:-/tmp/remit-x12check}"
if ! command -v python3 >/dev/null; then
    echo "check-276: python3 not found; skipped" >&2
    exit 0
fi
if [ ! -x "$venv/bin/x12valid" ] || ! "$venv/bin/python" -c 'import linuxforhealth.x12' 2>/dev/null; then
    python3 -m venv "$venv"
    # linuxforhealth-x12 0.57 needs pydantic 1.
    "$venv/bin/pip" install --quiet 'pyx12==4.0.0' 'linuxforhealth-x12==0.57.0' 'pydantic<2'
fi

if [ "$#" -eq 0 ]; then
    set -- tests/fixtures/acks/*.276 samples/acks/*.999 samples/acks/*.277ca samples/acks/*.277
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for file in "$@"; do
    version=$(tr -d '\r\n' < "$file" | tr '~' '\n' | awk -F'*' '$1 == "GS" { print $9; exit }')
    case "$version" in
    005010X212)
        if "$venv/bin/python" - "$file" <<'PY'
import sys
from linuxforhealth.x12.io import X12ModelReader
count = 0
with X12ModelReader(sys.argv[1]) as reader:
    for model in reader.models():
        count += 1
if count == 0:
    sys.exit("no transaction read")
print(f"{sys.argv[1]}: OK ({count} transaction set(s), LinuxForHealth x12)")
PY
        then :; else echo "$file: FAILED (LinuxForHealth x12)"; status=1; fi
        ;;
    005010X231A1 | 005010X214)
        # x12valid writes its own 999 beside the file it checks, so it checks
        # a copy; and it exits 1 even on success, so its verdict line decides.
        copy="$scratch/$(basename "$file")"
        cp "$file" "$copy"
        report=$("$venv/bin/x12valid" "$copy" 2>&1 || true)
        if printf '%s\n' "$report" | grep -qx "$copy: OK"; then
            echo "$file: OK (pyx12 x12valid)"
        else
            printf '%s\n' "$report"
            echo "$file: FAILED (pyx12 x12valid)"
            status=1
        fi
        ;;
    *)
        echo "$file: no independent validator for GS08 '$version'; skipped"
        ;;
    esac
done
exit "$status"
