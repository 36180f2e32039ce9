"""Compression: UTF-8 bytes per token per subset, in the shape of Gopher's Table A2.

Each subset is measured on a seeded sample of its documents (the same hash sampling as
tokenizer training, with another seed so the figures are not taken on training text
when the budget is smaller than the subset), bounded to ``max_bytes`` per subset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from massivetext.io.shard_reader import find_subsets
from massivetext.tokenizer.tokenizer import Tokenizer
from massivetext.tokenizer.training import SubsetSample, sampled_documents

# Gopher Table A2: UTF-8 bytes per SentencePiece token of the paper's tokenizer.
PAPER_BYTES_PER_TOKEN = {"massiveweb": 4.22, "c4": 4.41, "books": 4.23, "news": 4.43,
                         "github": 2.07, "wikipedia": 4.18}
# Our choice: 20 MB per subset gives the ratio to three digits and takes seconds.
DEFAULT_MAX_BYTES = 20_000_000
# Texts handed to SentencePiece per call: amortises the call, bounds memory.
ENCODE_BATCH = 256
MEASURE_SEED_OFFSET = 1_000_003


@dataclass(frozen=True)
class Compression:
    subset: str
    documents: int
    utf8_bytes: int
    tokens: int

    @property
    def bytes_per_token(self) -> float:
        return self.utf8_bytes / self.tokens if self.tokens else float("nan")


def measure_compression(tokenizer: Tokenizer, runs: Sequence[str],
                        max_bytes: int = DEFAULT_MAX_BYTES, seed: int = 0) -> list[Compression]:
    """Bytes per token of every subset under ``runs`` (one line per subset name)."""
    subsets = [subset for run in runs for subset in find_subsets(run)]
    totals: dict[str, list[int]] = {}
    for subset in subsets:
        same_name = sum(other.text_bytes for other in subsets if other.name == subset.name)
        probability = min(1.0, max_bytes / same_name) if same_name else 0.0
        sample = SubsetSample("", subset.name, subset.manifest_sha256, subset.rows,
                              subset.text_bytes, probability,
                              budget_bytes=max_bytes * subset.text_bytes // max(1, same_name))
        counts = totals.setdefault(subset.name, [0, 0, 0])
        batch: list[str] = []
        for text in sampled_documents(subset, sample, seed + MEASURE_SEED_OFFSET):
            batch.append(text)
            if len(batch) == ENCODE_BATCH:
                counts[2] += sum(len(ids) for ids in tokenizer.encode_batch(batch))
                batch = []
        counts[2] += sum(len(ids) for ids in tokenizer.encode_batch(batch))
        counts[0] += sample.sampled_documents
        counts[1] += sample.sampled_bytes
    return [Compression(name, *counts) for name, counts in sorted(totals.items())]


def format_table_a2(rows: Sequence[Compression]) -> str:
    header = f"{'subset':<12}{'documents':>11}{'bytes':>14}{'tokens':>12}" \
             f"{'bytes/token':>13}{'paper':>8}"
    lines = ["UTF-8 bytes per token (Gopher Table A2)", header, "-" * len(header)]
    for row in rows:
        paper = PAPER_BYTES_PER_TOKEN.get(row.subset.lower())
        lines.append(f"{row.subset:<12}{row.documents:>11}{row.utf8_bytes:>14}{row.tokens:>12}"
                     f"{row.bytes_per_token:>13.2f}{paper if paper else '-':>8}")
    return "\n".join(lines)
