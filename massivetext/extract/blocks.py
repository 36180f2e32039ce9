"""Find the group of same-level sibling tags that holds a page's main text.

The Gopher paper (Appendix A.1.1) observes that "coherent and self-contained blocks of
salient text tend to occur in groups of semantically or visually similar tags at the
same level of the HTML tree". We find that group in these steps:

1. Every paragraph-like element (``p``, ``pre``, ``blockquote``, and ``div``s that hold
   text directly) with enough text votes for the ancestors that hold it: its parent
   gets its full score, more distant ancestors a decaying share, so the winner is the
   element whose *children* are the run of paragraphs.
2. The winner's score is discounted by its link density (menus and link lists are text
   made of links), and the best one is the *main container*.
3. Siblings of the main container that look alike (same tag and class, or enough text
   of their own with few links) join it: articles split around an advert stay whole.
4. When that group is a small part of the page's region (its one ``<main>``, or the
   outermost container whose text is mostly not links), the region replaces it:
   modern pages cut their main text into sections of different kinds.
5. On request, the page's main heading joins them when it stands right before them,
   outside them (``<h1>`` above the content ``<div>``): the article's title.

Inside the chosen containers, sub-blocks made mostly of links (link lists, tag clouds,
"read more" boxes) are pruned, and so are page footers: short copyright notices that
carry links ("© 2024 Site. All rights reserved. Privacy | Terms"). A notice without
links is left alone: news agencies sign their articles with one, and article-extraction
gold keeps it. When such blocks make up most of the chosen text, they are its content
(a listing page's item cards) and stay.

Everything is iterative; text lengths and link text come from one
:class:`~massivetext.extract.index.TextIndex` of the page, so each costs a lookup, however
deep the tree.
"""

from __future__ import annotations

import re

from lxml import etree

from massivetext.extract.index import TextIndex
from massivetext.extract.tree import REACT_STREAMED_ID, drop_element

# A paragraph shorter than this (characters) casts no vote: captions, labels, bylines.
MIN_PARAGRAPH_CHARS = 25
# Ancestor levels a paragraph votes for, and the share each level gets.
VOTE_LEVELS = 3
_VOTE_DIVISORS = tuple(1 if level == 0 else 2 * level for level in range(VOTE_LEVELS))
# A sibling of the main container joins it when its own score is at least this share
# of the main container's score (siblings with the same tag and class get a bonus of the
# same size; with no class, a shared tag alone earns it only with a paragraph's vote).
SIBLING_SCORE_SHARE = 0.2
# ... and at least this score (a few paragraphs' worth), whatever the main score.
MIN_SIBLING_SCORE = 10.0
# A lone <p> beside the main container joins it when longer than this with few links.
LONG_PARAGRAPH_CHARS = 80
# Inside the chosen content, a container with more than this share of its text in
# links is a link list, not prose, and is pruned.
MAX_LINK_DENSITY = 0.5
# Containers whose text is shorter than this and mostly links are pruned more eagerly.
SHORT_BLOCK_CHARS = 200
MAX_SHORT_BLOCK_LINK_DENSITY = 0.25
# Link lists are pruned only while together they hold at most this share of the chosen
# text: past it the links are the page's content, the items of a listing or collection
# page (titles of posts, products, jobs), whose cards the paper's "groups of similar
# tags" are. Articles' related-link boxes and tag lists are a small part of theirs.
MAX_PRUNED_SHARE = 0.5

