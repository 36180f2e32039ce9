"""Subset reader speed: documents/s and MB/s of each format's reader, one core.

Inputs: the sample's generators at a larger size (a MediaWiki dump, Gutenberg books,
C4 and news JSON lines, a code tree) and, when present, the real files under
../shared/data/text (the Vietnamese Wikipedia export, the Gutenberg books). MB are
the input's bytes as stored (compressed where the format is). Each reader is set
beside a reference measured in the same run: for the dump, lxml's iterparse with
mwparserfromhell's own ``strip_code()`` (what most wiki extractors do); for the
others, the floor of the work, reading and decoding the same bytes (``gzip`` and
``json.loads`` for JSON lines, whole-file reads for books and code). Best of a few
rounds; peak resident memory of the process at the end.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import random
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mwparserfromhell
from lxml import etree

from massivetext.readers.formats import read_input
from massivetext.sample.books import write_books
from massivetext.sample.code_tree import write_code_tree
from massivetext.sample.web_json import syndicated_story, write_c4, write_news
from massivetext.sample.wiki_dump import write_wiki_dump

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "text"
ROUNDS = 3  # best of: the machine is shared, the minimum is the stable figure


def _size(paths: list[str]) -> int:
    total = 0
    for path in paths:
        if os.path.isdir(path):
            total += sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())
        else:
            total += os.path.getsize(path)
    return total


def ours(subset: str) -> Callable[[list[str]], int]:
    def read(paths: list[str]) -> int:
        return sum(1 for path in paths for outcome in read_input(path, subset)
                   if hasattr(outcome, "text"))
    return read


def strip_code_dump(paths: list[str]) -> int:
    count = 0
    for path in paths:
        opener = bz2.open if path.endswith(".bz2") else open
        with opener(path, "rb") as stream:
            try:
                for _, element in etree.iterparse(stream, tag="{*}text", resolve_entities=False):
                    mwparserfromhell.parse(element.text or "").strip_code()
                    count += 1
                    element.clear()
            except etree.XMLSyntaxError:
                pass  # the real excerpt is cut short, as our reader reports
    return count


def decode_files(paths: list[str]) -> int:
    count = 0
    for path in paths:
        files = sorted(p for p in Path(path).rglob("*") if p.is_file()) if os.path.isdir(
            path) else [Path(path)]
        for file in files:
            data = file.read_bytes()
            if file.suffix == ".gz":
                data = gzip.decompress(data)
            data.decode("utf-8", "replace")
            count += 1
    return count


def json_lines(paths: list[str]) -> int:
    count = 0
    for path in paths:
        with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as lines:
            for line in lines:
                try:
                    json.loads(line)
                    count += 1
                except ValueError:
                    pass
    return count


def best(read, paths: list[str]) -> tuple[float, int]:
    timings, count = [], 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        count = read(paths)
        timings.append(time.perf_counter() - start)
    return min(timings), count


def inputs(directory: str) -> list[tuple[str, str, list[str], str, Callable]]:
    """(name, subset, paths, reference name, reference) for every benchmark row."""
    rng = random.Random(0)
    wiki = os.path.join(directory, "enwiki.xml.bz2")
    write_wiki_dump(wiki, rng, 300)
    books = os.path.join(directory, "books")
    os.makedirs(books)
    write_books(books, rng, 12)
    c4 = os.path.join(directory, "c4-train.00000-of-00001.json.gz")
    write_c4(c4, rng, 2000, syndicated_story(rng))
    news = os.path.join(directory, "news.jsonl")
    write_news(news, rng, 2000, syndicated_story(rng))
    code = os.path.join(directory, "github")
    write_code_tree(code, rng, 300)
    rows = [("wikipedia (sample dump)", "wikipedia", [wiki], "iterparse+strip_code",
             strip_code_dump),
            ("books (sample)", "books", sorted(str(p) for p in Path(books).iterdir()),
             "read+decode", decode_files),
            ("c4 (sample)", "c4", [c4], "gzip+json.loads", json_lines),
            ("news (sample)", "news", [news], "json.loads", json_lines),
            ("github (sample tree)", "github", [code], "read+decode", decode_files)]
    if (SHARED / "wikipedia").is_dir():
        rows.append(("wikipedia (real viwiki)", "wikipedia",
                     [str(SHARED / "wikipedia" / "viwiki-sample-pages-articles.xml.bz2")],
                     "iterparse+strip_code", strip_code_dump))
    if (SHARED / "books").is_dir():
        rows.append(("books (real Gutenberg)", "books",
                     sorted(str(p) for p in (SHARED / "books").glob("*.txt.gz")),
                     "read+decode", decode_files))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        rows = inputs(directory)
        print(f"best of {ROUNDS}, one process; MB as stored")
        print(f"{'reader':<26}{'docs':>7}{'MB':>7}{'docs/s':>9}{'MB/s':>7}   "
              f"{'reference':<21}{'docs/s':>9}{'MB/s':>7}")
        for name, subset, paths, reference_name, reference in rows:
            megabytes = _size(paths) / 1e6
            seconds, count = best(ours(subset), paths)
            ref_seconds, ref_count = best(reference, paths)
            print(f"{name:<26}{count:>7}{megabytes:>7.2f}{count / seconds:>9.0f}"
                  f"{megabytes / seconds:>7.2f}   {reference_name:<21}"
                  f"{ref_count / ref_seconds:>9.0f}{megabytes / ref_seconds:>7.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
