"""``massivetext evaluate``: bits per byte (and LAMBADA accuracy) of a trained checkpoint.

``massivetext evaluate --checkpoint runs/x --eval-sets wiki.test.tokens lambada.jsonl
[--eval-data curated_run] [--step N]`` reads ``runs/x/run.json`` for the model, run,
tokenizer and held-out fraction (``--eval-data`` scores the documents that run held
out), restores the latest (or the given) checkpoint onto this machine's devices and
prints the bits per byte of each set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from massivetext.cli.train import add_eval_arguments, eval_sets, format_eval, mesh_sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.allow_abbrev = False  # --eval-set must be a typo, not --eval-sets
    parser.add_argument("--checkpoint", required=True, help="a run directory of massivetext train")
    parser.add_argument("--step", type=int, default=None, help="default: the latest checkpoint")
    parser.add_argument("--tokenizer", default=None, help="default: the run's tokenizer")
    parser.add_argument("--mesh", type=mesh_sizes, default=(-1, 1, 1),
                        help="data,fsdp,tensor sizes")
    parser.add_argument("--holdout-fraction", type=float, default=None,
                        help="held-out share scored by --eval-data (default: the run's)")
    add_eval_arguments(parser)


def main(args: argparse.Namespace) -> int:
    import jax

    from massivetext.data import HoldOut
    from massivetext.tokenizer import Tokenizer
    from massivetext.train.checkpoint import CheckpointError, Checkpoints
    from massivetext.train.configs import ModelConfig
    from massivetext.train.evalsets import Evaluator
    from massivetext.train.loop import RunConfig, Trainer

    run_file = Path(args.checkpoint) / "run.json"
    if not run_file.exists():
        print(f"massivetext evaluate: {run_file} not found (not a massivetext train run)")
        return 2
    recorded = json.loads(run_file.read_text(encoding="utf-8"))
    data, fsdp, tensor = args.mesh
    config = ModelConfig(**recorded["model"])
    run = RunConfig(**{**recorded["run"], "mesh_data": data, "mesh_fsdp": fsdp,
                       "mesh_tensor": tensor})
    tokenizer = Tokenizer.load(args.tokenizer or recorded["tokenizer"])
    fraction = args.holdout_fraction
    if fraction is None:  # a run from before held-out splits trained on every document
        fraction = recorded.get("holdout", {}).get("fraction", 0.0)
    try:
        sets = eval_sets(args, HoldOut(fraction))
    except (FileNotFoundError, ValueError) as error:
        print(f"massivetext evaluate: {error}")
        return 2
    if not sets.texts:
        print("massivetext evaluate: give --eval-sets and/or --eval-data")
        return 2
    trainer = Trainer.build(config, run)
    checkpoints = Checkpoints(Path(args.checkpoint) / "checkpoints", asynchronous=False)
    try:
        state, _, _ = checkpoints.restore(trainer.abstract_state(), args.step)
    except CheckpointError as error:
        print(f"massivetext evaluate: {error}")
        return 2
    finally:
        checkpoints.close()
    with jax.set_mesh(trainer.mesh):
        results = Evaluator(tokenizer, sets, run.seq_len)(trainer, state.params)
    print(format_eval(f"{config.name} at step {int(state.step)}:", results))
    return 0
