"""Learning-rate schedules: pure functions of the step, one per model family.

- Gopher (Section 3.3): linear warm-up from 1e-7 to the Table 1 maximum over 1,500
  steps, then cosine decay to a tenth of the maximum at the last step.
- LLaMA: linear warm-up from 0 over 2,000 steps, cosine decay to 10% of the maximum.
- PaLM (Section 5): 1e-2 for the first 10,000 steps, then 1e-2 x sqrt(10,000 / step).

``step`` is the number of updates already applied (0 for the first update); the
functions work on Python numbers and on traced JAX scalars alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

GOPHER_WARMUP_STEPS = 1500
GOPHER_INITIAL_LR = 1e-7
LLAMA_WARMUP_STEPS = 2000
FINAL_LR_FRACTION = 0.1  # cosine decays to max / 10 (Gopher, LLaMA)
PALM_CONSTANT_STEPS = 10_000


@dataclass(frozen=True)
class Schedule:
    family: str
    max_lr: float
    total_steps: int
    warmup_steps: int | None = None  # None: the family's published warm-up

    def __call__(self, step):
        return learning_rate(step, self)


def _warmup_cosine(step, max_lr, total_steps, warmup_steps, initial_lr):
    step = jnp.asarray(step, jnp.float32)
    warm = initial_lr + (max_lr - initial_lr) * jnp.minimum(step / max(warmup_steps, 1), 1.0)
    # Progress through the decay: 0 at the end of warm-up, 1 at the last step.
    progress = jnp.clip((step - warmup_steps) / max(total_steps - 1 - warmup_steps, 1), 0, 1)
    final = FINAL_LR_FRACTION * max_lr
    cosine = final + (max_lr - final) * 0.5 * (1 + jnp.cos(jnp.pi * progress))
    return jnp.where(step < warmup_steps, warm, cosine)


def learning_rate(step, schedule: Schedule):
    """The learning rate for the update at ``step`` (0-based)."""
    if schedule.family == "gopher":
        warmup = GOPHER_WARMUP_STEPS if schedule.warmup_steps is None else schedule.warmup_steps
        return _warmup_cosine(step, schedule.max_lr, schedule.total_steps, warmup,
                              GOPHER_INITIAL_LR)
    if schedule.family == "llama":
        warmup = LLAMA_WARMUP_STEPS if schedule.warmup_steps is None else schedule.warmup_steps
        return _warmup_cosine(step, schedule.max_lr, schedule.total_steps, warmup, 0.0)
    if schedule.family == "palm":
        constant = PALM_CONSTANT_STEPS if schedule.warmup_steps is None else schedule.warmup_steps
        # At least one step at the maximum: a constant phase of 0 would make it 0 / 0.
        constant = max(constant, 1)
        step = jnp.asarray(step, jnp.float32)
        return schedule.max_lr * jnp.sqrt(constant / jnp.maximum(step, constant))
    raise ValueError(f"no schedule for family {schedule.family!r}")
