"""Statistics PCollections of the dedup and decontamination stages' own facts.

They are ``(stage, key, n)`` triples in the vocabulary of :mod:`massivetext.stats.keys`,
handed on as a StageOutput's ``stats`` and summed per (stage, key) downstream.
"""

from __future__ import annotations

import apache_beam as beam

from massivetext.stats.keys import cluster_size_key


def count_stat(pcoll, stage: str, key: str, label: str):
    """A one-element stats PCollection: (stage, key, number of elements of pcoll)."""
    return (pcoll
            | f"Count {label}" >> beam.combiners.Count.Globally()
            | f"Stat {label}" >> beam.Map(lambda n: (stage, key, n)))


def histogram_stats(sizes, stage: str, label: str):
    """Stats (stage, ``cluster_size=<bucket>``, clusters) from a PCollection of sizes."""
    return (sizes
            | f"Bucket {label}" >> beam.Map(cluster_size_key)
            | f"Count {label}" >> beam.combiners.Count.PerElement()
            | f"Stat {label}" >> beam.Map(lambda kv: (stage, kv[0], kv[1])))
