"""One frozen dataclass per published model size: Gopher Table 1, LLaMA, PaLM.

``ModelConfig`` holds the architecture (what the model file reads) and the published
training hyper-parameters of that row (maximum learning rate, batch in tokens,
gradient clipping), so a row of Table 1 is written down exactly once. ``CONFIGS`` maps
a name (``gopher-280b``, ``llama-7b``, ``palm-540b``) to its config; the ``*-tiny``
entries are shrunken configs of each family for CPU runs and tests (not published).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

GOPHER_VOCAB = 32_000  # Section 3.1: SentencePiece, 32,000 tokens.
LLAMA_VOCAB = 32_000  # LLaMA, Section 2.1.
PALM_VOCAB = 256_000  # PaLM, Section 5: "256k tokens".
SEQ_LEN = 2048  # Gopher, LLaMA and PaLM all train on 2,048-token sequences.
REMAT_POLICIES = ("none", "full", "dots")


@dataclass(frozen=True)
class ModelConfig:
    """A decoder-only Transformer; ``family`` picks the block (see docs/model.md)."""

    name: str
    family: str  # "gopher", "llama" or "palm"
    n_layers: int
    n_heads: int
    head_dim: int  # the paper's "key/value size"
    d_model: int
    d_ff: int
    vocab_size: int
    n_kv_heads: int  # n_heads: multi-head; 1: PaLM's multi-query attention
    max_seq_len: int = SEQ_LEN
    # Published optimisation settings of this row.
    max_learning_rate: float = 2e-4
    batch_tokens: int = 262_144
    grad_clip: float = 1.0
    # Block variant (set by family; see the constructors below).
    position: str = "relative"  # "relative" (Transformer-XL) or "rotary"
    feed_forward: str = "gelu"  # "gelu" (GPT-2 style, 2 matrices) or "swiglu" (3 matrices)
    norm: str = "rms"  # "rms" or "layer" (PaLM: LayerNorm without bias)
    parallel_block: bool = False  # PaLM: attention and feed-forward read the same input
    tied_embeddings: bool = True
    z_loss_weight: float = 0.0  # PaLM: 1e-4 x log^2 Z
    # Precision and memory (Gopher Appendix C: bf16 compute, float32 parameters).
    compute_dtype: str = "bfloat16"
    param_dtype: str = "float32"
    remat: str = "none"  # "none", "full" (recompute each block) or "dots" (keep matmuls)

    def __post_init__(self):
        if self.family not in ("gopher", "llama", "palm"):
            raise ValueError(f"unknown family {self.family!r}")
        if self.remat not in REMAT_POLICIES:
            raise ValueError(f"remat must be one of {REMAT_POLICIES}, got {self.remat!r}")
        if self.n_heads % self.n_kv_heads:
            raise ValueError("n_heads must be a multiple of n_kv_heads")
        if self.position == "rotary" and self.head_dim % 2:
            raise ValueError("rotary embeddings need an even head_dim")

    def replace(self, **changes) -> ModelConfig:
        return dataclasses.replace(self, **changes)


def gopher(name: str, n_layers: int, n_heads: int, head_dim: int, d_model: int,
           max_learning_rate: float, batch_tokens: int, grad_clip: float = 1.0) -> ModelConfig:
    """A Gopher Table 1 row: RMSNorm, relative positions, 4 x d_model, tied embeddings."""
    return ModelConfig(name=name, family="gopher", n_layers=n_layers, n_heads=n_heads,
                       head_dim=head_dim, d_model=d_model, d_ff=4 * d_model,
                       vocab_size=GOPHER_VOCAB, n_kv_heads=n_heads,
                       max_learning_rate=max_learning_rate, batch_tokens=batch_tokens,
                       grad_clip=grad_clip)


def llama_ffn_size(d_model: int, multiple_of: int = 256) -> int:
    """LLaMA's SwiGLU hidden size: 2/3 x 4d, rounded up to a multiple of 256."""
    return multiple_of * math.ceil(int(2 * 4 * d_model / 3) / multiple_of)


def llama(name: str, n_layers: int, n_heads: int, d_model: int,
          max_learning_rate: float) -> ModelConfig:
    """A LLaMA row (LLaMA Table 2): SwiGLU, rotary, RMSNorm, untied output; 4M-token batch."""
    return ModelConfig(name=name, family="llama", n_layers=n_layers, n_heads=n_heads,
                       head_dim=d_model // n_heads, d_model=d_model,
                       d_ff=llama_ffn_size(d_model), vocab_size=LLAMA_VOCAB,
                       n_kv_heads=n_heads, max_learning_rate=max_learning_rate,
                       batch_tokens=4 * 2**20, position="rotary", feed_forward="swiglu",
                       tied_embeddings=False)


