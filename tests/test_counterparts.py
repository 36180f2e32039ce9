"""Counterparts by reference: test documents stored when read, counterpart texts read
back from the store only for the removals a run writes out."""

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines.counterparts import MAX_COUNTERPART_CHARS, ResolveCounterparts
from massivetext.pipelines.document_store import ReadBack, StoredDocument, read_stored
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.options import LOCAL_RUNNER
from massivetext.pipelines.test_store import StoreTestDocuments, stored_test_id

from massivetext.document import Document, Removed
from massivetext.io.spill import write_spill
from massivetext.testsets.loaders import TestDocument

SURVIVOR = " ".join(f"word{n}" for n in range(40))
LONG = "x" * (MAX_COUNTERPART_CHARS + 5)


def _store_with(tmp_path, documents) -> tuple[str, str]:
    store, name = str(tmp_path / "store"), "bundle-00000.arrow"
    write_atomically(f"{store}/{name}", lambda file: write_spill(documents, file))
    return store, name


def _counter(run, namespace: str, name: str) -> int:
    return sum(counter.committed for counter in run.metrics().query(
        MetricsFilter().with_namespace(namespace).with_name(name))["counters"])


def _assert_resolved(removals, store, expected, missing: int = 0):
    """Run ResolveCounterparts; expected: id -> (counterpart, details) after it;
    ``missing``: the counterparts it counts as absent from the store."""
    pipeline = TestPipeline(runner=LOCAL_RUNNER)
    resolved = (pipeline | beam.Create(removals) | ResolveCounterparts(store)
                | beam.Map(lambda r: (r.document.id, (r.counterpart, r.details))))
    assert_that(resolved, equal_to(list(expected.items())))
    run = pipeline.run()
    run.wait_until_finish()
    assert _counter(run, "massivetext.counterparts", "missing") == missing


def test_a_named_counterpart_has_its_text_read_into_the_details(tmp_path):
    store, name = _store_with(tmp_path, [Document("s1", SURVIVOR), Document("big", LONG)])
    stored = StoredDocument((0, "r1", name), 10)
    removals = [
        Removed("near_dedup", ("near_duplicate",), stored, {"survivor": "s1"},
                counterpart=("survivor", name, "s1")),
        # A removed document at hand gets the Jaccard of the two texts too.
        Removed("near_dedup", ("near_duplicate",), Document("r2", SURVIVOR), {},
                counterpart=("survivor", name, "s1")),
        Removed("decontaminate", ("test_set_overlap",), stored._replace(node=(0, "r3", name)),
                {}, counterpart=("test", name, "big")),
        Removed("exact_dedup", ("exact_duplicate",), stored._replace(node=(0, "r4", name)),
                {"survivor": "s0"}),
    ]
    _assert_resolved(removals, store, {
        "r1": (None, {"survivor": "s1", "survivor_text": SURVIVOR}),
        "r2": (None, {"survivor_text": SURVIVOR, "survivor_jaccard": "1.0000"}),
        "r3": (None, {"test_text": LONG[:MAX_COUNTERPART_CHARS], "test_chars": str(len(LONG))}),
        "r4": (None, {"survivor": "s0"}),  # no counterpart: unchanged
    })


def test_a_counterpart_missing_from_the_store_leaves_the_removal_without_its_text(tmp_path):
    store, name = _store_with(tmp_path, [Document("s1", SURVIVOR)])
    removal = Removed("near_dedup", ("near_duplicate",), StoredDocument((0, "r1", name), 1),
                      {"survivor": "gone"}, counterpart=("survivor", name, "gone"))
    _assert_resolved([removal], store, {"r1": (None, {"survivor": "gone"})}, missing=1)


def test_ids_a_spill_file_does_not_hold_are_counted_by_read_back(tmp_path):
    store, name = _store_with(tmp_path, [Document("s1", SURVIVOR)])
    pipeline = TestPipeline(runner=LOCAL_RUNNER)
    texts = (pipeline | beam.Create([(name, ("s1", 1)), (name, ("gone", 2))])
             | ReadBack(store, lambda document, payloads: [(document.id, sorted(payloads))]))
    assert_that(texts, equal_to([("s1", [1])]))
    run = pipeline.run()
    run.wait_until_finish()
    assert _counter(run, "massivetext.document_store", "missing_documents") == 1


def test_test_documents_are_stored_once_and_handed_on_with_their_refs(tmp_path):
    store = str(tmp_path / "store")
    tests = [TestDocument("wikitext", f"Article {n}", f"text of article {n}") for n in range(5)]
    tests.append(TestDocument("lambada", "Article 1", "a different test set, the same id"))

    def check(items):
        refs = sorted(ref for ref, _ in items)
        assert [ref[:2] for ref in refs] == sorted((t.test_set, t.id) for t in tests)
        for ref, test in items:
            assert ref[:2] == (test.test_set, test.id)
            [stored] = read_stored(store, ref[2], [stored_test_id(*ref[:2])])
            assert stored.text == test.text

    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        stored = pipeline | beam.Create(tests) | StoreTestDocuments(store)
        assert_that(stored | beam.combiners.ToList(), lambda lists: check(lists[0]))
        assert_that(stored | beam.Map(lambda item: item[1]), equal_to(tests), label="as read")
