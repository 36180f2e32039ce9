"""The funnel: records per stage from input to output, removed per stage and reason.

A document failing three rules counts once in its stage's ``removed`` and once under
each reason, so reasons add up to more than ``removed``. How many documents each rule
removed *alone* and how many failed *several* rules comes from stats.json when the run
recorded it (``removed_alone``: reason -> count, reasons that removed nothing alone
left out; ``removed_several``); otherwise from the removed samples,
exactly when they hold every removed document of the stage, and else as an estimate
(alone: the reason's share of single-rule records in its own uniform sample; several: a
lower bound, the multi-rule documents seen).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from massivetext.report.run import Run

EXACT, STATS, ESTIMATE = "exact from the samples", "stats.json", "estimated from the samples"


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    removed: int  # documents that failed this rule (alone or with others)
    share: float  # of the documents that reached the stage
    alone: int | None  # documents this rule removed alone
    alone_sample: int  # sample size the alone figure comes from (0: not from a sample)


@dataclass(frozen=True)
class StageRow:
    stage: str
    docs_in: int
    kept: int
    removed: int
    skipped: int
    failed: int
    reasons: list[ReasonRow] = field(default_factory=list)
    several: int | None = None  # documents that failed two or more rules
    several_is_lower_bound: bool = False
    basis: str = STATS  # where alone/several come from

    @property
    def removed_share(self) -> float:
        return self.removed / self.docs_in if self.docs_in else 0.0


def _sampled_documents(run: Run, stage: str) -> dict[str, tuple[str, ...]]:
    """id -> reasons of every removed document of ``stage`` in the samples."""
    found: dict[str, tuple[str, ...]] = {}
    for (sample_stage, _), records in run.removed.items():
        if sample_stage == stage:
            for record in records:
                found[str(record.get("id"))] = tuple(record.get("reasons") or ())
    return found


def stage_row(run: Run, entry: dict) -> StageRow:
    stage, docs_in = entry["stage"], entry["docs_in"]
    reasons = entry["reasons"]
    alone_counts, several = entry.get("removed_alone"), entry.get("removed_several")
    basis, lower_bound, sample_sizes = STATS, False, {}
    if alone_counts is None or several is None:
        sampled = _sampled_documents(run, stage)
        complete = len(sampled) == entry["removed"]
        singles = [next(iter(rs)) for rs in sampled.values() if len(rs) == 1]
        if alone_counts is None:
            alone_counts = {reason: singles.count(reason) for reason in reasons}
            if not complete:
                # Each reason's sample is uniform over that reason's documents.
                for reason, count in reasons.items():
                    records = run.removed.get((stage, reason), [])
                    sample_sizes[reason] = len(records)
                    alone = sum(1 for r in records if list(r.get("reasons") or ()) == [reason])
                    alone_counts[reason] = (round(count * alone / len(records))
                                            if records else None)
        if several is None:
            several = sum(1 for rs in sampled.values() if len(rs) > 1)
            lower_bound = not complete
        basis = EXACT if complete else ESTIMATE
    rows = [ReasonRow(reason, count, count / docs_in if docs_in else 0.0,
                      alone_counts.get(reason, 0 if basis == STATS else None),
                      sample_sizes.get(reason, 0))
            for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))]
    return StageRow(stage, docs_in, entry["kept"], entry["removed"],
                    sum(entry["skipped"].values()), sum(entry["failed"].values()), rows,
                    several if reasons else None, lower_bound, basis)


def funnel(run: Run) -> list[StageRow]:
    """One row per stage, in pipeline order."""
    return [stage_row(run, entry) for entry in run.stats["stages"]]


def funnel_counts(run: Run) -> list[tuple[str, int]]:
    """(label, records) from input to output: what the funnel chart draws."""
    stages = run.stats["stages"]
    points = [("input records", run.stats["accounting"]["input_records"])]
    points += [(f"after {entry['stage']}", entry["kept"]) for entry in stages[:-1]]
    points.append(("output", stages[-1]["kept"]))
    return points
