"""The model family: exact sizes, relative/rotary/multi-query attention against their
naive forms, causality, and a real forward and backward pass of every variant."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from massivetext.train.configs import (
    CONFIGS,
    PUBLISHED_NAMES,
    PUBLISHED_PARAMETERS,
    get_config,
    llama_ffn_size,
)
from massivetext.train.model import (
    Attention,
    create_model,
    loss_fn,
    parameter_count,
    rotary_angles,
    sinusoid_embedding,
)

TINY = ["gopher-tiny", "llama-tiny", "palm-tiny"]


@pytest.mark.parametrize("name", PUBLISHED_NAMES)
def test_parameter_count_matches_the_published_size(name):
    count = parameter_count(CONFIGS[name])
    assert abs(count / PUBLISHED_PARAMETERS[name] - 1) < 0.02, count


def test_gopher_table_1_needs_a_w_r_per_layer():
    # Without the per-layer W_R (d_model x heads x head size) the 1.4B row is 9% short.
    config = CONFIGS["gopher-1.4b"]
    w_r = config.n_layers * config.d_model * config.n_heads * config.head_dim
    assert (parameter_count(config) - w_r) / 1.4e9 < 0.92


def test_llama_feed_forward_sizes():
    assert [llama_ffn_size(d) for d in (4096, 5120, 6656, 8192)] == [11008, 13824, 17920,
                                                                      22016]


def test_unknown_field_is_an_error():
    with pytest.raises(KeyError, match="n_layer"):
        get_config("gopher-44m", n_layer=3)
    with pytest.raises(KeyError, match="gopher-45m"):
        get_config("gopher-45m")


def _attention(name, **overrides):
    config = get_config(name, compute_dtype="float32", **overrides)
    return config, Attention(config, nnx.Rngs(1))


def _random(seed, *shape):
    return jax.random.normal(jax.random.key(seed), shape, jnp.float32)


def test_relative_attention_equals_the_transformer_xl_double_loop():
    config, attention = _attention("gopher-tiny")
    attention.u[...] = _random(7, *attention.u.shape)
    attention.v[...] = _random(8, *attention.v.shape)
    b, t, h, k = 2, 9, config.n_heads, config.head_dim
    q, key = _random(1, b, t, h, k), _random(2, b, t, h, k)
    embedding = sinusoid_embedding(jnp.arange(t - 1, -1, -1), config.d_model)
    fast = np.asarray(attention.scores(q, key, embedding))[:, :, 0]  # (B, H, T, S), G = H
    q, key = np.asarray(q), np.asarray(key)
    u, v, w_r = (np.asarray(p[...]) for p in (attention.u, attention.v, attention.w_r))
    sinusoids = np.asarray(sinusoid_embedding(jnp.arange(t), config.d_model))  # R_0 ... R_T-1
    for i in range(t):
        for j in range(i + 1):
            w_r_r = np.einsum("d,dhk->hk", sinusoids[i - j], w_r)  # W_R R_{i-j}
            naive = (np.einsum("bhk,bhk->bh", q[:, i] + u, key[:, j])
                     + np.einsum("bhk,hk->bh", q[:, i] + v, w_r_r))
            np.testing.assert_allclose(fast[:, :, i, j], naive, rtol=1e-4, atol=1e-4)


def test_rotary_attention_equals_rotating_each_pair_by_its_angle():
    config, attention = _attention("llama-tiny")
    b, t, h, k = 1, 7, config.n_heads, config.head_dim
    q, key = _random(3, b, t, h, k), _random(4, b, t, h, k)
    fast = np.asarray(attention.scores(q, key, rotary_angles(t, k)))[:, :, 0]  # (B, H, T, S)
    q, key = np.asarray(q)[0], np.asarray(key)[0]
    half = k // 2

    def rotate(x, position):
        out = x.copy()
        for pair in range(half):
            theta = position * 10_000 ** (-2 * pair / k)
            a, c = x[..., pair], x[..., pair + half]
            out[..., pair] = a * math.cos(theta) - c * math.sin(theta)
            out[..., pair + half] = c * math.cos(theta) + a * math.sin(theta)
        return out

    for i in range(t):
        for j in range(t):
            naive = np.einsum("hk,hk->h", rotate(q[i], i), rotate(key[j], j))
            np.testing.assert_allclose(fast[0, :, i, j], naive, rtol=1e-4, atol=1e-4)


def test_multi_query_equals_full_attention_with_the_head_repeated():
    config, mqa = _attention("palm-tiny")
    _, full = _attention("palm-tiny", n_kv_heads=config.n_heads)
    full.w_q[...], full.w_o[...] = mqa.w_q[...], mqa.w_o[...]
    full.w_k[...] = jnp.repeat(mqa.w_k[...], config.n_heads, axis=1)  # (D, G=1, K) -> (D, H, K)
    full.w_v[...] = jnp.repeat(mqa.w_v[...], config.n_heads, axis=1)
    x = _random(5, 2, 11, config.d_model)
    positions = rotary_angles(11, config.head_dim)
    np.testing.assert_allclose(np.asarray(mqa(x, positions)), np.asarray(full(x, positions)),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", TINY)
def test_changing_token_t_never_changes_earlier_logits(name):
    model = create_model(CONFIGS[name], seed=0)
    tokens = jax.random.randint(jax.random.key(0), (2, 16), 0, CONFIGS[name].vocab_size)
    changed = tokens.at[:, 10].set((tokens[:, 10] + 1) % CONFIGS[name].vocab_size)
    forward = nnx.jit(lambda m, x: m(x))
    before, after = np.asarray(forward(model, tokens)), np.asarray(forward(model, changed))
    np.testing.assert_array_equal(before[:, :10], after[:, :10])
    assert not np.allclose(before[:, 10:], after[:, 10:])


@pytest.mark.parametrize("name, remat", [("gopher-tiny", "dots"), ("llama-tiny", "full"),
                                         ("palm-tiny", "none")])
def test_forward_and_gradient_of_every_variant(name, remat):
    config = get_config(name, remat=remat)
    model = create_model(config, seed=0)
    tokens = jax.random.randint(jax.random.key(1), (2, 17), 0, config.vocab_size)
    logits = nnx.jit(lambda m, x: m(x))(model, tokens[:, :-1])
    assert logits.shape == (2, 16, config.vocab_size) and logits.dtype == jnp.float32
    # Near-uniform start: the initial loss is close to log V.
    (loss, (cross_entropy, z_loss)), grads = nnx.jit(
        nnx.value_and_grad(loss_fn, has_aux=True))(model, tokens)
    assert abs(float(cross_entropy) - math.log(config.vocab_size)) < 1.5
    assert (float(z_loss) > 0) == (config.z_loss_weight > 0)
    for path, grad in jax.tree_util.tree_leaves_with_path(nnx.state(grads)):
        grad = np.asarray(grad)
        assert np.isfinite(grad).all(), path
        assert np.abs(grad).max() > 0, path


def test_bf16_compute_keeps_float32_parameters():
    model = create_model(CONFIGS["gopher-tiny"])
    dtypes = {x.dtype for x in jax.tree.leaves(nnx.state(model, nnx.Param))}
    assert dtypes == {jnp.dtype("float32")}
    assert CONFIGS["gopher-tiny"].compute_dtype == "bfloat16"


def test_layers_are_stacked_for_scan():
    config = CONFIGS["gopher-tiny"]
    model = create_model(config)
    assert model.blocks.attention.w_q.shape == (config.n_layers, config.d_model,
                                                config.n_heads, config.head_dim)
    assert model.blocks.attention.w_q.out_sharding == ("layers", "embed", "heads", "kv")


def test_model_command_lists_and_describes(capsys):
    from massivetext.cli.main import main

    assert main(["model", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "gopher-280b" in listing and "540.35B" in listing
    assert main(["model", "gopher-280b"]) == 0
    described = capsys.readouterr().out
    assert "279,702,421,504" in described and "h200" in described and "6 L H Q T" in described
    assert main(["model", "gopher-28b"]) == 2
