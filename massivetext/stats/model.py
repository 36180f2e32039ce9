"""Run statistics: what each stage took in, kept, removed (per reason), skipped and failed.

Stages report plain ``(stage, key, value)`` triples in the vocabulary of
:mod:`massivetext.stats.keys`, summed per (stage, key); this module makes the triples
of one outcome, turns the sums into the ``stats.json`` document and checks the
invariant that nothing was lost::

    input records = kept + removed + skipped + failed
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence

from massivetext.stats import keys

Triple = tuple[str, str, int]

FRACTION_EDGES = tuple(round(i * 0.05, 2) for i in range(21))
COUNT_EDGES = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
               50_000, 100_000)
LENGTH_EDGES = tuple(range(0, 21))


def histogram_edges(signal: str) -> tuple[float, ...]:
    """Fixed bin edges per signal, so partial histograms from many workers add up."""
    if signal.endswith("_count"):
        return COUNT_EDGES
    if signal == "mean_word_length":
        return LENGTH_EDGES
    return FRACTION_EDGES


def histogram_bin(signal: str, value: float) -> int:
    """Bin i holds edges[i] <= value < edges[i+1]; the last bin also holds all above."""
    edges = histogram_edges(signal)
    return min(max(bisect.bisect_right(edges, value) - 1, 0), len(edges) - 1)


def document_triples(stage: str, outcome: str, num_bytes: int, reasons: Sequence[str] = (),
                     signals: dict[str, float] | None = None) -> list[Triple]:
    """The statistics one document contributes to one stage (``outcome``: kept or removed)."""
    triples = [(stage, outcome, 1), (stage, keys.bytes_key(outcome), num_bytes)]
    triples += [(stage, keys.removed_key(reason), 1) for reason in reasons]
    if len(reasons) == 1:
        triples.append((stage, keys.removed_alone_key(reasons[0]), 1))
    elif len(reasons) > 1:
        triples.append((stage, keys.REMOVED_SEVERAL, 1))
    for signal, value in (signals or {}).items():
        triples.append((stage, keys.histogram_key(signal, histogram_bin(signal, value)), 1))
    return triples


def skipped_triples(stage: str, kind: str) -> list[Triple]:
    """The statistics of one record skipped as not a document to curate."""
    return [(stage, keys.skipped_key(kind), 1)]


def failed_triples(stage: str, error: str) -> list[Triple]:
    """The statistics of one record that failed with ``error``."""
    return [(stage, keys.failed_key(error), 1)]


def assemble_stats(sums: Iterable[tuple[tuple[str, str], int]], stage_order: Sequence[str],
                   parameters: dict | None = None) -> dict:
    """Build the ``stats.json`` document from summed ``((stage, key), value)`` pairs."""
    by_stage: dict[str, dict[str, int]] = defaultdict(dict)
    for (stage, key), value in sums:
        by_stage[stage][key] = value
    # Stages missing from ``stage_order`` go just before the last (the output) stage;
    # stages that did not run (no decontamination without test sets) are left out.
    unknown = sorted(set(by_stage) - set(stage_order))
    ordered = [stage for stage in stage_order[:-1] if stage in by_stage] + unknown
    ordered = [stage_order[0], *(s for s in ordered if s != stage_order[0]), stage_order[-1]]
    stages = [_stage_entry(stage, by_stage.get(stage, {})) for stage in ordered]
    read, output = stages[0], stages[-1]
    accounting = {
        "input_records": read["records"],
        "kept": output["kept"],
        "removed": sum(entry["removed"] for entry in stages),
        "skipped": sum(sum(entry["skipped"].values()) for entry in stages),
        "failed": sum(sum(entry["failed"].values()) for entry in stages),
    }
    accounting["balanced"] = accounting["input_records"] == (
        accounting["kept"] + accounting["removed"] + accounting["skipped"] + accounting["failed"])
    return {"stages": stages, "accounting": accounting, "parameters": parameters or {}}


def _stage_entry(stage: str, counts: dict[str, int]) -> dict:
    entry: dict = {"stage": stage, "kept": counts.get("kept", 0),
                   "kept_bytes": counts.get("kept_bytes", 0),
                   "removed": counts.get("removed", 0),
                   "removed_bytes": counts.get("removed_bytes", 0),
                   "reasons": {}, "removed_alone": {},
                   "removed_several": counts.get(keys.REMOVED_SEVERAL, 0),
                   "skipped": {}, "failed": {}, "histograms": {}, "extra": {}}
    histograms: dict[str, dict[int, int]] = defaultdict(dict)
    for key, value in sorted(counts.items()):
        kind, name = keys.split_key(key)
        if kind == keys.REMOVED and name:
            entry["reasons"][name] = value
        elif kind == keys.REMOVED_ALONE:
            entry["removed_alone"][name] = value
        elif kind == "skipped":
            entry["skipped"][name] = value
        elif kind == "failed":
            entry["failed"][name] = value
        elif kind == keys.HISTOGRAM:
            signal, _, bin_index = name.rpartition(":")
            histograms[signal][int(bin_index)] = value
        elif key not in entry and key != keys.RECORDS:
            entry["extra"][key] = value
    for signal, bins in sorted(histograms.items()):
        edges = histogram_edges(signal)
        entry["histograms"][signal] = {
            "edges": list(edges), "counts": [bins.get(i, 0) for i in range(len(edges))]}
    entry["records"] = counts.get(keys.RECORDS, 0)
    entry["docs_in"] = counts.get(keys.RECORDS) or (
        entry["kept"] + entry["removed"] + sum(entry["failed"].values()))
    return entry
