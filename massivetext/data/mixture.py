"""The training mixture: which curated subsets to read and how often (Gopher Table 2).

A mixture file is TOML or JSON. Each subset names its curated output directory (the
subset's own directory, or the run directory holding ``<subset>/``) and optionally its
weight, which defaults to the subset's Table 2 sampling weight::

    [subsets.massiveweb]
    path = "out/curated"        # relative paths are relative to the mixture file
    weight = 48                 # optional: Table 2's 48% is the default

    [subsets.books]
    path = "gs://bucket/run-7/books"

Weights are renormalised over the subsets given (:meth:`Mixture.describe` says so).
A subset named but missing, empty, or without a known weight is a clear error.
"""

from __future__ import annotations

import json
import os
import posixpath
from dataclasses import dataclass

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from massivetext.io.shard_reader import CuratedSubset, find_subsets, read_file

# Gopher Table 2: sampling proportions (percent) of the MassiveText subsets.
TABLE2_WEIGHTS = {"massiveweb": 48.0, "books": 27.0, "c4": 10.0, "news": 10.0,
                  "github": 3.0, "wikipedia": 2.0}


@dataclass(frozen=True)
class MixtureSubset:
    name: str
    subset: CuratedSubset
    weight: float


def _resolve(name: str, path: str) -> CuratedSubset:
    """The curated subset ``name`` at ``path`` (the subset directory or its run's)."""
    try:
        found = find_subsets(path)
    except FileNotFoundError as error:
        raise FileNotFoundError(f"mixture subset {name!r}: {error}") from None
    if len(found) == 1 and found[0].directory.rstrip("/") == path.rstrip("/"):
        return found[0]
    for subset in found:
        if subset.name == name:
            return subset
    raise FileNotFoundError(f"mixture subset {name!r}: {path} holds only "
                            f"{', '.join(subset.name for subset in found)}")


@dataclass(frozen=True)
class Mixture:
    subsets: tuple[MixtureSubset, ...]

    @classmethod
    def from_paths(cls, paths: dict[str, str], weights: dict[str, float] | None = None
                   ) -> Mixture:
        """Subset name -> directory; weights default to Table 2's."""
        weights = {**TABLE2_WEIGHTS, **(weights or {})}
        chosen = []
        for name, path in sorted(paths.items()):
            if name not in weights:
                raise ValueError(f"mixture subset {name!r} has no weight and is not a "
                                 f"Table 2 subset ({', '.join(TABLE2_WEIGHTS)})")
            weight = float(weights[name])
            if not weight > 0:
                raise ValueError(f"mixture subset {name!r}: weight must be > 0, not {weight}")
            subset = _resolve(name, path)
            if subset.rows == 0 or subset.text_bytes == 0:
                raise ValueError(f"mixture subset {name!r}: {subset.directory} has no documents")
            chosen.append(MixtureSubset(name, subset, weight))
        if not chosen:
            raise ValueError("a mixture needs at least one subset")
        return cls(tuple(chosen))

    @classmethod
    def from_run(cls, run_directory: str) -> Mixture:
        """Every subset of one pipeline run, at its Table 2 weight."""
        return cls.from_paths({subset.name: subset.directory
                               for subset in find_subsets(run_directory)})

    @classmethod
    def load(cls, path: str) -> Mixture:
        """Read a mixture file (``.toml`` or ``.json``; local, gs:// or s3://)."""
        text = read_file(path).decode("utf-8")
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
        entries = data.get("subsets")
        if not isinstance(entries, dict) or not entries:
            raise ValueError(f"{path}: a mixture needs a [subsets.<name>] table per subset")
        remote = "://" in path
        base = posixpath.dirname(path) if remote else os.path.dirname(os.path.abspath(path))
        join = posixpath.join if remote else os.path.join
        paths, weights = {}, {}
        for name, entry in entries.items():
            if not isinstance(entry, dict) or "path" not in entry:
                raise ValueError(f"{path}: subset {name!r} needs a path")
            location = str(entry["path"])
            paths[name] = location if "://" in location else join(base, location)
            if "weight" in entry:
                weights[name] = entry["weight"]
        return cls.from_paths(paths, weights)

    @property
    def names(self) -> list[str]:
        return [entry.name for entry in self.subsets]

    @property
    def probabilities(self) -> list[float]:
        """Each subset's probability of being picked: its weight renormalised."""
        total = sum(entry.weight for entry in self.subsets)
        return [entry.weight / total for entry in self.subsets]

    def describe(self) -> str:
        lines = []
        for entry, probability in zip(self.subsets, self.probabilities, strict=True):
            lines.append(f"{entry.name:<12} weight {entry.weight:g} -> p = {probability:.4f}  "
                         f"({entry.subset.rows} documents, {entry.subset.text_bytes} bytes, "
                         f"{entry.subset.directory})")
        total = sum(entry.weight for entry in self.subsets)
        if abs(total - 100.0) > 1e-9:
            lines.append(f"weights sum to {total:g}: renormalised over "
                         f"{', '.join(self.names)}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {entry.name: {"path": entry.subset.directory, "weight": entry.weight,
                             "manifest_sha256": entry.subset.manifest_sha256}
                for entry in self.subsets}
