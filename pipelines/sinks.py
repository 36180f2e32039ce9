"""WriteShards: the curated documents as shard files in one output format plus
manifest.json (formats: :mod:`massivetext.io.shard_writers`; Arrow IPC by default)."""

from __future__ import annotations

import json

import apache_beam as beam
import pyarrow as pa
from massivetext.pipelines.filesystem import write_atomically

from massivetext.io.shard_writers import (
    DEFAULT_OUTPUT_FORMAT,
    ShardWriter,
    shard_writer,
    write_shard,
)
from massivetext.io.shards import (
    DEFAULT_TARGET_SHARD_BYTES,
    num_shards_for,
    shard_index,
    shard_name,
    shard_schema,
)


def write_shard_file(shard: tuple, count: int, directory: str, schema: pa.Schema,
                     writer: ShardWriter) -> dict:
    """(index, documents; None for padding) -> the shard's file, written atomically,
    and its manifest entry."""
    index, documents = shard
    name = shard_name(index, count, writer.suffix)
    kept = [document for document in documents if document is not None]
    rows = write_atomically(f"{directory}/{name}",
                            lambda file: write_shard(kept, schema, file, writer))
    return {"name": name, "rows": rows, "text_bytes": sum(doc.num_bytes for doc in kept)}


def _write_manifest(shards: list[dict], path: str, schema: pa.Schema, parameters: dict,
                    writer: ShardWriter) -> str:
    shards = sorted(shards, key=lambda shard: shard["name"])
    manifest = {
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
    """PCollection[Document] -> PCollection[(stage, key, int)] output statistics.

    Writes ``<directory>/part-00000-of-000NN<suffix>`` in ``output_format`` (every shard,
    empty ones included, each atomically) and then ``<directory>/manifest.json``. A
    document's shard depends only on its id; ``num_shards=0`` picks about one shard per
    256 MB of text.
    """

    def __init__(self, directory: str, signal_names: tuple[str, ...], parameters: dict,
                 num_shards: int = 0, target_shard_bytes: int = DEFAULT_TARGET_SHARD_BYTES,
                 output_format: str = DEFAULT_OUTPUT_FORMAT):
        super().__init__()
        self._writer = shard_writer(output_format)  # fail fast: ValueError
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
                      write_shard_file, count=count_view, directory=self._directory,
                      schema=self._schema, writer=self._writer))
        _ = (shards
             | "Gather shards" >> beam.combiners.ToList()
             | "Write manifest" >> beam.Map(
                 _write_manifest, path=f"{self._directory}/manifest.json", schema=self._schema,
                 parameters=self._parameters, writer=self._writer))
        return shards | "Output stats" >> beam.FlatMap(
            lambda shard: [("output", "kept", shard["rows"]),
                           ("output", "kept_bytes", shard["text_bytes"]),
                           ("output", "shards", 1)])
