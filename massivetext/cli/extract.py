"""``massivetext extract PATH...``: main text of HTML files or of the HTML in WARC files.

One HTML file (any file that is not a WARC; ``.gz`` is decompressed) without
``--output``: its text goes to stdout. Otherwise (several files, directories searched
recursively for ``.html``/``.htm``/``.html.gz`` files, WARC files ``.warc``/``.warc.gz``)
one JSON line per page, ``{"source", "url", "text"}``, goes to ``--output`` or stdout;
``source`` is the file, or ``file:offset`` for a WARC record. Each page that fails is
reported on stderr with a named error and the run goes on; a summary of counts ends the
run, and the exit status is 1 when any page failed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import TextIO

from massivetext.extract.extractor import EXTRACTORS, MAX_HTML_CHARS, ExtractionError, get_extractor
from massivetext.io.atomic import atomic_output

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="HTML files, directories of HTML files, or WARC files")
    parser.add_argument("--output", "-o", type=Path,
                        help="write JSON lines here instead of stdout")
    parser.add_argument("--extractor", choices=EXTRACTORS, default="tree",
                        help="extraction backend (default: %(default)s, the paper's "
                             "HTML-tree method)")


class _PageError(Exception):
    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error


def _is_html(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES)


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def _input_files(paths: list[str], errors: Counter) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and _is_html(p)))
        elif path.is_file():
            files.append(path)
        else:
            _report(errors, str(path), "file_not_found", "no such file or directory")
    return files


def _read_html(path: Path) -> str:
    """The decoded text of an HTML file, read no further than the size limit."""
    from massivetext.io.charset import decode_html

    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            body = stream.read(MAX_HTML_CHARS + 1)
    except (OSError, EOFError, zlib.error) as error:
        name = "bad_gzip" if isinstance(error, (gzip.BadGzipFile, EOFError, zlib.error)) \
            else "file_unreadable"
        raise _PageError(name, str(error)) from error
    if len(body) > MAX_HTML_CHARS:
        raise _PageError("html_too_large", f"larger than {MAX_HTML_CHARS:,} bytes")
    return decode_html(body, None)[0]


def _report(errors: Counter, source: str, error: str, message: str) -> None:
    errors[error] += 1
    print(f"massivetext extract: {source}: {error}: {message}", file=sys.stderr)


def _pages(files: list[Path], errors: Counter, skipped: Counter):
    """(source, url, html) for every page of the input files; failures are reported."""
    from massivetext.document import Failed, WebPage

    for path in files:
        if not _is_warc(path):
            try:
                yield str(path), "", _read_html(path)
            except _PageError as error:
                _report(errors, str(path), error.error, str(error))
            continue
        from massivetext.io.warc import read_warc

        try:
            for record in read_warc(str(path)):
                if isinstance(record, WebPage):
                    yield f"{record.source}:{record.offset}", record.url, record.html
                elif isinstance(record, Failed):
                    _report(errors, f"{record.source}:{record.offset}", record.error,
                            record.message)
                else:
                    skipped[record.kind] += 1
        except OSError as error:
            _report(errors, str(path), "file_unreadable", str(error))


def _extract(extract, source: str, url: str, html: str, errors: Counter) -> str | None:
    try:
        return extract(html, url)
    except ExtractionError as error:
        _report(errors, source, error.error, str(error))
        return None


def _write_jsonl(pages, extract, out: TextIO, errors: Counter) -> int:
    written = 0
    for source, url, html in pages:
        text = _extract(extract, source, url, html, errors)
        if text is not None:
            out.write(json.dumps({"source": source, "url": url, "text": text},
                                 ensure_ascii=False) + "\n")
            written += 1
    return written


def main(args: argparse.Namespace) -> int:
    # The WARC reader logs each failure it returns; _report prints it once already.
    logging.getLogger("massivetext.io.warc").setLevel(logging.ERROR)
    errors: Counter = Counter()
    skipped: Counter = Counter()
    extract = get_extractor(args.extractor)
    files = _input_files(args.paths, errors)
    single_page = (len(args.paths) == 1 and Path(args.paths[0]).is_file()
                   and not _is_warc(files[0]) and args.output is None)
    if single_page:
        for source, url, html in _pages(files, errors, skipped):
            text = _extract(extract, source, url, html, errors)
            if text is not None:
                sys.stdout.write(text + "\n")
        return 1 if errors else 0
    if args.output is not None:
        with atomic_output(args.output) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
            written = _write_jsonl(_pages(files, errors, skipped), extract, out, errors)
    else:
        written = _write_jsonl(_pages(files, errors, skipped), extract, sys.stdout, errors)
    summary = f"massivetext extract: {written} pages extracted"
    for name, counts in (("failed", errors), ("skipped", skipped)):
        if counts:
            summary += f"; {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(summary, file=sys.stderr)
    return 1 if errors else 0
