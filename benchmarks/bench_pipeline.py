"""End-to-end MassiveWeb pipeline speed on Beam's local runner, with time per stage.

Two inputs: a generated sample of at least 5,000 pages (``massivetext sample``) and the
real WARCs in ../shared/data/warc when present. For each, the whole pipeline runs twice
on the local runner: in one process (so pages per wall-clock second is the rate of one
core) and with one worker process per core. Pages are the HTML pages entering
extraction. The share of time per stage comes from running each stage's core function
on the same pages in this process, which is the work the stage's DoFn does; what is left
of the one-process run's CPU time is Beam's own work and our joins and statistics.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from massivetext.filters.language import EnglishFilter
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter
from massivetext.pipelines.options import LOCAL_RUNNER

from massivetext.cli.main import main as cli_main
from massivetext.dedup.minhash import MinHasher, shingle_hashes
from massivetext.document import WebPage
from massivetext.extract.extractor import ExtractionError, extract_text
from massivetext.io.warc import read_warc
from massivetext.io.warc_writer import WarcWriter
from massivetext.sample.crawl import write_sample

SAMPLE_PAGES = 5_000
SHARED_WARCS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "warc"
TARGET_PAGES_PER_CORE = 150


def stage_times(paths: list[str]) -> tuple[int, dict[str, float]]:
    """Seconds spent in each stage's core function over every page of ``paths``."""
    times = dict.fromkeys(("read", "extract", "content", "quality", "repetition",
                           "minhash"), 0.0)
    english, quality, repetition, hasher = (EnglishFilter(), QualityFilter(),
                                            RepetitionFilter(), MinHasher())
    pages = 0
    for path in paths:
        start = time.process_time()
        records = list(read_warc(path))
        times["read"] += time.process_time() - start
        for page in records:
            if not isinstance(page, WebPage):
                continue
            pages += 1
            start = time.process_time()
            try:
                text = extract_text(page.html, page.url)
            except ExtractionError:
                text = None
            times["extract"] += time.process_time() - start
            if text is None:
                continue
            for stage, work in (("content", english.judge), ("quality", quality.judge),
                                ("repetition", repetition.judge),
                                ("minhash", lambda t: hasher.signature(shingle_hashes(t)))):
                begin = time.process_time()
                work(text)
                times[stage] += time.process_time() - begin
    return pages, times


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pipeline_run(paths: list[str], mode_args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one whole pipeline run."""
    with tempfile.TemporaryDirectory() as output:
        wall, cpu = time.perf_counter(), cpu_seconds()
        code = cli_main(["run", "--input", ",".join(paths), "--output", output,
                         f"--runner={LOCAL_RUNNER}", *mode_args])
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        assert code == 0, "the pipeline run did not balance"
    return wall, cpu


def report(name: str, paths: list[str], fixed_wall: float) -> None:
    workers = os.cpu_count() or 1
    megabytes = sum(os.path.getsize(path) for path in paths) / 1e6
    pages, times = stage_times(paths)
    print(f"\n{name}: {pages} HTML pages, {megabytes:.1f} MB of WARC")
    single_wall, single_cpu = pipeline_run(paths, ["--direct_running_mode=in_memory"])
    per_core = pages / single_wall
    verdict = "meets" if per_core >= TARGET_PAGES_PER_CORE else "BELOW"
    print(f"  one process (one core): {single_wall:.1f} s wall, {per_core:.1f} pages/s per "
          f"core ({verdict} the {TARGET_PAGES_PER_CORE} target), "
          f"{megabytes / single_wall:.2f} MB/s, {pages / single_cpu:.1f} pages per CPU-second; "
          f"{pages / max(single_wall - fixed_wall, 1e-9):.1f} pages/s once the "
          f"{fixed_wall:.1f} s that an empty crawl takes is set aside")
    multi_wall, multi_cpu = pipeline_run(paths, [
        "--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"])
    print(f"  {workers} worker processes: {multi_wall:.1f} s wall, {pages / multi_wall:.1f} "
          f"pages/s, {pages / multi_wall / workers:.1f} pages/s per core, "
          f"{pages / multi_cpu:.1f} pages per CPU-second (the runner moves every shuffled "
          "element between processes, which costs more than it gains on few cores)")
    print(f"  share of the one-process run's {single_cpu:.1f} CPU-seconds:")
    print(f"  {'stage':<12}{'CPU s':>8}{'share':>8}{'pages/s':>10}")
    for stage, seconds in times.items():
        rate = pages / seconds if seconds else float("inf")
        print(f"  {stage:<12}{seconds:>8.2f}{100 * seconds / single_cpu:>7.1f}%{rate:>10.0f}")
    overhead = max(single_cpu - sum(times.values()), 0.0)
    print(f"  {'beam+rest':<12}{overhead:>8.2f}{100 * overhead / single_cpu:>7.1f}%"
          "   (start-up, shuffles, dedup joins and components, statistics, shards)")


def empty_crawl_wall(directory: str) -> float:
    """Wall seconds of a one-process run over a WARC without pages: the fixed cost of
    starting the runner and of every stage (dedup rounds included) on no data."""
    path = f"{directory}/empty.warc.gz"
    with open(path, "wb") as file:
        WarcWriter(file).write_warcinfo("empty.warc.gz")
    return pipeline_run([path], ["--direct_running_mode=in_memory"])[0]


def replicated_real_pages(paths: list[str], path: str, pages: int, files: int = 1) -> list[str]:
    """Write the real WARCs' HTML pages again and again, each copy with a record id of
    its own, until ``pages`` pages: a real-page crawl big enough that start-up does not
    dominate (the copies are exact duplicates, so the dedup stage removes them). With
    ``files`` > 1 the copies are dealt out to that many WARC files (``path`` with
    ``-0000``, ``-0001``, ... before ``.warc.gz``), so the per-file stages can run in
    parallel. Returns the paths written."""
    originals = [page for source in paths for page in read_warc(source)
                 if isinstance(page, WebPage)]
    copies = [(copy, page) for copy in range(-(-pages // len(originals))) for page in originals]
    stem = path.removesuffix(".warc.gz")
    written = [path] if files == 1 else [f"{stem}-{index:04d}.warc.gz" for index in range(files)]
    for index, destination in enumerate(written):
        with open(destination, "wb") as file:
            writer = WarcWriter(file)
            share = copies[index * len(copies) // files:(index + 1) * len(copies) // files]
            for copy, page in share:
                writer.write_response(page.url, page.html.encode("utf-8"),
                                      record_id=f"<urn:copy:{copy}:{page.record_id}>")
    return written


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        fixed_wall = empty_crawl_wall(directory)
        print(f"fixed cost: a crawl without pages takes {fixed_wall:.1f} s in one process")
        sample = f"{directory}/bench-sample.warc.gz"
        write_sample(sample, pages=SAMPLE_PAGES, seed=1)
        report(f"generated sample ({SAMPLE_PAGES} pages)", [sample], fixed_wall)
        if not SHARED_WARCS.exists():
            print("\nreal WARCs: ../shared/data/warc is absent, skipped")
            return
        real = sorted(str(path) for path in SHARED_WARCS.rglob("*.warc.gz"))
        report(f"real WARCs in ../shared/data/warc ({len(real)} files)", real, fixed_wall)
        replicated = replicated_real_pages(real, f"{directory}/real-pages-replicated.warc.gz",
                                           SAMPLE_PAGES)
        report(f"the real WARCs' HTML pages, copied to at least {SAMPLE_PAGES} pages with "
               "fresh ids", replicated, fixed_wall)


if __name__ == "__main__":
    main()
