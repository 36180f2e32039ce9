"""C4 as published (``c4-train.00000-of-01024.json.gz``: one JSON object a line with
``text``, ``url`` and ``timestamp``) -> C4 documents.

C4 has no document ids; ours is derived from the URL: ``c4-`` and the URL's 64-bit
xxHash (:func:`~massivetext.readers.common.url_id`), the same in every run and on every
machine, and independent of which file or line the document is in. A record without a
URL is named by its file and line instead. ``timestamp`` goes to the metadata as
``date``. Bad lines are Failed with their line number (``invalid_json``,
``not_an_object``, ``missing_text``) and the file goes on.
"""

from __future__ import annotations

from collections.abc import Iterator

from massivetext.document import Document, Failed
from massivetext.io.text_input import read_jsonl_records
from massivetext.readers.common import Opener, json_document


def read_c4(path: str, subset: str = "c4", opener: Opener | None = None,
            ) -> Iterator[Document | Failed]:
    """One Document or Failed per line of a C4 ``json.gz`` (or plain JSONL) file."""
    for line, record in read_jsonl_records(path, opener):
        yield record if isinstance(record, Failed) else json_document(
            record, path, line, subset, "c4")
