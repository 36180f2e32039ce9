"""HTML templates of the sample's synthetic web sites.

Eight sites with different layouts (semantic ``<article>``, div soup with class names,
tables for layout, a wiki, a forum-style blog ...) wrap each article body in the
boilerplate of real sites: navigation menus, headers, cookie banners, sidebars,
"Related articles" lists, comments and copyright footers. A site's boilerplate is the
same on all its pages, as on the real web, so an extractor must tell it from content.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from massivetext.sample.text import Article

LAYOUTS = ("semantic", "divsoup", "tables", "blog", "news", "wiki", "magazine", "minimal")
# Layouts whose article container holds exactly the title and the body: pages whose
# manifest records a similarity (duplicates, test-set copies) are served from these,
# so the recorded value holds on extracted text. The others (title outside the content
# block, footer beside it, tables for layout) are harder tests of the extractor.
FAITHFUL_LAYOUTS = ("semantic", "news", "magazine")
SITE_NAMES = ("Harbour Gazette", "The Weekly Lantern", "Oakridge Courier", "Field Notes",
              "Daily Meridian", "Open Almanac", "Parcel Magazine", "Ada's Notebook")
SECTIONS = ("Home", "News", "Local", "Science", "Food", "Sport", "Travel", "Culture",
            "Opinion", "Business", "Technology", "Contact", "About us", "Subscribe")
COOKIE_TEXT = ("We use cookies to give you the best experience on our website. By continuing "
               "to browse you agree to our use of cookies.")


@dataclass(frozen=True)
class Site:
    name: str
    domain: str
    layout: str
    menu: tuple[str, ...]
    related: tuple[str, ...]  # titles of the site's "Related articles" links
    cookie_banner: bool
    year: int

    def url(self, slug: str) -> str:
        return f"https://{self.domain}/{slug}"


def make_sites(rng: random.Random, related_titles: list[str]) -> list[Site]:
    """The eight synthetic sites; ``related_titles`` feeds their sidebars."""
    sites = []
    for index, (name, layout) in enumerate(zip(SITE_NAMES, LAYOUTS, strict=True)):
        domain = "".join(ch for ch in name.lower() if ch.isalnum()) + rng.choice(
            (".com", ".org", ".net", ".co.uk", ".example"))
        menu = tuple(rng.sample(SECTIONS, rng.randint(5, 9)))
        related = tuple(related_titles[index * 4:index * 4 + 4])
        sites.append(Site(name, domain, layout, menu, related, index % 3 != 2,
                          2018 + index % 7))
    return sites


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def body_html(article: Article) -> str:
    """The article's blocks as HTML (the content an extractor should keep)."""
    parts = []
    for kind, content in article.blocks:
        if kind == "h2":
            parts.append(f"<h2>{esc(content)}</h2>")
        elif kind == "p":
            parts.append(f"<p>{esc(content)}</p>")
        elif kind == "lines":
            parts.append("<p>" + "<br>\n".join(esc(line) for line in content) + "</p>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{esc(item)}</li>" for item in content)
                         + "</ul>")
        elif kind == "table":
            head, *rows = content
            parts.append("<table class=\"data\"><thead><tr>"
                         + "".join(f"<th>{esc(cell)}</th>" for cell in head)
                         + "</tr></thead><tbody>"
                         + "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row)
                                   + "</tr>" for row in rows)
                         + "</tbody></table>")
    return "\n".join(parts)


def _menu(site: Site, css: str) -> str:
    links = "".join(f'<li><a href="/{esc(item.lower().replace(" ", "-"))}/">{esc(item)}</a></li>'
                    for item in site.menu)
    return f'<ul class="{css}">{links}</ul>'


def _related(site: Site) -> str:
    links = "".join(f'<li><a href="/story/{i}">{esc(title)}</a></li>'
                    for i, title in enumerate(site.related))
    return f'<div class="related"><h3>Related articles</h3><ul>{links}</ul></div>'


def _cookie(site: Site) -> str:
    if not site.cookie_banner:
        return ""
    return (f'<div id="cookie-consent" class="cookie-banner"><p>{COOKIE_TEXT}</p>'
            '<button class="accept">Accept cookies</button> '
            '<a href="/privacy">Manage preferences</a></div>')


