"""What a run wrote, as the report reads it: statistics, manifest, samples, timings.

A run directory is ``OUT/<subset>/`` (or ``OUT`` when it holds only one subset):
``stats.json``, ``manifest.json``, ``run.json`` (timings, when ``massivetext run``
wrote them), ``removed/<stage>.<reason>.jsonl``, ``failed/<stage>.<error>.jsonl`` and
``skipped/<stage>.<kind>.jsonl``.
The samples are bounded by the pipeline (100 records per file), and the report reads at
most ``max_records`` of each, so reading a run costs the same whatever its size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_RECORDS = 100  # all the pipeline writes per (stage, reason)


class RunNotFound(FileNotFoundError):
    """The directory holds no ``stats.json`` (neither itself nor one subset below it)."""


@dataclass
class Run:
    """One subset's output: ``stats`` is stats.json; samples are keyed by (stage, name)."""

    directory: Path
    stats: dict
    manifest: dict | None = None
    timings: dict | None = None
    removed: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    failed: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    skipped: dict[tuple[str, str], list[dict]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.directory)

    def stage(self, name: str) -> dict | None:
        return next((entry for entry in self.stats["stages"] if entry["stage"] == name), None)


def subset_directories(directory: str | Path) -> list[Path]:
    """``directory`` itself when it holds stats.json, else its subsets that do."""
    root = Path(directory)
    if (root / "stats.json").is_file():
        return [root]
    found = sorted(path.parent for path in root.glob("*/stats.json"))
    if not found:
        raise RunNotFound(f"no stats.json in {root} or in a subset directory below it")
    return found


def _read_json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _read_samples(folder: Path, max_records: int) -> dict[tuple[str, str], list[dict]]:
    """``<stage>.<name>.jsonl`` files -> {(stage, name): records}; a line that is not
    JSON (a hand-edited or truncated file) is skipped, not fatal."""
    samples: dict[tuple[str, str], list[dict]] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        stage, _, name = path.stem.partition(".")
        records = []
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if len(records) >= max_records:
                    break
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    records.append(record)
        samples[(stage, name)] = records
    return samples


def load_run(directory: str | Path, max_records: int = DEFAULT_MAX_RECORDS) -> Run:
    """Read one subset directory (one holding stats.json)."""
    path = Path(directory)
    stats = _read_json(path / "stats.json")
    if stats is None:
        raise RunNotFound(f"no stats.json in {path}")
    return Run(directory=path, stats=stats, manifest=_read_json(path / "manifest.json"),
               timings=_read_json(path / "run.json"),
               removed=_read_samples(path / "removed", max_records),
               failed=_read_samples(path / "failed", max_records),
               skipped=_read_samples(path / "skipped", max_records))
