"""``massivetext report``: a run (or two, side by side) as one self-contained HTML page.

``massivetext report OUT`` writes ``report.html`` into each subset directory of the run
(``OUT/massiveweb/report.html``); ``massivetext report OUT_A OUT_B`` compares two runs
subset by subset (``compare.html`` in B's subset directory). The page needs no network:
styles, scripts and data are inlined (docs/report.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from massivetext.io.atomic import atomic_output
from massivetext.report.page import compare_page, report_page
from massivetext.report.run import RunNotFound, load_run, subset_directories
from massivetext.report.samples import DEFAULT_MAX_CHARS, DEFAULT_SHOWN_PER_REASON


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", metavar="OUT",
                        help="a pipeline output directory (or one subset of it); "
                             "two to compare them")
    parser.add_argument("--output", help="the HTML file to write (when the run has one "
                                         "subset; default: report.html in it)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SHOWN_PER_REASON,
                        help="removed documents shown per stage and reason "
                             f"(default {DEFAULT_SHOWN_PER_REASON})")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS,
                        help=f"characters of a document shown (default {DEFAULT_MAX_CHARS})")


def _pairs(args) -> list[tuple[list[Path], Path]]:
    """(subset directories to show, output path) per page to write."""
    if len(args.runs) > 2:
        raise ValueError("give one run, or two to compare")
    found = [subset_directories(run) for run in args.runs]
    if len(found) == 1:
        pages = [([directory], directory / "report.html") for directory in found[0]]
    else:
        by_name = {directory.name: directory for directory in found[0]}
        pages = [([by_name[d.name], d], d / "compare.html") for d in found[1]
                 if d.name in by_name]
        if len(found[0]) == len(found[1]) == 1 and not pages:
            pages = [([found[0][0], found[1][0]], found[1][0] / "compare.html")]
        if not pages:
            raise ValueError("the two runs share no subset")
    if args.output:
        if len(pages) > 1:
            raise ValueError(f"{len(pages)} subsets: name one subset directory "
                             "(e.g. OUT/massiveweb) to use --output")
        pages = [(pages[0][0], Path(args.output))]
    return pages


def main(args: argparse.Namespace) -> int:
    try:
        pages = _pairs(args)
    except (RunNotFound, ValueError) as error:
        print(f"massivetext report: {error}", file=sys.stderr)
        return 1
    for directories, output in pages:
        runs = [load_run(directory) for directory in directories]
        html = (report_page(runs[0], args.samples, args.max_chars) if len(runs) == 1
                else compare_page(runs[0], runs[1], args.samples, args.max_chars))
        with atomic_output(output) as file:
            file.write(html.encode("utf-8"))
        print(f"report: {output.resolve()}")
    return 0
