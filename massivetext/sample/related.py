"""Pages with a known relation to another text: near duplicates and test-set leaks.

A variant is made from a base text by regenerating a controlled set of its sentences;
the exact 13-gram Jaccard similarity (``sample_text.jaccard``) of the two plain texts is
measured after every step, so the similarity recorded in the manifest is exact, not a
target. A punctuation-only variant has similarity 1.0 while not being an exact copy.
"""

from __future__ import annotations

import re

from massivetext.sample.text import Article, EnglishGrammar, jaccard

TEST_DOC_WORDS = (200, 450)  # "a few hundred words" each
PASSAGE_MIN_WORDS = 40  # a quoted passage long enough for a 13-gram overlap check
_SENTENCE_END = re.compile(r"(?<=[.!?]) (?=[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    return _SENTENCE_END.split(paragraph)


def _sentence_slots(article: Article) -> list[tuple[int, int]]:
    """(block index, sentence index) of every sentence in the article's paragraphs."""
    return [(b, s) for b, (kind, content) in enumerate(article.blocks) if kind == "p"
            for s in range(len(split_sentences(content)))]


def rewrite_to_similarity(g: EnglishGrammar, base: Article, target: float,
                          reference: str | None = None) -> tuple[Article, float]:
    """A copy of ``base`` with sentences regenerated, one at a time in random order,
    until its Jaccard similarity to ``reference`` (default: ``base``'s own text) is as
    close to ``target`` as sentence granularity allows. Returns (variant, similarity)."""
    reference = base.plain_text() if reference is None else reference
    slots = _sentence_slots(base)
    g.rng.shuffle(slots)
    replacements = [g.sentence() for _ in slots]  # drawn once so steps are nested
    best, best_similarity = base, jaccard(base.plain_text(), reference)
    for k in range(1, len(slots) + 1):
        variant = _replace_from(base, slots[:k], replacements[:k])
        similarity = jaccard(variant.plain_text(), reference)
        if abs(similarity - target) < abs(best_similarity - target):
            best, best_similarity = variant, similarity
        if similarity < target:
            break
    return best, best_similarity


def _replace_from(base: Article, slots, sentences) -> Article:
    paragraphs = {b: split_sentences(base.blocks[b][1]) for b, _ in slots}
    for (block, index), sentence in zip(slots, sentences, strict=True):
        paragraphs[block][index] = sentence
    return Article(base.title, [("p", " ".join(paragraphs[b])) if b in paragraphs else block
                                for b, block in enumerate(base.blocks)])


def punctuation_variant(g: EnglishGrammar, base: Article) -> Article:
    """Same words, different punctuation: identical shingles, different bytes."""
    def repunctuate(text: str) -> str:
        text = text.replace(", ", "; ")
        return re.sub(r"\.(?= |$)", lambda _: g.rng.choice((".", "!", ";")), text)
    blocks = [(kind, repunctuate(content)) if kind == "p" else (kind, content)
              for kind, content in base.blocks]
    return Article(base.title, blocks)


def test_document(g: EnglishGrammar) -> str:
    """One evaluation-set document: plain paragraphs, like a C4 or WikiText entry."""
    article = g.article(target_words=g.rng.randint(*TEST_DOC_WORDS), rich=False)
    return "\n\n".join(content for _, content in article.blocks)


def test_set_copy(g: EnglishGrammar, test_text: str, target: float) -> tuple[Article, float]:
    """A page that reproduces most of a test document under a new title."""
    base = Article(g.title(), [("p", p) for p in test_text.split("\n\n")])
    return rewrite_to_similarity(g, base, target, reference=test_text)


def test_set_passage(g: EnglishGrammar, test_text: str) -> tuple[Article, int, float]:
    """A new article that quotes one passage (whole sentences, at least
    ``PASSAGE_MIN_WORDS`` words) of a test document. Returns (page, passage words,
    similarity to the test document)."""
    sentences = [s for p in test_text.split("\n\n") for s in split_sentences(p)]
    start = g.rng.randrange(len(sentences))
    while start and sum(len(s.split()) for s in sentences[start:]) < PASSAGE_MIN_WORDS:
        start -= 1
    passage, end = [], start
    while end < len(sentences) and sum(len(s.split()) for s in passage) < PASSAGE_MIN_WORDS:
        passage.append(sentences[end])
        end += 1
    article = g.article(target_words=g.rng.randint(400, 800), rich=False)
    block = g.rng.randrange(len(article.blocks))
    host = split_sentences(article.blocks[block][1])
    cut = g.rng.randint(0, len(host))
    article.blocks[block] = ("p", " ".join(host[:cut] + passage + host[cut:]))
    words = sum(len(s.split()) for s in passage)
    return article, words, jaccard(article.plain_text(), test_text)
