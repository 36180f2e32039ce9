"""The collector in a local run: the starting heap is frozen out of full collections,
its garbage collected first, and the collector given back as it was; a local run's
worker freezes its own."""

import gc
import os
import subprocess
import sys
import weakref

from massivetext.pipelines import worker_exit
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


FREEZE_COUNT = "import gc, massivetext.pipelines; print(gc.get_freeze_count())"


def frozen_objects_in_a_new_process(environment: dict[str, str]) -> int:
    completed = subprocess.run([sys.executable, "-c", FREEZE_COUNT], env=environment,
                               capture_output=True, text=True, check=True)
    return int(completed.stdout)


def test_a_local_worker_freezes_its_heap_on_importing_our_pipelines():
    environment = {key: value for key, value in os.environ.items()
                   if key != worker_exit.PARENT_VARIABLE}
    assert frozen_objects_in_a_new_process(environment) == 0  # not a worker of a run
    # A worker of a local run: its environment names the run's (live) process.
    environment[worker_exit.PARENT_VARIABLE] = str(os.getpid())
    assert frozen_objects_in_a_new_process(environment) > 0
