"""The MediaWiki dump reader and the wikitext conversion: hand-made dumps for every
branch, and the real exports under ../shared/data/text/wikipedia."""

import bz2
import gzip
from collections import Counter
from pathlib import Path

import pytest

from massivetext.document import Document, Failed, Skipped
from massivetext.readers.wikipedia import read_mediawiki
from massivetext.readers.wikitext import convert

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / "wikipedia"

ARTICLE = """{{Infobox river|name=Ouse|length=52}}
The '''Ouse''' is a river in [[England]].<ref>{{cite web|url=http://x.org}}</ref> It flows \
past [[York|the city of York]] (see {{convert|5|km}}).
[[File:Ouse.jpg|thumb|The river at dusk]]

== Course ==
The river rises in the hills and runs south.
* Source in the hills
# Mouth at the [[Humber]]
; Length
: 52 km
{| class="wikitable"
|-
| Tributary || Length
|}

== References ==
{{reflist}}

== External links ==
* [http://example.org The river trust]
<!-- a hidden comment -->
[[Category:Rivers of England]]
__NOTOC__"""


def page(title, text, *, ns=0, page_id=1, redirect=False, model="wikitext",
         revisions=None):
    revisions = revisions or [("2024-01-01T00:00:00Z", text)]
    body = "".join(
        f"<revision><id>{page_id * 10 + index}</id><timestamp>{stamp}</timestamp>"
        f"<model>{model}</model><text xml:space=\"preserve\">{escape(content)}</text>"
        f"</revision>" for index, (stamp, content) in enumerate(revisions))
    return (f"<page><title>{escape(title)}</title><ns>{ns}</ns><id>{page_id}</id>"
            + ('<redirect title="Elsewhere" />' if redirect else "") + body + "</page>\n")


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dump(pages, version="0.10", close=True, prologue=""):
    head = (f'{prologue}<mediawiki xmlns="http://www.mediawiki.org/xml/export-{version}/" '
            f'version="{version}" xml:lang="en">\n<siteinfo><sitename>Wikipedia</sitename>'
            "<dbname>enwiki</dbname><base>https://en.wikipedia.org/wiki/Main_Page</base>"
            '<namespaces><namespace key="0" case="first-letter" />'
            '<namespace key="6" case="first-letter">File</namespace>'
            '<namespace key="14" case="first-letter">Category</namespace></namespaces>'
            "</siteinfo>\n")
    return (head + "".join(pages) + ("</mediawiki>\n" if close else "")).encode("utf-8")


def read(tmp_path, data, name="dump.xml", **kwargs):
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_mediawiki(str(path), **kwargs))


def test_wikitext_keeps_titles_paragraphs_and_list_items():
    text, templates = convert(ARTICLE)
    assert text.split("\n\n") == [
        "The Ouse is a river in England. It flows past the city of York (see).",
        "Course",
        "The river rises in the hills and runs south.\n• Source in the hills\n"
        "• Mouth at the Humber\nLength\n52 km",
        "External links",
        "• The river trust",
    ]
    assert {"infobox river", "reflist", "convert"} <= templates


def test_wikitext_drops_files_categories_and_hidden_markup():
    text, _ = convert(ARTICLE)
    for gone in ("thumb", "dusk", "Rivers of England", "cite", "http", "Tributary",
                 "hidden comment", "NOTOC", "References", "{{", "[[", "'''"):
        assert gone not in text


def test_local_namespace_names_are_hidden_too():
    hidden = frozenset({"file", "category", "tập tin", "thể loại"})
    text, _ = convert("Sông [[Tập tin:A.jpg|nhỏ|chú thích]] chảy. [[Thể loại:Sông]]", hidden)
    assert text == "Sông chảy."


def test_one_outcome_per_page_with_the_reasons(tmp_path):
    pages = [
        page("Ouse", ARTICLE, page_id=1),
        page("Old name", "#REDIRECT [[Ouse]]", page_id=2, redirect=True),
        page("Mercury", "'''Mercury''' may refer to:\n* a planet\n{{disambiguation}}", page_id=3),
        page("Mercury (disambiguation)", "* a god", page_id=4),
        page("Talk:Ouse", "Is this right?", ns=1, page_id=5),
        page("Module:Data", "return {}", page_id=6, model="Scribunto"),
        page("Humber", "A [[river]] estuary.", page_id=7, revisions=[
            ("2024-05-01T00:00:00Z", "The newest text."),
            ("2023-01-01T00:00:00Z", "An older text."),
        ]),
        "<page><title>No id</title><ns>0</ns><revision><text>x</text></revision></page>",
        "<page><title>No revision</title><ns>0</ns><id>9</id></page>",
        page("Huge", "word " * 500, page_id=10),
    ]
    outcomes = read(tmp_path, dump(pages), max_page_bytes=1000)
    kinds = [(type(o).__name__, getattr(o, "kind", getattr(o, "error", ""))) for o in outcomes]
    assert kinds == [("Document", ""), ("Skipped", "redirect"), ("Skipped", "disambiguation"),
                     ("Skipped", "disambiguation"), ("Skipped", "not_main_namespace"),
                     ("Skipped", "not_wikitext"), ("Document", ""), ("Failed", "bad_page"),
                     ("Failed", "bad_page"), ("Failed", "page_too_large")]
    assert [outcome.offset for outcome in outcomes] == list(range(1, 11))
    ouse, humber = outcomes[0], outcomes[6]
    assert ouse.id == "enwiki-1" and ouse.url == "https://en.wikipedia.org/wiki/Ouse"
    assert ouse.text.startswith("Ouse\n\nThe Ouse is a river in England.")
    assert ouse.metadata["title"] == "Ouse" and ouse.subset == "wikipedia"
    assert humber.text == "Humber\n\nThe newest text."  # the latest revision, not the last
    assert humber.metadata["revision_id"] == "70"


