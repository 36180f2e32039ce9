"""The trainer: schedules, clipping, the float32 master copy, a real step of every
variant, training on the sample's curated shards, exact resume, checkpoint errors,
bits per byte by hand, and the train/evaluate commands."""

import json
import math
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from massivetext.data import Mixture, SequenceLoader
from massivetext.tokenizer import TokenizerOptions, train_tokenizer
from massivetext.train.checkpoint import CheckpointError, Checkpoints
from massivetext.train.configs import CONFIGS, get_config
from massivetext.train.evaluation import bits_per_byte, make_scorer
from massivetext.train.loop import RunConfig, Trainer, train
from massivetext.train.metrics import read_metrics
from massivetext.train.model import create_model
from massivetext.train.optimizer import gradient_clipping, make_optimizer
from massivetext.train.schedule import GOPHER_INITIAL_LR, Schedule, learning_rate
from massivetext.train.step import init_state, make_train_step
from tests.curated_sample import curated_run

SEQ_LEN, BATCH = 64, 8
STEPS = 100


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    run = curated_run(tmp_path_factory)
    tokenizer = train_tokenizer([str(run)], TokenizerOptions(vocab_size=600),
                                {"massiveweb": 1})[0]
    return run, tokenizer


def _loader(data, seed=0):
    run, tokenizer = data
    return SequenceLoader(Mixture.from_run(str(run)), tokenizer, SEQ_LEN + 1, BATCH, seed=seed)


def _config(data, name="gopher-tiny"):
    return get_config(name, vocab_size=data[1].vocab_size)


# --- schedules and clipping --------------------------------------------------------------

def test_gopher_schedule_first_step_end_of_warmup_and_last_step():
    schedule = Schedule("gopher", 2e-4, total_steps=10_000)
    assert float(learning_rate(0, schedule)) == pytest.approx(GOPHER_INITIAL_LR)
    assert float(learning_rate(750, schedule)) == pytest.approx((1e-7 + 2e-4) / 2, rel=1e-4)
    assert float(learning_rate(1500, schedule)) == pytest.approx(2e-4)
    assert float(learning_rate(9_999, schedule)) == pytest.approx(2e-5)
    mid = 1500 + (9_999 - 1500) / 2
    assert float(learning_rate(mid, schedule)) == pytest.approx((2e-4 + 2e-5) / 2, rel=1e-4)


def test_llama_and_palm_schedules():
    llama = Schedule("llama", 3e-4, total_steps=5000)
    assert float(learning_rate(0, llama)) == 0.0
    assert float(learning_rate(2000, llama)) == pytest.approx(3e-4)
    assert float(learning_rate(4999, llama)) == pytest.approx(3e-5)
    palm = Schedule("palm", 1e-2, total_steps=50_000)
    assert float(learning_rate(0, palm)) == pytest.approx(1e-2)
    assert float(learning_rate(10_000, palm)) == pytest.approx(1e-2)
    assert float(learning_rate(40_000, palm)) == pytest.approx(5e-3)


def test_clipping_at_the_published_thresholds():
    grads = {"w": jnp.full((4,), 5.0)}  # norm 10
    for name, threshold in [("gopher-1.4b", 1.0), ("gopher-7.1b", 0.25), ("gopher-280b", 0.25)]:
        clip = gradient_clipping(CONFIGS[name])
        clipped, _ = clip.update(grads, clip.init(grads))
        assert float(optax.global_norm(clipped)) == pytest.approx(threshold)
    small = {"w": jnp.full((4,), 0.1)}
    clip = gradient_clipping(CONFIGS["gopher-1.4b"])
    np.testing.assert_array_equal(clip.update(small, clip.init(small))[0]["w"], small["w"])


# --- one real step of every variant; the float32 master copy ---------------------------

@pytest.mark.parametrize("name", ["gopher-tiny", "llama-tiny", "palm-tiny"])
def test_one_real_step_keeps_float32_parameters_and_applies_tiny_updates(data, name):
    config = _config(data, name)
    # Gopher's published warm-up (first step 1e-7); the others straight at their maximum.
    warmup = None if config.family == "gopher" else 0
    schedule = Schedule(config.family, config.max_learning_rate, 100, warmup)
    tx = make_optimizer(config, schedule)
    trainer = Trainer.build(config, RunConfig(steps=100, seq_len=SEQ_LEN, batch_size=BATCH))
    _, state = init_state(config, tx, trainer.mesh)
    before = jax.tree.map(lambda x: np.array(x, copy=True), state.params)
    tokens = trainer.global_batch(next(_loader(data))["tokens"])
    with jax.set_mesh(trainer.mesh):
        state, metrics = jax.jit(make_train_step(trainer.graphdef, tx, schedule))(state, tokens)
    assert int(state.step) == 1
    assert np.isfinite(float(metrics["loss"])) and float(metrics["grad_norm"]) > 0
    after = jax.tree.map(np.asarray, state.params)
    changed = lost_in_bf16 = total = 0
    for old, new in zip(jax.tree.leaves(before), jax.tree.leaves(after), strict=True):
        assert new.dtype == np.float32
        changed += int((old != new).sum())
        as_bf16 = lambda x: np.asarray(jnp.asarray(x, jnp.bfloat16))  # noqa: E731
        lost_in_bf16 += int(((old != new) & (as_bf16(old) == as_bf16(new))).sum())
        total += old.size
    assert changed > 0.2 * total
    if config.family == "gopher":
        # The first Gopher step has learning rate 1e-7: bf16 parameters would not move.
        assert lost_in_bf16 > 0.9 * changed


