"""Wikitext to plain text, with mwparserfromhell's parse tree (not regular expressions).

What a page becomes (docs/paper.md, "Wikipedia"): its section titles (one paragraph
each, dropped when their section ends up empty, as "References" does once its
``{{reflist}}`` is gone), its paragraphs, and its list items (one line each, ``• ``
before ``*`` and ``#`` items, nothing before ``;`` and ``:`` lines). The parts handled
deliberately:

- **templates** are dropped, not expanded: expansion needs every template page of the
  wiki. Infoboxes, navigation boxes and citation templates go, and so do the few inline
  words some templates render (``{{convert|5|km}}``); parentheses left empty are removed.
- **references** (``<ref>``, ``<references>``) are dropped: they are citations, not prose.
- **tables** (``{| ... |}`` and ``<table>``) are dropped: cells read as prose fragments.
- **files, images and categories** (``[[File:...]]``, ``[[Category:...]]`` and their
  local names, e.g. ``Tập tin`` and ``Thể loại`` on the Vietnamese Wikipedia) are
  dropped; other links keep the text they show.
- external links keep their title and lose their URL; comments, ``{{{arguments}}}``,
  behaviour switches (``__NOTOC__``), ``<math>``, ``<gallery>`` and other markup that
  renders no prose are dropped; ``''emphasis''`` and harmless HTML keep their text;
  HTML entities become their characters.
"""

from __future__ import annotations

import re

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, Heading, HTMLEntity, Tag, Text, Wikilink

#: Namespaces whose links render no text in the article: canonical English names
#: (the reader adds the wiki's local names from the dump's ``<siteinfo>``).
HIDDEN_LINK_NAMESPACES = frozenset({"file", "image", "media", "category"})
#: Tags whose content is not prose (see the module docstring).
DROPPED_TAGS = frozenset({
    "ref", "references", "table", "math", "chem", "ce", "gallery", "imagemap", "timeline",
    "graph", "mapframe", "maplink", "templatestyles", "templatedata", "score",
    "inputbox", "categorytree", "includeonly", "indicator", "syntaxhighlight-inline",
})
BULLET = "• "
_BEHAVIOUR_SWITCH = re.compile(r"__[A-Z]+__")
# What dropped templates and references leave behind: "( )", "(, , x)", "word ."
_EMPTY_PARENTHESES = re.compile(r"\s?\([\s,;:]*\)")
_LEADING_SEPARATORS = re.compile(r"\((?:\s*[,;])*\s+|\((?:\s*[,;])+")
_TRAILING_SPACE = re.compile(r"\s+\)")
_SPACE_BEFORE_STOP = re.compile(r"(?<=\w) +(?=[.,](?:\s|$))")
_STYLE_QUOTES = re.compile("'{2,}")  # italic, bold and both: 2, 3 or 5 quotes
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
# A table the parser could not parse stays text; it is dropped as parsed ones are.
_UNPARSED_TABLE = re.compile(r"^[ \t]*\{\|.*?^[ \t]*\|\}[ \t]*$", re.MULTILINE | re.DOTALL)
_HEADING_MARK = "\x00"  # never in wikitext once NULs are removed


class _Renderer:
    def __init__(self, hidden_namespaces: frozenset[str]):
        self._hidden = hidden_namespaces
        self.parts: list[str] = []

    def _ends_line(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def render(self, code) -> None:
        for node in code.nodes:
            self._node(node)

    def _node(self, node) -> None:
        if isinstance(node, Text):
            self.parts.append(str(node.value))
        elif isinstance(node, Heading):
            title = render_inline(node.title, self._hidden).strip()
            self.parts.append(f"\n\n{_HEADING_MARK}{node.level}{_HEADING_MARK}{title}\n\n")
        elif isinstance(node, Wikilink):
            self._link(node)
        elif isinstance(node, ExternalLink):
            if node.title:
                self.render(node.title)
        elif isinstance(node, HTMLEntity):
            self.parts.append(node.normalize())
        elif isinstance(node, Tag):
            self._tag(node)
        # Anything else (templates, arguments, comments) renders nothing.

    def _link(self, link: Wikilink) -> None:
        title = str(link.title).strip().lstrip(":")
        namespace = title.split(":", 1)[0].strip().lower() if ":" in title else ""
        if namespace in self._hidden:
            return
        if link.text:
            self.render(link.text)
        else:
            self.parts.append(title)

    def _tag(self, tag: Tag) -> None:
        name = str(tag.tag).strip().lower()
        if name in DROPPED_TAGS:
            return
        if name == "li":
            self.parts.append(BULLET if self._ends_line() else "\n" + BULLET)
        elif name in ("dt", "dd", "br", "p", "div"):
            if not self._ends_line():
                self.parts.append("\n")
        if tag.contents is not None and not tag.self_closing:
            self.render(tag.contents)
            if name in ("p", "div"):
                self.parts.append("\n")


def render_inline(code, hidden_namespaces: frozenset[str]) -> str:
    renderer = _Renderer(hidden_namespaces)
    renderer.render(code)
    return "".join(renderer.parts)


def _tidy(line: str) -> str:
    line = _LEADING_SEPARATORS.sub("(", _EMPTY_PARENTHESES.sub("", line))
    line = _TRAILING_SPACE.sub(")", line)
    return _SPACE_BEFORE_STOP.sub("", _SPACES.sub(" ", line)).strip()


def _blocks(rendered: str) -> list[tuple[int, str]]:
    """(heading level, text) for headings and (0, text) for paragraphs, in order."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", rendered):
        lines = [_tidy(line) for line in chunk.split("\n")]
        lines = [line for line in lines if line and line != BULLET.strip()]
        if not lines:
            continue
        if lines[0].startswith(_HEADING_MARK):
            _, level, title = lines[0].split(_HEADING_MARK, 2)
            if title:
                blocks.append((int(level), title))
            continue
        blocks.append((0, "\n".join(lines)))
    return blocks


def _drop_empty_sections(blocks: list[tuple[int, str]]) -> list[str]:
    """Texts of the blocks, without headings whose section holds no paragraph."""
    kept: list[str] = []
    for index, (level, text) in enumerate(blocks):
        if level:
            following = (other for other, _ in blocks[index + 1:])
            has_content = False
            for other in following:
                if other == 0:
                    has_content = True
                    break
                if other <= level:
                    break
            if not has_content:
                continue
        kept.append(text)
    return kept


def convert(wikitext: str, hidden_namespaces: frozenset[str] = HIDDEN_LINK_NAMESPACES,
            ) -> tuple[str, set[str]]:
    """(plain text, template names) of a page's wikitext, parsed once.

    The text's paragraphs are separated by blank lines; the template names are those
    used at the top level, lower-cased, underscores as spaces. ``hidden_namespaces``:
    lower-cased namespace names whose links are dropped. Raises mwparserfromhell's
    ``ParserError`` on wikitext it cannot parse.
    """
    # Style quotes are left to us: parsing them as tags makes one unbalanced pair
    # anywhere turn whole infoboxes into text (a known limit of the parser).
    code = mwparserfromhell.parse(wikitext.replace(_HEADING_MARK, ""), skip_style_tags=True)
    templates = {str(template.name).strip().lower().replace("_", " ")
                 for template in code.filter_templates(recursive=False)}
    rendered = render_inline(code, hidden_namespaces)
    rendered = _STYLE_QUOTES.sub("", _BEHAVIOUR_SWITCH.sub("", _UNPARSED_TABLE.sub("", rendered)))
    return "\n\n".join(_drop_empty_sections(_blocks(rendered))), templates
