"""What goes into a sample of N pages: the planted cases, scaled with N.

``plan_pages`` returns one ``PageSpec`` per HTML page; a relation (a duplicate, a
near duplicate) points at the spec of its base page, whose record id is known only
once the pages are shuffled into crawl order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from massivetext.sample.cases import QUALITY_CASES, REPETITION_CASES
from massivetext.sample.foreign import LANGUAGES, foreign_article
from massivetext.sample.related import (
    punctuation_variant,
    rewrite_to_similarity,
    test_set_copy,
    test_set_passage,
)
from massivetext.sample.text import Article, EnglishGrammar

# Near-duplicate similarities aimed at, spread over 0.5-1.0 on both sides of the
# paper's 0.8 (Gopher App. A.1.1), but not so close to it that MinHash noise decides.
NEAR_DUPLICATE_TARGETS = (0.55, 0.65, 0.72, 0.88, 0.93, 0.97, 1.0)
NEAR_DUPLICATE_BASE_WORDS = (900, 1500)  # long bases give fine similarity steps
TEST_SET_COPY_TARGET = 0.9  # "most of a test document": above the 0.8 threshold
CP1252_HEADER_SHARE = 0.08  # clean pages in windows-1252, declared by HTTP header
CP1252_META_SHARE = 0.05  # ... and declared only by <meta charset>
CP1252_UNDECLARED_SHARE = 0.01  # ... and not declared at all: the reader must detect it
# Nesting depth of the planted "HTML bomb": deeper than any parser limit we know of
# (libxml2 stops at 2048 levels even in its "huge" mode).
DEEP_NESTING = 3000
COMMENTED_SHARE = 0.3
BYLINE_SHARE = 0.5


@dataclass
class PageSpec:
    """One HTML page to write: its article, the case it plants and how it is served."""

    article: Article
    case: dict
    lang: str = "en"
    charset: str = "utf-8"
    charset_declared: str = "http-header"  # or "meta", or "none"
    body: str | None = None  # prepared HTML instead of the article's blocks
    byline: str = ""
    comments: list[tuple[str, str]] = field(default_factory=list)
    related_to: PageSpec | None = None  # the base page of a duplicate
    faithful: bool = False  # its similarity to another text is recorded (FAITHFUL_LAYOUTS)
    record_id: str = ""


def minimum_pages() -> int:
    """Pages needed to plant every case once, with a few clean pages in each charset."""
    pairs = 1 + len(NEAR_DUPLICATE_TARGETS)  # an exact and the near duplicates, with bases
    test_set_pages, html_bomb, clean = 2, 1, 5
    return (len(QUALITY_CASES) + len(REPETITION_CASES) + len(LANGUAGES) + 2 * pairs
            + test_set_pages + html_bomb + clean)


def plan_pages(rng: random.Random, pages: int, test_docs: list[dict]) -> list[PageSpec]:
    """Every page of a sample of ``pages`` pages, in generation (not crawl) order."""
    if pages < minimum_pages():
        raise ValueError(f"a sample needs at least {minimum_pages()} pages to plant "
                         f"every case, got {pages}")
    scale = max(1, round(pages / 200))
    specs: list[PageSpec] = []

    def grammar(**kwargs) -> EnglishGrammar:
        return EnglishGrammar(rng, **kwargs)

    for rule, build in QUALITY_CASES.items():
        for _ in range(1 if rule == "word_count_high" else scale):
            specs.append(PageSpec(build(grammar()), {"case": "quality", "rule": rule}))
    for rule, build in REPETITION_CASES.items():
        for _ in range(scale):
            specs.append(PageSpec(build(grammar()), {"case": "repetition", "rule": rule}))
    for _ in range(max(1, round(pages / 100))):
        for language in LANGUAGES:
            title, paragraphs = foreign_article(rng, language, rng.randint(150, 400))
            specs.append(PageSpec(Article(title, [("p", p) for p in paragraphs]),
                                  {"case": "non_english", "language": language},
                                  lang=language))
    for _ in range(max(1, pages // 40)):
        base = _base_page(grammar())
        copy = PageSpec(Article(base.article.title, list(base.article.blocks)),
                        {"case": "exact_duplicate"}, related_to=base, faithful=True)
        specs += [base, copy]
    for _ in range(scale):
        for target in NEAR_DUPLICATE_TARGETS:
            base = _base_page(grammar())
            g = grammar(topic=None)
            if target == 1.0:
                variant, similarity = punctuation_variant(g, base.article), 1.0
            else:
                variant, similarity = rewrite_to_similarity(g, base.article, target)
            specs += [base, PageSpec(variant, {"case": "near_duplicate",
                                               "jaccard": round(similarity, 4)},
                                     related_to=base, faithful=True)]
    for index in range(max(1, pages // 50)):
        doc = test_docs[index % len(test_docs)]
        page, similarity = test_set_copy(grammar(), doc["text"], TEST_SET_COPY_TARGET)
        specs.append(PageSpec(page, {"case": "test_set_copy", "test_doc": doc["id"],
                                     "jaccard": round(similarity, 4)}, faithful=True))
        doc = test_docs[-1 - index % len(test_docs)]
        page, words, similarity = test_set_passage(grammar(), doc["text"])
        specs.append(PageSpec(page, {"case": "test_set_passage", "test_doc": doc["id"],
                                     "passage_words": words, "jaccard": round(similarity, 4)},
                              faithful=True))
    specs.append(_html_bomb(grammar()))
    clean = pages - len(specs)
    declarations = (["http-header"] * max(1, round(clean * CP1252_HEADER_SHARE))
                    + ["meta"] * max(1, round(clean * CP1252_META_SHARE))
                    + ["none"] * max(1, round(clean * CP1252_UNDECLARED_SHARE)))
    for index in range(clean):
        typographic = index < len(declarations)
        g = grammar(typographic=typographic)
        spec = PageSpec(g.article(), {"case": "clean"})
        if typographic:
            spec.charset, spec.charset_declared = "windows-1252", declarations[index]
        if rng.random() < BYLINE_SHARE:
            spec.byline = g.person()
        if rng.random() < COMMENTED_SHARE:
            spec.comments = [(rng.choice(("Sam", "Jo", "Alex", "Robin", "Kim", "Lee")),
                              g.sentence()) for _ in range(rng.randint(2, 4))]
        specs.append(spec)
    return specs


def _html_bomb(g: EnglishGrammar) -> PageSpec:
    """An article buried under ``DEEP_NESTING`` levels of <div>: the extractor must
    refuse it with a named error (``html_too_deep``) instead of crashing or losing text."""
    article = g.article(target_words=300, rich=False)
    body = "<div>" * DEEP_NESTING + "".join(f"<p>{text}</p>" for _, text in article.blocks) \
        + "</div>" * DEEP_NESTING
    return PageSpec(article, {"case": "extraction_error", "error": "html_too_deep"}, body=body)


def _base_page(g: EnglishGrammar) -> PageSpec:
    """A clean page that others copy: no byline or comments, which would differ."""
    return PageSpec(g.article(target_words=g.rng.randint(*NEAR_DUPLICATE_BASE_WORDS)),
                    {"case": "clean"}, faithful=True)
