"""langdetect's detector, re-implemented for speed with the same answers.

The model (langdetect's language profiles), the text preparation, the n-grams and the
seeded sampling procedure are langdetect's own; only the execution is new:

- n-grams come from whole-text NumPy operations instead of a per-character Python
  loop: a per-code-point table built from langdetect's ``NGram.normalize``, each
  n-gram packed into one integer (21 bits per code point) and looked up in a hash
  table of the profiles' n-grams;
- the probability update runs over all languages at once in NumPy, with the same
  floating-point operations in the same order as langdetect's Python loop, and the
  same ``random.Random(seed)`` calls in the same order (one ``gauss`` per trial, one
  ``choice`` per update, the convergence check after the first update and then after
  every fifth).

``tests/test_langdetect_fast.py`` checks that the n-gram lists equal langdetect's
``Detector._extract_ngrams`` and the probabilities equal ``Detector.get_probabilities``
on real and generated text.
"""

from __future__ import annotations

import random
import threading

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language
from langdetect.utils.ngram import NGram

# A fresh langdetect Detector's settings (instance attributes there, so repeated here;
# the tests compare them with a real Detector's).
N_TRIAL = 7
MAX_TEXT_LENGTH = 10_000
CHECK_EVERY = 5  # updates between langdetect's convergence checks (its "i % 5 == 0")

NUM_CODE_POINTS = 0x110000
BMP_SIZE = 0x10000  # NGram.normalize changes no character above the BMP
BITS_PER_CHAR = 21  # every code point fits, so three pack into one uint64
SPACE = ord(" ")
# langdetect's cleaning step counts "A" to "z" (which includes [\]^_`) as Latin ...
LATIN_FIRST, LATIN_LAST = ord("A"), ord("z")
# ... and every character from U+0300 up as non-Latin: it means to exempt the Latin
# Extended Additional block, but compares unicode_block()'s number with the block's
# name, which is never equal.
NON_LATIN_FIRST = 0x0300


def _packed_ngram(ngram: str) -> int:
    """An n-gram as one integer: its code points 21 bits apart. No two n-grams of one to
    three characters share a number, as neither side holds U+0000 (langdetect
    normalises it to a space, and profile n-grams with it are left out)."""
    key = 0
    for char in ngram:
        key = (key << BITS_PER_CHAR) | ord(char)
    return key


