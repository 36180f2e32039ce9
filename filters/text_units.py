"""The text units every document filter measures: tokens, words, lines, paragraphs.

Definitions follow docs/paper.md, "Our reading of the rules" (Gopher Appendix A.1.1):

- *tokens* are the whitespace-separated pieces of the text (``str.split()``);
- *words* are the tokens that contain at least one letter or digit (``str.isalnum``);
- a token's *normal form* is the token lower-cased with punctuation stripped from both
  ends; the repetition n-grams and the stop-word rule use it (empty forms are dropped);
- *lines* are the text split on line breaks (those of ``str.splitlines``), stripped,
  blank lines dropped; *paragraphs* are the text split on runs of two or more line
  breaks (lines holding only whitespace count as blank), stripped, blanks dropped.

Per-token work is done on the document's code points with NumPy, not in a Python loop
per word: every character is classified through a lookup table, and each token's normal
form is hashed to 64 bits by :mod:`massivetext.dedup.hashing`, a polynomial over random values
of its lower-cased characters read off prefix sums. Documents longer than _PIECE_CHARS
are cut at whitespace and done piece by piece, to bound memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from massivetext.dedup.hashing import (
    character_masks,
    code_points,
    every_character,
    is_punctuation,
    mix64,
    prefix_hashes,
    span_hashes,
)

BULLET_MARKS = ("•", "●", "○", "▪", "■", "◦", "‣", "⁃", "-", "–", "*", "·")
ELLIPSES = ("...", "…")

# Character classes, as bits of the class table (_char_tables).
SPACE, ALNUM, ALPHA, PUNCT = 1, 2, 4, 8
_ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PIECE_CHARS = 1 << 18
_WHITESPACE = re.compile(r"\s")

# Line breaks are those of str.splitlines; a paragraph break is a line break followed by
# one or more further line breaks, with only horizontal whitespace between them.
_LINE_BREAK = r"(?:\r\n|\r(?!\n)|[\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])"
_HORIZONTAL_SPACE = r"[^\S\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_PARAGRAPH_BREAK = re.compile(f"{_LINE_BREAK}(?:{_HORIZONTAL_SPACE}*{_LINE_BREAK})+")
# The same for text whose only line break is "\n" (most text), several times faster;
# what it adds to the next paragraph is whitespace, which stripping removes.
_NEWLINE_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_OTHER_LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


@cache
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """(class bits, hash value of the lower case) for every code point; built once.

    Punctuation is Unicode category P* plus ASCII punctuation (which also holds symbols
    such as ``$`` and ``|``). Lower case is per character (no final-sigma rule); U+0130
    (İ), the one code point whose lower case is two characters, maps to ``i``.
    """
    chars = every_character()
    space, alnum, alpha, punct = character_masks(
        chars, str.isspace, str.isalnum, str.isalpha, is_punctuation)
    punct[[ord(c) for c in _ASCII_PUNCTUATION]] = True
    bits = (space * np.uint8(SPACE) | alnum * np.uint8(ALNUM) | alpha * np.uint8(ALPHA)
            | punct * np.uint8(PUNCT))
    dotted_capital_i = 0x130
    lower = code_points(chars[:dotted_capital_i].lower() + "i"
                        + chars[dotted_capital_i + 1:].lower())
    # +1, then a bijection fixing 0: every character, NUL too, gets a nonzero value.
    return bits, mix64(lower.astype(np.uint64) + np.uint64(1))


@dataclass(frozen=True)
class Tokens:
    """Per-token facts of one document, aligned arrays of length ``count``."""

    count: int
    length: np.ndarray  # characters of the token (int64)
    has_alnum: np.ndarray  # bool: the token is a word
    has_alpha: np.ndarray  # bool: it holds an alphabetic character
    norm_length: np.ndarray  # characters of its normal form; 0 when empty (int64)
    norm_hash: np.ndarray  # 64-bit hash of its normal form; 0 when empty (uint64)


_TOKEN_ARRAYS = ("length", "has_alnum", "has_alpha", "norm_length", "norm_hash")
_EMPTY_TOKENS = Tokens(0, np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool),
                       np.zeros(0, np.int64), np.zeros(0, np.uint64))


@dataclass(frozen=True)
class TokenSpans:
    """Where each token of a text stands: ``[start, end)`` of the token and of its normal
    form (``norm_start == norm_end == 0`` when the normal form is empty), and its class
    bits (SPACE, ALNUM, ALPHA, PUNCT or-ed over its characters)."""

    start: np.ndarray
    end: np.ndarray
    norm_start: np.ndarray
    norm_end: np.ndarray
    bits: np.ndarray


def _token_spans_of_points(points: np.ndarray) -> TokenSpans:
    classes = _char_tables()[0][points]
    # Tokens are the runs of non-space characters: [starts, ends) in text positions.
    in_token = np.concatenate(([False], (classes & SPACE) == 0, [False]))
    edges = np.flatnonzero(in_token[1:] != in_token[:-1])
    starts, ends = edges[0::2], edges[1::2]
    if starts.size == 0:
        empty = np.zeros(0, np.int64)
        return TokenSpans(empty, empty, empty, empty, np.zeros(0, np.uint8))
    # A token's class bits; the whitespace after it adds only the SPACE bit.
    token_bits = np.bitwise_or.reduceat(classes, starts)

    # The normal form runs from the first to the last non-punctuation ("core") character:
    # the token's core characters are core[before[start]:before[end]].
    is_core = (classes & (SPACE | PUNCT)) == 0
    core = np.append(np.flatnonzero(is_core), 0)  # the 0 pads indexing past the end
    before = np.zeros(points.size + 1, dtype=np.int64)
    np.cumsum(is_core, out=before[1:])
    low, high = before[starts], before[ends]
    nonempty = high > low
    span_start = np.where(nonempty, core[low], 0)
    span_end = np.where(nonempty, core[high - 1] + 1, 0)
    return TokenSpans(starts, ends, span_start, span_end, token_bits)


def token_spans(text: str) -> TokenSpans:
    """The tokens of ``text`` as :func:`tokenize` finds them, with their positions (for
    showing which characters a rule counted; done piece by piece like :func:`tokenize`)."""
    parts, offset = [], 0
    for piece in _pieces(text) if len(text) > _PIECE_CHARS else [text]:
        spans = _token_spans_of_points(code_points(piece))
        nonempty = spans.norm_end > spans.norm_start
        parts.append((spans.start + offset, spans.end + offset,
                      np.where(nonempty, spans.norm_start + offset, 0),
                      np.where(nonempty, spans.norm_end + offset, 0), spans.bits))
        offset += len(piece)
    return TokenSpans(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _tokenize_piece(text: str) -> Tokens:
    points = code_points(text)
    spans = _token_spans_of_points(points)
    starts, ends, token_bits = spans.start, spans.end, spans.bits
    if starts.size == 0:
        return _EMPTY_TOKENS
    span_start, span_end = spans.norm_start, spans.norm_end
    prefix = prefix_hashes(_char_tables()[1][points])
    return Tokens(
        count=int(starts.size),
        length=ends - starts,
        has_alnum=(token_bits & ALNUM) != 0,
        has_alpha=(token_bits & ALPHA) != 0,
        norm_length=span_end - span_start,
        norm_hash=span_hashes(prefix, span_start, span_end),
    )


def _pieces(text: str) -> list[str]:
    """``text`` cut at whitespace into pieces of about _PIECE_CHARS, so that the
    per-character arrays of a huge document stay small."""
    pieces, start = [], 0
    while len(text) - start > _PIECE_CHARS:
        boundary = _WHITESPACE.search(text, start + _PIECE_CHARS)
        if boundary is None:
            break
        pieces.append(text[start:boundary.start()])
        start = boundary.start()
    pieces.append(text[start:])
    return pieces


@lru_cache(maxsize=1)  # the quality and repetition filters tokenise the same text in turn
def tokenize(text: str) -> Tokens:
    """Split ``text`` into whitespace tokens and measure each, in NumPy.

    The arrays are read-only: the result is cached and shared between filters.
    """
    if len(text) <= _PIECE_CHARS:
        tokens = _tokenize_piece(text)
    else:
        parts = [_tokenize_piece(piece) for piece in _pieces(text)]
        tokens = Tokens(count=sum(part.count for part in parts),
                        **{name: np.concatenate([getattr(part, name) for part in parts])
                           for name in _TOKEN_ARRAYS})
    for name in _TOKEN_ARRAYS:
        getattr(tokens, name).flags.writeable = False
    return tokens


def normal_form_hash(word: str) -> int:
    """The ``norm_hash`` that :func:`tokenize` gives the single token ``word``."""
    tokens = tokenize.__wrapped__(word)
    if tokens.count != 1:
        raise ValueError(f"not a single token: {word!r}")
    return int(tokens.norm_hash[0])


@lru_cache(maxsize=1)
def lines(text: str) -> tuple[str, ...]:
    """The stripped, non-blank lines of ``text``."""
    return tuple(stripped for line in text.splitlines() if (stripped := line.strip()))


def paragraphs(text: str) -> tuple[str, ...]:
    """The stripped, non-blank paragraphs of ``text``."""
    only_newlines = not any(line_break in text for line_break in _OTHER_LINE_BREAKS)
    breaks = _NEWLINE_PARAGRAPH_BREAK if only_newlines else _PARAGRAPH_BREAK
    return tuple(stripped for part in breaks.split(text) if (stripped := part.strip()))


def _stripped_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) of ``text[start:end].strip()`` in ``text``; None when it is blank."""
    part = text[start:end]
    stripped = part.strip()
    if not stripped:
        return None
    first = start + len(part) - len(part.lstrip())
    return first, first + len(stripped)


def line_spans(text: str) -> list[tuple[int, int]]:
    """Where each of :func:`lines` stands in ``text``: ``[start, end)`` per line."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        if (span := _stripped_span(text, offset, offset + len(line))) is not None:
            spans.append(span)
        offset += len(line)
    return spans


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Where each of :func:`paragraphs` stands in ``text``: ``[start, end)`` each."""
    only_newlines = not any(line_break in text for line_break in _OTHER_LINE_BREAKS)
    breaks = _NEWLINE_PARAGRAPH_BREAK if only_newlines else _PARAGRAPH_BREAK
    bounds = [0, *(edge for match in breaks.finditer(text) for edge in match.span()), len(text)]
    spans = (_stripped_span(text, start, end) for start, end in zip(bounds[::2], bounds[1::2],
                                                                     strict=True))
    return [span for span in spans if span is not None]
