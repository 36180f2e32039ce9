"""The held-out slice of each curated subset: documents kept out of the training
sequences, so that a subset's bits per byte is measured on text the model never saw.

A document is held out when the 64-bit BLAKE2b hash of its id, read as a fraction of
2**64, is below ``fraction``. The split depends on the id alone, not on the shard, the
document's position, the seed or the run: the same document is held out of every run
that holds it (both arms of a data ablation, a rerun of the pipeline with other
thresholds), and membership is decided one document at a time, in constant memory.
The loader draws a training document uniformly and draws again while it is held out,
so the training documents stay uniformly drawn (docs/training.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Our choice: 1% of each subset, enough held-out text for a stable bits per byte from a
# subset of a few thousand documents, little enough not to matter to training.
DEFAULT_HOLDOUT_FRACTION = 0.01
# Our choice: the hash's personalisation, so the split is unlike any other use of BLAKE2b.
_PERSON = b"mt-holdout"


@dataclass(frozen=True)
class HoldOut:
    """``document_id in holdout``: whether the document is held out of training."""

    fraction: float = DEFAULT_HOLDOUT_FRACTION

    def __post_init__(self):
        if not 0.0 <= self.fraction < 1.0:
            raise ValueError(f"the held-out fraction must be in [0, 1), not {self.fraction}")

    def __contains__(self, document_id: str) -> bool:
        if self.fraction == 0.0:
            return False
        digest = hashlib.blake2b(document_id.encode("utf-8"), digest_size=8,
                                 person=_PERSON).digest()
        return int.from_bytes(digest, "big") < self.fraction * 2.0 ** 64

    def to_json(self) -> dict:
        return {"fraction": self.fraction, "hash": "blake2b-64", "person": _PERSON.decode()}
