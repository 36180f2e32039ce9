"""The whole dedup stage (exact, then near duplicates) on Beam's local FnApiRunner.

Corpus: random-word documents with planted near duplicates (Jaccard aimed uniformly at
0.5 to 1.0, some in chains), whitespace-only exact copies, and one boilerplate family
large enough to make star buckets (:func:`massivetext.dedup.evaluation.planted_corpus`).

Prints, from the same run, for our Beam stage and for the in-process reference
(datasketch's MinHash + MinHashLSH at the same threshold and permutations, every LSH
candidate treated as a duplicate and grouped with a single-process union-find, the
usual way it is used): documents per second of wall time and per CPU-second of this
process (the local runner runs in-process on one core; it reads the corpus from a JSONL
file, as a pipeline would), recall and precision against
brute-force exact Jaccard over all pairs (:mod:`massivetext.dedup.evaluation`), documents
removed against the ideal number, clusters found.

Run: ``python -m benchmarks dedup`` (about 10,000 documents; ``BENCH_DEDUP_BASES`` to
change the size).
"""

from __future__ import annotations

import collections
import functools
import json
import os
import random
import tempfile
import time

import apache_beam as beam
from massivetext.pipelines.dedup import ExactDedup, NearDedup
from massivetext.pipelines.document_store import StoreDocuments
from massivetext.pipelines.options import LOCAL_RUNNER

from massivetext.dedup.evaluation import planted_corpus, score_removals, similar_pairs
from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, DEFAULT_NUM_PERM, dedup_words
from massivetext.document import Document

BASES = int(os.environ.get("BENCH_DEDUP_BASES", "4000"))  # about 2.5 documents per base
EXACT_COPY_EVERY = 20  # one whitespace-only copy per 20 documents
BOILERPLATE_PAGES = 150

_SINK: dict[str, list] = collections.defaultdict(list)


def _collect(name: str, element) -> None:
    _SINK[name].append(element)  # in-process runner: module state is shared


def build_corpus(bases: int = BASES) -> list[tuple[str, str]]:
    corpus = planted_corpus(bases, seed=2024)
    corpus += [(f"{doc_id}-copy", text.replace(" ", "\n", 3))
               for doc_id, text in corpus[::EXACT_COPY_EVERY]]
    rng = random.Random(5)
    template = [f"menu{rng.randrange(10**6)}" for _ in range(400)]
    for page in range(BOILERPLATE_PAGES):
        words = list(template)
        words[rng.randrange(len(words))] = f"item{page}"
        corpus.append((f"boilerplate{page}", " ".join(words)))
    rng.shuffle(corpus)
    return corpus


def _document(line: str) -> Document:
    record = json.loads(line)
    return Document(id=record["id"], text=record["text"])


def run_beam(corpus_path: str):
    _SINK.clear()
    store = f"{corpus_path}.store"
    with beam.Pipeline(runner=LOCAL_RUNNER) as pipeline:
        exact = (pipeline
                 | beam.io.ReadFromText(corpus_path)
                 | "Parse" >> beam.Map(_document)
                 | "Store" >> StoreDocuments(store)
                 | "Exact" >> ExactDedup(store))
        near = exact.kept | "Near" >> NearDedup(store)
        removed = (exact.removed, near.removed) | "All removed" >> beam.Flatten()
        _ = removed | "Removed ids" >> beam.Map(
            lambda r: functools.partial(_collect, "removed")(r.document.id))
        stats = (exact.stats, near.stats) | "All stats" >> beam.Flatten()
        _ = stats | "Stats" >> beam.Map(functools.partial(_collect, "stats"))
    stats = collections.Counter()
    for stage, key, value in _SINK["stats"]:
        stats[(stage, key)] += value
    return set(_SINK["removed"]), stats


def run_datasketch(corpus):
    """The reference: datasketch LSH candidates, clustered by union-find, no verification."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=DEFAULT_THRESHOLD, num_perm=DEFAULT_NUM_PERM)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, text in corpus:
        words = dedup_words(text)
        width = min(DEFAULT_NGRAM_SIZE, len(words))
        minhash = MinHash(num_perm=DEFAULT_NUM_PERM)
        minhash.update_batch([" ".join(words[i:i + width]).encode("utf-8")
                              for i in range(len(words) - width + 1)])
        for other in lsh.query(minhash):
            parent[find(doc_id)] = find(other)
        lsh.insert(doc_id, minhash)
    clusters = collections.defaultdict(list)
    for doc_id, _ in corpus:
        clusters[find(doc_id)].append(doc_id)
    removed = {d for members in clusters.values() if len(members) > 1 for d in members[1:]}
    return removed, sum(len(m) > 1 for m in clusters.values())


def _timed(function, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    corpus = build_corpus()
    ids, texts = zip(*corpus, strict=True)
    truth, truth_wall, _ = _timed(similar_pairs, ids, texts)
    print(f"{len(corpus)} documents, {truth.left.size} pairs with Jaccard > "
          f"{DEFAULT_THRESHOLD} (brute force over all pairs: {truth_wall:.1f} s)")
    with tempfile.TemporaryDirectory() as directory:
        corpus_path = os.path.join(directory, "corpus.jsonl")
        with open(corpus_path, "w", encoding="utf-8") as file:
            file.writelines(json.dumps({"id": i, "text": t}) + "\n" for i, t in corpus)
        (removed, stats), wall, cpu = _timed(run_beam, corpus_path)
    (ref_removed, ref_clusters), ref_wall, ref_cpu = _timed(run_datasketch, corpus)
    ours, reference = score_removals(truth, removed), score_removals(truth, ref_removed)
    clusters = stats[("exact_dedup", "clusters")] + stats[("near_dedup", "clusters")]
    print(f"{'':34}{'docs/s':>8}{'docs/cpu-s':>11}{'recall':>8}{'precision':>10}"
          f"{'removed':>9}{'ideal':>7}{'clusters':>9}")
    for name, score, seconds, cpu_seconds, found in (
            ("Beam local runner (exact+near)", ours, wall, cpu, clusters),
            ("datasketch LSH, in-process", reference, ref_wall, ref_cpu, ref_clusters)):
        print(f"{name:34}{len(corpus) / seconds:8.0f}{len(corpus) / cpu_seconds:11.0f}"
              f"{score.recall:8.4f}{score.precision:10.4f}{score.removed:9d}"
              f"{score.ideal_removals:7d}{found:9d}")
    print(f"speed ratio ours/reference (wall): {ref_wall / wall:.2f}")
    print("near_dedup: " + ", ".join(f"{key}={value}" for (stage, key), value
                                     in sorted(stats.items()) if stage == "near_dedup"))
