"""``massivetext run``: run a subset's curation pipeline on Apache Beam, print its statistics."""

from __future__ import annotations

import argparse
import json
import logging
import time

import apache_beam as beam
from massivetext.pipelines import massiveweb, text_corpus
from massivetext.pipelines.options import add_arguments as add_pipeline_arguments
from massivetext.pipelines.options import curation_options, pipeline_options
from massivetext.pipelines.run_record import write_run_record

PASSES_UNKNOWN_OPTIONS = True  # they are Beam pipeline options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_pipeline_arguments(parser)
    parser.epilog = ("Any other option goes to Beam, e.g. --runner DataflowRunner --project P "
                     "--region R --temp_location gs://bucket/tmp")


def main(args: argparse.Namespace) -> int:
    from apache_beam.io.filesystems import FileSystems

    logging.getLogger().setLevel(logging.WARNING)
    # Per-record problems are counted in stats.json and written under failed/; Beam's
    # relayed worker log lines would repeat each of them.
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    options = curation_options(args)
    builder = massiveweb if options.subset == "massiveweb" else text_corpus
    beam_options = pipeline_options(args.beam_args)
    pipeline = beam.Pipeline(options=beam_options)
    builder.build(pipeline, options)
    started = time.time()
    result = pipeline.run()
    result.wait_until_finish()
    stats_path = f"{options.subset_dir}/stats.json"
    if FileSystems.exists(stats_path):  # a local run, finished
        write_run_record(f"{options.subset_dir}/run.json", result, started)
        with FileSystems.open(stats_path) as file:
            accounting = json.load(file)["accounting"]
        print(f"{options.subset}: {accounting['input_records']} records in, "
              f"{accounting['kept']} kept, {accounting['removed']} removed, "
              f"{accounting['skipped']} skipped, {accounting['failed']} failed; "
              f"shards and stats.json in {options.subset_dir} "
              f"(see: massivetext stats {options.output})")
        return 0 if accounting["balanced"] else 1
    return 0
