"""``massivetext sample``: write the built-in synthetic sample corpus (a WARC file, and
the other subsets' inputs in their formats with a ``corpus.toml``).

What the sample holds is described in :mod:`massivetext.sample.crawl` and
:mod:`massivetext.sample.subsets`; which of its planted cases a run is meant to remove
and which to keep, in :mod:`massivetext.sample.expectations` (``--explain MANIFEST``
prints it again).
"""

from __future__ import annotations

import argparse
import json
import os

from massivetext.sample.crawl import DEFAULT_PAGES, write_sample
from massivetext.sample.expectations import explain
from massivetext.sample.subsets import CONFIG_NAME, write_subset_samples


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", metavar="WARC",
                        help="the WARC file to write (.warc.gz)")
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, metavar="N",
                        help=f"HTML pages to write (default {DEFAULT_PAGES})")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="random seed (default 0)")
    parser.add_argument("--explain", metavar="MANIFEST",
                        help="write nothing; say which planted cases of the sample with "
                             "this manifest a run removes and which are meant to stay")


def _print_expectations(records: list[dict]) -> None:
    print("planted duplicates and test-set cases, and what a default run does with them:")
    for line in explain(records):
        print(f"  {line}")


def main(args: argparse.Namespace) -> int:
    if args.explain:
        with open(args.explain, encoding="utf-8") as file:
            _print_expectations(json.load(file)["records"])
        return 0
    if not args.output:
        print("massivetext sample: give --output WARC (or --explain MANIFEST)")
        return 2
    try:
        manifest = write_sample(args.output, args.pages, args.seed)
    except ValueError as error:
        print(f"massivetext sample: {error}")
        return 2
    print(f"wrote {manifest.warc_path}: {len(manifest.records)} records")
    for case, count in sorted(manifest.counts().items()):
        print(f"  {case:<18} {count:>6}")
    print(f"test set: {manifest.testset_path}\nmanifest: {manifest.manifest_path}")
    directory = os.path.dirname(os.path.abspath(args.output))
    subsets = write_subset_samples(directory, os.path.basename(manifest.warc_path),
                                   os.path.basename(manifest.testset_path), args.seed)
    for subset, contents in subsets.items():
        print(f"{subset}: " + ", ".join(f"{count} {kind}" for kind, count in contents.items()))
    print(f"corpus configuration: {os.path.join(directory, CONFIG_NAME)}")
    _print_expectations(manifest.records)
    return 0
