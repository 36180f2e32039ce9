"""Text extraction from HTML (Gopher paper, Appendix A.1.1; docs/paper.md, "Text extraction").

``extract_text`` is our tree extractor: parse the page (:mod:`massivetext.extract.tree`),
drop boilerplate, find the group of same-level sibling tags holding the main text
(:mod:`massivetext.extract.blocks`), render it with its meaningful formatting and drop
the empty bullets and wordless separator lines left at its ends
(:mod:`massivetext.extract.render`). ``get_extractor`` picks it or trafilatura by name, so a
pipeline can compare the two on the same input.

A page whose main-block search finds nothing falls back, in this order, to the largest
block of its text, to all its visible text, and to its visible text before the
boilerplate rules; one where it finds fewer words than the quality filter keeps
(:data:`MIN_MAIN_WORDS`) takes the largest block instead when that has more words.
``extract_page`` names the step that gave the text (:data:`FALLBACKS`), so a pipeline
counts each, and a page comes out empty only when it has no visible text at all.

Limits for untrusted input are module-level defaults that each call can override:
``max_html_chars`` (larger input raises ``html_too_large`` before any parsing) and
``max_depth`` (elements nested deeper are flattened into their ancestor at that depth,
text kept; a page deeper than the HTML parser's own limit raises ``html_too_deep``,
as the parser would silently lose the rest of it). No network access and no entity
expansion ever happen.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from massivetext.extract.blocks import find_main_blocks, largest_text_block
from massivetext.extract.index import TextIndex
from massivetext.extract.render import drop_empty_lines, render_text
from massivetext.extract.tree import (
    MAX_TREE_DEPTH,
    NON_CONTENT_TAGS,
    HtmlParseError,
    flatten_deep,
    parse_html,
    remove_boilerplate,
)

# Largest page we parse, in characters (bytes for bytes input): 10 MiB. Real article
# pages are well under 1 MiB; anything larger is a dump or an attack.
MAX_HTML_CHARS = 10 * 1024 * 1024
# A fallback's text (all of a page's visible text) is cut at a line break after this
# many characters: a page with no main block is rarely worth more, and a catalogue
# page of 10 MiB would otherwise come out whole.
MAX_FALLBACK_CHARS = 100_000
# The steps that can give a page's text after the main-block search found too little, in
# the order they are tried: the smallest element holding most of the text that is not
# in links; all visible text; all visible text before the class, id and hidden rules.
FALLBACKS = ("largest_block", "visible_text", "unfiltered_text")
# "Too little" is fewer words than the quality filter's minimum (Gopher Appendix A.1.1,
# ``min_word_count`` in filters/quality.py: 50), which would remove the page anyway:
# the largest block then gives the text when it has more words. Listing, collection
# and specification pages hold their text in cards, links and short lines that cast no
# paragraph vote, so the votes find a caption or a notice there. The later steps, which
# take menus and furniture along, serve only a page where the search found no word: a
# short page must stay short, for the quality filter to remove it.
MIN_MAIN_WORDS = 50
_WORD = re.compile(r"\w+")

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


@dataclass(frozen=True)
class Extraction:
    """A page's extracted text and how it was found: ``fallback`` is "" when the
    main-block search found it, else the step of :data:`FALLBACKS` that did;
    ``flattened`` counts the subtrees nested deeper than ``max_depth``."""

    text: str
    fallback: str = ""
    flattened: int = 0

    def counter_keys(self) -> tuple[str, ...]:
        """The statistics keys this page adds to its stage: ``fallback:<step>``, and
        ``deep_html_flattened`` for a page nested deeper than the depth bound."""
        keys = (f"fallback:{self.fallback}",) if self.fallback else ()
        return keys + (("deep_html_flattened",) if self.flattened else ())


def _word_count(text: str, limit: int) -> int:
    """The words of ``text``, counted up to ``limit``: the callers only compare the
    count with a bound, and a long main text need not be split into all its words."""
    return sum(1 for _ in itertools.islice(_WORD.finditer(text), limit))


def _capped(text: str) -> str:
    if len(text) <= MAX_FALLBACK_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_FALLBACK_CHARS)
    return text[:cut if cut > 0 else MAX_FALLBACK_CHARS]


def _unfiltered_text(html: str) -> str:
    """The page's visible text with only code and media dropped (no furniture, class
    or hidden rules): the last fallback, for pages that name all their text boilerplate."""
    root = parse_html(html)
    flatten_deep(root)
    etree.strip_elements(root, *NON_CONTENT_TAGS, etree.Comment, with_tail=False)
    return drop_empty_lines(render_text([root]))


def extract_page(html: str | bytes, url: str = "", *,
                 max_html_chars: int = MAX_HTML_CHARS, max_depth: int = MAX_TREE_DEPTH,
                 with_title: bool = INCLUDE_TITLE) -> Extraction:
    """The main text of an HTML page and how it was found (see the module docstring);
    the text is "" only when the page has no visible text. With ``with_title``, the
    page's main heading opens it (see :data:`INCLUDE_TITLE`).

    ``url`` is accepted for interface parity with other extractors and is not fetched.
    Raises :class:`ExtractionError` for input that is too large, too deep or unparseable.
    """
    _check_size(html, max_html_chars)
    html = _as_text(html)
    try:
        root = parse_html(html)
    except HtmlParseError as error:
        raise ExtractionError(error.error, str(error)) from error
    if root is None:
        return Extraction("")
    flattened = flatten_deep(root, max_depth)
    # Every element's Python proxy, made once and held to the end: each walk below then
    # reuses them instead of making and freeing its own (lxml frees a proxy cheaply only
    # while its parent's is alive; a list frees its items last first, children first).
    elements = list(root.iter())
    remove_boilerplate(root)
    index = TextIndex(root)
    text = drop_empty_lines(render_text(find_main_blocks(root, index, with_title=with_title)))
    fallback = ""
    words = _word_count(text, MIN_MAIN_WORDS)
    if words < MIN_MAIN_WORDS:
        fallback, text = _fall_back(root, index, html, words) or ("", text)
    del elements
    return Extraction(text, fallback, flattened)


def _fall_back(root: etree._Element, index: TextIndex, html: str,
               words: int) -> tuple[str, str] | None:
    """(step, text) of the first of :data:`FALLBACKS` that finds more than ``words``
    words (the main-block search's count), or None; past the largest block only when
    that count is 0 (see :data:`MIN_MAIN_WORDS`)."""
    for step, text in _fallback_texts(root, index, html, words):
        if _word_count(text, words + 1) > words:
            return step, _capped(text)
    return None


def _fallback_texts(root: etree._Element, index: TextIndex, html: str, words: int):
    """(step, text) of the fallbacks open to a main text of ``words`` words, in turn,
    each made only when asked for."""
    block = largest_text_block(root, index)
    if block is not None:
        yield "largest_block", drop_empty_lines(render_text([block]))
    if words == 0:
        yield "visible_text", drop_empty_lines(render_text([root]))
        yield "unfiltered_text", _unfiltered_text(html)


def extract_text(html: str | bytes, url: str = "", **limits) -> str:
    """:func:`extract_page`'s text alone."""
    return extract_page(html, url, **limits).text


def extract_with_trafilatura(html: str | bytes, url: str = "", *,
                             max_html_chars: int = MAX_HTML_CHARS) -> str:
    """trafilatura's main text, with the settings of the article-extraction benchmark:
    comments excluded, tables kept, neither precision nor recall favoured."""
    import trafilatura  # heavy import, only when this backend is chosen

    _check_size(html, max_html_chars)
    text = trafilatura.extract(_as_text(html), url=url or None, include_comments=False,
                               favor_precision=False, favor_recall=False)
    return text or ""


def get_page_extractor(name: str) -> Callable[[str, str], Extraction]:
    """The extractor called ``name`` as ``f(html, url) -> Extraction``: the tree
    extractors say which fallback gave the text; trafilatura's has none."""
    if name == "tree":
        return extract_page
    if name == "tree-with-title":
        return functools.partial(extract_page, with_title=True)
    extract = get_extractor(name)
    return lambda html, url="": Extraction(extract(html, url))


def get_extractor(name: str) -> Callable[[str, str], str]:
    """The extractor called ``name`` (one of :data:`EXTRACTORS`): ``f(html, url) -> text``."""
    if name == "tree":
        return extract_text
    if name == "tree-with-title":
        return functools.partial(extract_text, with_title=True)
    if name == "trafilatura":
        return extract_with_trafilatura
    raise ValueError(f"unknown extractor {name!r}; choose one of {', '.join(EXTRACTORS)}")
