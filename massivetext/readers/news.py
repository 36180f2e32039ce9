"""News articles -> News documents: CC-News style JSONL, or WARC crawls of news sites.

JSONL (``.jsonl``, ``.json``, ``.jsonl.gz``, ``.json.gz``): one article a line with
``title``, ``text``, ``url`` and ``date`` (``date_publish`` and ``timestamp`` are read
too). The headline is the document's first paragraph (it is part of the article, as
the ``tree-with-title`` extractor keeps a page's heading) and goes to the metadata
with the date. Ids: a record's own ``id``, else ``news-`` and the URL's 64-bit xxHash,
else file and line. Bad lines are Failed with their line number and the file goes on.

WARC input (``--input-format warc`` or a ``.warc``/``.warc.gz`` name) is read by the
WARC reader and extracted by the same extractor as MassiveWeb: news sites are web
pages. The pipeline wires that branch (it needs the extraction stage); this module
reads the JSONL form.
"""

from __future__ import annotations

from collections.abc import Iterator

from massivetext.document import Document, Failed
from massivetext.io.text_input import read_jsonl_records
from massivetext.readers.common import Opener, json_document


def read_news_jsonl(path: str, subset: str = "news", opener: Opener | None = None,
                    ) -> Iterator[Document | Failed]:
    """One Document or Failed per line of a news JSONL(.gz) file."""
    for line, record in read_jsonl_records(path, opener):
        yield record if isinstance(record, Failed) else json_document(
            record, path, line, subset, "news")
