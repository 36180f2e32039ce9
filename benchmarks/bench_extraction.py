"""Extraction quality and speed on two gold sets: the article-extraction benchmark
(scrapinghub AEB, 181 pages of 2019-2020) and the development split of the modern
web-content benchmark (wceb-2026, 300 pages of 2025-26: articles, forums, docs, product,
service, listing and collection pages; typed by :mod:`benchmarks.page_types`).

Prints per set, from the same run: pages per CPU-second, MB/s, precision, recall and
F1 for our tree extractor and for trafilatura, the speed ratio, F1 on the odd- and
even-indexed halves (a guard against rules that fit single pages), the empty outputs,
how often each fallback gave our text, and on the modern set the same scores per page
type; on AEB, the F1 of the other tools' stored outputs. A second table gives both
extractors' speed on the HTML pages of the real
WARC files in shared/data/warc (crawls from 2008 to 2024, with large element-heavy
pages that the article benchmark lacks). The metric is the benchmark's own (``evaluate.py`` of
scrapinghub/article-extraction-benchmark): word 4-gram shingle counts per page,
true/false positives and negatives normalised per page, precision averaged over pages
with output, recall over pages with gold text, F1 of the two averages.

Run: ``python -m benchmarks extraction``.
"""

from __future__ import annotations

import gc
import gzip
import json
import re
import time
from collections import Counter
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATA = SHARED_DATA / "extraction" / "scrapinghub-aeb"
MODERN_DATA = SHARED_DATA / "extraction" / "wceb-2026-dev"
WARC_DATA = SHARED_DATA / "warc"
SHINGLE_WORDS = 4  # the benchmark's ngram_n
_TOKEN = re.compile(r"\w+")


def load_pages(data: Path = DATA) -> list[tuple[str, str, str, str]]:
    """(page id, url, html, gold text) for every page, in sorted id order."""
    gold = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        with gzip.open(data / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        pages.append((page_id, gold[page_id].get("url", ""), html,
                      gold[page_id].get("articleBody") or ""))
    return pages


def load_warc_pages(data: Path = WARC_DATA) -> list[tuple[str, str, str, str]]:
    """(url, url, html, "") for every HTML page of the WARC files under ``data``: the
    shape of :func:`load_pages`, with no gold text."""
    from massivetext.document import WebPage
    from massivetext.io.warc import read_warc

    return [(page.url, page.url, page.html, "")
            for path in sorted(data.glob("**/*.warc.gz"))
            for page in read_warc(str(path)) if isinstance(page, WebPage)]


def _speed_on_warc_pages(names: tuple[str, ...]) -> None:
    """pages/s and MB/s of each extractor on the real WARC pages (A, B, A passes)."""
    from massivetext.extract.extractor import ExtractionError, get_extractor

    pages = load_warc_pages()
    if not pages:
        print(f"\nskipped the WARC pages: none found under {WARC_DATA}")
        return

    def robust(extract):  # a page too deep for us is a counted error, not a stop here
        def run(html, url):
            try:
                return extract(html, url)
            except ExtractionError:
                return ""
        return run

    megabytes = sum(len(html.encode("utf-8")) for _, _, html, _ in pages) / 1e6
    print(f"\nspeed on the {len(pages)} HTML pages of the real WARC files, {megabytes:.1f} MB:")
    print(f"{'extractor':<16}{'pages/s':>9}{'MB/s':>8}")
    _, seconds = _timed_passes({name: robust(get_extractor(name)) for name in names}, pages)
    for name in names:
        print(f"{name:<16}{len(pages) / seconds[name]:>9.1f}{megabytes / seconds[name]:>8.2f}")
    print(f"speed ratio tree/trafilatura: {seconds['trafilatura'] / seconds['tree']:.1f}x")


def _shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text or "")
    count = max(1, len(tokens) - SHINGLE_WORDS + 1)
    return Counter(tuple(tokens[i:i + SHINGLE_WORDS]) for i in range(count)
                   if tokens[i:i + SHINGLE_WORDS])


