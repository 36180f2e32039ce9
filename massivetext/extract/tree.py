"""Parse untrusted HTML into a bounded lxml tree and strip what is never main text.

Two steps, both in place and iterative (no Python recursion on the tree):

- :func:`parse_html` parses with libxml2's HTML parser set for untrusted input: no
  network, no entity loading, comments and processing instructions dropped. Its
  "huge" mode raises the depth limit from 256 to 2048 levels; the input's size is
  bounded by the caller, and :func:`flatten_deep` then cuts the tree to our own
  :data:`MAX_TREE_DEPTH`, keeping the text below it.
- :func:`remove_boilerplate` drops elements that hold no main text: code, media, form
  controls and captions, navigation and page furniture (``nav``, ``footer``, ``aside`` ...), hidden
  elements, and elements whose class, id or role names boilerplate (menus, cookie
  banners, share buttons, comments, related links, adverts ...).

:class:`~massivetext.extract.index.TextIndex` then measures the text of every element of
the cleaned tree at once, so that scoring and pruning cost no walk over each candidate's
subtree.
"""

from __future__ import annotations

import functools
import re
import threading

from lxml import etree

# libxml2's nesting limit in its "huge" mode (XML_PARSE_HUGE): it stops parsing beyond
# this depth, losing the rest of the page, so a page that reaches it fails. Without
# that mode the limit is 256, which real pages reach: old forum and mail-archive pages
# leave hundreds of <font> tags unclosed.
PARSER_DEPTH_LIMIT = 2047
# Our own nesting bound (see :func:`flatten_deep`): deeper elements are flattened into
# their ancestor at this depth, so every later walk sees a tree at most this deep.
MAX_TREE_DEPTH = 256

# Elements whose content is never prose: code, media, form controls, captions.
NON_CONTENT_TAGS = (
    "head", "script", "style", "template", "svg", "math", "iframe", "frame",
    "frameset", "object", "embed", "applet", "canvas", "video", "audio", "map",
    "button", "select", "option", "textarea", "input", "label", "dialog", "menu",
    "figcaption",
)
# HTML5 page furniture: navigation, page headers and footers, asides.
FURNITURE_TAGS = ("nav", "header", "footer", "aside")

# Class/id tokens that name page furniture. Matched as whole tokens (bounded by
# anything that is not a letter), so "navigator" or "adobe" do not match "nav" or "ad".
BOILERPLATE_TOKENS = frozenset("""
    menu menus nav navbar navigation breadcrumb breadcrumbs cookie cookies consent gdpr
    banner banners share sharing shares sharethis social socials related recommended
    recommendations comment comments disqus sidebar sidebars footer newsletter
    newsletters subscribe subscription signup advert adverts advertisement ad ads
    adslot sponsor sponsored promo promos popup popups modal overlay masthead
    pagination pager outbrain taboola skip toolbar tags tagcloud
    byline author authors login signin sronly printonly dateline timestamp
    caption credit credits rss jump
""".split())
# Class names that hide an element, on every screen or on some ("md:hidden",
# "hidden-xs", "d-md-none"), unless another class shows it again on wider screens
# ("hidden md:block", "d-none d-lg-flex"): modern pages render their main text that
# way. Whole class names, since utility classes such as "overflow-hidden" or
# "hidden-scrollbar" hide nothing.
_HIDING_CLASS = re.compile(
    r"^(?:(?:[a-z0-9]+:)?hidden|hidden-(?:xs|sm|md|lg|xl|xxl)|d-(?:[a-z]{2,3}-)?none"
    r"|invisible|sr-only|visually-hidden|screen-reader-text|is-hidden)$")
_SHOWING_CLASS = re.compile(
    r"^(?:[a-z0-9-]+:(?:block|flex|grid|inline|inline-block|inline-flex|table|contents)"
    r"|d-[a-z]{2,3}-(?:block|flex|grid|inline|inline-block|inline-flex|table))$")