def _footer(site: Site) -> str:
    return (f'<p class="copyright">© {site.year}-2024 {esc(site.name)}. All rights reserved.'
            ' <a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p>')


def _comments(comments: list[tuple[str, str]]) -> str:
    if not comments:
        return ""
    items = "".join(f'<li class="comment"><span class="author">{esc(author)}</span>'
                    f'<p>{esc(text)}</p></li>' for author, text in comments)
    return f'<section class="comments"><h3>{len(comments)} comments</h3><ol>{items}</ol></section>'


def render_page(site: Site, article: Article, *, lang: str = "en", meta_charset: str = "utf-8",
                byline: str = "", comments: list[tuple[str, str]] | None = None,
                body: str | None = None) -> str:
    """A complete HTML page: ``article`` (or a prepared ``body``) in ``site``'s layout."""
    title, content = esc(article.title), body if body is not None else body_html(article)
    byline_html = f'<p class="byline">By {esc(byline)}</p>' if byline else ""
    extra = _comments(comments or [])
    layout = site.layout
    if layout in ("semantic", "news", "magazine"):
        ticker = ('<div class="ticker">Breaking: live updates all day</div>'
                  if layout == "news" else "")
        share = ('<div class="share">Share this story: <a href="#">Facebook</a> '
                 '<a href="#">Email</a></div>' if layout != "semantic" else "")
        main = (f'<header class="site-header"><a class="logo" href="/">{esc(site.name)}</a>'
                f'<nav>{_menu(site, "menu")}</nav></header>{ticker}<main>'
                f'<article><h1>{title}</h1>{byline_html}{share}{content}</article>'
                f'<aside class="sidebar">{_related(site)}'
                '<div class="newsletter"><h3>Newsletter</h3><p>Get our best stories in your '
                'inbox every Friday.</p><input type="email"><button>Sign up</button></div>'
                f'</aside></main>{extra}<footer>{_footer(site)}</footer>')
    elif layout in ("divsoup", "blog"):
        widgets = ('<div class="widget tags"><h4>Tags</h4><a href="/tag/a">local</a> '
                   '<a href="/tag/b">weekend</a> <a href="/tag/c">photos</a></div>'
                   if layout == "blog" else "")
        main = (f'<div class="wrapper"><div class="top-bar">{_menu(site, "nav-links")}</div>'
                f'<div class="site-title">{esc(site.name)}</div><div class="content-area">'
                f'<div class="post"><h1 class="entry-title">{title}</h1>'
                f'<div class="entry-meta">{byline_html}</div>'
                f'<div class="entry-content">{content}</div></div>{extra}</div>'
                f'<div class="sidebar">{widgets}{_related(site)}</div>'
                f'<div class="site-footer">{_footer(site)}</div></div>')
    elif layout == "tables":
        main = (f'<table width="100%" border="0"><tr><td colspan="2" class="banner">'
                f'<b>{esc(site.name)}</b></td></tr><tr><td width="20%" valign="top" '
                f'class="leftnav">{_menu(site, "left")}</td><td valign="top" class="body">'
                f'<h1>{title}</h1>{byline_html}{content}{extra}</td></tr>'
                f'<tr><td colspan="2" class="foot">{_footer(site)}</td></tr></table>')
    elif layout == "wiki":
        main = (f'<div id="mw-head">{_menu(site, "tabs")}</div><div id="content">'
                f'<h1 id="firstHeading">{title}</h1><div id="siteSub">From {esc(site.name)}'
                f'</div><div id="bodyContent">{content}</div></div>'
                f'<div id="mw-panel">{_related(site)}</div><div id="footer">{_footer(site)}</div>')
    else:  # minimal personal site
        main = (f'<p><a href="/">{esc(site.name)}</a> · <a href="/archive">Archive</a></p>'
                f'<h1>{title}</h1>{content}{extra}<hr>{_footer(site)}')
    charset = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{charset}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{title} | {esc(site.name)}</title>'
            '<link rel="stylesheet" href="/static/site.css"></head>\n'
            f'<body>{_cookie(site)}{main}'
            '<script>window.dataLayer = window.dataLayer || [];</script></body></html>\n')
