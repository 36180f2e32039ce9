"""Word 13-gram shingles and their MinHash signatures, for near-duplicate detection.

The paper (Gopher, Appendix A.1.1, steps 5 and 6; docs/paper.md) compares documents
by the Jaccard similarity of their word 13-grams, "with whitespace normalised and
punctuation ignored". Our reading (docs/paper.md, "Our reading of the rules"):

- :func:`dedup_words`: split on whitespace (``str.split()``), then delete every
  character of Unicode category ``P*`` (connector, dash, open, close, initial, final and
  other punctuation) wherever it stands, inside tokens too: ``don't`` -> ``dont``,
  ``U.S.`` -> ``US``, ``«Oui»`` -> ``Oui``. Tokens left empty (``--``, ``...``) are
  dropped. Case is kept. Symbols (category ``S*``: ``=``, ``+``, ``$``, ``<``) are not
  punctuation and stay.
- A shingle is 13 consecutive words; a document with 1 to 12 words is one shingle of all
  its words; a document with no words has no shingles.

Hashes are stable across processes and platforms (no salted ``hash()``, no platform
byte order; :mod:`massivetext.dedup.hashing`): each word is hashed once with a polynomial over
its Unicode code points modulo 2^64, computed for all words of a document at once from
prefix sums; a shingle is hashed the same way, a polynomial over its 13 word hashes;
both are finished with the SplitMix64 finaliser, salted with their length.
A polynomial hash modulo 2^64 has known adversarial collisions
(Thue-Morse strings); they can only make crafted words look alike, never lose text.
Which characters count as punctuation or whitespace comes from Python's Unicode
database, so a Python with a newer Unicode version may class a newly added character
differently; nothing else depends on the interpreter.

Signatures use the permutation family of datasketch's default ``affine32`` scheme: a
shingle hash folded to 32 bits, then ``a * h + b`` modulo 2^32 with odd ``a`` (a
bijection), minimised over the shingles, for all permutations at once.
"""

from __future__ import annotations

import functools
import re
import threading

import numpy as np

from massivetext.dedup.hashing import (
    character_masks,
    code_points,
    every_character,
    is_punctuation,
    mix64,
    prefix_hashes,
    span_hashes,
)

DEFAULT_NGRAM_SIZE = 13  # word 13-grams: Gopher paper, Appendix A.1.1 step 5
DEFAULT_NUM_PERM = 128  # permutations per signature: our choice (paper silent)
DEFAULT_SEED = 1  # seed of the permutation parameters: our choice

_MASK64 = (1 << 64) - 1
_GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # SplitMix64's stream increment, odd
_LENGTH_SALT = np.uint64(0xD6E8FEB86659FD93)  # keeps lengths apart ("a\0" vs "a")
_PERMUTATION_BLOCK = 1024  # shingles per (num_perm x block) step: fits in cache
EMPTY_SLOT = np.uint32(0xFFFFFFFF)  # every slot of the signature of a shingle-less text


_WORD_CHARACTER, _PUNCTUATION, _WHITESPACE = 0, 1, 2
# Words are hashed a million characters at a time: bounded memory for any text.
CHUNK_CHARS = 1 << 20
# re's \s is str.isspace(), the whitespace that str.split() splits on.
_WHITESPACE_RUN = re.compile(r"\s")


@functools.cache
def _character_classes() -> np.ndarray:
    """For every code point: punctuation (Unicode P*), whitespace (str.isspace, the set
    str.split() splits on) or word character. Built once per process, on first use."""
    whitespace, punctuation = character_masks(every_character(), str.isspace, is_punctuation)
    classes = np.where(punctuation, np.uint8(_PUNCTUATION), np.uint8(_WORD_CHARACTER))
    classes[whitespace] = _WHITESPACE  # no whitespace is punctuation: the order is moot
    return classes


