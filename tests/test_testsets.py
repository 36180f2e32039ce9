"""Evaluation-set readers: hand-written files in every format, then the real files."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from massivetext.dedup.minhash import dedup_words
from massivetext.testsets.loaders import TestDocument, TestSetLoadReport, load_test_set

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "evalsets"

# WikiText's layout: every line starts and ends with a space; blank lines are " ".
_WIKITEXT_LINES = [
    "", "= Robert Boulter =", "",
    "Robert Boulter is an English film , television and theatre actor . He had a guest "
    "@-@ starring role .", "",
    "= = Career = =", "",
    "In 2000 he earned $ 1 @,@ 000 for 2 @.@ 5 hours . They Don 't Go Down and Ezra 's dog .",
    "The filter had <unk>", "= 1 kΩ and a nominal k =", "1 kΩ .", "",
    "= Du Fu =", "", "Du Fu was a prominent Chinese poet .", "",
    "= Robert Boulter =", "", "A second article with a repeated title .",
]
WIKITEXT = "".join(f" {line} \n" if line else " \n" for line in _WIKITEXT_LINES)


def _load(path: Path, **kwargs) -> tuple[list[TestDocument], TestSetLoadReport]:
    report = TestSetLoadReport()
    return list(load_test_set(str(path), report=report, **kwargs)), report


def test_wikitext_articles_split_at_top_level_headings_only(tmp_path):
    path = tmp_path / "wiki.test.tokens"
    path.write_text(WIKITEXT, encoding="utf-8")
    docs, report = _load(path)
    assert [doc.id for doc in docs] == ["Robert Boulter", "Du Fu", "Robert Boulter#2"]
    assert {doc.test_set for doc in docs} == {"wikitext-103"}
    first = docs[0].text
    assert "Career" in first.splitlines() and "= =" not in first
    assert "guest-starring" in first and "1,000" in first and "2.5" in first
    assert "Don't" in first and "Ezra's" in first
    # A "= ... =" line inside a paragraph is text, not a heading.
    assert "= 1 kΩ and a nominal k =" in first
    assert docs[1].text == "Du Fu\nDu Fu was a prominent Chinese poet ."
    assert report.documents == 3 and not report.errors


def test_wikitext_raw_form_detected_by_name_and_content(tmp_path):
    raw = WIKITEXT.replace("<unk>", "Campbell")
    (tmp_path / "wiki.test.raw").write_text(raw, encoding="utf-8")
    (tmp_path / "articles.txt").write_text(raw, encoding="utf-8")
    by_name, _ = _load(tmp_path / "wiki.test.raw")
    by_content, _ = _load(tmp_path / "articles.txt")
    assert [doc.text for doc in by_name] == [doc.text for doc in by_content]
    assert len(by_name) == 3 and by_content[0].test_set == "articles"


def test_lambada_jsonl_joins_context_and_continuation(tmp_path):
    path = tmp_path / "lambada_test.jsonl"
    lines = [json.dumps({"context": "He looked at the", "continuation": "door"}),
             "{not json",
             json.dumps({"context": "only context"}),
             "",
             json.dumps({"context": "She said\n\"hello", "continuation": " there"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, report = _load(path)
    assert [(doc.id, doc.text) for doc in docs] == [
        ("1", "He looked at the door"), ("5", "She said\n\"hello there")]
    assert docs[0].test_set == "lambada"
    assert report.errors == {"invalid_json": 1, "no_text": 1}


def test_lambada_plain_text_one_passage_per_line(tmp_path):
    path = tmp_path / "lambada_test_plain_text.txt"
    path.write_text("first passage ends here\n\nsecond passage too\n", encoding="utf-8")
    docs, _ = _load(path)
    assert [(doc.id, doc.text) for doc in docs] == [
        ("1", "first passage ends here"), ("3", "second passage too")]


def test_c4_validation_gzip_jsonl(tmp_path):
    path = tmp_path / "c4-validation.00000-of-00008.json.gz"
    records = [{"text": "Beginners BBQ class.", "url": "https://a.example/x", "timestamp": "t"},
               {"text": "No url here."},
               {"text": ""}]
    payload = "\n".join(json.dumps(record) for record in records) + "\n\xff"
    path.write_bytes(gzip.compress(payload.encode("utf-8", "surrogateescape")))
    docs, report = _load(path)
    assert [(doc.test_set, doc.id, doc.text) for doc in docs] == [
        ("c4-validation", "https://a.example/x", "Beginners BBQ class."),
        ("c4-validation", "2", "No url here.")]
    assert report.errors == {"no_text": 1, "invalid_json": 1}


def test_gzip_by_magic_bytes_and_custom_opener():
    payload = gzip.compress(b'{"text": "from an opener", "id": "k1"}\n')
    opened = []

    def opener(path):
        opened.append(path)
        return io.BytesIO(payload)

    docs = list(load_test_set("mem://evalset.jsonl", name="mine", opener=opener))
    assert docs == [TestDocument("mine", "k1", "from an opener")]
    assert opened == ["mem://evalset.jsonl"]


def test_truncated_gzip_is_counted(tmp_path):
    path = tmp_path / "c4-validation.json.gz"
    whole = gzip.compress(b"".join(b'{"text": "doc %d"}\n' % i for i in range(2000)))
    path.write_bytes(whole[: len(whole) // 2])
    docs, report = _load(path)
    assert report.errors == {"truncated_input": 1}
    assert 0 < len(docs) < 2000 and report.documents == len(docs)


def test_curation_corpus_csv(tmp_path):
    path = tmp_path / "curation-corpus-base-with-articles.csv"
    path.write_text(
        "url,headline,summary,article_content\n"
        'https://b.example/1,Head,Sum,"An article, with a comma\nand a second line."\n'
        "https://b.example/2,Head two,Summary only,\n",
        encoding="utf-8")
    docs, report = _load(path)
    assert docs == [TestDocument("curation-corpus", "https://b.example/1",
                                 "An article, with a comma\nand a second line.")]
    assert report.errors == {"no_text": 1}


def test_curation_corpus_jsonl(tmp_path):
    path = tmp_path / "curation_corpus.jsonl"
    path.write_text(json.dumps({"url": "https://c.example", "article_content": "Text."}) + "\n",
                    encoding="utf-8")
    docs, _ = _load(path)
    assert docs == [TestDocument("curation-corpus", "https://c.example", "Text.")]


def test_generic_jsonl_and_plain_text(tmp_path):
    jsonl = tmp_path / "my-eval.jsonl"
    jsonl.write_bytes(b'{"text": "one", "id": 7}\n[1, 2]\n{"text": "bad \xff utf8"}\n'
                      b'{"text": "two"}\n')
    docs, report = _load(jsonl)
    assert [(doc.test_set, doc.id, doc.text) for doc in docs] == [
        ("my-eval", "7", "one"), ("my-eval", "4", "two")]
    assert report.errors == {"not_an_object": 1, "invalid_utf8": 1}
    text = tmp_path / "held-out.txt"
    text.write_text("A whole file.\n\nIs one document.\n", encoding="utf-8")
    docs, _ = _load(text)
    assert docs == [TestDocument("held-out", "held-out.txt",
                                 "A whole file.\n\nIs one document.\n")]


def test_overlong_line_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr("massivetext.testsets.loaders.MAX_RECORD_BYTES", 64)
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps({"text": "x" * 200}) + "\n" + json.dumps({"text": "ok"}) + "\n",
                    encoding="utf-8")
    docs, report = _load(path)
    assert [doc.text for doc in docs] == ["ok"] and report.errors == {"record_too_long": 1}


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real evaluation data not found at {path}")
    return path


def test_real_wikitext2_test_split():
    docs, report = _load(_require(DATA / "wikitext-2" / "test.txt"))
    # 62 lines look like " = Title = ", but 2 of them sit inside a paragraph of the
    # "Constant k filter" article; the split has 60 articles.
    assert len(docs) == 60 and not report.errors
    assert docs[0].id == "Robert <unk>" and docs[1].id == "Du Fu"
    assert docs[-1].id == "The <unk> ( film )"
    assert len({doc.id for doc in docs}) == 60
    assert sum(len(dedup_words(doc.text)) for doc in docs) > 200_000
    assert all(" @-@ " not in doc.text for doc in docs)


def test_real_lambada():
    docs, report = _load(_require(DATA / "lambada_openai.jsonl"))
    assert len(docs) == 5153 and not report.errors
    assert docs[0].text.endswith("I don't care about signs")
    assert all(doc.test_set == "lambada" for doc in docs)
