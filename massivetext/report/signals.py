"""Signal histograms with their thresholds: "what if this threshold were 0.25?".

Each stage's histograms (stats.json) count every document that reached the stage, kept
or removed, in fixed bins (:mod:`massivetext.stats.model`). A filter parameter
``max_<signal>`` removes documents above it, ``min_<signal>`` those below it. For each
bin edge the report gives the share of documents a threshold at that edge would remove,
so the curve over the bars answers the question for any threshold; the share at the
run's own threshold is exact when the stage counted the rule (stats.json ``reasons``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A rule named differently from its signal (the others share the signal's name, or add
# _low/_high to it for a pair of bounds).
_RULE_OF_SIGNAL = {"stop_word_count": "stop_words", "english_score": "not_english"}


@dataclass(frozen=True)
class Threshold:
    bound: str  # "max": documents above are removed; "min": those below
    value: float
    rule: str | None  # the reason that counts it in stats.json, when there is one
    removed: int | None  # documents that failed it (exact, from stats.json)


@dataclass(frozen=True)
class SignalHistogram:
    stage: str
    signal: str
    labels: list[str]  # one per bin: "[0.15, 0.2)", the last "≥ 0.95"
    ticks: list[str]  # one per bin: its lower edge
    counts: list[int]
    edges: list[float]
    thresholds: list[Threshold]

    @property
    def total(self) -> int:
        return sum(self.counts)

    def share_beyond(self, bound: str) -> list[float]:
        """Per bin i: the share removed by a ``bound`` threshold at the bin's lower edge
        (max: documents with value >= edge; min: documents with value < edge)."""
        total = self.total or 1
        if bound == "max":
            return [sum(self.counts[i:]) / total for i in range(len(self.counts))]
        return [sum(self.counts[:i]) / total for i in range(len(self.counts))]

    def position(self, value: float) -> float:
        """Where ``value`` falls on the category axis (bin i spans i - 0.5 .. i + 0.5)."""
        edges = self.edges
        for i, low in enumerate(edges):
            high = edges[i + 1] if i + 1 < len(edges) else None
            if high is None or value < high:
                if value < low:
                    return i - 0.5
                width = (high - low) if high is not None else 1.0
                return i - 0.5 + min((value - low) / width, 1.0)
        return len(edges) - 0.5


def _format_edge(value: float) -> str:
    return f"{value:g}"


def bin_labels(edges: list[float]) -> list[str]:
    labels = [f"[{_format_edge(low)}, {_format_edge(high)})"
              for low, high in zip(edges, edges[1:], strict=False)]
    return [*labels, f"≥ {_format_edge(edges[-1])}"]


def thresholds_by_signal(parameters: dict) -> dict[str, list[tuple[str, float]]]:
    """signal -> [(bound, value)] from the filters' ``max_*``/``min_*`` parameters."""
    found: dict[str, list[tuple[str, float]]] = {}
    for fields in parameters.values():
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            bound, _, signal = name.partition("_")
            if bound in ("max", "min") and signal and isinstance(value, int | float):
                found.setdefault(signal, []).append((bound, float(value)))
    return found


def _rule_for(signal: str, bound: str, bounds: int, reasons: dict[str, int]) -> str | None:
    candidates = [_RULE_OF_SIGNAL.get(signal, signal)]
    if bounds > 1:
        candidates.insert(0, f"{signal}_{'high' if bound == 'max' else 'low'}")
    return next((rule for rule in candidates if rule in reasons), None)


def _natural_key(name: str) -> list:
    """dup_5gram before dup_10gram: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def signal_histograms(stats: dict) -> list[SignalHistogram]:
    """Every stage's signal histograms, in pipeline then natural signal order."""
    limits = thresholds_by_signal(stats.get("parameters", {}))
    result = []
    for entry in stats["stages"]:
        reasons = entry.get("reasons", {})
        for signal in sorted(entry.get("histograms", {}), key=_natural_key):
            histogram = entry["histograms"][signal]
            bounds = limits.get(signal, [])
            thresholds = []
            for bound, value in bounds:
                rule = _rule_for(signal, bound, len(bounds), reasons)
                thresholds.append(Threshold(bound, value, rule, reasons.get(rule)))
            edges = [float(edge) for edge in histogram["edges"]]
            result.append(SignalHistogram(entry["stage"], signal, bin_labels(edges),
                                          [_format_edge(edge) for edge in edges],
                                          list(histogram["counts"]), edges, thresholds))
    return result
