"""The quality and repetition rules read in plain Python, one word at a time.

A direct, slow reading of the rules as docs/paper.md writes them down ("Our reading of
the rules"; Gopher Appendix A.1.1, Table A1), with none of the vectorised machinery
of :mod:`massivetext.filters.quality` and :mod:`massivetext.filters.repetition`: the
reference those filters are property-tested against and benchmarked against.
"""

from __future__ import annotations

import string
import unicodedata
from collections import Counter

from massivetext.filters.quality import STOP_WORDS

BULLETS = ("•", "●", "○", "▪", "■", "◦", "‣", "⁃", "-", "–", "*", "·")


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P") or char in string.punctuation


def _normal_form(token: str) -> str:
    start, end = 0, len(token)
    while start < end and _is_punctuation(token[start]):
        start += 1
    while end > start and _is_punctuation(token[end - 1]):
        end -= 1
    return "".join("i" if c == "İ" else c.lower() for c in token[start:end])


def _ratio(a, b):
    return a / b if b else 0.0


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def _paragraphs(text):
    paragraphs, current = [], ""
    for line in text.splitlines(keepends=True):
        if line.strip():
            current += line
        else:
            paragraphs.append(current)
            current = ""
    paragraphs.append(current)
    return [p.strip() for p in paragraphs if p.strip()]


def quality_signals(text: str) -> dict[str, float]:
    """The quality filter's signals, read word by word."""
    tokens = text.split()
    words = [t for t in tokens if any(c.isalnum() for c in t)]
    lines = _lines(text)
    return {
        "word_count": len(words),
        "mean_word_length": _ratio(sum(len(w) for w in words), len(words)),
        "hash_ratio": _ratio(text.count("#"), len(words)),
        "ellipsis_ratio": _ratio(text.count("...") + text.count("…"), len(words)),
        "bullet_line_frac": _ratio(sum(line.startswith(BULLETS) for line in lines), len(lines)),
        "ellipsis_line_frac": _ratio(sum(line.endswith(("...", "…")) for line in lines),
                                    len(lines)),
        "alpha_token_frac": _ratio(sum(any(c.isalpha() for c in t) for t in tokens), len(tokens)),
        "stop_word_count": len({_normal_form(t) for t in tokens} & set(STOP_WORDS)),
    }


def _duplicates(units):
    seen, dup_count, dup_chars = set(), 0, 0
    for unit in units:
        if unit in seen:
            dup_count += 1
            dup_chars += len(unit)
        seen.add(unit)
    return _ratio(dup_count, len(units)), _ratio(dup_chars, sum(len(u) for u in units))


def repetition_signals(text: str) -> dict[str, float]:
    """The repetition filter's signals, read word by word."""
    result = {}
    result["dup_line_frac"], result["dup_line_char_frac"] = _duplicates(_lines(text))
    result["dup_para_frac"], result["dup_para_char_frac"] = _duplicates(_paragraphs(text))
    words = [w for w in map(_normal_form, text.split()) if w]
    total = sum(len(w) for w in words)
    for n in range(2, 11):
        grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
        counts = Counter(grams)
        if n <= 4:
            top = counts.most_common(1)  # ties: the first n-gram seen
            repeated = {top[0][0]} if top and top[0][1] > 1 else set()
            name = f"top_{n}gram_char_frac"
        else:
            repeated = {gram for gram, count in counts.items() if count > 1}
            name = f"dup_{n}gram_char_frac"
        covered = {i + k for i, gram in enumerate(grams) if gram in repeated for k in range(n)}
        result[name] = _ratio(sum(len(words[i]) for i in covered), total)
    return result
