"""The report's highlights cover exactly the characters each rule counted.

Each span function is checked against the filter's own signal on the same text: the
highlighted characters (or lines, tokens, occurrences) over the filter's denominator
must give the signal the filter computed, on hand-made and generated texts.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter
from massivetext.filters.text_units import (
    line_spans,
    lines,
    paragraph_spans,
    paragraphs,
    token_spans,
    tokenize,
)

from massivetext.dedup.minhash import dedup_words, exact_jaccard, shingle_hashes
from massivetext.report import highlights
from massivetext.report.highlights import RULE_SPANS, segments, shared_shingle_spans

WORDS = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "of", "#tag",
         "...", "42", "--", "U.S.", "don't", "Über", "•", "“quoted”", "x…"]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "  \n \n", "\r\n", "\u2028", "\t"]

texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)),
                 min_size=0, max_size=120).map(lambda pairs: "".join(w + s for w, s in pairs))
# Repetitive texts: a few phrases and lines repeated, so every rule has something to count.
repetitive = st.lists(st.sampled_from([
    "the cat sat on the mat\n", "the cat sat on the mat\n", "• buy now and save\n",
    "read more...\n", "of the dog and the cat ran to a mat of the dog\n\n",
    "# heading ## more #\n", "42 17 -- 99\n", "and the cat sat\n\n"]), max_size=40).map("".join)
REPEATED = ("Home\nNews\nthe cat sat on the mat and the dog ran\nHome\nNews\n\n"
            "the cat sat on the mat and the dog ran\n\n• one\n• two\nmore...\n# tag #x")


def _chars(spans):
    return sum(end - start for start, end in spans)


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else 0.0


def measured_from_spans(text: str) -> dict[str, float]:
    """Every signal recomputed from the highlight spans and the filters' denominators."""
    tokens = tokenize(text)
    word_chars = int(tokens.norm_length[tokens.norm_length > 0].sum())
    doc_lines, doc_paragraphs = lines(text), paragraphs(text)
    words = int(np.count_nonzero(tokens.has_alnum))
    measured = {
        "dup_line_frac": _ratio(len(RULE_SPANS["dup_line_frac"](text)), len(doc_lines)),
        "dup_line_char_frac": _ratio(_chars(RULE_SPANS["dup_line_char_frac"](text)),
                                     sum(map(len, doc_lines))),
        "dup_para_frac": _ratio(len(RULE_SPANS["dup_para_frac"](text)), len(doc_paragraphs)),
        "dup_para_char_frac": _ratio(_chars(RULE_SPANS["dup_para_char_frac"](text)),
                                     sum(map(len, doc_paragraphs))),
        "bullet_line_frac": _ratio(len(RULE_SPANS["bullet_line_frac"](text)), len(doc_lines)),
        "ellipsis_line_frac": _ratio(len(RULE_SPANS["ellipsis_line_frac"](text)),
                                     len(doc_lines)),
        "hash_ratio": _ratio(len(RULE_SPANS["hash_ratio"](text)), words),
        "ellipsis_ratio": _ratio(len(RULE_SPANS["ellipsis_ratio"](text)), words),
        "alpha_token_frac": _ratio(tokens.count - len(RULE_SPANS["alpha_token_frac"](text)),
                                   tokens.count),
        "stop_word_count": len({text[s:e].lower() for s, e in RULE_SPANS["stop_words"](text)}),
    }
    for n in (2, 3, 4):
        measured[f"top_{n}gram_char_frac"] = _ratio(
            _chars(RULE_SPANS[f"top_{n}gram_char_frac"](text)), word_chars)
    for n in range(5, 11):
        measured[f"dup_{n}gram_char_frac"] = _ratio(
            _chars(RULE_SPANS[f"dup_{n}gram_char_frac"](text)), word_chars)
    return measured


