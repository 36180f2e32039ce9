"""Statistics and inspection outputs shared by every pipeline.

Each stage ends in three collections: documents it kept, :class:`Removed` records and
:class:`Failed` records (the reader adds :class:`Skipped`). These transforms turn them
into summed ``(stage, key)`` statistics (also exported as Beam Metrics counters in the
``massivetext`` namespace, so they show in the Dataflow UI), a deterministic sample of
removed documents per reason, and the ``stats.json`` file.
"""

from __future__ import annotations

import collections
import functools
import json
import typing
from dataclasses import asdict

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from massivetext.pipelines.filesystem import write_atomically

from massivetext.document import Document, Failed, Removed, Skipped, WebPage
from massivetext.io.charset import HEADER_IMPLAUSIBLE
from massivetext.io.shards import stable_hash
from massivetext.stats.model import assemble_stats, document_triples

METRICS_NAMESPACE = "massivetext"
# Our choice: up to 100 removed documents per (stage, reason) kept for inspection.
DEFAULT_REMOVED_SAMPLE_SIZE = 100


class StageOutput(typing.NamedTuple):
    """What a stage hands on: documents kept, Removed records, Failed records."""

    kept: beam.PCollection
    removed: beam.PCollection
    failed: beam.PCollection


def metrics_namespace(stage: str) -> str:
    """Beam Metrics namespace of a stage's counters (``massivetext.quality`` ...)."""
    return f"{METRICS_NAMESPACE}.{stage}"


def _kept_triples(document: Document, stage: str, signal_names: tuple[str, ...]):
    signals = {name: document.signals[name] for name in signal_names if name in document.signals}
    return document_triples(stage, "kept", document.num_bytes, signals=signals)


def _removed_triples(removal: Removed, signal_names: tuple[str, ...]):
    document = removal.document
    signals = {name: document.signals[name] for name in signal_names if name in document.signals}
    return document_triples(removal.stage, "removed", document.num_bytes, removal.reasons, signals)


def _failed_triples(failure: Failed):
    return [(failure.stage, f"failed:{failure.error}", 1)]


def _read_triples(outcome):
    """A reader's outcome for one input record: a page or document read, or a Skipped
    or Failed record."""
    if isinstance(outcome, Failed):
        return [("read", "records", 1), *_failed_triples(outcome)]
    if isinstance(outcome, Skipped):
        return [("read", "records", 1), ("read", f"skipped:{outcome.kind}", 1)]
    size = len(outcome.html) if isinstance(outcome, WebPage) else outcome.num_bytes
    triples = [("read", "records", 1), ("read", "kept", 1), ("read", "kept_bytes", size)]
    if isinstance(outcome, WebPage) and outcome.charset_source.endswith(HEADER_IMPLAUSIBLE):
        triples.append(("read", "charset_header_implausible", 1))
    return triples


class _SumPerBundle(beam.DoFn):
    """Elements -> their (stage, key, value) triples, summed within each bundle.

    A document yields a dozen triples (counts, reasons, histogram bins); summing them
    before they leave the worker keeps the statistics from multiplying the elements
    that Beam has to move. With ``metrics``, the sums (all but the histogram bins) also
    go to Beam Metrics counters, namespace ``massivetext.<stage>``, so they show in the
    Dataflow UI while the job runs.
    """

    def __init__(self, to_triples, metrics: bool = True):
        self._to_triples = to_triples
        self._metrics = metrics

    def start_bundle(self):
        self._sums = collections.Counter()

    def process(self, element):
        for stage, key, value in self._to_triples(element):
            self._sums[(stage, key)] += value

    def finish_bundle(self):
        for (stage, key), value in self._sums.items():
            if self._metrics and not key.startswith("hist:"):
                Metrics.counter(metrics_namespace(stage), key.replace(":", ".")).inc(value)
            yield WindowedValue((stage, key, value), MIN_TIMESTAMP, [GlobalWindow()])


class StageStatistics(beam.PTransform):
    """StageOutput of one stage -> PCollection[(stage, key, int)] statistics triples.

    ``signal_names`` are the signals this stage computed, whose histograms it reports;
    ``metrics=False`` for a stage that keeps its own Beam counters.
    """

    def __init__(self, stage: str, signal_names: tuple[str, ...] = (), metrics: bool = True):
        super().__init__()
        self._stage = stage
        self._signal_names = tuple(signal_names)
        self._metrics = metrics

    def expand(self, output):
        kept = output.kept | "Kept" >> beam.ParDo(_SumPerBundle(functools.partial(
            _kept_triples, stage=self._stage, signal_names=self._signal_names), self._metrics))
        removed = output.removed | "Removed" >> beam.ParDo(_SumPerBundle(functools.partial(
            _removed_triples, signal_names=self._signal_names), self._metrics))
        failed = output.failed | "Failed" >> beam.ParDo(
            _SumPerBundle(_failed_triples, self._metrics))
        return (kept, removed, failed) | beam.Flatten()


