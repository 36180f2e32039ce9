"""Training FLOPs per token and model FLOPs utilisation (MFU).

PaLM, Appendix B: a forward+backward pass costs ``6 N + 12 L H Q T`` FLOPs per token,
N the parameters used in a matmul once per token, L layers, H heads, Q the head size,
T the sequence length. The attention term counts the full T x T score and value
matmuls (the non-causal convention PaLM uses: causal masking's saved half is not
subtracted). Transformer-XL's relative attention adds one more T x T matmul per layer
(queries against the projected relative embeddings): ``6 L H Q T``, stated separately.
Its projection W_R runs once per batch on T embeddings shared by every sequence, so it
is left out of N (per token it costs 6 d H Q / batch). See docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from massivetext.train.configs import ModelConfig

# bf16 dense peak FLOP/s per chip (sources in docs/model.md, "Peak FLOP/s").
PEAK_FLOPS = {
    "tpu-v3": 123e12,  # Google Cloud TPU v3 documentation: 123 TFLOP/s per chip
    "tpu-v4": 275e12,  # Google Cloud TPU v4 documentation: 275 TFLOP/s per chip
    "tpu-v5e": 197e12,  # Google Cloud TPU v5e documentation: 197 TFLOP/s per chip
    "tpu-v5p": 459e12,  # Google Cloud TPU v5p documentation: 459 TFLOP/s per chip
    "a100": 312e12,  # NVIDIA A100 datasheet: 312 TFLOP/s BF16 Tensor Core, dense
    "h100": 989e12,  # NVIDIA H100 SXM datasheet: 1,979 TFLOP/s with sparsity = 989 dense
    "h200": 989e12,  # NVIDIA H200 SXM datasheet: 1,979 TFLOP/s with sparsity = 989 dense
}
# jax device_kind substrings -> PEAK_FLOPS key (first match wins: v5p before v5).
_DEVICE_KINDS = [("v5p", "tpu-v5p"), ("v5 lite", "tpu-v5e"), ("v5e", "tpu-v5e"),
                 ("v4", "tpu-v4"), ("v3", "tpu-v3"), ("h200", "h200"), ("h100", "h100"),
                 ("a100", "a100")]


@dataclass(frozen=True)
class TrainingFlops:
    """Forward+backward FLOPs per token, by term."""

    dense: float  # 6 N
    attention: float  # 12 L H Q T
    relative_position: float  # 6 L H Q T, Transformer-XL only

    @property
    def total(self) -> float:
        return self.dense + self.attention + self.relative_position


def matmul_parameters(config: ModelConfig) -> int:
    """N of the formula: parameters multiplied once per token (not the input lookup of an
    untied embedding, not W_R, not the norm scales)."""
    d, h, kv, q = config.d_model, config.n_heads, config.n_kv_heads, config.head_dim
    attention = d * h * q * 2 + d * kv * q * 2  # query, output; key, value
    ffn_matrices = 3 if config.feed_forward == "swiglu" else 2
    per_layer = attention + ffn_matrices * d * config.d_ff
    return config.n_layers * per_layer + config.vocab_size * d  # + output projection


def training_flops_per_token(config: ModelConfig, seq_len: int | None = None) -> TrainingFlops:
    t = seq_len or config.max_seq_len
    lhqt = config.n_layers * config.n_heads * config.head_dim * t
    relative = 6 * lhqt if config.position == "relative" else 0
    return TrainingFlops(dense=6 * matmul_parameters(config), attention=12 * lhqt,
                         relative_position=relative)


def hardware_name(device_kind: str) -> str | None:
    """The PEAK_FLOPS key for a ``jax.Device.device_kind``, or None (e.g. CPU)."""
    kind = device_kind.lower()
    if "tpu" not in kind and "nvidia" not in kind:
        return None
    return next((name for key, name in _DEVICE_KINDS if key in kind), None)


def mfu(tokens_per_second: float, flops_per_token: float, hardware: str,
        chips: int = 1) -> float:
    """Model FLOPs utilisation: achieved model FLOP/s over the chips' bf16 dense peak."""
    return tokens_per_second * flops_per_token / (chips * PEAK_FLOPS[hardware])


def tokens_per_second_at(mfu_fraction: float, flops_per_token: float, hardware: str,
                         chips: int = 1) -> float:
    """Tokens/s that ``mfu_fraction`` of the peak would give: what sizing a run needs."""
    return mfu_fraction * chips * PEAK_FLOPS[hardware] / flops_per_token
