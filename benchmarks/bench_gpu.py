"""GPU/TPU speed: step time, tokens/s and MFU of the Gopher 417M and 1.4B configs and the
LLaMA and PaLM blocks at about 1B, one command: ``python -m benchmarks gpu``.

Each config compiles and times a jitted forward+backward step on one chip in well under
two minutes; the target is at least 45% MFU at 1.4B on one H100/H200 (PaLM reached 46.2%
at 540B on TPU v4). MFU uses the PaLM Appendix B formula (flops.py) and the detected
chip's bf16 dense peak. Without an accelerator it says so and measures nothing.
"""

from __future__ import annotations

import sys
import time

import jax
from flax import nnx

from massivetext.train.configs import CONFIGS
from massivetext.train.flops import hardware_name, mfu, training_flops_per_token
from massivetext.train.model import create_model, loss_fn

SEQ_LEN, STEPS = 2048, 10
# name -> (config, batch in sequences); remat keeps the 1B-class activations in memory.
BENCHMARK_CONFIGS = {
    "gopher-417m": (CONFIGS["gopher-417m"], 16),
    "gopher-1.4b": (CONFIGS["gopher-1.4b"].replace(remat="dots"), 16),
    "llama-1b": (CONFIGS["llama-7b"].replace(name="llama-1b", n_layers=18, n_heads=16,
                                             n_kv_heads=16, head_dim=128, d_model=2048,
                                             d_ff=5632, remat="dots"), 16),
    "palm-1b": (CONFIGS["palm-8b-32k"].replace(name="palm-1b", n_layers=16, n_heads=8,
                                               d_model=2048, d_ff=8192, remat="dots"), 16),
}


def measure(name: str, config, batch: int, hardware: str) -> str:
    graphdef, state = nnx.split(create_model(config))
    tokens = jax.random.randint(jax.random.key(0), (batch, SEQ_LEN + 1), 0, config.vocab_size)

    @jax.jit
    def step(state, tokens):
        return jax.grad(lambda s: loss_fn(nnx.merge(graphdef, s), tokens)[0])(state)

    start = time.perf_counter()
    jax.block_until_ready(step(state, tokens))
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(STEPS):
        grads = step(state, tokens)
    jax.block_until_ready(grads)
    seconds = (time.perf_counter() - start) / STEPS
    tokens_per_s = batch * SEQ_LEN / seconds
    flops = training_flops_per_token(config, SEQ_LEN).total
    return (f"{name:<12} batch {batch:>3} x {SEQ_LEN}  step {seconds * 1e3:8.1f} ms  "
            f"{tokens_per_s:10,.0f} tokens/s  MFU {mfu(tokens_per_s, flops, hardware):6.1%}  "
            f"(compile {compile_s:.0f} s, remat {config.remat})")


def main(names: list[str] | None = None) -> None:
    device = jax.devices()[0]
    hardware = hardware_name(device.device_kind)
    if hardware is None:
        print(f"no accelerator with a known peak ({device.device_kind}): nothing measured")
        return
    print(f"{device.device_kind} ({hardware}), fwd+bwd, bf16 compute, float32 parameters")
    for name in names or BENCHMARK_CONFIGS:
        config, batch = BENCHMARK_CONFIGS[name]
        print(measure(name, config, batch, hardware), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