class ReadStatistics(beam.PTransform):
    """The reader's outcomes (pages or documents, Skipped, Failed; one per input record)
    -> PCollection[(stage, key, int)] statistics triples of the read stage."""

    def expand(self, outcomes):
        return outcomes | beam.Flatten() | beam.ParDo(_SumPerBundle(_read_triples))


def removal_record(removal: Removed) -> dict:
    """A removed document as JSON: its fields, signals, stage, reasons and details."""
    record = asdict(removal.document)
    record.update(stage=removal.stage, reasons=list(removal.reasons), details=removal.details)
    return record


def removal_samples(removal: Removed):
    """One sample entry per reason: (file name, id, JSON record)."""
    record = removal_record(removal)
    return [(f"removed/{removal.stage}.{reason}.jsonl", removal.document.id, record)
            for reason in removal.reasons]


def failure_samples(failure: Failed):
    return [(f"failed/{failure.stage}.{failure.error}.jsonl",
             f"{failure.source}@{failure.offset}", asdict(failure))]


def skip_samples(skip: Skipped):
    """Skipped records are sampled like failures (the reader is the only stage that skips)."""
    return [(f"skipped/read.{skip.kind}.jsonl", f"{skip.source}@{skip.offset}", asdict(skip))]


def _write_jsonl(path: str, entries) -> str:
    records = sorted((record for _, record in entries), key=lambda record: json.dumps(
        record, sort_keys=True))
    payload = "".join(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
                      for record in records)
    write_atomically(path, payload.encode("utf-8"))
    return path


class WriteSamples(beam.PTransform):
    """PCollection[(file name, id, record)] -> JSONL files under ``directory``.

    Keeps up to ``sample_size`` records per file, chosen by a seeded hash of the id so
    reruns pick the same ones.
    """

    def __init__(self, directory: str, sample_size: int, seed: int):
        super().__init__()
        self._directory = directory
        self._sample_size = sample_size
        self._seed = seed

    def expand(self, entries):
        seed = self._seed
        grouped = (entries
                   | "Key by file" >> beam.Map(lambda entry: (entry[0], entry[1:]))
                   | "Sample" >> beam.combiners.Top.PerKey(
                       self._sample_size, key=lambda entry: -stable_hash(entry[0], seed)))
        directory = self._directory
        return grouped | "Write" >> beam.MapTuple(
            lambda name, entries: _write_jsonl(f"{directory}/{name}", entries))


class WriteAllRemoved(beam.PTransform):
    """PCollection[Removed] -> every removed document as sharded JSONL.gz files under
    ``directory/removed/all/`` (Beam's text sink: temporary files, then renamed)."""

    def __init__(self, directory: str):
        super().__init__()
        self._prefix = f"{directory}/removed/all/part"

    def expand(self, removed):
        return (removed
                | "To JSON" >> beam.Map(lambda removal: json.dumps(
                    removal_record(removal), ensure_ascii=False, sort_keys=True))
                | "Write" >> beam.io.WriteToText(self._prefix, file_name_suffix=".jsonl.gz"))


class WriteStats(beam.PTransform):
    """PCollection[(stage, key, int)] -> ``stats.json`` (returns its path)."""

    def __init__(self, path: str, stage_order: tuple[str, ...], parameters: dict):
        super().__init__()
        self._path = path
        self._stage_order = stage_order
        self._parameters = parameters

    def expand(self, triples):
        path, stage_order, parameters = self._path, self._stage_order, self._parameters

        def write(sums):
            stats = assemble_stats(sums, stage_order, parameters)
            payload = json.dumps(stats, indent=2, sort_keys=True) + "\n"
            write_atomically(path, payload.encode("utf-8"))
            return path

        return (triples
                | "Key" >> beam.Map(lambda triple: ((triple[0], triple[1]), triple[2]))
                | "Sum" >> beam.CombinePerKey(sum)
                | "Gather" >> beam.combiners.ToList()
                | "Write" >> beam.Map(write))
