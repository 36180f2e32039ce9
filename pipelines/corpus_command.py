"""``massivetext corpus``: curate every subset of a corpus configuration in one run.

Each subset named in the configuration (:mod:`massivetext.corpus.config`) is curated by
its own pipeline (MassiveWeb's, or the text subsets'), all in one Beam job so that the
runner starts once, into ``OUT/<subset>/``; then ``OUT/summary.json`` and
``OUT/mixture.toml`` are written (:mod:`massivetext.corpus.summary`). On a local runner
the job runs in the two bounded phases of ``massivetext run``, every subset in each
(:mod:`massivetext.pipelines.local_phases`).

Cross-subset deduplication (``--cross-subset-dedup``, or ``cross_subset_dedup = true``)
is off by default: the paper deduplicates within each subset (Appendix A.1.1), and a
document that is in two subsets (a news story quoted on a web page, a Wikipedia
article copied into C4) is then sampled at both subsets' Table 2 weights, as in the
paper. When on, a second job reads every subset's curated shards, removes exact and
near duplicates across all of them (the same stages and thresholds as within a
subset), and writes the survivors to ``OUT/cross_subset/<subset>/`` with their own
statistics; the mixture file then points there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys

import apache_beam as beam
from apache_beam.options.pipeline_options import TestOptions
from massivetext.pipelines import cross_subset
from massivetext.pipelines.local_phases import (
    SubsetRun,
    build_subsets,
    builder_of,
    error_line,
    is_local,
    run_phases,
)
from massivetext.pipelines.options import add_arguments as add_run_arguments
from massivetext.pipelines.options import curation_options, pipeline_options
from massivetext.pipelines.preflight import PreflightError, check_unknown_options, match_inputs
from massivetext.pipelines.progress import Progress

from massivetext.corpus.config import ConfigError, CorpusConfig
from massivetext.corpus.summary import format_table, summarise, write_summary

PASSES_UNKNOWN_OPTIONS = True  # they are Beam pipeline options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="the corpus configuration (TOML)")
    parser.add_argument("--output", required=True,
                        help="output directory: one directory per subset, summary.json, "
                             "mixture.toml")
    parser.add_argument("--tokenizer", help="a tokenizer model: count tokens per subset "
                                            "(overrides the configuration's)")
    parser.add_argument("--cross-subset-dedup", action="store_true", default=None,
                        help="also remove exact and near duplicates across subsets "
                             "(default off: the paper deduplicates within each subset)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line on stderr during a local run")
    parser.epilog = "Any other option goes to Beam, e.g. --runner DataflowRunner --project P"


def subset_runs(config: CorpusConfig, output: str) -> list[SubsetRun]:
    """Each subset's arguments and options, parsed as ``massivetext run`` parses its own."""
    chosen = []
    for subset in config.subsets:
        parser = argparse.ArgumentParser(prog=f"[subsets.{subset.name}]", add_help=False,
                                         exit_on_error=False)
        add_run_arguments(parser)
        try:
            args = parser.parse_args(subset.run_arguments(output, config.seed))
        except (argparse.ArgumentError, SystemExit) as error:
            raise ConfigError(f"{config.path} [subsets.{subset.name}]: {error}") from None
        chosen.append((args, curation_options(args)))
    return chosen


def _run(beam_args: list[str], build) -> None:
    pipeline = beam.Pipeline(options=pipeline_options(beam_args))
    build(pipeline)
    pipeline.run().wait_until_finish()


def _curate(beam_args: list[str], runs: list[SubsetRun], quiet: bool) -> None:
    """Every subset's curation: in two phases on a local runner (its progress on stderr
    unless ``quiet``), else one job."""
    beam_options = pipeline_options(beam_args)
    if is_local(beam_options) and not beam_options.view_as(TestOptions).dry_run:
        # A pattern matching nothing is the reader's to count, as in the one-job run.
        files = sum(len(match_inputs(options.inputs, allow_empty=True)[0])
                    for _, options in runs)
        with contextlib.nullcontext() if quiet else Progress(files):
            run_phases(beam_args, runs)
        return
    _run(beam_args, lambda pipeline: build_subsets(
        pipeline, lambda job, options: builder_of(options).build(job, options),
        [options for _, options in runs]))


def main(args: argparse.Namespace) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("apache_beam").setLevel(logging.ERROR)
    try:
        check_unknown_options(args.beam_args, add_arguments, "massivetext corpus")
        config = CorpusConfig.load(args.config)
        runs = subset_runs(config, args.output)
    except (ConfigError, PreflightError) as error:
        print(f"massivetext corpus: {error}", file=sys.stderr)
        return 2
    cross = config.cross_subset_dedup if args.cross_subset_dedup is None else True
    options = [subset for _, subset in runs]
    directories = {subset.subset: subset.subset_dir for subset in options}
    try:
        _curate(args.beam_args, runs, args.quiet)
        if cross:
            cross_output = os.path.join(args.output, cross_subset.DIRECTORY)
            _run(args.beam_args, lambda pipeline: cross_subset.build(
                pipeline, directories, cross_output, options[0]))
            directories = {name: os.path.join(cross_output, name) for name in directories}
    except Exception as error:  # one clear line, not the runner's whole traceback
        logging.getLogger(__name__).debug("the pipeline failed", exc_info=True)
        print(f"massivetext corpus: the pipeline failed: {error_line(error)}", file=sys.stderr)
        return 2
    tokenizer_path = args.tokenizer or config.tokenizer
    tokenizer = None
    if tokenizer_path:
        from massivetext.tokenizer import Tokenizer

        tokenizer = Tokenizer.load(tokenizer_path)
    summaries = summarise(directories, {s.name: s.weight for s in config.subsets}, tokenizer)
    mixture = write_summary(args.output, summaries, {
        "config": os.path.abspath(args.config), "cross_subset_dedup": cross,
        "tokenizer": tokenizer_path, "subsets": [subset.parameters() for subset in options]})
    print(format_table(summaries))
    print(f"summary: {os.path.join(args.output, 'summary.json')}\nmixture: {mixture}")
    balanced = all(summary.accounting["balanced"] for summary in summaries)
    if not balanced:
        print("massivetext corpus: some subset's accounting does not balance "
              f"(see {json.dumps([s.name for s in summaries if not s.accounting['balanced']])})",
              file=sys.stderr)
    return 0 if balanced else 1
