"""Which member of a duplicate group survives (Gopher Appendix A.1.1: one of a pair "at
random"; docs/paper.md, "Document deduplication").

Every document is a node ``(seeded 63-bit hash of its id, id)`` and the smallest node of
a group survives: a pseudo-random choice, like the paper's, that is the same whatever
the input order, the runner or the number of workers. The exact and near-duplicate
stages and their tests all choose through :func:`survivor_node`.
"""

from __future__ import annotations

import xxhash

DEFAULT_SURVIVOR_SEED = 0  # seed of the survivor choice: our choice (paper: "at random")

Node = tuple[int, str]


def survivor_node(document_id: str, seed: int = DEFAULT_SURVIVOR_SEED) -> Node:
    """(seeded 63-bit hash of the id, id): the smallest node of a group survives.

    63 bits keep the rank a Beam varint; the id breaks the (unlikely) ties.
    """
    rank = xxhash.xxh64_intdigest(document_id.encode("utf-8", "surrogatepass"), seed) >> 1
    return rank, document_id


def removal_details(survivor: str, cluster_size: int, **facts: str) -> dict[str, str]:
    """The ``details`` of a removed duplicate: who survived, how big the group was, and
    any fact of the stage (``similarity``)."""
    return {"survivor": survivor, "cluster_size": str(cluster_size), **facts}
