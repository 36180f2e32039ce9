"""The pipeline for MassiveText's text subsets: books, news, c4, github, wikipedia.

These enter in the formats they are published in (MediaWiki dumps, Gutenberg books,
C4 JSON, news JSONL, source trees and archives: :mod:`massivetext.readers`) and, as in
SPEC.md section 1, go only through the stages every subset shares::

    ReadDocuments -> ContentFilter -> ExactDedup -> NearDedup -> Decontaminate
                  -> WriteShards

News crawled as WARC files is read and extracted as MassiveWeb is (ReadWarc ->
ExtractText) before the content filter.
"""

from __future__ import annotations

import apache_beam as beam
from massivetext.pipelines.curation import (
    RunRecords,
    content_stage,
    curate,
    filter_documents,
    run_pipeline,
)
from massivetext.pipelines.document_store import store_directory
from massivetext.pipelines.options import CurationOptions
from massivetext.pipelines.stages import ExtractText, ReadDocuments, ReadWarc

from massivetext.readers.formats import AUTO, WARC, UnknownFormat, detect_format

STAGE_ORDER = ("read", "content", "exact_dedup", "near_dedup", "decontaminate", "output")
WARC_STAGE_ORDER = ("read", "extract", *STAGE_ORDER[1:])


def reads_warc(options: CurationOptions) -> bool:
    """Whether the inputs are WARC crawls (``--input-format warc``, or every name says so)."""
    if options.input_format != AUTO:
        return options.input_format == WARC
    try:
        return all(detect_format(pattern, options.subset) == WARC for pattern in options.inputs)
    except UnknownFormat:
        return False  # each file's reader says what it cannot read


def stage_order(options: CurationOptions) -> tuple[str, ...]:
    return WARC_STAGE_ORDER if reads_warc(options) else STAGE_ORDER


def build(pipeline: beam.Pipeline, options: CurationOptions) -> None:
    """Add the text-subset stages to ``pipeline``."""
    records = RunRecords(store_directory(options.subset_dir))
    curate(read_documents(pipeline, options, records), records, options,
           stage_order(options))


def read_documents(pipeline: beam.Pipeline, options: CurationOptions, records: RunRecords):
    """The per-document stages: the documents that pass the content filter, their
    outcomes collected in ``records``."""
    patterns = pipeline | "Input patterns" >> beam.Create(list(options.inputs))
    if reads_warc(options):
        reader = ReadWarc()
        pages = records.add_stage("read", patterns | "Read WARC" >> reader, counts_records=True)
        records.input_files = reader.files
        extracted = pages | "Extract text" >> ExtractText(options.extractor, options.subset)
        documents = records.add_stage("extract", extracted)
    else:
        reader = ReadDocuments(options.subset, options.input_format)
        documents = records.add_stage("read", patterns | "Read documents" >> reader,
                                      counts_records=True)
        records.input_files = reader.files
    return filter_documents(documents, records, (content_stage(options),))


def run(argv: list[str] | None = None) -> beam.runners.runner.PipelineResult:
    """Run the text-subset pipeline with command-line arguments (default: ``sys.argv``)."""
    return run_pipeline(build, argv)


if __name__ == "__main__":
    run()
