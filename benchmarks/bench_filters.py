"""Speed of the document filters on a deterministic corpus of web-like English pages.

The corpus (5,000 documents of 1-10 KB) is built from the project's English grammar
(:mod:`massivetext.sample_text`) and dressed like extracted web pages: navigation and
footer lines that repeat, bullet lists, a duplicated paragraph now and then, and a few
spam pages that repeat themselves. Prints docs/s and MB/s on one core for the quality
signals, the repetition signals and both together (the target is 1,500 docs/s for
both), langdetect's docs/s on its own, and, from the same run, the plain per-word
Python reading of the rules that the property tests use as their oracle.

For scale (not measured here): DataTrove's Gopher filters run at about 70 docs/s/core
with spaCy tokens and about 300 docs/s/core with whitespace tokens.

Run: ``python -m benchmarks filters``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable

from filters.language import EnglishFilter
from filters.quality import QualityFilter
from filters.repetition import RepetitionFilter
from massivetext.sample_text import EnglishGrammar

NUM_DOCUMENTS = 5000
MIN_BYTES, MAX_BYTES = 1_000, 10_000
BYTES_PER_WORD = 6.3  # of the grammar's prose, measured
LANGDETECT_DOCUMENTS = 300
ORACLE_DOCUMENTS = 300
TARGET_DOCS_PER_SECOND = 1500
SEED = 2112_11446

NAVIGATION = ["Home", "About us", "Contact", "Subscribe to our newsletter", "Log in",
              "Privacy policy", "Share this article", "Read more", "Related posts"]


def web_page(rng: random.Random) -> str:
    """One page of extracted text: navigation, an article, sometimes noise, a footer."""
    target_words = int(rng.uniform(MIN_BYTES, MAX_BYTES) / BYTES_PER_WORD)
    article = EnglishGrammar(rng).article(target_words=max(target_words, 60))
    paragraphs = article.plain_text().split("\n\n")
    if rng.random() < 0.2:  # a paragraph shown twice (teaser and body)
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(paragraphs))
    if rng.random() < 0.03:  # spam: the same paragraph over and over
        paragraphs += [paragraphs[-1]] * rng.randint(5, 20)
    menu = "\n".join(rng.sample(NAVIGATION, rng.randint(3, 6)))
    footer = "\n".join(["Share this article", "Read more", "Related posts"][:rng.randint(1, 3)])
    return "\n\n".join([menu, *paragraphs, footer, menu])


def build_corpus(num_documents: int = NUM_DOCUMENTS, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    pages = []
    while len(pages) < num_documents:
        page = web_page(rng)
        if len(page.encode("utf-8")) <= MAX_BYTES * 1.1:
            pages.append(page)
    return pages


def measure(score: Callable[[str], object], documents: list[str]) -> tuple[float, float]:
    """(docs/s, MB/s) of ``score`` over ``documents``, one after another on one core.

    Timed in CPU seconds of this process, so that other work on a shared machine does
    not count against it (the code is single-threaded).
    """
    started = time.process_time()
    for text in documents:
        score(text)
    seconds = time.process_time() - started
    megabytes = sum(len(text.encode("utf-8")) for text in documents) / 1e6
    return len(documents) / seconds, megabytes / seconds


def main() -> None:
    started = time.perf_counter()
    corpus = build_corpus()
    sizes = sorted(len(text.encode("utf-8")) for text in corpus)
    print(f"corpus: {len(corpus)} documents, {sum(sizes) / 1e6:.1f} MB, median "
          f"{sizes[len(sizes) // 2]} bytes, built in {time.perf_counter() - started:.1f} s")

    quality, repetition, english = QualityFilter(), RepetitionFilter(), EnglishFilter()
    quality.signals("warm up: builds the character tables")
    english.signals("warm up: loads the language profiles")

    def both(text: str) -> None:
        quality.signals(text)
        repetition.signals(text)

    rows = [
        ("quality signals", *measure(quality.signals, corpus)),
        ("repetition signals", *measure(repetition.signals, corpus)),
        ("quality + repetition", *measure(both, corpus)),
        ("langdetect (EnglishFilter)", *measure(english.signals, corpus[:LANGDETECT_DOCUMENTS])),
    ]
    try:  # the oracle lives with the tests, which need the dev extra (hypothesis)
        from tests.test_filter_properties import oracle_quality, oracle_repetition
    except ImportError as error:
        print(f"(plain-Python reference skipped: {error})")
    else:
        def plain(text: str) -> None:
            oracle_quality(text)
            oracle_repetition(text)

        rows.append(("plain Python reading (reference)",
                     *measure(plain, corpus[:ORACLE_DOCUMENTS])))

    print(f"\n{'stage (one core, CPU time)':<34} {'docs/s':>9} {'MB/s':>7}")
    for name, docs_per_second, megabytes_per_second in rows:
        print(f"{name:<34} {docs_per_second:>9.0f} {megabytes_per_second:>7.2f}")
    combined = rows[2][1]
    if len(rows) > 4:
        print(f"\nquality + repetition vs the plain-Python reference: {combined / rows[4][1]:.1f}x")
    verdict = "meets" if combined >= TARGET_DOCS_PER_SECOND else "MISSES"
    print(f"quality + repetition: {combined:.0f} docs/s on one core, {verdict} the target of "
          f"{TARGET_DOCS_PER_SECOND} docs/s")
    failed_rules: Counter[str] = Counter()
    kept = 0
    for text in corpus:
        reasons = quality.judge(text).reasons + repetition.judge(text).reasons
        failed_rules.update(reasons)
        kept += not reasons
    print(f"documents kept by both filters: {kept} of {len(corpus)}; failed rules: "
          + ", ".join(f"{rule} {count}" for rule, count in failed_rules.most_common()))


if __name__ == "__main__":
    main()
