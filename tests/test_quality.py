"""The Gopher quality filter: every rule, its boundary, its signal worked out by hand."""

from dataclasses import fields

import pytest
from massivetext.filters.quality import QualityFilter

FILTER = QualityFilter()


def doc(*words: str, extra_tokens: int = 0, token: str = "#") -> str:
    """One line of the words "the", "and" and then ``words``, plus non-word tokens."""
    return " ".join(("the", "and", *words, *[token] * extra_tokens))


def filler(count: int, word: str = "house") -> list[str]:
    return [word] * count


def test_a_plain_document_passes_every_rule():
    judgement = FILTER.judge(doc(*filler(48)))
    assert judgement.keep and judgement.reasons == ()
    assert judgement.signals["word_count"] == 50
    assert judgement.signals["mean_word_length"] == (3 + 3 + 48 * 5) / 50
    assert judgement.signals["stop_word_count"] == 2


def test_signals_worked_out_by_hand():
    text = "The cat... sat #1 on ## the mat…\n- a bullet\n* another …\n\n  -- 42 !!"
    # tokens: The cat... sat #1 on ## the mat… - a bullet * another … -- 42 !!  (17)
    # words (letter or digit): The cat... sat #1 on the mat… a bullet another 42  (11)
    signals = FILTER.signals(text)
    assert signals["word_count"] == 11
    assert signals["mean_word_length"] == (3 + 6 + 3 + 2 + 2 + 3 + 4 + 1 + 6 + 7 + 2) / 11
    assert signals["hash_ratio"] == 3 / 11
    assert signals["ellipsis_ratio"] == 3 / 11  # "...", "…", "…"
    # lines: "The cat... mat…", "- a bullet", "* another …", "-- 42 !!"
    assert signals["bullet_line_frac"] == 3 / 4
    assert signals["ellipsis_line_frac"] == 2 / 4
    # alphabetic tokens: The cat... sat on the mat… a bullet another  (9 of 17)
    assert signals["alpha_token_frac"] == 9 / 17
    assert signals["stop_word_count"] == 1  # "the" (twice, counted once)


@pytest.mark.parametrize("count, failed", [(50, False), (49, True)])
def test_word_count_low_boundary(count, failed):
    judgement = FILTER.judge(doc(*filler(count - 2)))
    assert judgement.signals["word_count"] == count
    assert judgement.reasons == (("word_count_low",) if failed else ())


@pytest.mark.parametrize("count, failed", [(100_000, False), (100_001, True)])
def test_word_count_high_boundary(count, failed):
    judgement = FILTER.judge(doc(*filler(count - 2)))
    assert judgement.signals["word_count"] == count
    assert judgement.reasons == (("word_count_high",) if failed else ())


def test_tokens_without_letters_or_digits_are_not_words():
    judgement = FILTER.judge(doc(*filler(47), extra_tokens=10, token="--"))
    assert judgement.signals["word_count"] == 49
    assert "word_count_low" in judgement.reasons


@pytest.mark.parametrize("last_word, failed", [("cat", False), ("ca", True)])
def test_mean_word_length_low_boundary(last_word, failed):
    judgement = FILTER.judge(doc(*filler(47, "cat"), last_word))
    assert judgement.signals["mean_word_length"] == (150 if not failed else 149) / 50
    assert judgement.reasons == (("mean_word_length_low",) if failed else ())


@pytest.mark.parametrize("last_word, failed", [("x" * 24, False), ("x" * 25, True)])
def test_mean_word_length_high_boundary(last_word, failed):
    # 3 + 3 + 47 * 10 + 24 = 500 characters over 50 words: a mean of exactly 10.
    judgement = FILTER.judge(doc(*filler(47, "abcdefghij"), last_word))
    assert judgement.signals["mean_word_length"] == (500 if not failed else 501) / 50
    assert judgement.reasons == (("mean_word_length_high",) if failed else ())


def test_mean_word_length_counts_attached_punctuation():
    signals = FILTER.signals('"Hello," she said.')
    assert signals["mean_word_length"] == (8 + 3 + 5) / 3


@pytest.mark.parametrize("hashes, failed", [(5, False), (6, True)])
def test_hash_ratio_boundary(hashes, failed):
    judgement = FILTER.judge(doc(*filler(48), extra_tokens=hashes, token="#"))
    assert judgement.signals["hash_ratio"] == hashes / 50
    assert judgement.reasons == (("hash_ratio",) if failed else ())


