"""Readers for the evaluation sets that training documents are checked against.

Gopher (Appendix A.1.1, step 6; docs/paper.md, "Test-set filtering") removes training
documents whose 13-gram Jaccard similarity to a document of WikiText-103, C4, Curation
Corpus or LAMBADA exceeds 0.8. Each reader yields :class:`TestDocument` records;
:func:`load_test_set` picks the reader from the file name, or failing that from the
content.

Formats and our choices:

- WikiText (``wiki.test.tokens``, ``wiki.test.raw``): one document per article. An
  article starts at a top-level heading `` = Title = `` standing between blank lines
  (section headings `` = = Section = = `` stay inside the article); id = the title, with
  ``#2``, ``#3``... appended when a title repeats (many are ``<unk>``). Heading marks are
  dropped and WikiText's tokenization is undone where it splits words: `` @-@ `` ->
  ``-``, `` @,@ `` -> ``,``, `` @.@ `` -> ``.``, and ``do n't``/``Don 't``/``Ezra 's``
  rejoin, so the 13-grams match those of the original Wikipedia text.
- LAMBADA: JSONL ``{"context", "continuation"}`` (text = context + " " + continuation:
  the continuation is the passage's last word, stored without its leading space) or
  plain text with one passage per line; id = the line number.
- C4 validation (``c4-validation.*.json.gz``) and generic JSONL: ``{"text"}``; id = the
  record's ``url`` or ``id`` if present, else the line number.
- Curation Corpus: CSV or JSONL with the article text in ``article_content`` (or
  ``article``, ``text``); id = ``url``, else the row number. Rows without article text
  (the published summary-only files) are counted as ``no_text``.
- Anything else: plain text, one document per file (id = the file name).

Gzip is recognised by its magic bytes. Bad records are skipped, logged and counted by
name in a :class:`TestSetLoadReport`; a line or field longer than MAX_RECORD_BYTES is
skipped as ``record_too_long``.
"""

from __future__ import annotations

import collections
import csv
import io
import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from massivetext.io.byte_lines import DEFAULT_MAX_LINE_BYTES, bounded_lines, decompressed

logger = logging.getLogger(__name__)

MAX_RECORD_BYTES = DEFAULT_MAX_LINE_BYTES  # one line / CSV field; larger is no test document
_ARTICLE_COLUMNS = ("article_content", "article", "text")

_TOP_HEADING = re.compile(r"^ ?= (?!=)(.*?) = ?$")
_SECTION_HEADING = re.compile(r"^ ?(?:= )+(.*?)(?: =)+ ?$")
_WIKITEXT_JOINS = ((" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", "."))
_WIKITEXT_CONTRACTION = re.compile(r"(?<=\w) (?=n't\b|'(?:s|t|re|ve|ll|d|m)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class TestDocument:
    __test__ = False  # not a pytest test class despite its name

    test_set: str
    id: str
    text: str


@dataclass
class TestSetLoadReport:
    """What one load produced: documents yielded and bad records by error name."""

    __test__ = False  # not a pytest test class despite its name

    documents: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)

    def count_error(self, error: str, where: str, detail: object = "") -> None:
        self.errors[error] += 1
        logger.warning("test set %s: skipped (%s) %s", where, error, detail)


def _lines(stream: BinaryIO, report: TestSetLoadReport, where: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, decoded line without its newline), bad lines counted."""
    number = 0
    try:
        for number, line in enumerate(bounded_lines(stream, MAX_RECORD_BYTES), start=1):
            if line is None:
                report.count_error("record_too_long", f"{where}:{number}")
                continue
            try:
                yield number, line.decode("utf-8")
            except UnicodeDecodeError as error:
                report.count_error("invalid_utf8", f"{where}:{number}", error)
    except (OSError, EOFError, zlib.error) as error:  # truncated or corrupt gzip
        report.count_error("truncated_input", f"{where}:{number + 1}", error)


def _json_records(lines: Iterable[tuple[int, str]], report: TestSetLoadReport,
                  where: str) -> Iterator[tuple[int, dict]]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            report.count_error("invalid_json", f"{where}:{number}", error)
            continue
        if not isinstance(record, dict):
            report.count_error("not_an_object", f"{where}:{number}")
            continue
        yield number, record


def _text_field(record: dict, keys: Iterable[str]) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _record_id(record: dict, number: int) -> str:
    for key in ("id", "url"):
        value = record.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    return str(number)


def _detokenize_wikitext(line: str) -> str:
    for marked, joined in _WIKITEXT_JOINS:
        line = line.replace(marked, joined)
    return _WIKITEXT_CONTRACTION.sub("", line)


def _with_blank_neighbours(lines: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(line, whether it stands between blank lines or the file's ends)."""
    previous_blank, current = True, None
    for line in lines:
        if current is not None:
            yield current, previous_blank and not line.strip()
            previous_blank = not current.strip()
        current = line
    if current is not None:
        yield current, previous_blank


def read_wikitext(stream: BinaryIO, name: str, report: TestSetLoadReport,
                  where: str = "wikitext") -> Iterator[TestDocument]:
    """WikiText-103 / WikiText-2 articles (``.tokens`` or ``.raw``)."""
    seen_titles: collections.Counter[str] = collections.Counter()
    title: str | None = None
    body: list[str] = []
    lines = (line for _, line in _lines(stream, report, where))
    for line, isolated in _with_blank_neighbours(lines):
        heading = _TOP_HEADING.match(line) if isolated else None
        if heading:
            if title is not None:
                yield TestDocument(name, title, "\n".join(body))
            seen_titles[heading.group(1)] += 1
            repeat = seen_titles[heading.group(1)]
            title = heading.group(1) if repeat == 1 else f"{heading.group(1)}#{repeat}"
            body = [_detokenize_wikitext(heading.group(1))]
        elif title is not None and line.strip():
            section = _SECTION_HEADING.match(line) if isolated else None
            body.append(_detokenize_wikitext(section.group(1) if section else line.strip()))
    if title is not None:
        yield TestDocument(name, title, "\n".join(body))


