"""The training loop: a thin driver around the jitted ``train_step``.

``train(model_config, run, loader, output)`` builds the mesh, the optimiser and the
state (fresh, or restored with ``resume``), then for each step reads this process's
share of the batch from the loader, assembles the global batch on the mesh, steps,
logs metrics, evaluates every ``eval_every`` steps and checkpoints every
``checkpoint_every`` steps and at the end (loader state included, so a resumed run
sees exactly the batches it would have seen).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jax
import numpy as np

from massivetext.train.checkpoint import Checkpoints, abstract_like
from massivetext.train.configs import ModelConfig
from massivetext.train.flops import hardware_name, mfu, training_flops_per_token
from massivetext.train.metrics import MetricsLog
from massivetext.train.optimizer import make_optimizer
from massivetext.train.schedule import Schedule
from massivetext.train.sharding import make_mesh
from massivetext.train.step import (
    TrainState,
    batch_sharding,
    init_state,
    make_train_step,
    state_initializer,
    state_shardings,
)


@dataclass(frozen=True)
class RunConfig:
    """How to train (the model's own fields live in ModelConfig)."""

    steps: int = 1000
    seq_len: int = 2048
    batch_size: int = 128  # sequences per step, all processes together
    learning_rate: float | None = None  # None: the config's published maximum
    warmup_steps: int | None = None  # None: the family's published warm-up
    eval_every: int = 1000
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    seed: int = 0
    mesh_data: int = -1  # -1: the devices left over by fsdp x tensor
    mesh_fsdp: int = 1
    mesh_tensor: int = 1
    stop_after: int | None = None  # stop (with a checkpoint) after this step: --stop-after

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class Trainer:
    """What a run needs besides the data: built once, used by the loop and evaluation."""

    config: ModelConfig
    run: RunConfig
    mesh: jax.sharding.Mesh
    schedule: Schedule
    tx: object  # optax.GradientTransformation
    graphdef: object
    shardings: TrainState

    @classmethod
    def build(cls, config: ModelConfig, run: RunConfig, devices: list | None = None) -> Trainer:
        """``devices``: default all of them (every process's, multi-host)."""
        mesh = make_mesh(run.mesh_data, run.mesh_fsdp, run.mesh_tensor, devices)
        schedule = Schedule(config.family, run.learning_rate or config.max_learning_rate,
                            run.steps, run.warmup_steps)
        tx = make_optimizer(config, schedule)
        graphdef, shardings = state_shardings(config, tx, mesh)
        return cls(config, run, mesh, schedule, tx, graphdef, shardings)

    def fresh_state(self) -> TrainState:
        return init_state(self.config, self.tx, self.mesh, self.run.seed)[1]

    def abstract_state(self) -> TrainState:
        shapes = jax.eval_shape(state_initializer(self.config, self.tx, self.run.seed))
        return abstract_like(shapes, self.shardings)

    def global_batch(self, local_tokens: np.ndarray) -> jax.Array:
        """This process's rows -> one (batch_size, T+1) array over the whole mesh."""
        return jax.make_array_from_process_local_data(batch_sharding(self.mesh),
                                                      np.asarray(local_tokens, np.int32))


def train(config: ModelConfig, run: RunConfig, loader: Iterator, output: str | Path,
          evaluate: Callable | None = None, resume: bool = False,
          resume_step: int | None = None, progress: bool = True,
          devices: list | None = None) -> list[dict]:
    """Train; returns the step metrics. ``loader`` yields {"tokens": (B_local, T+1)} and
    has get_state/set_state; ``evaluate(trainer, params, step) -> dict`` is called
    before the first step of a fresh run (logged as step 0), every ``eval_every`` steps
    and at the end."""
    output = Path(output)
    trainer = Trainer.build(config, run, devices)
    checkpoints = Checkpoints(output / "checkpoints", run.checkpoint_every,
                              run.keep_checkpoints)
    run_record = {"model": dataclasses.asdict(config), "run": run.to_json()}
    if resume and checkpoints.steps():
        state, loader_state, _ = checkpoints.restore(trainer.abstract_state(), resume_step)
        loader.set_state(loader_state)
    else:
        state = trainer.fresh_state()
    start = int(state.step)
    step_fn = jax.jit(make_train_step(trainer.graphdef, trainer.tx, trainer.schedule),
                      donate_argnums=0)
    flops_per_token = training_flops_per_token(config, run.seq_len).total
    hardware = hardware_name(jax.devices()[0].device_kind)
    end = run.steps if run.stop_after is None else min(run.steps, run.stop_after)
    log = MetricsLog(output, run.steps, start, progress)
    history = []
    try:
        with jax.set_mesh(trainer.mesh):
            if evaluate is not None and start == 0:  # the untrained model, as step 0
                log.write({"step": 0, "eval": evaluate(trainer, state.params, 0)})
            for step in range(start, end):
                began = time.perf_counter()
                tokens = trainer.global_batch(next(loader)["tokens"])
                state, metrics = step_fn(state, tokens)
                record = {"step": step + 1, **{k: float(v) for k, v in metrics.items()}}
                seconds = time.perf_counter() - began
                record["step_seconds"] = seconds
                record["tokens_per_s"] = run.batch_size * run.seq_len / seconds
                record["model_flops_per_s"] = record["tokens_per_s"] * flops_per_token
                if hardware:
                    record["mfu"] = mfu(record["tokens_per_s"], flops_per_token, hardware,
                                        trainer.mesh.size)
                log.write(record)
                log.advance(record)
                history.append(record)
                done = step + 1
                last = done == end
                if evaluate is not None and (done % run.eval_every == 0 or last):
                    log.write({"step": done, "eval": evaluate(trainer, state.params, done)})
                checkpoints.save(done, state, loader.get_state(), run_record, force=last)
        checkpoints.wait()
    finally:
        log.close()
        checkpoints.close()
    return history