@pytest.mark.parametrize("ellipses, failed", [(5, False), (6, True)])
def test_ellipsis_ratio_boundary(ellipses, failed):
    # The line ends with a word, so that it is no ellipsis line.
    judgement = FILTER.judge(doc(*filler(47), *["…"] * ellipses, "end"))
    assert judgement.signals["ellipsis_ratio"] == ellipses / 50
    assert judgement.reasons == (("ellipsis_ratio",) if failed else ())


def test_ellipsis_ratio_counts_three_dots_and_the_ellipsis_character():
    text = doc(*filler(48)) + " wait... what…… no.... yes......"
    assert FILTER.signals(text)["ellipsis_ratio"] == 6 / 54


def lines_doc(marked: int, total: int, mark: str, at_end: bool) -> str:
    plain = "the house and the garden of the family"
    lines = [(f"{plain} {mark}" if at_end else f"  {mark} {plain}") if i < marked else plain
             for i in range(total)]
    return "\n".join(lines)


@pytest.mark.parametrize("bullets, failed", [(9, False), (10, True)])
def test_bullet_line_frac_boundary(bullets, failed):
    judgement = FILTER.judge(lines_doc(bullets, 10, "•", at_end=False))
    assert judgement.signals["bullet_line_frac"] == bullets / 10
    assert judgement.reasons == (("bullet_line_frac",) if failed else ())


@pytest.mark.parametrize("mark", ["•", "●", "○", "▪", "■", "◦", "‣", "⁃", "-", "–", "*", "·"])
def test_every_bullet_mark_counts(mark):
    assert FILTER.signals(f"{mark}item one\nplain line")["bullet_line_frac"] == 0.5


@pytest.mark.parametrize("marked, failed", [(3, False), (4, True)])
def test_ellipsis_line_frac_boundary(marked, failed):
    judgement = FILTER.judge(lines_doc(marked, 10, "...", at_end=True))
    assert judgement.signals["ellipsis_line_frac"] == marked / 10
    assert judgement.reasons == (("ellipsis_line_frac",) if failed else ())


def test_blank_lines_do_not_count_as_lines():
    signals = FILTER.signals("- one\n\n   \n- two\r\nthree...\n")
    assert signals["bullet_line_frac"] == 2 / 3
    assert signals["ellipsis_line_frac"] == 1 / 3


@pytest.mark.parametrize("numbers, failed", [(10, False), (11, True)])
def test_alpha_token_frac_boundary(numbers, failed):
    judgement = FILTER.judge(doc(*filler(48 - numbers), *filler(numbers, "1234")))
    assert judgement.signals["alpha_token_frac"] == (50 - numbers) / 50
    assert judgement.reasons == (("alpha_token_frac",) if failed else ())


def test_stop_words_are_distinct_lower_cased_and_stripped():
    text = " ".join(["(The)", "THE,", "the"] + filler(50))
    assert FILTER.signals(text)["stop_word_count"] == 1
    assert FILTER.judge(text).reasons == ("stop_words",)
    kept = FILTER.judge(" ".join(['"The', "WITH!"] + filler(50)))
    assert kept.signals["stop_word_count"] == 2 and kept.keep


def test_every_stop_word_is_recognised():
    text = "the be to of and that have with"
    assert FILTER.signals(text)["stop_word_count"] == 8
    assert FILTER.signals("there bee tot often andy than haves within")["stop_word_count"] == 0


def test_every_failed_rule_is_reported_in_rule_order():
    text = "# # # ... x\n" * 3
    judgement = FILTER.judge(text)
    # 3 words ("x"), 15 tokens, 9 hashes, 3 ellipses, no line ends with an ellipsis.
    assert judgement.reasons == ("word_count_low", "mean_word_length_low", "hash_ratio",
                                 "ellipsis_ratio", "alpha_token_frac", "stop_words")


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t \r\n"])
def test_empty_documents_fail_without_crashing(text):
    judgement = FILTER.judge(text)
    assert judgement.reasons == ("word_count_low", "mean_word_length_low", "alpha_token_frac",
                                 "stop_words")
    assert all(value == 0 for value in judgement.signals.values())


def test_thresholds_are_documented_fields():
    assert QualityFilter.name == "quality"
    for spec in fields(QualityFilter):
        assert "Gopher" in spec.metadata["help"]
    strict = QualityFilter(min_word_count=60)
    assert strict.judge(doc(*filler(48))).reasons == ("word_count_low",)
