"""Generated C4 and news JSON lines, as the published files lay them out.

C4: ``c4-train.00000-of-00001.json.gz`` with ``text``, ``url`` and ``timestamp`` (no
id). News: CC-News style JSONL with ``title``, ``text``, ``url`` and ``date``. Each has
English articles, one near duplicate (a few words changed), one non-English document
and one broken line, so the content filter, dedup and the readers' failure counts
all have something to show. Both also carry the same syndicated wire story (in news
with its headline): a duplicate across subsets, for ``--cross-subset-dedup``.
"""

from __future__ import annotations

import json
import random

from massivetext.io.atomic import atomic_output
from massivetext.sample.foreign import foreign_article
from massivetext.sample.text import EnglishGrammar

BROKEN_LINE = '{"text": "a line cut short'
C4_NAME = "c4-train.00000-of-00001.json.gz"
NEWS_NAME = "news-2024-03.jsonl"


def _articles(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(title, body) pairs: ``count - 2`` English, one near copy, one German."""
    articles = []
    for _ in range(count - 2):
        article = EnglishGrammar(rng).article(rng.randint(200, 500), rich=False)
        body = "\n\n".join(content for _, content in article.blocks)
        articles.append((article.title, body))
    words = articles[0][1].split(" ")
    words[-6:] = ["and", "that", "was", "the", "end.", "Indeed."]
    articles.append((articles[0][0], " ".join(words)))
    title, paragraphs = foreign_article(rng, "de", 250)
    articles.append((title, "\n\n".join(paragraphs)))
    return articles


def syndicated_story(rng: random.Random) -> tuple[str, str]:
    """(headline, body) of the story both C4 and news carry."""
    article = EnglishGrammar(rng).article(400, rich=False)
    return article.title, "\n\n".join(content for _, content in article.blocks)


def _write_lines(path: str, records: list[dict], compress: bool) -> None:
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    lines.insert(len(lines) // 2, BROKEN_LINE)
    with atomic_output(path, compress=compress) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))


def write_c4(path: str, rng: random.Random, count: int, story: tuple[str, str],
             ) -> dict[str, int]:
    articles = [*_articles(rng, count), story]
    records = [{"text": body, "url": f"https://c4-site-{index % 7}.example/page/{index}",
                "timestamp": f"2019-04-{1 + index % 28:02d}T10:00:00Z"}
               for index, (_, body) in enumerate(articles)]
    _write_lines(path, records, compress=True)
    return {"document": len(records), "broken_line": 1}


def write_news(path: str, rng: random.Random, count: int, story: tuple[str, str],
               ) -> dict[str, int]:
    articles = [*_articles(rng, count), story]
    records = [{"title": title, "text": body, "url": f"https://news-{index % 5}.example/{index}",
                "date": f"2024-03-{1 + index % 28:02d}"}
               for index, (title, body) in enumerate(articles)]
    _write_lines(path, records, compress=False)
    return {"article": len(records), "broken_line": 1}
