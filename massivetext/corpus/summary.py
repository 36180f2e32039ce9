"""After a corpus run: the summary beside Table 2, and the mixture file for training.

``OUT/summary.json`` (and the printed table) gives, per subset, the documents and
bytes curated (from its ``manifest.json``), its accounting (from its ``stats.json``),
tokens when a tokenizer is given, and Table 2's documents, disk size, tokens and
sampling weight for comparison. ``OUT/mixture.toml`` is the mixture file that
:meth:`massivetext.data.mixture.Mixture.load` reads: one ``[subsets.<name>]`` table
with the subset's curated directory (relative to the file) and its weight. A subset
that kept no document cannot be sampled from, so it is left out of the mixture and
the summary says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from massivetext.data.mixture import TABLE2_WEIGHTS
from massivetext.io.atomic import atomic_output
from massivetext.io.shard_reader import CuratedSubset, open_shard

SUMMARY_NAME = "summary.json"
MIXTURE_NAME = "mixture.toml"

#: Gopher Table 2: disk size (TB), documents and tokens of each MassiveText subset.
TABLE2 = {
    "massiveweb": {"disk_tb": 1.9, "documents": 604e6, "tokens": 506e9},
    "books": {"disk_tb": 2.1, "documents": 4e6, "tokens": 560e9},
    "c4": {"disk_tb": 0.75, "documents": 361e6, "tokens": 182e9},
    "news": {"disk_tb": 2.7, "documents": 1.1e9, "tokens": 676e9},
    "github": {"disk_tb": 3.1, "documents": 142e6, "tokens": 422e9},
    "wikipedia": {"disk_tb": 0.001, "documents": 6e6, "tokens": 4e9},
}
# Texts handed to the tokenizer at a time when counting tokens: bounded memory.
TOKEN_COUNT_BATCH = 256


@dataclass(frozen=True)
class SubsetSummary:
    name: str
    directory: str
    documents: int
    text_bytes: int
    accounting: dict
    tokens: int | None
    weight: float
    table2: dict

    @property
    def in_mixture(self) -> bool:
        return self.documents > 0


def count_tokens(subset: CuratedSubset, tokenizer) -> int:
    """Tokens of every document of ``subset``, streamed a batch of texts at a time."""
    total, batch = 0, []
    for shard in subset.shards:
        for _, text in open_shard(subset.shard_path(shard)).iter_texts():
            batch.append(text)
            if len(batch) == TOKEN_COUNT_BATCH:
                total += sum(len(ids) for ids in tokenizer.encode_batch(batch))
                batch = []
    return total + sum(len(ids) for ids in tokenizer.encode_batch(batch)) if batch else total


def summarise(directories: dict[str, str], weights: dict[str, float | None],
              tokenizer=None) -> list[SubsetSummary]:
    """One SubsetSummary per curated subset directory (name -> directory)."""
    summaries = []
    for name, directory in directories.items():
        subset = CuratedSubset.open(directory)
        with open(os.path.join(directory, "stats.json"), encoding="utf-8") as file:
            accounting = json.load(file)["accounting"]
        weight = weights.get(name)
        summaries.append(SubsetSummary(
            name=name, directory=directory, documents=subset.rows,
            text_bytes=subset.text_bytes, accounting=accounting,
            tokens=count_tokens(subset, tokenizer) if tokenizer is not None else None,
            weight=TABLE2_WEIGHTS.get(name, 0.0) if weight is None else weight,
            table2=TABLE2.get(name, {})))
    return summaries


def mixture_toml(summaries: Sequence[SubsetSummary], base: str) -> str:
    """The mixture file's text: subsets with documents, paths relative to ``base``."""
    lines = ["# Written by `massivetext corpus`: the curated subsets and their sampling",
             "# weights (Gopher Table 2 unless the corpus configuration set them).", ""]
    for summary in summaries:
        if not summary.in_mixture:
            continue
        path = os.path.relpath(summary.directory, base)
        lines += [f"[subsets.{summary.name}]", f"path = {json.dumps(path)}",
                  f"weight = {summary.weight:g}", ""]
    return "\n".join(lines)


def _format_count(value: float | None) -> str:
    if value is None:
        return "-"
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.0f}"


def format_table(summaries: Sequence[SubsetSummary]) -> str:
    """Ours beside Table 2's, one subset a line."""
    header = (f"{'subset':<11}{'documents':>10}{'MB':>10}{'tokens':>9}{'weight':>8}   "
              f"{'Table 2: documents':>18}{'disk TB':>8}{'tokens':>8}{'weight':>7}")
    lines = [header]
    for s in summaries:
        table2 = s.table2
        lines.append(
            f"{s.name:<11}{s.documents:>10}{s.text_bytes / 1e6:>10.2f}"
            f"{_format_count(s.tokens):>9}{s.weight:>7g}%   "
            f"{_format_count(table2.get('documents')):>18}{table2.get('disk_tb', '-'):>8}"
            f"{_format_count(table2.get('tokens')):>8}{TABLE2_WEIGHTS.get(s.name, 0):>6g}%"
            + ("" if s.in_mixture else "   (no documents: not in the mixture)"))
    return "\n".join(lines)


def write_summary(output: str, summaries: Sequence[SubsetSummary], parameters: dict) -> str:
    """Write ``OUT/summary.json`` and ``OUT/mixture.toml``; returns the mixture's path."""
    summary = {"subsets": [asdict(s) | {"in_mixture": s.in_mixture} for s in summaries],
               "mixture": MIXTURE_NAME, "parameters": parameters}
    with atomic_output(os.path.join(output, SUMMARY_NAME)) as out:
        out.write((json.dumps(summary, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    mixture_path = os.path.join(output, MIXTURE_NAME)
    with atomic_output(mixture_path) as out:
        out.write(mixture_toml(summaries, output).encode("utf-8"))
    return mixture_path
