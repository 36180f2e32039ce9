"""One join that decides each document's fate over several removal stages.

Near-duplicate removal and test-set filtering each find *facts* about documents (the
near-duplicate cluster a document is in, the test documents it matches) from compact
records only: band keys, candidate pairs, verified edges. Neither stage's facts depend
on which documents the other removes: a document's test-set matches depend only on the
document and the test set, and near dedup runs first. So both find their facts on the
same documents (the exact-dedup survivors), and :class:`ResolveDocuments` groups all
the facts once with the documents' rows, by spill file
(:mod:`massivetext.pipelines.file_tables`), and walks the stages in their order for each
document: the first stage whose judgement removes a document removes it (near dedup
before decontamination, as when they ran one after the other), and a later stage never
sees it.

Before, each stage joined every document's record (StoredDocument) with its own facts,
keyed by id; then one join of every record served both stages; now only a row number
per document is grouped, and the records of a file are read from its key table.

A stage's judgement may also report statistics of the documents that reach it (test-set
filtering's candidate pairs and verified matches are counted on the documents it
judges, as they were when it ran on near dedup's survivors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import apache_beam as beam
from massivetext.pipelines.file_tables import FileMembers, JudgeFiles


class StageVerdict(NamedTuple):
    """One stage's part in :class:`ResolveDocuments`.

    ``facts``: tag -> PCollection[((spill file, document id or row), value)] (tags
    unique over the stages; a row is shorter to shuffle where the facts are many);
    ``judge(document, grouped)`` -> (removal or None, stats triples), where ``grouped``
    maps each tag to the document's values; the removal is the element the stage's
    ``removed`` output gets.
    """

    stage: str
    facts: dict
    judge: Callable


def _kept(stage: str) -> str:
    return f"kept {stage}"


def _removed(stage: str) -> str:
    return f"removed {stage}"


def _stats(stage: str) -> str:
    return f"stats {stage}"


def _resolver(verdicts: Sequence[StageVerdict], tags: Sequence[str]):
    judges = [(verdict.stage, verdict.judge) for verdict in verdicts]

    def resolve(documents, facts):
        # A fact names its document within the file by id (str) or by row (int).
        by_key: dict[str | int, dict[str, list]] = {}
        for tag in tags:
            for key, value in facts[tag]:
                if key not in by_key:
                    by_key[key] = {t: [] for t in tags}
                by_key[key][tag].append(value)
        nothing = {tag: [] for tag in tags}
        for document in documents:
            found = [by_key[key] for key in (document.id, document.row) if key in by_key]
            grouped = (nothing if not found else found[0] if len(found) == 1 else
                       {tag: found[0][tag] + found[1][tag] for tag in tags})
            for stage, judge in judges:
                removal, stats = judge(document, grouped)
                for triple in stats:
                    yield beam.pvalue.TaggedOutput(_stats(stage), triple)
                if removal is not None:
                    yield beam.pvalue.TaggedOutput(_removed(stage), removal)
                    break
                yield beam.pvalue.TaggedOutput(_kept(stage), document)
    return resolve


def _by_file(fact):
    (file, document_id), value = fact
    return file, (document_id, value)


class ResolveDocuments(beam.PTransform):
    """PCollection[StoredDocument] -> {stage: {"kept", "removed", "stats"}} for each of
    ``verdicts`` (in order): the documents the stage kept (those it judged and did not
    remove), its removals and the stats triples its judgements reported.

    The facts are grouped with the documents' rows by spill file and each file's
    members are judged from its key table in the document store ``store``
    (:mod:`massivetext.pipelines.file_tables`): only documents something is known about
    shuffle more than a row number.
    """

    def __init__(self, store: str, verdicts: Sequence[StageVerdict]):
        super().__init__()
        self._store = store
        self._verdicts = list(verdicts)

    def expand(self, documents):
        inputs = {"members": documents | "Members" >> FileMembers()}
        for verdict in self._verdicts:
            for tag, facts in verdict.facts.items():
                inputs[tag] = facts | f"By file {tag}" >> beam.Map(_by_file)
        tags = [tag for tag in inputs if tag != "members"]
        outputs = [tag for verdict in self._verdicts for tag in (
            _kept(verdict.stage), _removed(verdict.stage), _stats(verdict.stage))]
        resolved = inputs | "Judge" >> JudgeFiles(
            self._store, _resolver(self._verdicts, tags), outputs)
        return {verdict.stage: {"kept": resolved[_kept(verdict.stage)],
                                "removed": resolved[_removed(verdict.stage)],
                                "stats": resolved[_stats(verdict.stage)]}
                for verdict in self._verdicts}
