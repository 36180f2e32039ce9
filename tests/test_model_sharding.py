"""The same model on 8 CPU devices (a 2 x 2 x 2 data/fsdp/tensor mesh) gives the logits
it gives on one device. Runs in a subprocess: the device count is fixed at JAX import."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import jax, jax.numpy as jnp, numpy as np
    from flax import nnx
    from massivetext.train.configs import CONFIGS
    from massivetext.train.model import create_model
    from massivetext.train.sharding import make_mesh

    assert jax.device_count() == 8, jax.devices()
    mesh = make_mesh(data=2, fsdp=2, tensor=2)
    forward = nnx.jit(lambda model, tokens: model(tokens))
    for name in ["gopher-tiny", "llama-tiny", "palm-tiny"]:
        config = CONFIGS[name]
        tokens = jax.random.randint(jax.random.key(0), (8, 32), 0, config.vocab_size)
        single = np.asarray(forward(create_model(config, seed=3), tokens))
        with jax.set_mesh(mesh):
            model = create_model(config, seed=3, mesh=mesh)
            spec = model.blocks.attention.w_q[...].sharding.spec
            assert tuple(spec) == (None, "fsdp", "tensor", None), spec
            sharded = forward(model, tokens)
        assert len(sharded.sharding.device_set) == 8
        # bf16 compute: the reduction order differs across devices.
        np.testing.assert_allclose(np.asarray(sharded), single, atol=0.06, rtol=0.02)
        print(name, "max abs difference", float(np.abs(np.asarray(sharded) - single).max()))
""")


def test_eight_devices_give_the_single_device_logits():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
               JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("max abs difference") == 3, result.stdout
