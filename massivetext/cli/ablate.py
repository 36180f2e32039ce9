"""``massivetext ablate``: train the same model on two (or more) curated outputs and
print each one's bits per byte on the same evaluation sets.

``massivetext ablate --data out/with out/without --tokenizer tok.model --model
gopher-tiny --steps 300 --output runs/ablation --eval-sets wiki.test.tokens`` trains one
run per curated output (``runs/ablation/<i>-<name>``) with the same seed, model,
tokenizer and steps; any other ``massivetext train`` option is passed on. This is how a
corpus builder decides a threshold: same model, same budget, different data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

PASSES_UNKNOWN_OPTIONS = True  # the rest goes to `massivetext train`


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.allow_abbrev = False  # abbreviations are typos here, as in `massivetext train`
    parser.add_argument("--data", nargs="+", required=True, help="curated run directories")
    parser.add_argument("--output", required=True, help="directory for one run per input")


def main(args: argparse.Namespace) -> int:
    from massivetext.cli.main import main as cli_main
    from massivetext.train.metrics import read_metrics

    if len(args.data) < 2:
        print("massivetext ablate: give at least two curated outputs to --data")
        return 2
    results, untrained = {}, None
    for index, data in enumerate(args.data):
        output = Path(args.output) / f"{index}-{Path(data).name}"
        print(f"=== training on {data} -> {output}", flush=True)
        status = cli_main(["train", "--data", data, "--output", str(output), *args.beam_args])
        if status:
            return status
        evals = [r for r in read_metrics(output) if "eval" in r]
        if evals and evals[0]["step"] == 0 and untrained is None:
            untrained = evals[0]["eval"]  # the same seed: the same untrained model in every arm
        results[data] = evals[-1]["eval"] if evals and evals[-1]["step"] > 0 else {}
    names = sorted({name for result in results.values() for name in result})
    if not names:
        print("massivetext ablate: no evaluation sets (give --eval-sets or --eval-data)")
        return 2
    rows = ({"untrained model": untrained} if untrained else {}) | results
    width = max(len(row) for row in rows)
    print("\nbits per byte (lower is better), after training unless said:")
    print(f"{'curated output':<{width}}  " + "  ".join(f"{n[:24]:>24}" for n in names))
    for row, result in rows.items():
        cells = [f"{result[n]['bpb']:>24.4f}" if n in result else f"{'-':>24}" for n in names]
        print(f"{row:<{width}}  " + "  ".join(cells))
    return 0
