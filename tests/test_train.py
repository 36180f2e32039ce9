"""The trainer: schedules, clipping, the float32 master copy, a real step of every
variant, training on the sample's curated shards, exact resume, checkpoint errors,
bits per byte by hand, and the train/evaluate commands."""

import dataclasses
import json
import math
import shutil

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from massivetext.io.shard_reader import find_subsets, open_shard
from massivetext.train.checkpoint import CheckpointError, Checkpoints
from massivetext.train.configs import CONFIGS
from massivetext.train.evaluation import bits_per_byte, lambada_accuracy, make_scorer
from massivetext.train.loop import Trainer
from massivetext.train.metrics import MetricsLog, read_metrics
from massivetext.train.model import create_model
from massivetext.train.optimizer import gradient_clipping
from massivetext.train.schedule import GOPHER_INITIAL_LR, Schedule, learning_rate
from massivetext.train.step import make_train_step
from tests.curated_sample import curated_run_and_tokenizer
from tests.trained_sample import (
    RESUME_AT,
    STEPS,
    loader,
    model_config,
    run_config,
    trained_runs,
)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return curated_run_and_tokenizer(tmp_path_factory)


def _config(data, name="gopher-tiny"):
    return model_config(data[1], name)


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
    # No constant phase (--warmup-steps 0): the maximum, then the inverse square root.
    at_once = Schedule("palm", 1e-2, total_steps=100, warmup_steps=0)
    assert [float(learning_rate(k, at_once)) for k in (0, 1, 4)] == pytest.approx(
        [1e-2, 1e-2, 5e-3])


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
    # Gopher warms up from 1e-7 (the session's runs' schedule, so this is their compiled
    # step, as the loop jits it); the others start straight at their maximum.
    warmup = run_config().warmup_steps if config.family == "gopher" else 0
    trainer = Trainer.build(config, dataclasses.replace(run_config(), warmup_steps=warmup))
    state = trainer.fresh_state()
    before = jax.tree.map(lambda x: np.array(x, copy=True), state.params)
    tokens = trainer.global_batch(next(loader(data))["tokens"])
    step = jax.jit(make_train_step(trainer.graphdef, trainer.tx, trainer.schedule),
                   donate_argnums=0)
    with jax.set_mesh(trainer.mesh):
        state, metrics = step(state, tokens)
    assert int(state.step) == 1
    first_lr = GOPHER_INITIAL_LR if config.family == "gopher" else config.max_learning_rate
    assert float(metrics["learning_rate"]) == pytest.approx(first_lr)
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
def runs(tmp_path_factory):
    return trained_runs(tmp_path_factory)


def test_loss_decreases_over_100_steps_on_the_curated_shards(runs):
    _, _, root, whole, _ = runs
    losses = [r["loss"] for r in whole]
    assert len(losses) == STEPS
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 1.0, losses
    logged = [r for r in read_metrics(root / "whole") if "loss" in r]
    assert [r["loss"] for r in logged] == losses
    assert {"grad_norm", "learning_rate", "z_loss", "tokens_per_s"} <= set(logged[0])


def test_resume_continues_the_exact_run(runs):
    _, _, root, whole, resumed = runs
    assert [r["step"] for r in resumed] == list(range(1, 2 * RESUME_AT + 1))
    # The restart read the step-RESUME_AT checkpoint (the only one the first part wrote).
    assert Checkpoints(root / "resumed" / "checkpoints").steps() == [RESUME_AT, 2 * RESUME_AT]
    # Bit for bit.
    assert [r["loss"] for r in resumed] == [r["loss"] for r in whole[:2 * RESUME_AT]]
    # The log holds every step once: the interrupted run's extra records are gone.
    assert [r for r in read_metrics(root / "resumed") if "loss" in r] == resumed


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


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_partial_checkpoint_is_a_clear_error_and_the_previous_one_restores(runs, tmp_path,
                                                                            damage):
    config, run, root, _, _ = runs
    directory = tmp_path / "checkpoints"
    shutil.copytree(root / "whole" / "checkpoints", directory)
    data_files = [path for path in (directory / "100" / "state").rglob("*")
                  if path.is_file() and path.parent.name == "d"]
    assert data_files
    for path in data_files:  # a copy cut short, or one that lost its array files
        if damage == "truncated":
            path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
        else:
            path.unlink()
    trainer = Trainer.build(config, run)
    checkpoints = Checkpoints(directory, asynchronous=False)
    with pytest.raises(CheckpointError, match=r"step 100 .* unreadable.*--resume-step 75"):
        checkpoints.restore(trainer.abstract_state())
    state, _, _ = checkpoints.restore(trainer.abstract_state(), step=75)
    assert int(state.step) == 75


