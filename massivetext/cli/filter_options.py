"""Command-line options generated from document filters, for ``run`` and ``score`` alike.

Every threshold of every filter (:class:`massivetext.filters.base.DocumentFilter`)
becomes an option named ``--<filter>-<threshold>`` whose default is the filter's
default (the paper's number, or our documented choice), so a threshold is written once,
in ``filters/``, and every command that runs a filter takes the same flags.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

from massivetext.filters.base import DocumentFilter, thresholds


def option_name(filter_class: type[DocumentFilter], threshold: str) -> str:
    """``--quality-min-word-count`` for QualityFilter's ``min_word_count``."""
    return f"--{filter_class.name}-{threshold.replace('_', '-')}"


def _dest(filter_class: type[DocumentFilter], threshold: str) -> str:
    return f"{filter_class.name}__{threshold}"


def _metavar(threshold: dataclasses.Field) -> str:
    """N for a count, else the kind of value its name ends with: FRAC, RATIO, LENGTH ..."""
    if isinstance(threshold.default, int):
        return "N"
    return threshold.name.rsplit("_", 1)[-1].upper()


def add_filter_arguments(parser: argparse.ArgumentParser,
                         filter_classes: Sequence[type[DocumentFilter]]) -> None:
    """One option group per filter, one option per threshold."""
    for filter_class in filter_classes:
        group = parser.add_argument_group(f"{filter_class.name} filter")
        for threshold in thresholds(filter_class):
            help_text = f"{threshold.metadata.get('help', '')} (default: {threshold.default})"
            group.add_argument(
                option_name(filter_class, threshold.name), type=type(threshold.default),
                default=threshold.default, dest=_dest(filter_class, threshold.name),
                metavar=_metavar(threshold), help=help_text.replace("%", "%%"))


def filters_from_args(args: argparse.Namespace, filter_classes: Sequence[type[DocumentFilter]]
                      ) -> dict[str, DocumentFilter]:
    """Filter name -> the filter built with the thresholds parsed into ``args``."""
    return {
        filter_class.name: filter_class(**{
            threshold.name: getattr(args, _dest(filter_class, threshold.name))
            for threshold in thresholds(filter_class)})
        for filter_class in filter_classes}
