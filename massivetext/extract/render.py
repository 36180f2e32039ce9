"""Render chosen HTML elements to plain text, keeping the formatting that carries meaning.

The Gopher paper keeps "meaningful formatting, such as indentation, newlines and bullet
points". Our rendering:

- paragraphs, headings, block quotes and other blocks are separated by a blank line;
- list items go on their own line after a bullet (:data:`BULLET`), nested lists are
  indented by :data:`LIST_INDENT` per level; description terms and details get a line;
- table rows go on their own line, cells joined by :data:`CELL_SEPARATOR`;
- ``<br>`` is a newline; ``<pre>`` text is kept as it is;
- any other run of whitespace collapses to one space.

:func:`drop_empty_lines` then drops the lines that carry nothing: a bullet with no item
text (an image-only list item), and at the text's two ends, lines with no word in them,
separators left by page furniture ("|", "·", "-", a row of empty table cells). Inside
the text, a wordless line stays: a row of stars may divide sections.

The walk is lxml's ``iterwalk`` (start/end events), so nesting depth costs no Python
recursion.
"""

from __future__ import annotations

import re

from lxml import etree

BULLET = "• "
LIST_INDENT = "  "
CELL_SEPARATOR = " | "

PARAGRAPH_TAGS = frozenset("""
    p div section article main h1 h2 h3 h4 h5 h6 blockquote table dl figure figcaption
    address center details summary hr header footer aside fieldset ul ol body html
""".split())
LINE_TAGS = frozenset(("tr", "dt", "dd", "caption"))
LIST_TAGS = frozenset(("ul", "ol"))
CELL_TAGS = frozenset(("td", "th"))

# Structure is written as placeholder characters while the text is assembled, so that
# one whitespace-collapsing pass over the whole text leaves it alone: line breaks, and
# the spaces and newlines of indentation and pre-formatted text.
_LINE_BREAK = "\x01"
_PARAGRAPH_BREAK = _LINE_BREAK * 2
_KEPT_SPACE = "\x02"
_KEPT_NEWLINE = "\x03"
_KEPT_TAB = "\x04"
_BLANK_LINES = re.compile("\x01{3,}")
_WORD_CHARACTER = re.compile(r"\w")
_BULLET_MARK = BULLET.strip()
_EMPTY_ITEM = BULLET + "\n"  # only a bullet at the very end of the text can lack it


# What each tag does to the layout; a tag in several sets takes the first kind that
# applies in this order: pre, list, list item, br, row, cell, paragraph, line.
_INLINE, _NOT_TEXT, _PRE, _LIST, _ITEM, _BREAK, _ROW, _CELL, _PARAGRAPH, _LINE = range(10)
_KINDS = {
    **dict.fromkeys(LINE_TAGS, _LINE), **dict.fromkeys(PARAGRAPH_TAGS, _PARAGRAPH),
    **dict.fromkeys(CELL_TAGS, _CELL), "tr": _ROW, "br": _BREAK, "li": _ITEM,
    **dict.fromkeys(LIST_TAGS, _LIST), "pre": _PRE,
    # Comments, processing instructions and entities carry no text of their own.
    etree.Comment: _NOT_TEXT, etree.ProcessingInstruction: _NOT_TEXT, etree.Entity: _NOT_TEXT,
}
_TEXT = etree.XPath("string(.)")


def _preformatted(element: etree._Element) -> str:
    text = _TEXT(element).strip("\r\n")
    return (text.replace(" ", _KEPT_SPACE).replace("\n", _KEPT_NEWLINE)
            .replace("\t", _KEPT_TAB))


def _render_into(pieces: list[str], block: etree._Element) -> None:
    append = pieces.append
    kind_of = _KINDS.get
    # The kinds of the open elements: an end event pops its element's kind instead of
    # looking its tag up again (table-heavy pages render tens of thousands of cells).
    open_kinds: list[int] = []
    push, pop = open_kinds.append, open_kinds.pop
    list_depth = 0
    first_cell = True
    walker = etree.iterwalk(block, events=("start", "end"))
    # Branches in order of how often real pages take them.
    for event, element in walker:
        if event == "start":
            kind = kind_of(element.tag, _INLINE)
            if kind == _INLINE:
                pass
            elif kind == _CELL:
                if not first_cell:
                    append(CELL_SEPARATOR)
                first_cell = False
            elif kind == _ROW:
                append(_LINE_BREAK)
                first_cell = True
            elif kind == _PARAGRAPH:
                append(_PARAGRAPH_BREAK)
            elif kind == _BREAK or kind == _LINE:
                append(_LINE_BREAK)
            elif kind == _ITEM:
                indent = _KEPT_SPACE * (len(LIST_INDENT) * max(0, list_depth - 1))
                append(_LINE_BREAK + indent + BULLET.replace(" ", _KEPT_SPACE))
            elif kind == _LIST:
                list_depth += 1
                if list_depth == 1:
                    append(_PARAGRAPH_BREAK)
            elif kind == _PRE:
                append(_PARAGRAPH_BREAK)
                append(_preformatted(element))
                append(_PARAGRAPH_BREAK)
                # Its subtree is rendered: skip it. The end event still comes and
                # appends the tail, as for every element.
                walker.skip_subtree()
                push(kind)
                continue
            else:  # not text (iterwalk reports no comments for start and end events)
                push(kind)
                continue
            push(kind)
            text = element.text
            if text:
                append(text)
        else:
            kind = pop()
            if kind == _CELL:
                append(" ")
            elif kind == _PARAGRAPH:
                append(_PARAGRAPH_BREAK)
            elif kind == _LIST:
                list_depth -= 1
                if list_depth == 0:
                    append(_PARAGRAPH_BREAK)
            tail = element.tail
            if tail and element is not block:
                append(tail)


def render_text(blocks: list[etree._Element]) -> str:
    """Plain text of ``blocks`` (in order), formatted as the module docstring says."""
    pieces: list[str] = []
    for block in blocks:
        pieces.append(_PARAGRAPH_BREAK)
        _render_into(pieces, block)
    # Whitespace runs become one space (the text's ends are stripped below anyway), then
    # the spaces beside line breaks go: str methods, several times faster than regexes.
    text = " ".join("".join(pieces).split())
    text = text.replace(" " + _LINE_BREAK, _LINE_BREAK).replace(_LINE_BREAK + " ", _LINE_BREAK)
    text = _BLANK_LINES.sub(_PARAGRAPH_BREAK, text).strip(" " + _LINE_BREAK)
    return (text.replace(_LINE_BREAK, "\n").replace(_KEPT_SPACE, " ")
            .replace(_KEPT_NEWLINE, "\n").replace(_KEPT_TAB, "\t"))


def drop_empty_lines(text: str) -> str:
    """``text`` without bullets with no item text and the lines at its two ends that
    hold no word (blank lines included); the lines kept are left as they are."""
    lines = text.split("\n")
    if _EMPTY_ITEM in text:
        lines = [line for line in lines if line.strip() != _BULLET_MARK]
    start, stop = 0, len(lines)
    while start < stop and _WORD_CHARACTER.search(lines[start]) is None:
        start += 1
    while stop > start and _WORD_CHARACTER.search(lines[stop - 1]) is None:
        stop -= 1
    if start == 0 and stop == len(lines):
        return text
    return "\n".join(lines[start:stop])
