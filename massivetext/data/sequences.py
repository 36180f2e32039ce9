"""SequenceLoader: batches of training sequences from a mixture, deterministic, resumable.

A global batch of ``batch_size`` rows has one row from each of ``batch_size`` lanes.
Lane j reads the rows of its crop groups (seed, j, 0), (seed, j, 1), ... in turn
(:mod:`massivetext.data.groups`): row j of global batch b is lane j's b-th row. So

- process p of P builds only lanes [p * B/P, (p + 1) * B/P): its share of every global
  batch, and no other process's work; the union of the shares is the one-process batch;
- the stream does not depend on ``worker_count`` (tokeniser threads) or on timing;
- the state is, per lane, the group being read and the next row of it: restoring it
  rebuilds one group per lane and continues the exact stream;
- memory holds one group per lane (about 10 crops of tokens), whatever the corpus size.

The loader is a ``grain.DatasetIterator``, so Grain's Orbax checkpoint handler saves and
restores it like any Grain iterator. docs/sequences.md explains the choices.
"""

from __future__ import annotations

import hashlib
import json

import grain
import numpy as np

from massivetext.data.crops import CROP_BYTES_PER_TOKEN, crop_bytes
from massivetext.data.documents import DocumentSource
from massivetext.data.groups import CROPS_PER_GROUP, DOCUMENT_BITS, Group, GroupBuilder
from massivetext.data.mixture import Mixture
from massivetext.tokenizer import Tokenizer

# Gopher Section 3 and Appendix A.1.2: sequences of 2,048 tokens.
DEFAULT_SEQ_LEN = 2048
# Gopher Table 1: batches of 0.25M tokens for the models up to 1.4B, 128 rows of 2,048.
DEFAULT_BATCH_SIZE = 128
STATE_VERSION = 1
# Groups in a row that may give no full row before the documents are judged too short.
MAX_EMPTY_GROUPS = 100


