"""The stage contract, and the statistics and inspection outputs of every pipeline.

Every Beam stage, filter or dedup or reader alike, returns a :class:`StageOutput`: the
documents it kept, :class:`Removed` records (with every reason), :class:`Skipped` and
:class:`Failed` records, and the stage's own facts as statistics triples. So every
input record is accounted for, and :class:`StageStatistics` counts every stage the same
way, in the one vocabulary of :mod:`massivetext.stats.keys`: summed ``(stage, key)``
statistics for ``stats.json`` and, the same sums, Beam Metrics counters in the
``massivetext.<stage>`` namespace (so they show in the Dataflow UI). The other
transforms write a deterministic sample of removed documents per reason and the
``stats.json`` file.
"""

from __future__ import annotations

import collections
import functools
import json
import typing
from dataclasses import asdict

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from massivetext.pipelines.counterparts import (
    WriteCounterparts,
    join_counterparts,
    with_jaccard,
)
from massivetext.pipelines.document_store import read_stored
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.join_check import CountedGroupByKey

from massivetext.document import Document, Failed, Removed, Skipped, WebPage
from massivetext.io.charset import HEADER_IMPLAUSIBLE
from massivetext.io.shards import stable_hash
from massivetext.stats import keys
from massivetext.stats.model import (
    assemble_stats,
    document_triples,
    failed_triples,
    skipped_triples,
)

# A stage fact of the reader: pages whose HTTP charset was implausible and not used.
CHARSET_HEADER_IMPLAUSIBLE = "charset_header_implausible"
# Our choice: up to 100 removed documents per (stage, reason) kept for inspection.
DEFAULT_REMOVED_SAMPLE_SIZE = 100


class StageOutput(typing.NamedTuple):
    """What every stage hands on (build one with :func:`stage_output`).

    ``kept``: documents for the next stage; ``removed``: Removed records; ``skipped``:
    Skipped records (readers); ``failed``: Failed records; ``stats``: the stage's own
    ``(stage, key, n)`` facts beyond those counts (clusters, candidate pairs ...).
    """

    kept: beam.PCollection
    removed: beam.PCollection
    skipped: beam.PCollection
    failed: beam.PCollection
    stats: beam.PCollection


def stage_output(kept, removed=None, skipped=None, failed=None, stats=None) -> StageOutput:
    """A StageOutput, the outcomes a stage cannot have as empty PCollections.

    Call it inside the stage's ``expand`` so the empty ones are labelled in its scope.
    """
    def given(name, pcoll):
        return kept.pipeline | f"No {name}" >> beam.Create([]) if pcoll is None else pcoll

    return StageOutput(kept, given("removed", removed), given("skipped", skipped),
                       given("failed", failed), given("stats", stats))


def _signals_of(document: Document, signal_names: tuple[str, ...]) -> dict[str, float]:
    return {name: document.signals[name] for name in signal_names if name in document.signals}


def _element_bytes(element) -> int:
    """UTF-8 bytes of a document's text; characters of a page's HTML (the reader's)."""
    return len(element.html) if isinstance(element, WebPage) else element.num_bytes


def _outcome_triples(element, stage: str, signal_names: tuple[str, ...],
                     counts_records: bool):
    """The statistics of one element of a StageOutput, whichever collection it is from."""
    if type(element) is tuple:  # a stage's fact (a StoredDocument is a named tuple)
        return [element]
    if isinstance(element, Removed):
        document = element.document
        triples = document_triples(element.stage, keys.REMOVED, document.num_bytes,
                                   element.reasons, _signals_of(document, signal_names))
    elif isinstance(element, Skipped):
        triples = skipped_triples(stage, element.kind)
    elif isinstance(element, Failed):
        triples = failed_triples(element.stage, element.error)
    else:  # a kept document, or the reader's page
        signals = _signals_of(element, signal_names) if isinstance(element, Document) else None
        triples = document_triples(stage, keys.KEPT, _element_bytes(element), signals=signals)
        if isinstance(element, WebPage) and element.charset_source.endswith(HEADER_IMPLAUSIBLE):
            triples.append((stage, CHARSET_HEADER_IMPLAUSIBLE, 1))
    return [(stage, keys.RECORDS, 1), *triples] if counts_records else triples


