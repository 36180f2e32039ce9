"""Pages planted to fail one named rule of the quality or the repetition filter.

``QUALITY_CASES`` and ``REPETITION_CASES`` map each rule name of docs/paper.md (Gopher
Appendix A.1.1, steps 3 and 4, and "Our reading") to a builder ``(grammar) -> Article``.
Each builder is designed so that its rule is the one it fails; it may also fail
others, as real spam does. The thresholds they aim past are the filters' own defaults (the paper's).
"""

from __future__ import annotations

import re

from massivetext.filters.quality import STOP_WORDS, QualityFilter
from massivetext.filters.repetition import RepetitionFilter
from massivetext.sample import words
from massivetext.sample.text import Article, EnglishGrammar, capitalise

# Their defaults are the paper's thresholds (Section A.1.1, Table A1) the pages aim past.
_QUALITY, _REPETITION = QualityFilter(), RepetitionFilter()
TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
# How far past a threshold a planted page aims, so extraction noise cannot save it.
TARGET_MARGIN = 0.03
# Just over the quality filter's maximum word count (the paper's 100,000).
WORD_COUNT_HIGH_WORDS = _QUALITY.max_word_count + 800

SHORT_WORDS = ("a an as at be by do go he if in is it me my no of on or so to up us we "
               "I am an ox ah oh hi yes yet the and all any can did get had has her him "
               "his how its may new not now old one our out see she two was way who why "
               "you cat dog sun sea sky day big red hot top run sit fun mud pot jam bus "
               "toy art ice fog owl elf ant bee").split()
LONG_WORDS = ("internationalisation characteristically telecommunications "
              "incomprehensibility counterproductive disproportionately "
              "electroencephalography interdisciplinary institutionalisation "
              "misunderstandings uncharacteristically thermodynamically "
              "photosynthetically responsibilities representativeness "
              "overcompensation multiculturalism industrialisation "
              "unconstitutionally recommendations compartmentalisation "
              "environmentalists superconductivity neurotransmitters "
              "intergovernmental administratively infrastructural "
              "transcontinental extraordinarily reconsideration "
              "circumnavigation electromagnetism").split()
HASHTAGS = ("#travel #sunset #foodie #instagood #photooftheday #weekend #love #nature "
            "#summer #blessed #goals #tbt #fitness #coffee #wanderlust #happy #art "
            "#music #style #friends #beach #mood #vibes #local").split()


def _word_chars(text: str) -> list[int]:
    """Character counts of the words the repetition filter's n-grams are built over."""
    tokens = (re.sub(r"^\W+|\W+$", "", token.lower()) for token in text.split())
    return [len(token) for token in tokens if token]


def _prose(g: EnglishGrammar, paragraphs: int) -> list[str]:
    return [g.paragraph() for _ in range(paragraphs)]


# --- quality rules (Gopher App. A.1.1; docs/paper.md) ---------------------------------

def word_count_low(g: EnglishGrammar) -> Article:
    """One or two sentences: a stub page, yet with stop words so only its length fails."""
    sentences = [g.sentence()]
    while len(set(STOP_WORDS) & {re.sub(r"\W", "", t.lower()) for t in " ".join(
            sentences).split()}) < _QUALITY.min_stop_word_count:
        sentences.append(f"The {g.noun()} and the {g.noun()} are next.")
    return Article(capitalise(g.noun_phrase()), [("p", " ".join(sentences))])


def word_count_high(g: EnglishGrammar) -> Article:
    return g.article(target_words=WORD_COUNT_HIGH_WORDS, rich=False)


def mean_word_length_low(g: EnglishGrammar) -> Article:
    def line() -> str:
        return capitalise(" ".join(g.rng.choice(SHORT_WORDS) for _ in range(g.rng.randint(6, 12))))
    return Article("Oh my, it is a hot day", [("p", ". ".join(line() for _ in range(6)) + ".")
                                              for _ in range(4)])


def mean_word_length_high(g: EnglishGrammar) -> Article:
    def sentence() -> str:
        picks = [g.rng.choice(LONG_WORDS) for _ in range(g.rng.randint(5, 9))]
        picks.insert(g.rng.randint(1, 3), g.rng.choice(("and", "the", "of")))
        return capitalise(" ".join(picks)) + "."
    return Article("Uncharacteristically interdisciplinary recommendations",
                   [("p", " ".join(sentence() for _ in range(5))) for _ in range(4)])


