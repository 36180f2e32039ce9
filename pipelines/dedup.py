"""Exact and near-duplicate document removal (Gopher Appendix A.1.1 step 5; SPEC.md 1.5).

Both stages take a PCollection of :class:`Document` with unique ids and return
``{"kept": PCollection[Document], "removed": PCollection[Removed],
"stats": PCollection[(stage, key, n)]}``; the stats are summed per (stage, key).

Which member of a group survives is the one with the smallest seeded hash of its id
(:func:`survivor_node`): a pseudo-random choice, as the paper's "at random", that is the
same whatever the input order, the runner or the number of workers.

Near duplicates: per document, word 13-gram shingles and a MinHash signature; LSH band
keys (:func:`massivetext.dedup.lsh.choose_bands`: a pair at Jaccard 0.8 shares a band with
probability >= 0.99); each band bucket proposes candidate pairs; EVERY candidate pair is
verified by its exact shingle Jaccard (> 0.8, strictly: the paper says "exceeds")
through two CoGroupByKey joins with the shingle arrays (both steps in
:mod:`massivetext.pipelines.minhash_stages`, shared with test-set filtering); verified
edges are resolved into clusters by
:class:`massivetext.pipelines.components.ConnectedComponents`, and every member of a
cluster except its survivor is removed.

Buckets: a bucket of at most ``all_pairs_bucket_size`` members proposes all its pairs; a
larger one (boilerplate shared by many pages) proposes only a star, each member paired
with the bucket's survivor-order minimum, so its cost is linear. The trade-off: inside
a large bucket a pair (x, y) is verified only through the centre c. When J(x, c) and
J(y, c) both exceed the threshold, x and y still end in one cluster; when c is not
similar enough to x, the pair (x, y) is found only through another band bucket the two
share (at Jaccard 0.8 they share about 4 of the 16 bands, each with its own centre or
few enough members for all pairs), so recall drops only for pairs that live solely in
huge mixed buckets. Precision never drops: nothing joins a cluster unverified.
"""

from __future__ import annotations

import itertools

import apache_beam as beam
import xxhash
from apache_beam.metrics import Metrics
from massivetext.pipelines.components import DEFAULT_ROUNDS, ConnectedComponents
from massivetext.pipelines.minhash_stages import VerifyStoredPairs
from massivetext.pipelines.stage_stats import count_stat, histogram_stats, key_and_count

from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE
from massivetext.document import Removed

EXACT_STAGE = "exact_dedup"
NEAR_STAGE = "near_dedup"
EXACT_REASON = "exact_duplicate"
NEAR_REASON = "near_duplicate"

DEFAULT_SURVIVOR_SEED = 0  # seed of the survivor choice: our choice (paper: "at random")
# Buckets up to this size propose all pairs (<= 496); larger ones a star: our choice.
DEFAULT_ALL_PAIRS_BUCKET_SIZE = 32


def survivor_node(document_id: str, seed: int = DEFAULT_SURVIVOR_SEED) -> tuple[int, str]:
    """(seeded 63-bit hash of the id, id): the smallest node of a group survives.

    63 bits keep the rank a Beam varint; the id breaks the (unlikely) ties.
    """
    rank = xxhash.xxh64_intdigest(document_id.encode("utf-8", "surrogatepass"), seed) >> 1
    return rank, document_id


def exact_text_key(text: str) -> bytes:
    """128-bit hash of the text with whitespace runs collapsed to one space and the ends
    stripped: documents differing only in spacing or line breaks are exact duplicates,
    while case and punctuation still count (the near-duplicate stage ignores those)."""
    return xxhash.xxh3_128_digest(" ".join(text.split()).encode("utf-8", "surrogatepass"))


def _bucket_pairs(max_all_pairs: int):
    def pairs(item):
        _, members = item
        # Only a small bucket is materialised; a large one is streamed twice (GroupByKey
        # values are re-iterable), so a boilerplate bucket of millions costs no memory.
        head = list(itertools.islice(members, max_all_pairs + 1))
        if len(head) <= max_all_pairs:
            yield from itertools.combinations(sorted(head), 2)
        else:
            centre = min(members)
            for member in members:
                if member != centre:
                    yield centre, member
    return pairs


def _is_star_bucket(max_all_pairs: int):
    def is_star(item):
        return sum(1 for _ in itertools.islice(item[1], max_all_pairs + 1)) > max_all_pairs
    return is_star


