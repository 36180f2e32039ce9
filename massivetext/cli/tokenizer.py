"""``massivetext tokenizer``: train, measure and try the SentencePiece tokenizer.

- ``train --data OUT[,OUT...] --output tok.model``: train on a seeded, byte-budgeted
  sample of the curated subsets of one or more runs (Table 2 weights split the budget),
  leaving out the documents ``massivetext train --holdout-fraction`` holds out.
- ``stats --tokenizer tok.model --data OUT[,OUT...]``: UTF-8 bytes per token per subset
  beside the paper's Table A2 figures.
- ``encode --tokenizer tok.model [TEXT]`` / ``decode --tokenizer tok.model [IDS]``: a
  quick look from the shell (reads standard input without an argument).
"""

from __future__ import annotations

import argparse
import json
import sys

from massivetext.data.holdout import DEFAULT_HOLDOUT_FRACTION
from massivetext.data.mixture import TABLE2_WEIGHTS
from massivetext.io.atomic import atomic_output
from massivetext.tokenizer.compression import (
    DEFAULT_MAX_BYTES,
    format_table_a2,
    measure_compression,
)
from massivetext.tokenizer.tokenizer import Tokenizer
from massivetext.tokenizer.training import (
    DEFAULT_CHARACTER_COVERAGE,
    DEFAULT_SAMPLE_BYTES,
    DEFAULT_VOCAB_SIZE,
    NORMALIZATIONS,
    TokenizerOptions,
    train_tokenizer,
)


def _runs(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def _weights(value: str) -> dict[str, float]:
    """``massiveweb=48,books=27`` -> {"massiveweb": 48.0, "books": 27.0}."""
    weights = {}
    for part in _runs(value):
        name, _, weight = part.partition("=")
        weights[name] = float(weight)
    return weights


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    train = actions.add_parser("train", help="train a tokenizer on curated shards")
    train.add_argument("--data", type=_runs, required=True,
                       help="pipeline output directories (or subset directories), comma-separated")
    train.add_argument("--output", required=True, help="the tokenizer file to write")
    train.add_argument("--vocab-size", type=int, default=DEFAULT_VOCAB_SIZE,
                       help=f"pieces in the vocabulary (default {DEFAULT_VOCAB_SIZE})")
    train.add_argument("--normalization", choices=NORMALIZATIONS, default="identity",
                       help="identity (lossless, default) or nfkc (the paper's choice)")
    train.add_argument("--no-split-digits", dest="split_digits", action="store_false",
                       help="let digits merge into multi-digit pieces")
    train.add_argument("--sample-bytes", type=int, default=DEFAULT_SAMPLE_BYTES,
                       help=f"UTF-8 bytes of text to train on (default {DEFAULT_SAMPLE_BYTES})")
    train.add_argument("--weights", type=_weights, default={},
                       help="subset shares of the sample, e.g. massiveweb=48,books=27 "
                            "(default: Table 2)")
    train.add_argument("--character-coverage", type=float, default=DEFAULT_CHARACTER_COVERAGE)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=1,
                       help="trainer threads (1, the default, gives byte-identical files)")
    train.add_argument("--holdout-fraction", type=float, default=DEFAULT_HOLDOUT_FRACTION,
                       help="leave out the documents `massivetext train` holds out at this "
                            "fraction (give it the training run's; default %(default)s; "
                            "0: sample every document)")

    stats = actions.add_parser("stats", help="bytes per token per subset (Table A2)")
    stats.add_argument("--tokenizer", required=True)
    stats.add_argument("--data", type=_runs, required=True)
    stats.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                       help=f"bytes measured per subset (default {DEFAULT_MAX_BYTES})")

    encode = actions.add_parser("encode", help="print the ids (or pieces) of a text")
    encode.add_argument("--tokenizer", required=True)
    encode.add_argument("--pieces", action="store_true", help="print pieces, not ids")
    encode.add_argument("text", nargs="?", help="the text (default: standard input)")

    decode = actions.add_parser("decode", help="print the text of space-separated ids")
    decode.add_argument("--tokenizer", required=True)
    decode.add_argument("ids", nargs="*", help="the ids (default: standard input)")


def _train(args: argparse.Namespace) -> int:
    options = TokenizerOptions(
        vocab_size=args.vocab_size, normalization=args.normalization,
        split_digits=args.split_digits, sample_bytes=args.sample_bytes,
        character_coverage=args.character_coverage, seed=args.seed, threads=args.threads,
        holdout_fraction=args.holdout_fraction)
    tokenizer, samples = train_tokenizer(args.data, options, {**TABLE2_WEIGHTS, **args.weights})
    with atomic_output(args.output) as file:
        file.write(tokenizer.model_bytes)
    for sample in samples:
        print(f"{sample.subset:<12} sampled {sample.sampled_documents} of {sample.rows} "
              f"documents, {sample.sampled_bytes} of {sample.text_bytes} bytes, "
              f"{sample.held_out_documents} held out ({sample.run})")
    print(f"wrote {args.output}: {tokenizer.vocab_size} pieces, "
          f"{tokenizer.provenance['sentences']} training lines")
    return 0


def _stats(args: argparse.Namespace) -> int:
    tokenizer = Tokenizer.load(args.tokenizer)
    print(format_table_a2(measure_compression(tokenizer, args.data, args.max_bytes)))
    return 0


def _encode(args: argparse.Namespace) -> int:
    tokenizer = Tokenizer.load(args.tokenizer)
    text = sys.stdin.read() if args.text is None else args.text
    ids = tokenizer.encode(text)
    if args.pieces:
        print(json.dumps([tokenizer.id_to_piece(token) for token in ids], ensure_ascii=False))
    else:
        print(" ".join(map(str, ids)))
    return 0


def _decode(args: argparse.Namespace) -> int:
    tokenizer = Tokenizer.load(args.tokenizer)
    ids = args.ids or sys.stdin.read().split()
    try:
        tokens = [int(token) for token in ids]
    except ValueError as error:
        print(f"massivetext tokenizer decode: ids must be integers ({error})", file=sys.stderr)
        return 2
    bad = [token for token in tokens if not 0 <= token < tokenizer.vocab_size]
    if bad:
        print(f"massivetext tokenizer decode: ids out of range 0..{tokenizer.vocab_size - 1}: "
              f"{bad[:5]}", file=sys.stderr)
        return 2
    sys.stdout.write(tokenizer.decode(tokens))
    return 0


ACTIONS = {"train": _train, "stats": _stats, "encode": _encode, "decode": _decode}


def main(args: argparse.Namespace) -> int:
    try:
        return ACTIONS[args.action](args)
    except (FileNotFoundError, ValueError) as error:
        print(f"massivetext tokenizer {args.action}: {error}", file=sys.stderr)
        return 2
