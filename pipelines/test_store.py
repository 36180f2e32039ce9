"""Test documents in the document store: their text read once, then only references.

Test-set filtering needs a test document's text when it is read (for its LSH band keys
or its n-grams), again to verify a candidate pair by exact Jaccard, and once more for a
removed sample's counterpart. :class:`StoreTestDocuments` writes the test documents to
the run's document store as they are read (spill files like the training documents',
:mod:`massivetext.io.spill`) and hands each on with its *test ref*, ``(test set, id,
spill file)``; the band keys and n-grams are computed in the same fused step, and from
then on only refs travel: a candidate pair's test text is read back from its spill
file, as the training text is (docs/architecture.md, "Memory and shuffle").

Before, every test document's shingle hashes were joined to the candidate pairs and
every test text to the removals: on the generated sample, whose test set is a tenth of
its pages, the two largest shuffles of a run.
"""

from __future__ import annotations

import json

import apache_beam as beam
from massivetext.pipelines.document_store import SpillDocuments

from massivetext.document import Document
from massivetext.testsets.loaders import TestDocument

TEST_SUBSET = "test"  # the subset field of a stored test document


def stored_test_id(test_set: str, test_id: str) -> str:
    """The id a test document is stored under: its test set and id, unambiguously."""
    return json.dumps([test_set, test_id], ensure_ascii=True)


class _StoreTestDocuments(SpillDocuments):
    def document_of(self, test: TestDocument) -> Document:
        return Document(stored_test_id(test.test_set, test.id), test.text, subset=TEST_SUBSET)

    def handed_on(self, test: TestDocument, document: Document, name: str, row: int):
        return (test.test_set, test.id, name), test


class StoreTestDocuments(beam.PTransform):
    """PCollection[TestDocument] -> PCollection[(test ref, TestDocument)], each test
    document written once to the document store ``directory``; a test ref is ``(test
    set, id, spill file)`` and orders as the test key ``(test set, id)`` does."""

    def __init__(self, directory: str):
        super().__init__()
        self._directory = directory

    def expand(self, test_docs):
        return test_docs | "Store" >> beam.ParDo(_StoreTestDocuments(self._directory))
