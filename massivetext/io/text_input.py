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
        yield from _read_parquet(path, subset, opener)
    else:
        yield from _read_jsonl(path, subset, opener)


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


def _read_jsonl(path: str, subset: str, opener) -> Iterator[Document | Failed]:
    with _open(path, opener) as raw:
        line_number = 0
        try:
            lines = bounded_lines(decompressed(raw))
            for line_number, line in enumerate(lines, start=1):
                if line is None:
                    yield Failed("read", "line_too_long", path, line_number,
                                 f"line {line_number}: longer than {DEFAULT_MAX_LINE_BYTES} bytes")
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
                    yield Failed("read", "invalid_json", path, line_number,
                                 f"line {line_number}: {error}")
                    continue
                yield _document(record, path, line_number, subset)
        except (OSError, EOFError, zlib.error) as error:  # truncated or corrupt gzip
            yield Failed("read", "bad_gzip", path, line_number,
                         f"after line {line_number}: {error}")


def _read_parquet(path: str, subset: str, opener) -> Iterator[Document | Failed]:
    import pyarrow.parquet as pq

    with _open(path, opener) as raw:
        try:
            parquet = pq.ParquetFile(raw)
            row = 0
            for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                for record in batch.to_pylist():
                    row += 1
                    yield _document(record, path, row, subset)
        except Exception as error:  # pyarrow raises several kinds for corrupt files
            yield Failed("read", "bad_parquet", path, -1, repr(error))
