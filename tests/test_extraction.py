"""The HTML-tree text extractor: formatting, boilerplate removal, hostile input, quality."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from massivetext.extract.extractor import (
    EXTRACTORS,
    MAX_HTML_CHARS,
    ExtractionError,
    extract_page,
    extract_text,
    get_extractor,
    get_page_extractor,
)

AEB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction" \
    / "scrapinghub-aeb"

PROSE = [
    "The river rose through the night, and by morning the lower town was under water.",
    "Volunteers carried sandbags to the bridge, where the current was strongest.",
    "By noon the council had opened the school as a shelter for families from the quay.",
    "Engineers said the old levee had held better than anyone expected it to.",
]


def page(body: str, head: str = "<title>A page</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def article(*extra_blocks: str) -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in PROSE)
    return f"<article><div class='story'>{paragraphs}{''.join(extra_blocks)}</div></article>"


def test_paragraphs_are_separated_by_blank_lines():
    assert extract_text(page(article())) == "\n\n".join(PROSE)


def test_inline_markup_and_whitespace_collapse():
    html = page(article("<p>Rain   <b>fell</b>\n again <a href='/x'>on the hills</a>, "
                        "and <em>again</em>.</p>"))
    assert extract_text(html).endswith("\n\nRain fell again on the hills, and again.")


def test_lists_get_bullets_and_nested_lists_are_indented():
    html = page(article("<ul><li>sandbags</li><li>boats<ul><li>rowing boats</li>"
                        "<li>dinghies<ol><li>inflatable</li></ol></li></ul></li>"
                        "<li>pumps</li></ul>"))
    assert extract_text(html).endswith(
        "\n\n• sandbags\n• boats\n  • rowing boats\n  • dinghies\n    • inflatable\n• pumps")


def test_headings_stand_on_their_own_lines():
    html = page(article("<h2>What happens next</h2><p>The water is expected to fall slowly "
                        "over the coming week.</p>"))
    assert "\n\nWhat happens next\n\nThe water is expected" in extract_text(html)


def test_table_rows_on_lines_with_cells_separated():
    html = page(article("<table><tr><th>Town</th><th>Level</th></tr>"
                        "<tr><td>Upper</td><td>2.1 m</td></tr>"
                        "<tr><td>Lower</td><td>3.4 m</td></tr></table>"))
    assert extract_text(html).endswith("\n\nTown | Level\nUpper | 2.1 m\nLower | 3.4 m")


def test_preformatted_text_is_kept_as_is():
    code = "def level(x):\n    return  x * 2\n\n\n# done"
    html = page(article(f"<pre>{code}</pre>"))
    assert extract_text(html).endswith("\n\n" + code)


def test_line_breaks_become_newlines():
    html = page(article("<p>Flood Office<br>12 Quay Street<br/>Lowtown, and open all night."
                        "</p>"))
    assert extract_text(html).endswith("\n\nFlood Office\n12 Quay Street\nLowtown, and open "
                                       "all night.")


def test_text_split_by_br_without_paragraphs_is_found():
    body = "<div id='main'>" + "<br><br>".join(PROSE) + "</div>"
    assert extract_text(page(body)) == "\n\n".join(PROSE)


def test_boilerplate_is_removed_and_the_article_kept():
    links = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
    body = (
        f"<header><a href='/'>Daily River</a><nav><ul>{links}</ul></nav></header>"
        "<div class='cookie-banner'>We use cookies to improve your experience, and by "
        "continuing you agree to our policy.</div>"
        "<div class='layout has-sidebar'>"
        f"<main><h1>Flood hits town</h1>{article()}"
        "<div class='share-buttons'>Share this story on every network you can find "
        "today.</div>"
        "<section id='comments'><p>First comment, and I have a lot to say about it.</p>"
        "</section></main>"
        "<aside class='sidebar'><p>Most read: a long list of other stories, worth a look "
        "today.</p></aside>"
        "<div class='related-posts'><p>Related: another story about the river, and more."
        "</p></div></div>"
        f"<footer><p>Copyright Daily River, all rights reserved, since 1901.</p>{links}"
        "</footer>")
    text = extract_text(page(body))
    assert text == "\n\n".join(PROSE)


def test_article_split_into_similar_sections_stays_whole():
    body = ("<div class='body'>"
            f"<div class='column'><div class='inner'><p>{PROSE[0]}</p><p>{PROSE[1]}</p>"
            "</div></div>"
            "<div class='ad-slot'>Advertisement</div>"
            f"<div class='column'><div class='inner'><p>{PROSE[2]}</p><p>{PROSE[3]}</p>"
            "</div></div></div>")
    assert extract_text(page(body)) == "\n\n".join(PROSE)


def test_link_lists_inside_the_article_are_pruned():
    more = "".join(f"<li><a href='/m{i}'>Another flood story number {i}</a></li>"
                   for i in range(6))
    html = page(article(f"<div><h3>More</h3><ul>{more}</ul></div>"))
    assert extract_text(html) == "\n\n".join(PROSE)


def test_a_listing_made_of_linked_item_titles_keeps_them():
    # A blog's front page: an introduction, then cards of a linked title and a date. The
    # titles make most of the text, so they are the content, not link lists beside it.
    cards = "".join(f"<div class='card'><a href='/p{n}'>Notes from the harbour, week {n}: "
                    f"the boats and the tides</a> <span>{n} May, by Jo</span></div>"
                    for n in range(8))
    text = extract_text(page(f"<div class='posts'><p>{PROSE[0]}</p>{cards}</div>"))
    assert text.startswith(PROSE[0])
    assert all(f"week {n}: the boats and the tides {n} May" in text for n in range(8))


def _div_soup(title_block: str, repeat: int = 1) -> str:
    """A post whose title stands outside the content div, with a byline between."""
    paragraphs = "".join(f"<p>{text}</p>" for text in PROSE * repeat)
    return page(f"<div class='top'><a href='/'>Home</a></div><div class='post'>"
                f"{title_block}<div class='entry-meta'><span class='byline'>By Jo</span>"
                f"</div><div class='entry-content'>{paragraphs}</div></div>")


def test_main_heading_before_the_content_opens_the_text_on_request():
    html = _div_soup("<h1 class='entry-title'>Floods reach the quay</h1>"
                     "<div class='dateline'>3 March 2024</div>")
    assert extract_text(html) == "\n\n".join(PROSE)
    assert extract_text(html, with_title=True) == "\n\n".join(["Floods reach the quay",
                                                                *PROSE])


def test_linked_heading_and_distant_heading_are_not_titles():
    logo = _div_soup("<h1><a href='/'>The Lowtown Gazette</a></h1>")
    assert extract_text(logo, with_title=True) == "\n\n".join(PROSE)
    standfirst = "A long standfirst that sits between the heading and the story. " * 3
    # A story long enough that the standfirst does not make the post its region.
    distant = _div_soup(f"<h1>Floods reach the quay</h1><div class='intro'>{standfirst}</div>",
                        repeat=3)
    assert extract_text(distant, with_title=True).startswith(PROSE[0])


def test_copyright_footer_with_links_is_dropped_and_a_sign_off_kept():
    footer = ("<p class='copyright'>© 2018-2024 Lowtown Gazette. All rights reserved. "
              "<a href='/privacy'>Privacy policy</a> | <a href='/terms'>Terms</a></p>")
    sign_off = "<p><em>© 2024 Press Agency. All rights reserved.</em></p>"
    paragraphs = "".join(f"<p>{text}</p>" for text in PROSE)
    assert extract_text(page(paragraphs + "<hr>" + footer)) == "\n\n".join(PROSE)
    assert extract_text(page(paragraphs + sign_off)).endswith(
        "\n\n© 2024 Press Agency. All rights reserved.")


def test_separator_lines_at_the_ends_and_empty_bullets_are_dropped():
    html = page(f"<table><tr><td class='nav'></td><td>{''.join(f'<p>{t}</p>' for t in PROSE)}"
                "</td></tr></table>")
    assert extract_text(html) == "\n\n".join(PROSE)
    html = page(article("<ul><li><img src='a.png'></li><li>sandbags</li></ul>", "<p>|</p>"))
    assert extract_text(html).endswith("\n\n• sandbags")
    starred = page(article("<p>* * *</p><p>The next morning the water had gone down.</p>"))
    assert "\n\n* * *\n\n" in extract_text(starred)


def test_broken_and_unclosed_html():
    html = ("<html><body><div><p>" + PROSE[0] + "<p>" + PROSE[1] + "<div><p>" + PROSE[2]
            + "</span></b><p>" + PROSE[3])
    assert extract_text(html) == "\n\n".join(PROSE)


def test_bytes_in_a_legacy_encoding_are_decoded():
    pytest.importorskip("massivetext.io.charset", reason="massivetext.io.charset not available")
    text = "Café crème, naïve façade: the old town's brasserie reopened on Sunday."
    html = page(f"<div id='main'><p>{text}</p><p>{PROSE[0]}</p></div>",
                head="<meta charset='windows-1252'>")
    assert extract_text(html.encode("windows-1252")).startswith(text)


def test_xml_declaration_with_encoding_is_accepted():
    html = "<?xml version='1.0' encoding='utf-8'?>\n" + page(article())
    assert extract_text(html) == "\n\n".join(PROSE)


def test_control_characters_and_lone_surrogates_are_cleaned():
    html = page(f"<div id='main'><p>{PROSE[0]}\x00\x01\x03 More\ud800 text.</p></div>")
    assert extract_text(html) == PROSE[0] + " More\ufffd text."


@pytest.mark.parametrize("html", ["", "   \n ", "<html></html>", page(""),
                                  page("<script>var x = 'not text at all, really';</script>")])
def test_pages_without_main_text_give_empty_text(html):
    assert extract_text(html) == ""


def test_html_bomb_neither_crashes_nor_hangs():
    bomb = "<div>" * 100_000 + "deep" + "</div>" * 100_000
    start = time.process_time()  # CPU time: a loaded machine does not fail it
    with pytest.raises(ExtractionError) as caught:
        extract_text(page(bomb))
    assert caught.value.error == "html_too_deep"
    unclosed = "<p>" * 100_000 + PROSE[0]
    assert extract_text(page(unclosed)) == PROSE[0]
    assert time.process_time() - start < 3.0


def test_unclosed_font_tags_beyond_libxml2s_default_depth_keep_the_page():
    # Old forum and mail-archive pages leave hundreds of <font> tags open: 260 levels
    # failed the whole page as html_too_deep (libxml2 stops at 256 by default).
    body = "<p>" + PROSE[0] + "</p>" + "<font size=2>" * 260 + "<p>" + PROSE[1] + "</p>"
    extraction = extract_page(page(body))
    assert extraction.text == PROSE[0] + "\n\n" + PROSE[1]
    assert extraction.flattened == 1
    assert extraction.counter_keys() == ("deep_html_flattened",)


def test_depth_bound_flattens_deeper_elements_keeping_their_text_in_order():
    html = page("<div>" * 40 + "<p>" + PROSE[0] + "</p><p>" + PROSE[1]
                + "<script>var hidden = 'never text';</script></p>" + "</div>" * 40)
    assert extract_page(html).flattened == 0
    extraction = extract_page(html, max_depth=30)
    assert extraction.flattened == 1
    assert extraction.text == PROSE[0] + PROSE[1]  # one text block below the bound
    with pytest.raises(ValueError):
        extract_text(html, max_depth=0)


def test_a_page_deeper_than_the_parser_can_go_fails_with_one_message():
    with pytest.raises(ExtractionError) as caught:
        extract_text(page("<div>" * 3000 + PROSE[0]))
    assert caught.value.error == "html_too_deep"
    assert str(caught.value) == ("html_too_deep: elements nest deeper than 2047 levels, "
                                 "where the HTML parser stops")


def test_huge_input_is_refused_before_parsing():
    with pytest.raises(ExtractionError) as caught:
        extract_text("<p>" + "x" * MAX_HTML_CHARS + "</p>")
    assert caught.value.error == "html_too_large"
    with pytest.raises(ExtractionError):
        extract_text(page(article()), max_html_chars=100)


def test_registry():
    assert EXTRACTORS == ("tree", "tree-with-title", "trafilatura")
    assert get_extractor("tree") is extract_text
    text = get_extractor("trafilatura")(page(article()), "https://example.org/flood")
    assert PROSE[0] in text
    with pytest.raises(ValueError, match="unknown extractor"):
        get_extractor("regex")


@pytest.mark.skipif(not (AEB / "ground-truth.json").exists(),
                    reason=f"article-extraction-benchmark data not found at {AEB}")
def test_quality_on_article_extraction_benchmark_sample():
    from benchmarks.bench_extraction import load_pages, score

    pages = load_pages(AEB)[::4][:40]  # a spread-out sample, to keep the test fast
    outputs = [extract_text(html, url) for _, url, html, _ in pages]
    precision, recall, f1 = score([gold for *_, gold in pages], outputs)
    assert f1 > 0.9, (precision, recall, f1)


def test_the_tree_with_title_extractor_opens_with_the_pages_main_heading():
    html = ("<html><body><div class='page'><h1>Harbour lights return</h1>"
            "<div class='byline'>By a reporter</div><div class='story'>"
            + "<p>The harbour lights were switched on again last night, and the people of "
              "the town gathered on the quay to watch the boats come in.</p>" * 4
            + "</div></div></body></html>")
    with_title = get_extractor("tree-with-title")(html, "")
    assert with_title.startswith("Harbour lights return\n")
    assert get_extractor("tree")(html, "") in with_title


def test_text_after_preformatted_text_appears_once():
    html = ("<html><body><article>" + "<p>The build script below compiles the library, "
            "and the people who maintain it explain each step in turn.</p>" * 3
            + "<pre>make all\nmake install</pre>Then run the tests once more.</article>"
            "</body></html>")
    text = extract_text(html)
    assert "make all\nmake install" in text
    assert text.count("Then run the tests once more.") == 1


def test_the_pages_one_main_element_holds_its_sections():
    # A landing page: a hero, a feature grid and a closing call, each its own section.
    sections = (f"<section class='hero'><h1>Boats for rent</h1><p>{PROSE[0]}</p></section>"
                f"<div class='grid'><div class='card'><h3>Safe</h3><p>{PROSE[1]}</p></div>"
                f"<div class='tile'><h3>Fast</h3><span>{PROSE[2]}</span></div></div>"
                f"<section class='cta'><p>{PROSE[3]}</p></section>")
    text = extract_text(page(f"<nav><a href='/'>Home</a></nav><main>{sections}</main>"))
    assert all(sentence in text for sentence in PROSE) and "Home" not in text


@pytest.mark.parametrize("classes,kept", [("overflow-hidden", True), ("hidden md:block", True),
                                          ("d-none d-lg-flex", True), ("hidden", False),
                                          ("lg:hidden", False), ("sr-only", False),
                                          ("lg:[--nav-height:4px]", True)])
def test_hiding_classes_are_whole_class_names_undone_by_responsive_ones(classes, kept):
    html = page(article(f"<div class='{classes}'><p>{PROSE[0]} Once more.</p></div>"))
    assert (f"{PROSE[0]} Once more." in extract_text(html)) is kept


def test_noscript_and_react_streamed_text_is_page_text():
    # A forum's crawler view in <noscript>; React's streamed content in hidden "S:" divs.
    paragraphs = "".join(f"<p>{text}</p>" for text in PROSE[:2])
    assert extract_text(page(f"<noscript><div>{paragraphs}</div></noscript>")) == \
        "\n\n".join(PROSE[:2])
    assert extract_text(page(f"<div hidden id='S:1'>{paragraphs}</div>")) == \
        "\n\n".join(PROSE[:2])
    menu = "A menu that a script shows, with links to every page of the site."
    assert menu not in extract_text(page(f"<div hidden id='menu'><p>{menu}</p></div>"
                                         + article()))


@pytest.mark.parametrize("body,fallback", [
    # Short lines, none a paragraph: the block that holds most of the text.
    ("<div class='spec'>" + "".join(f"<div>Weight {n} kg</div>" for n in range(9)) + "</div>"
     "<div>© Shop</div>", "largest_block"),
    # All text in links: all visible text.
    ("<div>" + "".join(f"<a href='/{n}'>Chapter {n} of the book</a>" for n in range(9))
     + "</div>", "visible_text"),
    # All text named boilerplate or furniture: the visible text before those rules.
    ("<nav><a href='/'>Home</a></nav>", "unfiltered_text"),
    (f"<aside><p>{PROSE[0]}</p></aside>", "unfiltered_text"),
])
def test_a_page_without_a_main_block_falls_back_in_order_and_says_which(body, fallback):
    extraction = extract_page(page(body))
    assert extraction.fallback == fallback and extraction.text
    assert extraction.counter_keys() == (f"fallback:{fallback}",)
    if fallback == "largest_block":
        assert "Weight 8 kg" in extraction.text and "Shop" not in extraction.text


def test_fallback_text_is_capped_at_a_line_break():
    from massivetext.extract.extractor import MAX_FALLBACK_CHARS

    lines = "".join(f"<a href='/{n}'>Link number {n} of many</a><br>" for n in range(9000))
    extraction = extract_page(page(lines))
    assert extraction.fallback == "visible_text"
    assert len(extraction.text) <= MAX_FALLBACK_CHARS
    assert extraction.text.endswith(" of many")


def test_a_page_without_visible_text_is_empty_with_no_fallback():
    extraction = extract_page(page("<script>var x = 1;</script><img src='a.png'>"))
    assert extraction == extraction.__class__("")
    assert get_page_extractor("trafilatura")(page(article()), "").fallback == ""


def test_a_main_text_shorter_than_the_quality_minimum_gives_way_to_a_fallback_with_more():
    # A catalogue: one caption-like paragraph wins the votes, the cards hold the text.
    cards = "".join(f"<div class='card'><span>Oak chair {n}</span><span>Solid wood, "
                    f"{n} colours</span><span>$ {n}9</span></div>" for n in range(12))
    caption = "<p>Free delivery on every order, and returns are free for thirty days.</p>"
    extraction = extract_page(page(f"<div class='note'>{caption}</div>"
                                   f"<div class='grid'>{cards}</div>"))
    assert extraction.fallback == "largest_block"
    assert "Oak chair 11" in extraction.text and "Solid wood, 11 colours" in extraction.text
    # A short main text with nothing longer beside it stays, with no fallback counted.
    short = extract_page(page(f"<div class='story'>{caption}</div>"))
    assert short.fallback == "" and short.text == caption[3:-4]



def test_the_parts_of_a_react_streamed_page_are_one_region():
    # The server sends a shell, then each part of the content in a hidden "S:" div that
    # a script moves into place: the parts are one region, whichever wins the votes.
    story = "".join(f"<p>{text}</p>" for text in PROSE)
    parts = "".join(f"<div hidden id='S:{n}'><section><h2>Part {n}</h2><div>{story}</div>"
                    f"</section></div>" for n in range(3))
    extraction = extract_page(page(f"<nav><a href='/'>Home</a></nav><main><div>Loading</div>"
                             f"</main>{parts}<script>$RC('B:0', 'S:0')</script>"))
    assert extraction.fallback == "" and "Home" not in extraction.text
    assert all(f"Part {n}" in extraction.text for n in range(3))
