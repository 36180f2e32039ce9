"""Reading a curated output directory back: its manifest, its shards, its documents.

A curated subset directory holds ``manifest.json`` and the shard files it lists (see
:mod:`massivetext.io.shards`). :func:`open_shard` picks a :class:`ShardReader` by the
shard's file name, so a new output format is one reader class and one table entry:

- ``.arrow``: Arrow IPC files, memory-mapped when local (nothing is read until a
  document is asked for) and read batch by batch through a pyarrow filesystem when the
  path is ``gs://``, ``s3://`` or another URI pyarrow knows.
- ``.parquet``: random access by row group (the last few row groups are kept).

A reader gives a document's UTF-8 bytes without decoding the whole text, which is what
crop sampling needs (Gopher Appendix A.1.2), and streams texts in order for tokenizer
training. Memory stays bounded: at most :data:`CACHED_BATCHES` batches per shard.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

MANIFEST_NAME = "manifest.json"
TEXT_COLUMN = "text"
ID_COLUMN = "id"
# Record batches (Arrow) or row groups (Parquet) kept decoded per open shard.
CACHED_BATCHES = 4


def _filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    """(filesystem, path inside it) for a local path or a URI such as gs://bucket/dir."""
    if "://" in path:
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), path


def read_file(path: str) -> bytes:
    """The bytes of a small file (a manifest, a tokenizer, a mixture), local or a URI."""
    filesystem, inner = _filesystem(path)
    with filesystem.open_input_stream(inner) as stream:
        return stream.read()


@dataclass(frozen=True)
class CuratedSubset:
    """One subset directory of a pipeline run, described by its manifest."""

    directory: str
    manifest: dict
    manifest_sha256: str

    @classmethod
    def open(cls, directory: str) -> CuratedSubset:
        directory = directory.rstrip("/")
        try:
            data = read_file(f"{directory}/{MANIFEST_NAME}")
        except (FileNotFoundError, OSError) as error:
            raise FileNotFoundError(
                f"{directory}: no {MANIFEST_NAME} (not a curated subset directory?): {error}"
            ) from None
        return cls(directory, json.loads(data), hashlib.sha256(data).hexdigest())

    @property
    def name(self) -> str:
        return self.manifest.get("parameters", {}).get("subset") or posixpath.basename(
            self.directory)

    @property
    def rows(self) -> int:
        return int(self.manifest["rows"])

    @property
    def text_bytes(self) -> int:
        return int(self.manifest["text_bytes"])

    @property
    def shards(self) -> list[dict]:
        """The manifest's shard entries (name, rows, text_bytes), in name order."""
        return sorted(self.manifest["shards"], key=lambda shard: shard["name"])

    def shard_path(self, shard: dict) -> str:
        return f"{self.directory}/{shard['name']}"


def find_subsets(run_directory: str) -> list[CuratedSubset]:
    """The subsets of a run: DIR itself if it holds a manifest, else each DIR/<subset>/."""
    filesystem, path = _filesystem(run_directory.rstrip("/"))
    if filesystem.get_file_info(posixpath.join(path, MANIFEST_NAME)).type == pafs.FileType.File:
        return [CuratedSubset.open(run_directory)]
    selector = pafs.FileSelector(path, allow_not_found=True)
    subsets = []
    for info in sorted(filesystem.get_file_info(selector), key=lambda info: info.path):
        manifest = posixpath.join(info.path, MANIFEST_NAME)
        if (info.type == pafs.FileType.Directory
                and filesystem.get_file_info(manifest).type == pafs.FileType.File):
            subsets.append(CuratedSubset.open(
                f"{run_directory.rstrip('/')}/{posixpath.basename(info.path)}"))
    if not subsets:
        raise FileNotFoundError(f"{run_directory}: no {MANIFEST_NAME} in it or its subdirectories")
    return subsets


