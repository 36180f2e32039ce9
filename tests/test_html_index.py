"""TextIndex answers exactly what XPath's string(.) measures would, for every element."""

from pathlib import Path

import pytest
from lxml import etree

from massivetext.document import WebPage
from massivetext.extract.index import TextIndex
from massivetext.extract.tree import HtmlParseError, parse_html, remove_boilerplate
from massivetext.io.warc import read_warc
from massivetext.sample.crawl import write_sample

SHARED_WARCS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "warc"
TEXT_LENGTH = etree.XPath("string-length(normalize-space(string(.)))")
TEXT = etree.XPath("string(.)")
HANDMADE = [
    "<p>x</p>", " <b> a  b </b> tail", "<div>\xa0 hi,\u3000 there \xa0</div><a> x </a>",
    "<a><a>n</a>e</a>", "<table><tr><td>a, b<table><tr><td>c,<a>d</a></td></tr></table></td>"
    "<td>e</td></tr></table>", "<div><!-- note --><p>one<?pi x?>two</p>\t\n</div>",
    "<ul><li>first, <a href='#'>link</a></li><li>\u2003second\u00a0</li></ul>",
]


def assert_index_matches_xpath(html: str) -> int:
    try:
        root = parse_html(html)
    except HtmlParseError:  # the sample plants a page nested too deep to parse
        return 0
    if root is None:
        return 0
    remove_boilerplate(root)
    index = TextIndex(root)
    elements = list(root.iter())
    for element in elements:
        text = TEXT(element)
        assert index.length(element) == int(TEXT_LENGTH(element))
        assert index.stripped_length(element) == len(text.strip())
        assert index.commas(element) == text.count(",")
        assert index.linked_length(element) == sum(
            int(TEXT_LENGTH(link)) for link in element.iter("a"))
    return len(elements)


@pytest.mark.parametrize("html", HANDMADE)
def test_handmade_pages(html):
    assert assert_index_matches_xpath(html) > 0


def test_generated_sample_pages(tmp_path):
    path = tmp_path / "sample.warc.gz"
    write_sample(str(path), pages=60, seed=5)
    pages = [o.html for o in read_warc(str(path)) if isinstance(o, WebPage)]
    assert sum(assert_index_matches_xpath(html) for html in pages) > 1000


@pytest.mark.skipif(not SHARED_WARCS.exists(), reason=f"shared WARC data absent: {SHARED_WARCS}")
def test_real_pages_from_several_crawls():
    checked = 0
    for name in ("dolma/sample-0000.warc.gz", "resiliparse/warcfile.warc.gz"):
        pages = [o.html for o in read_warc(str(SHARED_WARCS / name)) if isinstance(o, WebPage)]
        checked += sum(assert_index_matches_xpath(html) for html in pages[:15])
    assert checked > 1000
