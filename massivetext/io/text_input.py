"""Text documents for the non-web subsets: JSONL (optionally gzipped) or Parquet.

Each document has a ``text`` and, ideally, an ``id``; a record without an id is named
by its file and line (or row). Bad records are reported as :class:`Failed` with their
line number and the reading goes on.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from massivetext.document import Document, Failed
from massivetext.io.byte_lines import DEFAULT_MAX_LINE_BYTES, bounded_lines, decompressed

# Parquet row groups are read a batch at a time so a large file never sits in memory.
PARQUET_BATCH_ROWS = 1024


def _open(path: str, opener: Callable[[str], BinaryIO] | None) -> BinaryIO:
    return opener(path) if opener else open(path, "rb")  # noqa: SIM115 - closed by caller


def read_text_documents(path: str, subset: str,
                        opener: Callable[[str], BinaryIO] | None = None,
                        ) -> Iterator[Document | Failed]:
    """One Document or Failed per input record of a JSONL(.gz) or Parquet file."""
    if path.endswith(".parquet"):
        yield from read_parquet_documents(path, subset, opener)
    else:
        yield from read_jsonl_documents(path, subset, opener)


def _document(record: object, path: str, position: int, subset: str) -> Document | Failed:
    if not isinstance(record, dict):
        return Failed("read", "not_an_object", path, position, f"line {position}: not an object")
    text = record.get("text")
    if not isinstance(text, str):
        return Failed("read", "missing_text", path, position,
                      f"line {position}: no string 'text' field")
    document_id = record.get("id")
    document_id = str(document_id) if document_id not in (None, "") else f"{path}:{position}"
    return Document(id=document_id, text=text, subset=subset, url=str(record.get("url") or ""),
                    source=path, offset=position)


def read_jsonl_documents(path: str, subset: str, opener=None) -> Iterator[Document | Failed]:
    for line_number, record in read_jsonl_records(path, opener):
        yield record if isinstance(record, Failed) else _document(record, path, line_number, subset)


def read_jsonl_records(path: str, opener: Callable[[str], BinaryIO] | None = None,
                       ) -> Iterator[tuple[int, object]]:
    """(line number, parsed JSON value or Failed) for each non-blank line of a
    JSONL(.gz) file; a corrupt gzip stream ends the file with one Failed ``bad_gzip``."""
    with _open(path, opener) as raw:
        line_number = 0
        try:
            lines = bounded_lines(decompressed(raw))
            for line_number, line in enumerate(lines, start=1):
                if line is None:
                    yield line_number, Failed(
                        "read", "line_too_long", path, line_number,
                        f"line {line_number}: longer than {DEFAULT_MAX_LINE_BYTES} bytes")
                    continue
                if not line.strip():
                    continue
                try:
                    yield line_number, json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
                    yield line_number, Failed("read", "invalid_json", path, line_number,
                                              f"line {line_number}: {error}")
        except (OSError, EOFError, zlib.error) as error:  # truncated or corrupt gzip
            yield line_number, Failed("read", "bad_gzip", path, line_number,
                                      f"after line {line_number}: {error}")


def read_parquet_documents(path: str, subset: str, opener=None,
                           ) -> Iterator[Document | Failed]:
    for row, record in read_parquet_records(path, opener):
        yield record if isinstance(record, Failed) else _document(record, path, row, subset)


def read_parquet_records(path: str, opener: Callable[[str], BinaryIO] | None = None,
                         columns: list[str] | None = None) -> Iterator[tuple[int, object]]:
    """(row number from 1, row as a dict or Failed) for each row of a Parquet file, read
    a batch at a time; a corrupt file ends with one Failed ``bad_parquet``."""
    import pyarrow.parquet as pq

    with _open(path, opener) as raw:
        row = 0
        try:
            parquet = pq.ParquetFile(raw)
            if columns is not None:
                columns = [name for name in columns if name in parquet.schema_arrow.names]
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
                for record in batch.to_pylist():
                    row += 1
                    yield row, record
        except Exception as error:  # pyarrow raises several kinds for corrupt files
            yield row, Failed("read", "bad_parquet", path, -1, repr(error))
