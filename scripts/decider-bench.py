"""The Spark job's events and decide stages outside Spark, against
`remit reconcile --jobs 1` (run by scripts/decider-bench.sh, which
generates the set and puts the wheel on the path).

The records are fed as spark/remit_job.py feeds them without history:
`remit.events` on (path, content) batches of 16 files; every `ack` record
sent to every decide partition; providers spread over two partitions
(alternately in name order: Spark's hash places them otherwise, which
changes which provider is last, not the work); per partition the acks
first, then the records sorted by provider, in batches of 16 records into
one `remit.Decider(sorted=True)`, its batches taken as the job takes them.
Preparing those batches is not timed. CPU is the process's, every thread
(the decider's engine thread included); `reconcile`'s is its own.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

import remit

AS_OF = "2025-07-31"
FILES_PER_BATCH = 16  # the job's --files-per-batch default
PARTITIONS = 2  # the bench's --partitions with one executor core
SHUFFLED = ["partition", "kind", "tx", "payload", "history"]


def clock():
    return time.process_time(), time.perf_counter()


def since(start):
    cpu, wall = clock()
    return cpu - start[0], wall - start[1]


def files_batches(paths):
    for i in range(0, len(paths), FILES_PER_BATCH):
        chunk = paths[i:i + FILES_PER_BATCH]
        contents = [open(p, "rb").read() for p in chunk]
        yield pa.RecordBatch.from_arrays(
            [pa.array([str(p) for p in chunk], pa.string()), pa.array(contents, pa.binary())],
            names=["path", "content"])


def events(paths):
    """The events stage's records (without the rejected), timed."""
    batches = list(files_batches(paths))
    start = clock()
    out = [remit.events(b) for b in batches]
    cpu, wall = since(start)
    records = pa.Table.from_batches(out).select(SHUFFLED)
    return records.filter(pc.not_equal(records["kind"], "rejected")), cpu, wall


def partitions(records):
    """Per decide partition, its batches in the order the job's decider
    gets them."""
    kinds = records["kind"]
    acks = records.filter(pc.equal(kinds, "ack"))
    rest = records.filter(pc.not_equal(kinds, "ack"))
    providers = sorted(set(rest["partition"].to_pylist()))
    out = []
    for i in range(PARTITIONS):
        mine = pa.array(providers[i::PARTITIONS], pa.string())
        part = rest.filter(pc.is_in(rest["partition"], value_set=mine))
        # A stable sort by provider, as sortWithinPartitions leaves a
        # provider's records in the order they came.
        part = part.take(pc.sort_indices(part, sort_keys=[("partition", "ascending")]))
        table = pa.concat_tables([acks, part])
        out.append(table.combine_chunks().to_batches(max_chunksize=FILES_PER_BATCH))
    return out


def decide(parts):
    """Every partition through a decider, as the job's decide stage; the
    ledger batches and the CPU and wall it took."""
    ledger = []
    start = clock()
    for batches in parts:
        decider = remit.Decider(sorted=True, as_of=AS_OF)
        for batch in batches:
            ledger.extend(decider.push(batch))
        # finish_iter where the wheel has it (the job's way), else finish.
        ledger.extend(getattr(decider, "finish_iter", decider.finish)())
    cpu, wall = since(start)
    return ledger, cpu, wall


def reconcile(remit_bin, data, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([remit_bin, "reconcile", data, "--as-of", AS_OF, "--jobs", "1",
                    "--format", "jsonl", "--quiet", "--out", out], check=True,
                   stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(out) as f:
        rows = sum(1 for _ in f)
    return rows, cpu, wall


def multiset(table):
    return Counter(tuple(repr(v) for v in row.values()) for row in table.to_pylist())


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data")
    parser.add_argument("--remit", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--check", action="store_true",
                        help="also compare the rows with remit.reconcile's (slow)")
    opts = parser.parse_args()
    paths = sorted(os.path.join(opts.data, n) for n in os.listdir(opts.data)
                   if n.endswith((".835", ".837")))
    out = os.path.join(os.path.dirname(opts.data.rstrip("/")), "reconcile.jsonl")
    for n_round in range(1, opts.rounds + 1):
        rows, r_cpu, r_wall = reconcile(opts.remit, opts.data, out)
        records, e_cpu, e_wall = events(paths)
        parts = partitions(records)
        ledger, d_cpu, d_wall = decide(parts)
        n = sum(b.num_rows for b in ledger)
        print(f"decider-bench round {n_round}: reconcile --jobs 1 cpu {r_cpu:.2f} s wall {r_wall:.2f} s "
              f"({rows} rows); events cpu {e_cpu:.2f} s wall {e_wall:.2f} s ({records.num_rows} records); "
              f"Decider cpu {d_cpu:.2f} s wall {d_wall:.2f} s ({n} rows in {len(ledger)} batches); "
              f"events + Decider cpu / reconcile cpu = {(e_cpu + d_cpu) / r_cpu:.2f}", flush=True)
        if n != rows:
            sys.exit(f"decider-bench: {n} rows from the decider, {rows} from reconcile")
    if opts.check:
        decided = pa.Table.from_batches(ledger, schema=remit.LEDGER_SCHEMA)
        expected = remit.reconcile(paths, as_of=AS_OF)
        if multiset(decided) != multiset(expected):
            sys.exit("decider-bench: the decider's rows differ from remit.reconcile's")
        print("decider-bench: the decider's rows equal remit.reconcile's", flush=True)


if __name__ == "__main__":
    main()
