"""Reading curated output back: shard readers (Arrow IPC, Parquet), document sources
across shards, mixture files."""

import json

import grain
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from massivetext.data.documents import DocumentSource
from massivetext.data.mixture import TABLE2_WEIGHTS, Mixture
from massivetext.document import Document
from massivetext.io.shard_reader import CuratedSubset, find_subsets, open_shard
from massivetext.io.shard_writers import write_shard
from massivetext.io.shards import shard_name, shard_schema

TEXTS = ["plain text", "", "ünïcödé ☃ 日本語 😀", "two\nlines\n", "x" * 5000]


def write_subset(directory, texts, shards=2, suffix=".arrow", name="books"):
    """A curated subset directory as the pipeline writes it: shards plus manifest."""
    directory.mkdir(parents=True)
    schema = shard_schema(())
    documents = [Document(id=f"doc-{index:03d}", text=text, subset=name)
                 for index, text in enumerate(texts)]
    entries = []
    for index in range(shards):
        chosen = documents[index::shards]
        file_name = shard_name(index, shards).replace(".arrow", suffix)
        if suffix == ".arrow":
            with open(directory / file_name, "wb") as file:
                write_shard(chosen, schema, file)
        else:
            table = pa.table({"id": [d.id for d in chosen], "text": [d.text for d in chosen]})
            pq.write_table(table, directory / file_name, row_group_size=2)
        entries.append({"name": file_name, "rows": len(chosen),
                        "text_bytes": sum(len(d.text.encode()) for d in chosen)})
    manifest = {"format": suffix.lstrip("."), "rows": len(texts), "shards": entries,
                "text_bytes": sum(entry["text_bytes"] for entry in entries),
                "parameters": {"subset": name}}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory


def expected_order(texts, shards):
    """Documents in shard order: shard 0's rows (sorted by id), then shard 1's..."""
    return [text for index in range(shards) for text in texts[index::shards]]


@pytest.mark.parametrize("suffix", [".arrow", ".parquet"])
def test_document_source_reads_every_document_across_shards(tmp_path, suffix):
    texts = TEXTS * 3
    subset = CuratedSubset.open(str(write_subset(tmp_path / "books", texts, 3, suffix)))
    source = DocumentSource(subset)
    assert len(source) == len(texts)
    ordered = expected_order(texts, 3)
    for index in reversed(range(len(source))):  # random access, not only in order
        assert source.text_bytes(index).tobytes().decode() == ordered[index]
        assert source[index]["text"] == ordered[index]
    with pytest.raises(IndexError):
        source.text_bytes(len(texts))


def test_document_source_is_a_grain_data_source(tmp_path):
    subset = CuratedSubset.open(str(write_subset(tmp_path / "books", TEXTS, 2)))
    dataset = grain.MapDataset.source(DocumentSource(subset))
    assert [dataset[i]["text"] for i in range(len(dataset))] == expected_order(TEXTS, 2)


def test_shards_stream_in_order_and_unknown_formats_are_refused(tmp_path):
    directory = write_subset(tmp_path / "books", TEXTS, 1)
    reader = open_shard(str(directory / shard_name(0, 1)))
    assert [text for _, text in reader.iter_texts()] == TEXTS
    assert reader.document_id(2) == "doc-002"
    with pytest.raises(ValueError, match="no reader"):
        open_shard(str(tmp_path / "part-00000-of-00001.jsonl.gz"))


def test_a_shard_that_disagrees_with_its_manifest_is_an_error(tmp_path):
    directory = write_subset(tmp_path / "books", TEXTS, 1)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["shards"][0]["rows"] += 1
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="manifest says"):
        DocumentSource(CuratedSubset.open(str(directory))).text_bytes(0)


def test_find_subsets_takes_a_run_or_a_subset_directory(tmp_path):
    write_subset(tmp_path / "run" / "books", TEXTS)
    write_subset(tmp_path / "run" / "news", TEXTS, name="news")
    assert [subset.name for subset in find_subsets(str(tmp_path / "run"))] == ["books", "news"]
    assert [subset.name for subset in find_subsets(str(tmp_path / "run" / "news"))] == ["news"]
    with pytest.raises(FileNotFoundError, match="manifest.json"):
        find_subsets(str(tmp_path / "missing"))


def test_mixture_files_in_toml_and_json_default_to_table_2(tmp_path):
    write_subset(tmp_path / "run" / "books", TEXTS)
    write_subset(tmp_path / "run" / "news", TEXTS, name="news")
    (tmp_path / "mix.toml").write_text(
        '[subsets.books]\npath = "run"\n[subsets.news]\npath = "run/news"\nweight = 30\n')
    (tmp_path / "mix.json").write_text(json.dumps(
        {"subsets": {"books": {"path": "run"}, "news": {"path": "run/news", "weight": 30}}}))
    for name in ("mix.toml", "mix.json"):
        mixture = Mixture.load(str(tmp_path / name))
        assert mixture.names == ["books", "news"]
        assert [entry.weight for entry in mixture.subsets] == [TABLE2_WEIGHTS["books"], 30]
        assert mixture.probabilities == pytest.approx([27 / 57, 30 / 57])
        assert "renormalised over books, news" in mixture.describe()


def test_a_mixture_subset_that_is_missing_or_unweighted_is_a_clear_error(tmp_path):
    write_subset(tmp_path / "run" / "books", TEXTS)
    (tmp_path / "missing.toml").write_text('[subsets.c4]\npath = "run"\n')
    with pytest.raises(FileNotFoundError, match="'c4'.*holds only books"):
        Mixture.load(str(tmp_path / "missing.toml"))
    with pytest.raises(ValueError, match="no weight"):
        Mixture.from_paths({"forum": str(tmp_path / "run" / "books")})
    with pytest.raises(FileNotFoundError, match="'news'"):
        Mixture.from_paths({"news": str(tmp_path / "nowhere")})
