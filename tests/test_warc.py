"""The WARC reader on hand-built records, damaged files, and real third-party WARCs."""

import collections
import gzip
import logging
import random
import tracemalloc
import zlib
from pathlib import Path

import pytest

from massivetext.document import Failed, Skipped, WebPage
from massivetext.io.warc import read_warc

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "warc"
PAGE = b"<html><head><title>t</title></head><body><p>Hello, caf\xc3\xa9.</p></body></html>"


class ReadOnlyStream:
    """A stream with nothing but read() and close(), as remote file systems give."""

    def __init__(self, data: bytes, fail_after: int | None = None, most: int | None = None):
        self._data, self._pos, self._fail_after = data, 0, fail_after
        self._sizes = random.Random(len(data)) if most else None
        self._most = most

    def read(self, size: int) -> bytes:
        if self._fail_after is not None and self._pos >= self._fail_after:
            raise OSError("connection reset")
        if self._sizes:  # short reads, as network streams give
            size = min(size, self._sizes.randint(1, self._most))
        chunk = self._data[self._pos:self._pos + size]
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        pass


def http(body: bytes = PAGE, status: str = "200 OK", headers: tuple[str, ...] = (
        "Content-Type: text/html; charset=utf-8",), eol: bytes = b"\r\n") -> bytes:
    head = [f"HTTP/1.1 {status}".encode(), *(h.encode() for h in headers)]
    return eol.join(head) + eol + eol + body


def record(warc_type: str = "response", block: bytes | None = None, *, number: int = 1,
           version: str = "1.0", fields: tuple[str, ...] = (),
           length: int | None = None) -> bytes:
    block = http() if block is None and warc_type == "response" else block or b"x"
    lines = [f"WARC/{version}", f"WARC-Type: {warc_type}",
             f"WARC-Record-ID: <urn:uuid:{number:08d}>", "WARC-Date: 2024-01-02T03:04:05Z",
             f"WARC-Target-URI: http://example.com/{number}", *fields,
             f"Content-Length: {len(block) if length is None else length}"]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"


def read(data: bytes, **kwargs) -> list:
    return list(read_warc("test.warc", lambda path: ReadOnlyStream(data), **kwargs))


def summary(outcomes: list) -> list[str]:
    """One short label per outcome: page, the skipped kind, or !error."""
    return ["page" if isinstance(o, WebPage) else o.kind if isinstance(o, Skipped)
            else "!" + o.error for o in outcomes]


def per_record_gzip(records: list[bytes]) -> tuple[bytes, list[int]]:
    members = [gzip.compress(r) for r in records]
    offsets = [sum(len(m) for m in members[:i]) for i in range(len(members))]
    return b"".join(members), offsets


THREE = [record("warcinfo", b"software: test\r\n", number=0), record(number=1),
         record("request", b"GET / HTTP/1.1\r\n\r\n", number=2)]


# -- layouts --------------------------------------------------------------------------------
def test_plain_warc_offsets_are_record_offsets():
    outcomes = read(b"".join(THREE))
    assert summary(outcomes) == ["warcinfo", "page", "request"]
    assert [o.offset for o in outcomes] == [0, len(THREE[0]), len(THREE[0]) + len(THREE[1])]
    page = outcomes[1]
    assert (page.url, page.record_id, page.date) == (
        "http://example.com/1", "<urn:uuid:00000001>", "2024-01-02T03:04:05Z")
    assert page.html == PAGE.decode("utf-8") and page.charset_source == "http-header"
    assert page.source == "test.warc"


def test_per_record_gzip_offsets_are_member_offsets():
    data, offsets = per_record_gzip(THREE)
    outcomes = read(data)
    assert summary(outcomes) == ["warcinfo", "page", "request"]
    assert [o.offset for o in outcomes] == offsets


def test_whole_file_gzip_is_one_member_at_offset_zero():
    outcomes = read(gzip.compress(b"".join(THREE)))
    assert summary(outcomes) == ["warcinfo", "page", "request"]
    assert {o.offset for o in outcomes} == {0}


