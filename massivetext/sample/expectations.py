"""What the pipeline is meant to do with the sample's planted duplicate and test-set cases.

Not every planted case is meant to be removed: near duplicates are planted on both
sides of the paper's 13-gram Jaccard threshold (0.8, Gopher Sec. A.1.1), and test-set
passages quote a few dozen words of a test document, far below that threshold, so
only ``--decontam-mode ngram-overlap`` removes them. :func:`explain` says so, from the
sample's manifest, so a user comparing ``massivetext stats`` with the sample's counts
knows which difference is by design.
"""

from __future__ import annotations

from collections.abc import Iterable

from massivetext.dedup.lsh import DEFAULT_THRESHOLD


def _span(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}" if values else "-"


def meant_to_stay(records: Iterable[dict], threshold: float = DEFAULT_THRESHOLD
                  ) -> dict[str, list[dict]]:
    """The planted near-duplicate and test-set records a default (jaccard-mode) run keeps,
    by case: near duplicates and test-set copies at or below the threshold, and every
    test-set passage."""
    stay: dict[str, list[dict]] = {"near_duplicate": [], "test_set_copy": [],
                                   "test_set_passage": []}
    for record in records:
        case = record.get("case")
        if case == "test_set_passage" or (case in stay and record["jaccard"] <= threshold):
            stay[case].append(record)
    return stay


def explain(records: Iterable[dict], threshold: float = DEFAULT_THRESHOLD) -> list[str]:
    """Lines saying, per planted case, how many are meant to be removed and to stay."""
    records = list(records)
    stay = meant_to_stay(records, threshold)
    by_case: dict[str, list[dict]] = {}
    for record in records:
        by_case.setdefault(record.get("case", ""), []).append(record)
    lines = []
    exact = by_case.get("exact_duplicate", [])
    if exact:
        lines.append(f"exact_duplicate   {len(exact):>3} planted: all removed by exact dedup")
    for case, stage in (("near_duplicate", "near dedup"), ("test_set_copy", "decontaminate")):
        planted = by_case.get(case, [])
        if not planted:
            continue
        below = [r["jaccard"] for r in stay[case]]
        above = [r["jaccard"] for r in planted if r not in stay[case]]
        line = (f"{case:<17} {len(planted):>3} planted: {len(above)} above Jaccard "
                f"{threshold:g} ({_span(above)}) removed by {stage}")
        if below:
            line += f"; {len(below)} at {_span(below)} meant to stay (below the threshold)"
        lines.append(line)
    passages = stay["test_set_passage"]
    if passages:
        words = [r["passage_words"] for r in passages]
        lines.append(
            f"test_set_passage  {len(passages):>3} planted: {min(words)}-{max(words)}-word "
            f"quotes of a test document (Jaccard {_span([r['jaccard'] for r in passages])}): "
            "meant to stay in the default jaccard mode; --decontam-mode ngram-overlap "
            "removes them")
    return lines
