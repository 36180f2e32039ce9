"""The shared hashing primitives: span hashes, the finaliser, stability across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from massivetext.dedup.hashing import (
    HASH_BASE,
    character_masks,
    code_points,
    is_punctuation,
    mix64,
    prefix_hashes,
    span_hashes,
)

_MOD = 1 << 64
_LONG = (1 << 18) + 5_000  # longer than one tabulated block of powers


def _polynomial(values: np.ndarray, start: int, end: int) -> int:
    """The span hash by its definition, in Python integers."""
    return sum(int(v) * pow(HASH_BASE, t, _MOD) for t, v in enumerate(values[start:end])) % _MOD


def test_span_hashes_are_the_polynomial_wherever_the_span_starts():
    values = np.random.default_rng(3).integers(0, 2**64, _LONG, dtype=np.uint64)
    prefix = prefix_hashes(values)
    starts = np.array([0, 1, 9_999, (1 << 18) - 3, (1 << 18) + 7, _LONG - 4])
    hashes = span_hashes(prefix, starts, starts + 4)
    assert hashes.dtype == np.uint64
    assert hashes.tolist() == [_polynomial(values, s, s + 4) for s in starts.tolist()]
    assert span_hashes(prefix, starts, starts).tolist() == [0] * starts.size


def test_equal_spans_hash_equal_and_different_spans_differ():
    rng = np.random.default_rng(4)
    values = rng.integers(0, 3, _LONG, dtype=np.uint32)  # small alphabet: many repeats
    planted = values[100:400]
    straddling = (1 << 18) - 150  # a copy across the block boundary
    values[straddling:straddling + planted.size] = planted
    prefix = prefix_hashes(values)
    assert span_hashes(prefix, np.array([100]), np.array([400])) == span_hashes(
        prefix, np.array([straddling]), np.array([straddling + planted.size]))
    # Every 8-gram of a window: equal hashes exactly where the 8 values are equal.
    starts = np.arange(straddling - 2_000, straddling + 2_000)
    hashes = span_hashes(prefix, starts, starts + 8)
    grams = np.lib.stride_tricks.sliding_window_view(values, 8)[starts]
    _, by_content = np.unique(grams, axis=0, return_inverse=True)
    _, by_hash = np.unique(hashes, return_inverse=True)
    by_content, by_hash = by_content.ravel().tolist(), by_hash.tolist()
    pairs = set(zip(by_content, by_hash, strict=True))
    assert len(pairs) == len(set(by_content)) == len(set(by_hash)) < starts.size
    # Spans broadcast: rows of sizes against columns of starts.
    grid = span_hashes(prefix, starts[None, :10], starts[None, :10] + np.array([[3], [8]]))
    assert grid.shape == (2, 10) and np.array_equal(grid[1], hashes[:10])


def _unmix64(y: np.ndarray) -> np.ndarray:
    """The inverse of SplitMix64's finaliser: undo each step, last first."""
    def unshift(x, shift):
        result = x.copy()
        for _ in range(64 // shift + 1):
            result = x ^ (result >> np.uint64(shift))
        return result
    y = unshift(y, 31) * np.uint64(pow(0x94D049BB133111EB, -1, _MOD))
    y = unshift(y, 27) * np.uint64(pow(0xBF58476D1CE4E5B9, -1, _MOD))
    return unshift(y, 30)


def test_finaliser_is_a_bijection_on_a_sample():
    rng = np.random.default_rng(5)
    sample = np.concatenate([np.arange(1 << 16, dtype=np.uint64),
                             rng.integers(0, 2**64, 1 << 16, dtype=np.uint64),
                             np.uint64(1) << np.arange(64, dtype=np.uint64)])
    mixed = mix64(sample)
    assert np.array_equal(_unmix64(mixed), sample)
    assert np.unique(mixed).size == np.unique(sample).size
    # Neighbouring inputs differ in about half of the output bits.
    flipped = np.unpackbits((mixed[1:1 << 16] ^ mixed[:(1 << 16) - 1]).view(np.uint8))
    assert 0.45 < flipped.mean() < 0.55


def test_code_points_and_character_masks():
    text = "a\u00e9\U0001d518 \ud800,"
    assert code_points(text).tolist() == [0x61, 0xE9, 0x1D518, 0x20, 0xD800, 0x2C]
    space, punctuation = character_masks(text, str.isspace, is_punctuation)
    assert space.tolist() == [False, False, False, True, False, False]
    assert punctuation.tolist() == [False, False, False, False, False, True]
    assert not is_punctuation("$") and is_punctuation("«")


_CROSS_PROCESS_SCRIPT = """
import json, sys
import numpy as np
from massivetext.dedup.hashing import code_points, mix64, prefix_hashes, span_hashes
points = code_points(sys.stdin.read())
starts = np.arange(points.size - 5)
print(json.dumps(mix64(span_hashes(prefix_hashes(points), starts, starts + 5)).tolist()))
"""


def test_hashes_identical_across_processes():
    text = "Zeichen über naïve café — 東京 🙂 " * 20
    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run([sys.executable, "-c", _CROSS_PROCESS_SCRIPT], input=text,
                                capture_output=True, text=True, check=True, env=env,
                                encoding="utf-8")
        outputs.append(json.loads(result.stdout))
    points = code_points(text)
    starts = np.arange(points.size - 5)
    assert outputs[0] == outputs[1]
    assert outputs[0] == mix64(span_hashes(prefix_hashes(points), starts, starts + 5)).tolist()
