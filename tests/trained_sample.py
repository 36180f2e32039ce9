"""gopher-tiny trained on the curated sample, once per test session: STEPS steps in one
go, and the same run stopped after RESUME_AT steps and resumed for RESUME_AT more.

The trainer tests read these runs (losses, metrics, checkpoints) and the 8-device test
compares its losses with the one-device run's first steps, so the session trains them
once: under pytest-xdist the first worker that needs them trains them, the others wait
and read them (the tests only read).
"""

from __future__ import annotations

import dataclasses
import json

from tests.curated_sample import built_once, curated_run_and_tokenizer

SEQ_LEN, BATCH = 64, 8
STEPS = 100
# The resumed run: RESUME_AT steps, a restart from its checkpoint, RESUME_AT more; its
# losses must be the first 2 x RESUME_AT of the run trained in one go (same schedule).
RESUME_AT = 10


def run_config():
    from massivetext.train.loop import RunConfig

    return RunConfig(steps=STEPS, seq_len=SEQ_LEN, batch_size=BATCH, warmup_steps=10,
                     checkpoint_every=25, keep_checkpoints=3, eval_every=1000)


def model_config(tokenizer, name: str = "gopher-tiny"):
    from massivetext.train.configs import get_config

    return get_config(name, vocab_size=tokenizer.vocab_size)


def loader(data, seed: int = 0):
    """The sequence loader of these runs: BATCH rows of SEQ_LEN + 1 tokens."""
    from massivetext.data import Mixture, SequenceLoader

    run, tokenizer = data
    return SequenceLoader(Mixture.from_run(str(run)), tokenizer, SEQ_LEN + 1, BATCH, seed=seed)


def trained_runs(tmp_path_factory):
    """(model config, run config, root, whole run's step records, resumed run's)."""
    from massivetext.train.loop import train

    data = curated_run_and_tokenizer(tmp_path_factory)
    config, run = model_config(data[1]), run_config()

    def train_the_runs(root):
        whole = train(config, run, loader(data), root / "whole", progress=False)
        halted = dataclasses.replace(run, stop_after=RESUME_AT)
        first = train(config, halted, loader(data), root / "resumed", progress=False)
        # What a run killed after its last checkpoint leaves besides: a step logged past
        # the checkpoint and a record cut short. The resumed run logs those steps again.
        with open(root / "resumed" / "metrics.jsonl", "a", encoding="utf-8") as file:
            file.write(json.dumps({"step": RESUME_AT + 1, "loss": -1.0}) + '\n{"step": 1')
        second = train(config, dataclasses.replace(run, stop_after=2 * RESUME_AT),
                       loader(data), root / "resumed", resume=True, progress=False)
        (root / "histories.json").write_text(json.dumps({"whole": whole,
                                                         "resumed": first + second}))

    root = built_once(tmp_path_factory, "trainer-runs", train_the_runs)
    recorded = json.loads((root / "histories.json").read_text())
    return config, run, root, recorded["whole"], recorded["resumed"]
