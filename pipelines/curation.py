"""The stages every MassiveText subset shares, from the content filter to the output.

Gopher Appendix A.1.1 (docs/paper.md, "The pipeline"): the content filter (English,
optional blocklist), exact and near duplicate removal and test-set filtering apply to
all subsets; then the curated documents are written as shards with their statistics
and removed samples. Every stage's :class:`StageOutput` goes through
:meth:`RunRecords.add_stage` (the filter stages, which count themselves in their one
pass, through :meth:`RunRecords.add_counted_stages`), so all stages are counted alike.
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
    StageFacts,
    StageOutput,
    StageStatistics,
    WriteAllRemoved,
    WriteSamples,
    WriteStats,
    failure_samples,
    removal_samples,
    skip_samples,
)
from massivetext.pipelines.counterparts import ResolveCounterparts
from massivetext.pipelines.document_store import (
    RemoveStore,
    RestoreRemoved,
    StoreDocuments,
    StoreRemoved,
)
from massivetext.pipelines.judging import FilterStage, JudgeDocuments
from massivetext.pipelines.options import FILTER_CLASSES, CurationOptions, parse
from massivetext.pipelines.sinks import WriteShards

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


def text_stage(stage: str, text_filter) -> FilterStage:
    """A filter stage of one filter that judges a document's text."""
    return FilterStage(stage, lambda: [lambda document: text_filter.judge(document.text)],
                       text_filter.signal_names)


class RunRecords:
    """Collects each stage's outputs so the run's statistics and samples are complete.

    Each stage's removed documents go to the document store under ``store`` as the stage
    makes them (:class:`StoreRemoved`, fused with the stage), so only compact removals
    are gathered."""

    def __init__(self, store: str):
        self.store = store
        self.stats: list[beam.PCollection] = []
        self.removed: list[beam.PCollection] = []
        self.failed: list[beam.PCollection] = []
        self.skipped: list[beam.PCollection] = []
        self.input_files: beam.PCollection | None = None  # (path, bytes), for the manifest

    def add_stage(self, stage: str, output: StageOutput, signals: tuple[str, ...] = (),
                  counts_records: bool = False):
        """Count one stage's outcomes (``counts_records``: it is the reader) and collect
        its removed, skipped and failed records; returns the documents it kept."""
        stats = output | f"Stats {stage}" >> StageStatistics(stage, signals, counts_records)
        return self._collect(stage, output, stats)

    def add_counted_stages(self, label: str, output: StageOutput):
        """Collect the outcomes of stages that counted themselves (:class:`JudgeDocuments`:
        its ``stats`` are every stage's statistics); returns the documents they kept."""
        return self._collect(label, output, output.stats)

    def _collect(self, label: str, output: StageOutput, stats):
        self.stats.append(stats)
        self.removed.append(output.removed | f"Store removed {label}" >> StoreRemoved(
            self.store))
        self.skipped.append(output.skipped)
        self.failed.append(output.failed)
        return output.kept


def content_stage(options: CurationOptions) -> FilterStage:
    """The content filter stage (its blocklist, if given, is read here, once)."""
    blocklist_text = None
    if options.blocklist:
        with FileSystems.open(options.blocklist) as file:
            blocklist_text = file.read().decode("utf-8")
    return FilterStage("content", lambda: content_judges(options, blocklist_text),
                       options.english.signal_names)


def filter_documents(documents, records: RunRecords, stages: tuple[FilterStage, ...]):
    """PCollection[Document] -> the documents that pass every filter stage of ``stages``
    (consecutive per-document stages, judged in one pass)."""
    *first, last = (stage.name for stage in stages)
    label = f"{', '.join(first)} and {last} filters" if first else f"{last} filter"
    output = documents | label.capitalize() >> JudgeDocuments(stages)
    return records.add_counted_stages(" and ".join((*first, last)), output)


def curate(kept, records: RunRecords, options: CurationOptions,
           stage_order: tuple[str, ...]) -> None:
    """PCollection[Document] after the subset's filters -> dedup, decontamination,
    shards, statistics and samples."""
    curate_stored(store_documents(kept, records, options), records, options, stage_order)


