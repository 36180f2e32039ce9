"""Test-set filtering against brute force: exact Jaccard and exact 13-gram overlap."""

import gzip
import json
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines.decontaminate import Decontaminate, ReadTestSets
from massivetext.pipelines.document_store import StoreDocuments
from massivetext.pipelines.options import LOCAL_RUNNER

from massivetext.dedup.evaluation import planted_corpus
from massivetext.dedup.minhash import exact_jaccard, shingle_hashes
from massivetext.document import Document
from massivetext.testsets.loaders import TestDocument

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LAMBADA = DATA / "evalsets" / "lambada_openai.jsonl"
LAMBADA_ITEMS = 5153  # lines of lambada_openai.jsonl (see shared/data/README.md)
MIN_RECALL = 0.95


def _split_corpus():
    """Test set: every first variant; training set: everything else (bases, other
    variants, unrelated documents). Similarities spread over 0.5 to 1.0."""
    corpus = planted_corpus(120, seed=4, max_variants=3)
    test = [TestDocument("planted", i, t) for i, t in corpus if i.endswith("v0")]
    train = [Document(id=i, text=t) for i, t in corpus if not i.endswith("v0")]
    return train, test


def _removed_summary(result):
    return result.removed | beam.Map(
        lambda r: (r.document.id, r.stage, r.reasons, dict(r.details)))


def _train(pipeline, documents, store):
    return pipeline | "Train" >> beam.Create(documents) | "Store" >> StoreDocuments(store)


def test_jaccard_mode_matches_brute_force(tmp_path):
    train, test = _split_corpus()
    test_hashes = {t.id: shingle_hashes(t.text) for t in test}
    best = {}
    for doc in train:
        hashes = shingle_hashes(doc.text)
        similarity, test_id = max((exact_jaccard(hashes, h), k) for k, h in test_hashes.items())
        if similarity > 0.8:
            best[doc.id] = test_id
    assert 20 < len(best) < len(train) - 20  # both outcomes are well represented

    def check(removed):
        removed_ids = {doc_id for doc_id, *_ in removed}
        assert removed_ids <= best.keys()  # precision: verified, so never a false removal
        assert len(removed_ids) >= MIN_RECALL * len(best)
        for doc_id, stage, reasons, details in removed:
            assert (stage, reasons) == ("decontaminate", ("test_set_overlap",))
            assert details["test_set"] == "planted"
            matched = exact_jaccard(shingle_hashes(_text(train, doc_id)),
                                    test_hashes[details["test_doc"]])
            assert matched > 0.8 and abs(matched - float(details["similarity"])) < 1e-4

    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        test_docs = pipeline | "Test" >> beam.Create(test)
        result = _train(pipeline, train, str(tmp_path)) | Decontaminate(
            test_docs, str(tmp_path))
        assert_that(_removed_summary(result), check)
        kept_count = result.kept | beam.combiners.Count.Globally()
        assert_that(kept_count, lambda n: n[0] + len(best) >= len(train), label="kept")


def _text(documents, doc_id):
    return next(d.text for d in documents if d.id == doc_id)


def test_ngram_overlap_mode_removes_exactly_the_docs_sharing_a_13gram(tmp_path):
    train, test = _split_corpus()
    # A training text sharing a single 13-gram with a test text, far below 0.8 Jaccard.
    one_gram = " ".join(test[0].text.split()[:13])
    train.append(Document(id="one-shared-13gram", text=f"unrelated words {one_gram} then more"))
    test_grams = set().union(*(shingle_hashes(t.text).tolist() for t in test))
    expected = sorted(d.id for d in train if test_grams & set(shingle_hashes(d.text).tolist()))
    assert "one-shared-13gram" in expected and len(expected) < len(train)
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        test_docs = pipeline | "Test" >> beam.Create(test)
        result = _train(pipeline, train, str(tmp_path)) | Decontaminate(
            test_docs, str(tmp_path), mode="ngram-overlap")
        removed = _removed_summary(result)
        assert_that(removed | beam.Map(lambda r: r[0]), equal_to(expected), label="ids")
        one = removed | beam.Filter(lambda r: r[0] == "one-shared-13gram") | beam.Map(
            lambda r: (r[3]["test_doc"], r[3]["shared_ngrams"]))
        assert_that(one, equal_to([(test[0].id, "1")]), label="details")


