"""Run metrics: one JSON object per line in ``metrics.jsonl`` (and TensorBoard event files
when tensorboardX is installed), and a terminal progress bar with ETA (tqdm)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tqdm import tqdm


class MetricsLog:
    def __init__(self, output: str | Path, total_steps: int, start_step: int = 0,
                 progress: bool = True):
        self.path = Path(output) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "a", encoding="utf-8")
        try:
            from tensorboardX import SummaryWriter
            self.tensorboard = SummaryWriter(str(Path(output) / "tensorboard"))
        except ImportError:
            self.tensorboard = None
        self.bar = tqdm(total=total_steps, initial=start_step, unit="step", dynamic_ncols=True,
                        disable=not progress or not sys.stderr.isatty())

    def write(self, record: dict) -> None:
        """Append ``record`` (must hold "step"); numbers also go to TensorBoard."""
        self.file.write(json.dumps(record, sort_keys=True) + "\n")
        self.file.flush()
        if self.tensorboard is not None:
            for key, value in _flatten(record).items():
                if key != "step" and isinstance(value, (int, float)):
                    self.tensorboard.add_scalar(key, value, record["step"])

    def advance(self, record: dict) -> None:
        self.bar.update(1)
        self.bar.set_postfix(loss=f"{record['loss']:.3f}",
                             tok_s=f"{record['tokens_per_s']:.0f}", refresh=False)

    def close(self) -> None:
        self.bar.close()
        self.file.close()
        if self.tensorboard is not None:
            self.tensorboard.close()


def _flatten(record: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def read_metrics(output: str | Path) -> list[dict]:
    with open(Path(output) / "metrics.jsonl", encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]
