"""13-gram shingling (docs/paper.md, "Our reading of the rules"), stable hashing and
MinHash estimates."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from massivetext.dedup.minhash import (
    DEFAULT_NGRAM_SIZE,
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    MinHasher,
    dedup_words,
    estimate_jaccard,
    exact_jaccard,
    shingle_hashes,
)

THIRTEEN = "one two three four five six seven eight nine ten eleven twelve thirteen"


def test_defaults_follow_the_paper():
    assert DEFAULT_NGRAM_SIZE == 13
    assert (DEFAULT_NUM_PERM, DEFAULT_SEED) == (128, 1)


def test_dedup_words_removes_punctuation_everywhere_and_keeps_case():
    text = "Hello,  world!\tDon't\n\nU.S. -- ... «Oui» (x) a=b $5 e-mail"
    assert dedup_words(text) == ["Hello", "world", "Dont", "US", "Oui", "x", "a=b", "$5",
                                 "email"]


def test_dedup_words_non_latin():
    assert dedup_words("Привет, мир! 你好，世界。 مرحبا، بالعالم") == [
        "Привет", "мир", "你好世界", "مرحبا", "بالعالم"]


def test_whitespace_and_punctuation_do_not_change_shingles():
    plain = THIRTEEN + " fourteen"
    noisy = "  one, two; three -- four\nfive\t\tsix (seven) eight... nine ten! eleven "
    noisy += "twelve? thirteen \u00a0 fourteen."
    assert np.array_equal(shingle_hashes(plain), shingle_hashes(noisy))
    assert shingle_hashes(plain).size == 2


def test_case_is_kept():
    assert not np.array_equal(shingle_hashes(THIRTEEN), shingle_hashes(THIRTEEN.upper()))


def test_short_document_is_one_shingle_and_empty_has_none():
    assert shingle_hashes("just three words").size == 1
    assert shingle_hashes(THIRTEEN).size == 1
    assert not np.array_equal(shingle_hashes("a b"), shingle_hashes("a b c"))
    for empty in ("", "   \n\t", "... -- !!"):
        assert shingle_hashes(empty).size == 0
        assert shingle_hashes(empty).dtype == np.uint64


def test_shingles_are_sorted_unique_and_position_independent():
    words = [f"w{i % 40}" for i in range(200)]  # repeats: 40 distinct 13-grams
    hashes = shingle_hashes(" ".join(words))
    assert hashes.dtype == np.uint64 and hashes.size == 40
    assert np.all(hashes[1:] > hashes[:-1])
    # Each 13-gram hashes the same alone as inside a long (multi-block) document.
    long_words = [f"token{i}" for i in range(20_000)]  # > 64 KiB of UTF-8
    long_hashes = shingle_hashes(" ".join(long_words))
    for start in (0, 7_777, 19_987):
        alone = shingle_hashes(" ".join(long_words[start:start + 13]))
        assert np.isin(alone, long_hashes).all()


def test_exact_jaccard_matches_python_sets():
    rng = np.random.default_rng(5)
    for _ in range(20):
        a = np.unique(rng.integers(0, 60, rng.integers(0, 40), dtype=np.uint64))
        b = np.unique(rng.integers(0, 60, rng.integers(1, 40), dtype=np.uint64))
        sa, sb = set(a.tolist()), set(b.tolist())
        assert exact_jaccard(a, b) == pytest.approx(len(sa & sb) / len(sa | sb))
    empty = np.empty(0, dtype=np.uint64)
    assert exact_jaccard(empty, empty) == 0.0


_CROSS_PROCESS_SCRIPT = """
import json, sys
from massivetext.dedup.minhash import MinHasher, shingle_hashes
text = sys.stdin.read()
print(json.dumps({"hashes": shingle_hashes(text).tolist(),
                  "signature": MinHasher().signature_of_text(text).tolist()}))