# --- training on the curated sample, resume, checkpoints -----------------------------------

@pytest.fixture(scope="module")
def runs(data, tmp_path_factory):
    config = _config(data)
    run = RunConfig(steps=STEPS, seq_len=SEQ_LEN, batch_size=BATCH, warmup_steps=10,
                    checkpoint_every=25, keep_checkpoints=3, eval_every=1000)
    root = tmp_path_factory.mktemp("runs")
    whole = train(config, run, _loader(data), root / "whole", progress=False)
    halted = dataclasses_replace(run, stop_after=STEPS // 2)
    first = train(config, halted, _loader(data), root / "resumed", progress=False)
    second = train(config, run, _loader(data), root / "resumed", resume=True, progress=False)
    return config, run, root, whole, first + second


def dataclasses_replace(run, **changes):
    return RunConfig(**{**run.to_json(), **changes})


def test_loss_decreases_over_100_steps_on_the_curated_shards(runs):
    _, _, root, whole, _ = runs
    losses = [r["loss"] for r in whole]
    assert len(losses) == STEPS
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 1.0, losses
    logged = [r for r in read_metrics(root / "whole") if "loss" in r]
    assert [r["loss"] for r in logged] == losses
    assert {"grad_norm", "learning_rate", "z_loss", "tokens_per_s"} <= set(logged[0])


def test_resume_continues_the_exact_run(runs):
    _, _, _, whole, resumed = runs
    assert [r["step"] for r in resumed] == list(range(1, STEPS + 1))
    assert [r["loss"] for r in resumed] == [r["loss"] for r in whole]  # bit for bit


def test_checkpoints_keep_the_last_three(runs):
    _, _, root, _, _ = runs
    assert Checkpoints(root / "whole" / "checkpoints").steps() == [50, 75, 100]


def test_a_corrupt_checkpoint_is_a_clear_error_and_the_previous_one_restores(runs, tmp_path):
    config, run, root, _, _ = runs
    directory = tmp_path / "checkpoints"
    shutil.copytree(root / "whole" / "checkpoints", directory)
    for path in (directory / "100" / "state").rglob("*"):
        if path.is_file() and path.stat().st_size > 0 and "metadata" not in path.name:
            path.write_bytes(b"\0" * 7)
    trainer = Trainer.build(config, run)
    checkpoints = Checkpoints(directory, asynchronous=False)
    with pytest.raises(CheckpointError, match=r"step 100 .* unreadable.*--resume-step 75"):
        checkpoints.restore(trainer.abstract_state())
    state, loader_state, record = checkpoints.restore(trainer.abstract_state(), step=75)
    assert int(state.step) == 75 and record["run"]["steps"] == STEPS
    assert loader_state  # the sequence loader's state travels with the checkpoint


# --- bits per byte by hand -------------------------------------------------------------

def test_bits_per_byte_by_hand(data):
    _, tokenizer = data
    config = _config(data).replace(compute_dtype="float32")
    model = create_model(config)
    text = "Gopher reads the web, then it writes. \u00e9t\u00e9!"
    ids = [tokenizer.bos_id] + tokenizer.encode(text)
    # By hand: one window per 16 targets, each window's first token is its only context.
    nats = 0.0
    for start in range(0, len(ids) - 1, 16):
        window = ids[start:start + 17]
        logits = np.asarray(model(jnp.array([window[:-1]])))[0].astype(np.float64)
        for position, target in enumerate(window[1:]):
            row = logits[position]
            nats += math.log(np.exp(row - row.max()).sum()) + row.max() - row[target]
    expected = nats / math.log(2) / len(text.encode("utf-8"))
    graphdef, params = nnx.split(model)
    result = bits_per_byte(make_scorer(graphdef), params, tokenizer, [text], seq_len=16)
    assert len(ids) - 1 > 16  # more than one window
    assert result.utf8_bytes == len(text.encode("utf-8")) and result.tokens == len(ids) - 1
    assert result.bpb == pytest.approx(expected, rel=1e-4)


# --- the commands ----------------------------------------------------------------------

def test_train_and_evaluate_commands(data, tmp_path, capsys):
    from massivetext.cli.main import main

    run, tokenizer = data
    tokenizer_path = tmp_path / "tok.model"
    tokenizer_path.write_bytes(tokenizer.model_bytes)
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(json.dumps({"text": "A held-out page about gophers. " * 20}) + "\n")
    common = ["--model", "gopher-tiny", "--tokenizer", str(tokenizer_path)]
    with pytest.raises(SystemExit):
        main(["train", *common, "--data", str(run), "--steps", "2", "--output",
              str(tmp_path / "x"), "--n-layer", "3"])  # a typo is an error
    assert main(["train", *common, "--data", str(run), "--steps", "3", "--output",
                 str(tmp_path / "x"), "--seq-len", "32", "--batch-tokens", "256",
                 "--n-layers", "1", "--eval-sets", str(eval_file), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "before training:" in out and "after 3 steps:" in out and "bits/byte" in out
    recorded = json.loads((tmp_path / "x" / "run.json").read_text())
    assert recorded["model"]["n_layers"] == 1
    assert recorded["model"]["vocab_size"] == tokenizer.vocab_size
    assert main(["evaluate", "--checkpoint", str(tmp_path / "x"), "--eval-sets",
                 str(eval_file)]) == 0
    assert "at step 3:" in capsys.readouterr().out
