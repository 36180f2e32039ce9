"""The Books reader: Gutenberg boilerplate in its current and older forms, metadata,
encodings, one document per book however long, and the real books in ../shared."""

import gzip
from pathlib import Path

import pytest

from massivetext.document import Document, Failed, Skipped
from massivetext.readers.books import read_book, strip_gutenberg

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / "books"

MODERN = """\ufeffThe Project Gutenberg eBook of Pride and Prejudice, by Jane Austen

This eBook is for the use of anyone anywhere in the United States.

Title: Pride and Prejudice

Author: Jane Austen

Release Date: June, 1998 [eBook #1342]
Language: English

*** START OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***




Produced by Anonymous Volunteers




PRIDE AND PREJUDICE

It is a truth universally acknowledged, that a single man in possession
of a good fortune, must be in want of a wife.

*** END OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***

Section 1. General Terms of Use and Redistributing Project Gutenberg-tm
"""

OLDER = """The Project Gutenberg EBook of Walden, by Henry David Thoreau

Character set encoding: ISO-8859-1

*** START OF THIS PROJECT GUTENBERG EBOOK WALDEN ***

WALDEN

When I wrote the following pages I lived alone, in the woods, a mile from
any neighbor, in a house which I had built myself, caf\u00e9.

End of the Project Gutenberg EBook of Walden, by Henry David Thoreau

*** END OF THIS PROJECT GUTENBERG EBOOK WALDEN ***
"""

SMALL_PRINT = """Project Gutenberg's Etext of Moby Dick

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*

MOBY DICK; OR THE WHALE

Call me Ishmael.

End of Project Gutenberg's Moby Dick
"""


def test_modern_header_and_licence_are_removed():
    body, metadata = strip_gutenberg(MODERN)
    assert body.startswith("PRIDE AND PREJUDICE\n\nIt is a truth")
    assert body.endswith("in want of a wife.")
    assert metadata == {"title": "Pride and Prejudice", "author": "Jane Austen",
                        "language": "English", "gutenberg_id": "1342"}


def test_older_end_lines_and_small_print_are_removed():
    body, metadata = strip_gutenberg(OLDER)
    assert body.startswith("WALDEN") and body.endswith("built myself, caf\u00e9.")
    assert metadata["title"] == "Walden" and metadata["author"] == "Henry David Thoreau"
    body, _ = strip_gutenberg(SMALL_PRINT)
    assert body == "MOBY DICK; OR THE WHALE\n\nCall me Ishmael."


def test_a_stripped_book_takes_title_and_author_from_its_first_lines():
    body, metadata = strip_gutenberg("THE TEMPEST\n\nby William Shakespeare\n\nACT I\n")
    assert body.startswith("THE TEMPEST")
    assert metadata == {"title": "THE TEMPEST", "author": "William Shakespeare"}


def test_read_book_decodes_as_declared_and_names_the_book(tmp_path):
    path = tmp_path / "2701.txt.gz"
    path.write_bytes(gzip.compress(OLDER.replace("\n", "\r\n").encode("latin-1")))
    (book,) = read_book(str(path))
    assert isinstance(book, Document) and book.id == "book-2701"
    assert book.charset == "ISO-8859-1" and book.charset_source == "header"
    assert "caf\u00e9" in book.text and "\r" not in book.text
    modern = tmp_path / "1342.txt"
    modern.write_text(MODERN, encoding="utf-8")
    (book,) = read_book(str(modern))
    assert book.url == "https://www.gutenberg.org/ebooks/1342" and book.subset == "books"
    assert not book.text.startswith("\ufeff")


def test_undeclared_latin1_falls_back(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("A caf\u00e9 by the river.\n".encode("latin-1"))
    (book,) = read_book(str(path))
    assert book.text == "A caf\u00e9 by the river." and book.charset_source == "fallback"


def test_ten_megabyte_book_is_one_document(tmp_path):
    paragraph = ("It was the best of times, it was the worst of times, it was the age of "
                 "wisdom, it was the age of foolishness.\n\n")
    body = paragraph * (10_000_000 // len(paragraph) + 1)
    path = tmp_path / "long.txt.gz"
    path.write_bytes(gzip.compress(MODERN.replace("It is a truth", body + "It is a truth")
                                   .encode("utf-8")))
    (book,) = read_book(str(path))
    assert book.num_bytes > 10_000_000
    assert book.text.startswith("PRIDE AND PREJUDICE") and book.text.endswith("a wife.")


def test_bounds_and_damage_are_counted(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 5000)
    (outcome,) = read_book(str(path), max_book_bytes=1000)
    assert isinstance(outcome, Failed) and outcome.error == "book_too_large"
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(gzip.compress(b"word " * 10000)[:-40])
    (outcome,) = read_book(str(broken))
    assert isinstance(outcome, Failed) and outcome.error == "bad_gzip"
    empty = tmp_path / "empty.txt"
    empty.write_text("*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n"
                     "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n")
    (outcome,) = read_book(str(empty))
    assert isinstance(outcome, Skipped) and outcome.kind == "empty_book"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/text/books absent")
def test_real_gutenberg_books():
    books = {path.name: list(read_book(str(path))) for path in sorted(SHARED.glob("*.txt.gz"))}
    assert len(books) == 5
    for name, outcomes in books.items():
        (book,) = outcomes
        assert isinstance(book, Document) and book.num_bytes > 50_000, name
        assert "Project Gutenberg" not in book.text
    othello = books["othello_gut.txt.gz"][0]
    assert othello.metadata == {"title": "OTHELLO, THE MOOR OF VENICE",
                                "author": "William Shakespeare"}
    assert othello.text.endswith("THE END")
