"""Speed of the document filters on a deterministic corpus of web-like English pages.

The corpus (5,000 documents of 1-10 KB) is built from the project's English grammar
(:mod:`massivetext.sample.text`) and dressed like extracted web pages: navigation and
footer lines that repeat, bullet lists, a duplicated paragraph now and then, and a few
spam pages that repeat themselves. Prints docs/s and MB/s on one core for the quality
signals, the repetition signals and both together (the target is 1,500 docs/s for
both), the English filter's docs/s beside the langdetect package's on the same pages
(the English ones plus foreign pages from :mod:`massivetext.sample.foreign`) with the
count of keep/remove decisions on which they differ (must be 0), and, from the same run,
the plain per-word Python reading of the rules that the property tests use as their oracle.

For scale (not measured here): DataTrove's Gopher filters run at about 70 docs/s/core
with spaCy tokens and about 300 docs/s/core with whitespace tokens.

Run: ``python -m benchmarks filters``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from massivetext.filters import plain_reading
from massivetext.filters.language import DETECTOR_SEED, EnglishFilter, collapsed_prefix
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter

from massivetext.sample.foreign import LANGUAGES, foreign_article
from massivetext.sample.text import EnglishGrammar

NUM_DOCUMENTS = 5000
MIN_BYTES, MAX_BYTES = 1_000, 10_000
BYTES_PER_WORD = 6.3  # of the grammar's prose, measured
LANGDETECT_DOCUMENTS = 300
FOREIGN_DOCUMENTS = 100
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


def foreign_pages(num_documents: int = FOREIGN_DOCUMENTS, seed: int = SEED) -> list[str]:
    """Pages of German, French, Spanish, Italian and Dutch prose, in turn."""
    rng = random.Random(seed)
    languages = sorted(LANGUAGES)
    pages = []
    for i in range(num_documents):
        title, paragraphs = foreign_article(rng, languages[i % len(languages)],
                                            int(rng.uniform(MIN_BYTES, MAX_BYTES) / BYTES_PER_WORD))
        pages.append("\n\n".join([title, *paragraphs]))
    return pages


def langdetect_package_score(factory: DetectorFactory, text: str, max_chars: int) -> float:
    """``massivetext.filters.language.english_score`` computed by the langdetect package itself."""
    detector = factory.create()
    detector.seed = DETECTOR_SEED
    detector.append(collapsed_prefix(text, max_chars))
    try:
        probabilities = detector.get_probabilities()
    except LangDetectException:
        return 0.0
    return next((p.prob for p in probabilities if p.lang == "en"), 0.0)


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
    ]
    language_pages = corpus[:LANGDETECT_DOCUMENTS] + foreign_pages()
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)

    def reference(text: str) -> float:
        return langdetect_package_score(factory, text, english.max_chars)

    fast_row = ("English filter (fast langdetect)", *measure(english.signals, language_pages))
    reference_row = ("langdetect package (reference)", *measure(reference, language_pages))
    rows += [fast_row, reference_row]

    def plain(text: str) -> None:
        plain_reading.quality_signals(text)
        plain_reading.repetition_signals(text)

    rows.append(("plain Python reading (reference)", *measure(plain, corpus[:ORACLE_DOCUMENTS])))

    print(f"\n{'stage (one core, CPU time)':<34} {'docs/s':>9} {'MB/s':>7}")
    for name, docs_per_second, megabytes_per_second in rows:
        print(f"{name:<34} {docs_per_second:>9.0f} {megabytes_per_second:>7.2f}")
    combined = rows[2][1]
    print(f"\nquality + repetition vs the plain-Python reference: {combined / rows[5][1]:.1f}x")
    differing = sum((english.judge(text).keep) != (reference(text) >= english.min_english_score)
                    for text in language_pages)
    print(f"English filter vs the langdetect package on {len(language_pages)} pages "
          f"({FOREIGN_DOCUMENTS} foreign): {fast_row[1] / reference_row[1]:.1f}x "
          f"as fast, {differing} differing decisions")
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