def read_lambada(stream: BinaryIO, name: str, report: TestSetLoadReport,
                 where: str = "lambada") -> Iterator[TestDocument]:
    """LAMBADA: JSONL {"context", "continuation"} or plain text, one passage per line."""
    for number, line in _lines(stream, report, where):
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            yield TestDocument(name, str(number), line.strip())
            continue
        for _, record in _json_records([(number, line)], report, where):
            context, continuation = record.get("context"), record.get("continuation")
            if not isinstance(context, str) or not isinstance(continuation, str):
                report.count_error("no_text", f"{where}:{number}")
                continue
            yield TestDocument(name, str(number), f"{context} {continuation.lstrip()}")


def read_jsonl(stream: BinaryIO, name: str, report: TestSetLoadReport,
               where: str = "jsonl") -> Iterator[TestDocument]:
    """C4 validation, Curation Corpus JSONL and generic {"text", "id"?} JSONL."""
    for number, record in _json_records(_lines(stream, report, where), report, where):
        text = _text_field(record, ("text", *_ARTICLE_COLUMNS))
        if text is None:
            report.count_error("no_text", f"{where}:{number}")
            continue
        yield TestDocument(name, _record_id(record, number), text)


def read_curation_csv(stream: BinaryIO, name: str, report: TestSetLoadReport,
                      where: str = "curation") -> Iterator[TestDocument]:
    """Curation Corpus CSV: article text in article_content (or article/text), id = url."""
    # The limit is process-wide in the csv module; raising it to our record bound is safe.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))
    text_stream = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    reader = csv.DictReader(text_stream)
    row_number = 0
    while True:
        row_number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError, OSError, EOFError) as error:
            report.count_error("invalid_csv", f"{where}:row {row_number}", error)
            if isinstance(error, (UnicodeDecodeError, OSError, EOFError)):
                return  # the decoder or decompressor cannot resume mid-stream
            continue
        text = _text_field(row, _ARTICLE_COLUMNS)
        if text is None:
            report.count_error("no_text", f"{where}:row {row_number}")
            continue
        yield TestDocument(name, _record_id({"url": row.get("url")}, row_number), text)


def read_plain_text(stream: BinaryIO, name: str, report: TestSetLoadReport,
                    where: str = "text") -> Iterator[TestDocument]:
    """The whole file as one document, id = the file name."""
    try:
        data = stream.read(MAX_RECORD_BYTES + 1)
    except (OSError, EOFError) as error:
        report.count_error("truncated_input", where, error)
        return
    if len(data) > MAX_RECORD_BYTES:
        report.count_error("record_too_long", where)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        report.count_error("invalid_utf8", where, error)
        return
    if text.strip():
        yield TestDocument(name, os.path.basename(where), text)


_READERS = {"wikitext": read_wikitext, "lambada": read_lambada, "jsonl": read_jsonl,
            "curation-csv": read_curation_csv, "text": read_plain_text}


def _format_and_name(path: str, stream: BinaryIO) -> tuple[str, str]:
    """The reader to use and the default test-set name, from the file name or content."""
    lower = os.path.basename(path).lower()
    # The published folders are wikitext-2(-raw)/ and wikitext-103(-raw)/.
    release = re.match(r"wikitext-(2|103)\b", os.path.basename(os.path.dirname(path)).lower()
                       ) or re.match(r"wikitext-(2|103)\b", lower)
    stem = re.sub(r"(\.gz)?$", "", lower)
    if "lambada" in lower:
        return "lambada", "lambada"
    if "c4" in lower and "validation" in lower:
        return "jsonl", "c4-validation"
    if "curation" in lower:
        return ("curation-csv" if stem.endswith(".csv") else "jsonl"), "curation-corpus"
    if release or re.match(r"wiki\.(test|valid|train)\.(tokens|raw)$", stem):
        return "wikitext", f"wikitext-{release.group(1) if release else '103'}"
    name = re.sub(r"\.(jsonl?|csv|txt|tokens|raw)$", "", stem) or "test-set"
    head = stream.peek(4096)[:4096].lstrip()
    if head.startswith(b"{"):
        first = head.split(b"\n", 1)[0]
        return ("lambada" if b'"continuation"' in first else "jsonl"), name
    if stem.endswith(".csv"):
        return "curation-csv", name
    if _TOP_HEADING.match(head.split(b"\n", 1)[0].decode("utf-8", "replace")):
        return "wikitext", name
    return "text", name


def load_test_set(path: str, name: str | None = None,
                  opener: Callable[[str], BinaryIO] | None = None,
                  report: TestSetLoadReport | None = None) -> Iterator[TestDocument]:
    """The documents of one evaluation-set file, in file order.

    ``opener(path)`` returns a binary stream (default ``open(path, "rb")``; the Beam
    pipeline passes ``FileSystems.open``). ``report``, when given, receives the counts.
    """
    report = report if report is not None else TestSetLoadReport()
    raw = opener(path) if opener is not None else open(path, "rb")
    try:
        try:
            stream = decompressed(raw)
            reader_name, default_name = _format_and_name(path, stream)
        except (OSError, EOFError) as error:  # e.g. a corrupt gzip header
            report.count_error("unreadable_input", path, error)
            return
        for document in _READERS[reader_name](stream, name or default_name, report, path):
            report.documents += 1
            yield document
    finally:
        raw.close()  # closing a GzipFile would leave the file it reads open
