"""MinHash stages shared by near-dedup (:mod:`massivetext.pipelines.dedup`) and test-set filtering
(:mod:`massivetext.pipelines.decontaminate`): per-text shingling and LSH band keys
(:class:`ShingleAndSign`), and exact Jaccard verification of candidate pairs
(:class:`VerifyPairs`).
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam

from massivetext.dedup.lsh import DEFAULT_THRESHOLD, band_keys, choose_bands
from massivetext.dedup.minhash import MinHasher, exact_jaccard, shingle_hashes


class _ShingleAndSign(beam.DoFn):
    def __init__(self, ngram_size: int, num_perm: int, minhash_seed: int,
                 bands: int, rows: int):
        self._ngram_size = ngram_size
        self._num_perm = num_perm
        self._minhash_seed = minhash_seed
        self._bands = bands
        self._rows = rows

    def setup(self):
        self._hasher = MinHasher(self._num_perm, self._minhash_seed)

    def process(self, item):
        key, text = item
        hashes = shingle_hashes(text, self._ngram_size)
        yield beam.pvalue.TaggedOutput("shingles", (key, hashes))
        if hashes.size:
            signature = self._hasher.signature(hashes)
            for band_key in band_keys(signature, self._bands, self._rows):
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
        self._sign = _ShingleAndSign(ngram_size, num_perm, minhash_seed, bands, rows)

    def expand(self, keyed_texts):
        outputs = (keyed_texts
                   | beam.ParDo(self._sign).with_output_types(tuple[Any, Any]).with_outputs(
                       "shingles", main="bands"))
        return {"bands": outputs.bands, "shingles": outputs.shingles}


def _attach_left(item):
    _, grouped = item
    # Every key has its shingles (ShingleAndSign emits them for every document).
    for shingles in grouped["shingles"]:
        for left, right in grouped["pair"]:
            yield right, (left, right, shingles)


def _verify(threshold: float):
    def verify(item):
        _, grouped = item
        for shingles in grouped["shingles"]:
            for left, right, left_shingles in grouped["pair"]:
                similarity = exact_jaccard(left_shingles, shingles)
                if similarity > threshold:  # "exceeds": strictly greater
                    yield left, right, similarity
    return verify


class VerifyPairs(beam.PTransform):
    """PCollection[(left_key, right_key)] -> PCollection[(left_key, right_key, jaccard)]
    of the pairs whose exact shingle Jaccard exceeds ``threshold``.

    The shingle arrays come from two keyed PCollections, joined in with two
    CoGroupByKeys (left then right), so no worker holds more than one key's pairs.
    """

    def __init__(self, left_shingles, right_shingles, threshold: float = DEFAULT_THRESHOLD):
        super().__init__()
        self._left = left_shingles
        self._right = right_shingles
        self._threshold = threshold

    def expand(self, pairs):
        with_left = (
            {"pair": pairs | "By left" >> beam.Map(lambda p: (p[0], p)), "shingles": self._left}
            | "Join left" >> beam.CoGroupByKey()
            | "Attach left" >> beam.FlatMap(_attach_left))
        return ({"pair": with_left, "shingles": self._right}
                | "Join right" >> beam.CoGroupByKey()
                | "Verify" >> beam.FlatMap(_verify(self._threshold)))
