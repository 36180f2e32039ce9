"""The output formats of a curated subset: one writer interface, three formats.

A writer turns one shard's documents into one file: Arrow IPC (``arrow``, the
default: memory-mapped reading, Hugging Face datasets' ``arrow`` loader), Parquet
(``parquet``: compressed columns, for analytics tools) or gzip-compressed JSON Lines
(``jsonl.gz``: one object per document, for tools that read nothing else). Every
format holds the same columns (:func:`massivetext.io.shards.shard_schema`), rows
sorted by id, and the same input gives the same bytes (no timestamps, no file names
inside). Writers write to an open binary file; the pipeline makes each file appear
atomically (written under a temporary name, then renamed). Adding a format is one
write function here and one entry in :data:`SHARD_WRITERS` (docs/architecture.md).
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from massivetext.document import Document
from massivetext.io.shards import documents_to_table

# Rows per Arrow record batch / Parquet row group: bounded memory when reading a shard
# batch by batch, and when writing one (merging 12 spill files of sample text, a
# writer peaked 37 MB above the process with 1,024-row batches, 11 MB with 256).
ROWS_PER_BATCH = 256
TABLE_PIECE_ROWS = 128  # documents converted to Arrow at a time (divides ROWS_PER_BATCH)
DEFAULT_OUTPUT_FORMAT = "arrow"


def _write_arrow_ipc(tables: Iterator[pa.Table], schema: pa.Schema, file: BinaryIO) -> None:
    """Arrow IPC *file* format, one record batch per table."""
    with pa.ipc.new_file(pa.PythonFile(file, mode="w"), schema) as writer:
        for table in tables:
            writer.write_table(table)


def _write_parquet(tables: Iterator[pa.Table], schema: pa.Schema, file: BinaryIO) -> None:
    """Parquet, one row group per table, pyarrow's default (Snappy) compression."""
    with pq.ParquetWriter(pa.PythonFile(file, mode="w"), schema) as writer:
        for table in tables:
            writer.write_table(table, row_group_size=ROWS_PER_BATCH)


def _write_jsonl_gz(tables: Iterator[pa.Table], schema: pa.Schema, file: BinaryIO) -> None:
    """JSON Lines in gzip: one object per document, keys in column order, nulls kept."""
    # mtime=0 and no file name in the header: the same rows give the same bytes.
    with gzip.GzipFile(fileobj=file, mode="wb", mtime=0, filename="") as compressed:
        for table in tables:
            compressed.write("".join(json.dumps(row, ensure_ascii=False) + "\n"
                                     for row in table.to_pylist()).encode("utf-8"))


@dataclass(frozen=True)
class ShardWriter:
    """One output format: its ``--output-format`` name, file suffix, the ``format`` of
    its manifest.json, and ``write(tables, schema, file)``, which writes one shard
    given as tables of at most :data:`ROWS_PER_BATCH` rows."""

    name: str
    suffix: str
    manifest_format: str
    write: Callable[[Iterator[pa.Table], pa.Schema, BinaryIO], None]


SHARD_WRITERS: dict[str, ShardWriter] = {writer.name: writer for writer in (
    ShardWriter("arrow", ".arrow", "arrow-ipc-file", _write_arrow_ipc),
    ShardWriter("parquet", ".parquet", "parquet", _write_parquet),
    ShardWriter("jsonl.gz", ".jsonl.gz", "jsonl.gz", _write_jsonl_gz),
)}


def shard_writer(output_format: str) -> ShardWriter:
    """The writer of ``output_format`` (a key of :data:`SHARD_WRITERS`)."""
    try:
        return SHARD_WRITERS[output_format]
    except KeyError:
        raise ValueError(f"unknown output format {output_format!r}; "
                         f"choose one of {', '.join(SHARD_WRITERS)}") from None


def _tables(ordered: Iterable[Document], schema: pa.Schema) -> Iterator[pa.Table]:
    """Tables of ROWS_PER_BATCH rows, each converted TABLE_PIECE_ROWS documents at a time
    and joined in Arrow's form: the writer holds a batch as Arrow data and only a piece
    of it as Python objects (a batch of web pages is about 30 MB of those)."""
    documents = iter(ordered)
    while True:
        pieces = []
        while len(pieces) < ROWS_PER_BATCH // TABLE_PIECE_ROWS and (
                chunk := list(itertools.islice(documents, TABLE_PIECE_ROWS))):
            pieces.append(documents_to_table(chunk, schema))
        if not pieces:
            return
        yield pa.concat_tables(pieces).combine_chunks()


def write_sorted_shard(ordered: Iterable[Document], schema: pa.Schema, file: BinaryIO,
                       writer: ShardWriter = SHARD_WRITERS[DEFAULT_OUTPUT_FORMAT]) -> int:
    """Write one shard from documents already in id order, ROWS_PER_BATCH at a time (so
    a shard is never held whole); returns its row count."""
    rows = [0]

    def counted():
        for document in ordered:
            rows[0] += 1
            yield document

    writer.write(_tables(counted(), schema), schema, file)
    return rows[0]


def write_shard(documents: Iterable[Document], schema: pa.Schema, file: BinaryIO,
                writer: ShardWriter = SHARD_WRITERS[DEFAULT_OUTPUT_FORMAT]) -> int:
    """Write one shard (rows sorted by id) in ``writer``'s format; returns its row count."""
    return write_sorted_shard(sorted(documents, key=lambda document: document.id), schema,
                              file, writer)
