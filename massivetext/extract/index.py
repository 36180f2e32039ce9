"""TextIndex: text measures of every element of a parsed page, from one pass over it.

The extractor asks, for many elements, how long their text is, how much of it sits in
links, and how many commas it has. Answering each question with an XPath over the
element's subtree costs O(elements x depth) on big nested pages; this index answers
all of them from one preorder layout of the page's text.
"""

from __future__ import annotations

import operator

import numpy as np
from lxml import etree

# Character classes by code point, as bits: XPath's whitespace (normalize-space),
# Python's (str.strip) and the comma. All are at or below U+3000: a higher code point
# reads the table's last entry, which has none of them.
_XPATH_SPACE, _PYTHON_SPACE, _COMMA = 1, 2, 4
_LAST_CLASSED = 0x3000
_CHARACTER_CLASSES = np.array(
    [(_XPATH_SPACE if c in (0x20, 0x09, 0x0A, 0x0D) else 0)
     | (_PYTHON_SPACE if chr(c).isspace() else 0) | (_COMMA if c == ord(",") else 0)
     for c in range(_LAST_CLASSED + 2)], dtype=np.uint8)


class TextIndex:
    """Text measures of every element's ``string(.)`` in a tree, from one pass over it.

    The tree's text is laid out once in document order, each element owning a span of
    it, and the measures of all spans are computed together with NumPy: no walk over
    any element's subtree per question. The tree may lose subtrees afterwards
    (:func:`drop_element`): an element after the dropped ones in document order still
    measures right, as its own text did not change.
    """

    def __init__(self, root: etree._Element):
        # The nodes in preorder, their child counts, texts and tails (comprehensions:
        # this runs once per element of pages with tens of thousands of them).
        nodes = list(root.iter())
        children = [len(node) for node in nodes]
        texts = [node.text or "" for node in nodes]
        tails = [node.tail or "" for node in nodes]
        count = len(nodes)
        # Filled last node first, so that freeing the index frees children's proxies
        # before their parents': lxml frees a proxy in constant time while its parent's
        # is alive, and walks up towards the root otherwise.
        self._slots = dict(zip(reversed(nodes), range(count - 1, -1, -1), strict=True))
        slots = np.arange(count, dtype=np.int64)
        ends = _subtree_ends(np.array(children, dtype=np.int64))
        # Document order of the pieces: an element's text opens its span; its tail
        # follows its subtree's last piece, after the tails of the deeper elements
        # that end at the same place (they have the higher preorder numbers).
        order = np.argsort(np.concatenate((slots * (count + 1) + count,
                                           ends * (count + 1) + (count - 1 - slots))))
        pieces = texts + tails
        for node in root.iter(etree.Comment, etree.ProcessingInstruction):
            pieces[self._slots[node]] = ""  # not text: string(.) leaves it out
        ordered = operator.itemgetter(*order.tolist())(pieces)  # two or more: a tuple
        lengths = np.fromiter(map(len, ordered), dtype=np.int64, count=2 * count)
        offsets = np.empty(2 * count, dtype=np.int64)
        offsets[order] = np.cumsum(lengths) - lengths
        starts, stops = offsets[:count], offsets[count:]
        # A visible sentinel character past the end of every span: each span start is
        # then a valid index, even an empty span's at the very end of the text.
        classes = _character_classes("".join(ordered) + "\0")
        lengths = _normalized_lengths((classes & _XPATH_SPACE).view(bool), starts, stops)
        links = np.array(list(map(self._slots.__getitem__, root.iter("a"))), dtype=np.int64)
        linked = np.zeros(count + 1, dtype=np.int64)
        linked[links + 1] = lengths[links]
        np.cumsum(linked, out=linked)
        commas = np.concatenate(([0], np.cumsum(classes == _COMMA, dtype=np.int32)))
        self._lengths = lengths.tolist()
        self._linked = (linked[ends] - linked[slots]).tolist()
        visible = np.flatnonzero((classes & _PYTHON_SPACE) == 0)
        self._stripped = _stripped_lengths(visible, starts, stops).tolist()
        self._commas = (commas[stops] - commas[starts]).tolist()

    def length(self, element: etree._Element) -> int:
        """``string-length(normalize-space(string(.)))`` of the element."""
        return self._lengths[self._slots[element]]

    def linked_length(self, element: etree._Element) -> int:
        """Sum of :meth:`length` over the links (``a``) in the element, itself included."""
        return self._linked[self._slots[element]]

    def stripped_length(self, element: etree._Element) -> int:
        """``len(string(.).strip())`` of the element (Python's whitespace)."""
        return self._stripped[self._slots[element]]

    def commas(self, element: etree._Element) -> int:
        """Commas in the element's text."""
        return self._commas[self._slots[element]]


def _character_classes(text: str) -> np.ndarray:
    """The :data:`_CHARACTER_CLASSES` bits of each character of ``text``."""
    if text.isascii():  # most pages: a byte per character, all inside the table
        return _CHARACTER_CLASSES[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return _CHARACTER_CLASSES[np.minimum(codes, _LAST_CLASSED + 1)]


def _subtree_ends(children: np.ndarray) -> np.ndarray:
    """For nodes in preorder with their child counts: one past each subtree's last node.

    The running total of (children - 1) first falls one below its value at a node
    right after that node's subtree, so each end is a search among equal totals.
    """
    count = len(children)
    balance = np.concatenate(([0], np.cumsum(children - 1)))
    keys = (balance - balance.min()) * (count + 1) + np.arange(count + 1)
    ordered = np.sort(keys)
    # Per node: its own key with the total one lower and the position one further.
    after = np.searchsorted(ordered, keys[:count] - count)
    return ordered[after] % (count + 1)


def _normalized_lengths(space: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``string-length(normalize-space(...))`` of each span, from its characters'
    whitespace mask: its non-space characters plus one per run of spaces between two."""
    visible = np.concatenate(([0], np.cumsum(~space, dtype=np.int32)))
    # Ends of space runs (a visible character after a space) before each position; in a
    # span that starts with a space, the first one ends a leading run, not a gap.
    run_ends = np.concatenate(([0, 0], np.cumsum(~space[1:] & space[:-1], dtype=np.int32)))
    characters = visible[stops] - visible[starts]
    gaps = run_ends[stops] - run_ends[starts + 1] - space[starts]
    return np.where(characters > 0, characters + gaps, 0)


def _stripped_lengths(visible: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``len(text.strip())`` of each span, from the positions of all non-space characters
    (the last one past every span): from its first to its last non-space."""
    first = np.searchsorted(visible, starts)
    last = np.searchsorted(visible, stops) - 1
    return np.where(last >= first, visible[np.maximum(last, 0)] - visible[first] + 1, 0)
