"""The ``massivetext`` command: one subcommand per module, imported only when used.

Subcommands are the ``massivetext.commands`` entry points that ``setup.py`` declares
(the core's and the Beam pipelines' alike), so the core never names a module that
imports Apache Beam. Each subcommand module defines ``add_arguments(parser)`` and
``main(args) -> int``; its docstring's first line is its help. Only the chosen
subcommand's module is imported, so ``massivetext score`` does not pay for Beam.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import entry_points

COMMAND_GROUP = "massivetext.commands"


def subcommands() -> dict[str, str]:
    """Subcommand name -> module name, from the installed entry points, in name order."""
    found = {point.name: point.value for point in entry_points(group=COMMAND_GROUP)}
    return dict(sorted(found.items()))


def _summary(module) -> str:
    first = (module.__doc__ or "").strip().splitlines()[:1]
    # "``massivetext score``: run the filters ..." -> "run the filters ..."
    return first[0].split("``: ", 1)[-1].rstrip(".") if first else ""


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="massivetext", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = argv[0] if argv else None
    for name, module_name in subcommands().items():
        if name != chosen:
            subparsers.add_parser(name)
            continue
        module = importlib.import_module(module_name)
        subparser = subparsers.add_parser(name, help=_summary(module),
                                          description=_summary(module))
        module.add_arguments(subparser)
        subparser.set_defaults(handler=module.main, parse_known=getattr(
            module, "PASSES_UNKNOWN_OPTIONS", False))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    commands = subcommands()
    if not argv or argv[0] not in commands:
        if argv and not argv[0].startswith("-"):
            print(f"massivetext: unknown command {argv[0]!r}", file=sys.stderr)
        parser.print_usage()
        print("commands: " + ", ".join(commands))
        return 2
    args, extra = parser.parse_known_args(argv)
    if extra and not args.parse_known:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    # `run` forwards options it does not know (Beam pipeline options) to Beam.
    args.beam_args = extra
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
