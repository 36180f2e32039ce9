"""Write WARC files: one gzip member per record, as Common Crawl does.

The writer is deterministic: gzip members carry no timestamp or host byte, and record
ids and dates can be passed in, so the same inputs give byte-identical files. It can
also write deliberately malformed bytes (``write_raw``) so readers can be tested on them.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import datetime, timezone
from http import HTTPStatus
from typing import BinaryIO

WARC_VERSION = "WARC/1.1"
GZIP_LEVEL = 6
# Fixed gzip header: magic, deflate, no flags, mtime 0, no extra flags, OS "unknown";
# a fixed header is what makes the output byte-identical across runs and machines.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def gzip_member(data: bytes) -> bytes:
    """One complete, deterministic gzip member holding ``data``."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_record(warc_type: str, headers: dict[str, str], block: bytes,
                 version: str = WARC_VERSION) -> bytes:
    """The bytes of one uncompressed WARC record.

    ``WARC-Record-ID`` and ``WARC-Date`` are filled in when absent; ``Content-Length``
    is the block's length unless ``headers`` gives one (a deliberately wrong one).
    """
    fields = {"WARC-Type": warc_type}
    fields["WARC-Record-ID"] = headers.get("WARC-Record-ID") or new_record_id()
    fields["WARC-Date"] = headers.get("WARC-Date") or warc_date()
    fields.update(headers)
    fields.setdefault("Content-Length", str(len(block)))
    head = version + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return head.encode("utf-8") + b"\r\n" + block + b"\r\n\r\n"


def http_response_block(body: bytes, status: int = 200, content_type: str = "text/html",
                        extra_headers: dict[str, str] | None = None) -> bytes:
    """An HTTP/1.1 response message: status line, headers, blank line, body."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    headers.update(extra_headers or {})
    head = f"HTTP/1.1 {status} {reason}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


def http_request_block(url: str, extra_headers: dict[str, str] | None = None) -> bytes:
    """An HTTP/1.1 GET request for ``url`` as a crawler sends it."""
    scheme_less = url.split("://", 1)[-1]
    host, _, path = scheme_less.partition("/")
    headers = {"Host": host, "User-Agent": "massivetext-sample/0.1", "Accept": "*/*"}
    headers.update(extra_headers or {})
    head = f"GET /{path} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n"


class WarcWriter:
    """Append WARC records to a binary file object; each method returns the start offset."""

    def __init__(self, fileobj: BinaryIO, gzip_per_record: bool = True,
                 version: str = WARC_VERSION):
        self.fileobj = fileobj
        self.gzip_per_record = gzip_per_record
        self.version = version
        self.offset = 0

    def write_raw(self, data: bytes) -> int:
        """Write bytes as they are (for deliberately malformed records)."""
        start = self.offset
        self.fileobj.write(data)
        self.offset += len(data)
        return start

    def write_record(self, warc_type: str, headers: dict[str, str], block: bytes) -> int:
        record = build_record(warc_type, headers, block, self.version)
        return self.write_raw(gzip_member(record) if self.gzip_per_record else record)

    def write_warcinfo(self, filename: str, fields: dict[str, str] | None = None, *,
                       record_id: str | None = None, date: str | None = None) -> int:
        info = {"software": "massivetext-sample/0.1", "format": "WARC File Format 1.1"}
        info.update(fields or {})
        block = "".join(f"{name}: {value}\r\n" for name, value in info.items()).encode()
        return self.write_record("warcinfo", _common(record_id, date, {
            "WARC-Filename": filename, "Content-Type": "application/warc-fields"}), block)

    def write_response(self, url: str, http_body: bytes, *, status: int = 200,
                       content_type: str = "text/html; charset=utf-8",
                       record_id: str | None = None, date: str | None = None,
                       extra_http_headers: dict[str, str] | None = None) -> int:
        block = http_response_block(http_body, status, content_type, extra_http_headers)
        return self.write_record("response", _common(record_id, date, {
            "WARC-Target-URI": url, "Content-Type": "application/http; msgtype=response"}),
            block)

    def write_request(self, url: str, *, record_id: str | None = None,
                      date: str | None = None, concurrent_to: str | None = None) -> int:
        headers = {"WARC-Target-URI": url, "Content-Type": "application/http; msgtype=request"}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        return self.write_record("request", _common(record_id, date, headers),
                                 http_request_block(url))

    def write_revisit(self, url: str, refers_to: str, *, record_id: str | None = None,
                      date: str | None = None, status: int = 200) -> int:
        """A revisit record: the payload is identical to the one ``refers_to`` holds."""
        block = http_response_block(b"", status, "text/html")
        return self.write_record("revisit", _common(record_id, date, {
            "WARC-Target-URI": url, "WARC-Refers-To": refers_to,
            "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
            "Content-Type": "application/http; msgtype=response"}), block)

    def write_metadata(self, url: str, fields: dict[str, str] | None = None, *,
                       record_id: str | None = None, date: str | None = None,
                       concurrent_to: str | None = None) -> int:
        headers = {"WARC-Target-URI": url, "Content-Type": "application/warc-fields"}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        block = "".join(f"{name}: {value}\r\n" for name, value in (fields or {}).items())
        return self.write_record("metadata", _common(record_id, date, headers), block.encode())


def _common(record_id: str | None, date: str | None, headers: dict[str, str]) -> dict[str, str]:
    common = {}
    if record_id:
        common["WARC-Record-ID"] = record_id
    if date:
        common["WARC-Date"] = date
    common.update(headers)
    return common
