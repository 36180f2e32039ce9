"""The one vocabulary every stage counts in: statistics keys and Beam counter names.

A stage reports ``(stage, key, value)`` triples, summed per (stage, key) into
``stats.json`` (:mod:`massivetext.stats.model`); the same sums, histogram bins aside,
become Beam Metrics counters named :func:`counter_name` of the key in the namespace
:func:`metrics_namespace` of the stage, so the Dataflow UI and ``stats.json`` say the
same thing in the same words. Keys:

- ``kept``, ``kept_bytes``, ``removed``, ``removed_bytes``: documents and their UTF-8
  bytes (the reader counts page bytes); ``records``: input records (the reader only);
- ``removed:<reason>``, ``skipped:<kind>``, ``failed:<error>``: one per record under
  each reason (a document failing three rules counts once in ``removed`` and once under
  each of its three reasons), kind or error;
- ``removed_alone:<reason>``: documents removed by that rule only, and
  ``removed_several``: documents that failed two or more rules, so that
  ``removed = sum(removed_alone) + removed_several``;
- ``hist:<signal>:<bin>``: filter signal histograms (never counters: too many);
- anything else is a stage's own fact, reported as is under ``extra`` in
  ``stats.json`` (``clusters``, ``cluster_size=5-9``, ``candidate_pairs`` ...).
"""

from __future__ import annotations

KEPT = "kept"
REMOVED = "removed"
RECORDS = "records"
REMOVED_ALONE = "removed_alone"
REMOVED_SEVERAL = "removed_several"
HISTOGRAM = "hist"
METRICS_NAMESPACE = "massivetext"


def bytes_key(outcome: str) -> str:
    """``kept_bytes`` or ``removed_bytes``."""
    return f"{outcome}_bytes"


def removed_key(reason: str) -> str:
    return f"{REMOVED}:{reason}"


def removed_alone_key(reason: str) -> str:
    return f"{REMOVED_ALONE}:{reason}"


def skipped_key(kind: str) -> str:
    return f"skipped:{kind}"


def failed_key(error: str) -> str:
    return f"failed:{error}"


def histogram_key(signal: str, bin_index: int) -> str:
    return f"{HISTOGRAM}:{signal}:{bin_index}"


def split_key(key: str) -> tuple[str, str]:
    """``"removed:stop_words"`` -> ("removed", "stop_words"); a plain key -> (key, "")."""
    kind, _, name = key.partition(":")
    return kind, name


def is_counter(key: str) -> bool:
    """Whether a key is also a Beam counter: all but the histogram bins."""
    return split_key(key)[0] != HISTOGRAM


def counter_name(key: str) -> str:
    """The Beam counter of a key: ``removed:stop_words`` -> ``removed.stop_words``
    (Beam metric names read best without colons in the Dataflow UI)."""
    return key.replace(":", ".")


def metrics_namespace(stage: str) -> str:
    """Beam Metrics namespace of a stage's counters (``massivetext.quality`` ...)."""
    return f"{METRICS_NAMESPACE}.{stage}"


def size_bucket(size: int) -> str:
    """Histogram bucket of a group size: 2, 3, 4, 5-9, 10-99 or 100+."""
    if size <= 4:
        return str(size)
    return "5-9" if size < 10 else "10-99" if size < 100 else "100+"


def cluster_size_key(size: int) -> str:
    """The key counting duplicate clusters of ``size`` members (``cluster_size=5-9``)."""
    return f"cluster_size={size_bucket(size)}"
