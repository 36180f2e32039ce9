"""A local run in two bounded phases: per-document stages in a child process, then the
global stages on compact records in this one.

Beam's local runner holds each stage's whole input and output in memory, and a process's
heap does not shrink back after a peak, so one pipeline for everything ends with the
memory of the per-document work (parsing, extraction, filters) and that of the global
stages (which grows with the corpus) added up in one process. ``massivetext run`` on a
local runner therefore runs (docs/architecture.md, "Bounded phases"):

1. **the documents phase**, in a fresh child process (``python -m
   massivetext.pipelines.local_phases``, its arguments as JSON on stdin): reading,
   extraction, the filters and the document store, every outcome written as it is made
   to the *crossing* under the document store: the stored documents' compact records,
   the removed, failed and skipped records, the stages' statistics and the input files,
   :data:`ELEMENTS_PER_FILE` elements per file, each file a list encoded with Beam's
   coder and renamed into place;
2. **the global phase**, in this process once the child has exited (its memory
   returned), with one worker (:func:`global_phase_options`): the crossing is read
   back and the global stages run on it (exact and near dedup, test-set filtering,
   shards, statistics, samples) as in the one-pipeline job.

Each phase counts what it wrote and read of the crossing (Beam counters, per subset); a
difference fails the run. ``massivetext corpus`` runs its subsets the same way: every
subset's documents phase in one child's pipeline, then every subset's global phase
(:func:`run_phases`). Remote runners (Dataflow) run the whole job as one pipeline: their
workers do not keep a stage's data in one process.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import logging
import os
import subprocess
import sys
import typing

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from massivetext.pipelines import massiveweb, text_corpus, worker_exit
from massivetext.pipelines.arrow_allocator import use_system_allocator
from massivetext.pipelines.collector import frozen_starting_heap
from massivetext.pipelines.curation import RunRecords, curate_stored, store_documents
from massivetext.pipelines.document_store import BundleBatches, store_directory
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.join_check import LostValuesError, check_joins, counter_value
from massivetext.pipelines.options import (
    LOCAL_RUNNER,
    CurationOptions,
    curation_options,
    pipeline_options,
)
from massivetext.pipelines.preflight import runner_name
from massivetext.pipelines.run_record import step_msecs

CROSSING_DIRECTORY = "crossing"  # under the document store, removed with it
# Our choice: 4,096 elements per file (about 0.5 MB of compact records): few files, and
# a writer holds one file's elements.
ELEMENTS_PER_FILE = 4096
NAMESPACE = "massivetext.crossing"
WRITTEN, READ = "written", "read"
# What crosses from the documents phase to the global phase, besides the documents.
RECORD_KINDS = ("stats", "removed", "failed", "skipped")
DOCUMENTS, INPUT_FILES = "documents", "input_files"
ONE_WORKER = ("--direct_running_mode=in_memory", "--direct_num_workers=1")
LOCAL_RUNNERS = (LOCAL_RUNNER, "DirectRunner", "PrismRunner")
# The coder Beam gives elements of no declared type (the one its shuffles use): the
# crossing is written and read by one run, as a shuffle's bytes are.
CODER = beam.coders.registry.get_coder(typing.Any)


def builder_of(options: CurationOptions):
    """The module that builds the subset's pipeline (``read_documents``, ``stage_order``)."""
    return massiveweb if options.subset == "massiveweb" else text_corpus


def is_local(beam_options: PipelineOptions) -> bool:
    """Whether ``beam_options`` run the job on a local runner (then in phases)."""
    return runner_name(beam_options.view_as(StandardOptions).runner) in LOCAL_RUNNERS


def crossing_directory(options: CurationOptions) -> str:
    return f"{store_directory(options.subset_dir)}/{CROSSING_DIRECTORY}"


def _counter(options: CurationOptions, name: str, side: str):
    """The crossing counter of one subset's ``name`` elements: "<subset> <name> <side>"."""
    return Metrics.counter(NAMESPACE, f"{options.subset} {name} {side}")


class _WriteFiles(BundleBatches):
    size = ELEMENTS_PER_FILE

    def __init__(self, options: CurationOptions, name: str):
        self._options, self._name = options, name

    def setup(self):
        self._directory = crossing_directory(self._options)
        self._written = _counter(self._options, self._name, WRITTEN)

    def start_bundle(self):
        super().start_bundle()
        # Phases run on the local runner only, which fails a run rather than retry a
        # bundle: no file of a failed attempt is ever read back.
        self._bundle_id = os.urandom(8).hex()
        self._part = 0

    def flush(self, pending):
        path = f"{self._directory}/{self._name}-{self._bundle_id}-{self._part:05d}.elements"
        self._part += 1
        write_atomically(path, CODER.encode(pending))
        self._written.inc(len(pending))
        return ()


