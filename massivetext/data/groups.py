"""Crop groups: about 10 crops, tokenised, concatenated and cut into n-token rows.

Gopher Appendix A.1.2 (docs/sequences.md): pick a subset by its mixture weight, a
document uniformly from it, a crop of it (:mod:`massivetext.data.crops`); tokenise the
crop and put BOS before it and EOS after it; concatenate :data:`CROPS_PER_GROUP` crops,
split them into rows of n tokens and drop the last, shorter piece (no PAD ever); shuffle
the rows. A group is a pure function of its key (seed, lane, group number): every draw
comes from a generator seeded with that key, so a group can be rebuilt anywhere, in any
order, by any number of threads, and comes out the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from massivetext.data.crops import draw_crop, snap_to_characters
from massivetext.data.documents import DocumentSource
from massivetext.tokenizer import Tokenizer

# Gopher Appendix A.1.2: about 10 crops are concatenated before splitting into rows.
CROPS_PER_GROUP = 10
# A document number in ``doc_ids`` is subset_index << DOCUMENT_BITS | document index.
DOCUMENT_BITS = 40


@dataclass(frozen=True)
class Crop:
    subset: int
    document: int
    start: int  # byte offsets in the document's UTF-8 text
    stop: int
    tokens: int  # with BOS and EOS

    @property
    def document_number(self) -> int:
        return self.subset << DOCUMENT_BITS | self.document


@dataclass(frozen=True)
class Group:
    crops: tuple[Crop, ...]
    rows: np.ndarray  # (R, n) int32 token ids, rows in shuffled order
    doc_ids: np.ndarray  # (R, n) int64 document number of every token
    order: np.ndarray  # (R,) row i of ``rows`` is piece order[i] of the concatenation


class GroupBuilder:
    """Builds the crop groups of a mixture for sequences of ``seq_len`` tokens."""

    def __init__(self, sources: Sequence[DocumentSource], probabilities: Sequence[float],
                 tokenizer: Tokenizer, seq_len: int, crop_size: int, seed: int,
                 crops_per_group: int = CROPS_PER_GROUP):
        self.sources, self.tokenizer = list(sources), tokenizer
        self.seq_len, self.crop_size, self.seed = seq_len, crop_size, seed
        self.crops_per_group = crops_per_group
        self._cumulative = np.cumsum(np.asarray(probabilities, dtype=np.float64))
        self._cumulative[-1] = 1.0  # a draw of 1 - epsilon never falls off the end

    def _draw(self, rng: np.random.Generator) -> tuple[int, int, int, int, str]:
        subset = int(np.searchsorted(self._cumulative, rng.random(), side="right"))
        source = self.sources[subset]
        document = int(rng.integers(len(source)))
        data = source.text_bytes(document)
        start, stop = snap_to_characters(data, *draw_crop(rng, len(data), self.crop_size))
        try:
            text = data[start:stop].tobytes().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{source.subset.directory}: document {document} is not valid "
                             f"UTF-8 ({error})") from None
        return subset, document, start, stop, text

    def build(self, keys: Sequence[tuple[int, int]], num_threads: int = 1) -> list[Group]:
        """The groups of ``keys`` (lane, group number), tokenised in one batched call."""
        rngs = [np.random.default_rng([self.seed, lane, number]) for lane, number in keys]
        draws = [[self._draw(rng) for _ in range(self.crops_per_group)] for rng in rngs]
        texts = [draw[4] for group in draws for draw in group]
        encoded = iter(self.tokenizer.encode_batch(texts, num_threads=num_threads))
        return [self._assemble(rng, group, [next(encoded) for _ in group])
                for rng, group in zip(rngs, draws, strict=True)]

    def _assemble(self, rng: np.random.Generator, draws, encoded: list[np.ndarray]) -> Group:
        n, bos, eos = self.seq_len, self.tokenizer.bos_id, self.tokenizer.eos_id
        lengths = np.array([len(ids) + 2 for ids in encoded], dtype=np.int64)
        crops = tuple(Crop(subset, document, start, stop, int(length))
                      for (subset, document, start, stop, _), length
                      in zip(draws, lengths, strict=True))
        ends = np.cumsum(lengths)
        starts = ends - lengths
        tokens = np.empty(int(ends[-1]), dtype=np.int32)
        tokens[starts], tokens[ends - 1] = bos, eos
        for ids, start in zip(encoded, starts, strict=True):
            tokens[start + 1:start + 1 + len(ids)] = ids
        count = len(tokens) // n  # the last, shorter piece is dropped
        numbers = np.repeat([crop.document_number for crop in crops], lengths)[:count * n]
        order = rng.permutation(count)
        rows = tokens[:count * n].reshape(count, n)[order]  # (R, n)
        return Group(crops, rows, numbers.reshape(count, n)[order], order)
