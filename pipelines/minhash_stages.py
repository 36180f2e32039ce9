"""Exact Jaccard verification of near dedup's candidate pairs of stored documents
(:class:`VerifyStoredPairs`, :mod:`massivetext.pipelines.dedup`); the documents'
shingles and LSH band keys are computed when they are stored
(:mod:`massivetext.pipelines.document_store`, :mod:`massivetext.pipelines.test_store`).
"""

from __future__ import annotations

import apache_beam as beam

from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, exact_jaccard, shingle_hashes


def _left_shingles(ngram_size: int):
    def attach(document, pairs):
        shingles = shingle_hashes(document.text, ngram_size)
        for left, right in pairs:
            yield right[2], (right[1], (left, right, shingles))
    return attach


def _verify_right(ngram_size: int, threshold: float):
    def verify(document, payloads):
        shingles = shingle_hashes(document.text, ngram_size)
        for left, right, left_shingles in payloads:
            similarity = exact_jaccard(left_shingles, shingles)
            if similarity > threshold:  # "exceeds": strictly greater
                yield left, right, similarity
    return verify


class VerifyStoredPairs(beam.PTransform):
    """PCollection[(left_node, right_node)] of stored documents' nodes (rank, id, spill
    file) -> PCollection[(left_node, right_node, jaccard)] of the pairs whose exact
    shingle Jaccard exceeds ``threshold``.

    Both texts are read back from the document store
    (:class:`massivetext.pipelines.document_store.ReadBack`): the pairs are grouped by
    the left document's file, which attaches its shingle hashes, then by the right
    document's file, which verifies them; so only documents in a candidate pair have
    their shingles moved, and only once per pair.
    """

    def __init__(self, directory: str, threshold: float = DEFAULT_THRESHOLD,
                 ngram_size: int = DEFAULT_NGRAM_SIZE):
        super().__init__()
        self._directory = directory
        self._threshold = threshold
        self._ngram_size = ngram_size

    def expand(self, pairs):
        from massivetext.pipelines.document_store import ReadBack

        return (pairs
                | "By left file" >> beam.Map(lambda pair: (pair[0][2], (pair[0][1], pair)))
                | "Left shingles" >> ReadBack(self._directory, _left_shingles(self._ngram_size))
                | "Verify right" >> ReadBack(
                    self._directory, _verify_right(self._ngram_size, self._threshold)))
