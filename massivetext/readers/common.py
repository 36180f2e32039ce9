"""What the subset readers share: opening inputs, stable ids, logged failures."""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import lzma
from collections.abc import Callable
from typing import BinaryIO

import xxhash

from massivetext.document import Document, Failed

logger = logging.getLogger(__name__)

Opener = Callable[[str], BinaryIO]


def open_input(path: str, opener: Opener | None) -> BinaryIO:
    """``path`` opened for reading bytes by ``opener`` (Beam's filesystems) or locally."""
    return opener(path) if opener else open(path, "rb")  # noqa: SIM115 - closed by caller


_MAGIC = ((b"\x1f\x8b", lambda stream: gzip.GzipFile(fileobj=stream, mode="rb")),
          (b"BZh", bz2.BZ2File), (b"\xfd7zXZ\x00", lzma.LZMAFile))


def decompressed_stream(raw: BinaryIO) -> BinaryIO:
    """``raw``'s bytes, decompressed when they start with gzip's, bzip2's or xz's magic
    (multistream bzip2 and multi-member gzip included). A truncated or corrupt stream
    raises ``EOFError`` or ``OSError`` from the read that meets it."""
    stream = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    head = stream.peek(6)[:6]
    for magic, opener in _MAGIC:
        if head.startswith(magic):
            return opener(stream)
    return stream


def url_id(prefix: str, url: str) -> str:
    """A stable document id derived from a URL: ``prefix-`` and the URL's 64-bit xxHash
    in hex. The same URL gives the same id on every machine and in every run."""
    return f"{prefix}-{xxhash.xxh64_hexdigest(url.encode('utf-8'))}"


def read_failure(source: str, error: str, position: int, message: str) -> Failed:
    """A Failed outcome of the read stage, logged; ``position`` is the record's line,
    page or member number in ``source`` as each reader documents it."""
    logger.warning("%s: %s at %d: %s", source, error, position, message)
    return Failed(stage="read", error=error, source=source, offset=position, message=message)


def json_document(record: object, path: str, line: int, subset: str, id_prefix: str,
                  ) -> Document | Failed:
    """A web-text JSON record (``text``, ``url``, optional ``title``, ``id`` and date)
    as a Document; the title, when given, is the first paragraph."""
    if not isinstance(record, dict):
        return read_failure(path, "not_an_object", line, f"line {line}: not an object")
    text = record.get("text")
    if not isinstance(text, str):
        return read_failure(path, "missing_text", line, f"line {line}: no string 'text' field")
    url = str(record.get("url") or "")
    given_id = record.get("id")
    document_id = (str(given_id) if given_id not in (None, "")
                   else url_id(id_prefix, url) if url else f"{path}:{line}")
    metadata = {}
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        metadata["title"] = title.strip()
        text = f"{title.strip()}\n\n{text}" if text.strip() else title.strip()
    date = record.get("date") or record.get("timestamp") or record.get("date_publish")
    if date:
        metadata["date"] = str(date)
    return Document(id=document_id, text=text, subset=subset, url=url, source=path,
                    offset=line, metadata=metadata)
