"""``massivetext score``: run the document filters over a JSONL file of documents.

Each input line is ``{"id": ..., "text": "..."}``. The output holds exactly one line per
input line, in input order, so line N of the output answers line N of the input:

- a document: ``{"id", "keep", "reasons": [every failed rule], "signals": {...}}``;
- a bad line: ``{"line": N, "error": NAME, "message": ...}`` (``id`` too when the line
  had one), where NAME is ``invalid_utf8``, ``invalid_json``, ``not_an_object``,
  ``missing_text``, ``text_not_a_string`` or ``line_too_long``. A corrupt or truncated
  ``.gz`` input ends the run with one ``unreadable_input`` line.

Bad lines are reported on stderr with their line numbers; the exit code is 1 when any
line failed. Documents are read and written one at a time; the output (``.gz`` when
its name ends so) appears only complete, by renaming a temporary file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from massivetext.filters.language import EnglishFilter
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter
from massivetext.io.atomic import atomic_output
from massivetext.io.byte_lines import DEFAULT_MAX_LINE_BYTES, bounded_lines


class LineError(Exception):
    """A bad input line; ``error`` is its stable counter name."""

    def __init__(self, error: str, message: str, doc_id: object = None):
        super().__init__(message)
        self.error = error
        self.doc_id = doc_id


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path,
                        help="JSONL (or .jsonl.gz) file of {\"id\", \"text\"} objects")
    parser.add_argument("--output", required=True, type=Path,
                        help="JSONL file to write, one line per input line (.gz to compress)")
    parser.add_argument("--language", action="store_true",
                        help="also run the English content filter (langdetect; slower)")
    parser.add_argument("--max-line-bytes", type=int, default=DEFAULT_MAX_LINE_BYTES,
                        help="longer input lines are reported as line_too_long and skipped")


def _open_binary(path: Path, mode: str, compressed: bool) -> IO[bytes]:
    return gzip.open(path, mode) if compressed else open(path, mode)  # noqa: SIM115


class UnreadableInput(Exception):
    """The input stream itself failed (a corrupt or truncated gzip file, an I/O error)."""


def _read_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | None]:
    """Each line of ``stream`` without its newline, or None for a line over ``max_bytes``."""
    try:
        yield from bounded_lines(stream, max_bytes)
    except (EOFError, OSError, zlib.error) as error:
        raise UnreadableInput(str(error) or type(error).__name__) from error


def parse_document(raw: bytes | None) -> tuple[object, str]:
    """(id, text) of one input line, or raise :class:`LineError`."""
    if raw is None:
        raise LineError("line_too_long", "line longer than --max-line-bytes")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LineError("invalid_utf8", str(error)) from None
    try:
        record = json.loads(decoded)
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        raise LineError("invalid_json", str(error)[:200]) from None
    if not isinstance(record, dict):
        raise LineError("not_an_object", f"a JSON {type(record).__name__}, not an object")
    doc_id = record.get("id")
    if "text" not in record:
        raise LineError("missing_text", "no \"text\" field", doc_id)
    if not isinstance(record["text"], str):
        raise LineError("text_not_a_string", "\"text\" is not a string", doc_id)
    return doc_id, record["text"]


def score_text(text: str, filters: list) -> dict:
    """keep, every failed rule and every signal of ``text`` under ``filters``."""
    reasons: list[str] = []
    signals: dict[str, float] = {}
    for document_filter in filters:
        judgement = document_filter.judge(text)
        reasons.extend(judgement.reasons)
        signals.update(judgement.signals)
    return {"keep": not reasons, "reasons": reasons, "signals": signals}


def _failure(line_number: int, error: LineError) -> dict:
    result = {"line": line_number, "error": error.error, "message": str(error)}
    if error.doc_id is not None:
        result["id"] = error.doc_id
    return result


def score_stream(source: IO[bytes], sink: IO[bytes], filters: list, max_line_bytes: int,
                 input_name: str = "<input>") -> dict[str, int]:
    """Score every line of ``source`` into ``sink``; return the counts of the summary."""
    counts = {"documents": 0, "kept": 0, "removed": 0, "failed": 0}
    line_number = 0
    try:
        for line_number, raw in enumerate(_read_lines(source, max_line_bytes), start=1):
            try:
                doc_id, text = parse_document(raw)
            except LineError as error:
                result = _failure(line_number, error)
                counts["failed"] += 1
                print(f"{input_name}:{line_number}: {error.error}: {error}", file=sys.stderr)
            else:
                result = {"id": doc_id, **score_text(text, filters)}
                counts["documents"] += 1
                counts["kept" if result["keep"] else "removed"] += 1
            sink.write(json.dumps(result).encode("utf-8") + b"\n")
    except UnreadableInput as error:
        counts["failed"] += 1
        result = {"line": line_number + 1, "error": "unreadable_input", "message": str(error)}
        sink.write(json.dumps(result).encode("utf-8") + b"\n")
        print(f"{input_name}:{line_number + 1}: unreadable_input: {error}", file=sys.stderr)
    return counts


def main(args: argparse.Namespace) -> int:
    if not args.input.is_file():
        print(f"massivetext score: no such input file: {args.input}", file=sys.stderr)
        return 2
    filters = [QualityFilter(), RepetitionFilter()]
    if args.language:
        filters.append(EnglishFilter())
    output = args.output
    with _open_binary(args.input, "rb", args.input.name.endswith(".gz")) as source, \
            atomic_output(output, compress=output.name.endswith(".gz")) as sink:
        counts = score_stream(source, sink, filters, args.max_line_bytes, str(args.input))
    print(" ".join(f"{name}={value}" for name, value in counts.items()), file=sys.stderr)
    return 1 if counts["failed"] else 0
