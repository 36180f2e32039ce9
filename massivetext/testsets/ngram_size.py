"""How many words a shared n-gram needs, per test set, in ``--decontam-mode ngram-overlap``.

A 13-gram rule never matches a test item shorter than 13 words, which is most of a QA
benchmark (PIQA goals, LAMBADA targets, trivia questions). GPT-3's rule (Brown et al.
2020, Appendix C) is followed: per test set, n is the 5th percentile of its items' word
counts, at most 13 and at least a floor of 8 words, below which GPT-3 found spurious
collisions (docs/paper.md, "Test-set filtering of short items"):

- an item of at least n words is matched by any of its n-grams;
- an item of ``floor`` to n - 1 words is matched as one whole sequence: a training
  document must contain all its words in order;
- an item shorter than the floor is not matched at all (an 8-word floor keeps "the
  answer is yes" from removing half the corpus); such items are counted, per test set.

Words are those of near-duplicate detection (:func:`massivetext.dedup.minhash.dedup_words`):
lower-cased, punctuation removed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, dedup_words

#: GPT-3 (Brown et al. 2020, App. C): the 5th percentile of the items' word counts ...
LENGTH_PERCENTILE = 5
#: ... with a minimum of 8 words on non-synthetic tasks, and 13 (Gopher's n) at most.
MIN_NGRAM_WORDS = 8
MAX_NGRAM_WORDS = DEFAULT_NGRAM_SIZE


def word_count(text: str) -> int:
    return len(dedup_words(text))


def percentile_lower(values: list[int], percentile: float) -> int:
    """The ``percentile``-th percentile of ``values``, taken as a value that occurs
    (nearest rank, rounding down), so n is the length of some real item."""
    ordered = sorted(values)
    rank = max(math.ceil(percentile / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class NgramSize:
    """The n of one test set, and how its items are matched."""

    n: int
    items: int
    whole_sequence_items: int  # floor <= words < n: matched as one whole sequence
    unmatched_items: int  # fewer words than the floor: not matched


def item_ngram_size(words: int, n: int, floor: int = MIN_NGRAM_WORDS) -> int | None:
    """The n-gram size an item of ``words`` words is matched with (n, or all its words),
    or None when it is shorter than the floor."""
    if words >= n:
        return n
    return words if words >= floor else None


def ngram_size_for(word_counts: Iterable[int], floor: int = MIN_NGRAM_WORDS,
                   ceiling: int = MAX_NGRAM_WORDS) -> NgramSize:
    """GPT-3's n for a test set whose items have ``word_counts`` words."""
    counts = list(word_counts)
    if not counts:
        return NgramSize(ceiling, 0, 0, 0)
    n = min(ceiling, max(floor, percentile_lower(counts, LENGTH_PERCENTILE)))
    whole = sum(1 for count in counts if floor <= count < n)
    unmatched = sum(1 for count in counts if count < floor)
    return NgramSize(n, len(counts), whole, unmatched)
