"""Crop bounds (Gopher Appendix A.1.2): inside the document, on characters, and the
first and last bytes included as often as the formula says."""

import math
import random

import numpy as np
import pytest

from massivetext.data.crops import crop_bytes, draw_crop, snap_to_characters

CHARACTERS = ["a", "b", " ", "\n", "é", "ß", "€", "日", "本", "😀", "𝔘"]  # 1 to 4 bytes


def utf8_document(rng: random.Random, characters: int) -> np.ndarray:
    text = "".join(rng.choice(CHARACTERS) for _ in range(characters))
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def test_crop_size_is_fifteen_bytes_per_token():
    assert crop_bytes(2048) == 30720


@pytest.mark.parametrize("characters,crop_size", [(1, 40), (30, 40), (500, 40), (500, 4000),
                                                  (3000, 1000)])
def test_every_crop_lies_inside_its_document_on_character_boundaries(characters, crop_size):
    rng, generator = random.Random(characters), np.random.default_rng(crop_size)
    data = utf8_document(rng, characters)
    for _ in range(2000):
        start, stop = snap_to_characters(data, *draw_crop(generator, len(data), crop_size))
        assert 0 <= start <= stop <= len(data) and stop - start <= crop_size
        data[start:stop].tobytes().decode("utf-8")  # whole characters only
        assert start == len(data) or data[start] & 0xC0 != 0x80
        assert stop == len(data) or data[stop] & 0xC0 != 0x80


def within_sampling_error(hits: int, draws: int, probability: float) -> bool:
    spread = math.sqrt(draws * probability * (1 - probability))
    return abs(hits - draws * probability) <= 4.5 * spread


@pytest.mark.parametrize("length,crop_size", [(4000, 2000), (1200, 2000), (600, 2000)])
def test_first_and_last_bytes_are_included_as_often_as_the_formula_gives(length, crop_size):
    # s ~ U{-C/4, ..., B - C/4 - 1}: the crop starts at 0 when s <= 0, ends at B when
    # s >= B - C.
    generator, draws, quarter = np.random.default_rng(length), 20000, crop_size // 4
    crops = [draw_crop(generator, length, crop_size) for _ in range(draws)]
    first = min(quarter + 1, length) / length
    last = (length - quarter - max(-quarter, length - crop_size)) / length
    assert within_sampling_error(sum(start == 0 for start, _ in crops), draws, first)
    assert within_sampling_error(sum(stop == length for _, stop in crops), draws, last)


def test_documents_up_to_a_quarter_crop_appear_whole_and_short_ones_keep_their_end():
    generator, crop_size = np.random.default_rng(0), 2000
    for length in (1, 17, 500):
        assert {draw_crop(generator, length, crop_size) for _ in range(500)} == {(0, length)}
    # Shorter than 3C/4: s + C always passes the end, so only the start moves.
    assert all(draw_crop(generator, 1400, crop_size)[1] == 1400 for _ in range(2000))
    assert draw_crop(generator, 0, crop_size) == (0, 0)


def test_snapping_leaves_ascii_alone_and_moves_inwards_in_multibyte_text():
    ascii_text = np.frombuffer(b"plain ascii", dtype=np.uint8)
    assert snap_to_characters(ascii_text, 2, 7) == (2, 7)
    text = np.frombuffer("a€b".encode(), dtype=np.uint8)  # a, 3 bytes of €, b
    assert snap_to_characters(text, 2, 3) == (3, 3)
    assert snap_to_characters(text, 0, 3) == (0, 1)
    assert snap_to_characters(text, 2, 5) == (4, 5)
