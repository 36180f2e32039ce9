"""Evaluation: bits per byte on raw text, and LAMBADA last-word accuracy.

Bits per byte (how the paper reports language-modelling tasks): the model's total
negative log-likelihood of a text's tokens, in bits, over the text's UTF-8 bytes, so
tokenizers of different compression compare fairly. Each text is encoded as
``[BOS] + tokens`` and cut into windows of ``seq_len`` predicted tokens; each window
starts fresh (the token before it is its only context). EOS is not scored: it is not a
byte of the text.

LAMBADA: the passage's last word must be predicted exactly, greedily (every one of its
tokens the model's argmax given the passage and the word's earlier tokens).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from massivetext.train.model import token_losses


@dataclass(frozen=True)
class BitsPerByte:
    nats: float  # total negative log-likelihood
    utf8_bytes: int
    tokens: int
    texts: int

    @property
    def bpb(self) -> float:
        return self.nats / math.log(2) / max(self.utf8_bytes, 1)


def _windows(ids: list[int], seq_len: int, pad_id: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """(tokens (seq_len + 1,), mask (seq_len + 1,)) windows; mask marks scored targets."""
    for start in range(0, len(ids) - 1, seq_len):
        chunk = ids[start:start + seq_len + 1]
        tokens = np.full(seq_len + 1, pad_id, np.int32)
        mask = np.zeros(seq_len + 1, np.float32)
        tokens[:len(chunk)] = chunk
        mask[1:len(chunk)] = 1.0
        yield tokens, mask


def make_scorer(graphdef: nnx.GraphDef) -> Callable:
    """A jitted (params, tokens (B, T+1), mask (B, T+1)) -> (summed NLL, argmax hits)."""

    @jax.jit
    def score(params, tokens, mask):
        logits = nnx.merge(graphdef, params)(tokens[:, :-1])  # (B, T, V)
        nll, _ = token_losses(logits, tokens[:, 1:])  # (B, T)
        target_mask = mask[:, 1:]
        hits = (jnp.argmax(logits, -1) == tokens[:, 1:]) | (target_mask == 0)  # (B, T)
        return (nll * target_mask).sum(axis=1), hits.all(axis=1)  # (B,), (B,)

    return score


def _batches(rows: list, batch_size: int, seq_len: int, pad_id: int):
    for start in range(0, len(rows), batch_size):
        part = rows[start:start + batch_size]
        tokens = np.full((batch_size, seq_len + 1), pad_id, np.int32)
        mask = np.zeros((batch_size, seq_len + 1), np.float32)
        for row, (row_tokens, row_mask) in enumerate(part):
            tokens[row], mask[row] = row_tokens, row_mask
        yield tokens, mask, len(part)


def bits_per_byte(score: Callable, params, tokenizer, texts: Iterable[str], seq_len: int,
                  batch_size: int = 8) -> BitsPerByte:
    """BPB of ``texts`` under the model; ``score`` from :func:`make_scorer`."""
    rows, utf8_bytes, n_tokens, n_texts = [], 0, 0, 0
    for text in texts:
        ids = [tokenizer.bos_id] + tokenizer.encode(text)
        rows.extend(_windows(ids, seq_len, tokenizer.pad_id))
        utf8_bytes += len(text.encode("utf-8"))
        n_tokens += len(ids) - 1
        n_texts += 1
    nats = 0.0
    for tokens, mask, used in _batches(rows, batch_size, seq_len, tokenizer.pad_id):
        nll, _ = score(params, tokens, mask)
        nats += float(np.asarray(nll)[:used].sum())
    return BitsPerByte(nats=nats, utf8_bytes=utf8_bytes, tokens=n_tokens, texts=n_texts)


def lambada_accuracy(score: Callable, params, tokenizer, passages: Iterable[str],
                     seq_len: int, batch_size: int = 8) -> float:
    """Share of passages whose last word the model predicts exactly and greedily."""
    rows = []
    for passage in passages:
        context, _, word = passage.rstrip().rpartition(" ")
        if not context:
            continue
        context_ids = [tokenizer.bos_id] + tokenizer.encode(context)
        word_ids = tokenizer.encode(" " + word)
        ids = (context_ids + word_ids)[-(seq_len + 1):]
        tokens = np.full(seq_len + 1, tokenizer.pad_id, np.int32)
        mask = np.zeros(seq_len + 1, np.float32)
        tokens[:len(ids)] = ids
        mask[len(ids) - len(word_ids):len(ids)] = 1.0  # score only the last word
        rows.append((tokens, mask))
    correct = 0
    for tokens, mask, used in _batches(rows, batch_size, seq_len, tokenizer.pad_id):
        _, hits = score(params, tokens, mask)
        correct += int(np.asarray(hits)[:used].sum())
    return correct / max(len(rows), 1)
