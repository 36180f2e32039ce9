"""Consecutive per-document filter stages judged in one DoFn pass.

The content, quality and repetition filters (Gopher Appendix A.1.1, docs/paper.md "The
pipeline") each judge one document at a time and hand the documents they keep straight
to the next, so :class:`JudgeDocuments` runs them as one ParDo: a document goes through
the stages in order until one removes it (or a filter fails on it), and each stage's
outcome is counted there, per bundle. Each stage keeps its own removal reasons,
signals, statistics and Beam Metrics counters, exactly as a ParDo per stage with its
own :class:`~massivetext.pipelines.accounting.StageStatistics` gave them; what goes
away is, per stage and document, a Beam step, a copy of the document and the outcome
PCollections that were summed again downstream (docs/architecture.md, "Per-document
stages in one pass").
"""

from __future__ import annotations

import collections
import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

import apache_beam as beam
from massivetext.filters.base import Judgement
from massivetext.pipelines.accounting import emit_bundle_sums, stage_output

from massivetext.document import Document, Failed, Removed
from massivetext.stats import keys
from massivetext.stats.model import document_triples, failed_triples

LOGGER = logging.getLogger(__name__)

DocumentJudge = Callable[[Document], Judgement]


class FilterStage(NamedTuple):
    """One filter stage: its name in the statistics, the judges it runs (built on the
    worker by ``make_judges``: each maps a Document to a Judgement) and the signals
    whose histograms it reports."""

    name: str
    make_judges: Callable[[], Sequence[DocumentJudge]]
    signal_names: tuple[str, ...] = ()


class _JudgeInStages(beam.DoFn):
    def __init__(self, stages: Sequence[FilterStage]):
        self._stages = tuple(stages)

    def setup(self):
        self._judges = [(stage.name, stage.signal_names, stage.make_judges())
                        for stage in self._stages]

    def start_bundle(self):
        self._sums = collections.Counter()

    def _count(self, triples):
        for stage, key, value in triples:
            self._sums[(stage, key)] += value

    def process(self, document: Document):
        signals = dict(document.signals)
        num_bytes = None  # the text's UTF-8 size, encoded once for every stage's counts
        for stage, signal_names, judges in self._judges:
            reasons: list[str] = []
            try:
                for judge in judges:
                    judgement = judge(document)
                    reasons.extend(judgement.reasons)
                    signals.update(judgement.signals)
            except Exception as error:  # a filter bug on one document is a counted failure
                LOGGER.exception("stage %s failed on %s", stage, document.id)
                self._count(failed_triples(stage, "filter_exception"))
                yield beam.pvalue.TaggedOutput("failed", Failed(
                    stage, "filter_exception", document.source, document.offset, repr(error)))
                return
            if num_bytes is None:
                num_bytes = document.num_bytes
            stage_signals = {name: signals[name] for name in signal_names if name in signals}
            if reasons:
                self._count(document_triples(stage, keys.REMOVED, num_bytes, reasons,
                                             stage_signals))
                # Beam elements are immutable: the signals go on a copy.
                yield beam.pvalue.TaggedOutput("removed", Removed(
                    stage, tuple(reasons), dataclasses.replace(document, signals=signals)))
                return
            self._count(document_triples(stage, keys.KEPT, num_bytes, signals=stage_signals))
        yield dataclasses.replace(document, signals=signals)

    def finish_bundle(self):
        for triple in emit_bundle_sums(self._sums, counters=True):
            yield beam.pvalue.TaggedOutput("stats", triple)


class JudgeDocuments(beam.PTransform):
    """PCollection[Document] -> StageOutput of consecutive filter ``stages``.

    A document failing any rule of any judge of a stage is removed by that stage with
    the names of all the rules of that stage it failed, and the later stages never see
    it; every signal computed so far is added to the document. ``kept``: the documents
    every stage kept; ``removed`` and ``failed``: those of every stage (each names its
    stage); ``stats``: every stage's statistics (kept, removed per reason, bytes,
    signal histograms, failures), summed per bundle and already exported as Beam
    Metrics counters, so they go straight to the run's statistics
    (:meth:`~massivetext.pipelines.curation.RunRecords.add_counted_stages`).
    """

    def __init__(self, stages: Sequence[FilterStage]):
        super().__init__()
        self._stages = tuple(stages)

    def expand(self, documents):
        outputs = documents | beam.ParDo(_JudgeInStages(self._stages)).with_outputs(
            "removed", "failed", "stats", main="kept")
        return stage_output(outputs.kept, removed=outputs.removed, failed=outputs.failed,
                            stats=outputs.stats)
