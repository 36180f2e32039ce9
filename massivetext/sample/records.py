"""The sample's records that are not pages to curate: skips and malformed records.

``SkipWriter`` spreads over the crawl the records a reader must skip (requests,
metadata, revisits, PDFs and images, 404s and redirects); ``write_malformed`` writes
one deliberately broken record of a named kind, always followed by good records so a
reader can be seen to resynchronise.
"""

from __future__ import annotations

import struct
import zlib

from massivetext.io.warc_writer import WarcWriter, build_record, gzip_member, http_response_block

MALFORMED_KINDS = ("bad_warc_header", "truncated_gzip", "wrong_content_length")
CONTENT_LENGTH_OVERSTATEMENT = 1000  # bytes a wrong Content-Length claims beyond the block


def tiny_png() -> bytes:
    """A valid 1x1 red PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def tiny_pdf() -> bytes:
    """A one-page PDF document with no text."""
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


def _spread(count: int, total: int, phase: int) -> set[int]:
    """``count`` indices spread evenly over ``range(total)``, shifted by ``phase``."""
    return {(i * total // count + phase) % total for i in range(count)}


class SkipWriter:
    """Writes skip records into the crawl and logs each one in the manifest."""

    def __init__(self, writer: WarcWriter, crawl, pages: int):
        self.writer, self.crawl, self.seen = writer, crawl, []
        self.written = {"response_non_html": 0, "response_non_200": 0}  # alternates kinds
        self.non_html = _spread(max(2, pages // 40), pages, 3)
        self.non_200 = _spread(max(2, pages // 40), pages, 7)
        self.revisits = _spread(max(1, pages // 50), pages, pages // 3 + 1)

    def request(self, url: str, response_id: str) -> None:
        record_id = self.crawl.record_id()
        offset = self.writer.write_request(url, record_id=record_id, date=self.crawl.date(),
                                           concurrent_to=response_id)
        self.crawl.log(offset, "request", record_id, url, case="skip", kind="request")

    def metadata(self, url: str, response_id: str) -> None:
        record_id = self.crawl.record_id()
        fields = {"fetchTimeMs": str(self.crawl.rng.randint(40, 900)),
                  "charset-detected": "UTF-8"}
        offset = self.writer.write_metadata(url, fields, record_id=record_id,
                                            date=self.crawl.date(), concurrent_to=response_id)
        self.crawl.log(offset, "metadata", record_id, url, case="skip", kind="metadata")

    def maybe_other(self, index: int, url: str, response_id: str) -> None:
        """After the page at ``index``, the skip records planned for that position."""
        self.seen.append((url, response_id))
        base = url.rsplit("/", 1)[0]
        if index in self.non_html:
            body, kind = ((tiny_pdf(), "application/pdf")
                          if self.written["response_non_html"] % 2 else (tiny_png(), "image/png"))
            self._response(f"{base}/files/report-{index}.{kind.split('/')[1]}", body, 200, kind,
                           "response_non_html")
        if index in self.non_200:
            if self.written["response_non_200"] % 2:
                self._response(f"{base}/missing-{index}", b"<html><body><h1>Page not found"
                               b"</h1></body></html>", 404, "text/html", "response_non_200")
            else:
                self._response(f"{base}/old-{index}", b"", 301, "text/html", "response_non_200",
                               {"Location": url})
        if index in self.revisits:
            target_url, target_id = self.crawl.rng.choice(self.seen)
            record_id = self.crawl.record_id()
            offset = self.writer.write_revisit(target_url, target_id, record_id=record_id,
                                               date=self.crawl.date())
            self.crawl.log(offset, "revisit", record_id, target_url, case="skip",
                           kind="revisit", refers_to=target_id)

    def _response(self, url: str, body: bytes, status: int, content_type: str, kind: str,
                  headers: dict[str, str] | None = None) -> None:
        record_id = self.crawl.record_id()
        offset = self.writer.write_response(url, body, status=status, content_type=content_type,
                                            record_id=record_id, date=self.crawl.date(),
                                            extra_http_headers=headers)
        self.crawl.log(offset, "response", record_id, url, case="skip", kind=kind,
                       status=status, content_type=content_type)
        self.written[kind] += 1


def write_malformed(writer: WarcWriter, crawl, kind: str, url: str) -> None:
    """One broken record of ``kind`` (one of ``MALFORMED_KINDS``), logged by offset."""
    body = http_response_block(b"<html><body><p>This record is damaged.</p></body></html>")
    headers = {"WARC-Record-ID": crawl.record_id(), "WARC-Date": crawl.date(),
               "WARC-Target-URI": url, "Content-Type": "application/http; msgtype=response"}
    if kind == "bad_warc_header":
        # A header line without a colon and a Content-Length that is not a number.
        record = (b"WARC/1.1\r\nWARC-Type: response\r\nthis line is not a header field\r\n"
                  b"Content-Length: twelve\r\n\r\n" + body + b"\r\n\r\n")
        data = gzip_member(record)
    elif kind == "truncated_gzip":
        member = gzip_member(build_record("response", headers, body))
        data = member[:len(member) // 2]
    elif kind == "wrong_content_length":
        headers["Content-Length"] = str(len(body) + CONTENT_LENGTH_OVERSTATEMENT)
        data = gzip_member(build_record("response", headers, body))
    else:
        raise ValueError(f"unknown malformed record kind {kind!r}")
    offset = writer.write_raw(data)
    crawl.log(offset, "response", None, url, case="malformed", error=kind, length=len(data))
