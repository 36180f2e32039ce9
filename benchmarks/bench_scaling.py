"""Speed-up of ``massivetext run`` from one to all worker processes on a multi-file crawl.

The per-document stages (reading, extraction, the three filters, the document store)
run fused per input file, so a run spreads over worker processes only when the crawl has
several files (docs/architecture.md, "Memory and shuffle"). Two crawls of several WARC
files each:

- the generated sample (``massivetext sample``) cut into files at record boundaries,
  byte for byte (each record is one gzip member, at the offset its manifest gives);
- the real WARCs' HTML pages (../shared/data/warc, when present) copied with fresh
  record ids and dealt out to the same number of files.

Each crawl runs three times on Beam's local runner (a measured child process:
:func:`benchmarks.bench_memory.measure`): in one process (``in_memory``), with one worker
process and with one worker process per core (``multi_processing``). Printed: wall
time, CPU time and peak memory of each, the speed-up, and the load average, since wall
time on a machine shared with other work says little about the speed-up.

``python -m benchmarks.bench_scaling --pages 8000 --files 8`` measures a larger crawl.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile

from benchmarks.bench_memory import ONE_WORKER, Measured, html_pages, probe
from benchmarks.bench_pipeline import SHARED_WARCS, replicated_real_pages
from massivetext.sample.crawl import SampleManifest, write_sample

PAGES, FILES = 4_000, 4
CRAWLS = ("sample", "real")


def worker_processes(count: int) -> list[str]:
    return ["--direct_running_mode=multi_processing", f"--direct_num_workers={count}"]


def cut_points(records: list[dict], size: int, files: int) -> list[int]:
    """Byte offsets at which files 2..``files`` of a ``size``-byte WARC start: the first
    well-formed response at or after each equal share of the bytes, never right after a
    damaged record (a truncated gzip member must stay followed by the record it runs
    into)."""
    starts = [records[index]["offset"] for index in range(1, len(records))
              if records[index]["warc_type"] == "response"
              and "malformed" not in (records[index].get("case"), records[index - 1].get("case"))]
    points = []
    for share in range(1, files):
        point = next((start for start in starts if start >= share * size // files), None)
        if point is not None and point not in points:
            points.append(point)
    return points


def split_sample(manifest: SampleManifest, files: int) -> list[str]:
    """The sample's WARC file cut into ``files`` WARC files (``-0000``, ... before
    ``.warc.gz``) at record boundaries; the files' bytes concatenated are the sample's."""
    with open(manifest.warc_path, "rb") as file:
        data = file.read()
    offsets = [0, *cut_points(manifest.records, len(data), files), len(data)]
    stem = manifest.warc_path.removesuffix(".warc.gz")
    paths = []
    for index, (start, end) in enumerate(itertools.pairwise(offsets)):
        paths.append(f"{stem}-{index:04d}.warc.gz")
        with open(paths[-1], "wb") as file:
            file.write(data[start:end])
    return paths


def speed_up(label: str, paths: list[str], directory: str,
             extra_args: tuple[str, ...]) -> dict[str, Measured]:
    """One crawl at one process, one worker process and one per core; the runs' outputs
    under ``directory``."""
    pages = html_pages(paths)
    cores = os.cpu_count() or 1
    megabytes = sum(os.path.getsize(path) for path in paths) / 1e6
    print(f"{label}: {len(paths)} WARC files, {pages} pages, {megabytes:.1f} MB", flush=True)
    modes = {"one process (in_memory)": ONE_WORKER,
             "1 worker process": worker_processes(1),
             f"{cores} worker processes": worker_processes(cores)}
    runs = {}
    for index, (mode, mode_args) in enumerate(modes.items()):
        output = f"{directory}/out-{index}"
        runs[mode] = measured = probe(paths, output, mode_args, extra_args, pages)[0]
        print(f"  {mode:<26} {measured.wall:>7.1f} s wall, {measured.cpu:>7.1f} CPU-s, "
              f"{pages / measured.wall:>6.1f} pages/s, peak {measured.peak_tree / 1e9:.2f} GB "
              f"summed ({measured.peak_process / 1e9:.2f} GB largest process); load average "
              f"{os.getloadavg()[0]:.1f} on {cores} cores", flush=True)
    one, single, many = runs.values()
    print(f"  speed-up with {cores} worker processes: {one.wall / many.wall:.2f}x over one "
          f"process, {single.wall / many.wall:.2f}x over one worker process (wall time; "
          "meaningful only on an otherwise idle machine)", flush=True)
    return runs


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scaling",
                                     description="speed-up of `massivetext run` from one to "
                                     "all worker processes on a multi-file crawl")
    parser.add_argument("--pages", type=int, default=PAGES, metavar="N",
                        help=f"pages of each crawl (default {PAGES})")
    parser.add_argument("--files", type=int, default=FILES, metavar="N",
                        help=f"WARC files each crawl is written as (default {FILES})")
    parser.add_argument("--crawls", default="sample,real", metavar="LIST",
                        help="which crawls: sample, real or both (default sample,real)")
    args = parser.parse_args(argv)
    if not set(args.crawls.split(",")) <= set(CRAWLS):
        parser.error(f"--crawls takes {', '.join(CRAWLS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv or [])
    crawls = set(args.crawls.split(","))
    with tempfile.TemporaryDirectory() as directory:
        if "sample" in crawls:
            manifest = write_sample(f"{directory}/sample.warc.gz", pages=args.pages, seed=1)
            paths = split_sample(manifest, args.files)
            speed_up("generated sample", paths, f"{directory}/sample-runs",
                     ("--test-sets", manifest.testset_path))
        if "real" not in crawls:
            return
        if not SHARED_WARCS.exists():
            print("real pages: ../shared/data/warc is absent, skipped")
            return
        real = sorted(str(path) for path in SHARED_WARCS.rglob("*.warc.gz"))
        os.makedirs(f"{directory}/real")
        paths = replicated_real_pages(real, f"{directory}/real/copied.warc.gz", args.pages,
                                      args.files)
        speed_up("real pages copied with fresh ids, no language filter", paths,
                 f"{directory}/real-runs", ("--no-language-filter",))


if __name__ == "__main__":
    main(sys.argv[1:])
