"""The ``massivetext`` command: one subcommand per module, imported only when used.

Each subcommand module defines ``add_arguments(parser)`` and ``main(args) -> int``, so
``massivetext score`` does not pay for importing Apache Beam.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = {
    "score": ("massivetext.score", "score JSONL documents with the quality, repetition "
              "and language filters"),
    "extract": ("massivetext.extract_command", "extract text from HTML files or WARC files"),
    "sample": ("massivetext.sample", "write the built-in synthetic sample corpus as a WARC"),
    "run": ("pipelines.cli", "run the curation pipeline on Apache Beam"),
    "stats": ("massivetext.stats_report", "print the statistics table of a pipeline run"),
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="massivetext", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        subparser = subparsers.add_parser(name, help=help_text, description=help_text)
        # Only the chosen subcommand's module is imported: the others may need extras.
        if argv and argv[0] == name:
            module = importlib.import_module(module_name)
            module.add_arguments(subparser)
            subparser.set_defaults(handler=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    # `run` forwards unknown options (Beam pipeline options) to Beam.
    if argv and argv[0] == "run":
        args, extra = parser.parse_known_args(argv)
        args.beam_args = extra
    else:
        args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
