"""``massivetext stats DIR``: the statistics of a run as a table and signal histograms.

Reads ``stats.json`` (written by the pipeline) from ``DIR/<subset>/`` for every subset
found under DIR, or from DIR itself.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

HISTOGRAM_WIDTH = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="a pipeline output directory (or one subset of it)")
    parser.add_argument("--no-histograms", dest="histograms", action="store_false",
                        help="print only the table")


def stats_files(directory: str) -> list[Path]:
    root = Path(directory)
    if (root / "stats.json").exists():
        return [root / "stats.json"]
    return sorted(root.glob("*/stats.json"))


def load_stats(directory: str) -> dict:
    with open(Path(directory) / "stats.json", encoding="utf-8") as file:
        return json.load(file)


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:6.2f}%" if whole else "      -"


def format_table(stats: dict) -> str:
    header = (f"{'stage / reason':<34}{'docs in':>10}{'kept':>10}{'removed':>10}"
              f"{'% removed':>11}{'skipped':>9}{'failed':>8}{'alone':>8}")
    lines = [header, "-" * len(header)]
    notes: list[str] = []
    for entry in stats["stages"]:
        docs_in = entry["docs_in"]
        skipped = sum(entry["skipped"].values())
        failed = sum(entry["failed"].values())
        lines.append(f"{entry['stage']:<34}{docs_in:>10}{entry['kept']:>10}"
                     f"{entry['removed']:>10}{_percent(entry['removed'], docs_in):>11}"
                     f"{skipped:>9}{failed:>8}")
        alone = entry.get("removed_alone", {})
        for reason, count in sorted(entry["reasons"].items(), key=lambda item: -item[1]):
            lines.append(f"  removed: {reason:<23}{'':>20}{count:>10}"
                         f"{_percent(count, docs_in):>11}{'':>17}{alone.get(reason, 0):>8}")
        several = entry.get("removed_several", 0)
        if several:
            notes.append(
                f"{entry['stage']}: {several} of the {entry['removed']} removed documents "
                f"failed two or more rules, so its reason counts add up to "
                f"{sum(entry['reasons'].values())}; 'alone': removed by that rule only")
        for kind, count in sorted(entry["skipped"].items()):
            lines.append(f"  skipped: {kind:<23}{'':>41}{count:>9}")
        for error, count in sorted(entry["failed"].items()):
            lines.append(f"  failed:  {error:<23}{'':>50}{count:>8}")
        for key, value in sorted(entry["extra"].items()):
            lines.append(f"  {key:<32}{value:>10}")
    accounting = stats["accounting"]
    verdict = "balanced" if accounting["balanced"] else "NOT BALANCED: records were lost"
    lines.append("-" * len(header))
    lines.append(f"input records {accounting['input_records']} = kept {accounting['kept']} "
                 f"+ removed {accounting['removed']} + skipped {accounting['skipped']} "
                 f"+ failed {accounting['failed']}  ({verdict})")
    lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def _natural_order(item: tuple[str, dict]) -> list:
    """dup_5gram before dup_10gram: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", item[0])]


def _thresholds(parameters: dict) -> dict[str, str]:
    """What each signal's threshold removes, read off the filters' parameters: a field
    ``max_<signal>`` removes documents above it, ``min_<signal>`` those below it."""
    limits: dict[str, list[str]] = {}
    for fields in parameters.values():
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            bound, _, signal = name.partition("_")
            if bound in ("max", "min") and signal:
                limits.setdefault(signal, []).append(
                    f"{'above' if bound == 'max' else 'below'} {value:g}")
    return {signal: "removed " + " and ".join(parts) for signal, parts in limits.items()}


def format_histograms(stats: dict) -> str:
    blocks = []
    thresholds = _thresholds(stats.get("parameters", {}))
    for entry in stats["stages"]:
        for signal, histogram in sorted(entry["histograms"].items(), key=_natural_order):
            edges, counts = histogram["edges"], histogram["counts"]
            peak = max(counts) or 1
            rule = f"; {thresholds[signal]}" if signal in thresholds else ""
            lines = [f"{entry['stage']} / {signal}  (documents judged: {sum(counts)}{rule})"]
            for index, count in enumerate(counts):
                if not count:
                    continue
                upper = f"{edges[index + 1]:g}" if index + 1 < len(edges) else "inf"
                bar = "#" * max(1, round(HISTOGRAM_WIDTH * count / peak))
                lines.append(f"  [{edges[index]:>7g}, {upper:>7}) {count:>8}  {bar}")
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def format_report(stats: dict, histograms: bool = True) -> str:
    report = format_table(stats)
    if histograms:
        report += "\n\nSignal histograms\n\n" + format_histograms(stats)
    return report


def main(args: argparse.Namespace) -> int:
    files = stats_files(args.directory)
    if not files:
        print(f"no stats.json under {args.directory}")
        return 1
    for path in files:
        stats = load_stats(str(path.parent))
        print(f"\n{path.parent}\n")
        print(format_report(stats, args.histograms))
    return 0
