"""The document a removal points to, written beside the removed one for inspection.

A near duplicate is removed in favour of its cluster's survivor, a contaminated
document because of a test document; the report shows the two side by side with their
shared 13-grams highlighted. Neither counterpart is in ``removed/`` (a survivor lives in
the shards, a test document in the test set), and both are in the document store
(:mod:`massivetext.pipelines.document_store`; test documents are stored when they are
read). So a stage names the counterpart in the removal (``Removed.counterpart``: role,
spill file, stored id) and only the removals a run writes out (the chosen samples, or
every removal with ``--keep-removed all``) have it read back by
:class:`ResolveCounterparts`, which adds to ``details``:

- ``<role>_text``: the counterpart's text, at most ``MAX_COUNTERPART_CHARS`` characters
  (``<role>_chars``: its full length, when it was cut);
- ``<role>_jaccard``: the exact 13-gram shingle Jaccard of the two full texts
  (:func:`massivetext.dedup.minhash.exact_jaccard`). For a near duplicate this can be
  lower than ``similarity`` (its best verified edge), since a cluster joins documents
  through chains of edges and the survivor need not be the neighbour.

The removed samples (:class:`massivetext.pipelines.accounting.WriteSamples`) do not
shuffle the texts either: :class:`WriteCounterparts` reads each counterpart file's texts
once and writes them to a part file in the store, and the sample file's writer joins
them to the removals' records (:func:`join_counterparts`); only part files' names are
grouped. Before, the chosen removals were grouped by spill file with their
counterparts' texts in their details, up to 200 texts of up to 20,000 characters each:
a fifth of the generated sample's shuffle at 16,000 pages.

Before that, every removal carried its counterpart's text from the stage on: a shuffle of
every test document's text and up to 20,000 characters per near duplicate held and
moved to the sampling, of which at most 100 per reason are written.
"""

from __future__ import annotations

import dataclasses
import json

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from massivetext.pipelines.document_store import read_stored
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.join_check import CountedGroupByKey

from massivetext.dedup.minhash import exact_jaccard, shingle_hashes
from massivetext.document import Document

# Our choice: enough to read a page side by side, bounded so one giant survivor cannot
# blow up the removed samples.
MAX_COUNTERPART_CHARS = 20_000


def counterpart_details(details: dict, role: str, text: str,
                        removed_text: str | None = None) -> dict[str, str]:
    """``details`` with the counterpart's (cut) text, and its Jaccard with the removed
    text when that is at hand (a stored removal's text is not: the report computes it)."""
    details = dict(details)
    details[f"{role}_text"] = text[:MAX_COUNTERPART_CHARS]
    if len(text) > MAX_COUNTERPART_CHARS:
        details[f"{role}_chars"] = str(len(text))
    if removed_text is not None:
        similarity = exact_jaccard(shingle_hashes(removed_text), shingle_hashes(text))
        details[f"{role}_jaccard"] = f"{similarity:.4f}"
    return details


ROLES = ("survivor", "test")


def with_jaccard(details: dict, removed_text: str) -> dict[str, str]:
    """``details`` with ``<role>_jaccard`` for each counterpart text they carry whole,
    once the removed document's text is read back from the store."""
    details = dict(details)
    for role in ROLES:
        text = details.get(f"{role}_text")
        if text is not None and f"{role}_jaccard" not in details \
                and f"{role}_chars" not in details:
            similarity = exact_jaccard(shingle_hashes(removed_text), shingle_hashes(text))
            details[f"{role}_jaccard"] = f"{similarity:.4f}"
    return details


class _CounterpartReader(beam.DoFn):
    """A DoFn that reads counterpart texts from the store's spill files; a counterpart
    missing from the store (none should be) is counted in ``self._missing``."""

    def __init__(self, store: str):
        self._store = store
        self._missing = Metrics.counter("massivetext.counterparts", "missing")

    def texts(self, spill_file: str, stored_ids) -> dict[str, str]:
        """Stored id -> text of those of ``stored_ids`` that ``spill_file`` holds."""
        return {document.id: document.text
                for document in read_stored(self._store, spill_file, set(stored_ids))}


