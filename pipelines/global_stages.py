"""Near-duplicate removal and test-set filtering as one job over compact records.

After exact dedup (Gopher Appendix A.1.1 steps 5 and 6; docs/paper.md), the two stages
share their work (docs/architecture.md, "Memory and shuffle"):

- **one band grouping**: the training documents' band batches are written and shuffled
  once (:class:`~massivetext.pipelines.band_buckets.GroupBands`), with the test
  documents' band keys in the same partitions: near dedup reads each partition's
  buckets, test-set filtering its crossings with the test set;
- **one resolution join**: test-set filtering finds its matches on the same documents
  as near dedup (a document's matches depend only on it and the test set), and
  :class:`~massivetext.pipelines.resolution.ResolveDocuments` groups both stages' facts
  once with the documents' rows, by spill file; near dedup removes first, so a document
  it removes never reaches test-set filtering, and each stage's statistics are those of
  the documents it judged, as when the stages ran one after the other.

In: the exact-dedup survivors (StoredDocuments). Out: ``{stage: StageOutput}`` for each
stage given, in order.
"""

from __future__ import annotations

import apache_beam as beam
from massivetext.pipelines.band_buckets import GroupBands
from massivetext.pipelines.decontaminate import STAGE as DECONTAMINATE_STAGE
from massivetext.pipelines.decontaminate import Decontaminate
from massivetext.pipelines.dedup import NEAR_STAGE, NearDedup
from massivetext.pipelines.resolution import ResolveDocuments


class DedupAndDecontaminate(beam.PTransform):
    """PCollection[StoredDocument] -> {"near_dedup": StageOutput, "decontaminate":
    StageOutput} for the stages given (``near`` and/or ``decontaminate``, not neither);
    see the module docstring. ``store`` is the document store of both."""

    def __init__(self, store: str, near: NearDedup | None = None,
                 decontaminate: Decontaminate | None = None):
        super().__init__()
        if near is None and decontaminate is None:
            raise ValueError("give near dedup, test-set filtering or both")
        self._store = store
        self._near = near
        self._decontaminate = decontaminate

    def expand(self, documents):
        near, decontaminate = self._near, self._decontaminate
        bands = {"train": documents}
        test_inputs = {"documents": documents}
        if decontaminate is not None and decontaminate.uses_bands:
            bands["test"] = decontaminate.test_docs | "Sign test" >> decontaminate.sign_test()
        if near is not None or "test" in bands:
            test_inputs["partitions"] = bands | "Bands" >> GroupBands(self._store)
        stages = []
        if near is not None:
            facts = ({"documents": documents, "partitions": test_inputs["partitions"]}
                     | "Near facts" >> near.facts())
            stages.append((NEAR_STAGE, near, facts))
        if decontaminate is not None:
            if not decontaminate.uses_bands:
                test_inputs.pop("partitions", None)
            facts = test_inputs | "Test-set facts" >> decontaminate.facts()
            stages.append((DECONTAMINATE_STAGE, decontaminate, facts))
        resolved = documents | "Resolve" >> ResolveDocuments(
            self._store, [stage.verdict(facts) for _, stage, facts in stages])
        return {name: dict(resolved[name], facts=facts["stats"])
                | f"Output {name}" >> stage.output()
                for name, stage, facts in stages}
