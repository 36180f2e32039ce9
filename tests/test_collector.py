"""The collector in a local run: the starting heap is frozen out of full collections,
its garbage collected first, and the collector given back as it was."""

import gc
import weakref

from massivetext.pipelines.collector import frozen_starting_heap


class Node:
    def __init__(self):
        self.partner = self


def test_the_starting_heap_is_frozen_within_and_handed_back_after():
    node = Node()
    dropped = weakref.ref(node)
    assert gc.get_freeze_count() == 0
    with frozen_starting_heap():
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()  # a full collection does not walk the frozen heap
        assert dropped() is not None
    assert gc.get_freeze_count() == 0
    gc.collect()  # handed back: the next full collection frees it
    assert dropped() is None


def test_garbage_alive_on_entry_is_collected_not_frozen():
    garbage = Node()  # a cycle: only the cyclic collector frees it
    gone = weakref.ref(garbage)
    del garbage
    with frozen_starting_heap():
        assert gone() is None