class _BatchCache:
    """The last few decoded batches of a shard: (text offsets, text bytes, ids) by index."""

    def __init__(self, load):
        self._load, self._entries = load, OrderedDict()

    def get(self, index: int):
        entry = self._entries.get(index)
        if entry is None:
            entry = self._entries[index] = _columns(self._load(index))
            if len(self._entries) > CACHED_BATCHES:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(index)
        return entry


def _columns(table) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Zero-copy NumPy views of a text column's offsets and bytes, plus the id column."""
    text = table.column(TEXT_COLUMN)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if pa.types.is_large_string(text.type):
        offset_type = np.int64
    elif pa.types.is_string(text.type):
        offset_type = np.int32
    else:
        raise TypeError(f"the {TEXT_COLUMN!r} column is {text.type}, not a string column")
    _, offsets, data = text.buffers()
    offsets = np.frombuffer(offsets, dtype=offset_type)[text.offset:text.offset + len(text) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    ids = table.column(ID_COLUMN)
    return offsets, data, ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids


class ShardReader:
    """Random access to one shard's documents, batch by batch (record batch, row group)."""

    def __init__(self, batch_rows: list[int], load_batch):
        self.batch_starts = np.concatenate([[0], np.cumsum(batch_rows, dtype=np.int64)])
        self.num_rows = int(self.batch_starts[-1])
        self._cache = _BatchCache(load_batch)

    def _locate(self, row: int):
        if not 0 <= row < self.num_rows:
            raise IndexError(f"row {row} out of range for a shard of {self.num_rows} rows")
        batch = int(np.searchsorted(self.batch_starts, row, side="right")) - 1
        return self._cache.get(batch), row - int(self.batch_starts[batch])

    def text_bytes(self, row: int) -> np.ndarray:
        """The document's text as a read-only uint8 view of its UTF-8 bytes."""
        (offsets, data, _), index = self._locate(row)
        return data[offsets[index]:offsets[index + 1]]

    def document_id(self, row: int) -> str:
        (_, _, ids), index = self._locate(row)
        return ids[index].as_py()

    def iter_texts(self) -> Iterator[tuple[str, str]]:
        """(id, text) of every document in shard order, one batch in memory at a time."""
        for batch in range(len(self.batch_starts) - 1):
            offsets, data, ids = self._cache.get(batch)
            for index in range(len(offsets) - 1):
                raw = data[offsets[index]:offsets[index + 1]].tobytes()
                yield ids[index].as_py(), raw.decode("utf-8")


def _open_arrow(path: str) -> ShardReader:
    filesystem, inner = _filesystem(path)
    if isinstance(filesystem, pafs.LocalFileSystem):
        source = pa.memory_map(inner, "r")
    else:
        source = filesystem.open_input_file(inner)
    reader = pa.ipc.open_file(source)
    # A batch's row count is in its message header: with a memory map, reading it
    # touches only that header, not the text.
    batch_rows = [reader.get_batch(index).num_rows for index in range(reader.num_record_batches)]
    return ShardReader(batch_rows, reader.get_batch)


def _open_parquet(path: str) -> ShardReader:
    filesystem, inner = _filesystem(path)
    parquet = pq.ParquetFile(filesystem.open_input_file(inner))
    batch_rows = [parquet.metadata.row_group(index).num_rows
                  for index in range(parquet.num_row_groups)]
    return ShardReader(batch_rows, lambda index: parquet.read_row_group(
        index, columns=[ID_COLUMN, TEXT_COLUMN]))


# File name ending -> reader. Formats that cannot seek (JSON lines) are not listed:
# training reads documents at random.
SHARD_READERS = {".arrow": _open_arrow, ".parquet": _open_parquet}


def open_shard(path: str) -> ShardReader:
    for ending, opener in SHARD_READERS.items():
        if path.endswith(ending):
            return opener(path)
    raise ValueError(f"{path}: no reader for this shard format (readable: "
                     f"{', '.join(SHARD_READERS)}); write the run with one of those formats")