# The region of the page that the chosen group is part of (its one <main> element, or
# the outermost ancestor with at most REGION_LINK_DENSITY of its text in links)
# replaces the group when the group holds less than MAIN_HINT_SHARE of its text:
# landing, product and docs pages cut their main text into sections of different
# kinds, of which the paragraph votes find one (see _widen_to_region).
MAIN_HINT_SHARE = 0.8
REGION_LINK_DENSITY = 0.2
# The largest text block (a fallback) holds at least this share of the page's text
# outside links.
LARGEST_BLOCK_SHARE = 0.5
PARAGRAPH_TAGS = ("p", "pre", "blockquote", "td")
# Containers that hold a paragraph when their own text (between children) is long
# enough: text split by <br> instead of <p>.
TEXT_CONTAINER_TAGS = ("div", "section", "article", "main", "span", "font", "center")
# The main container is lifted through wrappers that add at most this much text to it
# (a factor), at most MAX_WRAPPER_LIFT levels, to find a run of similar siblings.
WRAPPER_TEXT_SLACK = 1.3
MAX_WRAPPER_LIFT = 8
PRUNABLE_TAGS = ("div", "section", "ul", "ol", "dl", "table", "figure", "span", "p")
# A copyright notice longer than this (characters) is prose that mentions copyright.
MAX_NOTICE_CHARS = 200
TITLE_TAG = "h1"
# The page's main heading, which titles the main text. It is looked for among what
# precedes the text's first block: that block's earlier siblings, then its ancestors'
# earlier siblings, this many levels up ...
TITLE_SEARCH_LEVELS = 3
# ... across at most this much other text (a dateline, "From the archive").
MAX_TITLE_GAP_CHARS = 100
# A notice opens with a copyright sign (or "Copyright" and a sign or a year), or says
# "all rights reserved" anywhere; "Copyright law changed ..." is not one.
_COPYRIGHT_NOTICE = re.compile(
    r"^\s*(?:©|ⓒ|\(c\)|copyright\s*(?:©|ⓒ|\(c\)|\d{4}))|\ball rights? reserved\b",
    re.IGNORECASE)
_TEXT = etree.XPath("string(.)")


def _link_density(index: TextIndex, element: etree._Element) -> float:
    """Share of the element's text that sits inside links."""
    total = index.length(element)
    if total == 0:
        return 0.0
    return min(1.0, index.linked_length(element) / total)


def _paragraph_score(text_length: int, commas: int) -> float:
    """Readability-style vote: a base point, one per comma, one per 100 characters (<= 3)."""
    return 1.0 + commas + min(text_length / 100.0, 3.0)


def _direct_text(element: etree._Element) -> str:
    """Text that sits directly in the element, outside any child element."""
    parts = [element.text or ""]
    parts.extend(child.tail or "" for child in element)
    return "".join(parts)


def _votes(root: etree._Element, index: TextIndex) -> dict[etree._Element, float]:
    """Each paragraph-like element's score, summed into its ancestors with decay."""
    scores: dict[etree._Element, float] = {}
    paragraphs = list(root.iter(*PARAGRAPH_TAGS))
    # A div holding text directly (text split by <br>, no <p>) is a paragraph too. Its
    # own text is part of its whole text: the index rules most of them out first.
    paragraphs.extend(element for element in root.iter(*TEXT_CONTAINER_TAGS)
                      if index.stripped_length(element) >= MIN_PARAGRAPH_CHARS
                      and len(_direct_text(element).strip()) >= MIN_PARAGRAPH_CHARS)
    stripped_length = index.stripped_length
    for paragraph in paragraphs:
        text_length = stripped_length(paragraph)
        if text_length < MIN_PARAGRAPH_CHARS:
            continue
        score = _paragraph_score(text_length, index.commas(paragraph))
        ancestor = paragraph.getparent()
        for divisor in _VOTE_DIVISORS:
            if ancestor is None:
                break
            scores[ancestor] = scores.get(ancestor, 0.0) + score / divisor
            ancestor = ancestor.getparent()
    return scores


def _class_key(element: etree._Element) -> tuple[str, str]:
    return element.tag, element.get("class") or ""


def _is_prose_paragraph(index: TextIndex, paragraph: etree._Element) -> bool:
    """A long paragraph with few links, or a short full sentence with none."""
    text_length = index.length(paragraph)
    density = _link_density(index, paragraph)
    if text_length > LONG_PARAGRAPH_CHARS:
        return density < MAX_SHORT_BLOCK_LINK_DENSITY
    return text_length > 0 and density == 0 and _TEXT(paragraph).rstrip().endswith(".")


def _joining_siblings(index: TextIndex, main: etree._Element,
                      scores: dict[etree._Element, float],
                      main_score: float) -> list[etree._Element]:
    """The main container and those of its siblings that look like more of it."""
    parent = main.getparent()
    if parent is None:
        return [main]
    threshold = max(MIN_SIBLING_SCORE, main_score * SIBLING_SCORE_SHARE)
    main_key = _class_key(main)
    group = []
    for sibling in parent:
        if sibling is main:
            group.append(sibling)
            continue
        if not isinstance(sibling.tag, str):
            continue
        own_score = scores.get(sibling, 0.0)
        bonus = (main_score * SIBLING_SCORE_SHARE if _class_key(sibling) == main_key
                 and (main_key[1] or own_score > 0) else 0.0)
        score = own_score * (1.0 - _link_density(index, sibling))
        if score + bonus >= threshold:
            group.append(sibling)
        elif sibling.tag == "p" and _is_prose_paragraph(index, sibling):
            group.append(sibling)
    return group


