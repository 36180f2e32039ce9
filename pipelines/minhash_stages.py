"""MinHash stages of near-dedup (:mod:`massivetext.pipelines.dedup`) and test-set filtering
(:mod:`massivetext.pipelines.decontaminate`): per-text shingling and LSH band keys
(:class:`ShingleAndSign`, for the test documents; training documents get theirs when
they are stored), and exact Jaccard verification of candidate pairs of stored documents
(:class:`VerifyStoredPairs`).
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam

from massivetext.dedup.lsh import DEFAULT_THRESHOLD, BandSigner, choose_bands
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, exact_jaccard, shingle_hashes


class _ShingleAndSign(beam.DoFn):
    def __init__(self, signer: BandSigner):
        self._signer = signer

    def process(self, item):
        key, text = item
        hashes = self._signer.shingles(text)
        yield beam.pvalue.TaggedOutput("shingles", (key, hashes))
        for band_key in self._signer.band_keys(hashes):
            yield band_key, key


class ShingleAndSign(beam.PTransform):
    """PCollection[(key, text)] -> {"bands": (band_key, key) per LSH band,
    "shingles": (key, sorted unique uint64 shingle hashes)}.

    Texts without shingles (no words) get no band keys: their Jaccard with anything is 0.
    """

    def __init__(self, ngram_size: int, num_perm: int, minhash_seed: int,
                 threshold: float, min_candidate_prob: float):
        super().__init__()
        bands, rows = choose_bands(num_perm, threshold, min_candidate_prob)
        self._sign = _ShingleAndSign(BandSigner(ngram_size, num_perm, minhash_seed, bands, rows))

    def expand(self, keyed_texts):
        outputs = (keyed_texts
                   | beam.ParDo(self._sign).with_output_types(tuple[Any, Any]).with_outputs(
                       "shingles", main="bands"))
        return {"bands": outputs.bands, "shingles": outputs.shingles}


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