def shingle_match(gold: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingle counts, normalised to sum to 1 (all 0 when both empty)."""
    true, pred = _shingles(gold), _shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(golds: list[str], predictions: list[str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of ``predictions`` against ``golds``, as the benchmark."""
    matches = [shingle_match(g, p) for g, p in zip(golds, predictions, strict=True)]
    precisions = [_precision(*m) for m in matches if m[0] + m[1] > 0]
    recalls = [_recall(*m) for m in matches if m[0] + m[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _timed(extract, pages) -> tuple[list, float]:
    """Outputs and CPU seconds of one pass over ``pages``."""
    gc.collect()  # start each pass with no garbage left by the previous one
    start = time.process_time()
    outputs = [extract(html, url) for _, url, html, _ in pages]
    return outputs, time.process_time() - start


def _timed_passes(extractors: dict, pages) -> tuple[dict, dict]:
    """Outputs and seconds per extractor from whole passes in the order A, B, A: the
    first one's time is the mean of its two passes, so a load drift from other
    processes during the run weighs on both alike."""
    (first, extract_first), (second, extract_second) = extractors.items()
    outputs, before = _timed(extract_first, pages)
    second_outputs, second_seconds = _timed(extract_second, pages)
    _, after = _timed(extract_first, pages)
    return ({first: outputs, second: second_outputs},
            {first: (before + after) / 2, second: second_seconds})


def _stored_outputs(data: Path) -> dict[str, dict[str, str]]:
    tools = {}
    for path in sorted((data / "baseline-outputs").glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            stored = json.load(f)
        stored = stored.get("output", stored)
        tools[path.name.removesuffix(".json.gz")] = {
            key: (value or {}).get("articleBody") or "" for key, value in stored.items()}
    return tools


def _score_row(label: str, golds: list[str], outputs: list[str], rate: str = "") -> str:
    precision, recall, f1 = score(golds, outputs)
    odd = score(golds[1::2], outputs[1::2])[2]
    even = score(golds[0::2], outputs[0::2])[2]
    empty = sum(not output.strip() for output in outputs)
    return (f"{label:<24}{rate:>17}{precision:>8.3f}{recall:>8.3f}{f1:>8.3f}{odd:>8.3f}"
            f"{even:>8.3f}{empty:>7}")


def _evaluate(data: Path, title: str, names: tuple[str, ...]) -> None:
    """Both extractors' scores and speed on one gold set, and ours per page type."""
    from benchmarks.page_types import PAGE_TYPES, page_type
    from massivetext.extract.extractor import get_extractor, get_page_extractor

    pages = load_pages(data)
    golds = [gold for *_, gold in pages]
    megabytes = sum(len(html.encode("utf-8")) for _, _, html, _ in pages) / 1e6
    print(f"\n{title}: {len(pages)} pages, {megabytes:.1f} MB of HTML")
    print(f"{'extractor':<24}{'pages/CPU-s':>12}{'MB/s':>5}{'prec':>8}{'recall':>8}{'F1':>8}"
          f"{'F1 odd':>8}{'F1 even':>8}{'empty':>7}")
    extractors = {names[0]: get_page_extractor(names[0]), names[1]: get_extractor(names[1])}
    outputs, seconds = _timed_passes(extractors, pages)
    extractions, outputs[names[0]] = outputs[names[0]], [e.text for e in outputs[names[0]]]
    rates = {name: len(pages) / seconds[name] for name in names}
    for name in names:
        print(_score_row(name, golds, outputs[name],
                         f"{rates[name]:>12.1f}{megabytes / seconds[name]:>5.1f}"))
    print(f"speed ratio {names[0]}/{names[1]}: {rates[names[0]] / rates[names[1]]:.1f}x")
    fallbacks = Counter(e.fallback for e in extractions if e.fallback)
    print(f"{names[0]}: text from a fallback on {sum(fallbacks.values())} pages ("
          + (", ".join(f"{k} {v}" for k, v in sorted(fallbacks.items())) or "none")
          + f"), deep pages flattened {sum(1 for e in extractions if e.flattened)}")
    types = [page_type(url, html) for _, url, html, _ in pages]
    if len(set(types)) > 1:
        print(f"\n{'by page type':<24}{'pages':>17}{'prec':>8}{'recall':>8}{'F1':>8}"
              f"{'F1 odd':>8}{'F1 even':>8}{'empty':>7}")
        for kind in PAGE_TYPES:
            chosen = [i for i, t in enumerate(types) if t == kind]
            if not chosen:
                continue
            for name in names:
                print(_score_row(f"{kind} {'ours' if name == names[0] else name}",
                                 [golds[i] for i in chosen],
                                 [outputs[name][i] for i in chosen], str(len(chosen))))
    if (data / "baseline-outputs").is_dir():
        print("\nstored outputs of other tools (same metric):")
        ids = [page_id for page_id, *_ in pages]
        for tool, stored in _stored_outputs(data).items():
            print(_score_row(tool, golds, [stored.get(page_id, "") for page_id in ids]))


def main() -> None:
    names = ("tree", "trafilatura")
    sets = [(data, title) for data, title in (
        (DATA, "AEB (scrapinghub article-extraction benchmark, 2019-2020)"),
        (MODERN_DATA, "modern pages (wceb-2026 dev split, 2025-26; silver gold)"))
        if (data / "ground-truth.json").exists()]
    if not sets:
        print(f"skipped: benchmark data not found under {SHARED_DATA / 'extraction'}")
        return
    from massivetext.extract.extractor import get_extractor

    get_extractor("trafilatura")("<p>warm-up: imports and caches</p>", "")
    for data, title in sets:
        _evaluate(data, title, names)
    _speed_on_warc_pages(names)


if __name__ == "__main__":
    main()