def _alike_siblings(index: TextIndex, node: etree._Element) -> list[etree._Element]:
    """``node`` and its siblings with the same tag and class that hold prose."""
    parent = node.getparent()
    key = _class_key(node)
    if parent is None or not key[1]:
        return [node]
    group = []
    for sibling in parent:
        if sibling is node:
            group.append(sibling)
        elif _class_key(sibling) == key:
            if index.length(sibling) >= MIN_PARAGRAPH_CHARS and _link_density(
                    index, sibling) <= MAX_SHORT_BLOCK_LINK_DENSITY:
                group.append(sibling)
    return group


def _lift_to_alike_group(index: TextIndex,
                         best: etree._Element) -> list[etree._Element] | None:
    """A run of similar siblings that ``best`` sits in, through thin wrappers, if any.

    Articles are often cut into several same-class columns or sections (around
    adverts); the best-scoring container is then one of them, a few levels down.
    """
    node, node_length = best, index.length(best)
    for _ in range(MAX_WRAPPER_LIFT + 1):
        group = _alike_siblings(index, node)
        if len(group) > 1:
            return group
        parent = node.getparent()
        if parent is None:
            return None
        parent_length = index.length(parent)
        if parent_length > WRAPPER_TEXT_SLACK * node_length:
            return None
        node, node_length = parent, parent_length
    return None


def _is_link_list(index: TextIndex, element: etree._Element) -> bool:
    """A block made mostly of links, or a copyright notice with links (a page footer)."""
    text_length = index.length(element)
    if text_length == 0:
        return False
    density = _link_density(index, element)
    return density > MAX_LINK_DENSITY or (
        text_length < SHORT_BLOCK_CHARS and density > MAX_SHORT_BLOCK_LINK_DENSITY
        and element.tag != "p") or (
        density > 0 and text_length <= MAX_NOTICE_CHARS
        and _COPYRIGHT_NOTICE.search(_TEXT(element)) is not None)


def _prune_link_lists(index: TextIndex, group: list[etree._Element]) -> None:
    """Remove sub-blocks of the chosen elements that are link lists (:func:`_is_link_list`),
    unless together they hold more than :data:`MAX_PRUNED_SHARE` of the chosen text:
    then the links are the content (a listing's items), not lists beside it.
    """
    link_lists = []
    for container in group:
        walker = etree.iterwalk(container, events=("start",), tag=PRUNABLE_TAGS)
        for _, element in walker:
            if element is not container and _is_link_list(index, element):
                link_lists.append(element)
                walker.skip_subtree()  # its sub-blocks go with it
    pruned = sum(index.length(element) for element in link_lists)
    if pruned > MAX_PRUNED_SHARE * sum(index.length(element) for element in group):
        return
    for element in link_lists:
        drop_element(element)


def _is_title(index: TextIndex, heading: etree._Element) -> bool:
    """A heading with text that is not a link (a logo or a site name is one)."""
    return index.length(heading) > 0 and _link_density(index, heading) <= MAX_LINK_DENSITY


def _preceding_title(index: TextIndex, first: etree._Element) -> etree._Element | None:
    """The main heading (``h1``) right before ``first`` in reading order, if it titles
    it: the nearest one before it, in its container or an ancestor's up to
    :data:`TITLE_SEARCH_LEVELS` up, with at most :data:`MAX_TITLE_GAP_CHARS` of other
    text between the two."""
    gap = 0
    node = first
    for _ in range(TITLE_SEARCH_LEVELS):
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str):
                continue
            length = index.length(sibling)
            if length == 0:
                continue
            if sibling.tag == TITLE_TAG:
                return sibling if _is_title(index, sibling) else None
            headings = list(sibling.iter(TITLE_TAG))
            if headings:
                heading = headings[-1]  # the nearest to ``first``
                gap += length - index.length(heading)
                if gap > MAX_TITLE_GAP_CHARS or not _is_title(index, heading):
                    return None
                return heading
            gap += length
            if gap > MAX_TITLE_GAP_CHARS:
                return None
        node = node.getparent()
        if node is None:
            return None
    return None


def _main_hint(root: etree._Element) -> etree._Element | None:
    """The page's one ``<main>`` (or ``role="main"``) element, if it has exactly one."""
    hints = [element for element in root.iter(etree.Element)
             if element.tag == "main" or element.get("role") == "main"]
    return hints[0] if len(hints) == 1 else None


