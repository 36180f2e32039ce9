import gzip

import pytest

from massivetext.io.atomic import atomic_output


def test_the_file_appears_only_when_the_block_succeeds(tmp_path):
    path = tmp_path / "deep" / "out.jsonl"
    with atomic_output(path) as out:
        out.write(b"partial")
        assert not path.exists()
    assert path.read_bytes() == b"partial"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_debris(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(path) as out:
        out.write(b"new")
        raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_compressed_output_is_deterministic(tmp_path):
    for name in ("a.gz", "b.gz"):
        with atomic_output(tmp_path / name, compress=True) as out:
            out.write(b"same content\n" * 100)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()) == b"same content\n" * 100
