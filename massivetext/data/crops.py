"""Document crops (Gopher Appendix A.1.2; docs/sequences.md).

For sequences of n tokens a crop is at most C = 15 x n UTF-8 bytes of one document of
B bytes: draw s uniformly from the integers in [-C/4, B - C/4), take bytes
[max(0, s), min(B, s + C)), then move both ends inwards to character boundaries. The
negative part of the range is what gives a document's first bytes a fair chance: the
crop starts at byte 0 with probability min(C/4 + 1, B) / B.
"""

from __future__ import annotations

import numpy as np

# Gopher Appendix A.1.2: a crop holds 15 bytes per token of the sequence length.
CROP_BYTES_PER_TOKEN = 15


def crop_bytes(seq_len: int, bytes_per_token: int = CROP_BYTES_PER_TOKEN) -> int:
    return bytes_per_token * seq_len


def draw_crop(rng: np.random.Generator, length: int, crop_size: int) -> tuple[int, int]:
    """Byte bounds [start, stop) of a crop of a ``length``-byte document, unsnapped."""
    if length <= 0:
        return 0, 0
    quarter = crop_size // 4
    s = int(rng.integers(-quarter, length - quarter))
    return max(0, s), min(length, s + crop_size)


def _is_continuation(byte: int) -> bool:
    return byte & 0xC0 == 0x80


def snap_to_characters(data: np.ndarray, start: int, stop: int) -> tuple[int, int]:
    """Move ``start`` forward and ``stop`` back to the nearest UTF-8 character starts."""
    length = len(data)
    while start < stop and start < length and _is_continuation(int(data[start])):
        start += 1
    while stop > start and stop < length and _is_continuation(int(data[stop])):
        stop -= 1
    return start, stop
