"""Counted joins: the values before a grouping and after it, compared after the run."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines.join_check import (
    RECEIVED,
    SENT,
    CountedCoGroupByKey,
    CountedGroupByKey,
    LostValuesError,
    _group_size,
    _one,
    _Tally,
    check_joins,
    lost_values,
)

PAIRS = [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("a", 5)]


def sorted_groups(item):
    key, values = item
    return key, sorted(values)


def test_a_counted_group_by_key_groups_as_group_by_key_and_balances():
    pipeline = TestPipeline(runner="FnApiRunner")
    grouped = (pipeline | beam.Create(PAIRS) | "Join" >> CountedGroupByKey()
               | beam.Map(sorted_groups))
    assert_that(grouped, equal_to([("a", [1, 3, 5]), ("b", [2]), ("c", [4])]))
    result = pipeline.run()
    result.wait_until_finish()
    assert lost_values(result) == {}
    check_joins(result)


def test_a_counted_co_group_by_key_counts_every_input():
    pipeline = TestPipeline(runner="FnApiRunner")
    left = pipeline | "Left" >> beam.Create(PAIRS)
    right = pipeline | "Right" >> beam.Create([("a", "x"), ("d", "y")])
    joined = ({"left": left, "right": right} | "Join" >> CountedCoGroupByKey()
              | beam.MapTuple(lambda key, groups: (key, sorted(groups["left"]),
                                                   groups["right"])))
    assert_that(joined, equal_to([("a", [1, 3, 5], ["x"]), ("b", [2], []), ("c", [4], []),
                                  ("d", [], ["y"])]))
    result = pipeline.run()
    result.wait_until_finish()
    assert lost_values(result) == {}


def test_values_lost_between_the_two_counts_fail_the_check():
    # The two counting steps of a join with values dropped between them, as the runner
    # dropped them: the check names the join and both counts.
    pipeline = TestPipeline(runner="FnApiRunner")
    (pipeline | beam.Create(PAIRS)
     | "Leaky join/Count sent" >> beam.ParDo(_Tally(SENT, _one))
     | "Leaky join/Lose two" >> beam.Filter(lambda pair: pair[1] not in (2, 5))
     | "Leaky join/Group" >> beam.GroupByKey()
     | "Leaky join/Count received" >> beam.ParDo(_Tally(RECEIVED, _group_size)))
    (pipeline | "Other" >> beam.Create(PAIRS) | "Sound join" >> CountedGroupByKey())
    result = pipeline.run()
    result.wait_until_finish()
    assert lost_values(result) == {"Leaky join": (5, 3)}
    with pytest.raises(LostValuesError, match="Leaky join: 5 sent, 3 received"):
        check_joins(result)
