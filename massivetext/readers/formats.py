"""Which reader reads an input: by ``--input-format``, or by the file's name and subset.

- ``mediawiki``: :mod:`~massivetext.readers.wikipedia` (``.xml``, ``.xml.bz2``, ``.xml.gz``)
- ``book``: :mod:`~massivetext.readers.books` (``.txt``, ``.txt.gz``)
- ``c4``: :mod:`~massivetext.readers.c4` (JSON lines of the c4 subset)
- ``news-jsonl``: :mod:`~massivetext.readers.news` (JSON lines of the news subset)
- ``jsonl`` and ``parquet``: :mod:`massivetext.io.text_input`, documents with ``id`` and
  ``text`` (JSON lines and ``.parquet`` of the other subsets)
- ``code-parquet``, ``code-archive``, ``code-tree``: :mod:`~massivetext.readers.github`
  (``.parquet`` of the github subset; ``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``,
  ``.tar.xz``, ``.zip``; a local directory)
- ``warc``: the WARC reader and the extractor, wired by the pipeline (``.warc``,
  ``.warc.gz``): MassiveWeb's input, and News's from crawled news sites

JSON lines are ``.jsonl``, ``.json`` and ``.ndjson`` files, each optionally ``.gz``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from massivetext.readers.common import Opener

AUTO = "auto"
WARC = "warc"
INPUT_FORMATS = (AUTO, "mediawiki", "book", "c4", "news-jsonl", "jsonl", "parquet",
                 "code-parquet", "code-archive", "code-tree", WARC)
_JSON_LINES = (".jsonl", ".json", ".ndjson")
_BY_SUFFIX = (
    ((".warc", ".warc.gz", ".arc.gz"), WARC),
    ((".xml", ".xml.bz2", ".xml.gz"), "mediawiki"),
    ((".txt", ".txt.gz"), "book"),
    ((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip"), "code-archive"),
)
_JSON_LINES_BY_SUBSET = {"c4": "c4", "news": "news-jsonl"}


class UnknownFormat(ValueError):
    """An input whose format neither its name nor ``--input-format`` tells."""


def is_local_directory(path: str) -> bool:
    return "://" not in path and os.path.isdir(path)


def detect_format(path: str, subset: str) -> str:
    """The format of ``path`` for ``subset`` by its name (see the module docstring)."""
    if is_local_directory(path):
        return "code-tree"
    name = path.lower()
    for suffixes, input_format in _BY_SUFFIX:
        if name.endswith(suffixes):
            return input_format
    if name.endswith(".parquet"):
        return "code-parquet" if subset == "github" else "parquet"
    if name.removesuffix(".gz").endswith(_JSON_LINES):
        return _JSON_LINES_BY_SUBSET.get(subset, "jsonl")
    raise UnknownFormat(f"{path}: cannot tell its format from its name; give --input-format "
                        f"({', '.join(INPUT_FORMATS[1:])})")


def _reader(input_format: str) -> Callable[..., Iterator]:
    # Imported when used: a run reading books never loads lxml or mwparserfromhell.
    if input_format == "mediawiki":
        from massivetext.readers.wikipedia import read_mediawiki
        return read_mediawiki
    if input_format == "book":
        from massivetext.readers.books import read_book
        return read_book
    if input_format == "c4":
        from massivetext.readers.c4 import read_c4
        return read_c4
    if input_format == "news-jsonl":
        from massivetext.readers.news import read_news_jsonl
        return read_news_jsonl
    if input_format in ("jsonl", "parquet"):
        from massivetext.io import text_input
        return (text_input.read_jsonl_documents if input_format == "jsonl"
                else text_input.read_parquet_documents)
    if input_format in ("code-parquet", "code-archive", "code-tree"):
        from massivetext.readers import github
        return {"code-parquet": github.read_code_parquet, "code-archive": github.read_code_archive,
                "code-tree": github.read_code_tree}[input_format]
    raise UnknownFormat(f"no document reader for input format {input_format!r}")


def read_input(path: str, subset: str, input_format: str = AUTO, opener: Opener | None = None,
               ) -> Iterator:
    """Every outcome of one input file (or directory) of ``subset``."""
    chosen = detect_format(path, subset) if input_format == AUTO else input_format
    return _reader(chosen)(path, subset, opener=opener)
