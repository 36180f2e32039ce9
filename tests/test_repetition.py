"""The Gopher Table A1 repetition filter: measures worked out by hand, and each boundary."""

from dataclasses import fields

import pytest
from massivetext.filters.repetition import RepetitionFilter

FILTER = RepetitionFilter()

TOP_THRESHOLDS = {2: 0.20, 3: 0.18, 4: 0.16}
DUP_THRESHOLDS = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}


def distinct_words(count: int, length: int, lead: str) -> list[str]:
    """``count`` different words of ``length`` letters, all starting with ``lead``."""
    words = []
    for index in range(count):
        digits = ""
        for _ in range(2):
            digits = chr(ord("a") + index % 26) + digits
            index //= 26
        words.append((lead + digits).ljust(length, lead))
    assert len(set(words)) == count and all(len(w) == length for w in words)
    return words


def filler(chars: int, lead: str = "z") -> list[str]:
    """Different words holding ``chars`` characters in all (words of 5 to 9 letters)."""
    count = chars // 5
    words = distinct_words(count, 5, lead)
    words[-1] = words[-1] + lead * (chars % 5)
    return words


def repeated_ngram_text(n: int, word_length: int, total_chars: int) -> str:
    """An n-gram of different words, twice, among other words: ``total_chars`` in all."""
    gram = distinct_words(n, word_length, "q")
    rest = filler(total_chars - 2 * n * word_length)
    half = len(rest) // 2
    return " ".join(gram + rest[:half] + gram + rest[half:])


def test_lines_worked_out_by_hand():
    signals = FILTER.signals("a\r\nbb\na\n\n  a  \nccc")
    # lines: a, bb, a, a, ccc: two duplicates of "a"
    assert signals["dup_line_frac"] == 2 / 5
    assert signals["dup_line_char_frac"] == 2 / 8
    # paragraphs: "a\r\nbb\na", "a  \nccc" (stripped): none repeats
    assert signals["dup_para_frac"] == 0.0


def test_paragraphs_split_on_two_or_more_line_breaks():
    signals = FILTER.signals("one two\n\nthree\n \t\nfour\r\n\r\none two\n\n\n\nthree\nfive")
    # paragraphs: "one two", "three", "four", "one two", "three\nfive"
    assert signals["dup_para_frac"] == 1 / 5
    assert signals["dup_para_char_frac"] == 7 / (7 + 5 + 4 + 7 + 10)


@pytest.mark.parametrize("repeats, rule_failed", [(4, False), (5, True)])
def test_dup_line_frac_boundary(repeats, rule_failed):
    unique_lines = [" ".join(filler(50, lead)) for lead in "fghijk"]
    judgement = FILTER.judge("\n".join(["x"] * repeats + unique_lines))
    assert judgement.signals["dup_line_frac"] == (repeats - 1) / (repeats + 6)
    assert ("dup_line_frac" in judgement.reasons) is rule_failed


@pytest.mark.parametrize("repeats, rule_failed", [(4, False), (5, True)])
def test_dup_para_frac_boundary(repeats, rule_failed):
    unique_paragraphs = ["\n".join(filler(30, lead)) for lead in "fghijk"]
    judgement = FILTER.judge("\n\n".join(["x"] * repeats + unique_paragraphs))
    assert judgement.signals["dup_para_frac"] == (repeats - 1) / (repeats + 6)
    assert ("dup_para_frac" in judgement.reasons) is rule_failed


@pytest.mark.parametrize("line, rule_failed", [("abcd", False), ("abcde", True)])
def test_dup_line_char_frac_boundary(line, rule_failed):
    judgement = FILTER.judge(f"{line}\nefgh\n{line}\nijkl\nmnop")
    assert judgement.signals["dup_line_char_frac"] == len(line) / (2 * len(line) + 12)
    assert ("dup_line_char_frac" in judgement.reasons) is rule_failed


@pytest.mark.parametrize("paragraph, rule_failed", [("ab\ncd", False), ("ab\ncde", True)])
def test_dup_para_char_frac_boundary(paragraph, rule_failed):
    judgement = FILTER.judge(f"{paragraph}\n\nfghijkl\n\n{paragraph}\n\nmnopqrst")
    assert judgement.signals["dup_para_char_frac"] == len(paragraph) / (2 * len(paragraph) + 15)
    assert ("dup_para_char_frac" in judgement.reasons) is rule_failed


