"""The C4 and News JSON readers, and the choice of reader by name or --input-format."""

import gzip
import json
from pathlib import Path

import pytest

from massivetext.document import Document, Failed
from massivetext.readers.c4 import read_c4
from massivetext.readers.common import url_id
from massivetext.readers.formats import UnknownFormat, detect_format, read_input
from massivetext.readers.news import read_news_jsonl

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / "dolma-ccnet-samples"


def write_jsonl_gz(path, lines):
    path.write_bytes(gzip.compress("".join(line + "\n" for line in lines).encode("utf-8")))
    return str(path)


def test_c4_ids_are_derived_from_the_url(tmp_path):
    record = {"text": "Some web text.", "url": "https://example.org/a",
              "timestamp": "2019-04-25T12:57:54Z"}
    path = write_jsonl_gz(tmp_path / "c4-train.00000-of-01024.json.gz", [
        json.dumps(record), "{not json", json.dumps(["a list"]), json.dumps({"url": "x"}),
        "", json.dumps({"text": "No url here."})])
    outcomes = list(read_c4(path))
    first = outcomes[0]
    assert first.id == url_id("c4", "https://example.org/a") and first.id.startswith("c4-")
    assert first.metadata == {"date": "2019-04-25T12:57:54Z"} and first.subset == "c4"
    assert [(o.error, o.offset) for o in outcomes[1:4]] == [
        ("invalid_json", 2), ("not_an_object", 3), ("missing_text", 4)]
    assert outcomes[4].id == f"{path}:6"  # the blank line 5 is no record
    # The same URL in another file and line gets the same id.
    other = write_jsonl_gz(tmp_path / "c4-train.00001-of-01024.json.gz", ["", json.dumps(record)])
    assert next(read_c4(other)).id == first.id


def test_news_headline_is_the_first_paragraph(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"title": "Storm hits coast", "text": "Rain fell all night.",
                                "url": "https://news.example/storm", "date": "2024-02-01"})
                    + "\n" + json.dumps({"id": "given", "text": "Body only."}) + "\n")
    storm, given = read_news_jsonl(str(path))
    assert storm.text == "Storm hits coast\n\nRain fell all night."
    assert storm.metadata == {"title": "Storm hits coast", "date": "2024-02-01"}
    assert storm.id.startswith("news-") and storm.url == "https://news.example/storm"
    assert given.id == "given" and given.text == "Body only."


def test_truncated_gzip_is_one_failure_after_the_good_lines(tmp_path):
    lines = [json.dumps({"text": f"line {i} " * 50, "url": f"u{i}"}) for i in range(50)]
    path = tmp_path / "c4-x.json.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode())[:-30])
    outcomes = list(read_c4(str(path)))
    assert isinstance(outcomes[-1], Failed) and outcomes[-1].error == "bad_gzip"
    assert all(isinstance(o, Document) for o in outcomes[:-1])


@pytest.mark.parametrize(("name", "subset", "expected"), [
    ("enwiki-pages-articles1.xml.bz2", "wikipedia", "mediawiki"),
    ("dump.xml", "wikipedia", "mediawiki"),
    ("1342.txt.gz", "books", "book"),
    ("c4-train.00000-of-01024.json.gz", "c4", "c4"),
    ("cc-news.jsonl", "news", "news-jsonl"),
    ("crawl.warc.gz", "news", "warc"),
    ("docs.jsonl.gz", "books", "jsonl"),
    ("the-stack.parquet", "github", "code-parquet"),
    ("docs.parquet", "c4", "parquet"),
    ("repos.tar.gz", "github", "code-archive"),
    ("repos.zip", "github", "code-archive"),
])
def test_formats_by_name(name, subset, expected):
    assert detect_format(name, subset) == expected


def test_a_directory_is_a_code_tree_and_an_unknown_name_is_an_error(tmp_path):
    assert detect_format(str(tmp_path), "github") == "code-tree"
    with pytest.raises(UnknownFormat, match="--input-format"):
        detect_format("data.bin", "c4")


def test_input_format_overrides_the_name(tmp_path):
    path = tmp_path / "articles.data"
    path.write_text(json.dumps({"title": "T", "text": "Body.", "url": "u"}) + "\n")
    (document,) = read_input(str(path), "news", "news-jsonl")
    assert document.text == "T\n\nBody."


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/text/dolma-ccnet-samples absent")
def test_real_common_crawl_json():
    for path in sorted(SHARED.glob("*.gz")):
        outcomes = list(read_c4(str(path)))
        assert len(outcomes) == 10 and all(isinstance(o, Document) for o in outcomes)
        assert all(o.text.strip() for o in outcomes)
