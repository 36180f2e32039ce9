"""Documents written once to a work directory and read back by id: text off the shuffle.

After the per-document stages a pipeline writes each document (text, metadata and
signals) to a *spill file* and hands on only a compact record of it; the global stages
(exact and near duplicates, test-set filtering) group those compact records, and the
final write reads the kept documents back from the spill files. A spill file is an Arrow
IPC file like a shard (:mod:`massivetext.io.shards`: the same metadata columns, rows
sorted by id) in record batches of :data:`SPILL_ROWS_PER_BATCH` rows, with the signals
as one JSON column, so reading some ids of it costs one small record batch at a time,
never the whole file, and a shard writer merging many spill files in id order holds
one small batch of each.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from typing import BinaryIO

import pyarrow as pa

from massivetext.document import Document
from massivetext.io.shards import METADATA_FIELDS

SPILL_DIRECTORY = "_work"  # under the subset's output directory, removed at the end
# Our choice: 16 rows per record batch (about 90 KB of the generated sample's text): a
# read-back of one id decodes 16 rows, and a shard written from k spill files holds k
# batches (about 0.5 MB per spill file merged with 64 rows, 0.25 MB with 16).
SPILL_ROWS_PER_BATCH = 16
# Rows of a record batch built into Python at a time as a reader advances: a few, so a
# merge of many files holds few built documents, each slice's cost shared by several.
BUILT_ROWS = 8


def spill_name(bundle_id: str, part: int) -> str:
    """File name of the ``part``-th spill file written by one bundle of documents."""
    return f"{bundle_id}-{part:05d}.arrow"


# The shard format's metadata columns (``metadata`` as a JSON object, as in a shard),
# then every signal as one JSON object, so that a document read back is the document
# written (ints stay ints, absent signals absent).
SPILL_SCHEMA = pa.schema([*(pa.field(name, kind) for name, kind in METADATA_FIELDS),
                          pa.field("signals", pa.string())])


def write_spill(documents: Iterable[Document], fileobj: BinaryIO) -> int:
    """Write one spill file (rows sorted by id, batches of SPILL_ROWS_PER_BATCH); returns
    its row count."""
    ordered = sorted(documents, key=lambda document: document.id)
    with pa.ipc.new_file(pa.PythonFile(fileobj, mode="w"), SPILL_SCHEMA) as writer:
        for start in range(0, len(ordered), SPILL_ROWS_PER_BATCH):
            batch = ordered[start:start + SPILL_ROWS_PER_BATCH]
            columns = {name: [getattr(document, name) for document in batch]
                       for name, _ in METADATA_FIELDS}
            columns["metadata"] = [json.dumps(document.metadata, ensure_ascii=False,
                                              sort_keys=True) for document in batch]
            columns["signals"] = [json.dumps(document.signals, sort_keys=True)
                                  for document in batch]
            writer.write_table(pa.table(columns, schema=SPILL_SCHEMA))
    return len(ordered)


def read_spilled(fileobj: BinaryIO, ids: Collection[str] | None = None) -> Iterator[Document]:
    """The documents of one spill file (only those in ``ids`` when given), in id order.

    A record batch none of whose ids is wanted is skipped without building its rows, and
    documents are built :data:`BUILT_ROWS` at a time as the caller advances: a shard
    writer merging many spill files holds the wanted rows of one record batch of each,
    in Arrow's form, and a few built documents.
    """
    reader = pa.ipc.open_file(pa.PythonFile(fileobj, mode="r"))
    for index in range(reader.num_record_batches):
        batch = reader.get_batch(index)
        if ids is not None:
            wanted = [row for row, document_id in enumerate(batch.column("id").to_pylist())
                      if document_id in ids]
            if not wanted:
                continue
            batch = batch.take(wanted) if len(wanted) < batch.num_rows else batch
        yield from _built(batch)


def read_spilled_rows(fileobj: BinaryIO, rows: Collection[int]) -> Iterator[Document]:
    """The documents at ``rows`` (row numbers) of one spill file, in row (= id) order;
    only the record batches holding them are read, built as :func:`read_spilled` does."""
    reader = pa.ipc.open_file(pa.PythonFile(fileobj, mode="r"))
    by_batch: dict[int, list[int]] = {}
    for row in sorted(rows):
        by_batch.setdefault(row // SPILL_ROWS_PER_BATCH, []).append(row % SPILL_ROWS_PER_BATCH)
    for index, positions in by_batch.items():
        batch = reader.get_batch(index)
        yield from _built(batch.take(positions) if len(positions) < batch.num_rows else batch)


def _built(batch: pa.RecordBatch) -> Iterator[Document]:
    """The Documents of a spill record batch, built BUILT_ROWS at a time."""
    for start in range(0, batch.num_rows, BUILT_ROWS):
        for fields in batch.slice(start, BUILT_ROWS).to_pylist():
            fields["signals"] = json.loads(fields["signals"])
            fields["metadata"] = json.loads(fields["metadata"])
            yield Document(**fields)


# A spill file's *key table*, written beside it: one row per document, in the spill
# file's row order, with what the global stages know of the document (its survivor rank,
# text size, exact-duplicate key and LSH band keys; see the pipelines' document store).
# The stages then group only a file name and row numbers per document, and read a
# file's keys back when they decide its documents' fates, one small file at a time.
KEY_TABLE_SCHEMA = pa.schema([pa.field("id", pa.string()), pa.field("rank", pa.uint64()),
                              pa.field("num_bytes", pa.int64()),
                              pa.field("exact_key", pa.binary()),
                              pa.field("band_bytes", pa.binary())])


def key_table_name(spill: str) -> str:
    """File name of the key table of spill file ``spill``."""
    return f"{spill}.keys"


def write_key_table(columns: dict[str, list], fileobj: BinaryIO) -> None:
    """Write one key table (``columns``: KEY_TABLE_SCHEMA's, rows in spill-file order)."""
    with pa.ipc.new_file(pa.PythonFile(fileobj, mode="w"), KEY_TABLE_SCHEMA) as writer:
        writer.write_table(pa.table(columns, schema=KEY_TABLE_SCHEMA))


def read_key_table(fileobj: BinaryIO,
                   columns: Collection[str] = KEY_TABLE_SCHEMA.names) -> dict[str, list]:
    """A key table's ``columns`` (all by default) as lists."""
    table = pa.ipc.open_file(pa.PythonFile(fileobj, mode="r")).read_all()
    if table.schema != KEY_TABLE_SCHEMA:
        raise ValueError(f"not a key table: {table.schema}")
    return {name: table.column(name).to_pylist() for name in columns}
