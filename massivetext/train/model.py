"""The Gopher model family (and the LLaMA and PaLM blocks) in Flax NNX, top to bottom.

A decoder-only, pre-norm Transformer written once; the config's ``family`` picks:

- Gopher (Section 3.1, Table 1): RMSNorm; Transformer-XL relative positions (content
  and position terms with global biases u and v, sinusoidal relative embeddings through a
  per-layer W_R, the relative shift); GELU feed-forward of 4 x d_model; tied embeddings.
- LLaMA: RMSNorm; SwiGLU of 2/3 x 4d rounded up to 256; rotary positions; untied output.
- PaLM: parallel attention + feed-forward; SwiGLU 4d; multi-query attention (one
  key/value head); rotary; shared embeddings; LayerNorm without bias; z-loss.

Parameters are float32, compute is ``config.compute_dtype`` (bf16 by default: Appendix
C); attention and loss softmaxes are float32 whatever the compute dtype. Shapes: B batch,
T query length, S key length, H query heads, G key/value heads, R = H / G queries per
key/value head, K head size, D d_model, F feed-forward size, V vocabulary, L layers.
Logical axis names on parameters and activations map to a device mesh in sharding.py.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx

from massivetext.train.configs import ModelConfig
from massivetext.train.sharding import PARAM_RULES, constrain, param_shardings

REMAT_POLICIES = {
    "full": None,  # save nothing: recompute the whole block in the backward pass
    "dots": jax.checkpoint_policies.dots_with_no_batch_dims_saveable,
}


def _param(rngs: nnx.Rngs, shape: tuple, axes: tuple, std: float,
           config: ModelConfig) -> nnx.Param:
    value = std * jax.random.normal(rngs.params(), shape, jnp.dtype(config.param_dtype))
    # Placed by create_model's jit (out_shardings), not eagerly where it is created.
    return nnx.Param(value, out_sharding=axes, eager_sharding=False)


def _compute(param: nnx.Param, dtype) -> jax.Array:
    """A float32 parameter cast to the compute dtype for its matmul (Appendix C)."""
    return param[...].astype(dtype)


def _fan_in(shape: tuple, n_in_axes: int = 1) -> float:
    """PaLM's initialisation, used for every kernel: N(0, 1 / fan_in)."""
    return 1.0 / math.sqrt(math.prod(shape[:n_in_axes]))


class Norm(nnx.Module):
    """RMSNorm (Gopher, LLaMA) or LayerNorm without bias (PaLM), computed in float32."""

    def __init__(self, config: ModelConfig, rngs: nnx.Rngs):
        self.centered = config.norm == "layer"
        self.dtype = jnp.dtype(config.compute_dtype)
        self.scale = nnx.Param(jnp.ones((config.d_model,), config.param_dtype),
                               out_sharding=("embed",), eager_sharding=False)

    def __call__(self, x):  # (B, T, D) -> (B, T, D)
        x = x.astype(jnp.float32)
        if self.centered:
            x = x - x.mean(-1, keepdims=True)
        x = x * jax.lax.rsqrt((x * x).mean(-1, keepdims=True) + 1e-6)
        return (x * self.scale[...]).astype(self.dtype)


# --- Positions: Transformer-XL relative encodings and rotary embeddings ---------------

def sinusoid_embedding(distances: jax.Array, dim: int) -> jax.Array:
    """Transformer-XL's R: sinusoids of relative distances (S,) -> (S, dim), float32."""
    inv_freq = 1.0 / (10_000 ** (jnp.arange(0, dim, 2, dtype=jnp.float32) / dim))
    angles = distances.astype(jnp.float32)[:, None] * inv_freq[None, :]  # (S, dim/2)
    return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)  # (S, dim)


def relative_shift(x: jax.Array) -> jax.Array:
    """(..., T, S) scores by relative index r (distance S-1-r) -> by key position j.

    Transformer-XL's shift: out[..., i, j] = x[..., i, j + T - 1 - i] where j <= i (the
    causal part; the rest is garbage that the causal mask removes).
    """
    *lead, t, s = x.shape
    x = jnp.pad(x, [(0, 0)] * len(lead) + [(0, 0), (1, 0)])  # (..., T, S+1)
    x = x.reshape(*lead, s + 1, t)  # (..., S+1, T): each row now starts one step later
    return x[..., 1:, :].reshape(*lead, t, s)  # (..., T, S)