def _widen_to_region(root: etree._Element, index: TextIndex,
                     group: list[etree._Element]) -> list[etree._Element]:
    """The region of the page that ``group`` is a part of, when it is a small part.

    Modern pages cut their main text into sections of different kinds (a hero, a
    feature grid, specifications, a closing call), of which the paragraph votes find
    the one with the most prose. The region is the page's one ``<main>`` when the
    group lies in it, else the outermost ancestor below ``<body>`` whose text is
    mostly not links (:data:`REGION_LINK_DENSITY`); it replaces the group when the
    group holds less than :data:`MAIN_HINT_SHARE` of its text. Its link lists are
    pruned like the group's.
    """
    chosen = sum(index.length(element) for element in group)
    hint = _main_hint(root)
    if hint is not None:
        if not (group[0] is hint or any(a is hint for a in group[0].iterancestors())):
            return group
        fits = _link_density(index, hint) <= MAX_LINK_DENSITY
        return [hint] if fits and chosen < MAIN_HINT_SHARE * index.length(hint) else group
    region = None
    for ancestor in group[0].iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        if (_link_density(index, ancestor) <= REGION_LINK_DENSITY
                and chosen < MAIN_HINT_SHARE * index.length(ancestor)):
            region = ancestor
    return group if region is None else [region]


def _streamed_region(index: TextIndex,
                     group: list[etree._Element]) -> list[etree._Element] | None:
    """All the parts of a React-streamed page when ``group`` lies in one and is a small
    part of them.

    React streams the server-rendered content that was not ready at first into hidden
    ``<div id="S:...">`` elements at the end of the page, which a script moves into
    place: one region of the page, cut into siblings of ``<body>`` that the ancestor
    walk cannot join. They replace ``group`` as :func:`_widen_to_region` would widen it.
    """
    top = group[0]
    part = next((element for element in (top, *top.iterancestors())
                 if REACT_STREAMED_ID.match(element.get("id") or "")), None)
    if part is None or part.getparent() is None:
        return None
    parts = [sibling for sibling in part.getparent() if isinstance(sibling.tag, str)
             and REACT_STREAMED_ID.match(sibling.get("id") or "") and index.length(sibling)]
    total = sum(index.length(sibling) for sibling in parts)
    linked = sum(index.linked_length(sibling) for sibling in parts)
    chosen = sum(index.length(element) for element in group)
    if linked > REGION_LINK_DENSITY * total or chosen >= MAIN_HINT_SHARE * total:
        return None
    return parts


def find_main_blocks(root: etree._Element, index: TextIndex, *,
                     with_title: bool = False) -> list[etree._Element]:
    """The sibling elements that hold the page's main text, in document order; with
    ``with_title``, after the main heading that titles them when it stands outside them.

    ``index`` measures ``root`` as it is now. Returns an empty list when no element
    gathers a paragraph of text. The chosen elements are pruned of link lists in place.
    """
    scores = _votes(root, index)
    if not scores:
        return []
    best, best_score = None, 0.0
    # Link density only lowers a score, so candidates are tried best raw score first.
    for element, score in sorted(scores.items(), key=lambda item: -item[1]):
        if score <= best_score:
            break
        adjusted = score * (1.0 - _link_density(index, element))
        if adjusted > best_score:
            best, best_score = element, adjusted
    if best is None:
        return []
    group = (_lift_to_alike_group(index, best)
             or _joining_siblings(index, best, scores, best_score))
    group = _widen_to_region(root, index, group)
    group = _streamed_region(index, group) or group
    title = _preceding_title(index, group[0]) if with_title else None
    _prune_link_lists(index, group)
    return group if title is None else [title, *group]


def largest_text_block(root: etree._Element, index: TextIndex) -> etree._Element | None:
    """The smallest element that holds at least :data:`LARGEST_BLOCK_SHARE` of the
    page's text outside links, or None when all its text is in links: the fallback for
    a page with no run of paragraphs (text in short lines, cards or table cells)."""
    def unlinked(element: etree._Element) -> int:
        return index.length(element) - index.linked_length(element)

    total = unlinked(root)
    if total <= 0:
        return None
    node = root
    while True:
        children = [child for child in node if isinstance(child.tag, str)]
        best = max(children, key=unlinked, default=None)
        if best is None or unlinked(best) < LARGEST_BLOCK_SHARE * total:
            return node
        node = best
