"""The MassiveWeb pipeline: WARC files in, curated Arrow shards and statistics out.

Gopher Appendix A.1.1 and Figure A1 (docs/paper.md, "The pipeline")::

    ReadWarc -> ExtractText -> ContentFilter -> QualityFilter -> RepetitionFilter
             -> ExactDedup -> NearDedup -> Decontaminate -> WriteShards

Run it with ``massivetext run --input 'crawl/*.warc.gz' --output out`` or
``python -m massivetext.pipelines.massiveweb --input ... --output ...``; any Beam pipeline option
(``--runner DataflowRunner --project P --region R --temp_location gs://...``) passes
through to Beam.
"""

from __future__ import annotations

import apache_beam as beam
from massivetext.pipelines.curation import (
    RunRecords,
    content_stage,
    curate,
    filter_documents,
    run_pipeline,
    text_stage,
)
from massivetext.pipelines.document_store import store_directory
from massivetext.pipelines.options import CurationOptions
from massivetext.pipelines.stages import ExtractText, ReadWarc

STAGE_ORDER = ("read", "extract", "content", "quality", "repetition", "exact_dedup",
               "near_dedup", "decontaminate", "output")


def build(pipeline: beam.Pipeline, options: CurationOptions) -> None:
    """Add the MassiveWeb stages to ``pipeline``."""
    records = RunRecords(store_directory(options.subset_dir))
    curate(read_documents(pipeline, options, records), records, options, STAGE_ORDER)


def stage_order(options: CurationOptions) -> tuple[str, ...]:
    return STAGE_ORDER


def read_documents(pipeline: beam.Pipeline, options: CurationOptions, records: RunRecords):
    """The per-document stages: the documents that pass the three filters, their
    outcomes collected in ``records``."""
    reader = ReadWarc()
    read = (pipeline
            | "Input patterns" >> beam.Create(list(options.inputs))
            | "Read WARC" >> reader)
    records.input_files = reader.files
    pages = records.add_stage("read", read, counts_records=True)
    extracted = pages | "Extract text" >> ExtractText(options.extractor, options.subset)
    documents = records.add_stage("extract", extracted)
    # The paper lists the content filter first; it runs after extraction here because
    # the English filter needs the extracted text. The three filters run in one pass.
    return filter_documents(documents, records, (
        content_stage(options), text_stage("quality", options.quality),
        text_stage("repetition", options.repetition)))


def run(argv: list[str] | None = None) -> beam.runners.runner.PipelineResult:
    """Run the MassiveWeb pipeline with command-line arguments (default: ``sys.argv``)."""
    return run_pipeline(build, argv)


if __name__ == "__main__":
    run()
