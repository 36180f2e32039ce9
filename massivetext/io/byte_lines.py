"""Line-oriented input from the open web: gunzipped when gzipped, lines bounded.

JSONL documents, scores and test sets are read a line at a time; a single line can be
arbitrarily long in a hostile or broken file, so no line over a bound is ever held.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
#: Longest line read; a longer one is skipped over in chunks (our choice: 64 MiB).
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
_SKIP_CHUNK_BYTES = 1024 * 1024


def decompressed(raw: BinaryIO) -> BinaryIO:
    """A peekable stream of the file's bytes, gunzipped when it starts with gzip's magic
    (the name of the file does not matter)."""
    stream = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if stream.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


def bounded_lines(stream: BinaryIO, max_bytes: int = DEFAULT_MAX_LINE_BYTES,
                  ) -> Iterator[bytes | None]:
    """Each line of ``stream`` without its line ending, or None for a line longer than
    ``max_bytes`` (skipped without being held). A corrupt or truncated gzip stream
    raises ``OSError``, ``EOFError`` or ``zlib.error`` from the read that meets it."""
    while line := stream.readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(_SKIP_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line.rstrip(b"\r\n")
