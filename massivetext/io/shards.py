"""What a shard holds: the schema, which shard a document goes to, shard names.

A curated subset is written as ``DIR/<subset>/part-00000-of-000NN<suffix>`` files, in
the format of one of :mod:`massivetext.io.shard_writers` (Arrow IPC by default,
loadable with ``pyarrow.ipc.open_file`` and with Hugging Face datasets' ``arrow``
loader). Which shard a document goes to depends only on its id, and rows inside a
shard are sorted by id, so the same input gives byte-identical shards.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import pyarrow as pa
import xxhash

from massivetext.document import Document

SHARD_NAME = "part-{index:05d}-of-{count:05d}{suffix}"
# Our choice: shards of about 256 MB of text keep files easy to move and to stream.
DEFAULT_TARGET_SHARD_BYTES = 256 * 1024 * 1024

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
    ("metadata", pa.string()),  # Document.metadata as a JSON object, keys sorted
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


def shard_name(index: int, count: int, suffix: str = ".arrow") -> str:
    """``part-00002-of-00012.arrow``: shard ``index`` of ``count``, with the format's suffix."""
    return SHARD_NAME.format(index=index, count=count, suffix=suffix)


def documents_to_table(documents: Sequence[Document], schema: pa.Schema) -> pa.Table:
    columns: dict[str, list] = {name: [] for name in schema.names}
    metadata_names = [name for name, _ in METADATA_FIELDS]
    signals = [(name, int if signal_type(name) == pa.int64() else float)
               for name in schema.names[len(METADATA_FIELDS):]]
    for document in documents:
        for name in metadata_names:
            value = getattr(document, name)
            columns[name].append(json.dumps(value, ensure_ascii=False, sort_keys=True)
                                 if name == "metadata" else value)
        for name, kind in signals:
            value = document.signals.get(name)
            columns[name].append(None if value is None else kind(value))
    return pa.table(columns, schema=schema)


def table_to_documents(table: pa.Table | pa.RecordBatch) -> list[Document]:
    """The Documents of a shard's rows: the inverse of :func:`documents_to_table`
    (signals that were not computed, null in the shard, are left out)."""
    names = [name for name, _ in METADATA_FIELDS if name in table.schema.names]
    signal_names = [name for name in table.schema.names if name not in dict(METADATA_FIELDS)]
    rows = table.to_pylist()
    documents = []
    for row in rows:
        fields = {name: row[name] for name in names}
        fields["metadata"] = json.loads(fields.get("metadata") or "{}")
        fields["signals"] = {name: row[name] for name in signal_names if row[name] is not None}
        documents.append(Document(**fields))
    return documents

