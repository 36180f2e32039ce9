"""Plain-text books (PG-19 style: one ``.txt`` or ``.txt.gz`` per book) -> Books documents.

A book is one document, however long (up to ``max_book_bytes``; a longer file fails
``book_too_large`` unread past the bound). Project Gutenberg's header and licence are
removed when present:

- the body starts after the ``*** START OF THE/THIS PROJECT GUTENBERG EBOOK ... ***``
  line, or after the older ``*END*THE SMALL PRINT!...*END*`` line, and a "Produced by"
  credit right after it is dropped;
- it ends before the first ``*** END OF THE/THIS PROJECT GUTENBERG EBOOK`` line or the
  older "End of the Project Gutenberg EBook of ...", "End of Project Gutenberg's ..."
  and "End of The Project Gutenberg Etext of ..." lines.

Metadata: ``title`` and ``author`` from the header's ``Title:`` and ``Author:`` fields,
else from its first line ("The Project Gutenberg EBook of TITLE, by AUTHOR"), else (a
book already stripped, as PG-19's are) the body's first line and a "by AUTHOR" line
among the next few; ``gutenberg_id`` from "[EBook #N]"; ``language`` from
``Language:``. Text is decoded as the header's "Character set encoding" says, else as
UTF-8, else as Latin-1 (old Gutenberg files); line endings become ``\\n``.
Document ids are ``book-`` and the file's name without its extensions (PG-19 names
files by their Gutenberg number).
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from massivetext.document import Document, Failed, Skipped
from massivetext.io.byte_lines import decompressed
from massivetext.readers.common import Opener, open_input, read_failure

#: Our choice: 128 MiB, ten times the longest books of PG-19, so no book is cut.
DEFAULT_MAX_BOOK_BYTES = 128 * 1024 * 1024
_READ_BYTES = 1 << 20
_HEADER_BYTES = 64 * 1024  # where a Gutenberg header declares its character set
#: How many of a stripped book's first lines may hold its "by AUTHOR" line.
AUTHOR_LINE_WINDOW = 8

_START = re.compile(
    r"^[ \t]*(?:\*{3}[ \t]*START OF (?:THE |THIS )?PROJECT GUTENBERG[^\n]*"
    r"|\*END\*THE SMALL PRINT![^\n]*)$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(
    r"^[ \t]*(?:\*{3}[ \t]*END OF (?:THE |THIS )?PROJECT GUTENBERG"
    r"|End of (?:the |this )?Project Gutenberg(?:'s)?(?: E-?Book| E-?text| Work)?\b)",
    re.IGNORECASE | re.MULTILINE)
_CREDIT = re.compile(r"^\s*(?:Produced by|E-?text prepared by|Transcribed from)[^\n]*"
                     r"(?:\n[^\n]+)*\n*", re.IGNORECASE)
_FIELD = re.compile(r"^(Title|Author|Language|Character set encoding):[ \t]*(.*(?:\n[ \t]+\S.*)*)",
                    re.IGNORECASE | re.MULTILINE)
_FIRST_LINE = re.compile(
    r"Project Gutenberg(?:'s)? E-?(?:Book|text)s? of (?P<title>.+?)(?:, by (?P<author>.+))?$",
    re.IGNORECASE)
_EBOOK_NUMBER = re.compile(r"\[E-?(?:Book|text) #(\d+)\]", re.IGNORECASE)
_BY_LINE = re.compile(r"^by\s+(.+)$", re.IGNORECASE)


def book_id(path: str) -> str:
    name = PurePosixPath(path.replace("\\", "/")).name
    return "book-" + name.split(".", 1)[0]


def _decode(data: bytes, header_encoding: str) -> tuple[str, str, str]:
    """(text, charset, where the charset came from)."""
    if header_encoding:
        try:
            return data.decode(codecs.lookup(header_encoding).name), header_encoding, "header"
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8", "default"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", "fallback"


def _header_fields(header: str) -> dict[str, str]:
    fields = {}
    for name, value in _FIELD.findall(header):
        fields.setdefault(name.lower(), " ".join(value.split()))
    first = next((line.strip() for line in header.splitlines() if line.strip()), "")
    match = _FIRST_LINE.search(first)
    if match:
        fields.setdefault("title", match["title"].strip())
        if match["author"]:
            fields.setdefault("author", match["author"].strip())
    if number := _EBOOK_NUMBER.search(header):
        fields["gutenberg_id"] = number.group(1)
    return fields


def _from_body(body: str) -> dict[str, str]:
    head = body[:_HEADER_BYTES].splitlines()  # the title page, not the whole book
    lines = [line.strip() for line in head if line.strip()][:AUTHOR_LINE_WINDOW]
    fields = {"title": lines[0]} if lines else {}
    for line in lines[1:]:
        if match := _BY_LINE.match(line):
            fields["author"] = match.group(1)
            break
    return fields


def strip_gutenberg(text: str) -> tuple[str, dict[str, str]]:
    """(body, metadata) of a book's text (see the module docstring)."""
    start = _START.search(text)
    header, body = (text[:start.start()], text[start.end():]) if start else ("", text)
    if end := _END.search(body):
        body = body[:end.start()]
    if start:
        body = _CREDIT.sub("", body.lstrip("\n"), count=1)
    fields = _header_fields(header) if header else {}
    for name, value in _from_body(body).items():
        fields.setdefault(name, value)
    fields.pop("character set encoding", None)
    return body.strip("\n").rstrip("\x1a\n"), fields  # \x1a: an old DOS end-of-file mark


def read_book(path: str, subset: str = "books", opener: Opener | None = None,
              max_book_bytes: int = DEFAULT_MAX_BOOK_BYTES,
              ) -> Iterator[Document | Skipped | Failed]:
    """The book in ``path`` as one Document (or one Skipped ``empty_book`` / Failed)."""
    chunks, size = [], 0
    with open_input(path, opener) as raw:
        try:
            stream = decompressed(raw)
            while chunk := stream.read(_READ_BYTES):
                size += len(chunk)
                if size > max_book_bytes:
                    yield read_failure(path, "book_too_large", 0,
                                       f"over {max_book_bytes} bytes once decompressed")
                    return
                chunks.append(chunk)
        except (OSError, EOFError, zlib.error) as error:
            yield read_failure(path, "bad_gzip", 0, f"after {size} bytes: {error}")
            return
    data = b"".join(chunks)
    head = data[:_HEADER_BYTES].decode("latin-1")
    declared_encoding = next((value.strip() for name, value in _FIELD.findall(head)
                              if name.lower() == "character set encoding"), "")
    text, charset, charset_source = _decode(data, declared_encoding)
    body, metadata = strip_gutenberg(text.replace("\r\n", "\n").replace("\r", "\n"))
    document_id = book_id(path)
    if not body.strip():
        yield Skipped("empty_book", path, 0, document_id)
        return
    url = (f"https://www.gutenberg.org/ebooks/{metadata['gutenberg_id']}"
           if "gutenberg_id" in metadata else "")
    yield Document(id=document_id, text=body, subset=subset, url=url, source=path, offset=0,
                   charset=charset, charset_source=charset_source, metadata=metadata)
