"""The built-in sample curated by the real pipeline, once per test process.

Tokenizer and sequence tests train and read from the same curated run; building it
takes a Beam run (about ten seconds), so each test process (each pytest-xdist worker)
makes it once, under pytest's session temporary directory.
"""

from __future__ import annotations

from pathlib import Path

from massivetext.cli.main import main as cli_main
from massivetext.sample.crawl import write_sample

SAMPLE_PAGES = 200
SAMPLE_SEED = 0
_BUILT: dict[str, Path] = {}


def curated_run(tmp_path_factory) -> Path:
    """A pipeline output directory holding ``massiveweb/`` curated from the sample."""
    if "run" not in _BUILT:
        root = tmp_path_factory.mktemp("curated-sample")
        write_sample(str(root / "sample.warc.gz"), pages=SAMPLE_PAGES, seed=SAMPLE_SEED)
        # No test sets: decontamination is not what these tests are about.
        status = cli_main(["run", "--input", str(root / "sample.warc.gz"), "--output",
                           str(root / "curated"), "--runner=FnApiRunner"])
        assert status == 0, "the pipeline failed on the built-in sample"
        _BUILT["run"] = root / "curated"
    return _BUILT["run"]
