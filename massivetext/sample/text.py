"""Generate English article text from the built-in vocabulary and a small grammar.

Sentences come from templates whose slots (noun phrases, verbs, names, places, times)
are filled at random, so the prose reads like news or blog copy, langdetect calls it
English, it passes the quality and repetition filters, and two independent articles
share no 13-word sequence. Everything is driven by a ``random.Random`` for determinism.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from massivetext.sample import words

# Web-article lengths in words (the brief's 300-1,500).
ARTICLE_MIN_WORDS = 300
ARTICLE_MAX_WORDS = 1500
# Only in windows-1252 pages: every character here has a cp1252 code point.
# How list items and table rows read once extracted (a bullet line, cells with bars).
BULLET, CELL_SEPARATOR = "• ", " | "
ACCENTED_NOUNS = "café façade résumé crêpe fiancée entrée soufflé protégé décor".split()

TOPICS = sorted(words.TOPIC_NOUNS)
_TOPIC_NOUNS = {topic: nouns.split() for topic, nouns in words.TOPIC_NOUNS.items()}


@dataclass
class Article:
    """An article as blocks: ("h2", str), ("p", str), ("lines", [str]) for a paragraph
    of <br>-separated lines, ("ul", [str]) or ("table", [[str]])."""

    title: str
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def plain_text(self) -> str:
        """Title and body as an extractor outputs them: one block per paragraph."""
        parts = [self.title]
        for kind, content in self.blocks:
            if kind in ("h2", "p"):
                parts.append(content)
            elif kind == "lines":
                parts.append("\n".join(content))
            elif kind == "ul":
                parts.append("\n".join(BULLET + item for item in content))
            elif kind == "table":
                parts.append("\n".join(CELL_SEPARATOR.join(row) for row in content))
        return "\n\n".join(parts)

    def word_count(self) -> int:
        return len(self.plain_text().split())


def plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


def with_article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class EnglishGrammar:
    """Sentence, paragraph and article generator for one topic."""

    def __init__(self, rng: random.Random, topic: str | None = None, typographic: bool = False):
        self.rng = rng
        self.topic = topic or rng.choice(TOPICS)
        self.typographic = typographic  # curly quotes, dashes and accented words (cp1252)
        self.nouns = _TOPIC_NOUNS[self.topic]

    def _pick(self, items):
        return self.rng.choice(items)

    def noun(self) -> str:
        if self.typographic and self.rng.random() < 0.06:
            return self._pick(ACCENTED_NOUNS)
        source = self.nouns if self.rng.random() < 0.5 else words.GENERAL_NOUNS
        return self._pick(source)

    def person(self) -> str:
        return f"{self._pick(words.FIRST_NAMES)} {self._pick(words.LAST_NAMES)}"

    def noun_phrase(self) -> str:
        pick, roll = self._pick, self.rng.random()
        if roll < 0.30:
            return f"the {pick(words.ADJECTIVES)} {self.noun()}"
        if roll < 0.45:
            return with_article(f"{pick(words.ADJECTIVES)} {self.noun()}")
        if roll < 0.60:
            return f"the {self.noun()} {pick(['of', 'in', 'at', 'near'])} {pick(words.PLACES)}"
        if roll < 0.72:
            return f"{self.rng.randint(2, 90)} {plural(self.noun())}"
        if roll < 0.85:
            return f"the {self.noun()}"
        return f"{pick(['their', 'its', 'our', 'every', 'one'])} {self.noun()}"

    def subject(self) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return self.person()
        if roll < 0.55:
            return f"{self._pick(['local', 'many', 'several', 'some', 'most'])} " \
                   f"{self._pick(words.ROLES)}"
        if roll < 0.7:
            return f"the {self._pick(words.ROLES)} of {self._pick(words.PLACES)}"
        return self.noun_phrase()

    def sentence(self) -> str:
        pick, np, subj = self._pick, self.noun_phrase, self.subject
        verb, past = pick(words.VERBS)
        _, ipast = pick(words.INTRANSITIVE)
        adv, time, prep = pick(words.ADVERBS), pick(words.TIME_PHRASES), pick(words.PREPOSITIONS)
        templates = (
            lambda: f"{subj()} {past} {np()} {time}.",
            lambda: f"{pick(words.CONNECTORS)} {subj()} {past} {np()} {prep} {np()}.",
            lambda: f"According to {self.person()}, {np()} {ipast} {adv} {time}.",
            lambda: f"{subj()} said that {np()} could {verb} {np()}.",
            lambda: f"Few {pick(words.ROLES)} expected {np()} to {verb} {np()} so {adv}.",
            lambda: f"{np()} {ipast} {adv}, and {subj()} {past} {np()} instead.",
            lambda: f"When {subj()} {past} {np()}, {np()} {ipast} {adv}.",
            lambda: f"{self.person()}, who {past} {np()} {time}, {adv} {past} {np()}.",
            lambda: f"There was {with_article(pick(words.ADJECTIVES))} {self.noun()} {prep} "
                    f"{np()}, and {pick(words.ROLES)} {past} it {adv}.",
            lambda: f"{np()} was {past} by {subj()} {time}.",
            lambda: f"It took {self.rng.randint(2, 30)} "
                    f"{pick(['days', 'weeks', 'months', 'hours'])} for {pick(words.ROLES)} "
                    f"to {verb} {np()}.",
            lambda: f"In {pick(words.PLACES)}, {pick(words.ROLES)} {past} {np()} and {np()}.",
            lambda: f"Nobody {past} {np()} {time}, yet {np()} {ipast} {adv}.",
            lambda: f"{self.person()} plans to {verb} {np()} {prep} {np()}.",
            lambda: f"Asked about {np()}, {self.person()} {adv} {past} {np()}.",
            lambda: f"{subj()} and {subj()} {past} {np()} with {np()}.",
            lambda: f"Whether {np()} will {verb} {np()} is still {pick(words.ADJECTIVES)}.",
            lambda: f"{np()} seemed {pick(words.ADJECTIVES)} to {pick(words.ROLES)}, "
                    f"who {past} {np()}.",
        )
        text = capitalise(pick(templates)())
        if self.typographic and self.rng.random() < 0.15:
            text = f"“{text[:-1]},” {self.person()} said — {np()} {ipast} {adv}."
        return text

    def paragraph(self, sentences: tuple[int, int] = (3, 7)) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))

    def heading(self) -> str:
        pick = self._pick
        forms = (
            lambda: f"The {pick(words.ADJECTIVES)} {self.noun()} of {pick(words.PLACES)}",
            lambda: f"What {with_article(self.noun())} means for {pick(words.ROLES)}",
            lambda: f"{capitalise(pick(words.ADJECTIVES))} {plural(self.noun())} and "
                    f"{pick(words.ADJECTIVES)} {plural(self.noun())}",
            lambda: f"Why {pick(words.ROLES)} {pick(words.VERBS)[1]} the {self.noun()}",
        )
        return pick(forms)()

    def title(self) -> str:
        verb = self._pick(words.VERBS)[1]
        return capitalise(f"{self.subject()} {verb} {self.noun_phrase()} "
                          f"{self._pick(words.TIME_PHRASES)}")

    def list_items(self) -> list[str]:
        return [capitalise(f"{self.noun_phrase()} {self._pick(words.PREPOSITIONS)} "
                           f"{self.noun_phrase()}") for _ in range(self.rng.randint(3, 6))]

    def table(self) -> list[list[str]]:
        header = ["Place", capitalise(plural(self.noun())), capitalise(plural(self.noun()))]
        places = self.rng.sample(words.PLACES, self.rng.randint(3, 6))
        return [header] + [[place, str(self.rng.randint(10, 990)), str(self.rng.randint(1, 99))]
                           for place in places]

    def article(self, target_words: int | None = None, rich: bool = True) -> Article:
        """An article of about ``target_words`` words; ``rich`` adds headings, lists, tables."""
        target = target_words or self.rng.randint(ARTICLE_MIN_WORDS, ARTICLE_MAX_WORDS)
        article = Article(self.title())
        # Paragraphs since the last heading, and since the last list or table: at least
        # three paragraphs per list keep prose the bulk of the page, as on real article
        # pages, and bullet lines far below the quality filter's 90%.
        count, since_heading, since_extra = len(article.title.split()), 0, 0
        while count < target:
            roll = self.rng.random()
            if rich and since_heading >= 3 and roll < 0.3:
                block, since_heading = ("h2", self.heading()), 0
            elif rich and since_extra >= 3 and roll > 0.88:
                block, since_extra = ("ul", self.list_items()), 0
            elif rich and since_extra >= 3 and roll > 0.84:
                block, since_extra = ("table", self.table()), 0
            else:
                block = ("p", self.paragraph())
                since_heading, since_extra = since_heading + 1, since_extra + 1
            article.blocks.append(block)
            count += len(Article("", [block]).plain_text().split())
        return article


SHINGLE_WORDS = 13  # Gopher App. A.1.1: MinHash over word 13-grams


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """Word n-grams after removing punctuation (Unicode category P) and collapsing
    whitespace, case kept (docs/paper.md, "Our reading of the rules"); a text shorter
    than n words is one shingle."""
    tokens = [word for word in ("".join(ch for ch in token
                                          if not unicodedata.category(ch).startswith("P"))
                                  for token in text.split()) if word]
    if len(tokens) < n:
        return {tuple(tokens)}
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def jaccard(text_a: str, text_b: str) -> float:
    """Exact Jaccard similarity of the two texts' 13-gram shingle sets."""
    a, b = shingles(text_a), shingles(text_b)
    return len(a & b) / len(a | b) if a | b else 1.0
