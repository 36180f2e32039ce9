"""Test-set filtering (Gopher Appendix A.1.1 step 6; docs/paper.md,
"Test-set filtering").

:class:`ReadTestSets` reads evaluation-set files
(:func:`massivetext.testsets.loaders.load_test_set`) into a PCollection of
:class:`TestDocument`; :class:`Decontaminate` removes training
documents that overlap them, in one of two modes:

- ``"jaccard"`` (the paper's rule, the default): a training document is removed when its
  13-gram Jaccard similarity with any test document exceeds 0.8. Candidates come from a
  CoGroupByKey of training and test documents' LSH band keys by band partition (a pair
  at 0.8 shares a band with probability >= 0.99; the training side's band keys were
  computed when its documents were stored, :mod:`massivetext.pipelines.document_store`;
  both sides' travel in compact batches, :mod:`massivetext.pipelines.band_buckets`), and every
  candidate is verified by exact Jaccard, both texts read back from the document store:
  the test document's, grouped by its spill file, then the training document's, grouped
  by its own.
- ``"ngram-overlap"`` (the stricter rule of later work, e.g. GPT-3 and Llama): a training
  document is removed when it shares any n-gram with a test document, found by a
  CoGroupByKey on shingle hashes (the training texts read back from the store file by
  file). n is GPT-3's, per test set: min(13, the 5th
  percentile of its items' word counts), at least 8; shorter items are matched whole
  or, below 8 words, not at all (:mod:`massivetext.testsets.ngram_size`; the stats
  report ``ngram_size.<test set>`` and how many items were matched whole or not at all).
  Training documents are shingled once per size in use. An n-gram common to many
  training documents is a hot key, but each of them contributes only its own id, and
  the test side is reduced to its smallest document key while streaming, so no group is
  ever materialised.

Both joins are shuffles, never side inputs, so neither side has to fit in one worker.
The test documents are written to the document store as they are read
(:mod:`massivetext.pipelines.test_store`): after that only test refs (test set, id,
spill file) travel. In a run with near dedup, both stages share one band grouping and
one resolution join (:mod:`massivetext.pipelines.global_stages`).
Removed details: ``test_set``, ``test_doc`` and ``similarity`` (jaccard mode) or
``shared_ngrams`` (ngram-overlap mode: how many of the document's 13-grams occur in a
test document; ``test_doc`` is the test document credited with the most of them); the
test document is the removal's counterpart, its text read back for the removals a run
writes out (:mod:`massivetext.pipelines.counterparts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import apache_beam as beam
import numpy as np
from massivetext.pipelines.accounting import stage_output
from massivetext.pipelines.band_buckets import (
    BatchTestBands,
    GroupBands,
    ResolveRefs,
    test_crossings,
)
from massivetext.pipelines.document_store import ReadBack
from massivetext.pipelines.join_check import CountedCoGroupByKey, CountedGroupByKey
from massivetext.pipelines.minhash_stages import pack_text, packed_shingles
from massivetext.pipelines.resolution import ResolveDocuments, StageVerdict
from massivetext.pipelines.stage_stats import count_stat, zero_stats
from massivetext.pipelines.stages import open_uncompressed
from massivetext.pipelines.test_store import StoreTestDocuments, stored_test_id

from massivetext.dedup.lsh import (
    DEFAULT_MIN_CANDIDATE_PROB,
    DEFAULT_THRESHOLD,
    BandSigner,
)
from massivetext.dedup.minhash import (
    DEFAULT_NGRAM_SIZE,
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    exact_jaccard,
    shingle_hashes,
)
from massivetext.document import Removed
from massivetext.testsets.loaders import TestSetLoadReport, load_test_set
from massivetext.testsets.ngram_size import item_ngram_size, ngram_size_for, word_count

STAGE = "decontaminate"
REASON = "test_set_overlap"
JACCARD_MODE = "jaccard"  # Gopher Appendix A.1.1 step 6
NGRAM_MODE = "ngram-overlap"  # GPT-3 (Brown et al. 2020, App. C), Llama: any shared 13-gram
MODES = (JACCARD_MODE, NGRAM_MODE)
DEFAULT_MODE = JACCARD_MODE


class _LoadTestSet(beam.DoFn):
    def process(self, path: str):
        report = TestSetLoadReport()
        yield from load_test_set(path, opener=open_uncompressed, report=report)
        for error, count in report.errors.items():
            yield beam.pvalue.TaggedOutput("stats", (STAGE, f"test_set_error.{error}", count))


class ReadTestSets(beam.PTransform):
    """Pipeline root -> PCollection[TestDocument] of every test-set file in ``paths``.

    Bad records are skipped and counted by error name: once the transform is applied,
    ``self.stats`` is a PCollection of ``("decontaminate", "test_set_error.<error>", n)``
    (the decontamination stage's statistics). A missing file fails the run.
    """

    def __init__(self, paths: Sequence[str]):
        super().__init__()
        if isinstance(paths, str):
            raise TypeError("paths must be a sequence of paths, not one string")
        self._paths = list(paths)
        self.stats = None

    def expand(self, root):
        loaded = (root
                  | "Paths" >> beam.Create(self._paths)
                  | "Load" >> beam.ParDo(_LoadTestSet()).with_outputs("stats", main="docs"))
        self.stats = loaded.stats
        # Not reshuffled: test sets are small next to the training data, and their text
        # would be the largest shuffle of a small run.
        return loaded.docs


def _first_test_ref(item):
    """A shingle hash -> (train key, smallest test ref) for every training document."""
    _, grouped = item
    test_ref = min(grouped["test"], default=None)
    if test_ref is not None:
        for train_key in grouped["train"]:
            yield train_key, test_ref


def _keys(hashes: np.ndarray, key) -> list[tuple[int, object]]:
    # 63 bits so the key is a Beam varint; the same shift on both sides.
    return [(int(h), key) for h in (hashes >> np.uint64(1)).tolist()]


def _test_ngram_keys(item, n_by_set: dict[str, int]):
    """A (test ref, test item) -> (hash, test ref) per n-gram of its test set's n (all its
    words when shorter, none below the floor: massivetext.testsets.ngram_size)."""
    test_ref, document = item
    size = item_ngram_size(word_count(document.text), n_by_set[document.test_set])
    if size is None:
        return []
    return _keys(shingle_hashes(document.text, size), test_ref)


def _train_ngram_keys(document, refs, sizes: list[int]):
    """A training document read back with its ref ``refs[0]`` (spill file, row) ->
    (hash, ref) per distinct n-gram of every size in use (a ref is shorter than an id,
    and there is one element per n-gram)."""
    if not sizes:
        return []
    # A document shorter than a size gives its whole-text shingle for each: unique them.
    hashes = np.unique(np.concatenate([shingle_hashes(document.text, size) for size in sizes]))
    return _keys(hashes, refs[0])


def _ngram_size_stats(item):
    name, size = item
    return [(STAGE, f"ngram_size.{name}", size.n),
            (STAGE, f"test_items_whole_sequence.{name}", size.whole_sequence_items),
            (STAGE, f"test_items_too_short.{name}", size.unmatched_items)]


def _attach_test_text(document, candidates):
    """A stored test document and its candidates -> (train file, (train id, (train file,
    test ref, packed test text))) per candidate."""
    packed = pack_text(document.text)
    for train_node, test_ref in candidates:
        yield train_node[2], (train_node[1], (train_node[2], test_ref, packed))


def _verify_train(ngram_size: int, threshold: float):
    def verify(document, tests):
        shingles = shingle_hashes(document.text, ngram_size)
        for train_file, test_ref, test_text in tests:
            similarity = exact_jaccard(shingles, packed_shingles(test_text, ngram_size))
            if similarity > threshold:  # "exceeds": strictly greater
                yield (train_file, document.id), test_ref, similarity
    return verify


class _SharedCount(beam.CombineFn):
    """(shared n-grams, test ref) values -> (total shared, test ref with the most)."""

    def create_accumulator(self):
        return 0, None

    def add_input(self, accumulator, value):
        return self.merge_accumulators([accumulator, (value[0], value)])

    def merge_accumulators(self, accumulators):
        total, best = 0, None
        for count, candidate in accumulators:
            total += count
            if candidate is not None and (best is None or candidate > best):
                best = candidate
        return total, best

    def extract_output(self, accumulator):
        total, (_, test_ref) = accumulator
        return total, test_ref


def _removal(document, match, detail_name: str) -> Removed:
    value, (test_set, test_doc, spill_file) = match
    detail = f"{value:.4f}" if isinstance(value, float) else str(value)
    # The test document's text is read back only if this removal is written out.
    return Removed(STAGE, (REASON,), document,
                   {"test_set": test_set, "test_doc": test_doc, detail_name: detail},
                   counterpart=("test", spill_file, stored_test_id(test_set, test_doc)))


def _judge_jaccard(document, grouped):
    """A document and its candidate pairs and verified matches -> (its removal, for the
    most similar test document, or None; its candidate pairs and verified matches)."""
    candidates = sum(1 for _ in grouped["decontam_candidate"])
    matches = list(grouped["decontam_match"])
    stats = [(STAGE, key, n) for key, n in (
        ("candidate_pairs", candidates), ("verified_matches", len(matches))) if n]
    return (_removal(document, max(matches), "similarity") if matches else None), stats


def _judge_ngram(document, grouped):
    """A document and its (shared n-grams, test document with the most) -> (its removal
    or None, its shared n-grams)."""
    matches = list(grouped["decontam_match"])  # at most one: combined per document
    if not matches:
        return None, ()
    return _removal(document, matches[0], "shared_ngrams"), [
        (STAGE, "shared_ngrams", matches[0][0])]


JUDGED_FACTS = {JACCARD_MODE: ("candidate_pairs", "verified_matches"),
                NGRAM_MODE: ("shared_ngrams",)}


class _TestOverlapFacts(beam.PTransform):
    """{"documents": StoredDocuments, and in jaccard mode "partitions" (their GroupBands
    partitions with the test band keys)} -> {"decontam_match": per verified match
    ((file, id), (similarity, test ref)) in jaccard mode, ((file, row), (shared n-grams,
    test ref)) once per document in ngram-overlap mode; in jaccard mode
    "decontam_candidate": ((file, id), None) per candidate pair; "stats": the stage's
    own facts}."""

    def __init__(self, decontaminate: Decontaminate):
        super().__init__()
        self._stage = decontaminate

    def expand(self, inputs):
        stage, documents = self._stage, inputs["documents"]
        facts = (self._jaccard(inputs) if stage.mode == JACCARD_MODE
                 else self._ngram(documents))
        facts["stats"] = (
            zero_stats(documents, STAGE, ("test_docs", *JUDGED_FACTS[stage.mode])),
            count_stat(stage.test_docs, STAGE, "test_docs", "test docs"),
            *([facts["stats"]] if "stats" in facts else []),
        ) | "Stats" >> beam.Flatten()
        return facts

    def _jaccard(self, inputs):
        stage = self._stage
        candidates = (inputs["partitions"]
                      | "Cross" >> beam.FlatMap(test_crossings)
                      | "Distinct pairs" >> beam.Distinct()
                      | "Train nodes" >> ResolveRefs(stage.store)
                      | "Test first" >> beam.Map(lambda pair: (pair[1], pair[0]))
                      | "Test refs" >> ResolveRefs(stage.store)
                      | "Train first" >> beam.Map(lambda pair: (pair[1], pair[0])))
        verified = (
            candidates
            | "By test file" >> beam.Map(lambda pair: (pair[1][2], (
                stored_test_id(*pair[1][:2]), pair)))
            | "Test texts" >> ReadBack(stage.store, _attach_test_text)
            | "Verify" >> ReadBack(stage.store, _verify_train(stage.ngram_size,
                                                               stage.threshold)))
        return {
            "decontam_candidate": candidates | "Candidate" >> beam.Map(
                lambda pair: ((pair[0][2], pair[0][1]), None)),
            "decontam_match": verified | "Match" >> beam.Map(lambda e: (e[0], (e[2], e[1])))}

    def _ngram(self, documents):
        # Per test set, n = min(13, 5th percentile of its items' word counts), floor 8.
        stage = self._stage
        ceiling = stage.ngram_size
        sizes = (stage.test_docs
                 | "Item words" >> beam.Map(lambda d: (d.test_set, word_count(d.text)))
                 | "By test set" >> CountedGroupByKey()
                 | "N per test set" >> beam.MapTuple(lambda name, counts: (
                     name, ngram_size_for(counts, ceiling=ceiling))))
        n_by_set = beam.pvalue.AsDict(sizes | "N" >> beam.MapTuple(lambda name, size: (
            name, size.n)))
        test = (stage.test_docs
                | "Store test" >> StoreTestDocuments(stage.store)
                | "Test n-grams" >> beam.FlatMap(_test_ngram_keys, n_by_set=n_by_set))
        sizes_in_use = (stage.test_docs
                        | "Item sizes" >> beam.Map(lambda d, n: item_ngram_size(
                            word_count(d.text), n[d.test_set]), n=n_by_set)
                        | "Matched items" >> beam.Filter(lambda size: size is not None)
                        | "Distinct sizes" >> beam.Distinct())
        sizes_view = beam.pvalue.AsList(sizes_in_use)
        train = (documents
                 | "By file" >> beam.Map(lambda d: (d.file, (d.id, (d.file, d.row))))
                 | "Train n-grams" >> ReadBack(stage.store, _train_ngram_keys, sizes_view))
        matches = ({"train": train, "test": test}
                   | "Join n-grams" >> CountedCoGroupByKey()
                   | "Shared" >> beam.FlatMap(_first_test_ref)
                   | "Per test doc" >> beam.combiners.Count.PerElement()
                   | "By train doc" >> beam.Map(lambda kv: (kv[0][0], (kv[1], kv[0][1])))
                   | "Most shared" >> beam.CombinePerKey(_SharedCount()))
        return {"decontam_match": matches,
                "stats": sizes | "N stats" >> beam.FlatMap(_ngram_size_stats)}


class _TestOverlapOutput(beam.PTransform):
    """The decontamination part of :class:`ResolveDocuments`' output and the stage's
    facts -> its StageOutput."""

    def expand(self, resolved):
        stats = (resolved["facts"], resolved["stats"]) | "Stats" >> beam.Flatten()
        return stage_output(resolved["kept"], removed=resolved["removed"], stats=stats)


class Decontaminate(beam.PTransform):
    """Training StoredDocuments -> StageOutput, against ``test_docs``
    (a PCollection[TestDocument] of the same pipeline); see the module docstring. The
    training texts are read back from the document store ``store`` (only those in a
    candidate pair in jaccard mode); the MinHash parameters must be the store's.

    Its parts serve :class:`massivetext.pipelines.global_stages.DedupAndDecontaminate`
    too: :meth:`sign_test` (whose band keys join the band partitions shared with near
    dedup), :meth:`facts`, :meth:`verdict` and :meth:`output`.
    """

    def __init__(self, test_docs, store: str, mode: str = DEFAULT_MODE,
                 threshold: float = DEFAULT_THRESHOLD, ngram_size: int = DEFAULT_NGRAM_SIZE,
                 num_perm: int = DEFAULT_NUM_PERM,
                 min_candidate_prob: float = DEFAULT_MIN_CANDIDATE_PROB,
                 minhash_seed: int = DEFAULT_SEED):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self._signer = BandSigner.for_threshold(  # fail fast: ValueError
            ngram_size, num_perm, minhash_seed, threshold, min_candidate_prob)
        self.test_docs = test_docs
        self.store = store
        self.mode = mode
        self.threshold = threshold
        self.ngram_size = ngram_size

    @property
    def uses_bands(self) -> bool:
        return self.mode == JACCARD_MODE

    def sign_test(self) -> beam.PTransform:
        """PCollection[TestDocument] -> their band keys in packed batches
        (:class:`~massivetext.pipelines.band_buckets.BatchTestBands`), each test document
        stored (:mod:`massivetext.pipelines.test_store`) and signed in one step."""
        return (StoreTestDocuments(self.store)
                | "Sign" >> BatchTestBands(self.store, self._signer))

    def facts(self) -> beam.PTransform:
        return _TestOverlapFacts(self)

    def verdict(self, facts) -> StageVerdict:
        judge = _judge_jaccard if self.mode == JACCARD_MODE else _judge_ngram
        return StageVerdict(STAGE, {tag: pcoll for tag, pcoll in facts.items()
                                    if tag != "stats"}, judge)

    def output(self) -> beam.PTransform:
        """{"kept", "removed", "stats", "facts"} -> StageOutput (:class:`_TestOverlapOutput`)."""
        return _TestOverlapOutput()

    def expand(self, documents):
        inputs = {"documents": documents}
        if self.uses_bands:
            test_bands = self.test_docs | "Sign test" >> self.sign_test()
            inputs["partitions"] = ({"train": documents, "test": test_bands}
                                    | "Bands" >> GroupBands(self.store))
        facts = inputs | "Facts" >> self.facts()
        resolved = documents | "Resolve" >> ResolveDocuments(self.store, [self.verdict(facts)])
        return dict(resolved[STAGE], facts=facts["stats"]) | "Output" >> self.output()