def rotary_angles(length: int, head_dim: int) -> tuple[jax.Array, jax.Array]:
    """cos and sin of RoFormer's rotation angles, each (T, K/2), float32."""
    inv_freq = 1.0 / (10_000 ** (jnp.arange(0, head_dim, 2, dtype=jnp.float32) / head_dim))
    angles = jnp.arange(length, dtype=jnp.float32)[:, None] * inv_freq[None, :]  # (T, K/2)
    return jnp.cos(angles), jnp.sin(angles)


def apply_rotary(x: jax.Array, cos: jax.Array, sin: jax.Array) -> jax.Array:
    """Rotate pairs (x[k], x[k + K/2]) of (B, T, ..., K) by the position's angles."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half].astype(jnp.float32), x[..., half:].astype(jnp.float32)
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 3) + (half,)
    cos, sin = cos.reshape(shape), sin.reshape(shape)  # (1, T, 1.., K/2)
    rotated = jnp.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)
    return rotated.astype(x.dtype)  # (B, T, ..., K)


# --- Attention -------------------------------------------------------------------------

class Attention(nnx.Module):
    """Causal multi-head (G = H), grouped or multi-query (G = 1) attention."""

    def __init__(self, config: ModelConfig, rngs: nnx.Rngs):
        d, h, g, k = config.d_model, config.n_heads, config.n_kv_heads, config.head_dim
        kv_axis = "kv_heads" if g > 1 else None  # one shared head cannot be split
        self.config = config
        self.dtype = jnp.dtype(config.compute_dtype)
        self.w_q = _param(rngs, (d, h, k), ("embed", "heads", "kv"), _fan_in((d,)), config)
        self.w_k = _param(rngs, (d, g, k), ("embed", kv_axis, "kv"), _fan_in((d,)), config)
        self.w_v = _param(rngs, (d, g, k), ("embed", kv_axis, "kv"), _fan_in((d,)), config)
        self.w_o = _param(rngs, (h, k, d), ("heads", "kv", "embed"), _fan_in((h, k), 2),
                          config)
        if config.position == "relative":
            # Transformer-XL: W_R per layer; u, v per layer too (negligible either way).
            self.w_r = _param(rngs, (d, h, k), ("embed", "heads", "kv"), _fan_in((d,)),
                              config)
            self.u = _param(rngs, (h, k), ("heads", "kv"), 0.0, config)
            self.v = _param(rngs, (h, k), ("heads", "kv"), 0.0, config)

    def __call__(self, x, positions):
        c = self.config
        b, t, _ = x.shape
        g, r, k = c.n_kv_heads, c.n_heads // c.n_kv_heads, c.head_dim
        q = jnp.einsum("btd,dhk->bthk", x, _compute(self.w_q, self.dtype))  # (B, T, H, K)
        key = jnp.einsum("btd,dgk->btgk", x, _compute(self.w_k, self.dtype))  # (B, S, G, K)
        value = jnp.einsum("btd,dgk->btgk", x, _compute(self.w_v, self.dtype))  # (B, S, G, K)
        q = constrain(q, ("batch", "length", "heads", "kv"))
        scores = self.scores(q, key, positions) / math.sqrt(k)  # (B, G, R, T, S)
        causal = jnp.tril(jnp.ones((t, t), bool))  # (T, S)
        scores = jnp.where(causal, scores, jnp.finfo(jnp.float32).min)
        probs = jax.nn.softmax(scores, axis=-1).astype(self.dtype)  # float32 softmax
        out = jnp.einsum("bgrts,bsgk->btgrk", probs, value)  # (B, T, G, R, K)
        out = out.reshape(b, t, g * r, k)  # (B, T, H, K)
        return jnp.einsum("bthk,hkd->btd", out, _compute(self.w_o, self.dtype))  # (B, T, D)

    def scores(self, q, key, positions):
        """Unscaled attention logits, float32: q (B, T, H, K), key (B, S, G, K) ->
        (B, G, R, T, S). Rotary: rotate q and k by their positions, then q . k.
        Transformer-XL: (q_i + u) . k_j + (q_i + v) . W_R R_{i-j}."""
        c = self.config
        b, t, h, k = q.shape
        g, r = c.n_kv_heads, h // c.n_kv_heads
        if c.position == "rotary":
            cos, sin = positions
            q, key = apply_rotary(q, cos, sin), apply_rotary(key, cos, sin)
            return jnp.einsum("btgrk,bsgk->bgrts", q.reshape(b, t, g, r, k), key,
                              preferred_element_type=jnp.float32)  # (B, G, R, T, S)
        # Projected relative embeddings for distances S-1 ... 0 (shared over the batch).
        rel = jnp.einsum("sd,dhk->shk", positions.astype(self.dtype),
                         _compute(self.w_r, self.dtype))  # (S, H, K)
        q_u = (q + _compute(self.u, self.dtype)).reshape(b, t, g, r, k)  # (B, T, G, R, K)
        q_v = (q + _compute(self.v, self.dtype)).reshape(b, t, g, r, k)  # (B, T, G, R, K)
        content = jnp.einsum("btgrk,bsgk->bgrts", q_u, key,
                             preferred_element_type=jnp.float32)  # (B, G, R, T, S)
        position = jnp.einsum("btgrk,sgrk->bgrts", q_v, rel.reshape(t, g, r, k),
                              preferred_element_type=jnp.float32)  # (B, G, R, T, S by r)
        return content + relative_shift(position)  # (B, G, R, T, S)


# --- Feed-forward and block ------------------------------------------------------------

class FeedForward(nnx.Module):
    """GELU MLP (Gopher, GPT-2 style) or SwiGLU (LLaMA, PaLM), no biases."""

    def __init__(self, config: ModelConfig, rngs: nnx.Rngs):
        d, f = config.d_model, config.d_ff
        self.gated = config.feed_forward == "swiglu"
        self.dtype = jnp.dtype(config.compute_dtype)
        self.w_in = _param(rngs, (d, f), ("embed", "mlp"), _fan_in((d,)), config)
        if self.gated:
            self.w_gate = _param(rngs, (d, f), ("embed", "mlp"), _fan_in((d,)), config)
        self.w_out = _param(rngs, (f, d), ("mlp", "embed"), _fan_in((f,)), config)

    def __call__(self, x):  # (B, T, D) -> (B, T, D)
        hidden = jnp.einsum("btd,df->btf", x, _compute(self.w_in, self.dtype))  # (B, T, F)
        if self.gated:
            gate = jnp.einsum("btd,df->btf", x, _compute(self.w_gate, self.dtype))  # (B, T, F)
            hidden = jax.nn.silu(gate) * hidden
        else:
            hidden = jax.nn.gelu(hidden)
        hidden = constrain(hidden, ("batch", "length", "mlp"))
        return jnp.einsum("btf,fd->btd", hidden, _compute(self.w_out, self.dtype))  # (B, T, D)


class Block(nnx.Module):
    """Pre-norm serial block, or PaLM's parallel block x + attn(n(x)) + mlp(n(x))."""

    def __init__(self, config: ModelConfig, rngs: nnx.Rngs):
        self.parallel = config.parallel_block
        self.attention_norm = Norm(config, rngs)
        self.attention = Attention(config, rngs)
        if not self.parallel:
            self.feed_forward_norm = Norm(config, rngs)
        self.feed_forward = FeedForward(config, rngs)

    def __call__(self, x, positions):  # (B, T, D) -> (B, T, D)
        h = self.attention_norm(x)
        if self.parallel:
            x = x + self.attention(h, positions) + self.feed_forward(h)
        else:
            x = x + self.attention(h, positions)
            x = x + self.feed_forward(self.feed_forward_norm(x))
        return constrain(x, ("batch", "length", "embed"))


