"""Exact Jaccard verification of near dedup's candidate pairs of stored documents
(:class:`VerifyStoredPairs`, :mod:`massivetext.pipelines.dedup`); the documents'
shingles and LSH band keys are computed when they are stored
(:mod:`massivetext.pipelines.document_store`, :mod:`massivetext.pipelines.test_store`).
"""

from __future__ import annotations

import functools
import zlib

import apache_beam as beam

from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, exact_jaccard, shingle_hashes

# Our choice: zlib's fastest level already packs web text about 3x; a text travels to
# verification at a quarter of its shingle hashes' bytes (8 per word).
TEXT_COMPRESSION_LEVEL = 1


def pack_text(text: str) -> bytes:
    """A text as it travels to the other side of a candidate pair: compressed UTF-8."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), TEXT_COMPRESSION_LEVEL)


# A text travels once per candidate pair, so one document in many pairs (a star's
# centre, a test item many pages copy) reaches a verifier many times: the shingles of
# the last SHINGLED_TEXTS_KEPT texts of at most CACHED_PACKED_BYTES (about 100 KB of
# web text, 16,000 words) are kept, read-only, instead of recomputed per pair: at most
# about 10 MB.
SHINGLED_TEXTS_KEPT = 64
CACHED_PACKED_BYTES = 32 * 1024


def _packed_shingles(packed: bytes, ngram_size: int):
    shingles = shingle_hashes(zlib.decompress(packed).decode("utf-8", "surrogatepass"),
                              ngram_size)
    shingles.setflags(write=False)
    return shingles


_cached_shingles = functools.lru_cache(maxsize=SHINGLED_TEXTS_KEPT)(_packed_shingles)


def packed_shingles(packed: bytes, ngram_size: int):
    """The shingle hashes of a :func:`pack_text` text (read-only: they may be shared)."""
    if len(packed) > CACHED_PACKED_BYTES:
        return _packed_shingles(packed, ngram_size)
    return _cached_shingles(packed, ngram_size)


def _left_texts(document, pairs):
    packed = pack_text(document.text)
    for left, right in pairs:
        yield right[2], (right[1], (left, right, packed))


def _verify_right(ngram_size: int, threshold: float):
    def verify(document, payloads):
        shingles = shingle_hashes(document.text, ngram_size)
        for left, right, left_text in payloads:
            similarity = exact_jaccard(packed_shingles(left_text, ngram_size), shingles)
            if similarity > threshold:  # "exceeds": strictly greater
                yield left, right, similarity
    return verify


class VerifyStoredPairs(beam.PTransform):
    """PCollection[(left_node, right_node)] of stored documents' nodes (rank, id, spill
    file) -> PCollection[(left_node, right_node, jaccard)] of the pairs whose exact
    shingle Jaccard exceeds ``threshold``.

    Both texts are read back from the document store
    (:class:`massivetext.pipelines.document_store.ReadBack`): the pairs are grouped by
    the left document's file, which attaches its compressed text (:func:`pack_text`),
    then by the right document's file, which shingles both and verifies them; so only
    documents in a candidate pair have their text moved, once per pair.
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
                | "Left texts" >> ReadBack(self._directory, _left_texts)
                | "Verify right" >> ReadBack(
                    self._directory, _verify_right(self._ngram_size, self._threshold)))
