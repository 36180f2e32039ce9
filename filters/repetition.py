"""The Gopher repetition filter (paper Sec. A.1.1 and Table A1;
docs/paper.md, "Repetition removal").

A document is removed when any measure *exceeds* its Table A1 threshold (a value exactly
at the threshold is kept).

- Lines and paragraphs (:mod:`massivetext.filters.text_units`): a duplicate is an occurrence after
  the first of the same stripped line (paragraph).
- N-grams are built over the normal forms of the tokens (lower-cased, punctuation
  stripped from the ends, empty forms dropped); an n-gram's characters are its words'
  characters. For n = 2..4 the signal is the share of characters in the words covered by
  the most frequent n-gram (if it occurs more than once; ties go to the n-gram that
  occurs first); for n = 5..10 it is the share of characters in the words covered by any
  n-gram that occurs more than once. Each word counts once, however many n-grams cover it.

N-grams are found with NumPy: every n-gram gets a 64-bit key from prefix sums over the
words' hashes, keys are sorted (n = 3..10 together, one row per n), equal keys form
runs, and the words that runs cover are marked with a difference array.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from massivetext.filters.base import Judgement
from massivetext.filters.text_units import lines, paragraphs, tokenize

from massivetext.dedup.hashing import mix64, prefix_hashes, span_hashes

_TOP_NGRAM_SIZES = (2, 3, 4)
_DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
_NGRAM_RULES = (*(f"top_{n}gram_char_frac" for n in _TOP_NGRAM_SIZES),
                *(f"dup_{n}gram_char_frac" for n in _DUP_NGRAM_SIZES))
_MAX_BATCH = 1 << 18  # n-grams sorted in one go; bounds the memory of huge documents


def _duplicate_stats(units: tuple[str, ...]) -> tuple[float, float]:
    """(duplicate fraction, duplicate character fraction) of lines or paragraphs."""
    if not units:
        return 0.0, 0.0
    distinct = set(units)
    all_chars = sum(map(len, units))
    duplicate_chars = all_chars - sum(map(len, distinct))
    return (len(units) - len(distinct)) / len(units), duplicate_chars / all_chars


@dataclass(frozen=True)
class _NgramRuns:
    """The n-grams of several sizes (rows) at the same start positions (columns), each
    row sorted so that equal n-grams form runs, each run in text order."""


    sizes: np.ndarray  # (R,) n of each row
    starts: np.ndarray  # (R, C) start position of each sorted n-gram
    run: np.ndarray  # (R, C) index of its run within the row
    run_size: np.ndarray  # (R, C) size of that run: how often the n-gram occurs
    run_start: np.ndarray  # (R, C) whether it is the first of its run


def _ngram_runs(prefix: np.ndarray, positions: np.ndarray, sizes: np.ndarray) -> _NgramRuns:
    """Sort the n-grams of ``sizes`` starting at ``positions`` (ascending) into runs.

    Each n-gram's key keeps the low bits of its hash and puts its position in the bits
    below them, so one plain sort (much faster than an argsort) groups equal n-grams and
    orders each group by position. Keys keep 64 - log2(words) bits: for a 1,000-word
    document two different n-grams collide with probability about 2**-54.
    """
    num_words = prefix.size - 1
    position_bits = np.uint64(max(num_words.bit_length(), 1))
    ends = positions[None, :] + sizes[:, None]  # (R, C)
    past_end = ends > num_words
    hashes = span_hashes(prefix, positions[None, :], np.minimum(ends, num_words))
    # An n-gram running past the last word does not exist: give it a key of its own.
    hashes[past_end] = ~np.arange(np.count_nonzero(past_end), dtype=np.uint64)
    hashes <<= position_bits
    hashes |= positions.astype(np.uint64)
    keys = np.sort(hashes, axis=1)
    del hashes, ends, past_end
    ngram = keys >> position_bits
    run_start = np.ones(keys.shape, dtype=bool)
    np.not_equal(ngram[:, 1:], ngram[:, :-1], out=run_start[:, 1:])
    del ngram
    run = np.cumsum(run_start, axis=1) - 1
    run_in_all = run + (np.arange(keys.shape[0]) * keys.shape[1])[:, None]
    run_size = np.bincount(run_in_all.ravel(), minlength=keys.size)[run_in_all]
    del run_in_all
    keys &= (np.uint64(1) << position_bits) - np.uint64(1)
    starts = keys.astype(np.int64)
    return _NgramRuns(sizes, starts, run, run_size, run_start)


def _top_ngram_mask(runs: _NgramRuns) -> np.ndarray:
    """(R, C): the occurrences of each row's most frequent n-gram, if it repeats.

    Ties go to the n-gram that occurs first: runs are in text order, so a run's first
    element is its first occurrence.
    """
    most = runs.run_size.max(axis=1, initial=0)
    candidates = runs.run_start & (runs.run_size == most[:, None])
    first = np.where(candidates, runs.starts, np.iinfo(np.int64).max).argmin(axis=1)
    best_run = runs.run[np.arange(first.size), first]
    return (runs.run == best_run[:, None]) & (most >= 2)[:, None]


def _covered_chars(runs: _NgramRuns, mask: np.ndarray, word_chars: np.ndarray) -> np.ndarray:
    """(R,) characters of the words covered by the masked n-grams of each row."""
    rows, width = mask.shape[0], word_chars.size + 1
    row = np.broadcast_to(np.arange(rows)[:, None], mask.shape)[mask]
    start = runs.starts[mask] + row * width
    # +1 where an n-gram starts, -1 after its last word; a running sum > 0 is covered.
    depth = np.bincount(start, minlength=rows * width) - np.bincount(
        start + runs.sizes[row], minlength=rows * width)
    covered = np.cumsum(depth.reshape(rows, width)[:, :-1], axis=1) > 0
    return covered @ word_chars


def _ngram_fractions(word_hash: np.ndarray, word_chars: np.ndarray) -> dict[str, float]:
    """The top (n = 2..4) and duplicate (n = 5..10) n-gram character fractions.

    Bigrams are sorted at every position. A longer n-gram can occur twice only where the
    bigrams at its first two words both do, so only those positions are sorted for
    n = 3..10, all sizes at once (a row each), or one size at a time for huge documents.
    """
    total_chars = int(word_chars.sum())
    prefix = prefix_hashes(mix64(word_hash))  # mixed, so n-gram keys share no structure
    bigrams = _ngram_runs(prefix, np.arange(word_hash.size - 1), np.array([2]))
    fractions = dict.fromkeys(_NGRAM_RULES, 0.0)
    fractions["top_2gram_char_frac"] = float(
        _covered_chars(bigrams, _top_ngram_mask(bigrams), word_chars)[0]) / total_chars
    repeated_bigram = np.zeros(word_hash.size, dtype=bool)
    repeated_bigram[bigrams.starts[bigrams.run_size > 1]] = True
    positions = np.flatnonzero(repeated_bigram[:-1] & repeated_bigram[1:])
    if positions.size == 0:
        return fractions  # no bigram repeats next to another: no longer n-gram repeats
    sizes = np.array([*_TOP_NGRAM_SIZES[1:], *_DUP_NGRAM_SIZES])
    row_groups = [sizes] if positions.size * sizes.size <= _MAX_BATCH else sizes[:, None]
    for group in row_groups:
        runs = _ngram_runs(prefix, positions, group)
        is_top = (group <= _TOP_NGRAM_SIZES[-1])[:, None]
        mask = np.where(is_top, _top_ngram_mask(runs), runs.run_size > 1)
        for n, chars in zip(group, _covered_chars(runs, mask, word_chars), strict=True):
            kind = "top" if n in _TOP_NGRAM_SIZES else "dup"
            fractions[f"{kind}_{n}gram_char_frac"] = float(chars) / total_chars
    return fractions


@dataclass(frozen=True)
class RepetitionFilter:
    """Duplicate line, paragraph and n-gram rules of Gopher Table A1."""

    name: ClassVar[str] = "repetition"
    rules: ClassVar[tuple[str, ...]] = (
        "dup_line_frac", "dup_para_frac", "dup_line_char_frac", "dup_para_char_frac",
        *_NGRAM_RULES,
    )
    signal_names: ClassVar[tuple[str, ...]] = rules  # each measure is the signal of its rule

    max_dup_line_frac: float = field(default=0.30, metadata={
        "help": "maximum fraction of duplicate lines (Gopher Table A1: 0.30)"})
    max_dup_para_frac: float = field(default=0.30, metadata={
        "help": "maximum fraction of duplicate paragraphs (Gopher Table A1: 0.30)"})
    max_dup_line_char_frac: float = field(default=0.20, metadata={
        "help": "maximum fraction of characters in duplicate lines (Gopher Table A1: 0.20)"})
    max_dup_para_char_frac: float = field(default=0.20, metadata={
        "help": "maximum fraction of characters in duplicate paragraphs "
                "(Gopher Table A1: 0.20)"})
    max_top_2gram_char_frac: float = field(default=0.20, metadata={
        "help": "maximum character fraction of the most frequent 2-gram "
                "(Gopher Table A1: 0.20)"})
    max_top_3gram_char_frac: float = field(default=0.18, metadata={
        "help": "maximum character fraction of the most frequent 3-gram "
                "(Gopher Table A1: 0.18)"})
    max_top_4gram_char_frac: float = field(default=0.16, metadata={
        "help": "maximum character fraction of the most frequent 4-gram "
                "(Gopher Table A1: 0.16)"})
    max_dup_5gram_char_frac: float = field(default=0.15, metadata={
        "help": "maximum character fraction of duplicate 5-grams (Gopher Table A1: 0.15)"})
    max_dup_6gram_char_frac: float = field(default=0.14, metadata={
        "help": "maximum character fraction of duplicate 6-grams (Gopher Table A1: 0.14)"})
    max_dup_7gram_char_frac: float = field(default=0.13, metadata={
        "help": "maximum character fraction of duplicate 7-grams (Gopher Table A1: 0.13)"})
    max_dup_8gram_char_frac: float = field(default=0.12, metadata={
        "help": "maximum character fraction of duplicate 8-grams (Gopher Table A1: 0.12)"})
    max_dup_9gram_char_frac: float = field(default=0.11, metadata={
        "help": "maximum character fraction of duplicate 9-grams (Gopher Table A1: 0.11)"})
    max_dup_10gram_char_frac: float = field(default=0.10, metadata={
        "help": "maximum character fraction of duplicate 10-grams (Gopher Table A1: 0.10)"})

    def signals(self, text: str) -> dict[str, float]:
        """Every Table A1 measure of ``text``, keyed by its rule name."""
        dup_line_frac, dup_line_char_frac = _duplicate_stats(lines(text))
        dup_para_frac, dup_para_char_frac = _duplicate_stats(paragraphs(text))
        tokens = tokenize(text)
        is_word = tokens.norm_length > 0
        result = {
            "dup_line_frac": dup_line_frac,
            "dup_para_frac": dup_para_frac,
            "dup_line_char_frac": dup_line_char_frac,
            "dup_para_char_frac": dup_para_char_frac,
        }
        if is_word.sum() < 2:
            return result | dict.fromkeys(_NGRAM_RULES, 0.0)
        return result | _ngram_fractions(tokens.norm_hash[is_word], tokens.norm_length[is_word])

    def judge(self, text: str) -> Judgement:
        """Keep or remove ``text``, naming every measure past its threshold."""
        s = self.signals(text)
        reasons = tuple(rule for rule in self.rules if s[rule] > getattr(self, f"max_{rule}"))
        return Judgement(keep=not reasons, reasons=reasons, signals=s)
