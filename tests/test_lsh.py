"""LSH banding: the candidate-probability formula, the band choice and the band keys."""

from __future__ import annotations

import numpy as np
import pytest

from massivetext.dedup.lsh import (
    DEFAULT_MIN_CANDIDATE_PROB,
    DEFAULT_THRESHOLD,
    band_keys,
    candidate_probability,
    choose_bands,
)
from massivetext.dedup.minhash import MinHasher, estimate_jaccard


def test_candidate_probability_formula_edges():
    assert candidate_probability(1.0, 20, 5) == 1.0
    assert candidate_probability(0.0, 20, 5) == 0.0
    assert candidate_probability(0.5, 1, 1) == pytest.approx(0.5)
    assert candidate_probability(0.5, 2, 1) == pytest.approx(0.75)


def test_candidate_probability_matches_simulation():
    # Each slot of a pair at Jaccard j agrees independently with probability j.
    rng = np.random.default_rng(11)
    bands, rows, trials = 16, 6, 40_000
    for jaccard in (0.5, 0.7, 0.8):
        agree = rng.random((trials, bands, rows)) < jaccard
        simulated = np.mean(agree.all(axis=2).any(axis=1))
        expected = candidate_probability(jaccard, bands, rows)
        assert abs(simulated - expected) <= 4 * np.sqrt(expected * (1 - expected) / trials)


def test_candidate_probability_with_real_signatures():
    # Pairs at Jaccard 0.8 built from random hash sets, banded with the default layout.
    rng = np.random.default_rng(3)
    hasher = MinHasher()
    bands, rows = choose_bands()
    hits, trials = 0, 300
    for _ in range(trials):
        values = np.unique(rng.integers(0, 2**63, 200, dtype=np.uint64))[:180]
        a, b = np.sort(values[:170]), np.sort(np.concatenate([values[:160], values[170:]]))
        keys_a = band_keys(hasher.signature(a), bands, rows)
        keys_b = band_keys(hasher.signature(b), bands, rows)
        hits += bool(set(keys_a) & set(keys_b))
    expected = candidate_probability(160 / 180, bands, rows)
    assert abs(hits / trials - expected) <= 4 * np.sqrt(expected * (1 - expected) / trials) + 0.01


def test_choose_bands_meets_the_guarantee():
    for num_perm in (16, 64, 128, 256):
        bands, rows = choose_bands(num_perm)
        assert bands * rows <= num_perm
        assert candidate_probability(DEFAULT_THRESHOLD, bands, rows) >= DEFAULT_MIN_CANDIDATE_PROB
        # No other qualifying layout flags fewer pairs below the threshold (a Riemann sum
        # over Jaccard in [0, threshold), a coarser grid than choose_bands uses).
        grid = (np.arange(400) + 0.5) / 400 * DEFAULT_THRESHOLD
        chosen = candidate_probability(grid, bands, rows).mean()
        for other_rows in range(1, num_perm + 1):
            for other_bands in range(1, num_perm // other_rows + 1):
                if candidate_probability(DEFAULT_THRESHOLD, other_bands,
                                         other_rows) >= DEFAULT_MIN_CANDIDATE_PROB:
                    other = candidate_probability(grid, other_bands, other_rows).mean()
                    assert chosen <= other + 1e-6
    bands, rows = choose_bands(128, threshold=0.5, min_candidate_prob=0.999)
    assert candidate_probability(0.5, bands, rows) >= 0.999


def test_choose_bands_prefers_fewer_false_candidates():
    bands, rows = choose_bands(128)
    chosen_low = candidate_probability(0.3, bands, rows)
    # The most permissive layout (one row per band) also qualifies but flags far more.
    assert chosen_low < candidate_probability(0.3, 128, 1)
    assert chosen_low < 0.05


def test_choose_bands_impossible():
    with pytest.raises(ValueError):
        choose_bands(2, threshold=0.8, min_candidate_prob=0.99)
    with pytest.raises(ValueError):
        choose_bands(128, threshold=1.5)


def test_band_keys_equal_iff_band_rows_equal():
    hasher = MinHasher()
    bands, rows = choose_bands()
    rng = np.random.default_rng(9)
    signature = hasher.signature(np.unique(rng.integers(0, 2**63, 500, dtype=np.uint64)))
    keys = band_keys(signature, bands, rows)
    assert len(keys) == bands and len(set(keys)) == bands
    assert all(len(key) == 10 for key in keys)
    assert [key[:2] for key in keys] == [band.to_bytes(2, "big") for band in range(bands)]
    changed = signature.copy()
    changed[rows * 3 + 1] ^= 1  # one slot of band 3
    changed_keys = band_keys(changed, bands, rows)
    same = [key == other for key, other in zip(keys, changed_keys, strict=True)]
    assert same == [band != 3 for band in range(bands)]
    # Identical rows in different bands still give different keys.
    constant = np.full(128, 7, dtype=np.uint32)
    constant_keys = band_keys(constant, bands, rows)
    assert len(set(constant_keys)) == bands
    assert len({key[2:] for key in constant_keys}) == 1
    assert estimate_jaccard(signature, changed) == pytest.approx(127 / 128)


def test_band_keys_rejects_short_signature():
    with pytest.raises(ValueError):
        band_keys(np.zeros(10, dtype=np.uint32), 4, 3)
