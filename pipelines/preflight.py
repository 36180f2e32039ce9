"""Checks ``massivetext run`` makes before it starts a pipeline, each a one-line error.

A run that cannot succeed, or would succeed with a wrong result, must say so before any
work is done: an option that nobody reads (a typo), a runner known to compute this
pipeline wrongly, an input pattern matching no file, an output location that cannot be
written. :class:`PreflightError` carries the message; the command prints it and exits 2.
"""

from __future__ import annotations

import argparse
import difflib
import os
import tempfile

from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

# Runners that run this pipeline but give wrong results, and why (README: "Runners").
REFUSED_RUNNERS = {
    "DaskRunner": (
        "Beam's DaskRunner computes this pipeline wrongly: a multi-output ParDo sends "
        "every element to every output, finish_bundle output is dropped and only the "
        "last sink is computed, so documents would be counted and written wrongly"),
}
# Runners this project is tested on (README: "Runners" says how).
TESTED_RUNNERS = ("FnApiRunner", "DataflowRunner")


class PreflightError(Exception):
    """A run that must not start; the message says why and what to do."""


def beam_option_names() -> list[str]:
    """Every option string Beam's PipelineOptions subclasses define (as Beam parses them)."""
    parser = _beam_parser()
    return [option for action in parser._actions for option in action.option_strings]


def _beam_parser() -> argparse.ArgumentParser:
    parser = _BeamArgumentParser(allow_abbrev=False)
    # As PipelineOptions.get_all_options does: one class per name, the last definition.
    classes = {str(cls): cls for cls in PipelineOptions.__subclasses__()}
    for cls in classes.values():
        cls._add_argparse_args(parser)
    return parser


def option_names(add_arguments) -> list[str]:
    """The option strings that ``add_arguments(parser)`` gives a command."""
    parser = argparse.ArgumentParser(add_help=False)
    add_arguments(parser)
    return [option for action in parser._actions for option in action.option_strings]


def check_unknown_options(beam_args: list[str], add_arguments,
                          command: str = "massivetext run") -> None:
    """Fail on an option that is neither the command's own (those ``add_arguments``
    gives it) nor Beam's, naming the closest of both."""
    _, unknown = _beam_parser().parse_known_args(beam_args)
    names = [arg.split("=", 1)[0] for arg in unknown if arg.startswith("-")]
    if not names:
        return
    known = option_names(add_arguments) + beam_option_names()
    problems = []
    for name in names:
        close = difflib.get_close_matches(name, known, n=1)
        problems.append(f"{name}" + (f" (did you mean {close[0]}?)" if close else ""))
    raise PreflightError("unknown option " + ", ".join(problems)
                         + f"; it is neither a {command} option nor a Beam one")


def runner_name(runner) -> str:
    """``DaskRunner`` for ``--runner=DaskRunner`` or a dotted path to it; '' for none."""
    if runner is None:
        return ""
    name = runner if isinstance(runner, str) else type(runner).__name__
    return name.rsplit(".", 1)[-1]


def check_runner(name: str) -> str | None:
    """Refuse a runner known to give wrong results; a warning for one not tested here."""
    if name in REFUSED_RUNNERS:
        raise PreflightError(f"--runner {name} is refused: {REFUSED_RUNNERS[name]}. "
                             f"Use the local default, or one of: {', '.join(TESTED_RUNNERS)}")
    if name and name not in TESTED_RUNNERS:
        return (f"massivetext run: warning: {name} is not among the runners this project "
                f"is tested on ({', '.join(TESTED_RUNNERS)}); check its statistics")
    return None


def match_inputs(patterns: tuple[str, ...], allow_empty: bool
                 ) -> tuple[list[tuple[str, int]], list[str]]:
    """(path, bytes) of every file the patterns match, each once, in pattern order; and
    the patterns that match nothing.

    A pattern matching nothing (a missing path, a glob without a file, an unreachable
    location) is an error unless ``allow_empty``.
    """
    if not patterns:
        raise PreflightError("--input names no pattern")
    files: dict[str, int] = {}
    empty, reasons = [], []
    for pattern in patterns:
        try:
            found = FileSystems.match([pattern])[0].metadata_list
        except Exception as error:  # Beam raises BeamIOError (or OSError) per scheme
            found, reason = [], f"{pattern} ({_first_line(error)})"
        else:
            reason = pattern
        if not found:
            empty.append(pattern)
            reasons.append(reason)
        for metadata in sorted(found, key=lambda metadata: metadata.path):
            files.setdefault(metadata.path, metadata.size_in_bytes)
    if empty and not allow_empty:
        raise PreflightError("no input file matches " + ", ".join(reasons)
                             + " (--allow-empty-input runs anyway)")
    return list(files.items()), empty


def check_writable(output: str) -> None:
    """Fail unless a file can be created under the local directory ``output``."""
    if FileSystems.get_scheme(output) not in (None, "file"):
        return  # remote stores are checked by the runner, with its credentials
    path = output.removeprefix("file://")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as error:
        raise PreflightError(f"cannot write the output directory {output}: "
                             f"{error.strerror or error}") from error


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