class SumPerBundle(beam.DoFn):
    """Elements -> their (stage, key, value) triples, summed within each bundle.

    A document yields a dozen triples (counts, reasons, histogram bins); summing them
    before they leave the worker keeps the statistics from multiplying the elements
    that Beam has to move. With ``counters``, the sums (all but the histogram bins) also
    go to Beam Metrics counters, so they show in the Dataflow UI while the job runs.
    """

    def __init__(self, to_triples, counters: bool = True):
        self._to_triples = to_triples
        self._counters = counters

    def start_bundle(self):
        self._sums = collections.Counter()

    def process(self, element):
        for stage, key, value in self._to_triples(element):
            self._sums[(stage, key)] += value

    def finish_bundle(self):
        yield from emit_bundle_sums(self._sums, self._counters)


def emit_bundle_sums(sums: dict, counters: bool):
    """A bundle's ``{(stage, key): sum}`` as (stage, key, sum) WindowedValues (for
    ``finish_bundle``); with ``counters``, the sums but the histogram bins also go to
    Beam Metrics counters, one increment per bundle."""
    for (stage, key), value in sums.items():
        if counters and keys.is_counter(key):
            Metrics.counter(keys.metrics_namespace(stage), keys.counter_name(key)).inc(value)
        yield WindowedValue((stage, key, value), MIN_TIMESTAMP, [GlobalWindow()])


class StageStatistics(beam.PTransform):
    """StageOutput of one stage -> PCollection[(stage, key, int)] statistics triples.

    ``signal_names`` are the signals this stage computed, whose histograms it reports;
    ``counts_records`` marks the reader, whose every outcome is one input record.
    """

    def __init__(self, stage: str, signal_names: tuple[str, ...] = (),
                 counts_records: bool = False):
        super().__init__()
        self._stage = stage
        self._signal_names = tuple(signal_names)
        self._counts_records = counts_records

    def expand(self, output):
        to_triples = functools.partial(
            _outcome_triples, stage=self._stage, signal_names=self._signal_names,
            counts_records=self._counts_records)
        # Each outcome is summed where the stage makes it (fused with the stage), so only
        # per-bundle sums are gathered: Beam's local runner holds a Flatten's inputs in
        # memory, and a Flatten of the documents themselves would hold every text.
        sums = tuple(outcomes | f"Sum {name}" >> beam.ParDo(
                         SumPerBundle(to_triples, counters=False))
                     for name, outcomes in zip(output._fields, output, strict=True))
        # One counting step per stage, so each counter has one name in one step.
        return (sums | "Gather" >> beam.Flatten()
                | "Count" >> beam.ParDo(SumPerBundle(lambda triple: [triple])))


class StageFacts(beam.PTransform):
    """PCollection[(stage, key, int)] of a stage's own facts -> the same, summed per
    bundle and exported as counters like every other statistic."""

    def expand(self, triples):
        return triples | beam.ParDo(SumPerBundle(lambda triple: [triple]))


def removal_record(removal: Removed) -> dict:
    """A removed document as JSON: its fields, signals, stage, reasons and details."""
    record = asdict(removal.document)
    record.update(stage=removal.stage, reasons=list(removal.reasons),
                  details=with_jaccard(removal.details, removal.document.text))
    return record


