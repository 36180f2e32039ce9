"""The built-in sample curated by the real pipeline, once per test session.

Tokenizer, sequence and trainer tests train and read from the same curated run; building
it takes a Beam run (ten seconds or more), so the session makes it once: under
pytest-xdist the first worker that needs it builds it under the session's temporary
directory while the others wait, then every worker reads it (the tests only read).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from massivetext.cli.main import main as cli_main
from massivetext.sample.crawl import write_sample

SAMPLE_PAGES = 200
SAMPLE_SEED = 0
# The trainer tests' tokenizer: small enough to train in seconds on the sample.
TRAINER_VOCAB = 600


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The directory ``name``, filled by ``build(directory)`` once per test session and
    shared by its pytest-xdist workers (the first to ask builds, the others wait)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / ".built").exists():  # none yet, or a failed build's remains
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()
            build(directory)
            (directory / ".built").touch()
    return directory


def _curate(root: Path) -> None:
    write_sample(str(root / "sample.warc.gz"), pages=SAMPLE_PAGES, seed=SAMPLE_SEED)
    # No test sets: decontamination is not what these tests are about.
    status = cli_main(["run", "--input", str(root / "sample.warc.gz"), "--output",
                       str(root / "curated"), "--runner=FnApiRunner"])
    assert status == 0, "the pipeline failed on the built-in sample"


def curated_run(tmp_path_factory) -> Path:
    """A pipeline output directory holding ``massiveweb/`` curated from the sample (the
    crawl itself is ``sample.warc.gz`` beside it)."""
    return built_once(tmp_path_factory, "curated-sample", _curate) / "curated"


def curated_run_and_tokenizer(tmp_path_factory):
    """``curated_run`` and a tokenizer trained on it, made once per test session."""
    from massivetext.tokenizer import Tokenizer, TokenizerOptions, train_tokenizer

    run = curated_run(tmp_path_factory)

    def train(directory: Path) -> None:
        tokenizer = train_tokenizer([str(run)], TokenizerOptions(vocab_size=TRAINER_VOCAB),
                                    {"massiveweb": 1})[0]
        (directory / "tok.model").write_bytes(tokenizer.model_bytes)

    return run, Tokenizer.load(str(built_once(tmp_path_factory, "trainer-tokenizer", train)
                                   / "tok.model"))