# Tokens that mark main content: an element naming one of these is kept even when it
# also names a boilerplate token ("post-content has-sidebar" is content).
CONTENT_TOKENS = frozenset("article articles body content main post story entry text".split())
# Roles (ARIA) that mark page furniture.
BOILERPLATE_ROLES = frozenset(
    "navigation banner contentinfo complementary menu menubar search dialog alert".split())
# Never removed by class/id: removing these would remove the page.
PROTECTED_TAGS = frozenset(("html", "body", "main", "article"))
# An element named like furniture that holds at least this share of the page's text is
# a layout wrapper ("container has-sidebar", "page-ad-margins"), not furniture.
LAYOUT_WRAPPER_TEXT_SHARE = 0.5



# The whole tokens of a lowercased class/id string: its maximal runs of letters.
_LETTER_RUNS = re.compile("[a-z]+")
# Characters XML cannot hold: C0 controls are dropped (they also serve as structure
# placeholders when rendering), lone surrogates become U+FFFD (they cannot be encoded).
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
# React streams server-rendered content that was not ready at first into hidden
# <div id="S:..."> elements, which a script moves into place: text, not hidden.
REACT_STREAMED_ID = re.compile(r"S:[0-9a-z]+$")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(string(.)))")
# Attributes that can name an element boilerplate or hide it (_may_name_boilerplate).
_BOILERPLATE_ATTRIBUTES = frozenset(("class", "id", "role", "hidden", "aria-hidden", "style"))
_local = threading.local()


def _parser() -> etree.HTMLParser:
    """One parser per thread: an lxml parser must not be shared between threads.

    A plain ``etree`` parser, not ``lxml.html``'s: its Python element classes cost a
    lookup per element touched, and we need none of their methods.
    """
    parser = getattr(_local, "parser", None)
    if parser is None:
        # The text is handed over as UTF-8, whatever the page's own declarations say.
        parser = etree.HTMLParser(
            encoding="utf-8", recover=True, no_network=True, remove_comments=True, remove_pis=True,
            huge_tree=True, remove_blank_text=False, default_doctype=False,
            collect_ids=False)
        _local.parser = parser
    return parser


class HtmlParseError(ValueError):
    """The input could not be turned into a usable tree; ``error`` is a counter name."""

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error


