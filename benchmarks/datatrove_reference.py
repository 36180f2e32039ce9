"""DataTrove's equivalent of our pipeline, one step per call, for :mod:`benchmarks.bench_memory`.

Runs in DataTrove's own virtual environment (never imports massivetext):
``python datatrove_reference.py STEP WORK_DIR WARC...`` with STEP one of

- ``filter``: WarcReader -> Trafilatura -> GopherRepetitionFilter -> GopherQualityFilter
  -> JsonlWriter (no LanguageFilter: its fastText model cannot be downloaded offline);
- ``signature``, ``buckets``, ``cluster``, ``dedup``: DataTrove's four MinHash steps with
  13-gram shingles (the paper's n-gram size) and its default 14 buckets of 8 hashes.

One task, one worker (in this process; Trafilatura extracts in DataTrove's sandbox
subprocess), so the caller can measure each step's CPU time and peak memory.
"""

from __future__ import annotations

import os
import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.readers import JsonlReader, WarcReader
from datatrove.pipeline.writers import JsonlWriter

CONFIG = MinhashConfig(n_grams=13)
# Generous: the default 1 s drops pages when the machine is loaded, which would flatter
# the reference's rate.
EXTRACT_TIMEOUT_S = 10


def step_pipeline(step: str, work: str, warcs: list[str]) -> tuple[list, int]:
    """The pipeline steps and task count of one step (built lazily: each step needs
    only its own dependencies)."""
    filtered = f"{work}/filtered"
    if step == "filter":
        root = os.path.commonpath([os.path.dirname(path) for path in warcs])
        paths_file = f"{work}/warcs.txt"
        os.makedirs(work, exist_ok=True)
        with open(paths_file, "w", encoding="utf-8") as file:
            file.writelines(os.path.relpath(path, root) + "\n" for path in warcs)
        return [WarcReader(root, paths_file=paths_file),
                Trafilatura(favour_precision=True, timeout=EXTRACT_TIMEOUT_S),
                GopherRepetitionFilter(), GopherQualityFilter(), JsonlWriter(filtered)], 1
    if step == "signature":
        return [JsonlReader(filtered),
                MinhashDedupSignature(f"{work}/signatures", config=CONFIG)], 1
    if step == "buckets":
        return [MinhashDedupBuckets(f"{work}/signatures", f"{work}/buckets",
                                    config=CONFIG)], CONFIG.num_buckets
    if step == "cluster":
        return [MinhashDedupCluster(f"{work}/buckets", f"{work}/remove_ids", config=CONFIG)], 1
    if step == "dedup":
        return [JsonlReader(filtered), MinhashDedupFilter(f"{work}/remove_ids"),
                JsonlWriter(f"{work}/deduplicated")], 1
    raise ValueError(f"unknown step {step!r}")


def main(argv: list[str]) -> None:
    step, work, *warcs = argv
    pipeline, tasks = step_pipeline(step, work, warcs)
    LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=1,
                          logging_dir=f"{work}/logs/{step}").run()


if __name__ == "__main__":
    main(sys.argv[1:])
