"""The characters each rule counted, as ``[start, end)`` spans of a document's text.

Every function here measures with the filter's own units (:mod:`massivetext.filters.
text_units` for tokens, normal forms, lines and paragraphs; :mod:`massivetext.dedup.
minhash` for the 13-gram shingles), so that what the report highlights is exactly what
the rule counted: the duplicate lines' characters over all line characters are
``dup_line_char_frac``, the covered words' characters over all word characters are the
n-gram fractions, and so on (tests/test_report_highlights.py checks each against the
filter's signal).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from massivetext.dedup.minhash import (
    DEFAULT_NGRAM_SIZE,
    dedup_word_spans,
    shingle_hashes,
    shingle_hashes_in_order,
)
from massivetext.filters.quality import stop_word_hashes
from massivetext.filters.text_units import (
    ALPHA,
    BULLET_MARKS,
    ELLIPSES,
    line_spans,
    lines,
    paragraph_spans,
    paragraphs,
    token_spans,
    tokenize,
)

Spans = list[tuple[int, int]]
_ELLIPSIS = re.compile("|".join(re.escape(mark) for mark in ELLIPSES))


def _later_occurrences(units: Sequence[str], spans: Spans) -> Spans:
    """The spans of every occurrence of a unit after its first."""
    seen: set[str] = set()
    duplicates = []
    for unit, span in zip(units, spans, strict=True):
        if unit in seen:
            duplicates.append(span)
        seen.add(unit)
    return duplicates


def duplicate_line_spans(text: str) -> Spans:
    """The duplicate lines (dup_line_frac, dup_line_char_frac)."""
    return _later_occurrences(lines(text), line_spans(text))


def duplicate_paragraph_spans(text: str) -> Spans:
    """The duplicate paragraphs (dup_para_frac, dup_para_char_frac)."""
    return _later_occurrences(paragraphs(text), paragraph_spans(text))


def bullet_line_spans(text: str) -> Spans:
    """The lines starting with a bullet mark (bullet_line_frac)."""
    return [(s, e) for s, e in line_spans(text) if text.startswith(BULLET_MARKS, s, e)]


def ellipsis_line_spans(text: str) -> Spans:
    """The lines ending with an ellipsis (ellipsis_line_frac)."""
    return [(s, e) for s, e in line_spans(text) if text.endswith(ELLIPSES, s, e)]


def hash_spans(text: str) -> Spans:
    """Every ``#`` (hash_ratio)."""
    return [(i, i + 1) for i, char in enumerate(text) if char == "#"]


def ellipsis_spans(text: str) -> Spans:
    """Every ellipsis, counted as ``str.count`` counts them (ellipsis_ratio)."""
    # "..." then "…": str.count finds non-overlapping matches; the two marks share no
    # character, so one alternation finds the same matches.
    return [match.span() for match in _ELLIPSIS.finditer(text)]


def non_alphabetic_token_spans(text: str) -> Spans:
    """The tokens without an alphabetic character (alpha_token_frac)."""
    spans = token_spans(text)
    mask = (spans.bits & ALPHA) == 0
    return list(zip(spans.start[mask].tolist(), spans.end[mask].tolist(), strict=True))


def stop_word_spans(text: str) -> Spans:
    """The normal forms that are stop words (stop_word_count counts the distinct ones)."""
    hashes = tokenize(text).norm_hash
    mask = np.isin(hashes, stop_word_hashes())
    spans = token_spans(text)
    return list(zip(spans.norm_start[mask].tolist(), spans.norm_end[mask].tolist(),
                    strict=True))


