"""WriteShards: the curated documents as sharded Arrow IPC files plus manifest.json."""

from __future__ import annotations

import json

import apache_beam as beam
import pyarrow as pa
from apache_beam.metrics import Metrics
from massivetext.pipelines.accounting import metrics_namespace
from massivetext.pipelines.filesystem import write_atomically

from massivetext.io.shards import (
    DEFAULT_TARGET_SHARD_BYTES,
    num_shards_for,
    shard_index,
    shard_name,
    shard_schema,
    write_shard,
)


def _write_one_shard(shard: tuple, count: int, directory: str, schema: pa.Schema):
    index, documents = shard
    name = shard_name(index, count)
    kept = [document for document in documents if document is not None]
    rows = write_atomically(f"{directory}/{name}", lambda file: write_shard(kept, schema, file))
    Metrics.counter(metrics_namespace("output"), "kept").inc(rows)
    Metrics.counter(metrics_namespace("output"), "shards").inc()
    return {"name": name, "rows": rows, "text_bytes": sum(doc.num_bytes for doc in kept)}


def _write_manifest(shards: list[dict], path: str, schema: pa.Schema, parameters: dict,
                    input_files: list[tuple[str, int]] = ()) -> str:
    shards = sorted(shards, key=lambda shard: shard["name"])
    manifest = {
        # The input globs are in parameters["inputs"]; these are the files they matched.
        "input_files": [{"path": path, "bytes": size} for path, size in sorted(input_files)],
        "format": "arrow-ipc-file",
        "rows": sum(shard["rows"] for shard in shards),
        "text_bytes": sum(shard["text_bytes"] for shard in shards),
        "shards": shards,
        "schema": [{"name": field.name, "type": str(field.type)} for field in schema],
        "parameters": parameters,
    }
    write_atomically(path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return path


class WriteShards(beam.PTransform):
    """PCollection[Document] -> PCollection[(stage, key, int)] output statistics.

    Writes ``<directory>/part-00000-of-000NN.arrow`` (every shard, empty ones included,
    each atomically) and then ``<directory>/manifest.json``, which also lists the input
    files (``input_files``: a PCollection of (path, bytes)) with their sizes. A
    document's shard depends only on its id; ``num_shards=0`` picks about one shard per
    256 MB of text.
    """

    def __init__(self, directory: str, signal_names: tuple[str, ...], parameters: dict,
                 num_shards: int = 0, target_shard_bytes: int = DEFAULT_TARGET_SHARD_BYTES,
                 input_files=None):
        super().__init__()
        self._input_files = input_files  # PCollection[(path, bytes)] for the manifest
        self._directory = directory
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
        keyed = documents | "Assign shard" >> beam.Map(
            lambda document, n: (shard_index(document.id, n), document), n=count_view)
        every_shard = count | "Every shard" >> beam.FlatMap(lambda n: [(i, None) for i in range(n)])
        shards = ((keyed, every_shard)
                  | "Merge" >> beam.Flatten()
                  | "Group by shard" >> beam.GroupByKey()
                  | "Write shard" >> beam.Map(
                      _write_one_shard, count=count_view, directory=self._directory,
                      schema=self._schema))
        input_files = (self._input_files if self._input_files is not None
                       else documents.pipeline | "No input files" >> beam.Create([]))
        _ = (shards
             | "Gather shards" >> beam.combiners.ToList()
             | "Write manifest" >> beam.Map(
                 _write_manifest, path=f"{self._directory}/manifest.json", schema=self._schema,
                 parameters=self._parameters, input_files=beam.pvalue.AsList(input_files)))
        return shards | "Output stats" >> beam.FlatMap(
            lambda shard: [("output", "kept", shard["rows"]),
                           ("output", "kept_bytes", shard["text_bytes"]),
                           ("output", "shards", 1)])
