"""Text documents for the non-web subsets: JSONL (optionally gzipped) or Parquet.

Each document has a ``text`` and, ideally, an ``id``; a record without an id is named
by its file and line (or row). Bad records are reported as :class:`Failed` with their
line number and the reading goes on.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from typing import BinaryIO

from massivetext.document import Document, Failed

GZIP_MAGIC = b"\x1f\x8b"
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
        head = raw.read(2)
        stream: BinaryIO = io.BufferedReader(_Prepend(head, raw))
        if head == GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=stream)  # type: ignore[assignment]
        line_number = 0
        try:
            for line_number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError) as error:
                    yield Failed("read", "invalid_json", path, line_number,
                                 f"line {line_number}: {error}")
                    continue
                yield _document(record, path, line_number, subset)
        except (OSError, EOFError) as error:  # truncated or corrupt gzip
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


class _Prepend(io.RawIOBase):
    """A raw stream that yields ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
