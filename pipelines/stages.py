"""The per-document stages shared by the pipelines: read, extract, filter.

Each stage is a labelled PTransform whose logic lives in ``massivetext/`` and
``filters/``; this module only wires it into Beam. Stages return a ``StageOutput``
(:mod:`massivetext.pipelines.accounting`: documents kept, ``Removed``, ``Skipped`` and
``Failed`` records, the stage's own statistics) so that every input record is
accounted for.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from massivetext.pipelines.accounting import stage_output
from massivetext.pipelines.progress import counted

from massivetext.document import Document, Failed, Removed, Skipped, WebPage

LOGGER = logging.getLogger(__name__)
NO_TEXT_RULE = "no_text"


def open_uncompressed(path: str):
    """Open any Beam filesystem path as raw bytes: our readers detect gzip themselves."""
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


class MatchFiles(beam.PTransform):
    """PCollection[str] glob patterns -> PCollection[(path, bytes)] of the files matched,
    spread over workers.

    A file matched by several patterns is read once. A pattern without wildcards that
    matches nothing fails the run: a typo in an input path must not look like an empty
    corpus.
    """

    def expand(self, patterns):
        return (patterns
                | "Match" >> fileio.MatchAll()
                | "Path" >> beam.Map(lambda metadata: (metadata.path, metadata.size_in_bytes))
                | "Once per file" >> beam.Distinct())


def _path(file: tuple[str, int]) -> str:
    return file[0]


class _ReadFile(beam.DoFn):
    """A file path -> one outcome per input record: a page or document (main output),
    ``skipped`` or ``failed``. ``read(path, opener)`` is the core library's reader."""

    def __init__(self, read: Callable):
        self._read = read

    def process(self, path: str):
        try:
            for outcome in counted(self._read(path, opener=open_uncompressed)):
                if isinstance(outcome, Skipped):
                    yield beam.pvalue.TaggedOutput("skipped", outcome)
                elif isinstance(outcome, Failed):
                    yield beam.pvalue.TaggedOutput("failed", outcome)
                else:
                    yield outcome
        except Exception as error:  # a reader bug must not take the whole run down
            LOGGER.exception("reading %s failed", path)
            yield beam.pvalue.TaggedOutput(
                "failed", Failed("read", "reader_exception", path, -1, repr(error)))


def _read_warc(path: str, opener) -> Iterator:
    from massivetext.io.warc import read_warc

    return read_warc(path, opener=opener)


def _read_documents(path: str, opener, subset: str, input_format: str) -> Iterator:
    from massivetext.readers.formats import read_input

    return read_input(path, subset, input_format, opener=opener)


class ReadWarc(beam.PTransform):
    """PCollection[str] WARC glob patterns -> StageOutput of the read stage.

    ``kept``: WebPage (HTML responses, decoded); ``skipped``: Skipped records by kind;
    ``failed``: Failed records. Pages are not reshuffled: reading, extraction, the
    filters and the document store run fused, one input file per worker at a time, so no
    HTML is ever shuffled (docs/architecture.md); parallelism comes from the number of
    files. Once applied, ``self.files`` is the PCollection of (path, bytes) of every
    input file matched, for the manifest.
    """

    files = None

    def expand(self, patterns):
        files = patterns | "Match files" >> MatchFiles()
        outputs = (files
                   | "Paths" >> beam.Map(_path)
                   | "Read records" >> beam.ParDo(_ReadFile(_read_warc)).with_outputs(
                       "skipped", "failed", main="pages"))
        self.files = files
        return stage_output(outputs.pages, skipped=outputs.skipped, failed=outputs.failed)


