"""The pipeline for MassiveText's text subsets: books, news, c4, github, wikipedia.

These enter as text documents (JSONL or Parquet with ``id`` and ``text``) and, as in
SPEC.md section 1, go only through the stages every subset shares::

    ReadTextDocuments -> ContentFilter -> ExactDedup -> NearDedup -> Decontaminate
                      -> WriteShards
"""

from __future__ import annotations

import apache_beam as beam
from massivetext.pipelines.curation import (
    RunRecords,
    count_read_outcomes,
    curate,
    filter_content,
    run_pipeline,
)
from massivetext.pipelines.options import CurationOptions
from massivetext.pipelines.stages import ReadTextDocuments

STAGE_ORDER = ("read", "content", "exact_dedup", "near_dedup", "decontaminate", "output")


def build(pipeline: beam.Pipeline, options: CurationOptions) -> None:
    """Add the text-subset stages to ``pipeline``."""
    records = RunRecords()
    read = (pipeline
            | "Input patterns" >> beam.Create(list(options.inputs))
            | "Read documents" >> ReadTextDocuments(options.subset))
    records.input_files = read["files"]
    empty = pipeline | "No skipped records" >> beam.Create([])
    count_read_outcomes(records, read["documents"], empty, read["failed"])
    documents = filter_content(read["documents"], records, options)
    curate(documents, records, options, STAGE_ORDER)


def run(argv: list[str] | None = None) -> beam.runners.runner.PipelineResult:
    """Run the text-subset pipeline with command-line arguments (default: ``sys.argv``)."""
    return run_pipeline(build, argv)


if __name__ == "__main__":
    run()
