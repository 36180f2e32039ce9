"""The optimiser of each family, as the papers state it, built from Optax.

- Gopher: Adam (Optax's defaults b1 0.9, b2 0.999; the paper names no betas), global
  gradient-norm clipping at the config's ``grad_clip`` (1.0; 0.25 for 7.1B and 280B).
- LLaMA: AdamW with b1 0.9, b2 0.95, weight decay 0.1, clipping 1.0.
- PaLM: Adafactor without factorisation (PaLM Section 5: "Adafactor without
  factorization", i.e. Adam with parameter scaling), b1 0.9, second-moment decay
  1 - step^-0.8, updates scaled by the parameter's RMS, clipping 1.0.

The learning rate comes from schedule.py. Parameters are float32 (the master copy of
Appendix C): the update is computed and applied in float32, the forward pass casts
each matmul operand to bf16 itself.
"""

from __future__ import annotations

import optax

from massivetext.train.configs import ModelConfig
from massivetext.train.schedule import Schedule

LLAMA_BETAS = (0.9, 0.95)
LLAMA_WEIGHT_DECAY = 0.1
PALM_MOMENTUM = 0.9
PALM_DECAY_RATE = 0.8  # second-moment decay 1 - step^-0.8


def gradient_clipping(config: ModelConfig) -> optax.GradientTransformation:
    """Global gradient-norm clipping at the config's threshold (Gopher Section 3.3)."""
    return optax.clip_by_global_norm(config.grad_clip)


def make_optimizer(config: ModelConfig, schedule: Schedule) -> optax.GradientTransformation:
    if config.family == "gopher":
        update = optax.adam(schedule)
    elif config.family == "llama":
        update = optax.adamw(schedule, b1=LLAMA_BETAS[0], b2=LLAMA_BETAS[1],
                             weight_decay=LLAMA_WEIGHT_DECAY)
    elif config.family == "palm":
        update = optax.adafactor(schedule, factored=False, decay_rate=PALM_DECAY_RATE,
                                 momentum=PALM_MOMENTUM, multiply_by_parameter_scale=True,
                                 clipping_threshold=None)
    else:
        raise ValueError(f"no optimiser for family {config.family!r}")
    return optax.chain(gradient_clipping(config), update)
