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

Before the rounds, the *isolated stars* leave the graph (:class:`_IsolatedStars`, two
groupings): a component whose nodes but one have a single neighbour (an isolated pair,
a path of three, a star's leaves around its centre) is labelled at once, and only the
edges of the other components go through the rounds. Its two groupings carry every
edge once more; they spare the rounds' and the labels' 26 groupings the edges of every
star component. A near-duplicate cluster of two (every cluster of the generated
sample) is such a star, and so is any cluster whose verified edges all meet in one
page; a clique of three or more near-identical pages is not, and takes the rounds as
before. On the
generated sample at 16,000 pages the components' shuffle fell from 2.7 MB to 0.25 MB.

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
from massivetext.pipelines.join_check import CountedGroupByKey
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


def _leaf_messages(item):
    """A node and all its neighbours -> (neighbour, (node, whether it is a leaf)) for
    each neighbour; a *leaf* (a node with one distinct neighbour) sends one message, so
    a node hears once from each leaf neighbour and once per edge from the others."""
    node, neighbours = item
    # Re-iterable grouped values: a hub's neighbourhood is streamed, never held.
    first = next(iter(neighbours))
    if all(neighbour == first for neighbour in neighbours):
        yield first, (node, True)
        return
    for neighbour in neighbours:
        yield neighbour, (node, False)


def _split_stars(item):
    """A node and its neighbours' leaf messages -> if it is the centre of an isolated
    star (it is not a leaf and all its neighbours are; or it is the smaller end of an
    isolated pair): (member, (label, n)) for the star's n members and ``sizes`` (label,
    n), the label being the smallest of them; if it lies in another component: its
    edges for the rounds in both directions (``rest``), its leaves' for them too. A
    leaf sends nothing: its neighbour does."""
    node, messages = item
    first = next(iter(messages))[0]
    if all(sender == first for sender, _ in messages):  # a leaf: one distinct neighbour
        neighbour, neighbour_is_leaf = first, next(iter(messages))[1]
        if neighbour_is_leaf and node < neighbour:  # an isolated pair
            yield beam.pvalue.TaggedOutput("sizes", (node, 2))
            yield node, (node, 2)
            yield neighbour, (node, 2)
        return
    if all(is_leaf for _, is_leaf in messages):  # the centre of an isolated star
        size, label = 1, node
        for leaf, _ in messages:  # one message per leaf
            size += 1
            label = min(label, leaf)
        yield beam.pvalue.TaggedOutput("sizes", (label, size))
        yield node, (label, size)
        for leaf, _ in messages:
            yield leaf, (label, size)
        return
    for neighbour, is_leaf in messages:
        yield beam.pvalue.TaggedOutput("rest", (node, neighbour))
        if is_leaf:
            yield beam.pvalue.TaggedOutput("rest", (neighbour, node))


class _IsolatedStars(beam.PTransform):
    """PCollection[(node, node)], every edge in both directions without self-loops ->
    ``{"clusters": (node, (label, n)) for each node of an isolated star, "sizes": (label,
    n) per star, "rest": the edges of every other component, in both directions}``
    (see the module docstring)."""

    def expand(self, edges):
        split = (edges
                 | "By node" >> CountedGroupByKey()
                 | "Leaf messages" >> beam.FlatMap(_leaf_messages)
                 | "Messages" >> CountedGroupByKey()
                 | "Split" >> beam.FlatMap(_split_stars).with_outputs(
                     "sizes", "rest", main="clusters"))
        return {"clusters": split.clusters, "sizes": split.sizes, "rest": split.rest}


class _AlternatingRound(beam.PTransform):
    """One large-star round then one small-star round.

    In and out: PCollection[(node, node)] holding every edge in both directions,
    without self-loops; the components stay the same.
    """

    def expand(self, edges):
        return (
            edges
            | "By node" >> CountedGroupByKey()
            | "Large star" >> beam.FlatMap(_large_star)
            | "By larger node" >> CountedGroupByKey()
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
        stars = (
            edges
            | "Drop self-loops" >> beam.Filter(lambda e: e[0] != e[1])
            | "Both directions" >> beam.FlatMap(_both_directions)
            | "Isolated stars" >> _IsolatedStars()
        )
        graph = stars["rest"]
        for round_number in range(self._rounds):
            graph = graph | f"Round {round_number}" >> _AlternatingRound()

        # Labels, label sizes and the exact check (see the module docstring) in two
        # groupings: by node, then by node again for the messages each node sent.
        resolved = (
            graph
            | "By node" >> CountedGroupByKey()
            | "Label" >> beam.FlatMap(_label_messages)
            | "Messages" >> CountedGroupByKey()
            | "Check and count" >> beam.FlatMap(_check_and_count).with_outputs(
                "sizes", "not_converged", main="clusters")
        )
        stats = (
            zero_stats(edges, self._stage, (NOT_CONVERGED,)),
            count_stat(resolved.not_converged, self._stage, NOT_CONVERGED, "inconsistent"),
        ) | "Stats" >> beam.Flatten()
        return {
            "clusters": (stars["clusters"], resolved.clusters) | "Clusters" >> beam.Flatten(),
            "sizes": (stars["sizes"], resolved.sizes) | "Sizes" >> beam.Flatten(),
            "stats": stats}