class SequenceLoader(grain.DatasetIterator):
    """Yields ``{"tokens": int32 (B/P, n), "doc_ids": int64 (B/P, n)}`` forever.

    ``doc_ids`` holds, per token, the number of the document it came from:
    ``subset_index << 40 | document_index`` (:meth:`document` names it).
    """

    def __init__(self, mixture: Mixture, tokenizer: Tokenizer, seq_len: int = DEFAULT_SEQ_LEN,
                 batch_size: int = DEFAULT_BATCH_SIZE, seed: int = 0, process_index: int = 0,
                 process_count: int = 1, worker_count: int = 0,
                 crops_per_group: int = CROPS_PER_GROUP,
                 crop_bytes_per_token: int = CROP_BYTES_PER_TOKEN):
        super().__init__()
        if seq_len < 1 or batch_size < 1:
            raise ValueError("seq_len and batch_size must be positive")
        if not 0 <= process_index < process_count or batch_size % process_count:
            raise ValueError(f"batch_size {batch_size} must split evenly over process_count "
                             f"{process_count}, and 0 <= process_index < process_count")
        self.mixture, self.tokenizer = mixture, tokenizer
        self.seq_len, self.batch_size, self.seed = seq_len, batch_size, seed
        self.process_index, self.process_count = process_index, process_count
        self.worker_count = worker_count
        self.local_batch_size = batch_size // process_count
        self._first_lane = process_index * self.local_batch_size
        self.sources = [DocumentSource(entry.subset) for entry in mixture.subsets]
        self.builder = GroupBuilder(self.sources, mixture.probabilities, tokenizer, seq_len,
                                    crop_bytes(seq_len, crop_bytes_per_token), seed,
                                    crops_per_group)
        self._fingerprint = self._config_fingerprint(crops_per_group, crop_bytes_per_token)
        self._numbers = [-1] * self.local_batch_size  # group being read, per lane
        self._positions = [0] * self.local_batch_size  # its next row
        self._groups: list[Group | None] = [None] * self.local_batch_size
        self.batches = 0
        # Since this loader was made (not part of the state): crops drawn per subset, and
        # tokens tokenised (a group's last, shorter piece is among them, then dropped).
        self.crop_counts = np.zeros(len(self.sources), dtype=np.int64)
        self.tokenised_tokens = 0

    def _config_fingerprint(self, crops_per_group: int, crop_bytes_per_token: int) -> str:
        config = {"mixture": self.mixture.to_json(), "seq_len": self.seq_len,
                  "batch_size": self.batch_size, "seed": self.seed,
                  "process": [self.process_index, self.process_count],
                  "crops_per_group": crops_per_group,
                  "crop_bytes_per_token": crop_bytes_per_token,
                  "tokenizer": hashlib.sha256(self.tokenizer.model_bytes).hexdigest()}
        encoded = json.dumps(config, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]

    def _threads(self) -> int:
        return max(1, self.worker_count)

    def _load(self, lanes: list[int]) -> None:
        """Build the current group of each of ``lanes`` (local lane indices)."""
        keys = [(self._first_lane + lane, self._numbers[lane]) for lane in lanes]
        for lane, group in zip(lanes, self.builder.build(keys, self._threads()), strict=True):
            self._groups[lane] = group
            for crop in group.crops:
                self.crop_counts[crop.subset] += 1
                self.tokenised_tokens += crop.tokens

    def _refill(self) -> None:
        """Move every lane whose group is used up to its next group with rows in it."""
        for _ in range(MAX_EMPTY_GROUPS):
            empty = [lane for lane, group in enumerate(self._groups)
                     if group is None or self._positions[lane] >= len(group.rows)]
            if not empty:
                return
            for lane in empty:
                self._numbers[lane] += 1
                self._positions[lane] = 0
            self._load(empty)
        raise ValueError(f"{MAX_EMPTY_GROUPS} groups of {self.builder.crops_per_group} crops "
                         f"in a row gave no full row of {self.seq_len} tokens: the "
                         "documents are too short for this sequence length")

    def __next__(self) -> dict[str, np.ndarray]:
        self._refill()
        rows = [(self._groups[lane], self._positions[lane])
                for lane in range(self.local_batch_size)]
        batch = {"tokens": np.stack([group.rows[row] for group, row in rows]),  # (B/P, n)
                 "doc_ids": np.stack([group.doc_ids[row] for group, row in rows])}
        for lane in range(self.local_batch_size):
            self._positions[lane] += 1
        self.batches += 1
        return batch

    def get_state(self) -> dict:
        """A small JSON-serialisable value: per lane, [group number, next row]."""
        return {"version": STATE_VERSION, "fingerprint": self._fingerprint,
                "batches": self.batches,
                "lanes": [[number, position] for number, position
                          in zip(self._numbers, self._positions, strict=True)]}

    def set_state(self, state: dict) -> None:
        """Continue exactly where the loader that gave ``state`` was."""
        if state.get("version") != STATE_VERSION or state.get("fingerprint") != self._fingerprint:
            raise ValueError("this loader state belongs to another mixture, tokenizer, "
                             "seed, sequence length, batch size or process")
        lanes = state["lanes"]
        if len(lanes) != self.local_batch_size:
            raise ValueError(f"state has {len(lanes)} lanes, this loader {self.local_batch_size}")
        self._numbers = [int(number) for number, _ in lanes]
        self._positions = [int(position) for _, position in lanes]
        self.batches = int(state["batches"])
        self._groups = [None] * self.local_batch_size
        started = [lane for lane, number in enumerate(self._numbers) if number >= 0]
        self._load(started)

    def document(self, number: int) -> tuple[str, str]:
        """(subset name, document id) of a number found in ``doc_ids``."""
        subset, index = number >> DOCUMENT_BITS, number & ((1 << DOCUMENT_BITS) - 1)
        return self.mixture.names[subset], self.sources[subset].document_id(index)