def test_many_records_cross_read_chunks():
    records = [record(block=http(PAGE * 500), number=i) for i in range(60)]  # ~2.5 MB
    for data in (b"".join(records), per_record_gzip(records)[0]):
        outcomes = read(data)
        assert summary(outcomes) == ["page"] * 60
        assert all(o.html == (PAGE * 500).decode() for o in outcomes)


def test_short_reads_give_the_same_outcomes():
    records = [*THREE, record(block=http(gzip.compress(PAGE * 50),
                                         headers=("Content-Type: text/html",
                                                  "Content-Encoding: gzip")), number=4)]
    for data in (b"".join(records), per_record_gzip(records)[0]):
        expected = read(data)
        assert summary(expected) == ["warcinfo", "page", "request", "page"]
        dribbled = list(read_warc("test.warc", lambda p, d=data: ReadOnlyStream(d, most=7)))
        assert dribbled == expected


# -- record kinds ---------------------------------------------------------------------------
def test_every_record_kind_is_counted():
    records = [
        record("warcinfo"), record("request"), record("metadata"), record("revisit"),
        record("conversion"), record("continuation"), record("resource", b"log line"),
        record(block=http(status="404 Not Found")),
        record(block=http(b"GIF89a", headers=("Content-Type: image/gif",))),
        record(block=b"20080430204825\nwww.archive.org.\t589\tIN\tA\t207.241.229.39\n"),
        record(block=http(headers=("Content-Type: application/xhtml+xml",))),
        record(block=http(headers=())),
    ]
    assert summary(read(b"".join(records))) == [
        "warcinfo", "request", "metadata", "revisit", "conversion", "other", "resource",
        "response_non_200", "response_non_html", "response_non_html", "page",
        "response_non_html"]


def test_html_resource_records_are_pages_only_for_web_urls():
    html = ("Content-Type: text/html; charset=utf-8",)
    web = record("resource", PAGE, fields=html)
    local = record("resource", PAGE, fields=html).replace(b"http://example.com/1",
                                                          b"file:///tmp/page.html")
    outcomes = read(web + local)
    assert summary(outcomes) == ["page", "resource"]
    assert outcomes[0].html == PAGE.decode()


def test_old_versions_odd_spacing_and_bracketed_uri():
    block = http()
    quirky = (b"WARC/0.17\r\nwarc-type :response\r\nWARC-Target-URI:  <http://old.example/>\r\n"
              b"WARC-Date: 2008-10-294T05:21:46-0700\r\nwarc-record-id:<urn:uuid:1>\r\n"
              b"CONTENT-LENGTH:   " + str(len(block)).encode() + b"\r\n\r\n" + block
              + b"\r\n\r\n")
    outcomes = read(quirky + record(version="0.18") + record(version="1.1"))
    assert summary(outcomes) == ["page", "page", "page"]
    assert outcomes[0].url == "http://old.example/"
    assert outcomes[0].date == "2008-10-294T05:21:46-0700"
    assert outcomes[0].record_id == "<urn:uuid:1>"


# -- HTTP payloads --------------------------------------------------------------------------
def chunked(body: bytes, size: int = 7) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


@pytest.mark.parametrize("body, headers", [
    (chunked(PAGE), ("Transfer-Encoding: chunked",)),
    (PAGE, ("Transfer-Encoding: chunked",)),  # stored de-chunked, header kept
    (gzip.compress(PAGE, mtime=0), ("Content-Encoding: gzip",)),
    (chunked(gzip.compress(PAGE, mtime=0)),
     ("Transfer-Encoding: chunked", "Content-Encoding: gzip")),
    (PAGE, ("Content-Encoding: gzip",)),  # ClueWeb: stored decoded, header kept
    (zlib.compress(PAGE), ("Content-Encoding: deflate",)),
    (zlib.compress(PAGE)[2:-4], ("Content-Encoding: deflate",)),  # raw deflate
])
def test_http_body_encodings_are_undone(body, headers):
    block = http(body, headers=("Content-Type: text/html; charset=utf-8", *headers))
    [page] = read(record(block=block))
    assert isinstance(page, WebPage) and page.html == PAGE.decode()


