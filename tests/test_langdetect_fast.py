"""The fast detector gives langdetect's answers: same n-grams, same probabilities.

Each check runs langdetect itself (a seeded ``Detector`` from its own factory) beside
``FastDetector`` on the same text, on real web text, on the sample generators' English
and foreign pages, and on made-up Unicode text.
"""

import gzip
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram
from massivetext.filters.langdetect_fast import (
    MAX_TEXT_LENGTH,
    N_TRIAL,
    NUM_CODE_POINTS,
    shared_detector,
)
from massivetext.filters.language import DETECTOR_SEED, collapsed_prefix, english_score

from massivetext.sample.foreign import LANGUAGES, foreign_article
from massivetext.sample.text import EnglishGrammar

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FAST = shared_detector()
FACTORY = DetectorFactory()
FACTORY.load_profile(PROFILES_DIRECTORY)
MAX_CHARS = 2000  # EnglishFilter's default


def langdetect_detector(text: str) -> Detector:
    detector = FACTORY.create()
    detector.seed = DETECTOR_SEED
    detector.append(text)
    return detector


def langdetect_ngrams(text: str) -> list[str]:
    detector = langdetect_detector(text)
    detector.cleaning_text()
    return detector._extract_ngrams()


def assert_same_answer(text: str) -> None:
    """Same n-grams; then the same per-language probabilities (all 55, exactly) and
    the same Language list, or the same "No features in text" error."""
    assert FAST.extract_ngrams(text) == langdetect_ngrams(text)
    detector = langdetect_detector(text)
    try:
        expected = detector.get_probabilities()
    except LangDetectException as error:
        with pytest.raises(LangDetectException) as raised:
            FAST.get_probabilities(text, DETECTOR_SEED)
        assert raised.value.code == error.code
        return
    assert FAST.probabilities(text, DETECTOR_SEED).tolist() == detector.langprob
    found = FAST.get_probabilities(text, DETECTOR_SEED)
    assert [(p.lang, p.prob) for p in found] == [(p.lang, p.prob) for p in expected]


def test_settings_and_profiles_are_langdetects():
    detector = FACTORY.create()
    assert (detector.n_trial, detector.max_text_length) == (N_TRIAL, MAX_TEXT_LENGTH)
    assert FAST.langlist == tuple(FACTORY.langlist)
    rows = FAST.ngram_rows("the quick brown fox")
    for ngram, row in zip(FAST.ngrams[rows], rows, strict=True):
        assert FAST.ngram_probabilities[row].tolist() == FACTORY.word_lang_prob_map[ngram]


def test_every_code_point_is_normalised_as_langdetect_does():
    normalized = FAST.normalized.tolist()
    differing = [c for c in range(NUM_CODE_POINTS) if chr(normalized[c]) != NGram.normalize(chr(c))]
    assert differing == []


@pytest.mark.parametrize("text", ["", " ", "   \n\t ", "12345 678 90", "#### ... !!!",
                                  "😀 🎉 ✨", "http://example.com/a?b=c", "x@y.org"])
def test_text_without_features_fails_as_langdetect_does(text):
    assert_same_answer(text)
    assert english_score(text, MAX_CHARS) == 0.0


@pytest.mark.parametrize("text", [
    "NASA and the FBI said THE REPORT was OK",  # capital words are skipped
    "Tiếng Việt có dấu: a\u0300 e\u0301 o\u0303 u\u0309 y\u0323",  # normalize_vi
    "Mail me at someone.else@example.co.uk or see https://example.com/path?q=1#top now",
    "ひらがな カタカナ 漢字 한국어 ㄅㄆㄇ مرحبا یک Привет Ελληνικά şţ ș ț Ạ Ỹ",
    "ạảấầẩẫậắằẳẵặ ab cd",  # Latin Extended Additional counts as non-Latin in langdetect
    "Mostly English words with a little русский текст inside them to clean",
    "Русский текст with a few English words, which the cleaning step removes",
    "a" * 3 + " " * 40 + "B" + "\u2003\u00a0\u00ab\u00bb" + "Z" * 5 + "\ud800 lone",
])
def test_hand_made_edge_cases(text):
    assert_same_answer(text)


def real_texts() -> list[str]:
    texts = []
    truth = DATA / "extraction" / "scrapinghub-aeb" / "ground-truth.json"
    if truth.is_file():
        texts += [entry["articleBody"] for entry in json.loads(truth.read_text()).values()]
    for path in sorted((DATA / "text" / "dolma-ccnet-samples").glob("*.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines]
    return texts


def test_real_web_text():
    texts = real_texts()
    if not texts:
        pytest.skip(f"real documents not found under {DATA}")
    for text in texts:
        assert_same_answer(collapsed_prefix(text, MAX_CHARS))
    long_texts = sorted(texts, key=len)[-3:]  # past langdetect's own 10,000-character cut
    for text in long_texts:
        assert_same_answer(text)


def test_generated_english_and_foreign_pages():
    rng = random.Random(11446)
    pages = [EnglishGrammar(rng).article(target_words=rng.randint(60, 400)).plain_text()
             for _ in range(10)]
    for language in sorted(LANGUAGES):
        title, paragraphs = foreign_article(rng, language, rng.randint(60, 400))
        pages.append("\n\n".join([title, *paragraphs]))
    pages += [pages[i] + "\n" + pages[-1 - i] for i in range(5)]  # mixed languages
    for page in pages:
        assert_same_answer(collapsed_prefix(page, MAX_CHARS))
        assert_same_answer(page[:600])


SCRIPT_SAMPLES = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                  " .,;:!?'\"()[]{}-_/\\@#&*+=~`^|<>\n\t"
                  "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÉÖÜßœŒăĂơƠưƯșțşţ\u00a0«»°"
                  "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ\u0300\u0301\u0303\u0309\u0323"
                  "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
                  "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘ"
                  "ابتثجحخدذرزسشصضطظعغفقكلمنهوي\u06cc\u0627\u0644"
                  "אבגדהוזחטיכלמנסעפצקרשת"
                  "あいうえおかきくけこアイウエオカキクケコㄅㄆㄇㄈ"
                  "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年"
                  "가나다라마바사아자차카타파하한국어"
                  "กขคงจฉชซ अआइईउऊ"
                  "\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2003\u3000。、"
                  "😀🎉✨𠀀𝐀")
TOKENS = st.one_of(
    st.text(alphabet=SCRIPT_SAMPLES, min_size=1, max_size=12),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=8),  # all caps
    st.from_regex(r"https?://[a-z]{1,10}\.[a-z]{2,3}(/[a-z0-9?=&#]{0,12})?", fullmatch=True),
    st.from_regex(r"[a-z0-9._-]{1,10}@[a-z0-9-]{1,10}\.[a-z]{2,3}", fullmatch=True),
    st.sampled_from(["the", "and", "der", "und", "les", "что", "的", "Ich", "ÉTÉ"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(TOKENS, max_size=60).map(" ".join))
def test_made_up_mixed_script_text(text):
    assert_same_answer(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode(text):
    assert_same_answer(text)
