"""Where a Spark job's time went, from its event log (JSON lines): when the
application started, when its first task was launched, every stage's
submission, completion and task count, and the shuffle bytes its tasks
wrote. Read by scripts/spark-bench.sh and scripts/spark-ab.sh (bench
tools, not part of CI), so that both attribute time the same way."""

import json


def read(path):
    """(start ms, first task launch ms, [(submitted ms, completed ms,
    tasks)] in submission order, shuffle bytes written)."""
    start = first_task = None
    stages = []
    written = 0
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            event = e.get("Event")
            if event == "SparkListenerApplicationStart":
                start = e["Timestamp"]
            elif event == "SparkListenerTaskStart" and first_task is None:
                first_task = e["Task Info"]["Launch Time"]
            elif event == "SparkListenerStageCompleted":
                i = e["Stage Info"]
                stages.append((i["Submission Time"], i["Completion Time"], i["Number of Tasks"]))
            elif event == "SparkListenerTaskEnd":
                m = (e.get("Task Metrics") or {}).get("Shuffle Write Metrics") or {}
                written += m.get("Shuffle Bytes Written", 0)
    return start, first_task, sorted(stages), written


def stages_shown(stages):
    """Every stage as "N tasks S s", in order."""
    return ", ".join(f"{n} tasks {(b - a) / 1000:.1f} s" for a, b, n in stages)