def test_http_head_with_bare_newlines():
    [page] = read(record(block=http(eol=b"\n", headers=("Content-Type: text/html",))))
    assert isinstance(page, WebPage) and page.html == PAGE.decode()


@pytest.mark.parametrize("body, encoding, error", [
    (b"\x1f\x8b\x08\x00garbage-not-deflate", "gzip", "bad_content_encoding"),
    (b"\x8b\x00\x80compressed-by-brotli", "br", "unsupported_content_encoding"),
])
def test_undecodable_http_bodies_fail_by_name(body, encoding, error):
    block = http(body, headers=("Content-Type: text/html", f"Content-Encoding: {encoding}"))
    outcomes = read(record(block=block) + record(number=2))
    assert summary(outcomes) == ["!" + error, "page"]


def test_gzip_bomb_in_http_body_is_bounded():
    block = http(gzip.compress(b" " * 3_000_000),
                 headers=("Content-Type: text/html", "Content-Encoding: gzip"))
    assert summary(read(record(block=block), max_record_bytes=1_000_000)) == [
        "!decoded_too_large"]


def test_broken_http_status_line():
    assert summary(read(record(block=b"HTTP/1.1 OK\r\n\r\n" + PAGE))) == ["!bad_http_header"]


# -- damaged files --------------------------------------------------------------------------
def test_empty_inputs():
    assert summary(read(b"")) == ["!empty_file"]
    assert summary(read(gzip.compress(b"\r\n"))) == ["!empty_file"]


def test_truncated_gzip_keeps_the_records_before(caplog):
    data, offsets = per_record_gzip(THREE)
    with caplog.at_level(logging.WARNING, logger="massivetext.io.warc"):
        outcomes = read(data[:-20])
    assert summary(outcomes) == ["warcinfo", "page", "!truncated_gzip"]
    failed = outcomes[-1]
    assert (failed.stage, failed.source, failed.offset) == ("read", "test.warc", offsets[2])
    assert f"test.warc: truncated_gzip at byte {offsets[2]}" in caplog.text


def test_corrupt_gzip_member_resynchronises_at_the_next_member():
    records = [record(number=i) for i in range(4)]
    members = [gzip.compress(r) for r in records]
    members[1] = members[1][:12] + bytes(b ^ 0x5A for b in members[1][12:-8]) + members[1][-8:]
    outcomes = read(b"".join(members))
    assert summary(outcomes) == ["page", "!bad_gzip", "page", "page"]
    assert outcomes[1].offset == len(members[0])
    assert [o.record_id for o in outcomes[2:]] == ["<urn:uuid:00000002>", "<urn:uuid:00000003>"]


def test_gzip_checksum_failure_is_reported_and_reading_goes_on():
    data, offsets = per_record_gzip([record(number=i) for i in range(3)])
    crc_at = offsets[2] - 8  # the CRC-32 of the second member
    damaged = data[:crc_at] + bytes(b ^ 0xFF for b in data[crc_at:crc_at + 4]) + data[
        crc_at + 4:]
    outcomes = read(damaged)
    assert summary(outcomes) == ["page", "!bad_gzip", "page"]
    assert outcomes[1].offset == offsets[1]
    assert outcomes[2].record_id == "<urn:uuid:00000002>"


def test_garbage_between_gzip_members():
    data, offsets = per_record_gzip(THREE[:2])
    outcomes = read(data[:offsets[1]] + b"JUNK" * 10 + data[offsets[1]:] + b"\x00" * 512)
    assert summary(outcomes) == ["warcinfo", "!bad_gzip", "page"]
    assert outcomes[1].offset == offsets[1]


def test_broken_warc_header_resynchronises_at_the_next_warc_line():
    bad = record(number=1).replace(b"WARC/1.0", b"WARX/1.0", 1)
    data = THREE[0] + bad + THREE[2]
    outcomes = read(data)
    assert summary(outcomes) == ["warcinfo", "!bad_warc_header", "request"]
    assert outcomes[1].offset == len(THREE[0])
    gz, offsets = per_record_gzip([THREE[0], bad, THREE[2]])
    assert summary(read(gz)) == ["warcinfo", "!bad_warc_header", "request"]


