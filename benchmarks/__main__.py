"""Run every benchmark, or only those named: ``python -m benchmarks filters minhash``."""

import importlib
import sys

BENCHMARKS = ["filters", "warc", "extraction", "minhash", "dedup", "pipeline", "tokenizer",
              "model", "train", "memory", "datatrove", "scaling", "readers"]


def main(argv: list[str]) -> None:
    unknown = [name for name in argv if name not in BENCHMARKS]
    if unknown:
        # `--help` lands here too: each benchmark's own options are
        # `python -m benchmarks.bench_NAME --help`.
        sys.exit(f"usage: python -m benchmarks [NAME ...]; unknown {', '.join(unknown)}; "
                 f"names: {', '.join(BENCHMARKS)}")
    for name in argv or BENCHMARKS:
        print(f"\n=== benchmark: {name} ===", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