def palm(name: str, n_layers: int, n_heads: int, d_model: int, batch_sequences: int,
         vocab_size: int = PALM_VOCAB) -> ModelConfig:
    """A PaLM row (PaLM Table 1): parallel block, SwiGLU 4d, multi-query, rotary, shared
    embeddings, LayerNorm without bias, z-loss; head size 256; peak LR 1e-2."""
    return ModelConfig(name=name, family="palm", n_layers=n_layers, n_heads=n_heads,
                       head_dim=256, d_model=d_model, d_ff=4 * d_model,
                       vocab_size=vocab_size, n_kv_heads=1, max_learning_rate=1e-2,
                       batch_tokens=batch_sequences * SEQ_LEN, position="rotary",
                       feed_forward="swiglu", norm="layer", parallel_block=True,
                       z_loss_weight=1e-4)


def shrink(config: ModelConfig, name: str, n_layers: int = 2, d_model: int = 128,
           n_heads: int = 4, vocab_size: int = 512, max_seq_len: int = 128) -> ModelConfig:
    """The same block at CPU size: used by ``*-tiny`` configs, tests and ``make train``."""
    head_dim = d_model // n_heads
    d_ff = llama_ffn_size(d_model, 64) if config.family == "llama" else 4 * d_model
    return config.replace(name=name, n_layers=n_layers, d_model=d_model, n_heads=n_heads,
                          head_dim=head_dim, d_ff=d_ff, vocab_size=vocab_size,
                          n_kv_heads=min(config.n_kv_heads, n_heads), max_seq_len=max_seq_len,
                          batch_tokens=16 * max_seq_len, max_learning_rate=1e-3)


_PUBLISHED = [
    # Gopher Table 1: layers, heads, key/value size, d_model, max LR, batch (tokens).
    gopher("gopher-44m", 8, 16, 32, 512, 6e-4, 262_144),
    gopher("gopher-117m", 12, 12, 64, 768, 6e-4, 262_144),
    gopher("gopher-417m", 12, 12, 128, 1536, 2e-4, 262_144),
    gopher("gopher-1.4b", 24, 16, 128, 2048, 2e-4, 262_144),
    gopher("gopher-7.1b", 32, 32, 128, 4096, 1.2e-4, 2 * 2**20, grad_clip=0.25),
    # 280B: the batch grows from 3M to 6M tokens during training; 3M is the start.
    gopher("gopher-280b", 80, 128, 128, 16384, 4e-5, 3 * 2**20, grad_clip=0.25),
    # LLaMA Table 2.
    llama("llama-7b", 32, 32, 4096, 3e-4),
    llama("llama-13b", 40, 40, 5120, 3e-4),
    llama("llama-33b", 60, 52, 6656, 1.5e-4),
    llama("llama-65b", 80, 64, 8192, 1.5e-4),
    # PaLM Table 1 (batch: the starting number of sequences).
    palm("palm-8b", 32, 16, 4096, 256),
    palm("palm-62b", 64, 32, 8192, 512),
    palm("palm-540b", 118, 48, 18432, 512),
]
# PaLM with our 32k tokenizer, to train on MassiveText's own vocabulary.
_PALM_32K = [c.replace(name=f"{c.name}-32k", vocab_size=GOPHER_VOCAB)
             for c in _PUBLISHED if c.family == "palm"]
_TINY = [shrink(_PUBLISHED[0], "gopher-tiny"), shrink(_PUBLISHED[6], "llama-tiny"),
         shrink(_PUBLISHED[10], "palm-tiny")]

CONFIGS: dict[str, ModelConfig] = {c.name: c for c in _PUBLISHED + _PALM_32K + _TINY}
PUBLISHED_NAMES = tuple(c.name for c in _PUBLISHED)

# The published parameter counts the configs must reproduce (within 2%).
PUBLISHED_PARAMETERS = {
    "gopher-44m": 44e6, "gopher-117m": 117e6, "gopher-417m": 417e6,
    "gopher-1.4b": 1.4e9, "gopher-7.1b": 7.1e9, "gopher-280b": 280e9,
    "llama-7b": 6.7e9, "llama-13b": 13.0e9, "llama-33b": 32.5e9, "llama-65b": 65.2e9,
    "palm-8b": 8.63e9, "palm-62b": 62.50e9, "palm-540b": 540.35e9,
}


def get_config(name: str, **overrides) -> ModelConfig:
    """The named config with fields replaced; an unknown name or field is an error."""
    if name not in CONFIGS:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(CONFIGS)}")
    fields = {f.name for f in dataclasses.fields(ModelConfig)}
    unknown = set(overrides) - fields
    if unknown:
        raise KeyError(f"unknown config field(s) {sorted(unknown)}; known: {sorted(fields)}")
    return CONFIGS[name].replace(**overrides)
