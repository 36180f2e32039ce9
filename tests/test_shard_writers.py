"""Every output format: the same rows back, the same bytes for the same input, atomic files."""

import gzip
import io
import json

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from massivetext.pipelines.document_store import StoredDocument, StoreDocuments, store_keys
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.options import LOCAL_RUNNER
from massivetext.pipelines.sinks import WriteShards, write_shard_file

from massivetext.document import Document
from massivetext.io.shard_reader import open_shard
from massivetext.io.shard_writers import SHARD_WRITERS, shard_writer, write_shard
from massivetext.io.shards import documents_to_table, shard_schema
from massivetext.io.spill import write_spill

SIGNALS = ("word_count", "dup_line_frac")
SCHEMA = shard_schema(SIGNALS)
FORMATS = sorted(SHARD_WRITERS)


def _documents(count=2500):  # more than two batches / row groups
    return [Document(id=f"doc-{i:05d}", text=f"text {i} – ünïcode " * (i % 7 + 1),
                     url=f"https://example.com/{i}", offset=i,
                     signals={"word_count": float(i)} if i % 3 else {"dup_line_frac": 0.25})
            for i in range(count)]


def read_back(output_format: str, data: bytes) -> pa.Table:
    """A shard's rows, read with the ordinary tool of each format."""
    if output_format == "arrow":
        return pa.ipc.open_file(pa.BufferReader(data)).read_all()
    if output_format == "parquet":
        return pq.read_table(pa.BufferReader(data))
    rows = [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines()]
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _bytes(output_format, documents):
    sink = io.BytesIO()
    rows = write_shard(documents, SCHEMA, sink, shard_writer(output_format))
    assert rows == len(documents)
    return sink.getvalue()


@pytest.mark.parametrize("output_format", FORMATS)
def test_round_trip_gives_every_row_sorted_by_id_with_nulls_kept(output_format):
    documents = _documents()
    data = _bytes(output_format, list(reversed(documents)))
    table = read_back(output_format, data)
    assert table.schema.equals(SCHEMA)
    assert table.equals(documents_to_table(documents, SCHEMA))
    missing = sum("dup_line_frac" not in document.signals for document in documents)
    assert table.column("dup_line_frac").null_count == missing > 0


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_same_documents_in_any_order_give_identical_bytes(output_format):
    documents = _documents(300)
    assert _bytes(output_format, documents) == _bytes(output_format, documents[::-1])
    assert read_back(output_format, _bytes(output_format, [])).num_rows == 0


@pytest.mark.parametrize("output_format", ["arrow", "parquet"])
def test_training_reads_the_shards_back(output_format, tmp_path):
    documents = _documents(50)
    path = tmp_path / f"part-00000-of-00001{shard_writer(output_format).suffix}"
    path.write_bytes(_bytes(output_format, documents))
    reader = open_shard(str(path))
    assert [doc_id for doc_id, _ in reader.iter_texts()] == [d.id for d in documents]


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_shard_appears_complete_or_not_at_all(output_format, tmp_path):
    writer = shard_writer(output_format)
    store, output = tmp_path / "store", tmp_path / "output"
    store.mkdir()
    output.mkdir()
    stored = [StoredDocument((0, document.id, "spill.arrow"), document.num_bytes, row)
              for row, document in enumerate(sorted(_documents(10), key=lambda d: d.id))]
    with open(store / "spill.arrow", "wb") as file:
        write_spill(_documents(10), file)
    store_keys(str(store), "spill.arrow", stored, [b""] * 10, [b""] * 10)
    entries = [("spill.arrow", {0, 1, 2}), ("spill.arrow", set(range(3, 10)))]
    entry = write_shard_file((0, [*entries, None]), 2, str(output), str(store), SCHEMA, writer)
    assert entry == {"name": f"part-00000-of-00002{writer.suffix}", "rows": 10,
                     "text_bytes": sum(d.num_bytes for d in _documents(10))}
    assert [p.name for p in output.iterdir()] == [entry["name"]]
    # A lone surrogate cannot be written as UTF-8 in any format: the write fails
    # half way, and neither the shard nor its temporary file is left behind.
    broken = [*_documents(10), Document(id="zz", text="bad \ud800 text")]
    with pytest.raises((UnicodeEncodeError, pa.ArrowException)):
        write_atomically(str(output / "part-00001-of-00002"),
                         lambda file: write_shard(broken, SCHEMA, file, writer))
    assert [p.name for p in output.iterdir()] == [entry["name"]]


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="arrow, parquet, jsonl.gz"):
        shard_writer("csv")


@pytest.mark.parametrize("output_format", ["parquet", "jsonl.gz"])
def test_the_pipeline_writes_every_format_with_its_manifest(output_format, tmp_path):
    documents = _documents(40)
    store = str(tmp_path / "_store")
    with beam.Pipeline(runner=LOCAL_RUNNER) as pipeline:
        _ = (pipeline | beam.Create(documents) | StoreDocuments(store)
             | WriteShards(str(tmp_path), store, SIGNALS, {"seed": 0}, num_shards=3,
                           output_format=output_format))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    writer = shard_writer(output_format)
    assert manifest["format"] == writer.manifest_format and manifest["rows"] == 40
    names = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("manifest.json", "_store"))
    assert names == [shard["name"] for shard in manifest["shards"]]
    assert all(name.endswith(writer.suffix) for name in names)
    ids = [doc_id for name in names
           for doc_id in read_back(output_format, (tmp_path / name).read_bytes())["id"].to_pylist()]
    assert sorted(ids) == [d.id for d in documents]
