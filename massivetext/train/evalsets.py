"""Evaluation sets for a run: test-set files (WikiText-103, LAMBADA, any file the
decontamination stage reads, through the same loaders) and curated subsets' documents,
scored by :mod:`massivetext.train.evaluation` every K steps and at the end."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from massivetext.io.shard_reader import find_subsets, open_shard
from massivetext.testsets.loaders import load_test_set
from massivetext.train.evaluation import bits_per_byte, lambada_accuracy, make_scorer


@dataclass
class EvalSets:
    """name -> texts for BPB; name -> passages for LAMBADA last-word accuracy."""

    texts: dict[str, list[str]] = field(default_factory=dict)
    lambada: dict[str, list[str]] = field(default_factory=dict)

    def add_file(self, path: str, limit: int | None = None) -> None:
        documents = list(itertools.islice(load_test_set(path), limit))
        if not documents:
            raise ValueError(f"no evaluation documents in {path}")
        # The loader's name: "wikitext-103", "lambada", ... (WikiText-2 and -103 share
        # their test articles).
        name = documents[0].test_set or Path(path).name
        texts = [d.text for d in documents]
        if name == "lambada":
            self.lambada[name] = texts
        self.texts[name] = texts

    def add_curated(self, run_directory: str, limit: int = 50) -> None:
        """The first ``limit`` documents of each subset of a curated run, by shard order."""
        for subset in find_subsets(run_directory):
            texts = []
            for shard in subset.shards:
                for _, text in open_shard(subset.shard_path(shard)).iter_texts():
                    texts.append(text)
                    if len(texts) >= limit:
                        break
                if len(texts) >= limit:
                    break
            self.texts[f"curated:{subset.name}"] = texts


class Evaluator:
    """``evaluator(trainer, params, step) -> {set: {"bpb": ..., ...}}``."""

    def __init__(self, tokenizer, sets: EvalSets, seq_len: int, batch_size: int = 8):
        self.tokenizer, self.sets = tokenizer, sets
        self.seq_len, self.batch_size = seq_len, batch_size
        self._scorers = {}

    def __call__(self, trainer, params, step: int | None = None) -> dict:
        key = id(trainer.graphdef)
        if key not in self._scorers:
            self._scorers[key] = make_scorer(trainer.graphdef)
        score = self._scorers[key]
        results = {}
        for name, texts in self.sets.texts.items():
            result = bits_per_byte(score, params, self.tokenizer, texts, self.seq_len,
                                   self.batch_size)
            results[name] = {"bpb": result.bpb, "bytes": result.utf8_bytes,
                             "tokens": result.tokens, "texts": result.texts}
        for name, passages in self.sets.lambada.items():
            results[name]["last_word_accuracy"] = lambada_accuracy(
                score, params, self.tokenizer, passages, self.seq_len, self.batch_size)
        return results
