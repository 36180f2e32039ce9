"""Vectorised 64-bit hashing of text spans: the machinery shared by the document filters
(:mod:`massivetext.filters.text_units`, :mod:`massivetext.filters.repetition`) and
near-duplicate shingling (:mod:`massivetext.dedup.minhash`). Plain NumPy; what counts as
a word stays with the callers.

- :func:`code_points` turns a text into one uint32 per Unicode code point (UTF-32-LE,
  lone surrogates kept), and :func:`character_masks` classifies every code point once,
  for lookup tables that callers index with those code points.
- :func:`prefix_hashes` and :func:`span_hashes` hash any span of a sequence of unsigned
  integers in O(1) after one prefix sum: a polynomial in HASH_BASE modulo 2**64 (NumPy's
  wrapping uint64 arithmetic) that does not depend on where the span starts, so equal
  spans hash equal, wherever they stand and whichever sequence holds them.
- :func:`mix64`, the SplitMix64 finaliser, a bijection of uint64, spreads such sums.

Everything is integer arithmetic on little-endian arrays, without Python's salted
``hash()``, so hashes are the same in every process and on every platform. Powers of
HASH_BASE are tabulated in blocks of _POWER_BLOCK and combined, so memory stays bounded
whatever the length of a text.
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Callable

import numpy as np

NUM_CODE_POINTS = sys.maxunicode + 1
HASH_BASE = 0x100000001B3  # the FNV-1 64-bit prime: odd, so invertible modulo 2**64
_HASH_BASE_INVERSE = pow(HASH_BASE, -1, 1 << 64)
_POWER_BLOCK_BITS = 18  # one block covers nearly every document
_POWER_BLOCK = 1 << _POWER_BLOCK_BITS  # powers tabulated per base: 2 MiB each


def code_points(text: str) -> np.ndarray:
    """The text's code points, one uint32 each, the same on every platform."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def every_character() -> str:
    """All code points in order, as one string: what :func:`character_masks` reads.

    Decoded from their UTF-32 code units in one go: joining a million one-character
    strings held them all at once, about 80 MB for a moment in every worker process.
    """
    units = np.arange(NUM_CODE_POINTS, dtype="<u4").tobytes()
    return units.decode("utf-32-le", "surrogatepass")


def character_masks(characters: str, *predicates: Callable[[str], bool]
                    ) -> tuple[np.ndarray, ...]:
    """For each predicate, a bool array saying which of ``characters`` satisfy it."""
    return tuple(np.fromiter(map(predicate, characters), bool, len(characters))
                 for predicate in predicates)


def is_punctuation(character: str) -> bool:
    """Unicode general category P* (connector, dash, open, close, quote, other)."""
    return unicodedata.category(character)[0] == "P"


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a uint64 array: a bijection that spreads every bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@functools.cache
def _power_block(base: int) -> np.ndarray:
    """base**0 .. base**(_POWER_BLOCK - 1) modulo 2**64, read-only."""
    factors = np.full(_POWER_BLOCK, base, dtype=np.uint64)
    factors[0] = 1
    table = np.cumprod(factors)  # uint64 products wrap, which is the modulo 2**64
    table.flags.writeable = False
    return table


def _powers(base: int, length: int) -> np.ndarray:
    """base**0 .. base**(length - 1) modulo 2**64."""
    low = _power_block(base)
    if length <= _POWER_BLOCK:
        return low[:length]
    # base**(k * _POWER_BLOCK + i) = (base**_POWER_BLOCK)**k * base**i
    high = _powers(pow(base, _POWER_BLOCK, 1 << 64), -(-length // _POWER_BLOCK))
    return np.multiply.outer(high, low).ravel()[:length]


def _powers_at(base: int, positions: np.ndarray, bound: int) -> np.ndarray:
    """base**positions modulo 2**64, elementwise, for integer positions in [0, bound)."""
    low = _power_block(base)
    if bound <= _POWER_BLOCK:
        return low[positions]
    high = _powers(pow(base, _POWER_BLOCK, 1 << 64), ((bound - 1) >> _POWER_BLOCK_BITS) + 1)
    return high[positions >> _POWER_BLOCK_BITS] * low[positions & (_POWER_BLOCK - 1)]


def prefix_hashes(values: np.ndarray) -> np.ndarray:
    """H[k] = sum of values[j] * HASH_BASE**j for j < k, modulo 2**64 (uint64, one entry
    more than ``values``, an array of unsigned integers)."""
    prefix = np.zeros(values.size + 1, dtype=np.uint64)
    np.cumsum(values * _powers(HASH_BASE, values.size), out=prefix[1:])
    return prefix


def span_hashes(prefix: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The hashes of the spans [starts, ends) of the sequence behind ``prefix``:
    sum of values[starts + t] * HASH_BASE**t, whatever the start (arrays broadcast)."""
    return (prefix[ends] - prefix[starts]) * _powers_at(_HASH_BASE_INVERSE, starts, prefix.size)
