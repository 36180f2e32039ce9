"""Evaluation sets for a run: test-set files (WikiText-103, LAMBADA, any file the
decontamination stage reads, through the same loaders) and the held-out slice of each
curated subset (:mod:`massivetext.data.holdout`: documents the loader never trains on),
scored by :mod:`massivetext.train.evaluation` every K steps and at the end."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from massivetext.data.documents import DocumentSource
from massivetext.data.holdout import HoldOut
from massivetext.io.shard_reader import find_subsets
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

    def add_curated(self, run_directory: str, holdout: HoldOut, limit: int = 50) -> None:
        """The first ``limit`` held-out documents of each subset of a curated run, in
        shard order, as ``held-out:<subset>``."""
        if holdout.fraction == 0:
            raise ValueError("a curated run's documents are all trained on at a held-out "
                             "fraction of 0: give a held-out fraction above 0")
        for subset in find_subsets(run_directory):
            source = DocumentSource(subset)
            texts = []
            for index in range(len(source)):
                if len(texts) >= limit:
                    break
                if source.document_id(index) in holdout:
                    texts.append(source.text_bytes(index).tobytes().decode("utf-8"))
            if not texts:
                raise ValueError(f"{subset.directory}: none of its {len(source)} documents is "
                                 f"held out at fraction {holdout.fraction}; raise the fraction")
            self.texts[f"held-out:{subset.name}"] = texts


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
