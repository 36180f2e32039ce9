"""Exact-duplicate keys (Gopher Appendix A.1.1 step 5: exact duplicates go first;
docs/paper.md, "Document deduplication")."""

from __future__ import annotations

import xxhash


def exact_text_key(text: str) -> bytes:
    """128-bit hash of the text with whitespace runs collapsed to one space and the ends
    stripped: documents differing only in spacing or line breaks are exact duplicates,
    while case and punctuation still count (the near-duplicate stage ignores those)."""
    return xxhash.xxh3_128_digest(" ".join(text.split()).encode("utf-8", "surrogatepass"))
