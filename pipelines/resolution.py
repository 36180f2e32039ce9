"""One join that decides each document's fate over several removal stages.

Near-duplicate removal and test-set filtering each find *facts* about documents (the
near-duplicate cluster a document is in, the test documents it matches) from compact
records only: band keys, candidate pairs, verified edges. Neither stage's facts depend
on which documents the other removes: a document's test-set matches depend only on the
document and the test set, and near dedup runs first. So both find their facts on the
same documents (the exact-dedup survivors), and :class:`ResolveDocuments` joins every
document once with all the facts, keyed by id, and walks the stages in their order: the
first stage whose judgement removes a document removes it (near dedup before
decontamination, as when they ran one after the other), and a later stage never sees it.

Before, each stage joined every document (StoredDocument) with its own facts: two
shuffles of every document's record where there is now one, and the band keys, which
only the band grouping needs, dropped before it.

A stage's judgement may also report statistics of the documents that reach it (test-set
filtering's candidate pairs and verified matches are counted on the documents it
judges, as they were when it ran on near dedup's survivors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import apache_beam as beam


class StageVerdict(NamedTuple):
    """One stage's part in :class:`ResolveDocuments`.

    ``facts``: tag -> PCollection[(document id, value)] (tags unique over the stages);
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


class _Resolve(beam.DoFn):
    def __init__(self, verdicts: Sequence[StageVerdict]):
        self._judges = [(verdict.stage, verdict.judge) for verdict in verdicts]

    def process(self, item):
        _, grouped = item
        for document in grouped["doc"]:
            for stage, judge in self._judges:
                removal, stats = judge(document, grouped)
                for triple in stats:
                    yield beam.pvalue.TaggedOutput(_stats(stage), triple)
                if removal is not None:
                    yield beam.pvalue.TaggedOutput(_removed(stage), removal)
                    break
                yield beam.pvalue.TaggedOutput(_kept(stage), document)


class ResolveDocuments(beam.PTransform):
    """PCollection[StoredDocument] -> {stage: {"kept", "removed", "stats"}} for each of
    ``verdicts`` (in order): the documents the stage kept (those it judged and did not
    remove), its removals and the stats triples its judgements reported.

    The documents are joined once with every stage's facts; with ``drop_keys`` (when
    no later stage groups band keys) their band and exact keys are dropped first.
    """

    def __init__(self, verdicts: Sequence[StageVerdict], drop_keys: bool = True):
        super().__init__()
        self._verdicts = list(verdicts)
        self._drop_keys = drop_keys

    def expand(self, documents):
        drop_keys = self._drop_keys
        keyed = documents | "Key by id" >> beam.Map(lambda d: (d.id, d._replace(
            exact_key=b"", band_bytes=b"") if drop_keys else d))
        facts = {"doc": keyed}
        for verdict in self._verdicts:
            facts.update(verdict.facts)
        tags = [tag for verdict in self._verdicts
                for tag in (_kept(verdict.stage), _removed(verdict.stage), _stats(verdict.stage))]
        resolved = (facts
                    | "Join documents" >> beam.CoGroupByKey()
                    | "Resolve" >> beam.ParDo(_Resolve(self._verdicts)).with_outputs(*tags))
        return {verdict.stage: {"kept": resolved[_kept(verdict.stage)],
                                "removed": resolved[_removed(verdict.stage)],
                                "stats": resolved[_stats(verdict.stage)]}
                for verdict in self._verdicts}
