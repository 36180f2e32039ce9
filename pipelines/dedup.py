"""Exact and near-duplicate document removal (Gopher Appendix A.1.1 step 5; docs/paper.md,
"Document deduplication").

Both stages take a PCollection of
:class:`~massivetext.pipelines.document_store.StoredDocument` with unique ids (the
documents' texts are in the document store; only these compact records are grouped)
and return a
:class:`~massivetext.pipelines.accounting.StageOutput` whose ``stats`` are the stage's
facts (clusters and their sizes; for near duplicates also candidate pairs, verified
edges, star buckets, convergence).

Which member of a group survives is :mod:`massivetext.dedup.survivors`' choice: the
smallest seeded hash of its id. Exact groups share :func:`~massivetext.dedup.exact.exact_text_key`.

Near duplicates: per document (when it is stored), word 13-gram shingles and a MinHash
signature; LSH band keys (:func:`massivetext.dedup.lsh.choose_bands`: a pair at Jaccard
0.8 shares a band with probability >= 0.99), grouped in compact batches
(:mod:`massivetext.pipelines.band_buckets`); each band bucket proposes candidate pairs
(:mod:`massivetext.dedup.buckets`: all pairs, or a star for a large bucket); EVERY
candidate pair is verified by its exact shingle Jaccard (> 0.8, strictly: the paper
says "exceeds"), both texts read back from the store
(:class:`massivetext.pipelines.minhash_stages.VerifyStoredPairs`); verified
edges are resolved into clusters by
:class:`massivetext.pipelines.components.ConnectedComponents`, and every member of a
cluster except its survivor is removed. Nothing joins a cluster unverified.
"""

from __future__ import annotations

import apache_beam as beam
from massivetext.pipelines.accounting import stage_output
from massivetext.pipelines.band_buckets import (
    GroupBands,
    ResolvePairs,
    StarPairs,
    partition_pairs,
)
from massivetext.pipelines.components import DEFAULT_ROUNDS, ConnectedComponents
from massivetext.pipelines.exact_groups import ExactGroups, NameSurvivors, PackExactKeys
from massivetext.pipelines.file_tables import FileMembers, JudgeFiles
from massivetext.pipelines.join_check import CountedGroupByKey
from massivetext.pipelines.minhash_stages import VerifyStoredPairs
from massivetext.pipelines.resolution import ResolveDocuments, StageVerdict
from massivetext.pipelines.stage_stats import count_stat, histogram_stats, zero_stats

from massivetext.dedup.buckets import DEFAULT_ALL_PAIRS_BUCKET_SIZE
from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE
from massivetext.dedup.survivors import removal_details
from massivetext.document import Removed

EXACT_STAGE = "exact_dedup"
NEAR_STAGE = "near_dedup"
EXACT_REASON = "exact_duplicate"
NEAR_REASON = "near_duplicate"


def _judge_exact(documents, facts):
    """A spill file's members and the removal notices of its rows -> the survivors
    (main) and a Removed per duplicate."""
    removed = {row: (survivor, size) for row, survivor, size in facts["exact"]}
    for document in documents:
        if document.row in removed:
            survivor, size = removed[document.row]
            yield beam.pvalue.TaggedOutput("removed", Removed(
                EXACT_STAGE, (EXACT_REASON,), document, removal_details(survivor, size)))
        else:
            yield document


class ExactDedup(beam.PTransform):
    """StoredDocuments -> StageOutput: one survivor per group of equal texts
    (whitespace-normalised, see :func:`~massivetext.dedup.exact.exact_text_key`; the key
    and the survivor rank were computed when the text was stored); ``store`` is the
    document store.

    Only packed keys are grouped (:mod:`massivetext.pipelines.exact_groups`), and each
    spill file's documents are judged from its key table
    (:mod:`massivetext.pipelines.file_tables`).

    Removed details: ``survivor`` and ``cluster_size``; stats: ``clusters`` and
    ``cluster_size=<bucket>``.
    """

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, documents):
        groups = (documents
                  | "Pack keys" >> PackExactKeys(self._store)
                  | "Group keys" >> CountedGroupByKey()
                  | "Groups" >> beam.ParDo(ExactGroups()).with_outputs("size", main="notices"))
        notices = groups.notices | "Name survivors" >> NameSurvivors(self._store)
        resolved = ({"members": documents | "Members" >> FileMembers(), "exact": notices}
                    | "Judge" >> JudgeFiles(self._store, _judge_exact, outputs=("removed",)))
        sizes = groups.size
        stats = (
            zero_stats(documents, EXACT_STAGE, ("clusters",)),
            count_stat(sizes, EXACT_STAGE, "clusters", "clusters"),
            histogram_stats(sizes, EXACT_STAGE, "sizes"),
        ) | "Stats" >> beam.Flatten()
        return stage_output(resolved.main, removed=resolved.removed, stats=stats)


def _judge_near(document, grouped):
    """A document and its near-dedup facts -> (its removal or None, no stats)."""
    clusters = list(grouped["near_cluster"])
    if not clusters or clusters[0][0] == document.id:
        return None, ()
    survivor_id, size, survivor_file = clusters[0]
    similarity = max(grouped["near_similarity"])
    details = removal_details(survivor_id, size, similarity=f"{similarity:.4f}")
    # The survivor's text is read back only if this removal is written out.
    return Removed(NEAR_STAGE, (NEAR_REASON,), document, details,
                   counterpart=("survivor", survivor_file, survivor_id)), ()


