"""WARC reading speed: our reader against plain warcio iteration, same files, same run.

Both read every record of the shared third-party WARCs; warcio reads each record's
content stream to the end (it undoes chunking and content-encoding), ours also decodes
every HTML page to text. Figures: records/s and compressed MB/s, best of a few rounds.
"""

from __future__ import annotations

import time
from pathlib import Path

from massivetext.io.warc import read_warc

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "warc"
ROUNDS = 3  # best of: the machine is shared, the minimum is the stable figure
REPEATS = 3  # passes over the files per round, so a round lasts long enough to time


def read_ours(paths: list[Path]) -> int:
    return sum(1 for path in paths for _ in read_warc(str(path)))


def read_warcio(paths: list[Path]) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for path in paths:
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                stream_ = record.content_stream()
                while stream_.read(1 << 16):
                    pass
                count += 1
    return count


def best_time(read, paths: list[Path]) -> tuple[float, int]:
    timings, count = [], 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        count = read(paths * REPEATS)
        timings.append(time.perf_counter() - start)
    return min(timings), count


def main() -> None:
    paths = sorted(DATA.glob("*/*.gz")) if DATA.is_dir() else []
    if not paths:
        print(f"skipped: shared WARC data absent ({DATA})")
        return
    megabytes = REPEATS * sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} files x {REPEATS}, {megabytes:.1f} MB compressed, best of {ROUNDS}")
    print(f"{'reader':<22}{'records':>9}{'seconds':>9}{'records/s':>11}{'MB/s':>8}")
    results = {}
    for name, read in (("massivetext.io.warc", read_ours), ("warcio ArchiveIterator", read_warcio)):
        seconds, count = best_time(read, paths)
        results[name] = seconds
        print(f"{name:<22}{count:>9}{seconds:>9.3f}{count / seconds:>11.0f}"
              f"{megabytes / seconds:>8.1f}")
    ratio = results["warcio ArchiveIterator"] / results["massivetext.io.warc"]
    print(f"speed-up over warcio: {ratio:.2f}x")


if __name__ == "__main__":
    main()
