"""Verdicts decided spill file by spill file: row numbers shuffled, not documents.

Every stored document has a row in its spill file and in the file's *key table*
(:mod:`massivetext.io.spill`: id, survivor rank, text size, exact key, band keys;
written with the spill file, :mod:`massivetext.pipelines.document_store`). A stage that
decides the fate of every document of its input (exact dedup, and the one resolution of
near dedup and test-set filtering) does not join every document's record with the
facts about it. It groups by spill file:

- ``members``: the rows of each file that are in the stage's input (:class:`FileMembers`,
  a set of row numbers combined where the documents are, so a few bytes per document
  are shuffled, and the file's name once per bundle);
- the stage's facts, keyed by the file of the document they concern: only the
  documents something is known about (a duplicate, a candidate pair, a match);

and :class:`JudgeFiles` reads each file's key table back (one small file, about 200
bytes a document) and judges its members with their facts, in row order. The kept
documents come out of that step as StoredDocuments, unshuffled, for the next stage.

Before, each such stage shuffled every document's whole record (node, size and keys,
300 bytes on the sample) keyed by id, and Beam's local runner held all of them decoded
at the grouping (docs/architecture.md, "Memory and shuffle").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import apache_beam as beam
from apache_beam.metrics import Metrics
from massivetext.pipelines.document_store import read_keys
from massivetext.pipelines.join_check import CountedCoGroupByKey


class FileMembers(beam.PTransform):
    """PCollection[StoredDocument] -> PCollection[(spill file, set of rows)]: for each
    file, the rows of its documents that are in the PCollection."""

    def expand(self, documents):
        return (documents
                | "Rows" >> beam.Map(lambda document: (document.file, document.row))
                | "Rows per file" >> beam.CombinePerKey(beam.combiners.ToSetCombineFn()))


class _JudgeFile(beam.DoFn):
    def __init__(self, store: str, judge: Callable, tags: Sequence[str]):
        self._store = store
        self._judge = judge
        self._tags = tuple(tags)
        # Facts about a file none of whose documents is in the input (none should be):
        # counted, so a fact that decides nothing shows in the run's counters.
        self._orphans = Metrics.counter("massivetext.document_store", "facts_without_documents")

    def process(self, item):
        name, grouped = item
        rows = set()
        for members in grouped["members"]:
            rows.update(members)
        facts = {tag: list(grouped[tag]) for tag in self._tags}
        if not rows:
            self._orphans.inc(sum(map(len, facts.values())))
            return
        table = read_keys(self._store, name)
        yield from self._judge([table[row] for row in sorted(rows)], facts)


class JudgeFiles(beam.PTransform):
    """{"members": (spill file, rows) from :class:`FileMembers`, and per fact tag a
    PCollection[(spill file, fact)]} -> what ``judge(documents, facts)`` yields for each
    file: ``documents`` are its members' StoredDocuments (from the key table under
    ``store``, in row order), ``facts`` maps each tag to the file's facts. ``outputs``
    are the tags of the judge's TaggedOutputs; the rest is the main output."""

    def __init__(self, store: str, judge: Callable, outputs: Sequence[str] = ()):
        super().__init__()
        self._store = store
        self._judge = judge
        self._outputs = tuple(outputs)

    def expand(self, inputs):
        tags = [tag for tag in inputs if tag != "members"]
        return (inputs
                | "By file" >> CountedCoGroupByKey()
                | "Judge" >> beam.ParDo(_JudgeFile(self._store, self._judge, tags))
                .with_outputs(*self._outputs, main="main"))