def test_read_test_sets_counts_bad_records(tmp_path):
    path = tmp_path / "mine.jsonl.gz"
    lines = [json.dumps({"text": "first test document", "id": "a"}), "{not json",
             json.dumps({"text": "second test document", "id": "b"})]
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        reader = ReadTestSets([str(path)])
        docs = pipeline | reader
        assert_that(docs, equal_to([TestDocument("mine", "a", "first test document"),
                                    TestDocument("mine", "b", "second test document")]))
        assert_that(reader.stats, equal_to([("decontaminate", "test_set_error.invalid_json",
                                             1)]), label="stats")


@pytest.mark.skipif(not LAMBADA.exists(), reason=f"real data absent: {LAMBADA}")
def test_real_lambada_passages_are_found_in_training_text(tmp_path):
    passages = [json.loads(line) for line in LAMBADA.read_text(encoding="utf-8").splitlines()]
    # Training pages that quote a LAMBADA passage inside other text, and one that doesn't.
    quoted = [f"{p['context']} {p['continuation']}" for p in passages[:40:4]]
    train = [Document(id=f"quote{i}", text=f"Chapter one. {q} The end.")
             for i, q in enumerate(quoted)]
    train.append(Document(id="original", text="A page of original prose " * 20))
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        test_docs = pipeline | ReadTestSets([str(LAMBADA)])
        assert_that(test_docs | beam.combiners.Count.Globally(), equal_to([LAMBADA_ITEMS]),
                    label="count")
        result = _train(pipeline, train, str(tmp_path)) | Decontaminate(
            test_docs, str(tmp_path))
        removed_ids = result.removed | beam.Map(lambda r: r.document.id)
        assert_that(removed_ids, equal_to([d.id for d in train[:-1]]), label="removed")


def test_unknown_mode_is_rejected():
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline, pytest.raises(ValueError):
        Decontaminate(pipeline | beam.Create([]), "store", mode="substring")


def test_ngram_overlap_mode_finds_short_test_items_with_gpt3s_n_per_test_set(tmp_path):
    # issue 9, item 17: 13-grams never match a QA item of 5 to 12 words.
    import random

    from massivetext.sample.text import EnglishGrammar
    from massivetext.testsets.ngram_size import item_ngram_size, word_count

    rng = random.Random(17)
    grammar = EnglishGrammar(rng)

    def words(count):
        text = []
        while len(text) < count:
            text += grammar.sentence().rstrip(".").split()
        return " ".join(text[:count])

    # A QA-like set whose 5th percentile is 10 words: n = 10, the 8-word item is matched
    # whole, the 5-word one (below the floor of 8) not at all. Long passages keep n = 13.
    lengths = [5, 8] + [10] * 3 + [rng.randint(10, 16) for _ in range(55)]
    qa = [TestDocument("qa", f"q{i}", words(length)) for i, length in enumerate(lengths)]
    passages = [TestDocument("passages", f"p{i}", words(40)) for i in range(10)]
    train = [Document(id=f"doc{i:03d}", text=grammar.article(300).plain_text())
             for i in range(80)]
    planted = qa + passages[:3]
    for i, item in enumerate(planted):
        sentences = train[i].text.split(". ")
        sentences.insert(len(sentences) // 2, item.text)
        train[i] = Document(id=train[i].id, text=". ".join(sentences))
    n_by_set = {"qa": 10, "passages": 13}

    def shares(document):  # brute force, item by item
        for item in qa + passages:
            size = item_ngram_size(word_count(item.text), n_by_set[item.test_set])
            if size is not None and set(shingle_hashes(item.text, size).tolist()) & set(
                    shingle_hashes(document.text, size).tolist()):
                return True
        return False

    expected = sorted(document.id for document in train if shares(document))
    hosts = {train[i].id for i, item in enumerate(planted) if word_count(item.text) >= 8}
    assert len(hosts) == 62 and hosts <= set(expected)  # all but the 5-word item's host

    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        test_docs = pipeline | "Test" >> beam.Create(qa + passages)
        store = str(tmp_path / "store")
        result = _train(pipeline, train, store) | Decontaminate(
            test_docs, store, mode="ngram-overlap")
        removed = _removed_summary(result) | beam.Map(lambda r: r[0])
        assert_that(removed, equal_to(expected), label="ids")
        sizes = result.stats | beam.Filter(lambda t: t[1].startswith(
            ("ngram_size.", "test_items_")))
        assert_that(sizes, equal_to([
            ("decontaminate", "ngram_size.qa", 10),
            ("decontaminate", "test_items_whole_sequence.qa", 1),
            ("decontaminate", "test_items_too_short.qa", 1),
            ("decontaminate", "ngram_size.passages", 13),
            ("decontaminate", "test_items_whole_sequence.passages", 0),
            ("decontaminate", "test_items_too_short.passages", 0)]), label="sizes")
