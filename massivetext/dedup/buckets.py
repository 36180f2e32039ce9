"""Which candidate pairs an LSH band bucket proposes (docs/paper.md, "Document
deduplication": our choice, the paper gives no procedure).

A bucket of at most ``max_all_pairs`` members proposes all its pairs; a larger one
(boilerplate shared by many pages) proposes only a star, each member paired with the
bucket's smallest node, so its cost is linear. The trade-off: inside a large bucket a
pair (x, y) is verified only through the centre c. When J(x, c) and J(y, c) both exceed
the threshold, x and y still end in one cluster; when c is not similar enough to x, the
pair (x, y) is found only through another band bucket the two share (at Jaccard 0.8
they share about 4 of the 16 bands, each with its own centre or few enough members for
all pairs), so recall drops only for pairs that live solely in huge mixed buckets.
Precision never drops: every proposed pair is verified before it joins a cluster.

``members`` are re-iterable (a GroupByKey's values): a bucket is streamed, never held,
unless it is small.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

# Buckets up to this size propose all pairs (<= 496); larger ones a star: our choice.
DEFAULT_ALL_PAIRS_BUCKET_SIZE = 32

T = TypeVar("T")


def is_star_bucket(members: Iterable[T], max_all_pairs: int) -> bool:
    """Whether a bucket is too large for all pairs (counts at most ``max_all_pairs + 1``)."""
    return sum(1 for _ in itertools.islice(members, max_all_pairs + 1)) > max_all_pairs


def bucket_pairs(members: Iterable[T], max_all_pairs: int) -> Iterator[tuple[T, T]]:
    """The candidate pairs of one bucket, each as (smaller, larger) member."""
    head = list(itertools.islice(members, max_all_pairs + 1))
    if len(head) <= max_all_pairs:
        yield from itertools.combinations(sorted(head), 2)
        return
    centre = min(members)
    for member in members:
        if member != centre:
            yield centre, member
