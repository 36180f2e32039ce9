import gzip
import io

import pytest

from massivetext.io.byte_lines import bounded_lines, decompressed


def test_lines_lose_their_endings_and_over_long_ones_are_skipped_whole():
    data = b"short\r\n" + b"x" * 5000 + b"\nafter\n\nlast"
    assert list(bounded_lines(io.BytesIO(data), max_bytes=100)) == [
        b"short", None, b"after", b"", b"last"]


def test_a_line_of_exactly_the_bound_is_kept():
    assert list(bounded_lines(io.BytesIO(b"abcd\nef"), max_bytes=4)) == [b"abcd", b"ef"]


def test_gzip_is_recognised_by_its_bytes_and_truncation_raises():
    payload = b"".join(b"line %d\n" % i for i in range(20000))
    compressed = gzip.compress(payload)
    assert b"".join(line + b"\n" for line in bounded_lines(
        decompressed(io.BytesIO(compressed)))) == payload
    assert decompressed(io.BytesIO(b"plain text\n")).read() == b"plain text\n"
    with pytest.raises((OSError, EOFError)):
        list(bounded_lines(decompressed(io.BytesIO(compressed[: len(compressed) // 2]))))
