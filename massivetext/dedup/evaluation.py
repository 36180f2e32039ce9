"""Brute-force ground truth for near-duplicate removal, and how a removal set scores.

The truth is the exact 13-gram Jaccard similarity of *every* pair of documents (the
same shingles as the pipeline: :func:`massivetext.dedup.minhash.shingle_hashes`), computed at
once as a sparse product: with M the binary document x shingle matrix, (M M^T)[a, b]
is |A & B| and |A | B| = |A| + |B| - |A & B|. Only pairs sharing a shingle are stored,
so a few thousand documents take well under a second.

Scores of a set of removed documents against the pairs whose Jaccard exceeds the
threshold (the "true pairs"):

- **recall**: the fraction of true pairs that are resolved, i.e. not both of their
  documents kept;
- **precision**: the fraction of removed documents that have at least one true partner
  (any document, kept or removed, with Jaccard above the threshold). A document removed
  without any such partner is a false removal;
- **ideal removals**: documents minus clusters of the true-pair graph, the number a
  perfect transitive dedup removes (for comparison with the number removed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, shingle_hashes


@dataclass(frozen=True)
class SimilarPairs:
    """All document pairs (indices a < b) with exact Jaccard above a threshold."""

    ids: tuple[str, ...]
    left: np.ndarray  # (P,) int64 document index
    right: np.ndarray  # (P,) int64 document index, right > left
    jaccard: np.ndarray  # (P,) float64


@dataclass(frozen=True)
class RemovalScore:
    true_pairs: int
    resolved_pairs: int
    removed: int
    falsely_removed: int
    ideal_removals: int

    @property
    def recall(self) -> float:
        return self.resolved_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def precision(self) -> float:
        return 1.0 - self.falsely_removed / self.removed if self.removed else 1.0


def shingle_matrix(texts: Sequence[str], ngram_size: int = DEFAULT_NGRAM_SIZE
                   ) -> sparse.csr_matrix:
    """Binary CSR matrix, documents x distinct shingles."""
    per_doc = [shingle_hashes(text, ngram_size) for text in texts]
    lengths = np.array([h.size for h in per_doc], dtype=np.int64)
    all_hashes = np.concatenate(per_doc) if per_doc else np.empty(0, np.uint64)
    columns = np.unique(all_hashes, return_inverse=True)[1].astype(np.int64)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    data = np.ones(all_hashes.size, dtype=np.int32)
    width = int(columns.max()) + 1 if columns.size else 0
    return sparse.csr_matrix((data, columns, indptr), shape=(len(texts), width))


def similar_pairs(ids: Sequence[str], texts: Sequence[str],
                  threshold: float = DEFAULT_THRESHOLD,
                  ngram_size: int = DEFAULT_NGRAM_SIZE) -> SimilarPairs:
    """Every pair with exact shingle Jaccard strictly above ``threshold``."""
    if len(ids) != len(texts) or len(set(ids)) != len(ids):
        raise ValueError("ids must be unique and as many as texts")
    matrix = shingle_matrix(texts, ngram_size)
    sizes = np.asarray(matrix.sum(axis=1)).ravel().astype(np.float64)
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()  # (a, b, |A & B|) with a < b
    union = sizes[shared.row] + sizes[shared.col] - shared.data
    jaccard = shared.data / union
    above = jaccard > threshold
    return SimilarPairs(tuple(ids), shared.row[above].astype(np.int64),
                        shared.col[above].astype(np.int64), jaccard[above])


def score_removals(truth: SimilarPairs, removed_ids: Iterable[str]) -> RemovalScore:
    """Recall, precision and ideal removals of a removal set (see the module docstring)."""
    index = {doc_id: i for i, doc_id in enumerate(truth.ids)}
    removed = np.zeros(len(truth.ids), dtype=bool)
    for doc_id in removed_ids:
        if doc_id not in index:
            raise ValueError(f"removed id {doc_id!r} is not among the documents")
        removed[index[doc_id]] = True
    has_partner = np.zeros(len(truth.ids), dtype=bool)
    has_partner[truth.left] = True
    has_partner[truth.right] = True
    graph = sparse.coo_matrix((np.ones(truth.left.size), (truth.left, truth.right)),
                              shape=(len(truth.ids),) * 2)
    clusters = csgraph.connected_components(graph, directed=False)[0]
    return RemovalScore(
        true_pairs=int(truth.left.size),
        resolved_pairs=int(np.count_nonzero(removed[truth.left] | removed[truth.right])),
        removed=int(removed.sum()),
        falsely_removed=int(np.count_nonzero(removed & ~has_partner)),
        ideal_removals=len(truth.ids) - int(clusters),
    )


def _words(rng: np.random.Generator, vocabulary: np.ndarray, count: int) -> list[str]:
    return list(vocabulary[rng.integers(0, vocabulary.size, count)])


def planted_corpus(num_bases: int, seed: int = 0, words_per_doc: int = 200,
                   max_variants: int = 3, vocabulary_size: int = 50_000,
                   ngram_size: int = DEFAULT_NGRAM_SIZE) -> list[tuple[str, str]]:
    """(id, text) pairs: random-word base documents, each with 0 to ``max_variants``
    variants aimed at a Jaccard similarity drawn uniformly from [0.5, 1.0].

    A variant replaces a segment of k words (at the end or inside) of the base or of the
    previous variant (so some clusters are chains); replacing k words changes
    k + ngram_size - 1 shingles each way, so the Jaccard with the source is about
    (L - k - 2(n-1)) / (L + k) for L words and n-grams, solved here for k. The realised
    similarities are whatever brute force measures; the aim only spreads them out.
    """
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocabulary = np.array(["".join(rng.choice(letters, rng.integers(3, 10)))
                           for _ in range(vocabulary_size)])
    documents = []
    span = ngram_size - 1
    for base in range(num_bases):
        words = _words(rng, vocabulary, words_per_doc)
        documents.append((f"doc{base}", " ".join(words)))
        for variant in range(int(rng.integers(0, max_variants + 1))):
            target = rng.uniform(0.5, 1.0)
            changed = max(0, round((words_per_doc * (1 - target) - 2 * span) / (1 + target)))
            start = (words_per_doc - changed if rng.random() < 0.5
                     else int(rng.integers(0, words_per_doc - changed + 1)))
            words = words[:start] + _words(rng, vocabulary, changed) + words[start + changed:]
            documents.append((f"doc{base}v{variant}", " ".join(words)))
    return documents
