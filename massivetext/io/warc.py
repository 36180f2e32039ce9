"""Read WARC files into outcomes: one WebPage, Skipped or Failed per WARC record.

Handles plain WARC, one gzip member per record (as Common Crawl writes) and one gzip
member for the whole file; gzip is detected by its magic bytes. Versions 0.17, 0.18, 1.0
and 1.1 are read alike (header names are case-insensitive, dates are kept verbatim).
The stream is only ever ``read()`` in chunks, so any file-like object works (Beam's
``FileSystems.open``), and no file or record over ``max_record_bytes`` is held whole.

Offsets: for gzip files, the compressed offset of the gzip member holding the record's
first byte (so all records of a whole-file gzip have offset 0); for plain files, the
record's own byte offset.

Damage is reported, never raised: each broken record gives one :class:`Failed` with a
stable error name, is logged, and reading resumes at the next gzip member or the next
line starting with ``WARC/``. Choices documented here:

- ``resource`` records are read as pages when their WARC Content-Type is HTML and their
  target URI is http(s): such a record *is* an archived page without the HTTP envelope.
  Other resources (wget's logs and manifests) are Skipped as ``resource``.
- A response that is not HTML is Skipped as ``response_non_html`` whatever its status;
  ``response_non_200`` counts the HTML responses with another status.
- A record over ``max_record_bytes`` is skipped over unread; only a page we would keep
  (a 200 HTML response or HTML resource, judged from its first bytes) becomes Failed
  ``record_too_large``; a large video or request is Skipped by its kind as usual.
- A Content-Length is never trusted past the next record: while a body is skipped, a
  ``WARC/`` version line after a blank line, or a gzip member opening with ``WARC/``,
  ends it; the record fails as ``bad_content_length`` and reading resumes there,
  whatever length was claimed (a body that archives a WARC file verbatim would be cut
  there too: such bodies are rarer than lengths that lie).
- A gzip member is streamed, not held: a large one whose checksum fails only at its end
  may already have given its record, and then adds a Failed ``bad_gzip`` of its own.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from massivetext.document import Failed, Skipped, WebPage
from massivetext.io.charset import decode_html
from massivetext.io.http_payload import (
    HTML_TYPES,
    MAX_HEADER_BYTES,
    PayloadError,
    decode_body,
    parse_http_head,
)
from massivetext.io.warc_gzip import (
    BLANK,
    GZIP_MAGIC,
    READ_BYTES,
    GzipMembers,
    GzipProblem,
    plain_chunks,
)

logger = logging.getLogger(__name__)

#: Largest record body held in memory; larger ones are streamed past.
DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024
#: How much of an over-large record is read to judge what it is.
PEEK_BYTES = 64 * 1024

SKIPPED_TYPES = frozenset({"request", "metadata", "revisit", "warcinfo", "conversion"})
_RECORD_START = b"\nWARC/"
# A record start inside a body that claims to go on: the blank line that ends a record,
# then a version line. (A body that archives a WARC file verbatim could hold one too;
# such bodies are rare, lengths that lie are not.)
_START_IN_BODY = re.compile(rb"\n\r?\n(?=WARC/[0-9]\.[0-9]{1,2}\r?\n)")
_START_OVERLAP = 32


class _StreamEnd(Exception):
    """The data ran out (end of file or a gzip problem) inside a record."""


class _RecordError(Exception):
    """A broken record; reading resumes at the next record start after ``resume_at``."""

    def __init__(self, error: str, message: str, resume_at: int):
        super().__init__(message)
        self.error, self.message, self.resume_at = error, message, resume_at


def _failed(source: str, error: str, offset: int, message: str) -> Failed:
    """A logged read failure; ``offset`` as described in the module docstring."""
    logger.warning("%s: %s at byte %d: %s", source, error, offset, message)
    return Failed(stage="read", error=error, source=source, offset=offset, message=message)


def _parse_warc_header(block: bytes) -> dict[str, str]:
    """WARC header fields by lower-cased name (first one wins); folded lines joined."""
    lines = block.decode("utf-8", "replace").split("\n")
    fields: dict[str, str] = {}
    name = ""
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and name:
            fields[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            name = key.strip().lower()
            fields.setdefault(name, value.strip())
    return fields


class _RecordReader:
    """Cuts the decompressed byte stream into records and judges each one.

    Positions called "stream offsets" count decompressed bytes from the file's start.
    The buffer keeps the current record from its start (``_mark``) so that a record
    found broken can be rescanned for the next record start.
    """

    def __init__(self, chunks: Iterator, source: str, gzipped: bool, max_record_bytes: int):
        self._chunks = chunks
        self._source = source
        self._gzipped = gzipped
        self._max_record_bytes = max_record_bytes
        self._buf = b""
        self._pos = 0
        self._end = 0  # stream offset just past the buffer
        self._mark = 0  # stream offset before which buffered bytes may be dropped
        self._member_starts: list[int] = []  # stream offsets where gzip members begin
        self._member_offsets: list[int] = []  # their compressed file offsets
        self._problem: GzipProblem | None = None
        self._exhausted = False

    # -- buffer -------------------------------------------------------------------------
    def _base(self) -> int:
        return self._end - len(self._buf)

    def at(self) -> int:
        """Stream offset of the read position."""
        return self._base() + self._pos

    def _next_chunk(self) -> bytes | None:
        if self._problem is not None or self._exhausted:
            return None
        item = next(self._chunks, None)
        if item is None:
            self._exhausted = True
            return None
        if isinstance(item, GzipProblem):
            self._problem = item
            return None
        chunk, member_offset = item
        if member_offset >= 0:
            self._member_starts.append(self._end)
            self._member_offsets.append(member_offset)
        self._end += len(chunk)
        return chunk

    def _ensure(self, size: int) -> bool:
        """Buffer ``size`` bytes from the read position on; False if the data ran out."""
        have = len(self._buf) - self._pos
        if have >= size:
            return True
        keep = min(self._pos, max(self._mark - self._base(), 0))
        parts = [self._buf[keep:]]
        while have < size:
            chunk = self._next_chunk()
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        self._buf, self._pos = b"".join(parts), self._pos - keep
        return have >= size

    def _skip_body(self, length: int) -> None:
        """Move past an over-large body of ``length`` bytes without holding it.

        A record start inside the claimed body (a ``WARC/`` version line after a blank
        line, or a gzip member opening with ``WARC/``) proves the length false, however
        large it claims to be: the record fails there and reading resumes at that start.
        """
        body_start = self.at()
        end = body_start + length
        scanned = body_start  # stream offset from which the buffer is still unsearched
        while True:
            base, limit = self._base(), min(end, self._end)
            found = self._record_start_within(scanned, limit, body_start)
            if found >= 0:
                self._pos = found - base
                raise _RecordError(
                    "bad_content_length", f"Content-Length {length}: a record starts "
                    f"{found - body_start} bytes into the body", found - 1)
            if self._end >= end:
                self._pos = end - base
                return
            # Keep a little overlap so that a start split across two chunks is found.
            scanned = max(limit - _START_OVERLAP, scanned)
            self._buf, self._pos = self._buf[scanned - base:], 0
            chunk = self._next_chunk()
            if chunk is None:
                raise _StreamEnd
            self._buf += chunk

    def _record_start_within(self, start: int, limit: int, body_start: int) -> int:
        """Stream offset of the first record start in [start, limit) of the buffer, or -1."""
        base = self._base()
        match = _START_IN_BODY.search(self._buf, start - base, limit - base)
        found = base + match.end() if match else -1
        for member in self._member_starts[bisect.bisect_right(self._member_starts, body_start):]:
            if member >= limit or (found >= 0 and member >= found):
                break
            if member >= base and self._buf.startswith(b"WARC/", member - base):
                return member
        return found

    def _skip_blank(self) -> bool:
        """Step over blank bytes between records; False at the end of the data."""
        while True:
            if self._pos >= len(self._buf) and not self._ensure(1):
                return False
            if self._buf[self._pos] not in BLANK:
                return True
            self._pos += 1

    def offset_of(self, at: int) -> int:
        """File offset reported for stream offset ``at``: its gzip member's, or its own."""
        if not self._gzipped:
            return at
        index = bisect.bisect_right(self._member_starts, at) - 1
        if index > 64:  # members before this record are no longer needed
            del self._member_starts[:index], self._member_offsets[:index]
            index = 0
        return self._member_offsets[index] if index >= 0 else 0

    def _next_start(self, after: int) -> int:
        """Stream offset of the next gzip member or ``WARC/`` line in the buffer, or -1."""
        base = self._base()
        found = self._buf.find(_RECORD_START, max(after - base, 0))
        line = base + found + 1 if found >= 0 else -1
        index = bisect.bisect_right(self._member_starts, after)
        member = self._member_starts[index] if index < len(self._member_starts) else -1
        candidates = [at for at in (line, member) if at > after]
        return min(candidates) if candidates else -1

    def _resync(self, after: int) -> None:
        """Move to the next record start after stream offset ``after``, or to the end."""
        if after >= self._base():  # else the bytes after it were streamed past unheld
            self._pos = after - self._base()
        while True:
            start = self._next_start(after)
            if start >= 0:
                self._pos = start - self._base()
                return
            self._pos = max(self._pos, len(self._buf) - len(_RECORD_START))
            self._mark = self.at()
            if not self._ensure(len(self._buf) - self._pos + 1):
                self._pos = len(self._buf)
                return

    # -- records ------------------------------------------------------------------------
    def outcomes(self) -> Iterator[WebPage | Skipped | Failed]:
        while True:
            if self._skip_blank():
                start = self._mark = self.at()
                offset = self.offset_of(start)
                try:
                    yield self._read_record(start, offset)
                    continue
                except _RecordError as err:
                    yield self.failed(err.error, offset, err.message)
                    self._resync(err.resume_at)
                    continue
                except _StreamEnd:
                    pass
            elif self._problem is None:
                return
            problem = self._problem
            if problem is None:
                yield self.failed("truncated_record", offset, "the file ends inside the record")
                return
            yield self.failed(problem.error, problem.offset, problem.message)
            if problem.fatal:
                return
            self._problem = None  # the gzip layer resumes at the next good member
            self._buf, self._pos, self._mark = b"", 0, self._end

    def failed(self, error: str, offset: int, message: str) -> Failed:
        return _failed(self._source, error, offset, message)

    def _read_header(self, start: int) -> tuple[dict[str, str], int]:
        if not self._ensure(5):
            raise _StreamEnd
        if not self._buf.startswith(b"WARC/", self._pos):
            raise _RecordError("bad_warc_header", "no WARC/ version line", start)
        searched = 0
        while True:
            end = self._buf.find(b"\r\n\r\n", self._pos + max(searched - 3, 0))
            if 0 <= end - self._pos <= MAX_HEADER_BYTES:
                break
            searched = len(self._buf) - self._pos
            if end >= 0 or searched > MAX_HEADER_BYTES:
                raise _RecordError("bad_warc_header", "WARC header block has no end", start)
            if not self._ensure(searched + 1):
                raise _StreamEnd
        fields = _parse_warc_header(self._buf[self._pos:end])
        self._pos = end + 4
        length = fields.get("content-length", "")
        if not (length.isascii() and length.isdigit() and len(length) < 19):
            raise _RecordError("bad_content_length", f"Content-Length {length!r}", start)
        return fields, int(length)

    def _read_record(self, start: int, offset: int) -> WebPage | Skipped | Failed:
        fields, length = self._read_header(start)
        warc_type = fields.get("warc-type", "").lower()
        if warc_type not in ("response", "resource"):
            self._take_body(length, keep=False)
            kind = warc_type if warc_type in SKIPPED_TYPES else "other"
            return Skipped(kind, self._source, offset, fields.get("warc-record-id", ""))
        block = self._take_body(length, keep=True)
        return self._judge(warc_type, fields, block, offset, length > self._max_record_bytes)

    def _take_body(self, length: int, keep: bool) -> bytes:
        """Consume the body (or its first bytes if over-large) and check what follows."""
        body_start = self.at()
        block = b""
        if length > self._max_record_bytes:
            if keep:
                self._ensure(min(length, PEEK_BYTES))
                block = self._buf[self._pos:self._pos + PEEK_BYTES]
            self._skip_body(length)
        else:
            if not self._ensure(length):
                if self._problem is not None or self._next_start(body_start) < 0:
                    raise _StreamEnd
                raise _RecordError("bad_content_length",
                                   f"Content-Length {length} runs past the next record",
                                   body_start)
            if keep:
                block = self._buf[self._pos:self._pos + length]
            self._pos += length
        if self._ensure(4) and self._buf.startswith(b"\r\n\r\n", self._pos):
            self._pos += 4  # the standard end of a record
        elif self._skip_blank() and not self._next_is_record():
            raise _RecordError("bad_content_length",
                               f"no record follows the {length}-byte body", body_start)
        return block

    def _next_is_record(self) -> bool:
        self._ensure(5)
        return b"WARC/".startswith(self._buf[self._pos:self._pos + 5])

    def _judge(self, warc_type: str, fields: dict[str, str], block: bytes, offset: int,
               too_large: bool) -> WebPage | Skipped | Failed:
        """The outcome of a response or resource record, from its (leading) bytes."""
        record_id = fields.get("warc-record-id", "")
        url = fields.get("warc-target-uri", "")
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        if warc_type == "resource":
            status, headers, body_at = 200, {}, 0
            content_type = fields.get("content-type", "")
            if not url.lower().startswith(("http:", "https:")):
                return Skipped("resource", self._source, offset, record_id)
        else:
            try:
                head = parse_http_head(block)
            except PayloadError as err:
                return self.failed(err.error, offset, str(err))
            if head is None:
                return Skipped("response_non_html", self._source, offset, record_id)
            status, headers, body_at = head
            content_type = headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in HTML_TYPES:
            kind = "resource" if warc_type == "resource" else "response_non_html"
            return Skipped(kind, self._source, offset, record_id)
        if status != 200:
            return Skipped("response_non_200", self._source, offset, record_id)
        if too_large:
            return self.failed("record_too_large", offset,
                               f"HTML record over {self._max_record_bytes} bytes skipped")
        try:
            body = decode_body(block[body_at:], headers, self._max_record_bytes)
        except PayloadError as err:
            return self.failed(err.error, offset, str(err))
        text, charset, charset_source = decode_html(body, content_type)
        return WebPage(url=url, record_id=record_id, date=fields.get("warc-date", ""),
                       source=self._source, offset=offset, html=text, charset=charset,
                       charset_source=charset_source, content_type=media_type)


