"""A generated MediaWiki XML dump (export-0.11, bz2 multistream) for the Wikipedia subset.

Articles are English prose from :class:`~massivetext.sample.text.EnglishGrammar` written
as wikitext with what real articles carry: an infobox, references, links, a file, a
table, lists, categories and an empty "References" section. Beside them: a redirect, a
disambiguation page, a talk page, and an article with an older revision after its
newest one, so every branch of the dump reader runs.
"""

from __future__ import annotations

import bz2
import random
from xml.sax.saxutils import escape

from massivetext.io.atomic import atomic_output
from massivetext.sample.text import Article, EnglishGrammar

PAGES_PER_STREAM = 4  # multistream dumps hold about 100 pages per bz2 stream
MULTISTREAM_NAME = "enwiki-sample-pages-articles-multistream.xml.bz2"


def article_wikitext(article: Article, rng: random.Random) -> str:
    """An article's blocks as wikitext, dressed with the markup real pages have."""
    lines = [f"{{{{Infobox settlement|name={article.title}|population={rng.randint(10, 9999)}}}}}"]
    for index, (kind, content) in enumerate(article.blocks):
        if kind == "h2":
            lines.append(f"\n== {content} ==")
        elif kind == "p":
            first, _, rest = content.partition(" ")
            reference = f"<ref>{{{{cite web|url=https://example.org/{index}|title=Source}}}}</ref>"
            lines.append(f"\n'''{first}''' {rest}{reference}")
        elif kind == "ul":
            lines.append("\n" + "\n".join(f"* [[{item}]]" for item in content))
        elif kind == "table":
            rows = "\n|-\n".join("| " + " || ".join(row) for row in content)
            lines.append(f'\n{{| class="wikitable"\n|-\n{rows}\n|}}')
        elif kind == "lines":
            lines.append("\n" + "<br />\n".join(content))
    lines.append("\n[[File:Sample.jpg|thumb|A picture]]\n\n== References ==\n{{reflist}}\n\n"
                 "[[Category:Sample articles]]")
    return "\n".join(lines)


def _page(title: str, page_id: int, revisions: list[tuple[str, str]], namespace: int = 0,
          redirect: str | None = None) -> str:
    body = "".join(
        f"    <revision>\n      <id>{page_id * 100 + index}</id>\n"
        f"      <timestamp>{timestamp}</timestamp>\n      <model>wikitext</model>\n"
        f"      <format>text/x-wiki</format>\n"
        f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>\n'
        f"    </revision>\n" for index, (timestamp, text) in enumerate(revisions))
    redirect_tag = f'    <redirect title="{escape(redirect)}" />\n' if redirect else ""
    return (f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{namespace}</ns>\n"
            f"    <id>{page_id}</id>\n{redirect_tag}{body}  </page>\n")


HEADER = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" \
xml:lang="en">
  <siteinfo>
    <sitename>Wikipedia</sitename>
    <dbname>enwiki</dbname>
    <base>https://en.wikipedia.org/wiki/Main_Page</base>
    <generator>MediaWiki 1.42</generator>
    <case>first-letter</case>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="1" case="first-letter">Talk</namespace>
      <namespace key="6" case="first-letter">File</namespace>
      <namespace key="14" case="first-letter">Category</namespace>
    </namespaces>
  </siteinfo>
"""


def write_wiki_dump(path: str, rng: random.Random, articles: int) -> dict[str, int]:
    """Write the dump; returns how many pages of each kind it holds."""
    pages, titles = [], []
    for index in range(articles):
        article = EnglishGrammar(rng).article(rng.randint(300, 600))
        titles.append(article.title)
        revisions = [("2024-03-01T12:00:00Z", article_wikitext(article, rng))]
        if index == 0:  # an older revision listed after the newest: the newest wins
            revisions.append(("2019-01-01T00:00:00Z", "An early draft of the article."))
        pages.append(_page(article.title, index + 1, revisions))
    extra = articles + 1
    pages.append(_page(f"{titles[0]} (old name)", extra, [
        ("2024-01-01T00:00:00Z", f"#REDIRECT [[{titles[0]}]]")], redirect=titles[0]))
    pages.append(_page("Sample (disambiguation)", extra + 1, [
        ("2024-01-01T00:00:00Z", "'''Sample''' may refer to:\n" + "\n".join(
            f"* [[{title}]]" for title in titles[:3]) + "\n{{disambiguation}}")]))
    pages.append(_page(f"Talk:{titles[0]}", extra + 2, [
        ("2024-01-01T00:00:00Z", "Is the population figure right? ~~~~")], namespace=1))
    # Multistream: the header, then a bz2 stream per few pages, then the footer.
    streams = [HEADER] + ["".join(pages[start:start + PAGES_PER_STREAM])
                          for start in range(0, len(pages), PAGES_PER_STREAM)] + ["</mediawiki>\n"]
    with atomic_output(path) as out:
        for stream in streams:
            out.write(bz2.compress(stream.encode("utf-8")))
    return {"article": articles, "redirect": 1, "disambiguation": 1, "not_main_namespace": 1}
