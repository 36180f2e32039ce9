"""The GPU benchmark's measurement (the full jitted train_step reading each batch from
the sequence loader), run on CPU at a shrunken size so the script is known to work
before an accelerator runs it."""

import math

from benchmarks import bench_gpu
from tests.curated_sample import curated_run_and_tokenizer


def test_the_gpu_script_times_full_steps_that_read_the_loader(tmp_path_factory):
    run, tokenizer = curated_run_and_tokenizer(tmp_path_factory)
    config, batch = bench_gpu.CPU_CONFIGS["gopher-tiny"]
    result = bench_gpu.measure("gopher-tiny", config, batch, 32, run, tokenizer, hardware=None)
    assert result["batches_read"] == bench_gpu.STEPS + 1  # the compile step's, then one each
    assert math.isfinite(result["loss"]) and result["tokens_per_s"] > 0
    assert 0 < result["data_s"] < result["step_s"]
    assert result["mfu"] is None  # no peak for a CPU
    line = bench_gpu.format_result(result)
    assert "tokens/s" in line and "GFLOP/s" in line and "data" in line
