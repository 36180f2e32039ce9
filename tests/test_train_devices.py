"""Training on 8 CPU devices (a 2 x 2 x 2 data/fsdp/tensor mesh) gives the losses of one
device, and its checkpoint restores onto one device. Runs in a subprocess: the device
count is fixed when JAX starts."""

import os
import subprocess
import sys
import textwrap

from massivetext.tokenizer import TokenizerOptions, train_tokenizer
from tests.curated_sample import curated_run

SCRIPT = textwrap.dedent("""
    import sys
    import jax, numpy as np
    from massivetext.data import Mixture, SequenceLoader
    from massivetext.tokenizer import Tokenizer
    from massivetext.train.checkpoint import Checkpoints
    from massivetext.train.configs import get_config
    from massivetext.train.loop import RunConfig, Trainer, train

    run_dir, tokenizer_path, output = sys.argv[1:4]
    assert jax.device_count() == 8
    tokenizer = Tokenizer.load(tokenizer_path)
    config = get_config("gopher-tiny", vocab_size=tokenizer.vocab_size)
    run = RunConfig(steps=4, seq_len=32, batch_size=8, warmup_steps=1, checkpoint_every=4,
                    mesh_data=2, mesh_fsdp=2, mesh_tensor=2)
    single = RunConfig(**{**run.to_json(), "mesh_data": 1, "mesh_fsdp": 1, "mesh_tensor": 1})
    def loader():
        return SequenceLoader(Mixture.from_run(run_dir), tokenizer, 33, 8)
    eight = train(config, run, loader(), output + "/eight", progress=False)
    one = train(config, single, loader(), output + "/one", progress=False,
                devices=jax.devices()[:1])
    losses8, losses1 = [r["loss"] for r in eight], [r["loss"] for r in one]
    print("losses", losses8, losses1)
    np.testing.assert_allclose(losses8, losses1, rtol=2e-2)
    # The 8-device checkpoint onto one device: the same parameters.
    trainer = Trainer.build(config, single, jax.devices()[:1])
    restored, _, _ = Checkpoints(output + "/eight/checkpoints").restore(trainer.abstract_state())
    saved1, _, _ = Checkpoints(output + "/one/checkpoints").restore(trainer.abstract_state())
    leaf = jax.tree.leaves(restored.params)[0]
    assert len(leaf.sharding.device_set) == 1
    for a, b in zip(jax.tree.leaves(restored.params), jax.tree.leaves(saved1.params)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=2e-2)
    print("restored on one device")
""")


def test_eight_devices_train_like_one_and_restore_on_one(tmp_path_factory, tmp_path):
    run = curated_run(tmp_path_factory)
    tokenizer = train_tokenizer([str(run)], TokenizerOptions(vocab_size=600),
                                {"massiveweb": 1})[0]
    tokenizer_path = tmp_path / "tok.model"
    tokenizer_path.write_bytes(tokenizer.model_bytes)
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
               JAX_PLATFORMS="cpu")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(run), str(tokenizer_path),
                             str(tmp_path)], env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "restored on one device" in result.stdout