def test_an_interrupted_save_is_not_a_checkpoint(runs, tmp_path):
    config, run, root, _, _ = runs
    directory = tmp_path / "checkpoints"
    shutil.copytree(root / "whole" / "checkpoints", directory)
    # What a save killed midway leaves: Orbax's temporary directory, never renamed.
    shutil.copytree(directory / "100" / "state",
                    directory / "125.orbax-checkpoint-tmp-17" / "state")
    checkpoints = Checkpoints(directory, asynchronous=False)
    assert checkpoints.steps() == [50, 75, 100]
    state, _, _ = checkpoints.restore(Trainer.build(config, run).abstract_state())
    assert int(state.step) == 100


def test_metrics_go_to_tensorboard_when_tensorboardx_is_installed(tmp_path):
    pytest.importorskip("tensorboardX")
    log = MetricsLog(tmp_path, total_steps=2, progress=False)
    log.write({"step": 1, "loss": 2.5, "eval": {"held-out:massiveweb": {"bpb": 1.25}}})
    log.close()
    events = b"".join(path.read_bytes() for path in (tmp_path / "tensorboard").rglob("*")
                      if path.is_file())
    # TensorBoard tag names allow no ":"; tensorboardX writes it as "_".
    assert b"loss" in events and b"eval/held-out_massiveweb/bpb" in events
    assert [r["step"] for r in read_metrics(tmp_path)] == [1]


# --- bits per byte by hand -------------------------------------------------------------

@pytest.fixture(scope="module")
def float32_model(data):
    """An untrained gopher-tiny computing in float32: (graphdef, params, jitted forward)."""
    model = create_model(_config(data).replace(compute_dtype="float32"))
    graphdef, params = nnx.split(model)
    return graphdef, params, jax.jit(lambda params, tokens: nnx.merge(graphdef, params)(tokens))


def test_bits_per_byte_by_hand(data, float32_model):
    _, tokenizer = data
    graphdef, params, forward = float32_model
    text = "Gopher reads the web, then it writes. \u00e9t\u00e9!"
    ids = [tokenizer.bos_id] + tokenizer.encode(text)
    # By hand: one window per 16 targets, each window's first token is its only context.
    nats = 0.0
    for start in range(0, len(ids) - 1, 16):
        window = ids[start:start + 17]
        logits = np.asarray(forward(params, jnp.array([window[:-1]])))[0].astype(np.float64)
        for position, target in enumerate(window[1:]):
            row = logits[position]
            nats += math.log(np.exp(row - row.max()).sum()) + row.max() - row[target]
    expected = nats / math.log(2) / len(text.encode("utf-8"))
    result = bits_per_byte(make_scorer(graphdef), params, tokenizer, [text], seq_len=16)
    assert len(ids) - 1 > 16  # more than one window
    assert result.utf8_bytes == len(text.encode("utf-8")) and result.tokens == len(ids) - 1
    assert result.bpb == pytest.approx(expected, rel=1e-4)


