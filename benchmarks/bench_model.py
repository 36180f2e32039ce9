"""Forward+backward speed of each block variant on CPU, beside jax.nn.dot_product_attention.

For Gopher, LLaMA and PaLM blocks at one small size (4 layers, d_model 256, T = 256):
tokens/s of a jitted gradient of the loss, the achieved FLOP/s by the PaLM Appendix B
formula and by XLA's own count of the compiled program, and the attention alone (ours,
with its position terms, against ``jax.nn.dot_product_attention``, causal, same shapes).
The relative variant does one more T x T matmul than the reference by design.
"""

from __future__ import annotations

import resource
import time

import jax
import jax.numpy as jnp
from flax import nnx

from massivetext.train.configs import CONFIGS, shrink
from massivetext.train.flops import training_flops_per_token
from massivetext.train.model import create_model, loss_fn, rotary_angles, sinusoid_embedding

BATCH, LENGTH, ROUNDS = 8, 256, 3
VARIANTS = ["gopher-44m", "llama-7b", "palm-8b"]


def _seconds(fn, *args) -> float:
    jax.block_until_ready(fn(*args))  # compile and warm up
    start = time.perf_counter()
    for _ in range(ROUNDS):
        jax.block_until_ready(fn(*args))
    return (time.perf_counter() - start) / ROUNDS


def _config(base: str):
    return shrink(CONFIGS[base], base.split("-")[0] + "-bench", n_layers=4, d_model=256,
                  n_heads=4, vocab_size=8192, max_seq_len=LENGTH)


def model_step(base: str, compute_dtype: str) -> None:
    config = _config(base).replace(compute_dtype=compute_dtype)
    graphdef, state = nnx.split(create_model(config))
    tokens = jax.random.randint(jax.random.key(0), (BATCH, LENGTH + 1), 0, config.vocab_size)

    def gradient(state, tokens):
        return jax.grad(lambda s: loss_fn(nnx.merge(graphdef, s), tokens)[0])(state)

    step = jax.jit(gradient)
    seconds = _seconds(step, state, tokens)
    tokens_per_s = BATCH * LENGTH / seconds
    formula = training_flops_per_token(config, LENGTH).total * tokens_per_s
    print(f"{config.family:<7} {compute_dtype:<9} fwd+bwd {seconds * 1e3:8.1f} ms  "
          f"{tokens_per_s:9.0f} tokens/s  {formula / 1e9:6.1f} GFLOP/s (formula)")


def attention_step(base: str) -> None:
    config = _config(base)
    model = create_model(config.replace(compute_dtype="float32"))
    graphdef, state = nnx.split(model.blocks.attention)
    state = jax.tree.map(lambda x: x[0], state)  # layer 0 of the stacked blocks
    x = jax.random.normal(jax.random.key(1), (BATCH, LENGTH, config.d_model))
    if config.position == "relative":
        positions = sinusoid_embedding(jnp.arange(LENGTH - 1, -1, -1), config.d_model)
    else:
        positions = rotary_angles(LENGTH, config.head_dim)

    def ours(state, x):
        return jax.grad(lambda s, x: nnx.merge(graphdef, s)(x, positions).sum())(state, x)

    def reference(state, x):
        def loss(state, x):  # the same projections around jax.nn.dot_product_attention
            w = nnx.merge(graphdef, state)
            q = jnp.einsum("btd,dhk->bthk", x, w.w_q[...])  # (B, T, H, K)
            key = jnp.einsum("btd,dgk->btgk", x, w.w_k[...])  # (B, S, G, K)
            value = jnp.einsum("btd,dgk->btgk", x, w.w_v[...])  # (B, S, G, K)
            out = jax.nn.dot_product_attention(q, key, value, is_causal=True)  # (B, T, H, K)
            return jnp.einsum("bthk,hkd->btd", out, w.w_o[...]).sum()

        return jax.grad(loss)(state, x)

    ours_s = _seconds(jax.jit(ours), state, x)
    ref_s = _seconds(jax.jit(reference), state, x)
    print(f"{config.family:<7} attention layer fwd+bwd: ours {ours_s * 1e3:7.1f} ms  "
          f"jax.nn.dot_product_attention {ref_s * 1e3:7.1f} ms (same projections, no "
          f"position terms)")


def main() -> None:
    print(f"CPU, batch {BATCH} x {LENGTH} tokens, 4 layers, d_model 256, vocabulary 8,192; "
          f"{jax.device_count()} device(s)")
    for base in VARIANTS:
        model_step(base, "bfloat16")  # the default policy (Appendix C)
    model_step(VARIANTS[0], "float32")  # CPUs have no bf16 matmul units
    for base in VARIANTS:
        attention_step(base)
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
