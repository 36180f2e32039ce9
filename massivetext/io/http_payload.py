"""HTTP messages as WARC response records store them: the head and the decoded body.

:func:`parse_http_head` reads the status line and headers; :func:`decode_body` undoes
chunked transfer-encoding and gzip or deflate content-encoding, tolerating crawlers that
stored the body already decoded. Damage raises :class:`PayloadError`, whose ``error`` is
the counter name the reader reports.
"""

from __future__ import annotations

import zlib

#: Largest header block searched for its end (HTTP here, WARC in massivetext.io.warc).
MAX_HEADER_BYTES = 256 * 1024
#: Media types read as web pages.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class PayloadError(Exception):
    """An HTTP payload that cannot be decoded; ``error`` is the counter name."""

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error


def parse_http_head(block: bytes) -> tuple[int, dict[str, str], int] | None:
    """(status, lower-cased headers, body offset) of an HTTP response block.

    None when the block is not HTTP (a dns: record); PayloadError for a broken status.
    """
    if not block.startswith(b"HTTP/"):
        return None
    head_end = block.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES)
    bare_end = block.find(b"\n\n", 0, head_end if head_end >= 0 else MAX_HEADER_BYTES)
    if bare_end >= 0:  # some crawlers (ClueWeb09) end HTTP header lines with a bare LF
        head_end, body_at = bare_end, bare_end + 2
    elif head_end >= 0:
        body_at = head_end + 4
    else:
        head_end = body_at = min(len(block), MAX_HEADER_BYTES)
    lines = block[:head_end].decode("latin-1").split("\n")
    status = lines[0].split(None, 2)
    if len(status) < 2 or not (status[1].isascii() and status[1].isdigit()):
        raise PayloadError("bad_http_header", f"bad HTTP status line {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), value.strip())
    return int(status[1]), headers, body_at


def _looks_like_markup(body: bytes) -> bool:
    return body[:256].lstrip()[:1] == b"<"


def _dechunk(body: bytes) -> bytes:
    """Undo chunked transfer-encoding; a body that is not chunk-framed is kept as is."""
    if _looks_like_markup(body):
        return body  # the crawler stored the body already de-chunked
    parts, at = [], 0
    while at < len(body):
        line_end = body.find(b"\n", at, at + 1024)
        size_field = body[at:line_end].split(b";")[0].strip() if line_end >= 0 else b""
        if not size_field or len(size_field) > 16 or size_field.startswith(b"-"):
            break
        try:
            size = int(size_field, 16)
        except ValueError:
            break
        if size == 0:
            return b"".join(parts)
        parts.append(body[line_end + 1:line_end + 1 + size])
        at = line_end + 1 + size
        at += 2 if body.startswith(b"\r\n", at) else 1 if body.startswith(b"\n", at) else 0
    return b"".join(parts) if parts else body  # a truncated chunk stream keeps what came


def _inflate(body: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    out = inflater.decompress(body, limit + 1)
    if len(out) > limit:
        raise PayloadError("decoded_too_large", f"decoded body over {limit} bytes")
    return out  # a truncated stream keeps what it decoded, as browsers show it


def decode_body(body: bytes, headers: dict[str, str], limit: int) -> bytes:
    """Undo chunked transfer-encoding and gzip or deflate content-encoding."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity", "none") or _looks_like_markup(body):
        return body  # many crawlers store the decoded body but keep the header
    try:
        if encoding in ("gzip", "x-gzip"):
            return _inflate(body, 31, limit)
        if encoding == "deflate":
            try:
                return _inflate(body, 15, limit)
            except zlib.error:
                return _inflate(body, -15, limit)  # raw deflate, as some servers send
    except zlib.error as err:
        raise PayloadError("bad_content_encoding", f"{encoding} body: {err}") from err
    # br (no brotli module among our dependencies), compress, zstd, stacked codings.
    raise PayloadError("unsupported_content_encoding", f"Content-Encoding {encoding!r}")