def store_documents(kept, records: RunRecords, options: CurationOptions):
    """PCollection[Document] after the subset's filters -> PCollection[StoredDocument]:
    the last per-document stage (a local run's first phase ends here:
    :mod:`massivetext.pipelines.local_phases`)."""
    # Text off the shuffle: from here on only compact records are grouped.
    return kept | "Store documents" >> StoreDocuments(
        records.store, seed=options.seed, threshold=options.dedup_threshold,
        num_perm=options.num_perm)


def curate_stored(kept, records: RunRecords, options: CurationOptions,
                  stage_order: tuple[str, ...]) -> None:
    """PCollection[StoredDocument] -> dedup, decontamination, shards, statistics and
    samples: the global stages."""
    directory, store = options.subset_dir, records.store
    near = decontaminate = reader = None
    if options.dedup:
        from massivetext.pipelines.dedup import ExactDedup, NearDedup

        exact = kept | "Exact dedup" >> ExactDedup(store)
        kept = records.add_stage("exact_dedup", exact)
        near = NearDedup(store, threshold=options.dedup_threshold)
    if options.test_sets:
        from massivetext.pipelines.decontaminate import Decontaminate, ReadTestSets

        reader = ReadTestSets(list(options.test_sets))
        test_docs = kept.pipeline | "Read test sets" >> reader
        decontaminate = Decontaminate(
            test_docs, store, mode=options.decontam_mode, threshold=options.dedup_threshold,
            num_perm=options.num_perm)
    if near is not None or decontaminate is not None:
        from massivetext.pipelines.global_stages import DedupAndDecontaminate

        outputs = kept | "Near dedup and decontaminate" >> DedupAndDecontaminate(
            store, near, decontaminate)
        if near is not None:
            kept = records.add_stage("near_dedup", outputs["near_dedup"])
        if decontaminate is not None:
            clean = outputs["decontaminate"]
            # Test-set records that could not be used are facts of this stage too.
            facts = (clean.stats, reader.stats) | "Decontaminate facts" >> beam.Flatten()
            kept = records.add_stage("decontaminate", clean._replace(stats=facts))

    parameters = options.parameters()
    writer = WriteShards(directory, store, all_signal_names(), parameters, options.num_shards,
                         output_format=options.output_format, input_files=records.input_files)
    shards = kept | "Write shards" >> writer
    records.stats.append(shards | "Stats output" >> StageFacts())
    removed = tuple(records.removed) | "All removed" >> beam.Flatten()
    written = [writer.manifest]
    if options.keep_removed == "all":
        written.append(removed | "Removed read back" >> RestoreRemoved(store)
                       | "Removed counterparts" >> ResolveCounterparts(store)
                       | "Write all removed" >> WriteAllRemoved(directory))
    samples = removed | "Removed samples" >> beam.FlatMap(removal_samples)
    failed = (tuple(records.failed) | "All failed" >> beam.Flatten()
              | "Failure samples" >> beam.FlatMap(failure_samples))
    skipped = (tuple(records.skipped) | "All skipped" >> beam.Flatten()
               | "Skip samples" >> beam.FlatMap(skip_samples))
    written.append((samples, failed, skipped) | "All samples" >> beam.Flatten()
                   | "Write samples" >> WriteSamples(
                       directory, store, DEFAULT_REMOVED_SAMPLE_SIZE, options.seed))
    _ = (tuple(written) | "Every file written" >> beam.Flatten()
         | "Remove document store" >> RemoveStore(store))
    _ = (tuple(records.stats) | "All stats" >> beam.Flatten()
         | "Write stats" >> WriteStats(f"{directory}/stats.json", stage_order, parameters))


def run_pipeline(build, argv: list[str] | None = None) -> beam.runners.runner.PipelineResult:
    """Parse ``argv`` (default: ``sys.argv``), build the pipeline with ``build`` and run
    it to the end, as Beam's example pipelines do."""
    options, pipeline_options = parse(sys.argv[1:] if argv is None else argv)
    logging.getLogger().setLevel(logging.INFO)
    with beam.Pipeline(options=pipeline_options) as pipeline:
        build(pipeline, options)
    return pipeline.result
