"""The English content filter (paper Sec. A.1.1, "Content Filtering";
docs/paper.md, "Content filter").

The paper keeps English documents only and names no detector or threshold. We use
langdetect's model and sampling procedure, the probability it gives to "en", and keep a
document when that probability is at least ``min_english_score`` (0.5, our choice). The
detector is langdetect's, re-implemented for speed in :mod:`massivetext.filters.langdetect_fast`
(same profiles, n-grams, seeded random draws and arithmetic) and tested there to give
langdetect's results exactly.

langdetect samples n-grams at random, so the same text can get different answers from
run to run. Every detection here is seeded with ``DETECTOR_SEED``, and only the first
``max_chars`` characters (after collapsing whitespace) are read: detection cost stays
bounded on long pages, and a page's answer does not change with what follows that
prefix. The detector profiles are loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from langdetect.lang_detect_exception import LangDetectException
from massivetext.filters.base import Judgement
from massivetext.filters.langdetect_fast import shared_detector

DETECTOR_SEED = 0


def collapsed_prefix(text: str, max_chars: int) -> str:
    """The first ``max_chars`` characters of ``text`` with whitespace runs made one space.

    Reads only as much of ``text`` as it needs, so a huge page costs no more than a short one.
    """
    limit = max_chars
    while True:
        # Collapsing a prefix of the text gives a prefix of the collapsed text.
        sample = " ".join(text[:limit].split())
        if len(sample) >= max_chars or limit >= len(text):
            return sample[:max_chars]
        limit *= 2


def english_score(text: str, max_chars: int) -> float:
    """langdetect's probability that ``text`` is English; 0.0 when it finds no features."""
    sample = collapsed_prefix(text, max_chars)
    try:
        probabilities = shared_detector().get_probabilities(sample, DETECTOR_SEED)
    except LangDetectException:  # no letters to judge (empty, digits or symbols only)
        return 0.0
    return next((p.prob for p in probabilities if p.lang == "en"), 0.0)


@dataclass(frozen=True)
class EnglishFilter:
    """Keep documents that langdetect finds to be English."""

    name: ClassVar[str] = "language"
    rules: ClassVar[tuple[str, ...]] = ("not_english",)
    signal_names: ClassVar[tuple[str, ...]] = ("english_score",)

    min_english_score: float = field(default=0.5, metadata={
        "help": "minimum langdetect probability of English to keep a document (Gopher "
                "Sec. A.1.1 keeps English only but gives no threshold; 0.5 is our choice)"})
    max_chars: int = field(default=2000, metadata={
        "help": "characters (after collapsing whitespace) read by the language detector; "
                "bounds its cost (Gopher Sec. A.1.1 content filter; our choice)"})

    def signals(self, text: str) -> dict[str, float]:
        """``english_score``: the probability of English, in [0, 1]."""
        return {"english_score": english_score(text, self.max_chars)}

    def judge(self, text: str) -> Judgement:
        """Keep ``text`` when its English score reaches ``min_english_score``."""
        s = self.signals(text)
        keep = s["english_score"] >= self.min_english_score
        return Judgement(keep=keep, reasons=() if keep else ("not_english",), signals=s)
