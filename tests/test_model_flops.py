"""Training FLOPs per token (PaLM Appendix B) by hand and against XLA's own count."""

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from massivetext.train.configs import CONFIGS, shrink
from massivetext.train.flops import (
    PEAK_FLOPS,
    hardware_name,
    mfu,
    tokens_per_second_at,
    training_flops_per_token,
)
from massivetext.train.model import create_model, loss_fn

# XLA counts elementwise work (softmax, norms, GELU) that the formula leaves out.
XLA_TOLERANCE = 0.05


def test_gopher_44m_by_hand():
    # 8 layers, 16 heads of 32, d_model 512, d_ff 2048, vocabulary 32,000, T = 2048.
    n = 8 * (4 * 512 * 512 + 2 * 512 * 2048) + 32_000 * 512
    flops = training_flops_per_token(CONFIGS["gopher-44m"], 2048)
    assert flops.dense == 6 * n
    assert flops.attention == 12 * 8 * 16 * 32 * 2048
    assert flops.relative_position == 6 * 8 * 16 * 32 * 2048
    assert flops.total == 6 * n + 18 * 8 * 16 * 32 * 2048


def test_rotary_models_have_no_relative_term():
    assert training_flops_per_token(CONFIGS["llama-7b"]).relative_position == 0


@pytest.mark.parametrize("family", ["gopher-44m", "llama-7b", "palm-8b"])
def test_formula_agrees_with_xla_cost_analysis(family):
    # One layer: XLA's cost analysis counts a scan's body once, not once per layer.
    config = shrink(CONFIGS[family], "flops", n_layers=1, d_model=256, n_heads=4,
                    vocab_size=2048, max_seq_len=256).replace(compute_dtype="float32")
    graphdef, state = nnx.split(create_model(config))
    batch, length = 4, 256
    tokens = jnp.zeros((batch, length + 1), jnp.int32)

    def gradient(state, tokens):
        return jax.grad(lambda s: loss_fn(nnx.merge(graphdef, s), tokens)[0])(state)

    analysis = jax.jit(gradient).lower(state, tokens).compile().cost_analysis()
    analysis = analysis[0] if isinstance(analysis, list) else analysis
    xla_per_token = analysis["flops"] / (batch * length)
    formula = training_flops_per_token(config, length).total
    assert abs(xla_per_token / formula - 1) < XLA_TOLERANCE, (xla_per_token, formula)


def test_mfu_round_trip_and_hardware_names():
    flops = training_flops_per_token(CONFIGS["gopher-1.4b"]).total
    rate = tokens_per_second_at(0.5, flops, "h100")
    assert mfu(rate, flops, "h100") == pytest.approx(0.5)
    assert mfu(rate, flops, "h100", chips=2) == pytest.approx(0.25)
    assert hardware_name("NVIDIA H100 80GB HBM3") == "h100"
    assert hardware_name("NVIDIA H200") == "h200"
    assert hardware_name("NVIDIA A100-SXM4-80GB") == "a100"
    assert hardware_name("TPU v4") == "tpu-v4"
    assert hardware_name("TPU v5 lite") == "tpu-v5e"
    assert hardware_name("TPU v5p") == "tpu-v5p"
    assert hardware_name("cpu") is None
    assert set(PEAK_FLOPS) == {"tpu-v3", "tpu-v4", "tpu-v5e", "tpu-v5p", "a100", "h100",
                               "h200"}
