"""MediaWiki XML dumps (``*-pages-articles*.xml[.bz2]``) -> Wikipedia subset documents.

Export schemas 0.8 to 0.11 are read alike (the schema's namespace URI is taken from
each element, so any version works). The dump is streamed: ``lxml.etree.iterparse``
with no network access, no DTD, internal entities only (``resolve_entities=False``)
and libxml2's size limits on (``huge_tree=False``: no text node over 10 MB), each
revision and page cleared once read, so memory holds one page. ``.bz2`` files
(multistream ones included: Python's bz2 reads every stream) and ``.gz`` files are
detected by their magic bytes.

One outcome per ``<page>``:

- Skipped ``not_main_namespace`` (talk, user, template pages ...), ``redirect``,
  ``disambiguation`` (a disambiguation template, ``__DISAMBIG__`` or a title ending in
  "(disambiguation)"), ``not_wikitext`` (JSON, CSS, Lua pages);
- Failed ``bad_page`` (no numeric id or namespace, no revision), ``page_too_large``
  (over ``max_page_bytes``), ``bad_wikitext`` (the parser gave up);
- otherwise a Document of the *latest* revision (latest timestamp; the last one on
  ties): id ``<dbname>-<page id>``, URL from the site's base and the title, the title
  as the first paragraph, then the text of :mod:`massivetext.readers.wikitext`.

Positions (``offset``) are page numbers in the file, from 1. XML that is not well
formed cannot be resynchronised: the file ends with one Failed ``bad_xml`` (or
``bad_compression``) after the pages read before it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from massivetext.document import Document, Failed, Skipped
from massivetext.readers.common import Opener, decompressed_stream, open_input, read_failure
from massivetext.readers.wikitext import HIDDEN_LINK_NAMESPACES, convert

#: Our choice: a page's wikitext over 8 MiB is not an article (the largest Wikipedia
#: articles are about 1.5 MB); it stays under libxml2's 10 MB text-node limit.
DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024
#: Disambiguation templates (lower-cased): English and the largest other Wikipedias;
#: any template named "... disambiguation" counts too.
DISAMBIGUATION_TEMPLATES = frozenset({
    "disambiguation", "disambig", "dab", "disamb", "hndis", "geodis", "numberdis",
    "trang định hướng", "định hướng", "begriffsklärung", "homonymie", "desambiguación",
    "desambiguação", "disambigua", "doorverwijspagina", "неоднозначность", "多義語",
    "aimai", "消歧義", "disambiguasi",
})
MAIN_NAMESPACE = 0


@dataclass
class _Site:
    dbname: str = "wiki"
    base: str = ""  # the wiki's article path, e.g. https://vi.wikipedia.org/wiki/
    hidden_namespaces: frozenset[str] = HIDDEN_LINK_NAMESPACES

    def url(self, title: str) -> str:
        return self.base + quote(title.replace(" ", "_"), safe="/:(),'!*") if self.base else ""


@dataclass
class _Revision:
    timestamp: str = ""
    text: str | None = None
    model: str = "wikitext"
    revision_id: str = ""


def _site(siteinfo, ns: str) -> _Site:
    base = siteinfo.findtext(f"{ns}base") or ""
    names = {(element.text or "").strip().lower()
             for element in siteinfo.iter(f"{ns}namespace")
             if element.get("key") in ("6", "14", "-2")}
    return _Site(dbname=siteinfo.findtext(f"{ns}dbname") or "wiki",
                 base=base.rsplit("/", 1)[0] + "/" if "/" in base else "",
                 hidden_namespaces=HIDDEN_LINK_NAMESPACES | (names - {""}))


def _is_disambiguation(title: str, wikitext: str, templates: set[str]) -> bool:
    return (title.endswith("(disambiguation)") or "__DISAMBIG__" in wikitext
            or any(name in DISAMBIGUATION_TEMPLATES or name.endswith(" disambiguation")
                   for name in templates))


class _PageReader:
    def __init__(self, path: str, subset: str, max_page_bytes: int):
        self.path, self.subset, self.max_page_bytes = path, subset, max_page_bytes
        self.site = _Site()
        self.latest = _Revision()
        self.pages = 0

    def revision(self, element, ns: str) -> None:
        timestamp = element.findtext(f"{ns}timestamp") or ""
        if self.latest.text is None or timestamp >= self.latest.timestamp:
            text = element.find(f"{ns}text")
            self.latest = _Revision(timestamp, (text.text or "") if text is not None else None,
                                    element.findtext(f"{ns}model") or "wikitext",
                                    element.findtext(f"{ns}id") or "")

    def page(self, element, ns: str) -> Document | Skipped | Failed:
        self.pages += 1
        revision, self.latest = self.latest, _Revision()
        title = element.findtext(f"{ns}title") or ""
        page_id = (element.findtext(f"{ns}id") or "").strip()
        namespace = (element.findtext(f"{ns}ns") or "").strip()
        if not page_id.isdigit() or not namespace.lstrip("-").isdigit():
            return read_failure(self.path, "bad_page", self.pages,
                                f"page {self.pages} ({title!r}): no numeric id or namespace")
        record_id = f"{self.site.dbname}-{page_id}"
        if int(namespace) != MAIN_NAMESPACE:
            return Skipped("not_main_namespace", self.path, self.pages, record_id)
        if element.find(f"{ns}redirect") is not None:
            return Skipped("redirect", self.path, self.pages, record_id)
        if revision.text is None:
            return read_failure(self.path, "bad_page", self.pages,
                                f"page {self.pages} ({title!r}): no revision text")
        if revision.model != "wikitext":
            return Skipped("not_wikitext", self.path, self.pages, record_id)
        if len(revision.text.encode("utf-8")) > self.max_page_bytes:
            return read_failure(self.path, "page_too_large", self.pages,
                                f"page {self.pages} ({title!r}): over {self.max_page_bytes} bytes")
        try:
            text, templates = convert(revision.text, self.site.hidden_namespaces)
        except Exception as error:  # mwparserfromhell's ParserError and its limits
            return read_failure(self.path, "bad_wikitext", self.pages,
                                f"page {self.pages} ({title!r}): {error!r}")
        if _is_disambiguation(title, revision.text, templates):
            return Skipped("disambiguation", self.path, self.pages, record_id)
        return Document(
            id=record_id, text=f"{title}\n\n{text}" if text else title, subset=self.subset,
            url=self.site.url(title), source=self.path, offset=self.pages,
            metadata={"title": title, "revision_id": revision.revision_id,
                      "timestamp": revision.timestamp})


def _namespace(tag: str) -> str:
    return tag[:tag.index("}") + 1] if tag.startswith("{") else ""


def read_mediawiki(path: str, subset: str = "wikipedia", opener: Opener | None = None,
                   max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES,
                   ) -> Iterator[Document | Skipped | Failed]:
    """One outcome per page of a MediaWiki XML dump (see the module docstring)."""
    reader = _PageReader(path, subset, max_page_bytes)
    with open_input(path, opener) as raw:
        events = etree.iterparse(
            decompressed_stream(raw), events=("end",),
            tag=("{*}siteinfo", "{*}revision", "{*}page"),
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            for _, element in events:
                ns = _namespace(element.tag)
                kind = element.tag[len(ns):]
                if kind == "revision":
                    reader.revision(element, ns)
                    element.clear()
                    continue
                if kind == "siteinfo":
                    reader.site = _site(element, ns)
                else:
                    yield reader.page(element, ns)
                element.clear()
                # Earlier siblings are done with: drop them so the tree stays one page.
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.XMLSyntaxError as error:
            yield read_failure(path, "bad_xml", reader.pages + 1,
                               f"after page {reader.pages}: {error}")
        except (OSError, EOFError, zlib.error) as error:
            yield read_failure(path, "bad_compression", reader.pages + 1,
                               f"after page {reader.pages}: {error}")
