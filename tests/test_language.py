"""The English content filter: langdetect, seeded and bounded, on real and made-up text."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from langdetect import DetectorFactory
from massivetext.filters.language import EnglishFilter, collapsed_prefix

FILTER = EnglishFilter()
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REPO = Path(__file__).resolve().parents[1]

ENGLISH = ("The committee met on Tuesday to discuss the budget for the coming year, and "
           "most of its members agreed that the library should stay open in the evenings.")
GERMAN = ("Der Ausschuss traf sich am Dienstag, um den Haushalt für das kommende Jahr zu "
          "besprechen, und die meisten Mitglieder waren sich einig, dass die Bibliothek "
          "abends geöffnet bleiben sollte.")
JAPANESE = "委員会は火曜日に会合を開き、来年度の予算について話し合いました。"


def test_english_is_kept():
    judgement = FILTER.judge(ENGLISH)
    assert judgement.keep and judgement.reasons == ()
    assert judgement.signals["english_score"] > 0.9


@pytest.mark.parametrize("text", [GERMAN, JAPANESE])
def test_other_languages_are_removed(text):
    judgement = FILTER.judge(text)
    assert judgement.reasons == ("not_english",)
    assert judgement.signals["english_score"] < 0.1


@pytest.mark.parametrize("text", ["", "   \n\t", "12345 678 90", "😀 🎉 ✨", "#### ... !!!"])
def test_text_without_letters_scores_zero(text):
    judgement = FILTER.judge(text)
    assert judgement.signals == {"english_score": 0.0}
    assert judgement.reasons == ("not_english",)


def test_the_threshold_is_inclusive():
    score = FILTER.signals(ENGLISH + " " + GERMAN)["english_score"]
    assert 0.0 < score < 1.0
    assert EnglishFilter(min_english_score=score).judge(ENGLISH + " " + GERMAN).keep
    assert not EnglishFilter(min_english_score=score + 1e-9).judge(ENGLISH + " " + GERMAN).keep


def test_the_same_text_gets_the_same_score_every_time():
    mixed = ENGLISH + " " + GERMAN
    scores = {FILTER.signals(mixed)["english_score"] for _ in range(5)}
    assert len(scores) == 1


def test_the_global_langdetect_seed_does_not_change_the_answer(monkeypatch):
    mixed = ENGLISH + " " + GERMAN
    expected = FILTER.signals(mixed)["english_score"]
    monkeypatch.setattr(DetectorFactory, "seed", 12345)
    assert FILTER.signals(mixed)["english_score"] == expected


def test_another_process_gives_the_same_score():
    mixed = ENGLISH + " " + GERMAN
    code = ("import sys; from massivetext.filters.language import EnglishFilter; "
            "print(repr(EnglishFilter().signals(sys.stdin.read())['english_score']))")
    result = subprocess.run([sys.executable, "-c", code], input=mixed, capture_output=True,
                            text=True, cwd=REPO, env={"PYTHONHASHSEED": "123"}, check=True)
    assert float(result.stdout) == FILTER.signals(mixed)["english_score"]


def test_only_the_first_characters_are_read():
    short = EnglishFilter(max_chars=len(ENGLISH))
    assert short.signals(ENGLISH + " " + GERMAN * 20) == short.signals(ENGLISH)
    assert not FILTER.judge(ENGLISH + " " + GERMAN * 20).keep


def test_collapsed_prefix_reads_past_long_whitespace_runs():
    text = "a" + " " * 50 + "\n\t" * 30 + "b c d e f"
    assert collapsed_prefix(text, 5) == "a b c"
    assert collapsed_prefix(text, 100) == "a b c d e f"
    assert collapsed_prefix("", 10) == ""
    assert collapsed_prefix("x " * 10_000_000, 7) == "x x x x"


def test_real_english_web_documents_are_kept():
    folder = DATA / "text" / "dolma-ccnet-samples"
    if not folder.is_dir():
        pytest.skip(f"real documents not found at {folder}")
    texts = []
    for path in sorted(folder.glob("*.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines]
    kept = sum(FILTER.judge(text).keep for text in texts)
    assert len(texts) == 30
    assert kept >= 28, f"only {kept} of {len(texts)} English CCNet documents kept"