def _unpunctuated(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's code points without punctuation, and a mask of its word characters."""
    points = code_points(text)
    classes = _character_classes()[points]
    kept = classes != _PUNCTUATION
    return points[kept], classes[kept] == _WORD_CHARACTER


def dedup_words(text: str) -> list[str]:
    """The words that 13-gram shingles are made of (see the module docstring)."""
    # Deleting punctuation never creates or removes whitespace, so deleting before
    # splitting gives the same tokens as splitting first, and empty tokens vanish.
    points, _ = _unpunctuated(text)
    return points.tobytes().decode("utf-32-le", "surrogatepass").split()


def _word_hashes(text: str, chunk_chars: int = CHUNK_CHARS) -> np.ndarray:
    """One uint64 hash per word of the text, computed a chunk of words at a time.

    Chunks end at whitespace, where no word can straddle them, so the result does not
    depend on ``chunk_chars``; it only bounds the temporary arrays (about 32 bytes per
    character) of a book-sized text.
    """
    if len(text) <= chunk_chars:
        return _chunk_word_hashes(text)
    pieces, start = [], 0
    while start < len(text):
        match = _WHITESPACE_RUN.search(text, start + chunk_chars)
        end = match.start() if match else len(text)
        pieces.append(_chunk_word_hashes(text[start:end]))
        start = end
    return np.concatenate(pieces)


def _chunk_word_hashes(text: str) -> np.ndarray:
    points, in_word = _unpunctuated(text)
    padded = np.zeros(in_word.size + 2, dtype=np.int8)
    padded[1:-1] = in_word
    # Word runs begin and end where the mask changes: alternately a start, then an end.
    boundaries = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = boundaries[0::2], boundaries[1::2]
    polynomials = span_hashes(prefix_hashes(points), starts, ends)
    lengths = (ends - starts).astype(np.uint64)
    return mix64(polynomials ^ (lengths * _LENGTH_SALT))


def shingle_hashes(text: str, ngram_size: int = DEFAULT_NGRAM_SIZE) -> np.ndarray:
    """Sorted unique uint64 hashes of the text's word ``ngram_size``-grams.

    A text with 1 to ``ngram_size - 1`` words is one shingle of all its words; a text
    with no words gives an empty array.
    """
    if ngram_size < 1:
        raise ValueError(f"ngram_size must be at least 1, got {ngram_size}")
    hashes = np.sort(shingle_hashes_in_order(text, ngram_size))
    if hashes.size == 0:
        return hashes
    # Sort-and-mask: np.unique costs tens of microseconds more on small arrays.
    distinct = np.empty(hashes.size, dtype=bool)
    distinct[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=distinct[1:])
    return hashes[distinct]


def shingle_hashes_in_order(text: str, ngram_size: int = DEFAULT_NGRAM_SIZE) -> np.ndarray:
    """The uint64 hash of the shingle starting at each word, in text order (repeats kept):
    shingle ``i`` is words ``i .. i + ngram_size - 1`` of :func:`dedup_words`."""
    word_hashes = _word_hashes(text)
    if word_hashes.size == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(ngram_size, word_hashes.size)
    starts = np.arange(word_hashes.size - width + 1)
    polynomials = span_hashes(prefix_hashes(word_hashes), starts, starts + width)
    width_salt = np.uint64(width * int(_LENGTH_SALT) & _MASK64)
    return mix64(polynomials ^ width_salt)


def dedup_word_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``[start, end)`` in ``text`` of each of :func:`dedup_words`: from a whitespace
    token's first to its last non-punctuation character."""
    classes = _character_classes()[code_points(text)]
    in_token = classes != _WHITESPACE
    token_id = np.cumsum(in_token & ~np.concatenate(([False], in_token[:-1]))) - 1
    word_chars = np.flatnonzero(classes == _WORD_CHARACTER)
    if word_chars.size == 0:
        return word_chars, word_chars
    new_token = token_id[word_chars[1:]] != token_id[word_chars[:-1]]
    first = word_chars[np.concatenate(([True], new_token))]
    last = word_chars[np.concatenate((new_token, [True]))]
    return first, last + 1


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """|a & b| / |a | b| for two sorted unique hash arrays; 0.0 when both are empty."""
    if a.size == 0 and b.size == 0:
        return 0.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def _permutation_parameters(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Odd multipliers and offsets of the affine permutations, from a SplitMix64 stream.

    Derived with our own integer arithmetic (not a NumPy random generator, whose streams
    may change between releases), so signatures are the same on every version/platform.
    Permutation k depends only on (seed, k): the first 64 of 128 equal those of 64.
    """
    counters = np.arange(1, 2 * num_perm + 1, dtype=np.uint64)
    seed_word = np.uint64((seed * 0xBF58476D1CE4E5B9) & _MASK64)
    stream = mix64(seed_word + counters * _GOLDEN_GAMMA)
    multipliers = (stream[0::2] >> np.uint64(32)).astype(np.uint32) | np.uint32(1)
    offsets = (stream[1::2] >> np.uint64(32)).astype(np.uint32)
    return multipliers, offsets


class MinHasher:
    """MinHash signatures (uint32, one slot per permutation) of shingle-hash arrays."""

    def __init__(self, num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED):
        if num_perm < 1:
            raise ValueError(f"num_perm must be at least 1, got {num_perm}")
        self.num_perm = num_perm
        self.seed = seed
        multipliers, offsets = _permutation_parameters(num_perm, seed)
        self._multipliers = multipliers[:, None]  # (num_perm, 1)
        self._offsets = offsets[:, None]  # (num_perm, 1)
        # A reused work buffer avoids a fresh large allocation (and its page faults) per
        # call; one per thread, since Beam may call a shared instance from several.
        self._work = threading.local()

    def __getstate__(self) -> dict:
        # Picklable (Beam serialises DoFns and their fields); the buffer is not shipped.
        state = self.__dict__.copy()
        del state["_work"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._work = threading.local()

    def empty_signature(self) -> np.ndarray:
        """The signature of a text without shingles: every slot EMPTY_SLOT."""
        return np.full(self.num_perm, EMPTY_SLOT, dtype=np.uint32)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The uint32 signature (length num_perm) of an array of uint64 shingle hashes."""
        if hashes.size == 0:
            return self.empty_signature()
        # The shingle hashes are finalised, so their low 32 bits are already uniform.
        folded = np.asarray(hashes, dtype=np.uint64).astype(np.uint32)
        buffer = getattr(self._work, "buffer", None)
        if buffer is None:
            buffer = self._work.buffer = np.empty((self.num_perm, _PERMUTATION_BLOCK), np.uint32)
        signature = None
        for start in range(0, folded.size, _PERMUTATION_BLOCK):
            block = folded[None, start:start + _PERMUTATION_BLOCK]  # (1, B)
            permuted = buffer[:, :block.shape[1]]  # (num_perm, B)
            np.multiply(self._multipliers, block, out=permuted)  # wraps modulo 2^32
            permuted += self._offsets
            block_min = permuted.min(axis=1)  # (num_perm,)
            signature = block_min if signature is None else np.minimum(signature, block_min)
        return signature

    def signature_of_text(self, text: str, ngram_size: int = DEFAULT_NGRAM_SIZE) -> np.ndarray:
        return self.signature(shingle_hashes(text, ngram_size))


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """The fraction of equal slots; 0.0 when both are empty signatures (as exact_jaccard)."""
    if sig_a.shape != sig_b.shape:
        raise ValueError(f"signatures differ in length: {sig_a.shape} vs {sig_b.shape}")
    equal = sig_a == sig_b
    if np.all(sig_a == EMPTY_SLOT) and equal.all():
        return 0.0
    return float(np.count_nonzero(equal)) / sig_a.size