@pytest.mark.parametrize("version", ["0.8", "0.9", "0.10", "0.11"])
def test_every_export_schema_version(tmp_path, version):
    outcomes = read(tmp_path, dump([page("Ouse", "A river.")], version=version))
    assert [o.text for o in outcomes] == ["Ouse\n\nA river."]


def test_bz2_multistream_and_gzip_are_detected(tmp_path):
    data = dump([page("A", "First.", page_id=1), page("B", "Second.", page_id=2)])
    middle = data.index(b"<page><title>B")
    # A multistream dump is several bz2 streams one after another.
    multistream = bz2.compress(data[:middle]) + bz2.compress(data[middle:])
    for name, payload in (("d.xml.bz2", multistream), ("d.xml.gz", gzip.compress(data))):
        outcomes = read(tmp_path, payload, name=name)
        assert [o.id for o in outcomes] == ["enwiki-1", "enwiki-2"]


def test_truncated_dump_keeps_its_pages_and_fails_once(tmp_path):
    data = dump([page("A", "First.", page_id=1), page("B", "Second.", page_id=2)], close=False)
    outcomes = read(tmp_path, data[:-20])
    assert isinstance(outcomes[0], Document)
    assert isinstance(outcomes[-1], Failed) and outcomes[-1].error == "bad_xml"
    corrupt = bz2.compress(data)[:-30]
    outcomes = read(tmp_path, corrupt, name="d.xml.bz2")
    assert isinstance(outcomes[-1], Failed)
    assert outcomes[-1].error in ("bad_compression", "bad_xml")


def test_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    prologue = ('<?xml version="1.0"?>\n'
                f'<!DOCTYPE mediawiki [<!ENTITY x SYSTEM "{secret.as_uri()}">'
                '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n')
    text_with_entities = "<text>Leak &x; and &b;</text>"
    data = dump([page("A", "placeholder")], prologue=prologue).replace(
        b'<text xml:space="preserve">placeholder</text>', text_with_entities.encode())
    outcomes = read(tmp_path, data)
    assert all("TOP SECRET" not in getattr(o, "text", "") for o in outcomes)
    assert all("aaaaaaaaaa" * 10 not in getattr(o, "text", "") for o in outcomes)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/text/wikipedia absent")
def test_real_mwxml_format_cases():
    outcomes = list(read_mediawiki(str(SHARED / "mwxml-format-cases.xml")))
    assert [type(o) for o in outcomes] == [Document, Skipped]
    assert outcomes[0].text == "Foo\n\nRevision 2 text"  # the later of two revisions
    assert outcomes[0].url == "http://en.wikipedia.org/wiki/Foo"
    assert outcomes[1].kind == "not_main_namespace"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/text/wikipedia absent")
def test_real_vietnamese_export():
    path = SHARED / "viwiki-sample-pages-articles.xml.bz2"
    outcomes = list(read_mediawiki(str(path)))
    counts = Counter(getattr(o, "kind", type(o).__name__) for o in outcomes)
    # 10 pages (3 redirects, one Wikipedia: page); the excerpt's closing tag is missing.
    assert counts == {"Document": 6, "redirect": 3, "not_main_namespace": 1, "Failed": 1}
    assert outcomes[-1].error == "bad_xml"
    articles = [o for o in outcomes if isinstance(o, Document)]
    sweden = next(o for o in articles if o.metadata["title"] == "Thụy Điển")
    assert sweden.url == "https://vi.wikipedia.org/wiki/Th%E1%BB%A5y_%C4%90i%E1%BB%83n"
    assert sweden.text.startswith("Thụy Điển\n\nThụy Điển (tiếng Anh: Sweden)")
    for article in articles:
        for markup in ("{{", "}}", "[[", "]]", "<ref", "{|", "'''", "Tập tin:", "Thể loại:"):
            assert markup not in article.text, (article.id, markup)
