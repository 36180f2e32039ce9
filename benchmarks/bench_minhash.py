"""MinHash signatures of word 13-grams: ours against datasketch, on the same documents.

Documents are the human-checked article texts of the scrapinghub article-extraction
benchmark (../shared/data), each repeated with a growing share of its words replaced so
that pairs span the whole Jaccard range; without the data, generated prose stands in.
Both sides start from the raw text and use the same shingles (``dedup_words``, 13-grams):
datasketch gets each shingle as its UTF-8 string. Timings share the machine with other
work, so compare the ratios, which are measured in the same run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

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

GROUND_TRUTH = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction"
                / "scrapinghub-aeb" / "ground-truth.json")
VARIANTS_PER_ARTICLE = 8  # 181 articles x 8 = 1,448 documents
PER_SHINGLE_DOCS = 200  # datasketch's per-shingle update is slow: time a prefix only
PAIRS = 400
ROUNDS = 3


def _articles() -> tuple[list[str], str]:
    if GROUND_TRUTH.exists():
        truth = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
        texts = [entry["articleBody"] for entry in truth.values() if entry.get("articleBody")]
        return texts, f"{len(texts)} scrapinghub gold articles"
    rng = np.random.default_rng(0)
    vocabulary = [f"word{i}" for i in range(5000)]
    texts = [" ".join(rng.choice(vocabulary, 700)) + "." for _ in range(180)]
    return texts, "180 generated documents (real data absent)"


def _documents() -> tuple[list[str], list[tuple[int, int]], str]:
    """Variants of each article (0%, 2%, 4%, ... of words replaced) and near pairs."""
    rng = np.random.default_rng(1)
    articles, origin = _articles()
    documents, pairs = [], []
    for article in articles:
        words = article.split(" ")
        first = len(documents)
        for variant in range(VARIANTS_PER_ARTICLE):
            replaced = list(words)
            for position in rng.choice(len(words), int(len(words) * 0.02 * variant)):
                replaced[position] = f"edit{variant}x{position}"
            documents.append(" ".join(replaced))
        pairs += [(first, first + variant) for variant in range(1, VARIANTS_PER_ARTICLE)]
    chosen = rng.choice(len(pairs), min(PAIRS, len(pairs)), replace=False)
    return documents, [pairs[i] for i in chosen], origin


def _shingle_strings(text: str) -> list[bytes]:
    words = dedup_words(text)
    width = min(DEFAULT_NGRAM_SIZE, len(words))
    return [" ".join(words[i:i + width]).encode("utf-8")
            for i in range(len(words) - width + 1)] if words else []


def _timed(function, documents):
    start = time.perf_counter()
    results = [function(text) for text in documents]
    return results, time.perf_counter() - start


def _best_of_rounds(methods, documents):
    """Each method's fastest of ROUNDS passes, the methods interleaved round by round, so
    that load from other processes hits all of them alike."""
    best = [float("inf")] * len(methods)
    results = [None] * len(methods)
    for _ in range(ROUNDS):
        for index, (function, subset) in enumerate(methods):
            results[index], seconds = _timed(function, documents[:subset])
            best[index] = min(best[index], seconds * len(documents) / subset)
    return results, best


def main() -> None:
    import datasketch

    documents, pairs, origin = _documents()
    megabytes = sum(len(text.encode("utf-8")) for text in documents) / 1e6
    hasher = MinHasher(DEFAULT_NUM_PERM, DEFAULT_SEED)

    def datasketch_batch(text):
        sketch = datasketch.MinHash(num_perm=DEFAULT_NUM_PERM, seed=DEFAULT_SEED)
        sketch.update_batch(_shingle_strings(text))
        return sketch

    def datasketch_each(text):
        sketch = datasketch.MinHash(num_perm=DEFAULT_NUM_PERM, seed=DEFAULT_SEED)
        for shingle in _shingle_strings(text):
            sketch.update(shingle)
        return sketch

    hasher.signature_of_text(documents[0])  # build the punctuation table outside timing
    (ours, batch, _), (ours_seconds, batch_seconds, each_seconds) = _best_of_rounds(
        [(hasher.signature_of_text, len(documents)), (datasketch_batch, len(documents)),
         (datasketch_each, PER_SHINGLE_DOCS)], documents)

    print(f"{len(documents)} documents ({origin}, {VARIANTS_PER_ARTICLE} variants each), "
          f"{megabytes:.1f} MB, {DEFAULT_NUM_PERM} permutations, word {DEFAULT_NGRAM_SIZE}-grams")
    print(f"{'method':<40} {'docs/s':>9} {'MB/s':>7}  ours is")
    for label, seconds in (("massivetext MinHasher.signature_of_text", ours_seconds),
                           ("datasketch MinHash.update_batch", batch_seconds),
                           (f"datasketch MinHash.update (first {PER_SHINGLE_DOCS})",
                            each_seconds)):
        speedup = "" if seconds is ours_seconds else f"{seconds / ours_seconds:.1f}x faster"
        print(f"{label:<40} {len(documents) / seconds:>9.0f} {megabytes / seconds:>7.2f}  "
              f"{speedup}")

    exact, ours_estimates, theirs_estimates = [], [], []
    for left, right in pairs:
        exact.append(exact_jaccard(shingle_hashes(documents[left]),
                                   shingle_hashes(documents[right])))
        ours_estimates.append(estimate_jaccard(ours[left], ours[right]))
        theirs_estimates.append(batch[left].jaccard(batch[right]))
    exact, ours_estimates, theirs_estimates = map(np.array, (exact, ours_estimates,
                                                             theirs_estimates))
    print(f"Jaccard over {len(pairs)} pairs (exact mean {exact.mean():.3f}, "
          f"range {exact.min():.2f}..{exact.max():.2f}):")
    print(f"  mean |ours - datasketch| = {np.abs(ours_estimates - theirs_estimates).mean():.4f}")
    print(f"  mean error ours {np.mean(ours_estimates - exact):+.4f} "
          f"(|error| {np.abs(ours_estimates - exact).mean():.4f}), datasketch "
          f"{np.mean(theirs_estimates - exact):+.4f} "
          f"(|error| {np.abs(theirs_estimates - exact).mean():.4f})")


if __name__ == "__main__":
    main()
