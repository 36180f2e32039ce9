"""``massivetext run`` as a user meets it: checks before the start, one run per output
directory, progress on stderr, runners refused, workers that outlive a killed run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
from massivetext.pipelines.output_dir import OutputDirectory

from massivetext.cli.main import main
from massivetext.io.warc_writer import WarcWriter
from massivetext.sample.text import EnglishGrammar


def english_page(number: int) -> bytes:
    """A page of plain English prose that passes every filter (seeded by ``number``)."""
    grammar = EnglishGrammar(random.Random(number))
    paragraphs = "".join(f"<p>{grammar.paragraph()}</p>" for _ in range(6))
    return (f"<html><head><title>{grammar.title()}</title></head><body>{paragraphs}"
            "</body></html>").encode()


def write_crawl(path: Path, pages: int, first: int = 0) -> Path:
    with path.open("wb") as stream:
        writer = WarcWriter(stream)
        writer.write_warcinfo(path.name)
        for number in range(first, first + pages):
            writer.write_response(f"https://example.org/mill/{number}", english_page(number))
    return path


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crawl")
    write_crawl(root / "a.warc.gz", 4)
    write_crawl(root / "b.warc.gz", 3, first=10)
    return root


def run(*args: str) -> int:
    return main(["run", "--runner=FnApiRunner", "--no-dedup", *args])


def listing(directory: Path) -> set[str]:
    return {str(path.relative_to(directory)) for path in directory.rglob("*")}


# -- before the start -------------------------------------------------------------------
@pytest.mark.parametrize("inputs", [
    "{root}/missing.warc.gz", "{root}/*.warc.bz2", "{root}/a.warc.gz,{root}/typo-*.warc.gz"])
def test_an_input_pattern_matching_nothing_is_an_error_before_the_start(
        crawl, tmp_path, capsys, inputs):
    inputs = inputs.format(root=crawl)
    assert run("--input", inputs, "--output", str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    bad = [pattern for pattern in inputs.split(",") if "a.warc" not in pattern]
    assert f"no input file matches {bad[0]}" in err and "--allow-empty-input" in err
    assert not (tmp_path / "out").exists()


def test_allow_empty_input_runs_on_the_patterns_that_match(crawl, tmp_path, capsys):
    inputs = f"{crawl}/a.warc.gz,{crawl}/none-*.warc,{crawl}/missing.warc"
    assert run("--input", inputs, "--output", str(tmp_path), "--allow-empty-input",
               "--quiet") == 0
    assert "5 records in" in capsys.readouterr().out
    # issue 9, item 16: the manifest records the globs and the files they matched.
    manifest = json.loads((tmp_path / "massiveweb" / "manifest.json").read_text())
    assert manifest["input_files"] == [
        {"path": str(crawl / "a.warc.gz"), "bytes": (crawl / "a.warc.gz").stat().st_size}]
    assert manifest["parameters"]["inputs"] == [f"{crawl}/a.warc.gz", f"{crawl}/none-*.warc"]


def test_an_unwritable_output_is_one_clear_message_before_the_start(crawl, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert run("--input", f"{crawl}/a.warc.gz", "--output", str(blocker / "out")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"massivetext run: error: cannot write the output directory {blocker / 'out'}")


def test_a_runner_known_to_give_wrong_results_is_refused(crawl, tmp_path, capsys):
    code = main(["run", "--input", f"{crawl}/a.warc.gz", "--output", str(tmp_path),
                 "--runner", "DaskRunner"])
    assert code == 2
    err = capsys.readouterr().err
    assert "DaskRunner is refused" in err and "multi-output ParDo" in err


# -- one run per output directory -------------------------------------------------------
def test_an_output_directory_holding_a_run_is_refused_then_replaced_whole(
        crawl, tmp_path, capsys):
    out = tmp_path / "out"
    assert run("--input", f"{crawl}/*.warc.gz", "--output", str(out), "--num-shards=4",
               "--quiet") == 0
    subset = out / "massiveweb"
    first = listing(subset)
    assert "part-00003-of-00004.arrow" in first
    # A killed run's leftover beside the shards.
    (subset / ".tmp-0123abcd-part-00000-of-00004.arrow").write_bytes(b"partial")
    capsys.readouterr()

    assert run("--input", f"{crawl}/a.warc.gz", "--output", str(out), "--quiet") == 2
    err = capsys.readouterr().err
    assert "already holds" in err and "--overwrite" in err
    assert listing(subset) == first | {".tmp-0123abcd-part-00000-of-00004.arrow"}

    assert run("--input", f"{crawl}/a.warc.gz", "--output", str(out), "--quiet",
               "--num-shards=1", "--overwrite") == 0
    manifest = json.loads((subset / "manifest.json").read_text())
    arrow = sorted(path.name for path in subset.glob("*.arrow"))
    assert arrow == [shard["name"] for shard in manifest["shards"]] == [
        "part-00000-of-00001.arrow"]
    assert not list(subset.rglob(".tmp-*"))
    rows = sum(pa.ipc.open_file(str(subset / name)).read_all().num_rows for name in arrow)
    assert rows == manifest["rows"] == 4
    assert not [path for path in tmp_path.iterdir() if "massivetext-old" in path.name]


def test_a_failed_overwrite_puts_the_earlier_run_back(crawl, tmp_path, capsys):
    assert run("--input", f"{crawl}/b.warc.gz", "--output", str(tmp_path), "--quiet") == 0
    before = {path: path.read_bytes() for path in (tmp_path / "massiveweb").rglob("*")
              if path.is_file()}
    code = run("--input", f"{crawl}/a.warc.gz", "--output", str(tmp_path), "--quiet",
               "--overwrite", "--blocklist", str(tmp_path / "no-such-blocklist.txt"))
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("massivetext run: error: the pipeline failed:")
    after = {path: path.read_bytes() for path in (tmp_path / "massiveweb").rglob("*")
             if path.is_file()}
    assert after == before


def test_a_failed_run_leaves_none_of_its_files(tmp_path):
    directory = tmp_path / "massiveweb"
    output = OutputDirectory(str(directory), overwrite=False)
    output.prepare()
    directory.mkdir()
    (directory / "stats.json").write_text("{}")  # what a run wrote before failing
    output.finish(succeeded=False)
    assert not directory.exists()


def test_a_run_that_never_prepared_its_directory_leaves_it_alone(tmp_path):
    # A dry run, or a run refused before the start, must not touch an earlier run.
    directory = tmp_path / "massiveweb"
    directory.mkdir()
    (directory / "stats.json").write_text("{}")
    OutputDirectory(str(directory), overwrite=True).finish(succeeded=False)
    assert (directory / "stats.json").read_text() == "{}"


def test_a_local_dry_run_builds_the_job_and_runs_nothing(crawl, tmp_path, capsys):
    assert run("--input", f"{crawl}/*.warc.gz", "--output", str(tmp_path / "out"),
               "--dry_run=True") == 0
    out = capsys.readouterr().out
    assert out.startswith("massiveweb: dry run: built ") and " transforms" in out
    assert not (tmp_path / "out").exists()


# -- what a run prints ------------------------------------------------------------------
def test_progress_goes_to_stderr_and_the_statistics_to_stdout(crawl, tmp_path, capsys):
    assert run("--input", f"{crawl}/*.warc.gz", "--output", str(tmp_path / "loud")) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("massiveweb: 9 records in")
    assert "records/s" not in captured.out
    assert "read 2/2 input files, 9 records" in captured.err
    assert "elapsed" in captured.err

    assert run("--input", f"{crawl}/*.warc.gz", "--output", str(tmp_path / "quiet"),
               "--quiet") == 0
    captured = capsys.readouterr()
    assert "records/s" not in captured.err and "9 records in" in captured.out


# -- a killed run ----------------------------------------------------------------------
def _worker_pids(parent: int) -> set[int]:
    """Beam SDK worker processes whose ancestry includes ``parent``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if b"sdk_worker_main" not in command or b"/bin/sh" in command.split(b"\0")[0]:
                continue
            pid = int(entry.name)
            while pid > 1:
                stat = Path(f"/proc/{pid}/stat").read_text()
                pid = int(stat.rsplit(")", 1)[1].split()[1])
                if pid == parent:
                    found.add(int(entry.name))
                    break
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_exit_when_the_main_process_is_killed(tmp_path):
    crawl = write_crawl(tmp_path / "big.warc.gz", 400)
    process = subprocess.Popen(
        [sys.executable, "-m", "massivetext.cli.main", "run", "--input", str(crawl),
         "--output", str(tmp_path / "out"), "--direct_running_mode=multi_processing",
         "--direct_num_workers=2", "--runner=FnApiRunner", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            workers = _worker_pids(process.pid)
        assert workers, "the run started no worker process"
        # Kill it while it writes (the first output file is there), as a user would.
        while time.monotonic() < deadline and not (tmp_path / "out" / "massiveweb").exists():
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists()
                                                  for pid in workers):
            time.sleep(0.5)
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
                 and " Z " not in Path(f"/proc/{pid}/stat").read_text()]
        assert not alive, "workers outlived the killed run"
    finally:
        if process.poll() is None:
            process.kill()