class _ResolveExactGroup(beam.DoFn):
    def __init__(self):
        self._kept = Metrics.counter(f"massivetext.{EXACT_STAGE}", "kept")
        self._removed = Metrics.counter(f"massivetext.{EXACT_STAGE}", f"removed.{EXACT_REASON}")

    def process(self, item):
        _, grouped = item
        (survivor, size), = grouped["group"]
        for document in grouped["doc"]:
            if document.id == survivor[1]:
                self._kept.inc()
                yield document
            else:
                self._removed.inc()
                yield beam.pvalue.TaggedOutput("removed", Removed(
                    EXACT_STAGE, (EXACT_REASON,), document,
                    {"survivor": survivor[1], "cluster_size": str(size)}))


class _SurvivorAndSize(beam.CombineFn):
    """Per group: (smallest survivor node, number of members); combiner-lifted."""

    def create_accumulator(self):
        return None, 0

    def add_input(self, accumulator, node):
        best, size = accumulator
        return (node if best is None or node < best else best), size + 1

    def merge_accumulators(self, accumulators):
        best, total = None, 0
        for node, size in accumulators:
            if node is not None and (best is None or node < best):
                best = node
            total += size
        return best, total

    def extract_output(self, accumulator):
        return accumulator


class ExactDedup(beam.PTransform):
    """StoredDocuments -> {kept, removed, stats}: one survivor per group of equal texts
    (whitespace-normalised, see :func:`exact_text_key`; the key and the survivor node
    were computed when the text was stored)."""

    def expand(self, documents):
        keyed = documents | "Key by text" >> beam.Map(
            key_and_count(EXACT_STAGE, lambda d: d.exact_key))
        groups = (keyed
                  | "Survivor node" >> beam.Map(lambda kv: (kv[0], kv[1].node))
                  | "Survivor per text" >> beam.CombinePerKey(_SurvivorAndSize()))
        resolved = ({"doc": keyed, "group": groups}
                    | "Join documents" >> beam.CoGroupByKey()
                    | "Resolve" >> beam.ParDo(_ResolveExactGroup()).with_outputs(
                        "removed", main="kept"))
        sizes = (groups
                 | "Group size" >> beam.Map(lambda kv: kv[1][1])
                 | "Duplicated" >> beam.Filter(lambda size: size > 1))
        stats = (
            count_stat(documents, EXACT_STAGE, "docs_in", "docs in"),
            count_stat(resolved.kept, EXACT_STAGE, "kept", "kept"),
            count_stat(resolved.removed, EXACT_STAGE, f"removed.{EXACT_REASON}", "removed"),
            count_stat(sizes, EXACT_STAGE, "clusters", "clusters"),
            histogram_stats(sizes, EXACT_STAGE, "cluster_size", "sizes"),
        ) | "Stats" >> beam.Flatten()
        return {"kept": resolved.kept, "removed": resolved.removed, "stats": stats}


class _ResolveNearMember(beam.DoFn):
    def __init__(self):
        self._kept = Metrics.counter(f"massivetext.{NEAR_STAGE}", "kept")
        self._removed = Metrics.counter(f"massivetext.{NEAR_STAGE}", f"removed.{NEAR_REASON}")

    def process(self, item):
        _, grouped = item
        clusters = list(grouped["cluster"])
        for document in grouped["doc"]:
            if not clusters or clusters[0][0] == document.id:
                self._kept.inc()
                yield document
                continue
            survivor_id, size = clusters[0]
            self._removed.inc()
            yield beam.pvalue.TaggedOutput("removed", Removed(
                NEAR_STAGE, (NEAR_REASON,), document,
                {"survivor": survivor_id, "cluster_size": str(size),
                 "similarity": f"{max(grouped['similarity']):.4f}"}))


def _members_with_cluster(item):
    label, grouped = item
    (size,) = grouped["size"]
    for member_id in grouped["member"]:
        yield member_id, (label[1], size)


def _edge_similarities(edge):
    left, right, similarity = edge
    yield left[1], similarity
    yield right[1], similarity


