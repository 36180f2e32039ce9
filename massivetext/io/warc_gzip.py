"""The byte layer under the WARC reader: the file as a stream of decompressed chunks.

A WARC file is read either as plain bytes or as a series of gzip members (one per record,
as Common Crawl writes, or one for the whole file). Either way the result is an iterator
of ``(bytes, member offset)`` pairs, where the offset is the compressed file offset of the
gzip member that the chunk opens, or -1. Damage in the compressed stream is yielded in
line as a :class:`GzipProblem`; decompression then resumes at the next member start.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import NamedTuple

#: Bytes asked of the file per read() call.
READ_BYTES = 1024 * 1024
#: Compressed bytes given to zlib per call (bounds the copies zlib makes of unused input).
FEED_BYTES = 16 * 1024
#: Most decompressed bytes one zlib call may return.
INFLATE_BYTES = 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_MEMBER_START = b"\x1f\x8b\x08"  # magic and the deflate method byte
#: Bytes that may pad between gzip members or WARC records.
BLANK = frozenset(b" \t\r\n\x00")


class GzipProblem(NamedTuple):
    """Damage found in the compressed stream; ``fatal`` when nothing after it is readable."""

    error: str
    offset: int
    message: str
    fatal: bool


class GzipMembers:
    """Decompresses gzip member after member, yielding (bytes, member offset or -1).

    A member's first chunk carries its compressed file offset. Damage is yielded as a
    GzipProblem: after a corrupt member, decompression resumes at the next member start.
    """

    def __init__(self, read: Callable[[int], bytes], first: bytes):
        self._read = read
        self._raw = first
        self._pos = 0
        self._base = 0  # file offset of _raw[0]
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        more = self._read(READ_BYTES)
        if not more:
            self._eof = True
            return False
        self._base += self._pos
        self._raw, self._pos = self._raw[self._pos:] + more, 0
        return True

    def _have(self, size: int) -> bool:
        while len(self._raw) - self._pos < size:
            if not self._fill():
                return False
        return True

    def chunks(self) -> Iterator[tuple[bytes, int] | GzipProblem]:
        while True:
            while self._have(1) and self._raw[self._pos] in BLANK:
                self._pos += 1  # padding after the last member is not data
            if not self._have(1):
                return
            offset = self._base + self._pos
            if not (self._have(2) and self._raw.startswith(GZIP_MAGIC, self._pos)):
                yield GzipProblem("bad_gzip", offset, "bytes between gzip members", False)
                self._resync(offset + 1)
                continue
            yield from self._member(offset)

    def _member(self, offset: int) -> Iterator[tuple[bytes, int] | GzipProblem]:
        inflater = zlib.decompressobj(31)
        member_offset = offset
        while not inflater.eof:
            if self._pos >= len(self._raw) and not self._fill():
                yield GzipProblem("truncated_gzip", offset,
                                  "the file ends inside a gzip member", True)
                return
            piece = memoryview(self._raw)[self._pos:self._pos + FEED_BYTES]
            try:
                out = inflater.decompress(piece, INFLATE_BYTES)
                while True:
                    if out:
                        yield out, member_offset
                        member_offset = -1
                    if inflater.eof or not (inflater.unconsumed_tail
                                            or len(out) == INFLATE_BYTES):
                        break
                    out = inflater.decompress(inflater.unconsumed_tail, INFLATE_BYTES)
            except zlib.error as err:
                yield GzipProblem("bad_gzip", offset, f"corrupt gzip member: {err}", False)
                self._resync(offset + 1)
                return
            self._pos += len(piece) - len(inflater.unused_data)

    def _resync(self, after: int) -> None:
        """Move to the next offset after ``after`` where a WARC gzip member starts."""
        self._pos = max(after - self._base, self._pos)
        while True:
            found = self._raw.find(_GZIP_MEMBER_START, self._pos)
            if found < 0:
                self._pos = max(self._pos, len(self._raw) - 2)
                if not self._fill():
                    self._pos = len(self._raw)
                    return
                continue
            self._pos = found
            self._have(FEED_BYTES)
            if self._looks_like_member():
                return
            self._pos += 1

    def _looks_like_member(self) -> bool:
        probe = self._raw[self._pos:self._pos + FEED_BYTES]
        try:
            out = zlib.decompressobj(31).decompress(probe, 5)
        except zlib.error:
            return False
        return b"WARC/".startswith(out)


def plain_chunks(read: Callable[[int], bytes], first: bytes) -> Iterator[tuple[bytes, int]]:
    """The chunks of a file that is not gzipped, in the same form as GzipMembers."""
    chunk = first
    while chunk:
        yield chunk, -1
        chunk = read(READ_BYTES)
