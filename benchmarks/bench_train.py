"""CPU speed of the full train_step (forward, backward, clipping, optimiser update on the
float32 master copy): gopher-44m at T = 512 and the shrunken gopher-tiny, with the
achieved FLOP/s by the PaLM Appendix B formula. The attention reference
(jax.nn.dot_product_attention) is in bench_model; the formula is checked against XLA's
own count in tests/test_model_flops.py.
"""

from __future__ import annotations

import resource
import time

import jax
import numpy as np

from massivetext.train.configs import CONFIGS
from massivetext.train.flops import training_flops_per_token
from massivetext.train.loop import RunConfig, Trainer
from massivetext.train.step import make_train_step

ROUNDS = 3
CASES = [("gopher-44m", 512, 4), ("gopher-tiny", 128, 16)]


def measure(name: str, seq_len: int, batch: int) -> None:
    config = CONFIGS[name].replace(max_seq_len=max(seq_len, CONFIGS[name].max_seq_len))
    trainer = Trainer.build(config, RunConfig(steps=1000, seq_len=seq_len, batch_size=batch))
    state = trainer.fresh_state()
    tokens = np.random.default_rng(0).integers(0, config.vocab_size, (batch, seq_len + 1))
    step = jax.jit(make_train_step(trainer.graphdef, trainer.tx, trainer.schedule),
                   donate_argnums=0)
    with jax.set_mesh(trainer.mesh):
        batch_array = trainer.global_batch(tokens)
        state, metrics = step(state, batch_array)  # compile
        jax.block_until_ready(metrics)
        start = time.perf_counter()
        for _ in range(ROUNDS):
            state, metrics = step(state, batch_array)
        jax.block_until_ready(metrics)
    seconds = (time.perf_counter() - start) / ROUNDS
    tokens_per_s = batch * seq_len / seconds
    flops = training_flops_per_token(config, seq_len).total
    print(f"{name:<12} batch {batch} x {seq_len}: {seconds * 1e3:8.1f} ms/step  "
          f"{tokens_per_s:8.0f} tokens/s  {tokens_per_s * flops / 1e9:6.1f} GFLOP/s by the "
          f"formula ({flops / 1e6:.0f} MFLOP/token)")


def main() -> None:
    print(f"CPU, {jax.device_count()} device(s), bf16 compute, float32 master parameters")
    for case in CASES:
        measure(*case)
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
