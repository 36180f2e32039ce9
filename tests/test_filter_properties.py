"""Properties of the quality and repetition filters on generated and awkward text.

The NumPy implementation is checked against the plain, per-word Python reading of the
rules in :mod:`massivetext.filters.plain_reading` (docs/paper.md, "Our reading of the
rules"), on text that hypothesis generates.
"""

import random
import string
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from massivetext.filters import plain_reading, text_units
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter

QUALITY, REPETITION = QualityFilter(), RepetitionFilter()


# --- generated text --------------------------------------------------------------------

TOKENS = ["the", "The", "and", "of", "cat", "CAT.", "(cat)", "dog", "a", "--", "#", "##tag",
          "...", "wait…", "•", "-", "*", "42", "x_y", "İstanbul", "ΟΔΟΣ", "οδος", "中文字",
          "😀", "cafe\u0301", "½", "'s", "\u200b", "e.g.", "!!!", "Σ"]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "\t", "\r\n", " \n \n", "\u2028", "\r", "\x0c"]

texts = st.one_of(
    st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from(SEPARATORS)), max_size=120)
    .map(lambda pairs: "".join(token + sep for token, sep in pairs)),
    # Few different words: long repeated n-grams, lines and paragraphs.
    st.lists(st.tuples(st.sampled_from(["a", "b", "B.", "(c)", "the"]),
                       st.sampled_from([" ", " ", " ", "\n", "\n\n"])), max_size=200)
    .map(lambda pairs: "".join(token + sep for token, sep in pairs)),
    st.text(alphabet=st.sampled_from("ab .#…-*•\n\r\t\u00a0İΣ😀\u0301中5_,"), max_size=200),
)


def assert_close(ours, expected):
    assert ours.keys() == expected.keys()
    for name, value in expected.items():
        assert ours[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name


@settings(max_examples=200, deadline=None)
@given(texts)
def test_quality_matches_the_plain_reading(text):
    assert_close(QUALITY.signals(text), plain_reading.quality_signals(text))


@settings(max_examples=200, deadline=None)
@given(texts)
def test_repetition_matches_the_plain_reading(text):
    assert_close(REPETITION.signals(text), plain_reading.repetition_signals(text))


@settings(max_examples=100, deadline=None)
@given(texts)
def test_every_fraction_lies_between_zero_and_one(text):
    signals = QUALITY.signals(text) | REPETITION.signals(text)
    for name, value in signals.items():
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        if name.endswith("_frac"):
            assert 0.0 <= value <= 1.0, name


@settings(max_examples=100, deadline=None)
@given(texts)
def test_repeating_the_lines_never_lowers_the_duplicate_line_fraction(text):
    before = REPETITION.signals(text)["dup_line_frac"]
    assert REPETITION.signals(text + "\n" + text)["dup_line_frac"] >= before


@settings(max_examples=100, deadline=None)
@given(texts, st.text(alphabet=" \t\n\r\u00a0\u2028", min_size=1, max_size=5))
def test_trailing_whitespace_changes_nothing(text, trailing):
    for document_filter in (QUALITY, REPETITION):
        assert document_filter.judge(text + trailing) == document_filter.judge(text)


@settings(max_examples=50, deadline=None)
@given(texts)
def test_long_documents_cut_into_pieces_give_the_same_tokens(text):
    whole = text_units.tokenize.__wrapped__(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_units, "_PIECE_CHARS", 16)  # the power tables are built already
        pieces = text_units.tokenize.__wrapped__(text)
    assert whole.count == pieces.count
    for name in ("length", "has_alnum", "has_alpha", "norm_length", "norm_hash"):
        assert np.array_equal(getattr(whole, name), getattr(pieces, name)), name


# --- scripts and shapes ---------------------------------------------------------------

def test_non_latin_scripts_are_words():
    signals = QUALITY.signals("Привет мир, это тест. 你好世界 مرحبا بالعالم")
    assert signals["word_count"] == 7
    assert signals["alpha_token_frac"] == 1.0


def test_combining_marks_and_emoji():
    signals = QUALITY.signals("cafe\u0301 😀 👍🏽 \u0301")
    assert signals["word_count"] == 1  # emoji and a lone combining mark hold no letter
    assert signals["mean_word_length"] == 5  # characters are code points
    assert signals["alpha_token_frac"] == 1 / 4


def test_lone_surrogates_and_control_characters_do_not_break_anything():
    text = "the cat \ud800 and \x00\x01 the \udfff dog\u202e " * 20
    assert QUALITY.signals(text)["word_count"] == 100
    assert REPETITION.judge(text).reasons  # it repeats itself
    assert text_units.tokenize(text).norm_hash.flags.writeable is False


def test_crlf_tabs_and_unicode_line_breaks():
    text = "one\ttwo\r\n- three\u2028- four\r\rfive"
    assert QUALITY.signals(text)["word_count"] == 5
    assert QUALITY.signals(text)["bullet_line_frac"] == 2 / 4
    assert REPETITION.signals("same\r\nsame\r\n")["dup_line_frac"] == 0.5


def test_a_ten_megabyte_document_is_quick_and_bounded():
    rng = random.Random(7)
    vocabulary = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
                  for _ in range(3000)]
    line = " ".join(rng.choice(vocabulary) for _ in range(200_000))
    text = "\n".join(line[i:i + 80] for i in range(0, len(line), 80))
    text = (text * (10_000_000 // len(text) + 1))[:10_000_000]
    tracemalloc.start()
    started = time.perf_counter()
    quality, repetition = QUALITY.judge(text), REPETITION.judge(text)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert quality.signals["word_count"] > 1_000_000
    assert "dup_line_frac" in repetition.reasons  # the text repeats itself
    # The worst case: the text repeats itself, so every bigram repeats (~27 bytes a char).
    assert peak < 400_000_000, f"peak {peak / 1e6:.0f} MB"
    assert seconds < 60


def test_each_filter_declares_exactly_the_signals_it_reports():
    from massivetext.filters.language import EnglishFilter
    from massivetext.filters.quality import QualityFilter
    from massivetext.filters.repetition import RepetitionFilter

    text = "The cat sat on the mat and the dog was with it.\n" * 3
    for text_filter in (QualityFilter(), RepetitionFilter(), EnglishFilter()):
        assert tuple(text_filter.signals(text)) == text_filter.signal_names
        assert tuple(text_filter.signals("")) == text_filter.signal_names
