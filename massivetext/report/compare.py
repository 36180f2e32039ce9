"""Two runs side by side (``massivetext report OUT_A OUT_B``), e.g. two threshold settings.

Per stage and reason: each run's count and the change. Documents kept by one run and
removed by the other: a document in one run's removed samples that the other run did not
remove. The other run's removals are known completely when it wrote every removed
document (``--keep-removed all``: ``removed/all/``) or when its samples hold all of
them (small runs); otherwise "not removed by the other" only means "not among its
sampled removals", and the page says so.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field

from massivetext.report.run import Run
from massivetext.report.samples import DEFAULT_MAX_CHARS, ShownDocument, limits_of, show_document


@dataclass(frozen=True)
class CountChange:
    stage: str
    reason: str  # "" for the stage's own row
    a: int
    b: int

    @property
    def delta(self) -> int:
        return self.b - self.a


@dataclass
class OnlyRemoved:
    """Documents removed by ``by`` and not removed by the other run."""

    by: str  # "A" or "B"
    other_complete: bool  # the other run's removals are all known
    documents: list[ShownDocument] = field(default_factory=list)


def count_changes(a: Run, b: Run) -> list[CountChange]:
    stages_a = {entry["stage"]: entry for entry in a.stats["stages"]}
    stages_b = {entry["stage"]: entry for entry in b.stats["stages"]}
    order = [s["stage"] for s in a.stats["stages"]]
    order += [s["stage"] for s in b.stats["stages"] if s["stage"] not in stages_a]
    changes = []
    empty = {"removed": 0, "kept": 0, "reasons": {}}
    for stage in order:
        entry_a, entry_b = stages_a.get(stage, empty), stages_b.get(stage, empty)
        if not (entry_a["removed"] or entry_b["removed"]):
            continue  # nothing to compare (read, extract, output)
        changes.append(CountChange(stage, "", entry_a["removed"], entry_b["removed"]))
        for reason in sorted(set(entry_a["reasons"]) | set(entry_b["reasons"])):
            changes.append(CountChange(stage, reason, entry_a["reasons"].get(reason, 0),
                                       entry_b["reasons"].get(reason, 0)))
    changes.append(CountChange("kept (output)", "", a.stats["accounting"]["kept"],
                               b.stats["accounting"]["kept"]))
    return changes


def _all_removed_ids(run: Run) -> set[str] | None:
    """Every removed document's id, when the run's removals are all known."""
    folder = run.directory / "removed" / "all"
    if folder.is_dir():
        ids = set()
        for path in sorted(folder.glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as file:
                for line in file:
                    try:
                        ids.add(str(json.loads(line).get("id")))
                    except (json.JSONDecodeError, AttributeError):
                        continue
        return ids
    sampled = {str(record.get("id")) for records in run.removed.values() for record in records}
    return sampled if len(sampled) == run.stats["accounting"]["removed"] else None


def only_removed(by: Run, other: Run, label: str, limit: int,
                 max_chars: int = DEFAULT_MAX_CHARS) -> OnlyRemoved:
    """Up to ``limit`` documents of ``by``'s removed samples that ``other`` did not remove."""
    known = _all_removed_ids(other)
    removed_by_other = known if known is not None else {
        str(record.get("id")) for records in other.removed.values() for record in records}
    result = OnlyRemoved(label, known is not None)
    limits, seen = limits_of(by.stats), set()
    for (stage, reason), records in sorted(by.removed.items()):
        for record in records:
            doc_id = str(record.get("id"))
            if doc_id in removed_by_other or doc_id in seen or len(result.documents) >= limit:
                continue
            seen.add(doc_id)
            result.documents.append(show_document(record, stage, reason, limits, max_chars))
    return result