@pytest.mark.parametrize("n", sorted(TOP_THRESHOLDS))
@pytest.mark.parametrize("past", [False, True])
def test_top_ngram_boundary(n, past):
    rule = f"top_{n}gram_char_frac"
    total = round(2 * n * 3 / TOP_THRESHOLDS[n])  # 3-letter words at the threshold
    judgement = FILTER.judge(repeated_ngram_text(n, 3, total - past))
    assert judgement.signals[rule] == 2 * n * 3 / (total - past)
    assert (rule in judgement.reasons) is past


@pytest.mark.parametrize("n", sorted(DUP_THRESHOLDS))
@pytest.mark.parametrize("past", [False, True])
def test_dup_ngram_boundary(n, past):
    rule = f"dup_{n}gram_char_frac"
    word_length = 20 - n  # the threshold is (20 - n) / 100, so the total is 200 * n
    total = round(2 * n * word_length / DUP_THRESHOLDS[n])
    judgement = FILTER.judge(repeated_ngram_text(n, word_length, total - past))
    assert judgement.signals[rule] == 2 * n * word_length / (total - past)
    assert (rule in judgement.reasons) is past


def test_overlapping_duplicate_ngrams_count_each_word_once():
    cycle = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]
    signals = FILTER.signals(" ".join(cycle + cycle + ["zzzzzzz"]))
    # duplicated 5-grams start at 0, 1, 6, 7 and cover words 0-11: 42 of 49 characters
    assert signals["dup_5gram_char_frac"] == 42 / 49
    assert signals["dup_6gram_char_frac"] == 42 / 49
    assert signals["dup_7gram_char_frac"] == 0.0


def test_top_ngram_occurrences_overlap_and_count_once():
    signals = FILTER.signals("ab ab ab ab ab cd")
    assert signals["top_2gram_char_frac"] == 10 / 12  # "ab ab" four times covers 5 words
    assert signals["top_4gram_char_frac"] == 10 / 12


def test_top_ngram_ties_go_to_the_first_ngram():
    signals = FILTER.signals("aa bb zz cccc dddd yy aa bb ww cccc dddd")
    # "aa bb" and "cccc dddd" both occur twice; "aa bb" comes first
    assert signals["top_2gram_char_frac"] == 8 / 30


def test_ngrams_ignore_case_and_end_punctuation():
    signals = FILTER.signals('The cat, "THE CAT." -- the (cat)')
    # words: the cat the cat the cat; "--" has no normal form and is dropped
    assert signals["top_2gram_char_frac"] == 1.0
    assert signals["top_3gram_char_frac"] == 15 / 18  # "the cat the", twice, before "cat the cat"
    assert FILTER.signals("cat cats")["top_2gram_char_frac"] == 0.0


def test_many_different_words_have_no_repetition():
    signals = FILTER.signals(" ".join(distinct_words(600, 4, "w")))
    assert all(value == 0.0 for value in signals.values())


def test_every_failed_rule_is_reported():
    judgement = FILTER.judge("\n".join(["the same line of words over and over again"] * 10))
    assert judgement.reasons == ("dup_line_frac", "dup_line_char_frac",
                                 *(f"top_{n}gram_char_frac" for n in TOP_THRESHOLDS),
                                 *(f"dup_{n}gram_char_frac" for n in DUP_THRESHOLDS))


@pytest.mark.parametrize("text", ["", " \n\t ", "word", "two words", "\r\n\r\n"])
def test_short_and_empty_documents_have_no_repetition(text):
    judgement = FILTER.judge(text)
    assert judgement.keep
    assert set(judgement.signals) == set(RepetitionFilter.rules)
    assert all(value == 0.0 for value in judgement.signals.values())


def test_thresholds_are_documented_fields():
    assert RepetitionFilter.name == "repetition"
    assert [f"max_{rule}" for rule in RepetitionFilter.rules] == [
        spec.name for spec in fields(RepetitionFilter)]
    for spec in fields(RepetitionFilter):
        assert "Gopher Table A1" in spec.metadata["help"]
    lenient = RepetitionFilter(max_dup_line_frac=1.0, max_dup_line_char_frac=1.0)
    judgement = lenient.judge("one line\none line\none line")
    assert "dup_line_frac" not in judgement.reasons
