"""The Beam pipelines, installed as ``massivetext.pipelines``: wiring only.

Each stage is a labelled PTransform over the core library's logic: reading,
extraction, filters, exact and near dedup, decontamination, shards and statistics.
The ``run`` subcommand (``run_command``) lives here because it needs Beam.
"""

# In a local worker process: exit when the run's main process dies.
from massivetext.pipelines import worker_exit  # noqa: E402, F401
