"""``massivetext train``: train a Gopher, LLaMA or PaLM model on curated shards.

``massivetext train --model gopher-44m --mixture mix.toml --tokenizer tok.model --steps N
--output runs/x [--batch-tokens ...] [--seq-len ...] [--resume]``. ``--data RUN_DIR``
takes every subset of one curated run instead of a mixture file. Every field of the
model config is an option (``--n-layers 4 --d-model 256``); the vocabulary defaults to
the tokenizer's. Writes ``runs/x/metrics.jsonl``, ``runs/x/checkpoints/`` and
``runs/x/run.json``; prints bits per byte on the evaluation sets before and after.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import typing
from pathlib import Path

from massivetext.data.holdout import DEFAULT_HOLDOUT_FRACTION
from massivetext.train.configs import ModelConfig

# ModelConfig fields the run sets itself: name by --model, batch by --batch-tokens.
_NOT_OPTIONS = {"name", "batch_tokens"}


def _type(field: dataclasses.Field):
    hint = typing.get_type_hints(ModelConfig)[field.name]
    return {int: int, float: float, bool: _boolean}.get(hint, str)


def _boolean(text: str) -> bool:
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"not a boolean: {text!r}")


def mesh_sizes(text: str) -> tuple[int, int, int]:
    """``--mesh data,fsdp,tensor``: "-1,2,1" -> (-1, 2, 1)."""
    try:
        data, fsdp, tensor = (int(size) for size in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not three comma-separated sizes data,fsdp,tensor: {text!r}") from None
    return data, fsdp, tensor


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="config name (massivetext model --list)")
    group = parser.add_argument_group("model config overrides")
    for field in dataclasses.fields(ModelConfig):
        if field.name not in _NOT_OPTIONS:
            group.add_argument(f"--{field.name.replace('_', '-')}", dest=f"model_{field.name}",
                               type=_type(field), default=None, help="default: the config's")


def model_config(args: argparse.Namespace, vocab_size: int | None = None) -> ModelConfig:
    from massivetext.train.configs import get_config

    overrides = {f.name: getattr(args, f"model_{f.name}") for f in dataclasses.fields(ModelConfig)
                 if f.name not in _NOT_OPTIONS and getattr(args, f"model_{f.name}") is not None}
    if vocab_size is not None and "vocab_size" not in overrides:
        overrides["vocab_size"] = vocab_size
    return get_config(args.model, **overrides)


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--eval-sets", nargs="*", default=[],
                        help="test-set files (WikiText-103 test, LAMBADA JSONL, ...)")
    parser.add_argument("--eval-data", default=None,
                        help="a curated run: each subset's held-out documents are scored too")
    parser.add_argument("--eval-docs", type=int, default=50,
                        help="documents per eval set / curated subset (default 50)")


def eval_sets(args: argparse.Namespace, holdout):
    """The evaluation sets of ``args``; ``holdout`` picks the curated run's documents."""
    from massivetext.train.evalsets import EvalSets

    sets = EvalSets()
    for path in args.eval_sets:
        sets.add_file(path, args.eval_docs)
    if args.eval_data:
        sets.add_curated(args.eval_data, holdout, args.eval_docs)
    return sets


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.allow_abbrev = False  # --n-layer must be a typo, not --n-layers
    add_model_arguments(parser)
    data = parser.add_mutually_exclusive_group(required=True)
    data.add_argument("--mixture", help="a mixture file (TOML or JSON, Table 2 weights)")
    data.add_argument("--data", help="a curated run directory: all its subsets")
    parser.add_argument("--tokenizer", required=True, help="a tokenizer file")
    parser.add_argument("--output", required=True, help="the run directory")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--batch-tokens", type=int, default=None,
                        help="tokens per step (default: the config's, e.g. 0.25M)")
    parser.add_argument("--seq-len", type=int, default=None,
                        help="tokens per sequence (default: the config's max_seq_len)")
    parser.add_argument("--learning-rate", type=float, default=None,
                        help="maximum learning rate (default: the config's)")
    parser.add_argument("--warmup-steps", type=int, default=None,
                        help="warm-up steps (default: the family's published number)")
    parser.add_argument("--eval-every", type=int, default=1000)
    parser.add_argument("--checkpoint-every", type=int, default=1000)
    parser.add_argument("--keep-checkpoints", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mesh", type=mesh_sizes, default=(-1, 1, 1),
                        help="data,fsdp,tensor sizes (-1: the devices left); default all data")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--resume-step", type=int, default=None,
                        help="continue from this checkpoint step instead of the last")
    parser.add_argument("--stop-after", type=int, default=None,
                        help="stop (with a checkpoint) after this step of the --steps "
                             "schedule; --resume continues it")
    parser.add_argument("--distributed", action="store_true",
                        help="multi-host: call jax.distributed.initialize() first")
    parser.add_argument("--workers", type=int, default=0, help="tokeniser threads")
    parser.add_argument("--holdout-fraction", type=float, default=DEFAULT_HOLDOUT_FRACTION,
                        help="share of each subset's documents (by id hash) never trained on, "
                             "scored by --eval-data (default %(default)s; 0: train on all)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    add_eval_arguments(parser)


def run_config(args: argparse.Namespace, config: ModelConfig):
    from massivetext.train.loop import RunConfig

    seq_len = args.seq_len or config.max_seq_len
    batch_tokens = args.batch_tokens or config.batch_tokens
    if batch_tokens % seq_len:
        raise ValueError(f"--batch-tokens {batch_tokens} is not a multiple of --seq-len {seq_len}")
    data, fsdp, tensor = args.mesh
    return RunConfig(steps=args.steps, seq_len=seq_len, batch_size=batch_tokens // seq_len,
                     learning_rate=args.learning_rate, warmup_steps=args.warmup_steps,
                     eval_every=args.eval_every, checkpoint_every=args.checkpoint_every,
                     keep_checkpoints=args.keep_checkpoints, seed=args.seed, mesh_data=data,
                     mesh_fsdp=fsdp, mesh_tensor=tensor, stop_after=args.stop_after)


def format_eval(title: str, results: dict) -> str:
    lines = [title]
    for name, result in results.items():
        extra = (f"  last-word accuracy {result['last_word_accuracy']:.3f}"
                 if "last_word_accuracy" in result else "")
        lines.append(f"  {name:<32} {result['bpb']:.4f} bits/byte  "
                     f"({result['texts']} texts, {result['bytes']:,} bytes){extra}")
    return "\n".join(lines)


def _note_tokenizer_holdout(tokenizer, holdout) -> None:
    """Say so when the tokenizer's sample may hold some of this run's held-out documents:
    the split nests, so a tokenizer sampled at a fraction >= the run's has seen none."""
    # A tokenizer from before it left held-out documents out sampled every document.
    seen = tokenizer.provenance.get("options", {}).get("holdout_fraction", 0.0)
    if holdout.fraction > seen:
        print(f"massivetext train: note: the tokenizer's sample left out the documents held "
              f"out at fraction {seen}, below this run's {holdout.fraction}; if it was trained "
              f"on this data its vocabulary has seen some held-out documents (train it with "
              f"`massivetext tokenizer train --holdout-fraction {holdout.fraction}`)")


def main(args: argparse.Namespace) -> int:
    import jax

    from massivetext.data import HoldOut, Mixture, SequenceLoader
    from massivetext.tokenizer import Tokenizer
    from massivetext.train.evalsets import Evaluator
    from massivetext.train.loop import train

    if args.distributed:
        jax.distributed.initialize()
    tokenizer = Tokenizer.load(args.tokenizer)
    try:
        config = model_config(args, tokenizer.vocab_size)
        run = run_config(args, config)
        holdout = HoldOut(args.holdout_fraction)
        if config.vocab_size < tokenizer.vocab_size:  # ids past the embedding: a NaN loss
            raise ValueError(f"--vocab-size {config.vocab_size} is below the tokenizer's "
                             f"{tokenizer.vocab_size}")
    except (KeyError, ValueError) as error:
        print(f"massivetext train: {error.args[0]}")
        return 2
    _note_tokenizer_holdout(tokenizer, holdout)
    if run.seq_len > config.max_seq_len:
        config = config.replace(max_seq_len=run.seq_len)
    mixture = Mixture.load(args.mixture) if args.mixture else Mixture.from_run(args.data)
    # Rows of seq_len + 1 tokens: seq_len inputs, each with its next token as target.
    loader = SequenceLoader(mixture, tokenizer, run.seq_len + 1, run.batch_size, seed=run.seed,
                            process_index=jax.process_index(),
                            process_count=jax.process_count(), worker_count=args.workers,
                            holdout=holdout)
    output = Path(args.output)
    resume = args.resume or args.resume_step is not None
    if not resume and any((output / "checkpoints").glob("*")):
        print(f"massivetext train: {output} already holds checkpoints; pass --resume to "
              f"continue that run or choose a new --output")
        return 2
    try:
        sets = eval_sets(args, holdout)
    except (FileNotFoundError, ValueError) as error:
        print(f"massivetext train: {error}")
        return 2
    output.mkdir(parents=True, exist_ok=True)
    (output / "run.json").write_text(json.dumps(
        {"model": dataclasses.asdict(config), "run": run.to_json(),
         "tokenizer": str(Path(args.tokenizer).absolute()),
         "mixture": mixture.to_json(), "holdout": holdout.to_json()}, indent=2) + "\n",
        encoding="utf-8")
    evaluator = Evaluator(tokenizer, sets, run.seq_len)
    history = train(config, run, loader, output, evaluate=evaluator if evaluator.sets.texts
                    else None, resume=resume, resume_step=args.resume_step,
                    progress=args.progress)
    if history:
        last = history[-1]
        print(f"step {last['step']}: loss {last['loss']:.4f}, "
              f"{sum(r['tokens_per_s'] for r in history[1:]) / max(len(history) - 1, 1):,.0f} "
              f"tokens/s after the first step")
    from massivetext.train.metrics import read_metrics

    evals = [r for r in read_metrics(output) if "eval" in r]
    if evals and evals[0]["step"] == 0:
        print(format_eval("before training:", evals[0]["eval"]))
    if evals and evals[-1]["step"] > 0:
        print(format_eval(f"after {evals[-1]['step']} steps:", evals[-1]["eval"]))
    return 0
