import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq

from massivetext.document import Document, Failed
from massivetext.io.text_input import read_text_documents


def test_jsonl_lines_become_documents_and_bad_lines_named_failures(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "text": "first", "url": "http://a"}),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps(["a list"]),
        "",
        json.dumps({"text": "no id"}),
    ]) + "\n")
    outcomes = list(read_text_documents(str(path), "books"))
    assert [type(outcome) for outcome in outcomes] == [Document, Failed, Failed, Failed, Document]
    assert outcomes[0].id == "a" and outcomes[0].subset == "books"
    assert outcomes[0].url == "http://a"
    assert [(f.error, f.offset) for f in outcomes[1:4]] == [
        ("invalid_json", 2), ("missing_text", 3), ("not_an_object", 4)]
    assert outcomes[4].id == f"{path}:6"


def test_gzipped_jsonl_is_detected_by_its_bytes_and_truncation_is_a_failure(tmp_path):
    payload = "".join(json.dumps({"id": str(i), "text": "word " * 50}) + "\n"
                      for i in range(200)).encode()
    compressed = gzip.compress(payload)
    whole, broken = tmp_path / "whole.data", tmp_path / "broken.jsonl.gz"
    whole.write_bytes(compressed)
    broken.write_bytes(compressed[: len(compressed) // 2])
    assert sum(isinstance(o, Document) for o in read_text_documents(str(whole), "c4")) == 200
    outcomes = list(read_text_documents(str(broken), "c4"))
    assert isinstance(outcomes[-1], Failed) and outcomes[-1].error == "bad_gzip"
    assert all(isinstance(outcome, Document) for outcome in outcomes[:-1])


def test_parquet_rows_become_documents(tmp_path):
    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": ["x", "y"], "text": ["one", None]}), path)
    outcomes = list(read_text_documents(str(path), "wikipedia"))
    assert isinstance(outcomes[0], Document) and outcomes[0].text == "one"
    assert isinstance(outcomes[1], Failed) and outcomes[1].error == "missing_text"


def test_a_corrupt_parquet_file_is_one_failure(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 definitely not parquet")
    outcomes = list(read_text_documents(str(path), "books"))
    assert len(outcomes) == 1 and outcomes[0].error == "bad_parquet"