def test_garbage_before_the_first_record():
    assert summary(read(b"not a warc\r\n" + b"".join(THREE))) == [
        "!bad_warc_header", "warcinfo", "page", "request"]


@pytest.mark.parametrize("delta", [-10, +25, +100_000])
def test_wrong_content_length_fails_that_record_only(delta):
    block = http()
    wrong = record(block=block, length=len(block) + delta, number=1)
    for layout in (b"".join, lambda rs: per_record_gzip(rs)[0]):
        outcomes = read(layout([THREE[0], wrong, THREE[2], record(number=3)]))
        assert summary(outcomes) == ["warcinfo", "!bad_content_length", "request", "page"]


@pytest.mark.parametrize("claimed", [60_000_000, 999_999_999, 10**18 - 1])
def test_a_huge_content_length_does_not_swallow_the_records_after_it(claimed):
    # Whatever the claimed length, the next record is found and read (issue 9, item 1).
    wrong = record(block=http(), length=claimed, number=1)
    after = [THREE[2], record(number=3), record(number=4)]
    expected = ["warcinfo", "!bad_content_length", "request", "page", "page"]
    layouts = {"plain": b"".join, "per-record gzip": lambda rs: per_record_gzip(rs)[0],
               "whole-file gzip": lambda rs: gzip.compress(b"".join(rs))}
    for name, layout in layouts.items():
        outcomes = read(layout([THREE[0], wrong, *after]))
        assert summary(outcomes) == expected, name
        assert [o.url for o in outcomes if isinstance(o, WebPage)] == [
            "http://example.com/3", "http://example.com/4"], name


def test_a_huge_lying_length_found_past_the_first_chunks():
    # The lie is discovered only after several read chunks of real body bytes.
    wrong = record(block=http(b"<p>" + b"q" * 3_000_000), length=999_999_999, number=1)
    outcomes = read(b"".join([THREE[0], wrong, record(number=3)]), max_record_bytes=1_000_000)
    assert summary(outcomes) == ["warcinfo", "!bad_content_length", "page"]


def test_missing_content_length():
    bad = record(number=1).replace(b"Content-Length", b"Content-Lenght")
    assert summary(read(THREE[0] + bad + THREE[2])) == [
        "warcinfo", "!bad_content_length", "request"]


def test_truncated_plain_record_ends_the_file():
    data = b"".join(THREE)
    outcomes = read(data[:len(THREE[0]) + 200])
    assert summary(outcomes) == ["warcinfo", "!truncated_record"]
    assert outcomes[1].offset == len(THREE[0])


def test_endless_header_is_bounded():
    endless = b"WARC/1.0\r\n" + b"X-Padding: " + b"y" * 400_000 + b"\r\n"
    assert summary(read(endless + b"".join(THREE))) == [
        "!bad_warc_header", "warcinfo", "page", "request"]


def test_read_errors_are_reported():
    data = b"".join(THREE) * 4000  # 2.6 MB: the second read fails
    outcomes = list(read_warc("x.warc", lambda p: ReadOnlyStream(data, fail_after=1)))
    assert summary(outcomes)[-1] == "!read_error"
    assert 0 < len(outcomes) < 12000

    def missing(path):
        raise FileNotFoundError(path)

    assert summary(list(read_warc("gone.warc", missing))) == ["!read_error"]


@pytest.mark.parametrize("content_type, expected", [
    ("text/html", "!record_too_large"), ("video/mp4", "response_non_html")])
