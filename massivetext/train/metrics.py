"""Run metrics: one JSON object per line in ``metrics.jsonl`` (and TensorBoard event files
when tensorboardX is installed), and a terminal progress bar with ETA (tqdm)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tqdm import tqdm

from massivetext.io.atomic import atomic_output


class MetricsLog:
    def __init__(self, output: str | Path, total_steps: int, start_step: int = 0,
                 progress: bool = True):
        self.path = Path(output) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh run starts the file afresh. A resumed run keeps the records up to its
        # checkpoint's step and drops the ones its interrupted run logged past it (they
        # are logged again), so the file holds each step once.
        kept = ([line for line in _lines(self.path) if json.loads(line)["step"] <= start_step]
                if start_step else [])
        with atomic_output(self.path) as file:
            file.write("".join(kept).encode("utf-8"))
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


def _lines(path: Path) -> list[str]:
    """The complete records of ``path`` ([] if it is missing): a line without its newline
    is a record cut short by a run killed while writing it."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as file:
        return [line for line in file if line.endswith("\n") and line.strip()]


def read_metrics(output: str | Path) -> list[dict]:
    return [json.loads(line) for line in _lines(Path(output) / "metrics.jsonl")]
