"""Statistics PCollections of the dedup and decontamination stages' own facts.

They are ``(stage, key, n)`` triples in the vocabulary of :mod:`massivetext.stats.keys`,
handed on as a StageOutput's ``stats`` and summed per (stage, key) downstream
(:class:`~massivetext.pipelines.accounting.WriteStats`). So a count is summed where its
elements are made, one partial sum per bundle, with no grouping of its own: each
``Count.Globally`` was a GroupByKey and a fused stage of its own, a dozen per run.
"""

from __future__ import annotations

import apache_beam as beam
from massivetext.pipelines.accounting import SumPerBundle

from massivetext.stats.keys import cluster_size_key


def count_stat(pcoll, stage: str, key: str, label: str):
    """Stats (stage, key, n) summing to the number of elements of ``pcoll``, one per
    bundle that has any (give the key a zero with :func:`zero_stats`)."""
    return pcoll | f"Count {label}" >> beam.ParDo(
        SumPerBundle(lambda _: [(stage, key, 1)], counters=False))


def histogram_stats(sizes, stage: str, label: str):
    """Stats (stage, ``cluster_size=<bucket>``, clusters) from a PCollection of sizes."""
    return sizes | f"Count {label}" >> beam.ParDo(
        SumPerBundle(lambda size: [(stage, cluster_size_key(size), 1)], counters=False))


def zero_stats(root, stage: str, keys: tuple[str, ...]):
    """(stage, key, 0) for each of ``keys``: a counted fact is reported even when
    nothing was counted. ``root`` is the pipeline, or a PCollection of it."""
    pipeline = getattr(root, "pipeline", root)
    return pipeline | f"Zero {stage} facts" >> beam.Create([(stage, key, 0) for key in keys])
