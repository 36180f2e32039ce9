"""Stats PCollections and docs_in counters shared by the dedup and decontamination stages.

Stats are ``(stage, key, n)`` triples, summed per (stage, key) downstream; the docs_in
counter is a Beam metric, so it is visible while the pipeline runs.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from massivetext.document import Document


def size_bucket(size: int) -> str:
    """Histogram bucket of a group size: 2, 3, 4, 5-9, 10-99 or 100+."""
    if size <= 4:
        return str(size)
    return "5-9" if size < 10 else "10-99" if size < 100 else "100+"


def count_stat(pcoll, stage: str, key: str, label: str):
    """A one-element stats PCollection: (stage, key, number of elements of pcoll)."""
    return (pcoll
            | f"Count {label}" >> beam.combiners.Count.Globally()
            | f"Stat {label}" >> beam.Map(lambda n: (stage, key, n)))


def histogram_stats(sizes, stage: str, prefix: str, label: str):
    """Stats (stage, f"{prefix}={bucket}", count) from a PCollection of group sizes."""
    return (sizes
            | f"Bucket {label}" >> beam.Map(size_bucket)
            | f"Count {label}" >> beam.combiners.Count.PerElement()
            | f"Stat {label}" >> beam.Map(lambda kv: (stage, f"{prefix}={kv[0]}", kv[1])))


def key_and_count(stage: str, key_of):
    """document -> (key_of(document), document), counting docs_in for the stage."""
    docs_in = Metrics.counter(f"massivetext.{stage}", "docs_in")

    def keyed(document: Document):
        docs_in.inc()
        return key_of(document), document
    return keyed