def hash_ratio(g: EnglishGrammar) -> Article:
    def post() -> str:
        return g.sentence() + " " + " ".join(g.rng.sample(HASHTAGS, g.rng.randint(3, 6)))
    return Article(f"My weekend in {g.rng.choice(words.PLACES)} #travel",
                   [("p", post()) for _ in range(8)])


def ellipsis_ratio(g: EnglishGrammar) -> Article:
    def trailing() -> str:
        pieces = g.sentence()[:-1].split()
        cut = [" ".join(pieces[i:i + 3]) for i in range(0, len(pieces), 3)]
        return "... ".join(cut) + "."  # every third word trails off, the line does not
    return Article("Well... where do I even start", [("p", " ".join(trailing() for _ in range(4)))
                                                    for _ in range(5)])


def bullet_line_frac(g: EnglishGrammar) -> Article:
    lines = [f"• {g.noun_phrase()} {g.rng.choice(words.PREPOSITIONS)} {g.noun_phrase()}"
             for _ in range(30)]
    # Stop words even when the title is not extracted, so only the bullets fail.
    lines.insert(g.rng.randrange(30), f"• Remember to bring the {g.noun()} and the {g.noun()}")
    return Article("Things to pack for the trip", [("p", line) for line in lines])


def ellipsis_line_frac(g: EnglishGrammar) -> Article:
    def teaser() -> str:
        cut_short = g.sentence()[:-1].rsplit(" ", 2)[0]  # a teaser stops mid-sentence
        return " ".join(g.sentence() for _ in range(2)) + f" {cut_short}..."
    return Article("Latest stories", [("p", teaser()) for _ in range(8)])


def alpha_token_frac(g: EnglishGrammar) -> Article:
    def row() -> str:
        numbers = " ".join(str(g.rng.randint(0, 9999)) for _ in range(g.rng.randint(8, 14)))
        return f"{g.rng.choice(words.PLACES)} {numbers}"
    intro = "Figures for the season and the totals of each place are below."
    return Article("Results table 2023", [("p", intro)] + [("p", row()) for _ in range(12)])


def stop_words(g: EnglishGrammar) -> Article:
    def listing() -> str:
        adjective, noun = g.rng.choice(words.ADJECTIVES), g.rng.choice(words.GENERAL_NOUNS)
        return capitalise(f"{adjective} {noun}, {g.rng.randint(2, 90)} pounds. "
                          f"{capitalise(g.rng.choice(words.ADJECTIVES))} finish, "
                          f"{g.rng.choice(words.PLACES)} delivery.")
    text_blocks = [("p", " ".join(listing() for _ in range(4))) for _ in range(5)]
    return Article("Clearance sale: garden furniture", text_blocks)


QUALITY_CASES = {
    "word_count_low": word_count_low, "word_count_high": word_count_high,
    "mean_word_length_low": mean_word_length_low,
    "mean_word_length_high": mean_word_length_high, "hash_ratio": hash_ratio,
    "ellipsis_ratio": ellipsis_ratio, "bullet_line_frac": bullet_line_frac,
    "ellipsis_line_frac": ellipsis_line_frac, "alpha_token_frac": alpha_token_frac,
    "stop_words": stop_words,
}


# --- repetition measures (Gopher Table A1; docs/paper.md) ---------------------------

def dup_line_frac(g: EnglishGrammar) -> Article:
    """Song lyrics: a chorus of short lines, each verse new; one chorus line varies so
    no whole paragraph repeats, and short lines keep the duplicate characters low."""
    chorus = [capitalise(" ".join(g.rng.choice(SHORT_WORDS[:40]) for _ in range(4)))
              for _ in range(3)]
    blocks = []
    for _ in range(6):
        blocks.append(("lines", [g.sentence() for _ in range(3)]))
        blocks.append(("lines", chorus + [capitalise(g.noun_phrase())]))
    return Article(f"Lyrics: {capitalise(g.noun_phrase())}", blocks)


def dup_para_frac(g: EnglishGrammar) -> Article:
    """Stanzas of many lines, between them one short paragraph again and again."""
    refrain = capitalise(f"{g.rng.choice(words.ADVERBS)} {g.rng.choice(words.ROLES)} "
                         f"{g.rng.choice(words.VERBS)[1]} home.")
    blocks = []
    for _ in range(6):
        blocks.append(("lines", [g.sentence() for _ in range(5)]))
        blocks.append(("p", refrain))
    return Article(capitalise(g.noun_phrase()), blocks)


