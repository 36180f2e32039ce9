"""What every document filter returns: a verdict, every failed rule, every signal."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Judgement:
    """The verdict of one filter on one document.

    ``reasons`` names *all* failed rules (not only the first), in the filter's rule
    order, so statistics can count every rule; ``signals`` holds every measure the
    filter computed, keyed by signal name.
    """

    keep: bool
    reasons: tuple[str, ...]
    signals: dict[str, float]
