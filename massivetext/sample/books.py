"""Generated books with Project Gutenberg's boilerplate, for the Books subset.

Each book is a long English text (chapters of :class:`~massivetext.sample.text.EnglishGrammar`
prose) wrapped the way Gutenberg files are: the current header with ``Title:`` and
``Author:`` and the ``*** START/END OF THE PROJECT GUTENBERG EBOOK`` markers and licence,
or the older "End of the Project Gutenberg EBook of" form. One book is also published
twice under two numbers, as Gutenberg has duplicate editions, so dedup has work.
"""

from __future__ import annotations

import os
import random

from massivetext.io.atomic import atomic_output
from massivetext.sample.text import EnglishGrammar

LICENCE = ("\n*** END OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n"
           "Updated editions will replace the previous one--the old editions will be renamed.\n"
           "Section 1. General Terms of Use and Redistributing Project Gutenberg-tm "
           "electronic works\n")


def _body(grammar: EnglishGrammar, title: str, author: str, chapters: int) -> str:
    parts = [title.upper(), f"by {author}"]
    for number in range(1, chapters + 1):
        parts.append(f"CHAPTER {number}")
        parts += [grammar.paragraph((4, 9)) for _ in range(grammar.rng.randint(6, 10))]
    return "\n\n".join(parts)


def gutenberg_file(number: int, title: str, author: str, body: str, older: bool) -> str:
    upper = title.upper()
    if older:
        return (f"The Project Gutenberg EBook of {title}, by {author}\n\n"
                f"Release Date: May, 2003 [EBook #{number}]\n\n"
                f"*** START OF THIS PROJECT GUTENBERG EBOOK {upper} ***\n\n"
                f"Produced by Sample Volunteers\n\n\n\n{body}\n\n\n"
                f"End of the Project Gutenberg EBook of {title}, by {author}\n\n"
                f"*** END OF THIS PROJECT GUTENBERG EBOOK {upper} ***\n")
    return (f"The Project Gutenberg eBook of {title}\n\n"
            "This ebook is for the use of anyone anywhere in the United States.\n\n"
            f"Title: {title}\n\nAuthor: {author}\n\n"
            f"Release date: March 1, 2024 [eBook #{number}]\n\nLanguage: English\n\n"
            f"*** START OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n\n\n{body}\n\n"
            + LICENCE.format(upper=upper))


def write_books(directory: str, rng: random.Random, books: int) -> dict[str, int]:
    """Write ``books`` books (the last also as a second edition); returns the counts."""
    written = []
    for index in range(books):
        grammar = EnglishGrammar(rng)
        title, author = grammar.heading(), grammar.person()
        number = 70000 + index
        text = gutenberg_file(number, title, author, _body(grammar, title, author, 6),
                              older=index % 2 == 1)
        written.append((number, text))
    duplicate_number, duplicate_text = written[-1]
    written.append((duplicate_number + 500, duplicate_text.replace(
        f"#{duplicate_number}]", f"#{duplicate_number + 500}]")))
    for number, text in written:
        with atomic_output(os.path.join(directory, f"{number}.txt.gz"), compress=True) as out:
            out.write(text.encode("utf-8"))
    return {"book": books, "duplicate_edition": 1}