class WriteCrossing(beam.PTransform):
    """{name: PCollection} -> files in the crossing of the subset of ``options`` (see
    the module docstring)."""

    def __init__(self, options: CurationOptions):
        super().__init__()
        self._options = options

    def expand(self, crossing):
        for name, elements in crossing.items():
            _ = elements | f"Write {name}" >> beam.ParDo(_WriteFiles(self._options, name))
        return beam.pvalue.PDone(next(iter(crossing.values())).pipeline)


class _ReadFile(beam.DoFn):
    def __init__(self, options: CurationOptions, name: str):
        self._options, self._name = options, name

    def setup(self):
        self._read = _counter(self._options, self._name, READ)

    def process(self, path: str):
        with FileSystems.open(path) as file:
            elements = CODER.decode(file.read())
        self._read.inc(len(elements))
        yield from elements


class ReadCrossing(beam.PTransform):
    """PBegin -> {name: PCollection} of the crossing of the subset of ``options`` (its
    files are listed now: the documents phase has ended)."""

    def __init__(self, options: CurationOptions, names: typing.Iterable[str]):
        super().__init__()
        self._options, self._names = options, tuple(names)

    def expand(self, pbegin):
        crossing = {}
        for name in self._names:
            pattern = f"{crossing_directory(self._options)}/{name}-*.elements"
            [match] = FileSystems.match([pattern])
            paths = sorted(metadata.path for metadata in match.metadata_list)
            crossing[name] = (pbegin | f"{name} files" >> beam.Create(paths)
                              | f"Read {name}" >> beam.ParDo(_ReadFile(self._options, name)))
        return crossing


def build_documents_phase(pipeline: beam.Pipeline, options: CurationOptions) -> None:
    """The first phase: the per-document stages, their outcomes written to the crossing."""
    records = RunRecords(store_directory(options.subset_dir))
    documents = builder_of(options).read_documents(pipeline, options, records)
    crossing = {DOCUMENTS: store_documents(documents, records, options),
                INPUT_FILES: records.input_files}
    for kind in RECORD_KINDS:
        crossing[kind] = tuple(getattr(records, kind)) | f"All {kind}" >> beam.Flatten()
    _ = crossing | "Write crossing" >> WriteCrossing(options)


def global_phase_options(beam_args: list[str]) -> PipelineOptions:
    """The run's Beam options with one worker (``in_memory``) for the global phase.

    Its stages are a small part of the work (8% of the processing time at 16,000
    sample pages) and handle compact records that grow with the corpus. With worker
    processes, the runner process and every worker hold their share of them and all of
    it is moved between processes; in one worker, each element is handed on by a
    direct call and held once (docs/architecture.md, "Bounded phases")."""
    return pipeline_options([*beam_args, *ONE_WORKER])


def build_global_phase(pipeline: beam.Pipeline, options: CurationOptions) -> None:
    """The second phase: the global stages, on what the first phase wrote."""
    records = RunRecords(store_directory(options.subset_dir))
    crossing = pipeline | "Read crossing" >> ReadCrossing(
        options, (DOCUMENTS, INPUT_FILES, *RECORD_KINDS))
    for kind in RECORD_KINDS:
        getattr(records, kind).append(crossing[kind])
    records.input_files = crossing[INPUT_FILES]
    builder = builder_of(options)
    curate_stored(crossing[DOCUMENTS], records, options, builder.stage_order(options))


class SubsetPart(beam.PTransform):
    """PBegin -> nothing: one subset's part of a job, ``build(pipeline, options)``."""

    def __init__(self, build, options: CurationOptions):
        super().__init__()
        self._build, self._options = build, options

    def expand(self, pbegin):
        self._build(pbegin.pipeline, self._options)
        return beam.pvalue.PDone(pbegin.pipeline)


def build_subsets(pipeline: beam.Pipeline, build, subsets: typing.Sequence[CurationOptions]):
    """Every subset's part of one job (``build(pipeline, options)`` each): a lone subset's
    labels are the job's own, as ``massivetext run`` names them; several subsets' go
    under "Curate <subset>"."""
    if len(subsets) == 1:
        build(pipeline, subsets[0])
        return
    for options in subsets:
        _ = pipeline | f"Curate {options.subset}" >> SubsetPart(build, options)


def crossing_counts(result, side: str) -> dict[str, int]:
    """{name: elements} the finished phase ``result`` wrote or read (``side``)."""
    query = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    counts: collections.Counter = collections.Counter()
    for counter in query["counters"]:
        name, counted_side = counter.key.metric.name.rsplit(" ", 1)
        if counted_side == side:
            counts[name] += counter_value(counter)
    return dict(counts)


