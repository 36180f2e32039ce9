"""Training on 8 CPU devices (a 2 x 2 x 2 data/fsdp/tensor mesh) gives the losses of one
device, and its checkpoint restores onto one device. The 8 devices run in a subprocess
(the device count is fixed when JAX starts); the one-device losses are the session's
one-device run of the same model, data and schedule (tests/trained_sample.py)."""

import dataclasses
import json
import os
import subprocess
import sys
import textwrap

import numpy as np

from tests.curated_sample import curated_run_and_tokenizer
from tests.trained_sample import run_config, trained_runs

EIGHT_DEVICE_STEPS = 4

SCRIPT = textwrap.dedent("""
    import json, sys
    import jax, numpy as np
    from massivetext.data import Mixture, SequenceLoader
    from massivetext.tokenizer import Tokenizer
    from massivetext.train.checkpoint import Checkpoints
    from massivetext.train.configs import get_config
    from massivetext.train.loop import RunConfig, Trainer, train

    run_dir, tokenizer_path, output, run_json = sys.argv[1:5]
    assert jax.device_count() == 8
    tokenizer = Tokenizer.load(tokenizer_path)
    config = get_config("gopher-tiny", vocab_size=tokenizer.vocab_size)
    run = RunConfig(**json.loads(run_json))
    loader = SequenceLoader(Mixture.from_run(run_dir), tokenizer, run.seq_len + 1,
                            run.batch_size)
    eight = train(config, run, loader, output, progress=False)
    print("losses", json.dumps([r["loss"] for r in eight]))
    # The 8-device checkpoint onto one device, and onto the 8-device mesh it was written on.
    single = RunConfig(**{**run.to_json(), "mesh_data": 1, "mesh_fsdp": 1, "mesh_tensor": 1})
    one_device = Trainer.build(config, single, jax.devices()[:1])
    checkpoints = Checkpoints(output + "/checkpoints")
    restored, _, _ = checkpoints.restore(one_device.abstract_state())
    written, _, _ = checkpoints.restore(Trainer.build(config, run).abstract_state())
    assert int(restored.step) == len(eight)
    leaves, written_leaves = jax.tree.leaves(restored), jax.tree.leaves(written)
    assert all(len(leaf.sharding.device_set) == 1 for leaf in leaves)
    assert max(len(leaf.sharding.device_set) for leaf in written_leaves) == 8
    for a, b in zip(leaves, written_leaves, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    print("restored on one device")
""")


def test_eight_devices_train_like_one_and_restore_on_one(tmp_path_factory, tmp_path):
    run, tokenizer = curated_run_and_tokenizer(tmp_path_factory)
    tokenizer_path = tmp_path / "tok.model"
    tokenizer_path.write_bytes(tokenizer.model_bytes)
    # The session's one-device run on a 2 x 2 x 2 mesh, stopped after a few steps.
    eight = dataclasses.replace(run_config(), mesh_data=2, mesh_fsdp=2, mesh_tensor=2,
                                stop_after=EIGHT_DEVICE_STEPS)
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
               JAX_PLATFORMS="cpu")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(run), str(tokenizer_path), str(tmp_path / "eight"),
         json.dumps(eight.to_json())], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        _, _, _, whole, _ = trained_runs(tmp_path_factory)  # meanwhile, on another core
        stdout, stderr = process.communicate(timeout=900)
    finally:
        process.kill()
    assert process.returncode == 0, stdout[-2000:] + stderr[-4000:]
    assert "restored on one device" in stdout
    losses = json.loads(stdout.split("losses ", 1)[1].splitlines()[0])
    assert len(losses) == EIGHT_DEVICE_STEPS
    np.testing.assert_allclose(losses, [r["loss"] for r in whole[:EIGHT_DEVICE_STEPS]],
                               rtol=2e-2)
