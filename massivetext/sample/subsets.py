"""The sample's inputs for the five text subsets, in their published formats, and the
``corpus.toml`` that curates all six subsets with ``massivetext corpus``.

Beside the sample WARC (MassiveWeb), under ``DIR/subsets/``: ``wikipedia/`` a MediaWiki
dump (:mod:`~massivetext.sample.wiki_dump`), ``books/`` Gutenberg files
(:mod:`~massivetext.sample.books`), ``c4/`` and ``news/`` JSON lines
(:mod:`~massivetext.sample.web_json`) and ``github/`` a tree of repositories
(:mod:`~massivetext.sample.code_tree`). Every subset is decontaminated against the
sample's test set. The same seed gives the same files.
"""

from __future__ import annotations

import os
import random
import shutil

from massivetext.io.atomic import atomic_output
from massivetext.sample.books import write_books
from massivetext.sample.code_tree import write_code_tree
from massivetext.sample.web_json import (
    C4_NAME,
    NEWS_NAME,
    syndicated_story,
    write_c4,
    write_news,
)
from massivetext.sample.wiki_dump import MULTISTREAM_NAME, write_wiki_dump

SUBSETS_DIRECTORY = "subsets"
CONFIG_NAME = "corpus.toml"
# Small: `make run` and the end-to-end test curate all of it in well under a minute.
WIKI_ARTICLES, BOOKS, C4_DOCUMENTS, NEWS_ARTICLES, CODE_MODULES = 8, 3, 16, 12, 4


def corpus_toml(warc: str, testset: str) -> str:
    """The corpus configuration of the sample (paths relative to its directory)."""
    inputs = {"massiveweb": warc, "wikipedia": f"{SUBSETS_DIRECTORY}/wikipedia/*.xml.bz2",
              "books": f"{SUBSETS_DIRECTORY}/books/*.txt.gz",
              "c4": f"{SUBSETS_DIRECTORY}/c4/c4-*.json.gz",
              "news": f"{SUBSETS_DIRECTORY}/news/*.jsonl", "github": f"{SUBSETS_DIRECTORY}/github"}
    lines = ["# The sample corpus: `massivetext corpus --config corpus.toml --output OUT`.",
             "[corpus]", f'test_sets = ["{testset}"]', ""]
    for name, pattern in inputs.items():
        lines += [f"[subsets.{name}]", f'input = "{pattern}"', ""]
    return "\n".join(lines)


def write_subset_samples(directory: str, warc_name: str, testset_name: str,
                         seed: int = 0) -> dict[str, dict[str, int]]:
    """Write every text subset's sample under ``directory/subsets`` and the corpus
    configuration ``directory/corpus.toml``; returns what each subset holds."""
    rng = random.Random(f"subsets-{seed}")
    root = os.path.join(directory, SUBSETS_DIRECTORY)
    shutil.rmtree(root, ignore_errors=True)  # a rerun writes the same tree, nothing more
    for name in ("wikipedia", "books", "c4", "news", "github"):
        os.makedirs(os.path.join(root, name), exist_ok=True)
    story = syndicated_story(rng)
    contents = {
        "wikipedia": write_wiki_dump(os.path.join(root, "wikipedia", MULTISTREAM_NAME), rng,
                                     WIKI_ARTICLES),
        "books": write_books(os.path.join(root, "books"), rng, BOOKS),
        "c4": write_c4(os.path.join(root, "c4", C4_NAME), rng, C4_DOCUMENTS, story),
        "news": write_news(os.path.join(root, "news", NEWS_NAME), rng, NEWS_ARTICLES, story),
        "github": write_code_tree(os.path.join(root, "github"), rng, CODE_MODULES),
    }
    with atomic_output(os.path.join(directory, CONFIG_NAME)) as out:
        out.write(corpus_toml(warc_name, testset_name).encode("utf-8"))
    return contents
