"""GPU/TPU speed of the full ``train_step``, data loader included: step time, tokens/s and
MFU of the Gopher 417M and 1.4B configs and the LLaMA and PaLM blocks at about 1B, in one
command: ``python -m benchmarks gpu`` (``python -m benchmarks.bench_gpu NAME... [--cpu]``).

It curates the built-in sample crawl and trains a tokenizer on it once (a minute of
CPU), then for each config builds the real trainer (optimiser, float32 master copy,
sharding over every local chip), compiles, and times STEPS steps that each read their
batch from the SequenceLoader, so input stalls show as "data" time. Each config takes
well under two minutes. The target is at least 45% MFU at 1.4B on one H100/H200 (PaLM
reached 46.2% at 540B on TPU v4). MFU uses the PaLM Appendix B formula (flops.py) and
the chip's bf16 dense peak. Without an accelerator it says so and measures nothing
(``--cpu`` runs the tiny configs instead, to check the script itself).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import jax

from massivetext.train.configs import CONFIGS
from massivetext.train.flops import hardware_name, mfu, training_flops_per_token
from massivetext.train.loop import RunConfig, Trainer
from massivetext.train.step import make_train_step

SEQ_LEN, STEPS = 2048, 10
# name -> (config, batch in sequences); remat keeps the 1B-class activations in memory.
BENCHMARK_CONFIGS = {
    "gopher-417m": (CONFIGS["gopher-417m"], 16),
    "gopher-1.4b": (CONFIGS["gopher-1.4b"].replace(remat="dots"), 16),
    "llama-1b": (CONFIGS["llama-7b"].replace(name="llama-1b", n_layers=18, n_heads=16,
                                             n_kv_heads=16, head_dim=128, d_model=2048,
                                             d_ff=5632, remat="dots"), 16),
    "palm-1b": (CONFIGS["palm-8b-32k"].replace(name="palm-1b", n_layers=16, n_heads=8,
                                               d_model=2048, d_ff=8192, remat="dots"), 16),
}
CPU_CONFIGS = {name: (CONFIGS[name], 8) for name in ("gopher-tiny", "llama-tiny", "palm-tiny")}


def curated_sample(root: Path):
    """The sample crawl curated by the real pipeline, and a tokenizer trained on it."""
    from massivetext.cli.main import main as cli_main
    from massivetext.sample.crawl import write_sample
    from massivetext.tokenizer import TokenizerOptions, train_tokenizer

    write_sample(str(root / "sample.warc.gz"), pages=200, seed=0)
    status = cli_main(["run", "--input", str(root / "sample.warc.gz"), "--output",
                       str(root / "curated"), "--runner=FnApiRunner"])
    assert status == 0, "the pipeline failed on the sample"
    tokenizer = train_tokenizer([str(root / "curated")], TokenizerOptions(vocab_size=4096),
                                {"massiveweb": 1})[0]
    return root / "curated", tokenizer


def measure(name: str, config, batch: int, seq_len: int, data, tokenizer, hardware) -> str:
    from massivetext.data import Mixture, SequenceLoader

    config = config.replace(max_seq_len=max(config.max_seq_len, seq_len))
    run = RunConfig(steps=1000, seq_len=seq_len, batch_size=batch)
    trainer = Trainer.build(config, run)
    state = trainer.fresh_state()
    loader = SequenceLoader(Mixture.from_run(str(data)), tokenizer, seq_len + 1, batch,
                            worker_count=8)
    step = jax.jit(make_train_step(trainer.graphdef, trainer.tx, trainer.schedule),
                   donate_argnums=0)
    with jax.set_mesh(trainer.mesh):
        start = time.perf_counter()
        state, metrics = step(state, trainer.global_batch(next(loader)["tokens"]))
        jax.block_until_ready(metrics)
        compile_s = time.perf_counter() - start
        data_s = 0.0
        start = time.perf_counter()
        for _ in range(STEPS):
            fetched = time.perf_counter()
            tokens = trainer.global_batch(next(loader)["tokens"])
            data_s += time.perf_counter() - fetched
            state, metrics = step(state, tokens)
        jax.block_until_ready(metrics)
    seconds = (time.perf_counter() - start) / STEPS
    tokens_per_s = batch * seq_len / seconds
    flops = training_flops_per_token(config, seq_len).total
    utilisation = (f"MFU {mfu(tokens_per_s, flops, hardware, trainer.mesh.size):6.1%}"
                   if hardware else f"{tokens_per_s * flops / 1e9:.1f} GFLOP/s")
    return (f"{name:<12} batch {batch:>3} x {seq_len}  step {seconds * 1e3:8.1f} ms "
            f"(data {data_s / STEPS * 1e3:6.1f} ms)  {tokens_per_s:10,.0f} tokens/s  "
            f"{utilisation}  loss {float(metrics['loss']):.3f}  (compile {compile_s:.0f} s, "
            f"remat {config.remat})")


def main(argv: list[str] | None = None) -> None:
    argv = list(argv or [])
    on_cpu = "--cpu" in argv
    names = [a for a in argv if a != "--cpu"]
    device = jax.devices()[0]
    hardware = hardware_name(device.device_kind)
    if hardware is None and not on_cpu:
        print(f"no accelerator with a known peak ({device.device_kind}): nothing measured")
        return
    table = CPU_CONFIGS if on_cpu else BENCHMARK_CONFIGS
    seq_len = 128 if on_cpu else SEQ_LEN
    print(f"{jax.device_count()} x {device.device_kind} ({hardware or 'no peak'}): full "
          f"train_step with the sequence loader, bf16 compute, float32 master parameters")
    with tempfile.TemporaryDirectory() as root:
        data, tokenizer = curated_sample(Path(root))
        for name in names or table:
            config, batch = table[name]
            print(measure(name, config, batch, seq_len, data, tokenizer, hardware), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
