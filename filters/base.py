"""What a document filter is: its judgement, and the protocol every filter follows.

A filter is a frozen dataclass whose fields are its thresholds (each field's ``help``
metadata says what it bounds and where the paper sets it), with a ``name``, the names
of its rules and of its signals, and ``judge(text)``. That is all a pipeline stage, the
``score`` command or the generated command-line options
(:mod:`massivetext.cli.filter_options`) need to know of a filter.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable


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


@runtime_checkable
class DocumentFilter(Protocol):
    """A document filter: a frozen dataclass of thresholds that judges a text.

    ``name`` prefixes its command-line options (``--quality-min-word-count``) and
    names its stage; ``rules`` are the removal reasons it can give, in the order it
    reports them; ``signal_names`` the measures it adds to every document (one shard
    column each).
    """

    name: ClassVar[str]
    rules: ClassVar[tuple[str, ...]]
    signal_names: ClassVar[tuple[str, ...]]

    def judge(self, text: str) -> Judgement:
        """Keep or remove ``text``: every failed rule, every signal."""
        ...


def thresholds(filter_class: type[DocumentFilter]) -> tuple[dataclasses.Field, ...]:
    """The thresholds of a filter class: the fields of its frozen dataclass."""
    if not is_filter_class(filter_class):
        raise TypeError(f"{filter_class.__name__} is not a DocumentFilter class")
    return dataclasses.fields(filter_class)


def is_filter_class(candidate: object) -> bool:
    """Whether ``candidate`` is a class that follows :class:`DocumentFilter`.

    (``issubclass`` cannot check a protocol with data members, so this checks them.)
    """
    params = getattr(candidate, "__dataclass_params__", None)
    return (isinstance(candidate, type) and params is not None and params.frozen
            and all(hasattr(candidate, member)
                    for member in ("name", "rules", "signal_names", "judge")))
