"""Connected components of a large undirected graph, computed in Beam.

The algorithm alternates *large-star* and *small-star* rounds (Kiveris, Lattanzi,
Mirrokni, Rastogi, Vassilvitskii, "Connected Components in MapReduce and Beyond",
SoCC 2014). Each round is two GroupByKeys over the edge set, so no worker ever holds
more than one node's neighbourhood, and no step needs all edges in one place (there is
no single-process union-find).

- large-star: every node links each *larger* neighbour to the smallest node of its
  closed neighbourhood;
- small-star: every node links itself and its *smaller* neighbours to the smallest of
  them.

Both keep the connected components unchanged, and the graph shrinks towards one star
per component, centred on the component's smallest node. Bound: Kiveris et al. prove
O(log^2 n) rounds for n nodes for their Two-Phase schedule of these two operations, and
report about log n rounds for the alternating schedule used here. Our measurements
(alternating, until the exact check below passes), for chains, the slowest common
shape: in random node order 3 rounds at 10 nodes, 9 at 1,000, 13 at 100,000 (about
0.8 log2 n); in sorted order log2 n + 1. :mod:`massivetext.dedup.survivors` orders nodes by a seeded
hash, so inputs cannot arrange the sorted case. A Beam graph is static, so the rounds
are unrolled: :data:`DEFAULT_ROUNDS` (12) covers 0.8 log2 n up to n = 2^15 nodes in one
chain-shaped component (near-duplicate clusters are far smaller and far less deep: a
boilerplate family's large buckets propose stars, which converge in two rounds) and
sorted chains up to 2^11 nodes; the number is a parameter.

Convergence is then *checked exactly*, not assumed: each node's label is the smallest
node of its closed neighbourhood in the final graph, and the labels are correct for
every component in which all edges join equal labels (labels constant over a connected
component, each label no larger than any node of it and itself a node of it: so it is
the component's minimum). Edges that still join different labels are counted in the
stat ``components_not_converged``. Their components carry several labels,
so a caller keeping one member per label may keep several per component (the smallest
node, its own label, is always among them), but never removes a node that has no edge.

Labels, label sizes and the check take two groupings after the rounds: by node (each
node computes its label and sends itself to its label, and its label to each larger
neighbour), then by node again, where a label counts its members and hands each the
label and the size, and a node compares the labels its smaller neighbours sent with
its own: the same edges are compared as by a join of labels with edges, in one
grouping fewer than the labels and the check alone took.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import apache_beam as beam
from massivetext.pipelines.stage_stats import count_stat, zero_stats

# Our choice (see the module docstring): about 0.8 log2 n rounds were measured; 12 cover
# one chain of 32,000 nodes, at two shuffles per round. Each round costs two grouping
# stages on every run, however small the graph (20 rounds were 40 of the pipeline's 90
# GroupByKeys), and a component that needs more is counted, never wrongly removed.
DEFAULT_ROUNDS = 12

NOT_CONVERGED = "components_not_converged"


def _large_star(item: tuple[Any, Iterable[Any]]) -> Iterable[tuple[Any, Any]]:
    """node and all its neighbours -> (larger neighbour, smallest of the closed
    neighbourhood): larger node first, as the small-star grouping wants."""
    node, neighbours = item
    # The grouped values are re-iterable: a hub's neighbourhood is streamed twice
    # rather than held as a set.
    smallest = min(min(neighbours), node)
    for neighbour in neighbours:
        if neighbour > node:
            yield neighbour, smallest


def _small_star(item: tuple[Any, Iterable[Any]]) -> Iterable[tuple[Any, Any]]:
    """node and its smaller neighbours -> edges to their smallest, in both directions,
    as the next large-star grouping wants."""
    node, smaller_neighbours = item
    # A set, so duplicate edges die here and the edge count never grows between rounds.
    linked = set(smaller_neighbours)
    smallest = min(linked)
    linked.add(node)
    linked.discard(smallest)
    for neighbour in linked:
        yield neighbour, smallest
        yield smallest, neighbour


def _both_directions(edge: tuple[Any, Any]) -> Iterable[tuple[Any, Any]]:
    u, v = edge
    yield u, v
    yield v, u


class _AlternatingRound(beam.PTransform):
    """One large-star round then one small-star round.

    In and out: PCollection[(node, node)] holding every edge in both directions,
    without self-loops; the components stay the same.
    """

    def expand(self, edges):
        return (
            edges
            | "By node" >> beam.GroupByKey()
            | "Large star" >> beam.FlatMap(_large_star)
            | "By larger node" >> beam.GroupByKey()
            | "Small star" >> beam.FlatMap(_small_star)
        )


def _label_messages(item):
    """A node and its neighbours in the final graph -> its label, L(v) = the smallest
    node of its closed neighbourhood: to its label (``member``, v), and to each larger
    neighbour (``neighbour``, L(v)) for the check; and to itself (``own``, L(v))."""
    node, neighbours = item
    label = min(min(neighbours), node)
    yield node, ("own", label)
    yield label, ("member", node)
    for neighbour in neighbours:
        if neighbour > node:
            yield neighbour, ("neighbour", label)


def _check_and_count(item):
    """A node and its messages -> when it labels any nodes, (member, (label, n)) for each
    of them and ``sizes`` (label, n); and a ``not_converged`` 1 per edge from a smaller
    neighbour whose label is not its own. The grouped messages are re-iterable: the
    members are streamed twice (count, then labels), never held, though a label's group
    is its whole component."""
    node, messages = item
    own = next(value for kind, value in messages if kind == "own")
    size = 0
    for kind, value in messages:
        if kind == "member":
            size += 1
        elif kind == "neighbour" and value != own:
            yield beam.pvalue.TaggedOutput("not_converged", 1)
    if size:
        yield beam.pvalue.TaggedOutput("sizes", (node, size))
        for kind, value in messages:
            if kind == "member":
                yield value, (node, size)


class ConnectedComponents(beam.PTransform):
    """Label every node of an undirected graph with its component's smallest node.

    In: PCollection[tuple[node, node]], nodes orderable values with a deterministic
    coder (ints, strings, tuples of them); duplicate edges and self-loops allowed.
    Out: ``{"clusters": PCollection[(node, (label, n))], "sizes": PCollection[(label,
    n)], "stats": PCollection[(stage, key, n)]}`` with one ``(node, (label, n))`` per
    node that lies on an edge other than a self-loop, n the number of nodes with that
    label (one ``sizes`` element per label), and the stat ``(stage,
    "components_not_converged", n)``: edges whose endpoints still carry different
    labels after ``rounds`` rounds (0 when exact; in several triples to be summed, as
    every stats triple is).
    """

    def __init__(self, rounds: int = DEFAULT_ROUNDS, stage: str = "components"):
        super().__init__()
        if rounds < 1:
            raise ValueError(f"rounds must be >= 1, got {rounds}")
        self._rounds = rounds
        self._stage = stage

    def expand(self, edges):
        # Duplicate edges need no Distinct (a grouping of its own): a large star's
        # smallest neighbour is the same with them, and the small star's set drops the
        # duplicates it hands on.
        graph = (
            edges
            | "Drop self-loops" >> beam.Filter(lambda e: e[0] != e[1])
            | "Both directions" >> beam.FlatMap(_both_directions)
        )
        for round_number in range(self._rounds):
            graph = graph | f"Round {round_number}" >> _AlternatingRound()

        # Labels, label sizes and the exact check (see the module docstring) in two
        # groupings: by node, then by node again for the messages each node sent.
        resolved = (
            graph
            | "By node" >> beam.GroupByKey()
            | "Label" >> beam.FlatMap(_label_messages)
            | "Messages" >> beam.GroupByKey()
            | "Check and count" >> beam.FlatMap(_check_and_count).with_outputs(
                "sizes", "not_converged", main="clusters")
        )
        stats = (
            zero_stats(edges, self._stage, (NOT_CONVERGED,)),
            count_stat(resolved.not_converged, self._stage, NOT_CONVERGED, "inconsistent"),
        ) | "Stats" >> beam.Flatten()
        return {"clusters": resolved.clusters, "sizes": resolved.sizes, "stats": stats}