def dup_line_char_frac(g: EnglishGrammar) -> Article:
    """One long line repeated inside otherwise different paragraphs."""
    long_line = " ".join(g.sentence() for _ in range(7))
    blocks = [("p", paragraph) for paragraph in _prose(g, 8)]
    for position in sorted(g.rng.sample(range(1, 9), 4), reverse=True):
        blocks.insert(position, ("lines", [g.sentence(), long_line]))
    return Article(capitalise(g.noun_phrase()), blocks)


def dup_para_char_frac(g: EnglishGrammar) -> Article:
    """Two long paragraphs printed twice, as a page that repeats its own story."""
    paragraphs = _prose(g, 6)
    repeated = [" ".join(g.sentence() for _ in range(8)) for _ in range(2)]
    blocks = [("p", p) for p in paragraphs[:3] + repeated + paragraphs[3:] + repeated]
    return Article(capitalise(g.noun_phrase()), blocks)


def _plant(g: EnglishGrammar, phrases: list[str], make_sentence, target: float,
           base_paragraphs: int = 6) -> list[str]:
    """Prose with sentences ``make_sentence(phrase)`` inserted, the phrases taken in
    turn, until the characters of phrases that occur at least twice reach ``target``
    of all word characters."""
    paragraphs = [g.paragraph().rstrip(".").split(". ") for _ in range(base_paragraphs)]
    total = sum(sum(_word_chars(" ".join(p))) for p in paragraphs)
    uses = dict.fromkeys(phrases, 0)
    phrase_chars = {phrase: sum(_word_chars(phrase)) for phrase in phrases}
    while sum(phrase_chars[p] * n for p, n in uses.items() if n > 1) < target * total:
        phrase = phrases[sum(uses.values()) % len(phrases)]
        sentence = make_sentence(phrase)
        paragraph = g.rng.choice(paragraphs)
        paragraph.insert(g.rng.randint(0, len(paragraph)), sentence.rstrip("."))
        total += sum(_word_chars(sentence))
        uses[phrase] += 1
    return [". ".join(p) + "." for p in paragraphs]


def top_ngram(n: int):
    """A brand name of n words in nearly every sentence (an SEO page)."""
    def build(g: EnglishGrammar) -> Article:
        name = " ".join([g.rng.choice(words.PLACES)]
                        + [capitalise(g.rng.choice(words.GENERAL_NOUNS)) for _ in range(n - 2)]
                        + [g.rng.choice(("Company", "Club", "Society", "Works"))])
        target = getattr(_REPETITION, f"max_top_{n}gram_char_frac") + TARGET_MARGIN
        paragraphs = _plant(g, [name], lambda phrase: f"{phrase} "
                            f"{g.rng.choice(words.VERBS)[1]} {g.noun_phrase()}.", target)
        return Article(f"Why we recommend {name}", [("p", p) for p in paragraphs])
    return build


def dup_ngram(n: int):
    """A few slogans of exactly n words each, repeated between ordinary sentences."""
    def build(g: EnglishGrammar) -> Article:
        slogans = []
        for _ in range(3):
            sentence_words = re.sub(r"[^\w\s]", "", g.sentence()).split()
            while len(sentence_words) < n:
                sentence_words += re.sub(r"[^\w\s]", "", g.sentence()).split()
            slogans.append(capitalise(" ".join(sentence_words[:n])) + ".")
        target = getattr(_REPETITION, f"max_dup_{n}gram_char_frac") + TARGET_MARGIN
        paragraphs = _plant(g, slogans, lambda slogan: slogan, target)
        return Article(capitalise(g.noun_phrase()), [("p", p) for p in paragraphs])
    return build


REPETITION_CASES = {
    "dup_line_frac": dup_line_frac, "dup_para_frac": dup_para_frac,
    "dup_line_char_frac": dup_line_char_frac, "dup_para_char_frac": dup_para_char_frac,
    **{f"top_{n}gram_char_frac": top_ngram(n) for n in TOP_NGRAM_SIZES},
    **{f"dup_{n}gram_char_frac": dup_ngram(n) for n in DUP_NGRAM_SIZES},
}
