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
use the same id for different documents, and restored before anything is written. The
documents are stored once in the job's document store (``OUT/cross_subset/_work``) and
only compact records are grouped, as in a subset's own run; each subset's survivors and
removals are read back from it, file by file, and go through that subset's own output
stages.
"""

from __future__ import annotations

import dataclasses

import apache_beam as beam
import pyarrow as pa
from massivetext.pipelines.accounting import StageOutput
from massivetext.pipelines.counterparts import ResolveCounterparts
from massivetext.pipelines.curation import RunRecords, curate
from massivetext.pipelines.dedup import ExactDedup, NearDedup
from massivetext.pipelines.document_store import (
    ReadBack,
    RemoveStore,
    RestoreRemoved,
    StoreDocuments,
    store_directory,
)
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
    prefix = f"{name}/"
    return lambda stored: stored.id.startswith(prefix)


def _read_back_restored(document: Document, _payloads):
    yield _restored(document)


@beam.ptransform_fn
def _KeptInSubset(kept, name: str, store: str):  # noqa: N802 - a PTransform, named like one
    """PCollection[StoredDocument] -> the Documents of subset ``name``, read back from
    ``store`` with their ids restored."""
    return (kept
            | "Of subset" >> beam.Filter(_in_subset(name))
            | "By file" >> beam.Map(lambda stored: (stored.file, (stored.id, None)))
            | "Read back" >> ReadBack(store, _read_back_restored))


@beam.ptransform_fn
def _RemovedInSubset(removals, name: str, store: str):  # noqa: N802 - a PTransform
    """PCollection[Removed] -> those of subset ``name``, read back from ``store`` with
    their ids restored."""
    of_subset = _in_subset(name)
    return (removals
            | "Of subset" >> beam.Filter(lambda removal: of_subset(removal.document))
            | "Read back" >> RestoreRemoved(store)
            | "Counterparts" >> ResolveCounterparts(store)
            | "Restore ids" >> beam.Map(lambda removal: dataclasses.replace(
                removal, document=_restored(removal.document))))


class WriteSubset(beam.PTransform):
    """The cross-subset stages' outcomes for one subset -> its shards, stats, samples;
    returns the documents read back from the job's store ``store``."""

    def __init__(self, options: CurationOptions, store: str, read, exact, near):
        super().__init__()
        self._options, self._store = options, store
        self._read, self._exact, self._near = read, exact, near

    def expand(self, pbegin):
        name, store = self._options.subset, self._store
        records = RunRecords(store_directory(self._options.subset_dir))
        empty = pbegin | "Nothing" >> beam.Create([])
        read = self._read | "Read" >> beam.Filter(_in_subset(name))
        records.add_stage("read", StageOutput(read, empty, empty, empty, empty),
                          counts_records=True)
        read_back = []
        for stage, outputs in (("exact_dedup", self._exact), ("near_dedup", self._near)):
            removed = outputs.removed | f"Removed {stage}" >> _RemovedInSubset(name, store)
            read_back.append(removed)
            mine = StageOutput(outputs.kept | f"Kept {stage}" >> beam.Filter(_in_subset(name)),
                               removed, empty, empty, empty)
            kept = records.add_stage(stage, mine)
        restored = kept | "Kept documents" >> _KeptInSubset(name, store)
        read_back.append(restored)
        curate(restored, records, self._options, STAGE_ORDER)
        return tuple(read_back) | "Read back" >> beam.Flatten()


def build(pipeline: beam.Pipeline, directories: dict[str, str], output: str,
          options: CurationOptions) -> None:
    """Add the cross-subset job: curated subset directories (name -> directory) in,
    ``output/<subset>/`` out; thresholds and seed from ``options``."""
    shards = [CuratedSubset.open(directory) for directory in directories.values()]
    paths = [subset.shard_path(shard) for subset in shards for shard in subset.shards]
    store = store_directory(output)  # output is OUT/cross_subset
    # Each shard's documents are stored as they are read (no shuffle of text).
    stored = (pipeline
              | "Shards" >> beam.Create(paths)
              | "Read shards" >> beam.FlatMap(read_shard_documents)
              | "Store documents" >> StoreDocuments(
                  store, seed=options.seed, threshold=options.dedup_threshold,
                  num_perm=options.num_perm))
    exact = stored | "Exact dedup" >> ExactDedup(store)
    near = exact.kept | "Near dedup" >> NearDedup(store, threshold=options.dedup_threshold)
    read_back = []
    for name in directories:
        # Written as the subset's own run would be, minus the stages it already ran.
        subset_options = dataclasses.replace(options, subset=name, output=output, dedup=False,
                                             test_sets=())
        read_back.append(pipeline | f"Write {name}" >> WriteSubset(
            subset_options, store, stored, exact, near))
    _ = (tuple(read_back) | "Everything read back" >> beam.Flatten()
         | "Remove document store" >> RemoveStore(store))
