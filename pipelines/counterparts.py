"""The document a removal points to, written beside the removed one for inspection.

A near duplicate is removed in favour of its cluster's survivor, a contaminated
document because of a test document; the report shows the two side by side with their
shared 13-grams highlighted. Neither counterpart is in ``removed/`` (a survivor lives in
the shards, a test document in the test set), so :class:`AttachCounterpart` joins each
removal with its counterpart's text and adds to ``details``:

- ``<role>_text``: the counterpart's text, at most ``MAX_COUNTERPART_CHARS`` characters
  (``<role>_chars``: its full length, when it was cut);
- ``<role>_jaccard``: the exact 13-gram shingle Jaccard of the two full texts
  (:func:`massivetext.dedup.minhash.exact_jaccard`). For a near duplicate this can be
  lower than ``similarity`` (its best verified edge), since a cluster joins documents
  through chains of edges and the survivor need not be the neighbour.

The join shuffles the (compact) removals and one text per counterpart, not the corpus.
Near duplicates read their survivor's text back from the document store instead
(:class:`massivetext.pipelines.dedup.NearDedup`).
"""

from __future__ import annotations

import apache_beam as beam

from massivetext.dedup.minhash import exact_jaccard, shingle_hashes
from massivetext.document import Document, Removed

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


def _attach(role: str):
    def attach(item):
        _, grouped = item
        text = next(iter(grouped["text"]), None)
        for removal in grouped["removed"]:
            details = removal.details
            if text is not None:
                removed_text = (removal.document.text
                                if isinstance(removal.document, Document) else None)
                details = counterpart_details(details, role, text, removed_text)
            yield Removed(removal.stage, removal.reasons, removal.document, details)
    return attach


class AttachCounterpart(beam.PTransform):
    """PCollection[Removed] -> the same removals with their counterpart's text.

    ``key_of(removal)`` names the counterpart; ``texts`` is a PCollection of
    ``(key, text)``; ``role`` prefixes the detail names (``survivor``, ``test``).
    """

    def __init__(self, texts, key_of, role: str):
        super().__init__()
        self._texts = texts
        self._key_of = key_of
        self._role = role

    def expand(self, removed):
        key_of = self._key_of
        return ({"removed": removed | "Key by counterpart" >> beam.Map(
                    lambda removal: (key_of(removal), removal)),
                 "text": self._texts}
                | "Join counterpart" >> beam.CoGroupByKey()
                | "Attach text" >> beam.FlatMap(_attach(self._role)))