def parse_html(text: str) -> etree._Element | None:
    """Parse ``text`` to the root ``<html>`` element, or None when it holds no markup.

    Raises :class:`HtmlParseError` ``html_too_deep`` when elements nest deeper than
    :data:`PARSER_DEPTH_LIMIT`, where libxml2 stops parsing and the rest of the page
    would be lost, and ``unparseable_html`` when libxml2 gives up on the input.
    """
    if not text.strip():
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, from a lenient decoder upstream
        data = _LONE_SURROGATES.sub("\ufffd", text).encode("utf-8")
    parser = _parser()
    try:
        root = etree.fromstring(data.translate(None, _CONTROL_BYTES), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise HtmlParseError("unparseable_html", str(error)) from error
    if root is None:
        return None
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        raise HtmlParseError("html_too_deep", f"elements nest deeper than {PARSER_DEPTH_LIMIT} "
                             "levels, where the HTML parser stops")
    return root


def flatten_deep(root: etree._Element, max_depth: int = MAX_TREE_DEPTH) -> int:
    """Flatten every element nested deeper than ``max_depth`` levels into its ancestor
    at that depth: their text stays, in order, their tags go (code and media first, as
    :func:`remove_boilerplate` would). Returns how many subtrees were flattened.

    Run right after parsing, so that no later step walks a tree deeper than this.
    """
    if max_depth < 1:
        raise ValueError(f"max_depth must be at least 1, not {max_depth}")
    # Elements at depth max_depth (the root is at depth 1) that have children.
    deepest = root.xpath("/" + "/".join(["*"] * max_depth) + "[*]")
    for element in deepest:
        etree.strip_elements(element, *NON_CONTENT_TAGS, with_tail=False)
        etree.strip_tags(element, "*")
    return len(deepest)


def drop_element(element: etree._Element) -> None:
    """Remove ``element`` and its subtree from its parent, keeping its tail text."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _may_name_boilerplate(element: etree._Element) -> bool:
    """A cheap screen before :func:`_names_boilerplate`: a class, id, role or hidden
    attribute, aria-hidden="true", or a style that mentions none or hidden."""
    get = element.get
    if (get("class") is not None or get("id") is not None or get("role") is not None
            or get("hidden") is not None or get("aria-hidden") == "true"):
        return True
    style = get("style")
    return style is not None and ("none" in style or "hidden" in style)


def _hides(class_names: list[str]) -> bool:
    """Whether these classes hide their element on a desktop screen."""
    hiding = any(_HIDING_CLASS.match(name) for name in class_names)
    return hiding and not any(_SHOWING_CLASS.match(name) for name in class_names)


# Pages repeat a few class strings over thousands of elements: each string is read
# once per process. The cache is bounded in entries and in their length, since the
# strings come from untrusted pages: at most 4,096 strings of at most 512 characters.
CACHED_CLASS_CHARS = 512


def _read_class_names(class_attribute: str) -> tuple[bool, frozenset[str]]:
    """Whether a class attribute hides its element, and the tokens its names give."""
    names = class_attribute.lower().split()
    if names and _hides(names):
        return True, frozenset()
    # Utility classes with a variant or an arbitrary value ("lg:[--nav-bar-height:4px]",
    # "has-[>[data-slot=banner]]:pt-0") style the element; they never name what it is.
    names = [name for name in names if ":" not in name and "[" not in name]
    return False, frozenset(_LETTER_RUNS.findall(" ".join(names)))


_read_cached_class = functools.lru_cache(maxsize=4096)(_read_class_names)


def _read_class(class_attribute: str) -> tuple[bool, frozenset[str]]:
    if len(class_attribute) > CACHED_CLASS_CHARS:
        return _read_class_names(class_attribute)
    return _read_cached_class(class_attribute)


def _names_boilerplate(element: etree._Element) -> bool:
    """Whether the element's attributes say that it is page furniture or hidden."""
    get = element.get
    element_id = get("id")
    if get("hidden") is not None and not REACT_STREAMED_ID.match(element_id or ""):
        return True
    if get("aria-hidden") == "true":
        return True
    style = get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    role = get("role")
    if role and role.lower() in BOILERPLATE_ROLES:
        return True
    hides, tokens = _read_class(get("class") or "")
    if hides:
        return True
    if element_id:
        tokens = tokens.union(_LETTER_RUNS.findall(element_id.lower()))
    return not tokens.isdisjoint(BOILERPLATE_TOKENS) and tokens.isdisjoint(CONTENT_TOKENS)


def remove_boilerplate(root: etree._Element) -> None:
    """Drop non-content elements, page furniture and hidden elements from ``root``."""
    etree.strip_elements(root, *NON_CONTENT_TAGS, etree.Comment, with_tail=False)
    etree.strip_elements(root, *FURNITURE_TAGS, with_tail=False)
    wrapper_length = _TEXT_LENGTH(root) * LAYOUT_WRAPPER_TEXT_SHARE
    # Selected in Python: libxml2's XPath attribute tests cost far more per element.
    holders = [element for element in root.iter(etree.Element)
               if not _BOILERPLATE_ATTRIBUTES.isdisjoint(element.keys())
               and _may_name_boilerplate(element)]
    for element in holders:
        if element.tag in PROTECTED_TAGS:
            continue
        # No parent: the root, or already detached with a removed ancestor.
        if (element.getparent() is not None and _names_boilerplate(element)
                and _TEXT_LENGTH(element) < wrapper_length):
            drop_element(element)