class NearDedup(beam.PTransform):
    """StoredDocuments -> {kept, removed, stats}: one survivor per cluster of documents
    joined by verified edges of 13-gram Jaccard > ``threshold`` (see the module
    docstring); ``store`` is the document store the texts are read back from.

    Removed details: ``survivor``, ``cluster_size`` and ``similarity`` (the highest
    verified Jaccard of the document with a neighbour of its cluster).
    """

    def __init__(self, store: str, threshold: float = DEFAULT_THRESHOLD,
                 ngram_size: int = DEFAULT_NGRAM_SIZE,
                 all_pairs_bucket_size: int = DEFAULT_ALL_PAIRS_BUCKET_SIZE,
                 rounds: int = DEFAULT_ROUNDS):
        super().__init__()
        self._store = store
        self._threshold = threshold
        self._ngram_size = ngram_size
        self._all_pairs_bucket_size = all_pairs_bucket_size
        self._rounds = rounds

    def expand(self, documents):
        keyed = documents | "Key by id" >> beam.Map(key_and_count(NEAR_STAGE, lambda d: d.id))
        bands = documents | "Bands" >> beam.FlatMap(
            lambda d: [(band, d.node) for band in d.bands])
        buckets = bands | "Group bands" >> beam.GroupByKey()
        candidates = (buckets
                      | "Bucket pairs" >> beam.FlatMap(_bucket_pairs(self._all_pairs_bucket_size))
                      | "Distinct pairs" >> beam.Distinct())
        verified = candidates | "Verify" >> VerifyStoredPairs(
            self._store, self._threshold, self._ngram_size)
        components = (verified
                      | "Edge" >> beam.Map(lambda e: (e[0], e[1]))
                      | "Components" >> ConnectedComponents(self._rounds, NEAR_STAGE))
        labels = components["labels"]
        sizes = (labels
                 | "One per member" >> beam.Map(lambda node_label: (node_label[1], 1))
                 | "Cluster size" >> beam.CombinePerKey(sum))
        clusters = (
            {"member": labels | "Member id" >> beam.Map(lambda nl: (nl[1], nl[0][1])),
             "size": sizes}
            | "Join sizes" >> beam.CoGroupByKey()
            | "Member cluster" >> beam.FlatMap(_members_with_cluster))
        similarities = (verified
                        | "Edge ends" >> beam.FlatMap(_edge_similarities)
                        | "Best similarity" >> beam.CombinePerKey(max))
        resolved = ({"doc": keyed, "cluster": clusters, "similarity": similarities}
                    | "Join documents" >> beam.CoGroupByKey()
                    | "Resolve" >> beam.ParDo(_ResolveNearMember()).with_outputs(
                        "removed", main="kept"))
        large_buckets = buckets | "Large" >> beam.Filter(
            _is_star_bucket(self._all_pairs_bucket_size))
        no_shingles = documents | "Shingleless" >> beam.Filter(lambda d: not d.bands)
        stats = (
            count_stat(documents, NEAR_STAGE, "docs_in", "docs in"),
            count_stat(resolved.kept, NEAR_STAGE, "kept", "kept"),
            count_stat(resolved.removed, NEAR_STAGE, f"removed.{NEAR_REASON}", "removed"),
            count_stat(no_shingles, NEAR_STAGE, "no_shingles", "no shingles"),
            count_stat(large_buckets, NEAR_STAGE, "star_buckets", "star buckets"),
            count_stat(candidates, NEAR_STAGE, "candidate_pairs", "candidates"),
            count_stat(verified, NEAR_STAGE, "verified_edges", "verified"),
            count_stat(sizes, NEAR_STAGE, "clusters", "clusters"),
            histogram_stats(sizes | "Size" >> beam.Values(), NEAR_STAGE, "cluster_size",
                            "sizes"),
            components["stats"],
        ) | "Stats" >> beam.Flatten()
        return {"kept": resolved.kept, "removed": resolved.removed, "stats": stats}


class Deduplicate(beam.PTransform):
    """Documents -> {kept, removed, stats}: the documents stored under ``store``
    (:class:`~massivetext.pipelines.document_store.StoreDocuments`), :class:`ExactDedup`,
    then :class:`NearDedup` on the exact-dedup survivors (Gopher Appendix A.1.1 step 5,
    in the paper's order). Kept and removed records are StoredDocuments."""

    def __init__(self, store: str, seed: int = DEFAULT_SURVIVOR_SEED,
                 threshold: float = DEFAULT_THRESHOLD, **near_options):
        super().__init__()
        self._store = store
        self._seed = seed
        self._threshold = threshold
        self._near_options = near_options

    def expand(self, documents):
        from massivetext.pipelines.document_store import StoreDocuments

        stored = documents | "Store" >> StoreDocuments(
            self._store, seed=self._seed, threshold=self._threshold)
        exact = stored | "Exact" >> ExactDedup()
        near = exact["kept"] | "Near" >> NearDedup(
            self._store, self._threshold, **self._near_options)
        return {
            "kept": near["kept"],
            "removed": (exact["removed"], near["removed"]) | "All removed" >> beam.Flatten(),
            "stats": (exact["stats"], near["stats"]) | "All stats" >> beam.Flatten(),
        }