def test_500_mb_record_is_streamed_past(content_type, expected):
    size = 500 * 1024 * 1024
    head = b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode() + b"\r\n\r\n"
    tracemalloc.start()
    outcomes = list(read_warc("big.warc", lambda p: LazyStream(head, size)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert summary(outcomes) == ["warcinfo", expected, "page"]
    assert outcomes[1].offset == len(THREE[0])
    assert peak < 64 * 1024 * 1024


class LazyStream:
    """A WARC whose second record's body of ``size`` bytes is made on each read()."""

    def __init__(self, block_head: bytes, size: int):
        header = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:big>\r\n"
                  b"Content-Length: %d\r\n\r\n" % size)
        self._before = THREE[0] + header + block_head
        self._filler_left = size - len(block_head)
        self._after = b"\r\n\r\n" + record(number=7)

    def read(self, size: int) -> bytes:
        if self._before:
            chunk, self._before = self._before[:size], self._before[size:]
            return chunk
        if self._filler_left:
            take = min(size, self._filler_left)
            self._filler_left -= take
            return b"a" * take
        chunk, self._after = self._after[:size], self._after[size:]
        return chunk

    def close(self) -> None:
        pass


def test_over_large_record_in_a_gzip_member_is_skipped():
    big = record(block=http(b"<p>" + b"z" * 4_000_000), number=1)
    data, offsets = per_record_gzip([THREE[0], big, record(number=2)])
    outcomes = read(data, max_record_bytes=1_000_000)
    assert summary(outcomes) == ["warcinfo", "!record_too_large", "page"]
    assert outcomes[1].offset == offsets[1]


def test_random_damage_never_crashes():
    data, _ = per_record_gzip([record(number=i) for i in range(6)])
    plain = b"".join(record(number=i) for i in range(6))
    rng = random.Random(1234)
    for source in (data, plain):
        for _ in range(150):
            damaged = bytearray(source)
            for _ in range(rng.randint(1, 8)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            cut = rng.choice([len(damaged), rng.randrange(1, len(damaged))])
            outcomes = read(bytes(damaged[:cut]))
            assert outcomes and all(
                isinstance(o, (WebPage, Skipped, Failed)) for o in outcomes)


# -- real third-party WARCs -------------------------------------------------------------------
SHARED_WARCS = sorted(DATA.glob("*/*.gz")) if DATA.is_dir() else []
needs_data = pytest.mark.skipif(not SHARED_WARCS, reason=f"shared WARC data absent: {DATA}")


def warcio_reference(path: Path) -> tuple[int, list[tuple[str, str]]]:
    """Record count and (URL, decoded HTML) of 200 HTML responses, as warcio reads them."""
    from warcio.archiveiterator import ArchiveIterator

    from massivetext.io.charset import decode_html

    count, pages = 0, []
    with open(path, "rb") as stream:
        for rec in ArchiveIterator(stream):
            count += 1
            head = rec.http_headers
            if rec.rec_type != "response" or head is None or head.get_statuscode() != "200":
                continue
            content_type = head.get_header("Content-Type") or ""
            if content_type.split(";")[0].strip().lower() in ("text/html",
                                                               "application/xhtml+xml"):
                url = rec.rec_headers.get_header("WARC-Target-URI")
                pages.append((url, decode_html(rec.content_stream().read(), content_type)[0]))
    return count, pages


@needs_data
@pytest.mark.parametrize("path", SHARED_WARCS, ids=lambda p: p.name)
def test_shared_warcs_match_warcio(path):
    outcomes = list(read_warc(str(path)))
    count, pages = warcio_reference(path)
    assert not [o for o in outcomes if isinstance(o, Failed)]
    assert len(outcomes) == count
    assert [(o.url, o.html) for o in outcomes if isinstance(o, WebPage)] == pages


@needs_data
def test_shared_warc_totals_are_exact():
    def counts(*names):
        labels = collections.Counter()
        for name in names:
            labels.update(summary(list(read_warc(str(DATA / name)))))
        return labels["page"], labels["response_non_200"], labels.total()

    # README: 822 records, 140 HTML responses; 94 of those have status 200.
    assert counts("ipwb/IAH-20080430204825-00000-blackbook.warc.gz") == (94, 46, 822)
    # README: 82 records, 37 HTML responses (all 200).
    assert counts("dolma/sample-0000.warc.gz", "dolma/sample-0001.warc.gz") == (37, 0, 82)
    assert counts("resiliparse/clueweb-quirk.warc.gz") == (29, 0, 30)
    assert counts("whirlwind/whirlwind.warc.wet.gz") == (0, 0, 2)
