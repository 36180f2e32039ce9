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
from massivetext.pipelines.counterparts import AttachCounterpart
from massivetext.pipelines.minhash_stages import ShingleAndSign, VerifyPairs
from massivetext.pipelines.stage_stats import count_stat, histogram_stats, key_and_count

from massivetext.dedup.lsh import DEFAULT_MIN_CANDIDATE_PROB, DEFAULT_THRESHOLD, choose_bands
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, DEFAULT_NUM_PERM, DEFAULT_SEED
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
    """Documents -> {kept, removed, stats}: one survivor per group of equal texts
    (whitespace-normalised, see :func:`exact_text_key`)."""

    def __init__(self, seed: int = DEFAULT_SURVIVOR_SEED):
        super().__init__()
        self._seed = seed

    def expand(self, documents):
        seed = self._seed
        keyed = documents | "Key by text" >> beam.Map(
            key_and_count(EXACT_STAGE, lambda d: exact_text_key(d.text)))
        groups = (keyed
                  | "Survivor node" >> beam.Map(lambda kv: (kv[0], survivor_node(kv[1].id, seed)))
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
                if clusters:  # a survivor: its text goes beside its cluster's removals
                    yield beam.pvalue.TaggedOutput("survivor", (document.id, document.text))
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
    """Documents -> {kept, removed, stats}: one survivor per cluster of documents joined
    by verified edges of 13-gram Jaccard > ``threshold`` (see the module docstring).

    Removed details: ``survivor``, ``cluster_size`` and ``similarity`` (the highest
    verified Jaccard of the document with a neighbour of its cluster), and the
    survivor's text and Jaccard (:mod:`massivetext.pipelines.counterparts`).
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD,
                 ngram_size: int = DEFAULT_NGRAM_SIZE, num_perm: int = DEFAULT_NUM_PERM,
                 min_candidate_prob: float = DEFAULT_MIN_CANDIDATE_PROB,
                 minhash_seed: int = DEFAULT_SEED, seed: int = DEFAULT_SURVIVOR_SEED,
                 all_pairs_bucket_size: int = DEFAULT_ALL_PAIRS_BUCKET_SIZE,
                 rounds: int = DEFAULT_ROUNDS):
        super().__init__()
        choose_bands(num_perm, threshold, min_candidate_prob)  # fail fast: ValueError
        self._threshold = threshold
        self._ngram_size = ngram_size
        self._num_perm = num_perm
        self._min_candidate_prob = min_candidate_prob
        self._minhash_seed = minhash_seed
        self._seed = seed
        self._all_pairs_bucket_size = all_pairs_bucket_size
        self._rounds = rounds

    def expand(self, documents):
        seed = self._seed
        keyed = documents | "Key by id" >> beam.Map(key_and_count(NEAR_STAGE, lambda d: d.id))
        signed = (
            documents
            | "Node and text" >> beam.Map(lambda d: (survivor_node(d.id, seed), d.text))
            | "Shingle and sign" >> ShingleAndSign(
                self._ngram_size, self._num_perm, self._minhash_seed, self._threshold,
                self._min_candidate_prob))
        buckets = signed["bands"] | "Group bands" >> beam.GroupByKey()
        candidates = (buckets
                      | "Bucket pairs" >> beam.FlatMap(_bucket_pairs(self._all_pairs_bucket_size))
                      | "Distinct pairs" >> beam.Distinct())
        verified = candidates | "Verify" >> VerifyPairs(
            signed["shingles"], signed["shingles"], self._threshold)
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
                        "removed", "survivor", main="kept"))
        removed = resolved.removed | "Survivor text" >> AttachCounterpart(
            resolved.survivor, lambda removal: removal.details["survivor"], "survivor")
        large_buckets = buckets | "Large" >> beam.Filter(
            _is_star_bucket(self._all_pairs_bucket_size))
        no_shingles = signed["shingles"] | "Shingleless" >> beam.Filter(lambda kv: kv[1].size == 0)
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
        return {"kept": resolved.kept, "removed": removed, "stats": stats}


class Deduplicate(beam.PTransform):
    """Documents -> {kept, removed, stats}: :class:`ExactDedup`, then :class:`NearDedup`
    on the exact-dedup survivors (Gopher Appendix A.1.1 step 5, in the paper's order)."""

    def __init__(self, seed: int = DEFAULT_SURVIVOR_SEED, **near_options):
        super().__init__()
        self._seed = seed
        self._near_options = near_options

    def expand(self, documents):
        exact = documents | "Exact" >> ExactDedup(self._seed)
        near = exact["kept"] | "Near" >> NearDedup(seed=self._seed, **self._near_options)
        return {
            "kept": near["kept"],
            "removed": (exact["removed"], near["removed"]) | "All removed" >> beam.Flatten(),
            "stats": (exact["stats"], near["stats"]) | "All stats" >> beam.Flatten(),
        }
