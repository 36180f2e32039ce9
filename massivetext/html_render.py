"""Render chosen HTML elements to plain text, keeping the formatting that carries meaning.

The Gopher paper keeps "meaningful formatting, such as indentation, newlines and bullet
points". Our rendering:

- paragraphs, headings, block quotes and other blocks are separated by a blank line;
- list items go on their own line after a bullet (:data:`BULLET`), nested lists are
  indented by :data:`LIST_INDENT` per level; description terms and details get a line;
- table rows go on their own line, cells joined by :data:`CELL_SEPARATOR`;
- ``<br>`` is a newline; ``<pre>`` text is kept as it is;
- any other run of whitespace collapses to one space.

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
_WHITESPACE = re.compile(r"\s+")
_SPACES_AROUND_BREAK = re.compile(" ?\x01 ?")
_BLANK_LINES = re.compile("\x01{3,}")


def _preformatted(element: etree._Element) -> str:
    text = _TEXT(element).strip("\r\n")
    return (text.replace(" ", _KEPT_SPACE).replace("\n", _KEPT_NEWLINE)
            .replace("\t", _KEPT_TAB))


_TEXT = etree.XPath("string(.)")


def _render_into(pieces: list[str], block: etree._Element) -> None:
    list_depth = 0
    first_cell = True
    walker = etree.iterwalk(block, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            if event == "end" and element is not block:
                pieces.append(element.tail or "")
            continue
        if event == "start":
            if tag == "pre":
                pieces.append(_PARAGRAPH_BREAK)
                pieces.append(_preformatted(element))
                pieces.append(_PARAGRAPH_BREAK)
                walker.skip_subtree()
                # skip_subtree suppresses the end event: emit the tail here.
                if element is not block:
                    pieces.append(element.tail or "")
                continue
            if tag in LIST_TAGS:
                list_depth += 1
                if list_depth == 1:
                    pieces.append(_PARAGRAPH_BREAK)
            elif tag == "li":
                indent = _KEPT_SPACE * (len(LIST_INDENT) * max(0, list_depth - 1))
                pieces.append(_LINE_BREAK + indent + BULLET.replace(" ", _KEPT_SPACE))
            elif tag == "br":
                pieces.append(_LINE_BREAK)
            elif tag == "tr":
                pieces.append(_LINE_BREAK)
                first_cell = True
            elif tag in CELL_TAGS:
                if not first_cell:
                    pieces.append(CELL_SEPARATOR)
                first_cell = False
            elif tag in PARAGRAPH_TAGS:
                pieces.append(_PARAGRAPH_BREAK)
            elif tag in LINE_TAGS:
                pieces.append(_LINE_BREAK)
            pieces.append(element.text or "")
        else:
            if tag in LIST_TAGS:
                list_depth -= 1
                if list_depth == 0:
                    pieces.append(_PARAGRAPH_BREAK)
            elif tag in PARAGRAPH_TAGS:
                pieces.append(_PARAGRAPH_BREAK)
            elif tag in CELL_TAGS:
                pieces.append(" ")
            if element is not block:
                pieces.append(element.tail or "")


def render_text(blocks: list[etree._Element]) -> str:
    """Plain text of ``blocks`` (in order), formatted as the module docstring says."""
    pieces: list[str] = []
    for block in blocks:
        pieces.append(_PARAGRAPH_BREAK)
        _render_into(pieces, block)
    text = _WHITESPACE.sub(" ", "".join(pieces))
    text = _SPACES_AROUND_BREAK.sub(_LINE_BREAK, text)
    text = _BLANK_LINES.sub(_PARAGRAPH_BREAK, text).strip(" " + _LINE_BREAK)
    return (text.replace(_LINE_BREAK, "\n").replace(_KEPT_SPACE, " ")
            .replace(_KEPT_NEWLINE, "\n").replace(_KEPT_TAB, "\t"))
