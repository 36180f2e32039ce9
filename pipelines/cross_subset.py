"""Exact and near deduplication across subsets, after each subset's own curation.

``massivetext corpus --cross-subset-dedup`` (off by default; see
:mod:`massivetext.pipelines.corpus_command` for why) runs this second job: it reads the
curated shards of every subset, removes exact and then near duplicates among all of
them with the same stages and thresholds as within a subset (the survivor of a group
is the seeded choice of :mod:`massivetext.pipelines.dedup`, whatever subsets its
members come from), and writes each subset's survivors to ``OUT/cross_subset/<subset>/``
with its own shards, ``stats.json`` (stages ``read``, ``exact_dedup``, ``near_dedup``
and ``output``: here, duplicates across subsets) and removed samples.

Ids are namespaced by subset during the job (``<subset>/<id>``), since two subsets may
use the same id for different documents, and restored before anything is written.
"""

from __future__ import annotations

import dataclasses

import apache_beam as beam
import pyarrow as pa
from massivetext.pipelines.accounting import StageOutput
from massivetext.pipelines.curation import RunRecords, curate
from massivetext.pipelines.dedup import ExactDedup, NearDedup
from massivetext.pipelines.options import CurationOptions
from massivetext.pipelines.stages import open_uncompressed

from massivetext.document import Document
from massivetext.io.shard_reader import CuratedSubset
from massivetext.io.shards import table_to_documents

DIRECTORY = "cross_subset"
STAGE_ORDER = ("read", "exact_dedup", "near_dedup", "output")


def _namespaced(document: Document) -> Document:
    return dataclasses.replace(document, id=f"{document.subset}/{document.id}")


def _restored(document: Document) -> Document:
    return dataclasses.replace(document, id=document.id.split("/", 1)[1])


def read_shard_documents(path: str):
    """Every document of one Arrow shard, a record batch at a time, ids namespaced."""
    with open_uncompressed(path) as raw:
        reader = pa.ipc.open_file(pa.PythonFile(raw, mode="r"))
        for index in range(reader.num_record_batches):
            yield from map(_namespaced, table_to_documents(reader.get_batch(index)))


def _in_subset(name: str):
    return lambda document: document.subset == name


@beam.ptransform_fn
def _RemovedInSubset(removals, name: str):  # noqa: N802 - a PTransform, named like one
    """PCollection[Removed] -> those of subset ``name``, their ids restored."""
    return (removals
            | "Of subset" >> beam.Filter(lambda removal: removal.document.subset == name)
            | "Restore ids" >> beam.Map(lambda removal: dataclasses.replace(
                removal, document=_restored(removal.document))))


class WriteSubset(beam.PTransform):
    """The cross-subset stages' outcomes for one subset -> its shards, stats, samples."""

    def __init__(self, options: CurationOptions, read, exact, near):
        super().__init__()
        self._options, self._read, self._exact, self._near = options, read, exact, near

    def expand(self, pbegin):
        name = self._options.subset
        records, empty = RunRecords(), pbegin | "Nothing" >> beam.Create([])
        read = self._read | "Read" >> beam.Filter(_in_subset(name))
        records.add_stage("read", StageOutput(read, empty, empty, empty, empty),
                          counts_records=True)
        kept = None
        for stage, outputs in (("exact_dedup", self._exact), ("near_dedup", self._near)):
            mine = StageOutput(
                outputs.kept | f"Kept {stage}" >> beam.Filter(_in_subset(name)),
                outputs.removed | f"Removed {stage}" >> _RemovedInSubset(name), empty,
                empty, empty)
            kept = records.add_stage(stage, mine)
        restored = kept | "Restore ids" >> beam.Map(_restored)
        curate(restored, records, self._options, STAGE_ORDER)
        return beam.pvalue.PDone(pbegin.pipeline)


def build(pipeline: beam.Pipeline, directories: dict[str, str], output: str,
          options: CurationOptions) -> None:
    """Add the cross-subset job: curated subset directories (name -> directory) in,
    ``output/<subset>/`` out; thresholds and seed from ``options``."""
    shards = [CuratedSubset.open(directory) for directory in directories.values()]
    paths = [subset.shard_path(shard) for subset in shards for shard in subset.shards]
    documents = (pipeline
                 | "Shards" >> beam.Create(paths)
                 | "Read shards" >> beam.FlatMap(read_shard_documents)
                 | "Spread" >> beam.Reshuffle())
    exact = documents | "Exact dedup" >> ExactDedup(seed=options.seed)
    near = exact.kept | "Near dedup" >> NearDedup(
        threshold=options.dedup_threshold, num_perm=options.num_perm, seed=options.seed)
    for name in directories:
        # Written as the subset's own run would be, minus the stages it already ran.
        subset_options = dataclasses.replace(options, subset=name, output=output, dedup=False,
                                             test_sets=())
        _ = pipeline | f"Write {name}" >> WriteSubset(subset_options, documents, exact, near)
