"""ConnectedComponents in Beam against scipy's connected components on the same graph."""

import random
from collections import Counter

import numpy as np
import pytest
from apache_beam import Create, Map
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines.components import (
    NOT_CONVERGED,
    ConnectedComponents,
    _both_directions,
    _IsolatedStars,
)
from massivetext.pipelines.options import LOCAL_RUNNER
from scipy import sparse
from scipy.sparse import csgraph


def _shuffled_chain(name, length, rng):
    nodes = [f"{name}-{i:04d}" for i in range(length)]
    rng.shuffle(nodes)  # node order unrelated to chain order, as with hashed ids
    return [(nodes[i], nodes[i + 1]) for i in range(length - 1)]


def _graph():
    rng = random.Random(7)
    edges = []
    edges += _shuffled_chain("chain", 250, rng)
    edges += _shuffled_chain("short", 3, rng)
    edges += [("star-zz-centre", f"star-{i:03d}") for i in range(120)]  # centre is largest
    clique = [f"clique-{i:02d}" for i in range(25)]
    edges += [(a, b) for i, a in enumerate(clique) for b in clique[i + 1:]]
    edges += [(f"pair-{i}-a", f"pair-{i}-b") for i in range(30)]
    # A cycle, a self-loop, duplicates and reversed duplicates are all legal input.
    edges += [("cycle-0", "cycle-1"), ("cycle-1", "cycle-2"), ("cycle-2", "cycle-0")]
    edges += [("pair-0-a", "pair-0-a"), ("pair-1-b", "pair-1-a"), ("pair-2-a", "pair-2-b")]
    rng.shuffle(edges)
    return edges


def _expected_labels(edges):
    """(node, smallest node of its component) by scipy, independently of Beam."""
    nodes = sorted({n for e in edges for n in e if e[0] != e[1]})
    index = {n: i for i, n in enumerate(nodes)}
    rows = [index[a] for a, b in edges if a != b]
    cols = [index[b] for a, b in edges if a != b]
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes),) * 2)
    _, component = csgraph.connected_components(graph, directed=False)
    smallest = {}
    for node, c in zip(nodes, component, strict=True):
        smallest.setdefault(c, node)  # nodes are sorted: the first seen is the minimum
    return [(node, smallest[c]) for node, c in zip(nodes, component, strict=True)]


def test_labels_match_scipy_for_chains_stars_cliques_and_pairs():
    edges = _graph()
    expected = _expected_labels(edges)
    assert len({label for _, label in expected}) == 2 + 1 + 1 + 30 + 1  # sanity of the fixture
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        result = pipeline | Create(edges) | ConnectedComponents(stage="test")
        sizes = Counter(label for _, label in expected)
        assert_that(result["clusters"], equal_to(
            [(node, (label, sizes[label])) for node, label in expected]), label="clusters")
        assert_that(result["sizes"], equal_to(list(sizes.items())), label="sizes")
        assert_that(result["stats"] | "Not converged" >> Map(lambda triple: triple[2]),
                    equal_to([0]), label="stats")


def test_too_few_rounds_are_reported_not_hidden():
    edges = _shuffled_chain("chain", 200, random.Random(3))
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        result = pipeline | Create(edges) | ConnectedComponents(rounds=1, stage="test")

        def reports_inconsistency(stats):
            assert {(stage, key) for stage, key, _ in stats} == {("test", NOT_CONVERGED)}
            assert sum(count for _, _, count in stats) > 0

        assert_that(result["stats"], reports_inconsistency)


def test_rounds_must_be_positive():
    with pytest.raises(ValueError):
        ConnectedComponents(rounds=0)


def test_isolated_stars_are_labelled_before_the_rounds_and_the_rest_goes_on():
    stars = [("p-a", "p-b"), ("p-b", "p-a"), ("p-a", "p-b"),  # a pair, duplicated
             ("q-1", "q-0"), ("q-1", "q-2"),  # a path of three: a star around q-1
             *[("s-z", f"s-{i}") for i in range(5)]]  # the centre is the largest node
    others = [("t-0", "t-1"), ("t-1", "t-2"), ("t-2", "t-0"),  # a triangle
              ("c-0", "c-1"), ("c-1", "c-2"), ("c-2", "c-3"),  # a path of four
              ("h-0", "h-1"), ("h-0", "h-2"), ("h-2", "h-3")]  # a star with a longer arm
    edges = [directed for edge in stars + others for directed in _both_directions(edge)]
    expected_rest = {directed for edge in others for directed in _both_directions(edge)}
    labels = _expected_labels(stars)
    sizes = Counter(label for _, label in labels)

    def is_the_rest(rest):
        assert set(rest) == expected_rest

    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        split = pipeline | Create(edges) | _IsolatedStars()
        assert_that(split["clusters"], equal_to(
            [(node, (label, sizes[label])) for node, label in labels]), label="clusters")
        assert_that(split["sizes"], equal_to(list(sizes.items())), label="sizes")
        assert_that(split["rest"], is_the_rest, label="rest")
