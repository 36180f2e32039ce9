"""Sharded Arrow IPC output: the schema, shard assignment, and atomic shard files.

A curated subset is written as ``DIR/<subset>/part-00000-of-000NN.arrow`` files in the
Arrow IPC *file* format, loadable with ``pyarrow.ipc.open_file`` and with Hugging Face
datasets' ``arrow`` loader. Which shard a document goes to depends only on its id, and
rows inside a shard are sorted by id, so the same input gives byte-identical shards.

Files appear atomically: each is written under a temporary name beside its final name
and renamed once complete, so a reader never sees half a shard.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import BinaryIO

import pyarrow as pa
import xxhash

from massivetext.document import Document

SHARD_NAME = "part-{index:05d}-of-{count:05d}.arrow"
# Our choice: shards of about 256 MB of text keep files easy to move and to stream.
DEFAULT_TARGET_SHARD_BYTES = 256 * 1024 * 1024
# Rows per Arrow record batch: bounded memory when reading a shard batch by batch.
ROWS_PER_BATCH = 1024

METADATA_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("id", pa.string()),
    ("url", pa.string()),
    ("text", pa.string()),
    ("subset", pa.string()),
    ("source", pa.string()),
    ("offset", pa.int64()),
    ("warc_record_id", pa.string()),
    ("warc_date", pa.string()),
    ("charset", pa.string()),
    ("charset_source", pa.string()),
)


def signal_type(name: str) -> pa.DataType:
    """int64 for a count signal (``word_count``, ``stop_word_count``), else float64."""
    return pa.int64() if name.endswith("_count") else pa.float64()


def shard_schema(signal_names: Sequence[str]) -> pa.Schema:
    """Document fields, then one column per filter signal (null if not computed)."""
    fields = [pa.field(name, kind) for name, kind in METADATA_FIELDS]
    fields += [pa.field(name, signal_type(name)) for name in signal_names]
    return pa.schema(fields)


def stable_hash(text: str, seed: int = 0) -> int:
    """A 64-bit hash that is the same in every process and on every platform."""
    return xxhash.xxh64_intdigest(text.encode("utf-8"), seed=seed)


def shard_index(document_id: str, num_shards: int) -> int:
    return stable_hash(document_id) % num_shards


def num_shards_for(total_bytes: int, target_shard_bytes: int = DEFAULT_TARGET_SHARD_BYTES) -> int:
    return max(1, math.ceil(total_bytes / target_shard_bytes))


def shard_name(index: int, count: int) -> str:
    return SHARD_NAME.format(index=index, count=count)


def documents_to_table(documents: Sequence[Document], schema: pa.Schema) -> pa.Table:
    columns: dict[str, list] = {name: [] for name in schema.names}
    metadata_names = [name for name, _ in METADATA_FIELDS]
    signals = [(name, int if signal_type(name) == pa.int64() else float)
               for name in schema.names[len(METADATA_FIELDS):]]
    for document in documents:
        for name in metadata_names:
            columns[name].append(getattr(document, name))
        for name, kind in signals:
            value = document.signals.get(name)
            columns[name].append(None if value is None else kind(value))
    return pa.table(columns, schema=schema)


def write_shard(documents: Iterable[Document], schema: pa.Schema, fileobj: BinaryIO) -> int:
    """Write one shard (rows sorted by id) as an Arrow IPC file; returns its row count."""
    ordered = sorted(documents, key=lambda document: document.id)
    with pa.ipc.new_file(pa.PythonFile(fileobj, mode="w"), schema) as writer:
        for start in range(0, len(ordered), ROWS_PER_BATCH):
            writer.write_table(documents_to_table(ordered[start:start + ROWS_PER_BATCH], schema))
    return len(ordered)
