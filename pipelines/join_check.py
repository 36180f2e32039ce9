"""Counted groupings: the values that go into a grouping and come out of it, compared
after the run.

A lost value in a grouping does not unbalance the accounting: a lost band key or n-gram
only means a pair that is never proposed, so a duplicate or a contaminated document is
silently kept. In Beam 2.77's local runner with several worker processes, values a DoFn
emitted were seen not to reach the step after the next CoGroupByKey (docs/architecture.md,
"Elements lost in the local multi-process runner, and counted groupings"), so the
pipelines' groupings count both sides with Beam Metrics (namespace :data:`NAMESPACE`,
which the Dataflow UI shows too): :class:`CountedGroupByKey` and
:class:`CountedCoGroupByKey` count every value before the grouping and every value of
every group after it, and :func:`lost_values` reads the two counts of each grouping
(named by its transform's label) from a finished run's metrics. ``massivetext run``
fails a run whose counts differ (:func:`check_joins`).

The counts are tallied in the DoFn and added to the counter once per bundle, so a
grouping of millions of values costs one pass over them, not a metric update per value.
"""

from __future__ import annotations

import collections

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter

NAMESPACE = "massivetext.joins"
SENT, RECEIVED = "sent", "received"


def _size(values) -> int:
    """The number of grouped values: a list on the local runner, a lazily read iterable
    on others."""
    try:
        return len(values)
    except TypeError:
        return sum(1 for _ in values)


def _one(_element) -> int:
    return 1


def _group_size(element) -> int:
    return _size(element[1])


def _co_group_size(element) -> int:
    return sum(map(_size, element[1].values()))  # the values of every input


class _Tally(beam.DoFn):
    """Adds ``values_of(element)`` over what passes through into one counter."""

    def __init__(self, side: str, values_of):
        self._side = side
        self._values_of = values_of

    def setup(self):
        self._counter = Metrics.counter(NAMESPACE, self._side)

    def start_bundle(self):
        self._count = 0

    def process(self, element):
        self._count += self._values_of(element)
        yield element

    def finish_bundle(self):
        self._counter.inc(self._count)


class CountedGroupByKey(beam.PTransform):
    """PCollection[(key, value)] -> PCollection[(key, values)], as GroupByKey, with the
    values counted on both sides."""

    def expand(self, pairs):
        return (pairs
                | "Count sent" >> beam.ParDo(_Tally(SENT, _one))
                | "Group" >> beam.GroupByKey()
                | "Count received" >> beam.ParDo(_Tally(RECEIVED, _group_size)))


class CountedCoGroupByKey(beam.PTransform):
    """{tag: PCollection[(key, value)]} -> PCollection[(key, {tag: [value]})], as
    CoGroupByKey, with the values of all inputs counted on both sides."""

    def expand(self, inputs):
        counted = {tag: pairs | f"Count sent {tag}" >> beam.ParDo(_Tally(SENT, _one))
                   for tag, pairs in inputs.items()}
        return (counted
                | "Group" >> beam.CoGroupByKey()
                | "Count received" >> beam.ParDo(_Tally(RECEIVED, _co_group_size)))


def counter_value(counter) -> int:
    """A queried counter's value: committed where the runner commits, else attempted."""
    value = counter.committed if counter.committed is not None else counter.attempted
    return value or 0


def lost_values(result) -> dict[str, tuple[int, int]]:
    """{join's label: (values sent, values received)} for every counted join of the
    finished run ``result`` whose two counts differ."""
    query = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    counts = collections.defaultdict(lambda: {SENT: 0, RECEIVED: 0})
    for counter in query["counters"]:
        join = counter.key.step.rsplit("/", 1)[0]  # the label above "Count ..."
        counts[join][counter.key.metric.name] += counter_value(counter)
    return {join: (count[SENT], count[RECEIVED]) for join, count in sorted(counts.items())
            if count[SENT] != count[RECEIVED]}


class LostValuesError(RuntimeError):
    """A finished run's counted joins received fewer (or more) values than were sent."""


def check_joins(result) -> None:
    """Raise :class:`LostValuesError` naming every counted join of the finished run
    ``result`` whose counts differ."""
    lost = lost_values(result)
    if lost:
        joins = "; ".join(f"{join}: {sent} sent, {received} received"
                          for join, (sent, received) in lost.items())
        raise LostValuesError(
            f"the runner lost values between {len(lost)} grouping(s) and their inputs "
            f"({joins}); the output would keep what they should have removed, so the "
            "run is failed (see docs/architecture.md, \"Elements lost in the local "
            "multi-process runner, and counted groupings\")")
