"""The document store: texts written once, compact records handed on, read back exactly."""

import io

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines.document_store import (
    BAND_KEY_BYTES,
    DOCUMENTS_PER_FILE,
    ReadBack,
    RemoveStore,
    RestoreRemoved,
    StoredDocument,
    StoreDocuments,
    StoreRemoved,
    read_key_column,
    read_keys,
    read_stored,
)
from massivetext.pipelines.options import LOCAL_RUNNER

from massivetext.dedup.exact import exact_text_key
from massivetext.dedup.minhash import shingle_hashes
from massivetext.dedup.survivors import survivor_node
from massivetext.document import Document, Removed
from massivetext.io.spill import read_spilled, read_spilled_rows, write_spill

WORDS = "the quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat".split()


def _document(number: int) -> Document:
    text = " ".join(WORDS[number % 7:] + [f"word{number}"] * (number % 3))
    return Document(id=f"doc-{number:05d}", text=text, url=f"https://example.com/{number}",
                    source="crawl.warc.gz", offset=number * 100,
                    metadata={"title": f"Title {number} – ü"} if number % 2 else {},
                    signals={"word_count": len(text.split()), "alpha_token_frac": 0.5})


def test_a_spilled_document_reads_back_as_written():
    documents = [_document(n) for n in range(2500)]
    documents.append(Document(id="no-signals", text=""))
    buffer = io.BytesIO()
    assert write_spill(reversed(documents), buffer) == len(documents)
    buffer.seek(0)
    everything = list(read_spilled(buffer))
    assert everything == sorted(documents, key=lambda d: d.id)
    assert isinstance(everything[0].signals["word_count"], int)  # ints stay ints
    buffer.seek(0)
    wanted = {"doc-00003", "doc-02400", "no-signals", "absent"}
    assert [d.id for d in read_spilled(buffer, wanted)] == ["doc-00003", "doc-02400",
                                                            "no-signals"]
    # By row number: the rows are the documents in id order, across record batches.
    buffer.seek(0)
    rows = [2500, 3, 64, 63, 1000]
    assert list(read_spilled_rows(buffer, rows)) == [everything[row] for row in sorted(rows)]


def test_key_tables_carry_the_keys_and_read_back_gives_the_texts(tmp_path):
    store = str(tmp_path / "store")
    documents = [_document(n) for n in range(DOCUMENTS_PER_FILE + 10)]
    documents.append(Document(id="empty", text="   "))

    def check(stored):
        assert sorted(s.id for s in stored) == sorted(d.id for d in documents)
        by_id = {d.id: d for d in documents}
        files = {s.file for s in stored}
        assert len(files) >= 2  # more documents than one file holds
        for record in stored:
            document = by_id[record.id]
            assert isinstance(record, StoredDocument)
            assert record.node[:2] == survivor_node(document.id, 7)
            assert record.num_bytes == document.num_bytes
            # The keys are in the file's key table, at the document's row.
            exact_key = read_key_column(store, record.file, "exact_key")[record.row]
            band_bytes = read_key_column(store, record.file, "band_bytes")[record.row]
            assert exact_key == exact_text_key(document.text)
            shingled = shingle_hashes(document.text).size > 0
            assert len(band_bytes) == (16 * BAND_KEY_BYTES if shingled else 0)
            assert record.banded == shingled
        for name in files:
            ids = [s.id for s in stored if s.file == name]
            assert read_stored(store, name, ids) == sorted(
                (by_id[i] for i in ids), key=lambda d: d.id)
            # The key table holds the same records, a row per document in id order.
            assert read_keys(store, name) == sorted(
                (s for s in stored if s.file == name), key=lambda s: s.row)
            assert [s.id for s in read_keys(store, name)] == sorted(ids)

    def first_words(document, payloads):
        for payload in payloads:
            yield payload, document.text.split()[0]

    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        stored = pipeline | beam.Create(documents) | StoreDocuments(store, seed=7)
        assert_that(stored, check, label="stored")
        asked = (stored
                 | beam.Filter(lambda s: s.id in ("doc-00001", "doc-00008"))
                 | beam.Map(lambda s: (s.file, (s.id, f"asked {s.id}")))
                 | ReadBack(store, first_words))
        assert_that(asked, equal_to([("asked doc-00001", "quick"),
                                     ("asked doc-00008", "quick")]), label="read back")


def test_removed_records_are_restored_and_the_store_removed_at_the_end(tmp_path):
    store = tmp_path / "store"
    documents = [_document(n) for n in range(5)]
    filtered = Removed("quality", ("word_count_low",), Document(
        id="whole", text="short", signals={"word_count": 1}))
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        stored = pipeline | beam.Create(documents) | StoreDocuments(str(store))
        removed = stored | beam.Filter(lambda s: s.id == "doc-00002") | beam.Map(
            lambda s: Removed("exact_dedup", ("exact_duplicate",), s, {"survivor": "x"}))
        compact = ((removed, pipeline | "Whole" >> beam.Create([filtered]))
                   | beam.Flatten() | StoreRemoved(str(store)))
        assert_that(compact | beam.Map(lambda r: type(r.document).__name__),
                    equal_to(["StoredDocument"] * 2), label="compact")
        restored = compact | RestoreRemoved(str(store))
        assert_that(restored, equal_to([
            Removed("exact_dedup", ("exact_duplicate",), documents[2], {"survivor": "x"}),
            filtered]))
        _ = restored | RemoveStore(str(store))
    assert not store.exists()
