"""Python's cyclic garbage collector in a local run: the heap the run starts with is
frozen out of its full collections.

A full collection walks every object the collector tracks. In a local run's process
most of them are there before the first bundle and live as long as the run: Beam's and
our modules, the runner, the pipeline's graph (about 200,000 objects). The run itself
allocates millions of short-lived ones (per page: its element proxies, tokens, stage
results), so the collector runs a full collection every so often, and each one walked
all of those again. Measured in the documents phase on 4,163 real pages in one worker:
32 full collections took 2.5 of its 21.6 CPU-seconds; with the starting heap frozen
(``gc.freeze``) they took 0.3 s, and the phase 19.5 CPU-seconds. In a phase nothing is
kept that would have been freed: the heap is collected before it is frozen, and unfrozen
after the run, so an in-process caller (a test, a notebook) gets its collector back as
it was. A local worker freezes once and never unfreezes: a starting object that becomes
cyclic garbage is kept until the worker ends, with the run.
(docs/architecture.md, "The collector: the starting heap frozen out of full
collections".)
"""

from __future__ import annotations

import contextlib
import gc

from massivetext.pipelines import worker_exit


def _freeze_live_heap() -> None:
    """Collect what is garbage now, then leave every survivor out of later walks."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def frozen_starting_heap():
    """Within: the objects alive on entry (after a full collection) are left out of the
    collector's walks; on exit they are handed back to its oldest generation."""
    _freeze_live_heap()
    try:
        yield
    finally:
        gc.unfreeze()


_worker_frozen = False


def freeze_in_local_worker() -> None:
    """In a worker process of a local run (one that :mod:`worker_exit` watches): freeze
    the heap it has when it first runs our code, once; the worker ends with the run."""
    global _worker_frozen
    if _worker_frozen or not worker_exit.is_local_worker():
        return
    _worker_frozen = True
    _freeze_live_heap()
