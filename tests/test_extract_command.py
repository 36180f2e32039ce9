"""``massivetext extract`` end to end, through the command-line entry point."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from massivetext.cli.main import main
from massivetext.io.warc_writer import WarcWriter

WARCS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "warc"

STORY = ("The ferry service resumed on Tuesday after three days of storms, and the first "
         "boat left the harbour at seven with every seat taken.")
SECOND = ("Passengers said the crossing was rough but safe, and the crew handed out tea "
          "to anyone who asked for it on the way over.")


def html_page(*paragraphs: str) -> str:
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (f"<html><head><title>t</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article>{body}</article></body></html>")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_html_file_prints_its_text(tmp_path, capsys):
    page = tmp_path / "story.html"
    page.write_text(html_page(STORY, SECOND), encoding="utf-8")
    assert main(["extract", str(page)]) == 0
    assert capsys.readouterr().out == f"{STORY}\n\n{SECOND}\n"


def test_gzipped_html_in_a_legacy_encoding(tmp_path, capsys):
    text = "Le café de la gare a rouvert ses portes après des travaux, à la joie des habitués."
    page = tmp_path / "cafe.html.gz"
    page.write_bytes(gzip.compress(
        ("<meta charset='iso-8859-1'>" + html_page(text)).encode("iso-8859-1")))
    assert main(["extract", str(page)]) == 0
    assert capsys.readouterr().out == text + "\n"


def test_directory_is_searched_recursively_and_written_as_jsonl(tmp_path, capsys):
    (tmp_path / "site" / "news").mkdir(parents=True)
    (tmp_path / "site" / "a.html").write_text(html_page(STORY), encoding="utf-8")
    (tmp_path / "site" / "news" / "b.htm").write_text(html_page(SECOND), encoding="utf-8")
    (tmp_path / "site" / "news" / "c.html.gz").write_bytes(
        gzip.compress(html_page(STORY, SECOND).encode()))
    (tmp_path / "site" / "notes.txt").write_text("not a page", encoding="utf-8")
    output = tmp_path / "out" / "pages.jsonl"
    assert main(["extract", str(tmp_path / "site"), "--output", str(output)]) == 0
    rows = read_jsonl(output)
    assert [Path(row["source"]).name for row in rows] == ["a.html", "b.htm", "c.html.gz"]
    assert [row["text"] for row in rows] == [STORY, SECOND, f"{STORY}\n\n{SECOND}"]
    assert all(row["url"] == "" for row in rows)
    assert "3 pages extracted" in capsys.readouterr().err


def test_failures_are_reported_counted_and_the_run_goes_on(tmp_path, capsys):
    good = tmp_path / "good.html"
    good.write_text(html_page(STORY), encoding="utf-8")
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(gzip.compress(html_page(STORY).encode())[:40])
    bomb = tmp_path / "bomb.html"
    bomb.write_text("<div>" * 100_000 + "x", encoding="utf-8")
    assert main(["extract", str(broken), str(bomb), str(tmp_path / "missing.html"),
                 str(good)]) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [(Path(row["source"]).name, row["text"]) for row in rows] == [("good.html", STORY)]
    for name in ("bad_gzip", "html_too_deep", "file_not_found"):
        assert f": {name}: " in captured.err
    assert "failed: bad_gzip=1, file_not_found=1, html_too_deep=1" in captured.err


def test_warc_records_are_extracted_with_their_urls(tmp_path, capsys):
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as stream:
        writer = WarcWriter(stream)
        writer.write_warcinfo("crawl.warc.gz")
        writer.write_request("https://example.org/ferry")
        first = writer.write_response("https://example.org/ferry",
                                      html_page(STORY, SECOND).encode())
        writer.write_response("https://example.org/logo.png", b"\x89PNG",
                              content_type="image/png")
        writer.write_response("https://example.org/deep", ("<b>" * 100_000).encode())
    output = tmp_path / "pages.jsonl"
    assert main(["extract", str(warc), "--output", str(output),
                 "--extractor", "tree"]) == 1
    rows = read_jsonl(output)
    assert rows == [{"source": f"{warc}:{first}", "url": "https://example.org/ferry",
                     "text": f"{STORY}\n\n{SECOND}"}]
    err = capsys.readouterr().err
    assert "html_too_deep" in err and "skipped:" in err


def test_trafilatura_backend_can_be_chosen(tmp_path, capsys):
    page = tmp_path / "story.html"
    page.write_text(html_page(STORY, SECOND), encoding="utf-8")
    assert main(["extract", str(page), "--extractor", "trafilatura"]) == 0
    assert STORY in capsys.readouterr().out


@pytest.mark.skipif(not (WARCS / "dolma").is_dir(), reason=f"WARC data not found at {WARCS}")
def test_real_warc_files(tmp_path):
    output = tmp_path / "dolma.jsonl"
    paths = sorted(str(p) for p in (WARCS / "dolma").glob("*.warc.gz"))
    assert main(["extract", *paths, "--output", str(output)]) == 0
    rows = read_jsonl(output)
    assert len(rows) == 37  # the HTML responses listed in the data README
    assert sum(len(row["text"].split()) >= 50 for row in rows) >= len(rows) // 2


def test_each_error_is_printed_once(tmp_path):
    # issue 9, item 16: the reader's log line repeated each reported failure.
    import subprocess
    import sys

    warc = tmp_path / "crawl.warc"
    with warc.open("wb") as stream:
        writer = WarcWriter(stream, gzip_per_record=False)
        writer.write_response("https://example.org/ferry", html_page(STORY).encode())
        writer.write_raw(b"WARC/1.0\r\nContent-Length: nine\r\n\r\n")
        writer.write_response("https://example.org/deep", ("<b>" * 100_000).encode())
    done = subprocess.run([sys.executable, "-m", "massivetext.cli.main", "extract", str(warc)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert sum("bad_content_length" in line for line in lines) == 2  # report and summary
    assert sum("html_too_deep" in line for line in lines) == 2
    assert len(lines) == 3, lines