def test_lambada_last_word_accuracy_by_hand(data, float32_model):
    run, tokenizer = data
    graphdef, params, forward = float32_model

    def greedy_next(ids):  # causal: the padding after ``ids`` does not change their logits
        tokens = np.full((1, 16), tokenizer.pad_id, np.int32)
        tokens[0, :len(ids)] = ids
        return int(np.argmax(np.asarray(forward(params, jnp.asarray(tokens)))[0, len(ids) - 1]))

    # Passages whose last word is the model's greedy next token (a one-piece word), and
    # passages ending in a word whose first token is not: by hand, accuracy right/all.
    right, wrong = [], []
    [subset] = find_subsets(str(run))
    texts = [text for _, text in open_shard(subset.shard_path(subset.shards[0])).iter_texts()]
    for text in texts[:60]:
        context = " ".join(text.split()[:5])
        ids = [tokenizer.bos_id] + tokenizer.encode(context)
        if len(ids) > 12:
            continue
        predicted = greedy_next(ids)
        piece = tokenizer.id_to_piece(predicted)
        if piece.startswith("\u2581") and piece[1:].isalpha() and tokenizer.encode(
                " " + piece[1:]) == [predicted]:
            right.append(f"{context} {piece[1:]}")
        elif tokenizer.encode(" zebra")[0] != predicted:
            wrong.append(f"{context} zebra")
    assert right and wrong
    score = make_scorer(graphdef)
    accuracy = lambada_accuracy(score, params, tokenizer, right + wrong, seq_len=16)
    assert accuracy == pytest.approx(len(right) / len(right + wrong))


# --- the commands ----------------------------------------------------------------------

def test_train_and_evaluate_commands(data, tmp_path, capsys):
    from massivetext.cli.main import main

    run, tokenizer = data
    tokenizer_path = tmp_path / "tok.model"
    tokenizer_path.write_bytes(tokenizer.model_bytes)
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(json.dumps({"text": "A held-out page about gophers. " * 20}) + "\n")
    common = ["--model", "gopher-tiny", "--tokenizer", str(tokenizer_path)]
    for typo in (["--n-layer", "3"], ["--mesh", "2,2"]):  # a typo is an error
        with pytest.raises(SystemExit):
            main(["train", *common, "--data", str(run), "--steps", "2", "--output",
                  str(tmp_path / "x"), *typo])
    assert main(["train", *common, "--data", str(run), "--steps", "3", "--output",
                 str(tmp_path / "x"), "--seq-len", "32", "--batch-tokens", "256",
                 "--z-loss-weight", "0.001", "--eval-sets", str(eval_file), "--eval-data", str(run),
                 "--holdout-fraction", "0.2", "--eval-docs", "5", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "before training:" in out and "after 3 steps:" in out and "bits/byte" in out
    # The tokenizer's sample left out only the default fraction, below the run's 0.2.
    assert "vocabulary has seen some held-out documents" in out
    assert "held-out:massiveweb" in out
    recorded = json.loads((tmp_path / "x" / "run.json").read_text())
    assert recorded["model"]["z_loss_weight"] == 0.001  # a config field from the command line
    assert all(r["z_loss"] > 0 for r in read_metrics(tmp_path / "x") if "loss" in r)
    assert recorded["model"]["vocab_size"] == tokenizer.vocab_size
    assert recorded["holdout"]["fraction"] == 0.2
    with pytest.raises(SystemExit):  # an abbreviation is taken for a typo too
        main(["evaluate", "--checkpoint", str(tmp_path / "x"), "--eval-set", str(eval_file)])
    # evaluate scores the documents the run held out (its recorded fraction).
    assert main(["evaluate", "--checkpoint", str(tmp_path / "x"), "--eval-sets",
                 str(eval_file), "--eval-data", str(run), "--eval-docs", "5"]) == 0
    out = capsys.readouterr().out
    assert "at step 3:" in out and "held-out:massiveweb" in out
    logged = [r["eval"] for r in read_metrics(tmp_path / "x") if "eval" in r][-1]
    printed = float(out.split("held-out:massiveweb")[1].split()[0])
    assert printed == pytest.approx(logged["held-out:massiveweb"]["bpb"], abs=1e-4)
    assert main(["train", *common, "--data", str(run), "--steps", "1", "--output",
                 str(tmp_path / "y"), "--holdout-fraction", "1.5"]) == 2
