"""Run every benchmark, or only those named: ``python -m benchmarks filters minhash``."""

import importlib
import sys

BENCHMARKS = ["filters", "warc", "extraction", "minhash", "dedup", "pipeline", "tokenizer",
              "model", "train", "memory", "datatrove", "scaling", "readers"]


def main(argv: list[str]) -> None:
    for name in argv or BENCHMARKS:
        print(f"\n=== benchmark: {name} ===", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