def assert_spans_reproduce_signals(text: str) -> None:
    signals = RepetitionFilter().signals(text) | QualityFilter().signals(text)
    for name, value in measured_from_spans(text).items():
        assert value == pytest.approx(signals[name], abs=1e-12), name


def test_spans_of_a_repetitive_page_reproduce_every_signal():
    assert_spans_reproduce_signals(REPEATED)
    signals = RepetitionFilter().signals(REPEATED)
    assert signals["dup_line_frac"] > 0 and signals["dup_5gram_char_frac"] > 0


def test_duplicate_lines_are_the_later_occurrences():
    text = "Home\n  News  \nHome\nbody text\nNews\nHome"
    marked = [text[s:e] for s, e in highlights.duplicate_line_spans(text)]
    assert marked == ["Home", "News", "Home"]


def test_top_ngram_marks_every_occurrence_of_the_first_most_frequent():
    text = "b c x b c y a d z a d"  # "b c" and "a d" both occur twice: "b c" is first
    marked = [text[s:e] for s, e in highlights.top_ngram_spans(text, 2)]
    assert marked == ["b", "c", "b", "c"]


@settings(max_examples=150, deadline=None)
@given(st.one_of(texts, repetitive))
def test_spans_reproduce_the_filters_signals(text):
    assert_spans_reproduce_signals(text)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_line_and_paragraph_spans_are_the_filters_units(text):
    assert tuple(text[s:e] for s, e in line_spans(text)) == lines(text)
    assert tuple(text[s:e] for s, e in paragraph_spans(text)) == paragraphs(text)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_token_spans_are_the_tokens_of_the_filters(text):
    spans = token_spans(text)
    assert [text[s:e] for s, e in zip(spans.start, spans.end, strict=True)] == text.split()
    tokens = tokenize(text)
    np.testing.assert_array_equal(spans.norm_end - spans.norm_start, tokens.norm_length)


def _brute_force_shared_words(text: str, other: str, n: int = 13) -> list[int]:
    """Indices of the words of ``text`` inside a word n-gram that ``other`` also has."""
    words, theirs = dedup_words(text), dedup_words(other)
    width = min(n, len(words))
    grams = {tuple(theirs[i:i + min(n, len(theirs))])
             for i in range(len(theirs) - min(n, len(theirs)) + 1)}
    covered = set()
    for i in range(len(words) - width + 1):
        if tuple(words[i:i + width]) in grams:
            covered.update(range(i, i + width))
    return sorted(covered)


@settings(max_examples=100, deadline=None)
@given(texts, st.integers(0, 60), st.integers(0, 60))
def test_shared_shingle_spans_are_the_words_of_shared_13_grams(text, cut, extra):
    other = text[cut:] + " ".join(WORDS[:extra % len(WORDS)])
    spans = shared_shingle_spans(text, other)
    words = dedup_words(text)
    marked = ["".join(ch for ch in text[s:e] if not ch.isspace()) for s, e in spans]
    expected = [words[i] for i in _brute_force_shared_words(text, other)]
    # A span runs from a word's first to its last non-punctuation character: the word
    # itself once the punctuation inside it is dropped.
    assert [dedup_words(piece)[0] if dedup_words(piece) else "" for piece in marked] == expected


def test_a_near_duplicate_shares_most_of_its_words_and_its_jaccard():
    base = " ".join(f"word{i} of the text" for i in range(60))
    other = base.replace("word30 ", "changed30 ")
    spans = shared_shingle_spans(base, other)
    assert 0 < _chars(spans) < len(base)
    assert exact_jaccard(shingle_hashes(base), shingle_hashes(other)) > 0.8


def test_segments_mark_spans_and_cut_at_the_limit():
    assert segments("abcdef", [(1, 3), (4, 5)], 100) == [
        ("a", False), ("bc", True), ("d", False), ("e", True), ("f", False)]
    assert segments("abcdef", [(1, 5)], 3) == [("a", False), ("bc", True)]