class _ReadCounterparts(_CounterpartReader):
    """(spill file, [(key, removal)]) -> (key, removal) with the counterpart's text in its
    details; a removal whose counterpart is missing is handed on without the text."""

    def process(self, item):
        spill_file, entries = item
        entries = list(entries)
        texts = self.texts(spill_file, (removal.counterpart[2] for _, removal in entries))
        for key, removal in entries:
            role, _, stored_id = removal.counterpart
            details = removal.details
            if stored_id in texts:
                removed_text = (removal.document.text
                                if isinstance(removal.document, Document) else None)
                details = counterpart_details(details, role, texts[stored_id], removed_text)
            else:
                self._missing.inc()
            yield key, dataclasses.replace(removal, details=details, counterpart=None)


class ResolveCounterparts(beam.PTransform):
    """PCollection[Removed] -> the same removals, each one that names a counterpart with
    its text in ``details`` (read back from the document store ``store``, one read per
    spill file) and its ``counterpart`` cleared."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, removals):
        split = (removals
                 | "Key" >> beam.Map(lambda removal: (None, removal))
                 | "Has counterpart" >> beam.Partition(
                     lambda kv, _: int(kv[1].counterpart is not None), 2))
        read = (split[1]
                | "By counterpart file" >> beam.Map(lambda kv: (kv[1].counterpart[1], kv))
                | "Group by file" >> CountedGroupByKey()
                | "Read counterparts" >> beam.ParDo(_ReadCounterparts(self._store)))
        return (split[0], read) | "Resolved" >> beam.Flatten() | "Removals" >> beam.Values()


class _WriteCounterpartPart(_CounterpartReader):
    """(counterpart spill file, [(sample file, removed id, role, stored id)]) -> the
    counterparts' texts written as one part file in the store, a JSON line
    ``[sample file, removed id, role, text]`` per removal (none for a missing
    counterpart); yields (sample file, ("counterparts", part path)) per sample file it
    holds lines of."""

    def process(self, item):
        spill_file, entries = item
        entries = list(entries)
        texts = self.texts(spill_file, (stored_id for *_, stored_id in entries))
        lines, names = [], set()
        for name, removed_id, role, stored_id in entries:
            if stored_id not in texts:
                self._missing.inc()
                continue
            lines.append(json.dumps([name, removed_id, role, texts[stored_id]]) + "\n")
            names.add(name)
        path = f"{self._store}/counterparts-{spill_file}.jsonl"
        write_atomically(path, "".join(lines).encode("ascii"))
        for name in sorted(names):
            yield name, ("counterparts", path)


class WriteCounterparts(beam.PTransform):
    """PCollection[(sample file, Removed)], removals that name a counterpart ->
    PCollection[(sample file, ("counterparts", part path))]: their counterparts' texts
    read back from the store ``store`` counterpart file by counterpart file, and written
    to part files there, for :func:`join_counterparts`."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, removals):
        return (removals
                | "By counterpart file" >> beam.MapTuple(lambda name, removal: (
                    removal.counterpart[1],
                    (name, removal.document.id, removal.counterpart[0], removal.counterpart[2])))
                | "Group by counterpart file" >> CountedGroupByKey()
                | "Write counterpart parts" >> beam.ParDo(_WriteCounterpartPart(self._store)))


def join_counterparts(name: str, entries: list, part_paths) -> None:
    """Adds to the ``details`` of sample file ``name``'s records ``entries`` ((removed
    id, record) pairs) the counterpart texts of :class:`WriteCounterparts`' part files
    ``part_paths`` (as :class:`ResolveCounterparts` and :func:`with_jaccard` would)."""
    by_id = {}
    for path in part_paths:
        with FileSystems.open(path) as file:
            for line in file.read().decode("ascii").splitlines():
                line_name, removed_id, role, text = json.loads(line)
                if line_name == name:
                    by_id[removed_id] = (role, text)
    for removed_id, record in entries:
        if removed_id in by_id:
            role, text = by_id[removed_id]
            record["details"] = with_jaccard(
                counterpart_details(record["details"], role, text), record["text"])
