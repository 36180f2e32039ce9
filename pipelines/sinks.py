"""WriteShards: the curated documents as shard files in one output format plus
manifest.json (formats: :mod:`massivetext.io.shard_writers`; Arrow IPC by default)."""

from __future__ import annotations

import heapq
import json
from collections import defaultdict

import apache_beam as beam
import pyarrow as pa
from massivetext.pipelines.document_store import iter_stored_rows
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.join_check import CountedGroupByKey

from massivetext.io.shard_writers import (
    DEFAULT_OUTPUT_FORMAT,
    ShardWriter,
    shard_writer,
    write_sorted_shard,
)
from massivetext.io.shards import (
    DEFAULT_TARGET_SHARD_BYTES,
    num_shards_for,
    shard_index,
    shard_name,
    shard_schema,
)


def write_shard_file(shard: tuple, count: int, directory: str, store: str, schema: pa.Schema,
                     writer: ShardWriter) -> dict:
    """(index, (store file, rows) pairs; None for padding) -> the shard's file, written
    atomically, and its manifest entry."""
    index, entries = shard
    name = shard_name(index, count, writer.suffix)
    rows_by_file = defaultdict(set)
    for entry in entries:
        if entry is not None:
            rows_by_file[entry[0]].update(entry[1])
    # Each spill file is sorted by id, so the shard is their merge in id order, written
    # as it is read: a worker holds one small record batch per spill file, never the
    # shard (about DEFAULT_TARGET_SHARD_BYTES of text).
    text_bytes = [0]

    def merged():
        streams = [iter_stored_rows(store, file_name, rows)
                   for file_name, rows in sorted(rows_by_file.items())]
        for document in heapq.merge(*streams, key=lambda document: document.id):
            text_bytes[0] += document.num_bytes
            yield document

    rows = write_atomically(f"{directory}/{name}",
                            lambda file: write_sorted_shard(merged(), schema, file, writer))
    return {"name": name, "rows": rows, "text_bytes": text_bytes[0]}


def _write_manifest(shards: list[dict], path: str, schema: pa.Schema, parameters: dict,
                    writer: ShardWriter, input_files: list[tuple[str, int | None]] = ()) -> str:
    shards = sorted(shards, key=lambda shard: shard["name"])
    manifest = {
        # The input globs are in parameters["inputs"]; these are the files they matched.
        "input_files": [{"path": path, "bytes": size} for path, size in sorted(input_files)],
        "format": writer.manifest_format,
        "rows": sum(shard["rows"] for shard in shards),
        "text_bytes": sum(shard["text_bytes"] for shard in shards),
        "shards": shards,
        "schema": [{"name": field.name, "type": str(field.type)} for field in schema],
        "parameters": parameters,
    }
    write_atomically(path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return path


class WriteShards(beam.PTransform):
    """PCollection[StoredDocument] -> PCollection[(stage, key, int)] output statistics.

    Writes ``<directory>/part-00000-of-000NN<suffix>`` in ``output_format`` (every shard,
    empty ones included, each atomically) and then ``<directory>/manifest.json``; only
    (store file, row numbers) pairs are grouped by shard, and each shard's documents
    are read back from the document store ``store``. A document's shard depends only on its id;
    ``num_shards=0`` picks about one shard per 256 MB of text. The PCollection of the
    manifest's path is ``self.manifest`` once the transform is applied. The manifest
    also lists the input files (``input_files``: a PCollection of (path, bytes)).
    """

    def __init__(self, directory: str, store: str, signal_names: tuple[str, ...],
                 parameters: dict, num_shards: int = 0,
                 target_shard_bytes: int = DEFAULT_TARGET_SHARD_BYTES,
                 output_format: str = DEFAULT_OUTPUT_FORMAT, input_files=None):
        super().__init__()
        self._writer = shard_writer(output_format)  # fail fast: ValueError
        self._input_files = input_files
        self._directory = directory
        self._store = store
        self.manifest = None
        self._schema = shard_schema(signal_names)
        self._parameters = parameters
        self._num_shards = num_shards
        self._target_shard_bytes = target_shard_bytes

    def expand(self, documents):
        if self._num_shards:
            count = documents.pipeline | "Shard count" >> beam.Create([self._num_shards])
        else:
            target = self._target_shard_bytes
            count = (documents
                     | "Bytes" >> beam.Map(lambda document: document.num_bytes)
                     | "Total bytes" >> beam.CombineGlobally(sum)
                     | "Shard count" >> beam.Map(num_shards_for, target))
        count_view = beam.pvalue.AsSingleton(count)
        # Rows, not ids, are grouped: a set of row numbers per spill file and shard,
        # combined where the documents are.
        keyed = (documents
                 | "Assign shard" >> beam.Map(
                     lambda document, n: ((shard_index(document.id, n), document.file),
                                          document.row), n=count_view)
                 | "Rows per file" >> beam.CombinePerKey(beam.combiners.ToSetCombineFn())
                 | "By shard" >> beam.MapTuple(lambda shard_file, rows: (
                     shard_file[0], (shard_file[1], rows))))
        every_shard = count | "Every shard" >> beam.FlatMap(lambda n: [(i, None) for i in range(n)])
        shards = ((keyed, every_shard)
                  | "Merge" >> beam.Flatten()
                  | "Group by shard" >> CountedGroupByKey()
                  | "Write shard" >> beam.Map(
                      write_shard_file, count=count_view, directory=self._directory,
                      store=self._store, schema=self._schema, writer=self._writer))
        input_files = (self._input_files if self._input_files is not None
                       else documents.pipeline | "No input files" >> beam.Create([]))
        self.manifest = (shards
                         | "Gather shards" >> beam.combiners.ToList()
                         | "Write manifest" >> beam.Map(
                             _write_manifest, path=f"{self._directory}/manifest.json",
                             schema=self._schema, parameters=self._parameters,
                             writer=self._writer, input_files=beam.pvalue.AsList(input_files)))
        return shards | "Output stats" >> beam.FlatMap(
            lambda shard: [("output", "kept", shard["rows"]),
                           ("output", "kept_bytes", shard["text_bytes"]),
                           ("output", "shards", 1)])
