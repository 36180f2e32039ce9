"""``run.json``: when a run started and ended, and where its time went.

Written by ``massivetext run`` next to stats.json once the pipeline has finished: the
wall-clock time and, per top-level pipeline step ("Quality filter", "Near dedup", ...),
the processing time Beam measured (``total_msecs`` of every transform inside the step,
summed over workers, so steps that run in parallel can add up to more than the wall
time). The HTML report reads it for timings and throughput. A runner that reports no
execution times (not every one does) gives an empty ``step_msecs``.
"""

from __future__ import annotations

import collections
import json
import time

from apache_beam.metrics.monitoring_infos import TOTAL_MSECS_URN, extract_metric_result_map_value
from massivetext.pipelines.filesystem import write_atomically


def step_msecs(result) -> dict[str, int]:
    """Milliseconds of processing per top-level step of a finished pipeline."""
    try:
        infos = result.monitoring_infos()
    except (AttributeError, NotImplementedError):
        return {}
    totals: collections.Counter = collections.Counter()
    for info in infos:
        transform = info.labels.get("PTRANSFORM", "")
        if info.urn == TOTAL_MSECS_URN and transform and not transform.startswith("ref_"):
            totals[transform.split("/", 1)[0]] += int(extract_metric_result_map_value(info) or 0)
    return dict(totals)


def write_run_record(path: str, result, started: float,
                     earlier_steps: dict[str, int] | None = None) -> None:
    """Write ``run.json`` at ``path`` for a pipeline that began at ``started`` (time.time);
    ``earlier_steps``: the step times of a phase that ran before it (a local run's
    documents phase)."""
    finished = time.time()
    steps = collections.Counter(earlier_steps or {})
    steps.update(step_msecs(result))
    record = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(finished)),
        "wall_seconds": round(finished - started, 3),
        "step_msecs": dict(steps),
    }
    write_atomically(path, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())
