"""Text extraction from HTML (Gopher paper, Appendix A.1.1; docs/paper.md, "Text extraction").

``extract_text`` is our tree extractor: parse the page (:mod:`massivetext.extract.tree`),
drop boilerplate, find the group of same-level sibling tags holding the main text
(:mod:`massivetext.extract.blocks`), render it with its meaningful formatting and drop
the empty bullets and wordless separator lines left at its ends
(:mod:`massivetext.extract.render`). ``get_extractor`` picks it or trafilatura by name, so a
pipeline can compare the two on the same input.

Limits for untrusted input are module-level defaults that each call can override:
``max_html_chars`` (larger input raises ``html_too_large`` before any parsing) and
``max_depth`` (a page nesting deeper raises ``html_too_deep``: libxml2 stops parsing at
its own depth limit and would silently lose the rest of the page). No network access
and no entity expansion ever happen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from massivetext.extract.blocks import find_main_blocks
from massivetext.extract.index import TextIndex
from massivetext.extract.render import drop_empty_lines, render_text
from massivetext.extract.tree import (
    PARSER_DEPTH_LIMIT,
    HtmlParseError,
    parse_html,
    remove_boilerplate,
)

# Largest page we parse, in characters (bytes for bytes input): 10 MiB. Real article
# pages are well under 1 MiB; anything larger is a dump or an attack.
MAX_HTML_CHARS = 10 * 1024 * 1024
# Deepest element nesting we accept: libxml2's own limit without its "huge" mode.
MAX_TREE_DEPTH = PARSER_DEPTH_LIMIT

# Whether the page's main heading (an <h1> right before the main text, outside its
# container) is kept as the text's first line. Off by default: article-extraction gold
# (the scrapinghub benchmark's articleBody) leaves titles out, and keeping them costs
# 0.0024 of its F1 (precision 0.963 -> 0.958 on 40 of 181 pages). A title inside the
# main container is kept either way. The extractor "tree-with-title" keeps it.
INCLUDE_TITLE = False

EXTRACTORS = ("tree", "tree-with-title", "trafilatura")


class ExtractionError(ValueError):
    """A page that cannot be extracted; ``error`` is a stable counter name:
    ``html_too_large``, ``html_too_deep`` or ``unparseable_html``."""

    def __init__(self, error: str, message: str):
        super().__init__(f"{error}: {message}")
        self.error = error


def _as_text(html: str | bytes) -> str:
    if isinstance(html, str):
        return html
    from massivetext.io.charset import decode_html  # imported only for bytes input

    return decode_html(html, None)[0]


def _check_size(html: str | bytes, max_html_chars: int) -> None:
    if len(html) > max_html_chars:
        raise ExtractionError(
            "html_too_large", f"{len(html):,} characters, limit {max_html_chars:,}")


def extract_text(html: str | bytes, url: str = "", *,
                 max_html_chars: int = MAX_HTML_CHARS,
                 max_depth: int = MAX_TREE_DEPTH, with_title: bool = INCLUDE_TITLE) -> str:
    """The main text of an HTML page, or "" when the page has none; with ``with_title``,
    the page's main heading opens it (see :data:`INCLUDE_TITLE`).

    ``url`` is accepted for interface parity with other extractors and is not fetched.
    Raises :class:`ExtractionError` for input that is too large, too deep or unparseable.
    """
    _check_size(html, max_html_chars)
    try:
        root = parse_html(_as_text(html), max_depth=max_depth)
    except HtmlParseError as error:
        raise ExtractionError(error.error, str(error)) from error
    if root is None:
        return ""
    # Every element's Python proxy, made once and held to the end: each walk below then
    # reuses them instead of making and freeing its own (lxml frees a proxy cheaply only
    # while its parent's is alive; a list frees its items last first, children first).
    elements = list(root.iter())
    remove_boilerplate(root)
    blocks = find_main_blocks(root, TextIndex(root), with_title=with_title)
    text = drop_empty_lines(render_text(blocks))
    del elements
    return text


def extract_with_trafilatura(html: str | bytes, url: str = "", *,
                             max_html_chars: int = MAX_HTML_CHARS) -> str:
    """trafilatura's main text, with the settings of the article-extraction benchmark:
    comments excluded, tables kept, neither precision nor recall favoured."""
    import trafilatura  # heavy import, only when this backend is chosen

    _check_size(html, max_html_chars)
    text = trafilatura.extract(_as_text(html), url=url or None, include_comments=False,
                               favor_precision=False, favor_recall=False)
    return text or ""


def get_extractor(name: str) -> Callable[[str, str], str]:
    """The extractor called ``name`` (one of :data:`EXTRACTORS`): ``f(html, url) -> text``."""
    if name == "tree":
        return extract_text
    if name == "tree-with-title":
        return functools.partial(extract_text, with_title=True)
    if name == "trafilatura":
        return extract_with_trafilatura
    raise ValueError(f"unknown extractor {name!r}; choose one of {', '.join(EXTRACTORS)}")
