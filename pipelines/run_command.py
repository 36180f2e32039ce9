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
import contextlib
import dataclasses
import json
import logging
import sys
import time

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions, TestOptions
from massivetext.pipelines.join_check import check_joins
from massivetext.pipelines.local_phases import builder_of, error_line, is_local, run_phases
from massivetext.pipelines.options import add_arguments as add_pipeline_arguments
from massivetext.pipelines.options import curation_options, pipeline_options
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


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    # Per-record problems are counted in stats.json and written under failed/; Beam's
    # relayed worker log lines would repeat each of them.
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    try:
        check_unknown_options(args.beam_args, add_arguments)
        options = curation_options(args)
        beam_options = pipeline_options(args.beam_args)
        runner = runner_name(beam_options.view_as(StandardOptions).runner)
        warning = check_runner(runner)
        dry_run = bool(beam_options.view_as(TestOptions).dry_run)
        local = is_local(beam_options)
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
    succeeded = False
    started = time.time()
    try:
        if local and not dry_run:
            with contextlib.nullcontext() if args.quiet else Progress(len(files)):
                result, documents = run_phases(args.beam_args, [(args, options)])
            earlier_steps = documents.step_msecs
        else:
            pipeline = beam.Pipeline(options=beam_options)
            builder_of(options).build(pipeline, options)
            # The local runner would run a dry run's job: it is only built.
            result = None if local else pipeline.run()
            if result is not None and args.wait:
                result.wait_until_finish()
                if not dry_run:
                    check_joins(result)  # a finished run: its metrics are final
        succeeded = True
    except Exception as error:  # one clear line, not the runner's whole traceback
        logging.getLogger(__name__).debug("the pipeline failed", exc_info=True)
        return _error(f"the pipeline failed: {error_line(error)}")
    finally:
        output.finish(succeeded)
    if result is None:
        return _describe_remote(result, dry_run, options, pipeline.to_runner_api())
    if not local:
        return _describe_remote(result, dry_run, options)
    return _print_summary(options, result, started, earlier_steps)


def _describe_remote(result, dry_run: bool, options, proto=None) -> int:
    """``proto``: the pipeline, where the result does not hold the job's."""
    proto = proto or getattr(getattr(result, "job", None), "proto_pipeline", None)
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


def _print_summary(options, result, started: float, earlier_steps: dict[str, int]) -> int:
    from apache_beam.io.filesystems import FileSystems

    stats_path = f"{options.subset_dir}/stats.json"
    if not FileSystems.exists(stats_path):
        return _error(f"the run finished without writing {stats_path}")
    write_run_record(f"{options.subset_dir}/run.json", result, started, earlier_steps)
    with FileSystems.open(stats_path) as file:
        accounting = json.load(file)["accounting"]
    print(f"{options.subset}: {accounting['input_records']} records in, "
          f"{accounting['kept']} kept, {accounting['removed']} removed, "
          f"{accounting['skipped']} skipped, {accounting['failed']} failed; "
          f"shards and stats.json in {options.subset_dir} "
          f"(see: massivetext stats {options.output})")
    return 0 if accounting["balanced"] else 1