def check_crossing(written: dict[str, int], result) -> None:
    """Raise :class:`LostValuesError` if the global phase ``result`` read other counts of
    the crossing than the documents phase wrote."""
    read = crossing_counts(result, READ)
    differ = {name: (written.get(name, 0), read.get(name, 0))
              for name in sorted(set(written) | set(read))
              if written.get(name, 0) != read.get(name, 0)}
    if differ:
        counts = "; ".join(f"{name}: {sent} written, {got} read"
                           for name, (sent, got) in differ.items())
        raise LostValuesError(f"the global phase did not read what the documents phase "
                              f"wrote ({counts})")


class PhaseError(RuntimeError):
    """The documents phase's child process failed (its message is the child's)."""


@dataclasses.dataclass(frozen=True)
class DocumentsPhase:
    """What the documents phase reports: crossing elements written, step times."""

    written: dict[str, int]
    step_msecs: dict[str, int]


def error_line(error: BaseException) -> str:
    """The last line of an error that names its cause (Beam wraps worker errors)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if "Error" in line.split(":", 1)[0]]
    return (named or lines or [type(error).__name__])[-1][:500]


def _arguments(args: argparse.Namespace) -> dict:
    """A subset's parsed ``massivetext run`` arguments that a child process parses again
    (not the subcommand's handler, not Beam's options: the payload holds those once)."""
    return {key: value for key, value in vars(args).items()
            if not callable(value) and key != "beam_args"}


SubsetRun = tuple[argparse.Namespace, CurationOptions]  # a subset's arguments and options


def run_documents_phase(beam_args: list[str], runs: typing.Sequence[SubsetRun]) -> DocumentsPhase:
    """Run the documents phase of every subset in ``runs`` in one child process's
    pipeline (each subset's options hold the inputs that preflight kept)."""
    report = f"{crossing_directory(runs[0][1])}.json"
    payload = {"beam_args": list(beam_args), "report": report,
               "subsets": [{"args": _arguments(args), "inputs": list(options.inputs)}
                           for args, options in runs]}
    completed = subprocess.run([sys.executable, "-m", __name__],
                               input=json.dumps(payload).encode(), check=False)
    try:
        with FileSystems.open(report) as file:
            outcome = json.load(file)
    except (OSError, ValueError):
        outcome = {"error": f"its process exited with status {completed.returncode} "
                            "without a report"}
    if "error" in outcome:
        raise PhaseError(f"the documents phase failed: {outcome['error']}")
    return DocumentsPhase(outcome["written"], outcome["step_msecs"])


def run_phases(beam_args: list[str], runs: typing.Sequence[SubsetRun]):
    """Run the subsets' job on a local runner in its two phases -> (the global phase's
    finished result, the documents phase's report); raises :class:`PhaseError` or
    :class:`LostValuesError` for a failed phase or a lost value."""
    use_system_allocator()
    previous = os.environ.get(worker_exit.PARENT_VARIABLE)
    worker_exit.mark_parent()  # the child (and its workers) exit with this process
    try:
        documents = run_documents_phase(beam_args, runs)
        pipeline = beam.Pipeline(options=global_phase_options(beam_args))
        build_subsets(pipeline, build_global_phase, [options for _, options in runs])
        with frozen_starting_heap():
            result = pipeline.run()
            result.wait_until_finish()
    finally:
        if previous is None:
            os.environ.pop(worker_exit.PARENT_VARIABLE, None)
        else:
            os.environ[worker_exit.PARENT_VARIABLE] = previous
    check_joins(result)
    check_crossing(documents.written, result)
    return result, documents


def main() -> int:
    """The child process: run the documents phase described on stdin, write its report."""
    payload = json.load(sys.stdin)
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("apache_beam").setLevel(logging.ERROR)  # as massivetext run does
    try:
        subsets = [dataclasses.replace(curation_options(argparse.Namespace(**subset["args"])),
                                       inputs=tuple(subset["inputs"]))
                   for subset in payload["subsets"]]
        pipeline = beam.Pipeline(options=pipeline_options(payload["beam_args"]))
        build_subsets(pipeline, build_documents_phase, subsets)
        use_system_allocator()
        worker_exit.mark_parent()  # this process's workers exit with it
        with frozen_starting_heap():
            result = pipeline.run()
            result.wait_until_finish()
        check_joins(result)
        outcome = {"written": crossing_counts(result, WRITTEN),
                   "step_msecs": step_msecs(result)}
    except Exception as error:  # reported to the parent as one line
        logging.getLogger(__name__).debug("the documents phase failed", exc_info=True)
        outcome = {"error": error_line(error)}
    write_atomically(payload["report"], json.dumps(outcome).encode())
    return 1 if "error" in outcome else 0


if __name__ == "__main__":
    sys.exit(main())
