"""Checkpoints with Orbax: the train state, the sequence loader's state and the run's
configuration, saved asynchronously every K steps and at the end, the last M kept.

A checkpoint directory holds ``<step>/state`` (parameters, optimiser state, step, RNG:
Orbax's sharded array format), ``<step>/loader`` and ``<step>/run`` (JSON). Orbax
writes each step into a temporary directory and renames it when complete, so a
partial save is never listed. Restoring reads into the *current* mesh's shardings, so a
checkpoint written on 8 devices restores on 1 (and the other way). An unreadable step
raises :class:`CheckpointError` naming the steps that remain usable.
"""

from __future__ import annotations

from pathlib import Path

import jax
import orbax.checkpoint as ocp


class CheckpointError(RuntimeError):
    pass


class Checkpoints:
    """``save(step, state, loader_state, run)``, ``restore(abstract_state, step=None)``."""

    def __init__(self, directory: str | Path, every: int = 1000, keep: int = 3,
                 asynchronous: bool = True):
        self.directory = Path(directory).absolute()
        self.every = every
        options = ocp.CheckpointManagerOptions(
            save_interval_steps=every, max_to_keep=keep,
            enable_async_checkpointing=asynchronous, cleanup_tmp_directories=True)
        self.manager = ocp.CheckpointManager(self.directory, options=options,
                                             item_names=("state", "loader", "run"))

    def steps(self) -> list[int]:
        return sorted(self.manager.all_steps())

    def latest_step(self) -> int | None:
        return self.manager.latest_step()

    def save(self, step: int, state, loader_state, run: dict, force: bool = False) -> bool:
        """Start saving (asynchronously); ``force`` saves off the K-step interval."""
        if not force and step % self.every:
            return False  # Orbax would also save a run's first step, off the interval
        return self.manager.save(step, args=ocp.args.Composite(
            state=ocp.args.StandardSave(state), loader=ocp.args.JsonSave(loader_state),
            run=ocp.args.JsonSave(run)), force=force)

    def restore(self, abstract_state, step: int | None = None):
        """(state, loader_state, run) of ``step`` (default: the latest), the state's arrays
        placed as ``abstract_state``'s ShapeDtypeStructs say."""
        steps = self.steps()
        if not steps:
            raise CheckpointError(f"no checkpoint in {self.directory}")
        step = steps[-1] if step is None else step
        if step not in steps:
            raise CheckpointError(f"no checkpoint of step {step} in {self.directory}; "
                                  f"steps: {steps}")
        try:
            restored = self.manager.restore(step, args=ocp.args.Composite(
                state=ocp.args.StandardRestore(abstract_state), loader=ocp.args.JsonRestore(),
                run=ocp.args.JsonRestore()))
        except Exception as error:  # Orbax and TensorStore raise many kinds
            others = [s for s in steps if s != step]
            raise CheckpointError(
                f"checkpoint of step {step} in {self.directory} is unreadable "
                f"({type(error).__name__}: {str(error)[:300]}); other steps: {others or 'none'}"
                + (f" (resume one with --resume-step {others[-1]})" if others else "")
            ) from error
        return restored["state"], restored["loader"], restored["run"]

    def wait(self) -> None:
        """Block until every started save is on disk."""
        self.manager.wait_until_finished()

    def close(self) -> None:
        self.manager.close()


def abstract_like(state, shardings):
    """ShapeDtypeStructs of ``state`` (arrays or structs) placed by ``shardings``."""
    return jax.tree.map(lambda x, s: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s),
                        state, shardings)
