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
    parser.add_argument("--data", nargs="+", required=True, help="curated run directories")
    parser.add_argument("--output", required=True, help="directory for one run per input")


def main(args: argparse.Namespace) -> int:
    from massivetext.cli.main import main as cli_main
    from massivetext.train.metrics import read_metrics

    if len(args.data) < 2:
        print("massivetext ablate: give at least two curated outputs to --data")
        return 2
    results = {}
    for index, data in enumerate(args.data):
        output = Path(args.output) / f"{index}-{Path(data).name}"
        print(f"=== training on {data} -> {output}", flush=True)
        status = cli_main(["train", "--data", data, "--output", str(output), *args.beam_args])
        if status:
            return status
        evals = [r for r in read_metrics(output) if "eval" in r]
        results[data] = evals[-1]["eval"] if evals else {}
    names = sorted({name for result in results.values() for name in result})
    if not names:
        print("massivetext ablate: no evaluation sets (give --eval-sets or --eval-data)")
        return 2
    width = max(len(d) for d in results)
    print("\nbits per byte after training (lower is better):")
    print(f"{'curated output':<{width}}  " + "  ".join(f"{n[:24]:>24}" for n in names))
    for data, result in results.items():
        cells = [f"{result[n]['bpb']:>24.4f}" if n in result else f"{'-':>24}" for n in names]
        print(f"{data:<{width}}  " + "  ".join(cells))
    return 0
