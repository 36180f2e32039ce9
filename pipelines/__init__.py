"""The Beam pipelines, installed as ``massivetext.pipelines``: wiring only.

Each stage is a labelled PTransform over the core library's logic: reading,
extraction, filters, exact and near dedup, decontamination, shards and statistics.
The ``run`` subcommand (``run_command``) lives here because it needs Beam.
"""

# In a local worker process: exit when the run's main process dies (worker_exit), and
# leave the heap the worker starts with out of the collector's full walks (collector).
from massivetext.pipelines import collector, worker_exit  # noqa: F401

collector.freeze_in_local_worker()
