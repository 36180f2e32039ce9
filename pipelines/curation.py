"""The stages every MassiveText subset shares, from the content filter to the output.

SPEC.md section 1: the content filter (English, optional blocklist), exact and near
duplicate removal and test-set filtering apply to all subsets; then the curated
documents are written as Arrow shards with their statistics and removed samples.
"""

from __future__ import annotations

import logging
import sys

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from massivetext.filters.base import Judgement
from massivetext.filters.blocklist import BLOCKED_RULE, Blocklist
from massivetext.pipelines.accounting import (
    DEFAULT_REMOVED_SAMPLE_SIZE,
    ReadStatistics,
    StageOutput,
    StageStatistics,
    WriteAllRemoved,
    WriteSamples,
    WriteStats,
    failure_samples,
    removal_samples,
    skip_samples,
)
from massivetext.pipelines.options import FILTER_CLASSES, CurationOptions, parse
from massivetext.pipelines.sinks import WriteShards
from massivetext.pipelines.stages import JudgeDocuments

from massivetext.document import Document


def all_signal_names() -> tuple[str, ...]:
    """Every filter's signals, in filter order: the signal columns of the shards."""
    return tuple(name for filter_class in FILTER_CLASSES for name in filter_class.signal_names)


def content_judges(options: CurationOptions, blocklist_text: str | None):
    """The content filter's judges: the blocklist hook (if given) and the English filter."""
    judges = []
    if blocklist_text is not None:
        blocklist = Blocklist.parse(blocklist_text)

        def judge_url(document: Document) -> Judgement:
            blocked = blocklist.blocks(document.url)
            return Judgement(not blocked, (BLOCKED_RULE,) if blocked else (), {})

        judges.append(judge_url)
    if options.language_filter:
        english = options.english
        judges.append(lambda document: english.judge(document.text))
    return judges


def text_judge(text_filter):
    return lambda: [lambda document: text_filter.judge(document.text)]


DOCUMENT_COUNT_KEYS = ("docs_in", "kept", "removed")


class RunRecords:
    """Collects each stage's outputs so the run's statistics and samples are complete."""

    def __init__(self):
        self.stats: list[beam.PCollection] = []
        self.removed: list[beam.PCollection] = []
        self.failed: list[beam.PCollection] = []
        self.skipped: list[beam.PCollection] = []
        self.input_files: beam.PCollection | None = None  # (path, bytes), for the manifest

    def add_stage(self, stage: str, output: StageOutput, signals: tuple[str, ...] = (),
                  metrics: bool = True):
        self.stats.append(output | f"Stats {stage}" >> StageStatistics(stage, signals, metrics))
        self.removed.append(output.removed)
        self.failed.append(output.failed)
        return output.kept

    def add_dedup_stage(self, stage: str, outputs: dict):
        """A dedup/decontamination stage's dict output (kept, removed, stats)."""
        empty = outputs["kept"].pipeline | f"No failures {stage}" >> beam.Create([])
        # Kept and removed counts come from StageStatistics, the same for every stage.
        self.stats.append(outputs["stats"] | f"Extra stats {stage}" >> beam.Filter(
            lambda triple: not triple[1].startswith(DOCUMENT_COUNT_KEYS)))
        # These stages keep their own Beam counters (kept, removed.<reason>, ...).
        return self.add_stage(stage, StageOutput(outputs["kept"], outputs["removed"], empty),
                              metrics=False)


def filter_content(documents, records: RunRecords, options: CurationOptions):
    """PCollection[Document] -> the documents that pass the content filter."""
    blocklist_text = None
    if options.blocklist:
        with FileSystems.open(options.blocklist) as file:
            blocklist_text = file.read().decode("utf-8")
    content = documents | "Content filter" >> JudgeDocuments(
        "content", lambda: content_judges(options, blocklist_text))
    return records.add_stage("content", content, options.english.signal_names)


def curate(kept, records: RunRecords, options: CurationOptions,
           stage_order: tuple[str, ...]) -> None:
    """PCollection[Document] after the subset's filters -> dedup, decontamination,
    shards, statistics and samples."""
    if options.dedup:
        from massivetext.pipelines.dedup import ExactDedup, NearDedup

        exact = kept | "Exact dedup" >> ExactDedup(seed=options.seed)
        kept = records.add_dedup_stage("exact_dedup", exact)
        near = kept | "Near dedup" >> NearDedup(
            threshold=options.dedup_threshold, num_perm=options.num_perm, seed=options.seed)
        kept = records.add_dedup_stage("near_dedup", near)
    if options.test_sets:
        from massivetext.pipelines.decontaminate import Decontaminate, ReadTestSets

        reader = ReadTestSets(list(options.test_sets))
        test_docs = kept.pipeline | "Read test sets" >> reader
        records.stats.append(reader.stats)  # test-set records that could not be used
        clean = kept | "Decontaminate" >> Decontaminate(
            test_docs, mode=options.decontam_mode, threshold=options.dedup_threshold,
            num_perm=options.num_perm)
        kept = records.add_dedup_stage("decontaminate", clean)

    parameters = options.parameters()
    directory = options.subset_dir
    records.stats.append(kept | "Write shards" >> WriteShards(
        directory, all_signal_names(), parameters, options.num_shards,
        input_files=records.input_files))
    removed = tuple(records.removed) | "All removed" >> beam.Flatten()
    if options.keep_removed == "all":
        _ = removed | "Write all removed" >> WriteAllRemoved(directory)
    samples = removed | "Removed samples" >> beam.FlatMap(removal_samples)
    failed = (tuple(records.failed) | "All failed" >> beam.Flatten()
              | "Failure samples" >> beam.FlatMap(failure_samples))
    skipped = (tuple(records.skipped) | "All skipped" >> beam.Flatten()
               | "Skip samples" >> beam.FlatMap(skip_samples))
    _ = ((samples, failed, skipped) | "All samples" >> beam.Flatten()
         | "Write samples" >> WriteSamples(directory, DEFAULT_REMOVED_SAMPLE_SIZE, options.seed))
    _ = (tuple(records.stats) | "All stats" >> beam.Flatten()
         | "Write stats" >> WriteStats(f"{directory}/stats.json", stage_order, parameters))


def count_read_outcomes(records: RunRecords, read, skipped, failed) -> None:
    """Statistics of the read stage from its outcomes: ``read`` (pages or documents),
    ``skipped`` and ``failed`` records."""
    records.stats.append((read, skipped, failed) | "Read stats" >> ReadStatistics())
    records.failed.append(failed)
    records.skipped.append(skipped)


def run_pipeline(build, argv: list[str] | None = None) -> beam.runners.runner.PipelineResult:
    """Parse ``argv`` (default: ``sys.argv``), build the pipeline with ``build`` and run
    it to the end, as Beam's example pipelines do."""
    options, pipeline_options = parse(sys.argv[1:] if argv is None else argv)
    logging.getLogger().setLevel(logging.INFO)
    with beam.Pipeline(options=pipeline_options) as pipeline:
        build(pipeline, options)
    return pipeline.result