class NGramIndex:
    """Packed n-gram -> row number, looked up for many n-grams at once by cuckoo hashing:
    each key sits in its slot of one of two tables, so a lookup is two gathers and two
    comparisons (a binary search over the ~88,000 profile n-grams is several times slower)."""

    MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)  # one multiplicative hash per table
    SLOT_BITS = 17  # 2 x 131,072 slots: a third full, well below cuckoo hashing's limit of half
    MAX_EVICTIONS = 500

    def __init__(self, keys: np.ndarray):
        slots = [self._slots(keys, side).tolist() for side in (0, 1)]
        occupant = [[-1] * (1 << self.SLOT_BITS) for _ in (0, 1)]
        for row in range(len(keys)):
            side = 0
            for _ in range(self.MAX_EVICTIONS):
                slot = slots[side][row]
                row, occupant[side][slot] = occupant[side][slot], row
                if row < 0:
                    break
                side = 1 - side  # the evicted key moves to its slot in the other table
            else:
                raise RuntimeError("n-gram hash tables too full; raise SLOT_BITS")
        self.rows = [np.array(rows, dtype=np.intp) for rows in occupant]
        self.keys = [np.where(rows >= 0, keys[rows], 0) for rows in self.rows]  # 0: empty

    def _slots(self, keys: np.ndarray, side: int) -> np.ndarray:
        hashed = keys * np.uint64(self.MULTIPLIERS[side])  # wraps around, as meant
        return (hashed >> np.uint64(64 - self.SLOT_BITS)).astype(np.intp)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, found) for each key; the row is meaningless where found is False."""
        slots = [self._slots(keys, side) for side in (0, 1)]
        hit = [self.keys[side][slots[side]] == keys for side in (0, 1)]
        return np.where(hit[0], self.rows[0][slots[0]], self.rows[1][slots[1]]), hit[0] | hit[1]


class FastDetector:
    """langdetect's language detector for one text at a time, answering as langdetect
    does with the same profiles, settings and seed."""

    def __init__(self, factory: DetectorFactory):
        ngrams = [w for w in factory.word_lang_prob_map if 1 <= len(w) <= 3 and "\x00" not in w]
        self.langlist: tuple[str, ...] = tuple(factory.langlist)
        self.ngrams = np.array(ngrams, dtype=object)
        self.ngram_probabilities = np.array([factory.word_lang_prob_map[w] for w in ngrams],
                                            dtype=np.float64)  # (n-grams, languages)
        self.index = NGramIndex(np.array([_packed_ngram(w) for w in ngrams], dtype=np.uint64))
        normalized = np.arange(NUM_CODE_POINTS, dtype=np.uint32)
        normalized[:BMP_SIZE] = [ord(NGram.normalize(chr(c))) for c in range(BMP_SIZE)]
        self.normalized = normalized
        self.is_upper = np.array([chr(c).isupper() for c in range(NUM_CODE_POINTS)], dtype=bool)

    @staticmethod
    def appended(text: str) -> str:
        """``text`` as ``Detector.append`` stores it, except that runs of spaces are left
        for ``ngram_rows`` to collapse after normalisation (collapsing first changes nothing)."""
        # Each pattern is searched for only when a character it needs is present.
        if "http" in text:
            text = Detector.URL_RE.sub(" ", text)
        if "@" in text:
            text = Detector.MAIL_RE.sub(" ", text)
        if any(mark in text for mark in NGram.DMARK_CLASS):
            text = NGram.normalize_vi(text)
        return text[:MAX_TEXT_LENGTH]

    def ngram_rows(self, text: str) -> np.ndarray:
        """Rows of ``ngram_probabilities`` for langdetect's n-grams of ``text``, in the
        order ``Detector._extract_ngrams`` lists them."""
        codes = np.frombuffer(self.appended(text).encode("utf-32-le", "surrogatepass"),
                              dtype=np.uint32)
        latin = (codes >= LATIN_FIRST) & (codes <= LATIN_LAST)
        if 2 * np.count_nonzero(latin) < np.count_nonzero(codes >= NON_LATIN_FIRST):
            codes = codes[~latin]  # Detector.cleaning_text: mostly another script
        chars = np.empty(len(codes) + 1, dtype=np.uint64)
        chars[0] = SPACE  # langdetect's n-gram window starts as a space
        chars[1:] = self.normalized[codes]
        is_space = chars == SPACE
        chars = chars[np.concatenate(([True], ~(is_space[1:] & is_space[:-1])))]
        if len(chars) < 2:
            return np.empty(0, dtype=np.intp)
        # Each position i >= 1 adds chars[i] to the window and offers its last 1, 2 and 3
        # characters; a space restarts the window, so a 3-gram needs chars[i - 1] to be a
        # letter, and a letter after a space is no 1-gram.
        is_space = chars == SPACE
        bigrams = (chars[:-1] << np.uint64(BITS_PER_CHAR)) | chars[1:]
        keys = np.zeros((len(chars) - 1, 3), dtype=np.uint64)  # (positions, n)
        keys[:, 0] = chars[1:]
        keys[:, 1] = bigrams
        keys[1:, 2] = (bigrams[:-1] << np.uint64(BITS_PER_CHAR)) | chars[2:]
        # NGram.capitalword: nothing is offered at an upper-case letter after another.
        upper = self.is_upper[chars]
        offered = np.empty(keys.shape, dtype=bool)
        offered[:, 1] = ~(upper[1:] & upper[:-1])
        offered[:, 0] = offered[:, 1] & ~is_space[1:]
        offered[:, 2] = offered[:, 1] & ~is_space[:-1]
        rows, found = self.index.lookup(keys.ravel())  # row-major: by position, n = 1..3
        return rows[offered.ravel() & found]

    def extract_ngrams(self, text: str) -> list[str]:
        """The n-grams langdetect's ``Detector._extract_ngrams`` finds in ``text``."""
        return self.ngrams[self.ngram_rows(text)].tolist()

    def probabilities(self, text: str, seed: int) -> np.ndarray:
        """Each language's probability (in ``langlist`` order) as langdetect's
        ``Detector._detect_block`` leaves it; raises langdetect's LangDetectException
        when the text has no n-grams, as langdetect does."""
        rows = self.ngram_rows(text).tolist()
        if not rows:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        rng = random.Random(seed)
        choice, table = rng.choice, self.ngram_probabilities
        multiply, divide = np.multiply, np.divide
        num_languages = len(self.langlist)
        langprob = np.zeros(num_languages)
        prob = np.empty(num_languages)
        # Row 0: the probabilities so far; rows 1..: the factors of the next updates.
        stack = np.empty((CHECK_EVERY + 1, num_languages))
        current = stack[0]
        one_update, all_updates = (stack[:2], stack[1:2]), (stack, stack[1:])
        for _ in range(N_TRIAL):
            current.fill(1.0 / num_languages)
            alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
            weight = alpha / Detector.BASE_FREQ
            picks, (updates, factors), last_update = [choice(rows)], one_update, 0
            while True:
                table.take(picks, axis=0, out=factors)
                factors += weight
                # Multiplies row by row, in order: as langdetect's prob[i] *= weight + p.
                multiply.reduce(updates, axis=0, out=prob)
                values = prob.tolist()
                total = sum(values)  # Python's left-to-right sum, as langdetect
                divide(prob, total, out=current)
                # Dividing by one positive number keeps the order, so this is the
                # largest of the quotients, as langdetect computes it.
                if (max(values) / total > Detector.CONV_THRESHOLD
                        or last_update >= Detector.ITERATION_LIMIT):
                    break
                # CHECK_EVERY draws, written out (twice as fast as a comprehension)
                picks = [choice(rows), choice(rows), choice(rows), choice(rows), choice(rows)]
                updates, factors = all_updates
                last_update += CHECK_EVERY
            langprob += current / N_TRIAL
        return langprob

    def get_probabilities(self, text: str, seed: int) -> list[Language]:
        """langdetect's ``get_probabilities()`` for ``text``: ``Language(lang, prob)``
        above ``Detector.PROB_THRESHOLD``, most probable first."""
        langprob = self.probabilities(text, seed)
        found = [Language(lang, p) for lang, p in zip(self.langlist, langprob.tolist(), strict=True)
                 if p > Detector.PROB_THRESHOLD]
        found.sort(reverse=True)
        return found


_shared: FastDetector | None = None
_shared_lock = threading.Lock()


def shared_detector() -> FastDetector:
    """This process's detector over langdetect's bundled profiles, built on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            _shared = FastDetector(factory)
    return _shared