WORKER = """
import sys, time
import massivetext.pipelines  # as a Beam worker does on its first bundle of our code
open(sys.argv[1], "w").write("started")
time.sleep(120)  # a long bundle
"""
MAIN = """
import subprocess, sys, time
from massivetext.pipelines import worker_exit
worker_exit.mark_parent()
# Through a shell, as Beam's local runner starts its workers.
subprocess.Popen(f"{sys.executable} -c '{sys.argv[1]}' {sys.argv[2]}", shell=True)
time.sleep(120)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_worker_in_a_long_bundle_exits_soon_after_the_main_process_dies(tmp_path):
    started = tmp_path / "started"
    main = subprocess.Popen([sys.executable, "-c", MAIN, WORKER.replace("'", '"'), str(started)])
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children_running(main.pid, "-c")
        assert workers, "no worker started"
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        killed_at = time.monotonic()
        while any(Path(f"/proc/{pid}").exists() for pid in workers) and (
                time.monotonic() - killed_at < 20):
            time.sleep(0.1)
        assert time.monotonic() - killed_at < 5, "the worker ran on after its parent died"
    finally:
        if main.poll() is None:
            main.kill()


def _children_running(parent: int, marker: str) -> set[int]:
    """Python processes below ``parent`` (through the shell) with ``marker`` in argv."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        shell = int(stat.rsplit(")", 1)[1].split()[1])
        try:
            grandparent = int(Path(f"/proc/{shell}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if b"python" in argv[0] and marker.encode() in argv and parent in (shell, grandparent):
            found.add(int(entry.name))
    return found