"""


def test_hashes_identical_across_processes():
    text = "Ein Beispiel, über Zeichen: naïve café — 東京 " + " ".join(
        f"word{i}" for i in range(60))
    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        result = subprocess.run([sys.executable, "-c", _CROSS_PROCESS_SCRIPT], input=text,
                                capture_output=True, text=True, check=True, env=env)
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["hashes"] == shingle_hashes(text).tolist()
    assert outputs[0]["signature"] == MinHasher().signature_of_text(text).tolist()


def test_signatures_deterministic_for_seed():
    hashes = shingle_hashes(" ".join(f"w{i}" for i in range(100)))
    first = MinHasher(seed=7).signature(hashes)
    assert first.shape == (DEFAULT_NUM_PERM,)
    assert np.array_equal(first, MinHasher(seed=7).signature(hashes))
    assert not np.array_equal(first, MinHasher(seed=8).signature(hashes))
    # Permutation k depends only on (seed, k).
    assert np.array_equal(MinHasher(num_perm=32, seed=7).signature(hashes), first[:32])
    # Block-wise minimisation gives the same result as one block.
    many = np.unique(np.random.default_rng(0).integers(0, 2**63, 5000, dtype=np.uint64))
    whole = MinHasher().signature(many)
    parts = np.minimum(MinHasher().signature(many[:1234]), MinHasher().signature(many[1234:]))
    assert np.array_equal(whole, parts)


def test_minhasher_survives_pickling():
    hasher = MinHasher(num_perm=64, seed=3)
    hashes = shingle_hashes(THIRTEEN + " fourteen fifteen")
    copy = pickle.loads(pickle.dumps(hasher))
    assert np.array_equal(copy.signature(hashes), hasher.signature(hashes))


def test_empty_signature():
    hasher = MinHasher()
    empty = hasher.signature(np.empty(0, dtype=np.uint64))
    assert np.array_equal(empty, hasher.signature_of_text("... --"))
    assert np.all(empty == np.iinfo(empty.dtype).max)
    assert estimate_jaccard(empty, empty) == 0.0
    assert estimate_jaccard(empty, hasher.signature_of_text(THIRTEEN)) == 0.0
    assert estimate_jaccard(hasher.signature_of_text(THIRTEEN),
                            hasher.signature_of_text(THIRTEEN)) == 1.0


def _pair_with_jaccard(rng: np.random.Generator, union: int, jaccard: float):
    """Two random hash sets whose exact Jaccard similarity is round(jaccard*union)/union."""
    values = np.unique(rng.integers(0, 2**64, union + 50, dtype=np.uint64, endpoint=False))
    values = rng.permutation(values)[:union]
    common = round(jaccard * union)
    only = (union - common) // 2
    a = np.sort(values[:common + only])
    b = np.sort(np.concatenate([values[:common], values[common + only:]]))
    return a, b


def test_estimates_unbiased_and_agree_with_datasketch():
    datasketch = pytest.importorskip("datasketch", reason="datasketch is a dev dependency")
    rng = np.random.default_rng(2021)
    hasher = MinHasher()
    ours_z, theirs_z, differences = [], [], []
    for jaccard in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        errors = []
        for _ in range(40):
            a, b = _pair_with_jaccard(rng, 300, jaccard)
            exact = exact_jaccard(a, b)
            standard_error = np.sqrt(exact * (1 - exact) / DEFAULT_NUM_PERM)
            ours = estimate_jaccard(hasher.signature(a), hasher.signature(b))
            sketches = []
            for values in (a, b):
                sketch = datasketch.MinHash(num_perm=DEFAULT_NUM_PERM, seed=DEFAULT_SEED)
                sketch.update_batch([v.tobytes() for v in values.astype("<u8")])
                sketches.append(sketch)
            theirs = sketches[0].jaccard(sketches[1])
            assert abs(ours - exact) <= 4.5 * standard_error
            errors.append(ours - exact)
            ours_z.append((ours - exact) / standard_error)
            theirs_z.append((theirs - exact) / standard_error)
            differences.append(abs(ours - theirs))
        # Per level: the mean error is within 4 standard errors of its mean.
        assert abs(np.mean(errors)) <= 4 * np.sqrt(jaccard * (1 - jaccard) / 128 / 40)
    count = len(ours_z)
    for z in (ours_z, theirs_z):
        assert abs(np.mean(z)) <= 4 / np.sqrt(count)  # unbiased overall
        assert 0.7 <= np.mean(np.square(z)) <= 1.3  # binomial spread: slots independent
    # Two independent estimators differ by about sqrt(2) standard errors on average.
    assert np.mean(differences) < 0.06


@pytest.mark.parametrize("text", [
    "plain words only",
    "tabs\tnew\nlines\r\nform\x0cfeed\x1cseparator\u2028line\u3000ideographic",
    "nul\x00byte, emoji 🙂🙂 and «quotes» — dashes – and ‘curly’ “marks”",
    "lone \ud800 surrogate and a non-BMP 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 word",
    " ".join(f"w{i}, x{i % 7}!" for i in range(50)),
])
def test_shingles_are_those_of_the_dedup_words(text):
    words = dedup_words(text)
    assert np.array_equal(shingle_hashes(text), shingle_hashes(" ".join(words)))
    # The word sequence decides the shingles: changing one word changes them.
    if words:
        changed = " ".join(words[:-1] + [words[-1] + "z"])
        assert not np.array_equal(shingle_hashes(text), shingle_hashes(changed))


def test_word_hashes_do_not_depend_on_the_chunk_size_that_bounds_memory():
    from massivetext.dedup import minhash

    text = ("Ünïcode words, split\u00a0by odd spaces\u2003and punctuation... " * 40
            + "x" * 300 + " tail")
    whole = minhash._word_hashes(text, chunk_chars=len(text) + 1)
    for chunk_chars in (1, 7, 64, 1000):
        assert np.array_equal(minhash._word_hashes(text, chunk_chars=chunk_chars), whole)
    assert whole.size == len(dedup_words(text))