def _edge_similarities(edge):
    left, right, similarity = edge
    yield (left[2], left[1]), similarity
    yield (right[2], right[1]), similarity


NEAR_FACTS = ("no_shingles", "star_buckets", "candidate_pairs", "verified_edges", "clusters")


class _NearFacts(beam.PTransform):
    """{"documents": StoredDocuments, "partitions": their GroupBands partitions} ->
    {"near_cluster": ((file, id), (survivor id, cluster size, survivor file)) per member
    of a cluster, "near_similarity": ((file, id), Jaccard) per end of a verified edge, "stats": the
    stage's own facts}."""

    def __init__(self, near: NearDedup):
        super().__init__()
        self._near = near

    def expand(self, inputs):
        near, documents = self._near, inputs["documents"]
        buckets = inputs["partitions"] | "Bucket pairs" >> beam.FlatMap(
            partition_pairs, near.all_pairs_bucket_size).with_outputs("star", main="pairs")
        stars = buckets.star | "Stars" >> StarPairs(near.store)
        candidates = ((buckets.pairs, stars["pairs"])
                      | "All pairs" >> beam.Flatten()
                      | "Distinct pairs" >> beam.Distinct()
                      | "Nodes" >> ResolvePairs(near.store))
        verified = candidates | "Verify" >> VerifyStoredPairs(
            near.store, near.threshold, near.ngram_size)
        components = (verified
                      | "Edge" >> beam.Map(lambda e: (e[0], e[1]))
                      | "Components" >> ConnectedComponents(near.rounds, NEAR_STAGE))
        sizes = components["sizes"]
        clusters = components["clusters"] | "Member cluster" >> beam.MapTuple(
            lambda node, cluster: ((node[2], node[1]), (cluster[0][1], cluster[1], cluster[0][2])))
        no_shingles = documents | "Shingleless" >> beam.Filter(lambda d: not d.banded)
        stats = (
            zero_stats(documents, NEAR_STAGE, NEAR_FACTS),
            count_stat(no_shingles, NEAR_STAGE, "no_shingles", "no shingles"),
            count_stat(stars["buckets"], NEAR_STAGE, "star_buckets", "star buckets"),
            count_stat(candidates, NEAR_STAGE, "candidate_pairs", "candidates"),
            count_stat(verified, NEAR_STAGE, "verified_edges", "verified"),
            count_stat(sizes, NEAR_STAGE, "clusters", "clusters"),
            histogram_stats(sizes | "Size" >> beam.Values(), NEAR_STAGE, "sizes"),
            components["stats"],
        ) | "Stats" >> beam.Flatten()
        similarities = verified | "Edge ends" >> beam.FlatMap(_edge_similarities)
        return {"near_cluster": clusters, "near_similarity": similarities, "stats": stats}


class _NearOutput(beam.PTransform):
    """The near-dedup part of :class:`ResolveDocuments`' output ("kept", "removed",
    "stats") and the stage's "facts" -> its StageOutput."""

    def expand(self, resolved):
        stats = (resolved["facts"], resolved["stats"]) | "Stats" >> beam.Flatten()
        return stage_output(resolved["kept"], removed=resolved["removed"], stats=stats)


class NearDedup(beam.PTransform):
    """StoredDocuments -> StageOutput: one survivor per cluster of documents joined by
    verified edges of 13-gram Jaccard > ``threshold`` (see the module docstring);
    ``store`` is the document store the texts are read back from.

    Removed details: ``survivor``, ``cluster_size`` and ``similarity`` (the highest
    verified Jaccard of the document with a neighbour of its cluster); the survivor is
    the removal's counterpart, its text read back from the store for the removals a run
    writes out (:mod:`massivetext.pipelines.counterparts`).

    Its parts serve :class:`massivetext.pipelines.global_stages.DedupAndDecontaminate`
    too: :meth:`facts` (from the band partitions shared with test-set filtering),
    :meth:`verdict` and :meth:`output`.
    """

    def __init__(self, store: str, threshold: float = DEFAULT_THRESHOLD,
                 ngram_size: int = DEFAULT_NGRAM_SIZE,
                 all_pairs_bucket_size: int = DEFAULT_ALL_PAIRS_BUCKET_SIZE,
                 rounds: int = DEFAULT_ROUNDS):
        super().__init__()
        self.store = store
        self.threshold = threshold
        self.ngram_size = ngram_size
        self.all_pairs_bucket_size = all_pairs_bucket_size
        self.rounds = rounds

    def facts(self) -> beam.PTransform:
        """{"documents", "partitions"} -> the stage's facts and stats (:class:`_NearFacts`)."""
        return _NearFacts(self)

    @staticmethod
    def verdict(facts) -> StageVerdict:
        return StageVerdict(NEAR_STAGE, {tag: facts[tag] for tag in (
            "near_cluster", "near_similarity")}, _judge_near)

    def output(self) -> beam.PTransform:
        """{"kept", "removed", "facts"} -> StageOutput (:class:`_NearOutput`)."""
        return _NearOutput()

    def expand(self, documents):
        partitions = {"train": documents} | "Bands" >> GroupBands(self.store)
        facts = {"documents": documents, "partitions": partitions} | "Facts" >> self.facts()
        resolved = documents | "Resolve" >> ResolveDocuments(self.store, [self.verdict(facts)])
        return dict(resolved[NEAR_STAGE], facts=facts["stats"]) | "Output" >> self.output()
