"""Locality-sensitive hashing of MinHash signatures into bands.

A signature of ``bands * rows`` slots is cut into ``bands`` bands of ``rows`` slots; two
documents become a *candidate pair* when all rows of at least one band agree. For a pair
at Jaccard similarity j each slot agrees with probability j, so the pair is a candidate
with probability ``1 - (1 - j**rows)**bands``. Candidates are then checked against the
paper's threshold (Jaccard > 0.8, Gopher Appendix A.1.1; docs/paper.md, "Document deduplication").
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import xxhash

from massivetext.dedup.minhash import DEFAULT_NUM_PERM, MinHasher, shingle_hashes

DEFAULT_THRESHOLD = 0.8  # "Jaccard similarity exceeds 0.8": Gopher Appendix A.1.1, step 5
DEFAULT_MIN_CANDIDATE_PROB = 0.99  # a pair at the threshold is a candidate this often: our choice
_AREA_GRID_POINTS = 2001  # resolution of the false-candidate area integral
_BAND_KEY_SEED = 0x13  # seed of the 8-byte band hash: any fixed value, never change it


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """The probability that a pair at this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard ** rows) ** bands


def _false_candidate_area(bands: int, rows: int, threshold: float) -> float:
    """The area under the candidate-probability curve below the threshold."""
    grid = np.linspace(0.0, threshold, _AREA_GRID_POINTS)
    probabilities = 1.0 - (1.0 - grid ** rows) ** bands
    return float(np.trapezoid(probabilities, grid))


@functools.cache
def choose_bands(num_perm: int = DEFAULT_NUM_PERM, threshold: float = DEFAULT_THRESHOLD,
                 min_candidate_prob: float = DEFAULT_MIN_CANDIDATE_PROB) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm for the given recall guarantee.

    Among all layouts under which a pair at Jaccard ``threshold`` is a candidate with
    probability >= ``min_candidate_prob``, the one with the fewest expected false
    candidates: the smallest area under the candidate-probability curve over Jaccard in
    [0, threshold), i.e. false candidates counted for pairs spread evenly over that
    range. Ties go to more rows (fewer keys). Raises ValueError if no layout qualifies.
    """
    if num_perm < 1:
        raise ValueError(f"num_perm must be at least 1, got {num_perm}")
    if not 0.0 < threshold < 1.0 or not 0.0 < min_candidate_prob < 1.0:
        raise ValueError("threshold and min_candidate_prob must lie strictly between 0 and 1")
    best: tuple[float, int, int, int] | None = None
    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            if candidate_probability(threshold, bands, rows) < min_candidate_prob:
                continue
            area = _false_candidate_area(bands, rows, threshold)
            ranking = (area, -rows, bands, rows)
            if best is None or ranking < best:
                best = ranking
            break  # more bands with the same rows only add false candidates
    if best is None:
        raise ValueError(
            f"no (bands, rows) with bands * rows <= {num_perm} makes a pair at Jaccard "
            f"{threshold} a candidate with probability >= {min_candidate_prob}")
    return best[2], best[3]


def band_keys(signature: np.ndarray, bands: int, rows: int) -> list[bytes]:
    """One 10-byte key per band: the band index (2 bytes, big-endian), then an 8-byte
    xxh3 hash of the band's slots in little-endian order, so keys are the same on every
    platform and equal keys in different bands are impossible."""
    if bands < 1 or rows < 1 or bands > 1 << 16:
        raise ValueError(f"need 1 <= bands <= 65536 and rows >= 1, got {bands}, {rows}")
    if signature.size < bands * rows:
        raise ValueError(f"signature of {signature.size} slots is shorter than "
                         f"{bands} bands x {rows} rows")
    slots = np.ascontiguousarray(signature[:bands * rows], dtype=signature.dtype.newbyteorder("<"))
    band_bytes = slots.view(np.uint8).reshape(bands, -1)
    return [band.to_bytes(2, "big") + xxhash.xxh3_64_digest(band_bytes[band].data, _BAND_KEY_SEED)
            for band in range(bands)]


@dataclasses.dataclass(frozen=True)
class BandSigner:
    """A text's word n-gram shingles and the LSH band keys of their MinHash signature,
    with one set of parameters (near-duplicate removal and test-set filtering share
    them, so their band keys meet)."""

    ngram_size: int
    num_perm: int
    minhash_seed: int
    bands: int
    rows: int

    @classmethod
    def for_threshold(cls, ngram_size: int, num_perm: int, minhash_seed: int,
                      threshold: float, min_candidate_prob: float) -> BandSigner:
        """The signer whose bands and rows :func:`choose_bands` picks for ``threshold``
        (ValueError when none reaches ``min_candidate_prob``)."""
        bands, rows = choose_bands(num_perm, threshold, min_candidate_prob)
        return cls(ngram_size, num_perm, minhash_seed, bands, rows)

    @functools.cached_property
    def _hasher(self) -> MinHasher:
        return MinHasher(self.num_perm, self.minhash_seed)

    def shingles(self, text: str) -> np.ndarray:
        return shingle_hashes(text, self.ngram_size)

    def band_keys(self, shingles: np.ndarray) -> list[bytes]:
        """The band keys of a text's shingles; none for a text without shingles (its
        Jaccard with anything is 0)."""
        if not shingles.size:
            return []
        return band_keys(self._hasher.signature(shingles), self.bands, self.rows)
