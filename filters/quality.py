"""The Gopher quality filter (paper Sec. A.1.1, "Quality Filtering";
docs/paper.md, "Quality filter").

A document is removed when any rule fails; a value exactly at a threshold is kept,
because the paper removes only documents *past* each limit ("< 50", "> 0.1", "more than
90%", "fewer than 80%", "fewer than 2"). Tokens, words, lines and normal forms are those
of :mod:`massivetext.filters.text_units`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from typing import ClassVar

import numpy as np
from massivetext.filters.base import Judgement
from massivetext.filters.text_units import BULLET_MARKS, ELLIPSES, lines, normal_form_hash, tokenize

STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


@cache
def stop_word_hashes() -> np.ndarray:
    """The stop words' normal-form hashes, sorted."""
    return np.sort(np.array([normal_form_hash(word) for word in STOP_WORDS], dtype=np.uint64))


def _distinct_stop_words(norm_hash: np.ndarray) -> int:
    stops = stop_word_hashes()
    nearest = np.minimum(np.searchsorted(stops, norm_hash), stops.size - 1)
    found = stops[nearest] == norm_hash
    return int(np.count_nonzero(np.bincount(nearest[found], minlength=stops.size)))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass(frozen=True)
class QualityFilter:
    """Word-count, word-length, symbol, line-shape, alphabetic and stop-word rules."""

    name: ClassVar[str] = "quality"
    rules: ClassVar[tuple[str, ...]] = (
        "word_count_low", "word_count_high", "mean_word_length_low",
        "mean_word_length_high", "hash_ratio", "ellipsis_ratio", "bullet_line_frac",
        "ellipsis_line_frac", "alpha_token_frac", "stop_words",
    )
    signal_names: ClassVar[tuple[str, ...]] = (
        "word_count", "mean_word_length", "hash_ratio", "ellipsis_ratio", "bullet_line_frac",
        "ellipsis_line_frac", "alpha_token_frac", "stop_word_count",
    )

    min_word_count: int = field(default=50, metadata={
        "help": "remove documents with fewer words than this (Gopher Sec. A.1.1: 50)"})
    max_word_count: int = field(default=100_000, metadata={
        "help": "remove documents with more words than this (Gopher Sec. A.1.1: 100,000)"})
    min_mean_word_length: float = field(default=3.0, metadata={
        "help": "remove documents whose mean word length is below this "
                "(Gopher Sec. A.1.1: 3 characters)"})
    max_mean_word_length: float = field(default=10.0, metadata={
        "help": "remove documents whose mean word length is above this "
                "(Gopher Sec. A.1.1: 10 characters)"})
    max_hash_ratio: float = field(default=0.1, metadata={
        "help": "remove documents with more '#' per word than this "
                "(Gopher Sec. A.1.1 symbol-to-word ratio: 0.1)"})
    max_ellipsis_ratio: float = field(default=0.1, metadata={
        "help": "remove documents with more ellipses ('...', '…') per word than this "
                "(Gopher Sec. A.1.1 symbol-to-word ratio: 0.1)"})
    max_bullet_line_frac: float = field(default=0.9, metadata={
        "help": "remove documents with a larger fraction of lines starting with a bullet "
                "(Gopher Sec. A.1.1: 90%)"})
    max_ellipsis_line_frac: float = field(default=0.3, metadata={
        "help": "remove documents with a larger fraction of lines ending with an ellipsis "
                "(Gopher Sec. A.1.1: 30%)"})
    min_alpha_token_frac: float = field(default=0.8, metadata={
        "help": "remove documents with a smaller fraction of tokens holding an alphabetic "
                "character (Gopher Sec. A.1.1: 80%)"})
    min_stop_word_count: int = field(default=2, metadata={
        "help": "remove documents with fewer distinct stop words (the, be, to, of, and, "
                "that, have, with) than this (Gopher Sec. A.1.1: 2)"})

    def signals(self, text: str) -> dict[str, float]:
        """Every measure the rules test, keyed by signal name."""
        tokens = tokenize(text)
        word_count = int(np.count_nonzero(tokens.has_alnum))
        doc_lines = lines(text)
        return {
            "word_count": word_count,
            "mean_word_length": _ratio(int(tokens.length @ tokens.has_alnum), word_count),
            "hash_ratio": _ratio(text.count("#"), word_count),
            "ellipsis_ratio": _ratio(sum(map(text.count, ELLIPSES)), word_count),
            "bullet_line_frac": _ratio(
                sum(map(str.startswith, doc_lines, repeat(BULLET_MARKS))),
                len(doc_lines)),
            "ellipsis_line_frac": _ratio(
                sum(map(str.endswith, doc_lines, repeat(ELLIPSES))),
                len(doc_lines)),
            "alpha_token_frac": _ratio(int(np.count_nonzero(tokens.has_alpha)), tokens.count),
            "stop_word_count": _distinct_stop_words(tokens.norm_hash),
        }

    def judge(self, text: str) -> Judgement:
        """Keep or remove ``text``, naming every failed rule in rule order."""
        s = self.signals(text)
        failed = {
            "word_count_low": s["word_count"] < self.min_word_count,
            "word_count_high": s["word_count"] > self.max_word_count,
            "mean_word_length_low": s["mean_word_length"] < self.min_mean_word_length,
            "mean_word_length_high": s["mean_word_length"] > self.max_mean_word_length,
            "hash_ratio": s["hash_ratio"] > self.max_hash_ratio,
            "ellipsis_ratio": s["ellipsis_ratio"] > self.max_ellipsis_ratio,
            "bullet_line_frac": s["bullet_line_frac"] > self.max_bullet_line_frac,
            "ellipsis_line_frac": s["ellipsis_line_frac"] > self.max_ellipsis_line_frac,
            "alpha_token_frac": s["alpha_token_frac"] < self.min_alpha_token_frac,
            "stop_words": s["stop_word_count"] < self.min_stop_word_count,
        }
        reasons = tuple(rule for rule in self.rules if failed[rule])
        return Judgement(keep=not reasons, reasons=reasons, signals=s)