# --- The model -------------------------------------------------------------------------

class Transformer(nnx.Module):
    """tokens (B, T) int32 -> logits (B, T, V) float32."""

    def __init__(self, config: ModelConfig, rngs: nnx.Rngs):
        self.config = config
        self.dtype = jnp.dtype(config.compute_dtype)
        # Embeddings N(0, 1) (no norm precedes them); shared output logits scaled by
        # 1/sqrt(D) as PaLM does, so the tied Gopher and PaLM heads start near uniform.
        self.embedding = _param(rngs, (config.vocab_size, config.d_model),
                                ("vocab", "embed"), 1.0, config)
        self.blocks = _stacked_blocks(config, rngs)
        self.final_norm = Norm(config, rngs)
        if not config.tied_embeddings:
            self.unembedding = _param(rngs, (config.d_model, config.vocab_size),
                                      ("embed", "vocab"), _fan_in((config.d_model,)), config)

    def __call__(self, tokens):
        c = self.config
        t = tokens.shape[1]
        if t > c.max_seq_len:
            raise ValueError(f"sequence of {t} tokens exceeds max_seq_len {c.max_seq_len}")
        x = self.embedding[...].astype(self.dtype)[tokens]  # (B, T, D)
        x = constrain(x, ("batch", "length", "embed"))
        if c.position == "relative":
            positions = sinusoid_embedding(jnp.arange(t - 1, -1, -1), c.d_model)  # (S, D)
        else:
            positions = rotary_angles(t, c.head_dim)  # 2 x (T, K/2)

        def layer(x, block):
            return block(x, positions)

        if c.remat != "none":
            layer = nnx.remat(layer, policy=REMAT_POLICIES[c.remat])
        # One compiled block applied L times: compile time does not grow with depth.
        x = nnx.scan(layer, in_axes=(nnx.Carry, 0), out_axes=nnx.Carry,
                     transform_metadata={nnx.PARTITION_NAME: "layers"})(x, self.blocks)
        x = self.final_norm(x)  # (B, T, D)
        if c.tied_embeddings:
            logits = jnp.einsum("btd,vd->btv", x, self.embedding[...].astype(self.dtype))
            logits = logits / math.sqrt(c.d_model)
        else:
            logits = jnp.einsum("btd,dv->btv", x, self.unembedding[...].astype(self.dtype))
        logits = constrain(logits, ("batch", "length", "vocab"))
        return logits.astype(jnp.float32)  # (B, T, V)