class _ExtractPage(beam.DoFn):
    def __init__(self, extractor: str, subset: str):
        self._extractor_name = extractor
        self._subset = subset

    def setup(self):
        from massivetext.extract.extractor import get_page_extractor

        self._extract = get_page_extractor(self._extractor_name)

    def process(self, page: WebPage):
        from massivetext.extract.extractor import ExtractionError

        try:
            extraction = self._extract(page.html, page.url)
        except ExtractionError as error:
            yield beam.pvalue.TaggedOutput(
                "failed", Failed("extract", error.error, page.source, page.offset, str(error)))
            return
        except Exception as error:  # one pathological page must not crash the run
            LOGGER.exception("extracting %s failed", page.url)
            yield beam.pvalue.TaggedOutput(
                "failed", Failed("extract", "extractor_exception", page.source, page.offset,
                                 repr(error)))
            return
        text = extraction.text
        for key in extraction.counter_keys():  # fallbacks taken, deep pages flattened
            Metrics.counter("massivetext.extract", key.replace(":", ".")).inc()
            yield beam.pvalue.TaggedOutput("counts", ("extract", key, 1))
        document = Document(
            id=page.record_id or f"{page.source}@{page.offset}", text=text,
            subset=self._subset, url=page.url, source=page.source, offset=page.offset,
            warc_record_id=page.record_id, warc_date=page.date, charset=page.charset,
            charset_source=page.charset_source)
        if text.strip():
            yield document
        else:
            yield beam.pvalue.TaggedOutput("removed", Removed("extract", (NO_TEXT_RULE,), document))


class ExtractText(beam.PTransform):
    """PCollection[WebPage] -> StageOutput: Documents with the page's main text.

    Pages with no main text are removed (``no_text``); pathological pages (too large,
    too deep, unparseable) fail with the extractor's error name. Its ``stats`` are
    ``("extract", key, 1)`` triples: the fallback each page
    took (``fallback:<step>``) and pages flattened for depth (``deep_html_flattened``).
    """

    def __init__(self, extractor: str = "tree", subset: str = "massiveweb"):
        super().__init__()
        self._extractor = extractor
        self._subset = subset

    def expand(self, pages):
        outputs = pages | beam.ParDo(_ExtractPage(self._extractor, self._subset)).with_outputs(
            "removed", "failed", "counts", main="kept")
        return stage_output(outputs.kept, removed=outputs.removed, failed=outputs.failed,
                            stats=outputs.counts)


class ReadDocuments(beam.PTransform):
    """PCollection[str] input patterns of a text subset -> StageOutput of the read stage.

    Each file (or local directory, for source trees) is read by the reader of its
    format (:mod:`massivetext.readers.formats`: ``input_format``, or ``auto`` to pick
    by name). ``kept``: Document (not reshuffled, as :class:`ReadWarc`'s pages);
    ``skipped``: Skipped records (redirects, vendored files ...); ``failed``: Failed
    records (bad JSON lines, broken pages, corrupt files). Once applied, ``self.files``
    is the PCollection of (path, bytes) of every input file matched (a source tree's
    bytes are null), for the manifest.
    """

    files = None

    def __init__(self, subset: str, input_format: str = "auto"):
        super().__init__()
        self._subset = subset
        self._input_format = input_format

    def expand(self, patterns):
        from massivetext.readers.formats import is_local_directory

        # A source tree is walked by its reader, not matched as a file pattern.
        trees = patterns | "Trees" >> beam.Filter(is_local_directory)
        files = (patterns
                 | "File patterns" >> beam.Filter(lambda pattern: not is_local_directory(pattern))
                 | "Match files" >> MatchFiles())
        self.files = ((files, trees | "Tree size" >> beam.Map(lambda tree: (tree, None)))
                      | "Input files" >> beam.Flatten())
        outputs = ((trees, files | "Paths" >> beam.Map(_path))
                   | "Inputs" >> beam.Flatten()
                   | "Read records" >> beam.ParDo(_ReadFile(functools.partial(
                       _read_documents, subset=self._subset,
                       input_format=self._input_format))).with_outputs(
                           "skipped", "failed", main="documents"))
        return stage_output(outputs.documents, skipped=outputs.skipped, failed=outputs.failed)
