#!/usr/bin/env python3
"""Rewrites a generated 835 and its matching 837 so that every claim shares
one identifier: each CLP01 and each CLM01 becomes ID (default "0").

The claims then differ only in what a billing system would tell them apart
by (member, dates, procedures, charges), as when a practice management
system leaves the patient account number blank or constant. Used to
measure claim matching when claims share CLP01 (issue 23 item 3):

    remit generate --kind 835 --bytes 8000000 --out x/s.835
    remit generate --kind 837 --bytes 8000000 --matching-835 x/s.835 --out x/s.837
    scripts/shared-id.py x/s.835 x/s.837          # in place
    remit reconcile x/s.835 x/s.837 --as-of 2030-01-01 --out /dev/null

Usage: shared-id.py FILE... [--id ID]
"""
import re
import sys


def main(argv):
    ident = "0"
    files = []
    args = iter(argv)
    for a in args:
        if a == "--id":
            ident = next(args)
        else:
            files.append(a)
    if not files:
        sys.exit(__doc__)
    for path in files:
        data = open(path, "rb").read()
        # ISA16 is the component separator, ISA byte 3 the element one,
        # the byte after ISA16 the segment terminator.
        element = data[3:4]
        terminator = data[105:106]
        pattern = re.compile(
            rb"(^|" + re.escape(terminator) + rb"[\r\n]*)(CLP|CLM)" + re.escape(element)
            + rb"[^" + re.escape(element + terminator) + rb"]*"
        )
        out, n = pattern.subn(
            lambda m: m.group(1) + m.group(2) + element + ident.encode(), data
        )
        open(path, "wb").write(out)
        print(f"{path}: {n} claim identifiers set to {ident!r}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
