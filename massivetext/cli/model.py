"""``massivetext model``: a model config, its parameter count, FLOPs per token and speed.

``massivetext model --list`` lists every config; ``massivetext model gopher-280b`` prints
one config, its parameter count from the initialised model's array shapes (no memory is
used), training FLOPs per token (PaLM Appendix B) and the tokens/s that 50% MFU would
give on each accelerator of the peak table: what a person sizing a run asks.
"""

from __future__ import annotations

import argparse
import dataclasses

SIZING_MFU = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="a config name, e.g. gopher-280b")
    parser.add_argument("--list", action="store_true", help="list every config")
    parser.add_argument("--seq-len", type=int, default=None,
                        help="sequence length for FLOPs (default: the config's)")


def _count(n: float) -> str:
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f}{unit}"
    return f"{n:.0f}"


def list_configs() -> str:
    from massivetext.train.configs import CONFIGS, PUBLISHED_PARAMETERS
    from massivetext.train.model import parameter_count

    lines = [f"{'name':<16}{'family':<8}{'layers':>7}{'d_model':>8}{'heads':>6}"
             f"{'parameters':>12}{'published':>11}"]
    for name, config in CONFIGS.items():
        published = PUBLISHED_PARAMETERS.get(name)
        lines.append(f"{name:<16}{config.family:<8}{config.n_layers:>7}{config.d_model:>8}"
                     f"{config.n_heads:>6}{_count(parameter_count(config)):>12}"
                     f"{_count(published) if published else '-':>11}")
    return "\n".join(lines)


def describe(name: str, seq_len: int | None = None) -> str:
    from massivetext.train.configs import get_config
    from massivetext.train.flops import PEAK_FLOPS, tokens_per_second_at, training_flops_per_token
    from massivetext.train.model import parameter_count

    config = get_config(name)
    lines = [f"{name}"] + [f"  {f.name:<18}{getattr(config, f.name)}"
                           for f in dataclasses.fields(config) if f.name != "name"]
    flops = training_flops_per_token(config, seq_len)
    length = seq_len or config.max_seq_len
    count = parameter_count(config)
    lines += [f"parameters          {count:,} ({_count(count)})",
              f"training FLOPs/token at T={length} (forward+backward, non-causal count):",
              f"  6N                {flops.dense:.4g}",
              f"  12 L H Q T        {flops.attention:.4g}"]
    if flops.relative_position:
        lines.append(f"  6 L H Q T (rel.)  {flops.relative_position:.4g}")
    lines += [f"  total             {flops.total:.4g}",
              f"tokens/s per chip at {SIZING_MFU:.0%} MFU (bf16 dense peak):"]
    for hardware, peak in PEAK_FLOPS.items():
        rate = tokens_per_second_at(SIZING_MFU, flops.total, hardware)
        lines.append(f"  {hardware:<8}{peak / 1e12:>6.0f} TFLOP/s  {rate:>14,.0f} tokens/s")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    if args.list:
        print(list_configs())
        return 0
    if not args.name:
        print("massivetext model: give a config name or --list")
        return 2
    try:
        print(describe(args.name, args.seq_len))
    except KeyError as error:
        print(f"massivetext model: {error.args[0]}")
        return 2
    return 0