def _words(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The repetition filter's words: (normal-form hashes, starts, ends)."""
    tokens, spans = tokenize(text), token_spans(text)
    is_word = tokens.norm_length > 0
    return tokens.norm_hash[is_word], spans.norm_start[is_word], spans.norm_end[is_word]


def _covered_word_spans(starts: np.ndarray, ends: np.ndarray, occurrences: np.ndarray,
                        n: int) -> Spans:
    covered = np.zeros(starts.size + 1, dtype=np.int64)
    np.add.at(covered, occurrences, 1)
    np.add.at(covered, occurrences + n, -1)
    mask = np.cumsum(covered[:-1]) > 0
    return list(zip(starts[mask].tolist(), ends[mask].tolist(), strict=True))


def _ngram_groups(hashes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(group of each n-gram position, first position of each group, size of each group)."""
    windows = np.lib.stride_tricks.sliding_window_view(hashes, n)
    _, first, group, size = np.unique(windows, axis=0, return_index=True, return_inverse=True,
                                      return_counts=True)
    return group.ravel(), first, size


def top_ngram_spans(text: str, n: int) -> Spans:
    """The words covered by the most frequent n-gram, if it occurs more than once (ties:
    the one that occurs first) (top_<n>gram_char_frac)."""
    hashes, starts, ends = _words(text)
    if hashes.size < max(n, 2):
        return []
    group, first, size = _ngram_groups(hashes, n)
    if size.max() < 2:
        return []
    best = np.flatnonzero(size == size.max())
    chosen = best[np.argmin(first[best])]
    return _covered_word_spans(starts, ends, np.flatnonzero(group == chosen), n)


def duplicate_ngram_spans(text: str, n: int) -> Spans:
    """The words covered by any n-gram that occurs more than once (dup_<n>gram_char_frac)."""
    hashes, starts, ends = _words(text)
    if hashes.size < max(n, 2):
        return []
    group, _, size = _ngram_groups(hashes, n)
    return _covered_word_spans(starts, ends, np.flatnonzero(size[group] > 1), n)


def shared_shingle_spans(text: str, other: str, ngram_size: int = DEFAULT_NGRAM_SIZE) -> Spans:
    """The words of ``text`` covered by a 13-gram shingle that ``other`` also has (the
    shingles whose Jaccard similarity the near-duplicate and test-set stages measure)."""
    in_order = shingle_hashes_in_order(text, ngram_size)
    if in_order.size == 0:
        return []
    shared = np.flatnonzero(np.isin(in_order, shingle_hashes(other, ngram_size)))
    starts, ends = dedup_word_spans(text)
    return _covered_word_spans(starts, ends, shared, min(ngram_size, starts.size))


def _ngram_rule(kind: str, n: int) -> Callable[[str], Spans]:
    measure = top_ngram_spans if kind == "top" else duplicate_ngram_spans
    return lambda text: measure(text, n)


# What each rule counted; rules missing here (word counts, mean word length, language,
# exact duplicates) are about the whole document, not a part of it.
RULE_SPANS: dict[str, Callable[[str], Spans]] = {
    "dup_line_frac": duplicate_line_spans,
    "dup_line_char_frac": duplicate_line_spans,
    "dup_para_frac": duplicate_paragraph_spans,
    "dup_para_char_frac": duplicate_paragraph_spans,
    **{f"top_{n}gram_char_frac": _ngram_rule("top", n) for n in (2, 3, 4)},
    **{f"dup_{n}gram_char_frac": _ngram_rule("dup", n) for n in range(5, 11)},
    "bullet_line_frac": bullet_line_spans,
    "ellipsis_line_frac": ellipsis_line_spans,
    "hash_ratio": hash_spans,
    "ellipsis_ratio": ellipsis_spans,
    "alpha_token_frac": non_alphabetic_token_spans,
    "stop_words": stop_word_spans,
}


def segments(text: str, spans: Spans, limit: int) -> list[tuple[str, bool]]:
    """``text[:limit]`` as (piece, highlighted) pairs, for a template to escape and mark."""
    pieces, position = [], 0
    for start, end in sorted(spans):
        start, end = max(start, position), min(end, limit)
        if start >= end:
            continue
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < min(len(text), limit):
        pieces.append((text[position:limit], False))
    return pieces
