"""Near dedup and test-set filtering resolved in one join give what running them one
after the other gives: the same removals, details, kept documents and statistics."""

from collections import Counter

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that
from massivetext.pipelines.accounting import StageStatistics
from massivetext.pipelines.decontaminate import Decontaminate
from massivetext.pipelines.dedup import NearDedup
from massivetext.pipelines.document_store import StoreDocuments
from massivetext.pipelines.global_stages import DedupAndDecontaminate
from massivetext.pipelines.options import LOCAL_RUNNER

from massivetext.dedup.evaluation import planted_corpus
from massivetext.dedup.minhash import exact_jaccard, shingle_hashes
from massivetext.document import Document
from massivetext.testsets.loaders import TestDocument


def _corpus():
    """Training: near-duplicate families (bases and variants) and unrelated documents;
    test set: one variant of each family, so many training documents are both near
    duplicates of each other and overlap the test set."""
    corpus = planted_corpus(80, seed=11, max_variants=3)
    test = [TestDocument("planted", i, t) for i, t in corpus if i.endswith("v0")]
    train = [Document(id=i, text=t) for i, t in corpus if not i.endswith("v0")]
    return train, test


def _outcomes(name, output, stage):
    removed = output.removed | f"{name} removed" >> beam.Map(
        lambda r: ("removed", r.document.id, r.stage,
                   tuple(sorted((k, v) for k, v in r.details.items()))))
    kept = output.kept | f"{name} kept" >> beam.Map(lambda d: ("kept", d.id))
    stats = (output | f"{name} stats" >> StageStatistics(stage)
             | f"{name} key" >> beam.Map(lambda t: ((t[0], t[1]), t[2]))
             | f"{name} sum" >> beam.CombinePerKey(sum)
             | f"{name} tag" >> beam.Map(lambda kv: ("stat", *kv)))
    return (removed, kept, stats) | f"{name} all" >> beam.Flatten()


def test_one_resolution_join_equals_the_stages_in_sequence(tmp_path):
    train, test = _corpus()
    test_hashes = [shingle_hashes(t.text) for t in test]
    overlapping = {d.id for d in train
                   if max(exact_jaccard(shingle_hashes(d.text), h) for h in test_hashes) > 0.8}
    store = str(tmp_path)
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        test_docs = pipeline | "Test" >> beam.Create(test)
        stored = (pipeline | "Train" >> beam.Create(train)
                  | "Store" >> StoreDocuments(store))
        joined = stored | "Joined" >> DedupAndDecontaminate(
            store, NearDedup(store), Decontaminate(test_docs, store))
        near = stored | "Near" >> NearDedup(store)
        clean = near.kept | "Decontaminate" >> Decontaminate(test_docs, store)
        expected = ((_outcomes("near", near, "near_dedup"),
                     _outcomes("clean", clean, "decontaminate"))
                    | "Expected" >> beam.Flatten())
        actual = ((_outcomes("joined near", joined["near_dedup"], "near_dedup"),
                   _outcomes("joined clean", joined["decontaminate"], "decontaminate"))
                  | "Actual" >> beam.Flatten())

        def exercises_precedence(outcomes):
            near_removed = {o[1] for o in outcomes if o[0] == "removed" and o[2] == "near_dedup"}
            decontaminated = {o[1] for o in outcomes
                              if o[0] == "removed" and o[2] == "decontaminate"}
            # Near duplicates that overlap the test set are removed by near dedup only.
            assert near_removed & overlapping and decontaminated
            assert not near_removed & decontaminated
            counts = Counter(o[0] for o in outcomes)
            assert counts["kept"] and counts["stat"]

        assert_that(expected, exercises_precedence, label="fixture")
        both = ((expected | "As expected" >> beam.Map(lambda o: ("expected", o)),
                 actual | "As actual" >> beam.Map(lambda o: ("actual", o)))
                | "Both" >> beam.Flatten())

        def same(tagged):
            sides = {"expected": [], "actual": []}
            for side, outcome in tagged:
                sides[side].append(outcome)
            assert sorted(sides["actual"]) == sorted(sides["expected"])

        assert_that(both, same, label="same")