def _stacked_blocks(config: ModelConfig, rngs: nnx.Rngs) -> Block:
    """L blocks with every parameter stacked on a leading "layers" axis (for scan)."""

    @nnx.split_rngs(splits=config.n_layers)
    @nnx.vmap(in_axes=(0,), out_axes=0, transform_metadata={nnx.PARTITION_NAME: "layers"})
    def make(rngs):
        return Block(config, rngs)

    return make(rngs)


def token_losses(logits: jax.Array, targets: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Per-token negative log-likelihood (nats) and log Z, float32, both (B, T)."""
    logits = logits.astype(jnp.float32)
    log_z = jax.nn.logsumexp(logits, axis=-1)  # (B, T)
    target_logit = jnp.take_along_axis(logits, targets[..., None], axis=-1)[..., 0]  # (B, T)
    return log_z - target_logit, log_z


def loss_fn(model: Transformer, tokens: jax.Array, mask: jax.Array | None = None):
    """Mean next-token cross-entropy over tokens (B, T+1), plus PaLM's z-loss
    (weight x log^2 Z) when the config sets one. Returns (total, (cross_entropy, z_loss))."""
    inputs, targets = tokens[:, :-1], tokens[:, 1:]  # (B, T), (B, T)
    nll, log_z = token_losses(model(inputs), targets)
    mask = jnp.ones_like(nll) if mask is None else mask[:, 1:].astype(jnp.float32)
    count = jnp.maximum(mask.sum(), 1.0)
    cross_entropy = (nll * mask).sum() / count
    z_loss = model.config.z_loss_weight * (jnp.square(log_z) * mask).sum() / count
    return cross_entropy + z_loss, (cross_entropy, z_loss)


def abstract_model(config: ModelConfig) -> Transformer:
    """The model with shape-only arrays (jax.eval_shape): costs no memory at 280B."""
    # Under a mesh, eval_shape places each abstract array through flax's rule context.
    with nnx.logical_axis_rules(tuple(PARAM_RULES.items())):
        return nnx.eval_shape(lambda: Transformer(config, nnx.Rngs(0)))


def parameter_count(config: ModelConfig) -> int:
    """Parameters of the initialised model, counted from its real arrays' shapes."""
    state = nnx.state(abstract_model(config), nnx.Param)
    return sum(math.prod(x.shape) for x in jax.tree.leaves(state))


def create_model(config: ModelConfig, seed: int = 0, mesh=None) -> Transformer:
    """Initialise the model; with a mesh, each parameter is created already sharded by
    its logical axes (sharding.PARAM_RULES), never whole on one device."""
    if mesh is None:
        return Transformer(config, nnx.Rngs(seed))
    graphdef, abstract_state = nnx.split(abstract_model(config))
    shardings = param_shardings(nnx.get_partition_spec(abstract_state), mesh)

    def init():
        return nnx.split(Transformer(config, nnx.Rngs(seed)))[1]

    return nnx.merge(graphdef, jax.jit(init, out_shardings=shardings)())
