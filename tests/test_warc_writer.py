"""The WARC writer: deterministic gzip members, records a reference reader (warcio) reads."""

import gzip
import io

import pytest

from massivetext.io.warc_writer import WarcWriter, build_record, gzip_member

warcio = pytest.importorskip("warcio.archiveiterator",
                             reason="warcio (dev extra) is the reference reader")

RECORD_ID = "<urn:uuid:00000000-0000-4000-8000-000000000001>"
DATE = "2024-03-01T12:00:00Z"


def read_all(data: bytes):
    """Every record warcio finds in ``data``: (type, WARC headers, HTTP first line and
    headers, content)."""
    records = []
    for record in warcio.ArchiveIterator(io.BytesIO(data)):
        http = record.http_headers
        http_head = (http.protocol + " " + http.statusline, dict(http.headers)) if http else None
        records.append((record.rec_type, dict(record.rec_headers.headers), http_head,
                        record.content_stream().read()))
    return records


def test_gzip_member_is_deterministic_and_standard():
    data = b"hello WARC " * 100
    member = gzip_member(data)
    assert member == gzip_member(data)
    assert member[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # mtime 0, OS unknown
    assert gzip.decompress(member) == data
    assert gzip_member(b"") != member and gzip.decompress(gzip_member(b"")) == b""


def test_response_round_trips_through_warcio():
    out = io.BytesIO()
    writer = WarcWriter(out)
    body = "<html><body><p>Café “quoted”</p></body></html>".encode()
    offset = writer.write_response("https://example.org/a", body, record_id=RECORD_ID,
                                   date=DATE, extra_http_headers={"Server": "test"})
    assert offset == 0
    [(rec_type, headers, status, content)] = read_all(out.getvalue())
    assert rec_type == "response" and status[0] == "HTTP/1.1 200 OK" and content == body
    assert headers["WARC-Record-ID"] == RECORD_ID and headers["WARC-Date"] == DATE
    assert headers["WARC-Target-URI"] == "https://example.org/a"
    assert headers["Content-Type"] == "application/http; msgtype=response"
    record = gzip.decompress(out.getvalue())
    assert record.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
    assert b"HTTP/1.1 200 OK\r\n" in record and b"Server: test\r\n" in record


def test_every_record_kind_and_offsets():
    out = io.BytesIO()
    writer = WarcWriter(out)
    offsets = [
        writer.write_warcinfo("x.warc.gz", {"operator": "tests"}),
        writer.write_request("https://example.org/p?q=1", concurrent_to=RECORD_ID),
        writer.write_response("https://example.org/p?q=1", b"gone", status=404),
        writer.write_response("https://example.org/doc.pdf", b"%PDF-1.4",
                              content_type="application/pdf"),
        writer.write_revisit("https://example.org/p?q=1", refers_to=RECORD_ID),
        writer.write_metadata("https://example.org/p?q=1", {"fetchTimeMs": "12"}),
    ]
    data = out.getvalue()
    assert offsets[0] == 0 and offsets == sorted(offsets) and writer.offset == len(data)
    records = read_all(data)
    assert [r[0] for r in records] == ["warcinfo", "request", "response", "response",
                                      "revisit", "metadata"]
    assert records[1][1]["WARC-Concurrent-To"] == RECORD_ID
    assert records[1][2] == ("GET /p?q=1 HTTP/1.1", {"Host": "example.org", "User-Agent":
                             "massivetext-sample/0.1", "Accept": "*/*"})
    assert records[2][2][0] == "HTTP/1.1 404 Not Found" and records[3][3] == b"%PDF-1.4"
    assert records[3][2][1]["Content-Type"] == "application/pdf"
    assert records[4][1]["WARC-Refers-To"] == RECORD_ID
    assert b"fetchTimeMs: 12" in records[5][3] and b"operator: tests" in records[0][3]
    # Each returned offset starts a gzip member holding exactly that record.
    for offset, (rec_type, *_rest) in zip(offsets, records, strict=True):
        assert read_all(data[offset:])[0][0] == rec_type
    ids = {r[1]["WARC-Record-ID"] for r in records}
    assert len(ids) == 6 and all(i.startswith("<urn:uuid:") for i in ids)


def test_uncompressed_records():
    out = io.BytesIO()
    writer = WarcWriter(out, gzip_per_record=False)
    writer.write_response("https://example.org/", b"<p>x</p>", record_id=RECORD_ID, date=DATE)
    writer.write_response("https://example.org/2", b"<p>y</p>")
    assert out.getvalue().startswith(b"WARC/1.1\r\n")
    assert [r[3] for r in read_all(out.getvalue())] == [b"<p>x</p>", b"<p>y</p>"]


def test_explicit_content_length_is_kept_and_raw_bytes_are_verbatim():
    record = build_record("response", {"Content-Length": "999"}, b"short")
    assert b"Content-Length: 999\r\n" in record and record.endswith(b"short\r\n\r\n")
    assert record.count(b"Content-Length") == 1
    out = io.BytesIO()
    writer = WarcWriter(out)
    first = writer.write_raw(b"garbage")
    second = writer.write_response("https://example.org/", b"ok")
    assert (first, second) == (0, 7) and out.getvalue()[:7] == b"garbage"
