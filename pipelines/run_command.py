"""``massivetext run``: run a subset's curation pipeline on Apache Beam, print its statistics.

Before anything runs, :mod:`massivetext.pipelines.preflight` checks the options, the
runner, the inputs and the output, and the output directory is made to hold this run
only (:mod:`massivetext.pipelines.output_dir`). Local runs show their progress on stderr
(:mod:`massivetext.pipelines.progress`) and print the statistics summary on stdout. A
remote job built with ``--dry_run``, or submitted with ``--no-wait``, is described and
the command exits 0 without waiting for statistics that will not exist yet.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions, TestOptions
from massivetext.pipelines import massiveweb, text_corpus, worker_exit
from massivetext.pipelines.arrow_allocator import use_system_allocator
from massivetext.pipelines.join_check import check_joins
from massivetext.pipelines.options import LOCAL_RUNNER, curation_options, pipeline_options
from massivetext.pipelines.options import add_arguments as add_pipeline_arguments
from massivetext.pipelines.output_dir import OutputDirectory
from massivetext.pipelines.preflight import (
    PreflightError,
    check_runner,
    check_unknown_options,
    check_writable,
    match_inputs,
    runner_name,
)
from massivetext.pipelines.progress import Progress
from massivetext.pipelines.run_record import write_run_record

PASSES_UNKNOWN_OPTIONS = True  # they are Beam pipeline options
LOCAL_RUNNERS = (LOCAL_RUNNER, "DirectRunner", "PrismRunner")
PROG = "massivetext run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_pipeline_arguments(parser)
    run = parser.add_argument_group("running")
    run.add_argument("--overwrite", action="store_true",
                     help="replace an earlier run in OUTPUT/SUBSET (its shards, removed/, "
                          "failed/, stats and manifest); without it such a directory is refused")
    run.add_argument("--allow-empty-input", action="store_true",
                     help="run even when an --input pattern matches no file")
    run.add_argument("--quiet", action="store_true",
                     help="no progress line on stderr during a local run")
    run.add_argument("--no-wait", dest="wait", action="store_false",
                     help="on a remote runner: submit the job, describe it and exit")
    parser.epilog = ("Any other option goes to Beam, e.g. --runner DataflowRunner --project P "
                     "--region R --temp_location gs://bucket/tmp")


def _our_option_names() -> list[str]:
    parser = argparse.ArgumentParser(add_help=False)
    add_arguments(parser)
    return [option for action in parser._actions for option in action.option_strings]


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    # Per-record problems are counted in stats.json and written under failed/; Beam's
    # relayed worker log lines would repeat each of them.
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    try:
        check_unknown_options(args.beam_args, _our_option_names())
        options = curation_options(args)
        beam_options = pipeline_options(args.beam_args)
        runner = runner_name(beam_options.view_as(StandardOptions).runner)
        warning = check_runner(runner)
        dry_run = bool(beam_options.view_as(TestOptions).dry_run)
        local = runner in LOCAL_RUNNERS
        files, unmatched = [], []
        if not dry_run:  # a dry run builds the job only, where inputs may be unreachable
            files, unmatched = match_inputs(options.inputs, args.allow_empty_input)
            check_writable(options.output)
        output = OutputDirectory(options.subset_dir, args.overwrite)
        if not dry_run:
            output.prepare()
    except PreflightError as error:
        return _error(str(error))
    if warning:
        print(warning, file=sys.stderr)
    # Beam refuses a missing path without a wildcard: allowed ones are left out.
    options = dataclasses.replace(options, inputs=tuple(
        pattern for pattern in options.inputs
        if pattern not in unmatched or any(char in pattern for char in "*?[")))
    builder = massiveweb if options.subset == "massiveweb" else text_corpus
    succeeded = False
    try:
        pipeline = beam.Pipeline(options=beam_options)
        builder.build(pipeline, options)
        started = time.time()
        result = _run(pipeline, local, len(files), args.quiet or not local, args.wait)
        if not dry_run and (local or args.wait):  # a finished run: its metrics are final
            check_joins(result)
        succeeded = True
    except Exception as error:  # one clear line, not the runner's whole traceback
        logging.getLogger(__name__).debug("the pipeline failed", exc_info=True)
        return _error(f"the pipeline failed: {_summary(error)}")
    finally:
        output.finish(succeeded)
    if not local:
        return _describe_remote(result, dry_run, options)
    return _print_summary(options, result, started)


def _run(pipeline: beam.Pipeline, local: bool, total_files: int, quiet: bool, wait: bool):
    if not local:
        result = pipeline.run()
        if wait:
            result.wait_until_finish()
        return result
    use_system_allocator()
    previous = os.environ.get(worker_exit.PARENT_VARIABLE)
    worker_exit.mark_parent()
    try:
        if quiet:
            result = pipeline.run()
            result.wait_until_finish()
        else:
            with Progress(total_files):
                result = pipeline.run()
                result.wait_until_finish()
    finally:
        if previous is None:
            os.environ.pop(worker_exit.PARENT_VARIABLE, None)
        else:
            os.environ[worker_exit.PARENT_VARIABLE] = previous
    return result


def _summary(error: Exception) -> str:
    """The last line of an error that names its cause (Beam wraps worker errors)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line.split(":", 1)[0]]
    return (named or lines or [type(error).__name__])[-1][:500]


def _describe_remote(result, dry_run: bool, options) -> int:
    job = getattr(result, "job", None)
    proto = getattr(job, "proto_pipeline", None)
    built = (f"{len(proto.components.transforms)} transforms, pipeline graph "
             f"{len(proto.SerializeToString()):,} bytes" if proto is not None else "a job")
    if dry_run:
        print(f"{options.subset}: dry run: built {built}; nothing was submitted, no input "
              f"was read and {options.subset_dir} was not touched")
        return 0
    job_id = getattr(result, "job_id", lambda: "")()
    state = getattr(result, "state", "")
    print(f"{options.subset}: job {job_id} ({built}) is {state}; once it is done: "
          f"stats.json and shards in {options.subset_dir} (see: massivetext stats "
          f"{options.output})")
    return 0


def _print_summary(options, result, started: float) -> int:
    from apache_beam.io.filesystems import FileSystems

    stats_path = f"{options.subset_dir}/stats.json"
    if not FileSystems.exists(stats_path):
        return _error(f"the run finished without writing {stats_path}")
    write_run_record(f"{options.subset_dir}/run.json", result, started)
    with FileSystems.open(stats_path) as file:
        accounting = json.load(file)["accounting"]
    print(f"{options.subset}: {accounting['input_records']} records in, "
          f"{accounting['kept']} kept, {accounting['removed']} removed, "
          f"{accounting['skipped']} skipped, {accounting['failed']} failed; "
          f"shards and stats.json in {options.subset_dir} "
          f"(see: massivetext stats {options.output})")
    return 0 if accounting["balanced"] else 1