def read_warc(path: str, opener: Callable[[str], BinaryIO] | None = None, *,
              max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
              ) -> Iterator[WebPage | Skipped | Failed]:
    """Yield one outcome per WARC record of ``path``, in file order.

    ``opener(path)`` returns a binary stream that is only ``read()``; the default opens
    a local file. A failure that leaves the rest unreadable yields one Failed and ends.
    """
    try:
        stream = (opener or (lambda name: open(name, "rb")))(path)
    except OSError as err:
        yield _failed(path, "read_error", 0, f"cannot open: {err}")
        return
    reader = None
    try:
        first = stream.read(READ_BYTES)
        while 0 < len(first) < len(GZIP_MAGIC):  # a short read must not hide the magic
            more = stream.read(READ_BYTES)
            if not more:
                break
            first += more
        if not first:
            yield _failed(path, "empty_file", 0, "the file is empty")
            return
        gzipped = first.startswith(GZIP_MAGIC)
        chunks = (GzipMembers(stream.read, first).chunks() if gzipped
                  else plain_chunks(stream.read, first))
        reader = _RecordReader(chunks, path, gzipped, max_record_bytes)
        count = 0
        for outcome in reader.outcomes():
            count += 1
            yield outcome
        if count == 0:
            yield _failed(path, "empty_file", 0, "the file holds no WARC record")
    except OSError as err:
        yield _failed(path, "read_error", reader.offset_of(reader.at()) if reader else 0,
                     f"read failed: {err}")
    finally:
        stream.close()