def removal_samples(removal: Removed):
    """One sample entry per reason: (file name, id, the removal); its JSON record is
    made once the sample is chosen and the document read back (:class:`WriteSamples`)."""
    return [(f"removed/{removal.stage}.{reason}.jsonl", removal.document.id, removal)
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


class _WriteSampleParts(beam.DoFn):
    """(spill file, [(id, (sample file, stage, reasons, details))]) -> the chosen
    removals of that spill file read back and written as one part file in the store;
    yields (sample file, ("part", part path)) per sample file it holds records of."""

    def __init__(self, store: str):
        self._store = store

    def process(self, item):
        spill_file, entries = item
        by_id = collections.defaultdict(list)
        for document_id, payload in entries:
            by_id[document_id].append(payload)
        lines, names = [], set()
        for document in read_stored(self._store, spill_file, by_id):
            for name, stage, reasons, details in by_id[document.id]:
                record = removal_record(Removed(stage, reasons, document, details))
                lines.append(json.dumps([name, document.id, record], sort_keys=True) + "\n")
                names.add(name)
        path = f"{self._store}/samples-{spill_file}.jsonl"
        write_atomically(path, "".join(lines).encode("ascii"))
        for name in sorted(names):
            yield name, ("part", path)


def _write_sample_file(name: str, values, directory: str = "") -> str:
    """One sample file from its records, the part files holding the rest of them and
    those holding their counterparts' texts."""
    entries, counterpart_parts = [], []
    own_lines = json.dumps([name])[:-1] + ","  # how _WriteSampleParts opens its lines
    for kind, value in values:
        if kind == "record":
            entries.append(value)
            continue
        if kind == "counterparts":
            counterpart_parts.append(value)
            continue
        with FileSystems.open(value) as file:
            for line in file.read().decode("ascii").splitlines():
                if line.startswith(own_lines):  # only this file's lines are parsed
                    _, document_id, record = json.loads(line)
                    entries.append((document_id, record))
    join_counterparts(name, entries, counterpart_parts)
    return _write_jsonl(f"{directory}/{name}", entries)


class WriteSamples(beam.PTransform):
    """PCollection[(file name, id, record or Removed)] -> JSONL files under ``directory``.

    Keeps up to ``sample_size`` entries per file, chosen by a seeded hash of the id so
    reruns pick the same ones. Removals carry StoredDocuments: only the chosen ones are
    read back from the document store ``store``, spill file by spill file, into part
    files in the store, and so are their counterparts' texts, counterpart file by
    counterpart file (:class:`~massivetext.pipelines.counterparts.WriteCounterparts`),
    which the sample file's writer joins to their details. So neither texts nor sample
    records are grouped: only the part files' names are.
    """

    def __init__(self, directory: str, store: str, sample_size: int, seed: int):
        super().__init__()
        self._directory = directory
        self._store = store
        self._sample_size = sample_size
        self._seed = seed

    def expand(self, entries):
        seed = self._seed
        chosen = (entries
                  | "Key by file" >> beam.Map(lambda entry: (entry[0], entry[1:]))
                  | "Sample" >> beam.combiners.Top.PerKey(
                      self._sample_size, key=lambda entry: -stable_hash(entry[0], seed))
                  | "Chosen" >> beam.FlatMap(lambda kv: [(kv[0], entry) for entry in kv[1]])
                  | "Removal or record" >> beam.Partition(
                      lambda kv, _: int(isinstance(kv[1][1], Removed)), 2))
        records = chosen[0] | "Record" >> beam.MapTuple(
            lambda name, entry: (name, ("record", entry)))
        removals = chosen[1] | "Key by sample file" >> beam.MapTuple(
            lambda name, entry: (name, entry[1]))
        counterparts = (removals
                        | "With counterpart" >> beam.Filter(
                            lambda kv: kv[1].counterpart is not None)
                        | "Counterparts" >> WriteCounterparts(self._store))
        parts = (removals
                 | "By spill file" >> beam.MapTuple(lambda name, removal: (
                     removal.document.file, (removal.document.id, (
                         name, removal.stage, removal.reasons, removal.details))))
                 | "Group by spill file" >> CountedGroupByKey()
                 | "Write parts" >> beam.ParDo(_WriteSampleParts(self._store)))
        return ((records, parts, counterparts)
                | "Records and parts" >> beam.Flatten()
                | "Group by file" >> CountedGroupByKey()
                | "Write" >> beam.MapTuple(_write_sample_file, directory=self._directory))


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
