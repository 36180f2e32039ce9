"""Progress of a local run on stderr: input files done of total, records, rate, time.

The local runner (FnApiRunner) reports Beam metrics only when a stage ends, and its
multi-process mode runs the reader in worker processes, so the reader counts for
itself: each process that reads input writes its totals to a small file in a directory
named by :data:`DIRECTORY_VARIABLE` (inherited by the workers), at most once a second
and at the end of each file. The main process sums those files while the pipeline runs
and prints one line to stderr (updated in place on a terminal, every
:data:`LOG_SECONDS` otherwise). Statistics go to stdout, so the two never mix.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator

DIRECTORY_VARIABLE = "MASSIVETEXT_PROGRESS_DIR"
WRITE_SECONDS = 1.0
TTY_SECONDS = 1.0
LOG_SECONDS = 10.0


class _ReaderTotals:
    """This process's reading totals, written for the main process to sum."""

    def __init__(self, directory: str):
        self._path = os.path.join(directory, f"{os.getpid()}-{threading.get_ident()}.json")
        self.files = self.records = 0
        self._written = 0.0

    def write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < WRITE_SECONDS:
            return
        self._written = now
        temporary = self._path + ".tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump({"files": self.files, "records": self.records}, file)
            os.replace(temporary, self._path)
        except OSError:
            pass  # progress is best effort; the run's statistics are what count


_totals: dict[str, _ReaderTotals] = {}


def counted(outcomes: Iterable, directory: str | None = None) -> Iterator:
    """Pass one input file's outcomes through, counting them for the progress line."""
    directory = directory or os.environ.get(DIRECTORY_VARIABLE)
    if not directory or not os.path.isdir(directory):
        yield from outcomes
        return
    key = f"{directory}:{threading.get_ident()}"
    totals = _totals.setdefault(key, _ReaderTotals(directory))
    for outcome in outcomes:
        totals.records += 1
        totals.write()
        yield outcome
    totals.files += 1
    totals.write(force=True)


def format_line(files: int, total_files: int, records: int, elapsed: float,
                reading: float | None = None) -> str:
    """``reading``: seconds until the last record was read (the rate's time base)."""
    reading = elapsed if reading is None else reading
    rate = records / reading if reading > 0 else 0.0
    minutes, seconds = divmod(int(elapsed), 60)
    return (f"read {files}/{total_files} input files, {records:,} records, "
            f"{rate:,.0f} records/s, {minutes // 60}:{minutes % 60:02d}:{seconds:02d} elapsed")


class Progress:
    """While in a ``with`` block, show the readers' progress on ``stream`` (stderr)."""

    def __init__(self, total_files: int, stream=None):
        self._total_files = total_files
        self._stream = stream or sys.stderr
        self._stop = threading.Event()
        self._directory = ""
        self._start = 0.0
        self._records, self._reading = 0, 0.0

    def __enter__(self) -> Progress:
        self._directory = tempfile.mkdtemp(prefix="massivetext-progress-")
        os.environ[DIRECTORY_VARIABLE] = self._directory
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._show, name="progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        os.environ.pop(DIRECTORY_VARIABLE, None)
        shutil.rmtree(self._directory, ignore_errors=True)

    def _sums(self) -> tuple[int, int]:
        files = records = 0
        for name in os.listdir(self._directory):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(self._directory, name), encoding="utf-8") as file:
                    totals = json.load(file)
            except (OSError, ValueError):
                continue  # being replaced right now
            files += totals["files"]
            records += totals["records"]
        return files, records

    def line(self) -> str:
        files, records = self._sums()
        elapsed = time.monotonic() - self._start
        if records != self._records:  # the rate is over the time spent reading
            self._records, self._reading = records, elapsed
        return format_line(files, self._total_files, records, elapsed, self._reading)

    def _show(self) -> None:
        tty = self._stream.isatty()
        every = TTY_SECONDS if tty else LOG_SECONDS
        while not self._stop.wait(every):
            self._stream.write(("\r" + self.line() + "\x1b[K") if tty else self.line() + "\n")
            self._stream.flush()
        self._stream.write(("\r" if tty else "") + self.line() + "\n")
        self._stream.flush()
