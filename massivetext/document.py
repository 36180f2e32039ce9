"""The records that flow through every stage, and how each input record ends.

Every input record ends in exactly one of three ways, so that a run can prove it lost
nothing (input = kept + removed + skipped + failed):

- it survives as a :class:`Document` to the output shards;
- it is :class:`Removed` by a stage, with the names of every rule it failed;
- it is :class:`Skipped` (not a document to curate: a WARC request, a revisit, a PDF);
- it :class:`Failed` with a named error (truncated gzip, an HTML bomb, bad JSON).

These are plain dataclasses with no Beam import, so the core library and its tests can
use them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WebPage:
    """One HTML response read from a WARC file, decoded to text but not yet extracted."""

    url: str
    record_id: str
    date: str
    source: str  # the WARC file it came from
    offset: int  # byte offset of the record in that file (compressed offset for .gz)
    html: str
    charset: str  # the encoding used to decode the body
    # where it came from: "bom", "http-header", "meta", "detected", "default" (the last
    # three with ";http-header-implausible" when the HTTP charset was refused)
    charset_source: str
    content_type: str = "text/html"


@dataclass
class Document:
    """A text document on its way through the pipeline.

    ``signals`` collects every value that a filter computed for the document, keyed by
    the signal names of ``filters/`` (for example ``word_count``, ``dup_line_frac``),
    so that the output shards and the removed samples can be inspected without a rerun.
    ``metadata`` holds what a subset's reader knows of the document besides its text
    (a book's ``title`` and ``author``, a source file's ``repo``, ``path`` and
    ``language``, an article's ``title`` and ``date``); the shards keep it as JSON.
    """

    id: str
    text: str
    subset: str = "massiveweb"
    url: str = ""
    source: str = ""
    offset: int = -1
    warc_record_id: str = ""
    warc_date: str = ""
    charset: str = ""
    charset_source: str = ""
    signals: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def num_bytes(self) -> int:
        return len(self.text.encode("utf-8"))


@dataclass
class Removed:
    """A document that a stage removed, with every rule it failed.

    ``details`` holds stage-specific facts as strings, for example the surviving
    duplicate's id (``survivor``) or the matched test set (``test_set``, ``test_doc``).
    ``counterpart`` names the stored document the removal points to, ``(role, spill
    file, stored id)`` (a near duplicate's survivor, a test document), until its text is
    read into ``details`` for the removals a run writes out
    (:mod:`massivetext.pipelines.counterparts`).
    """

    stage: str
    reasons: tuple[str, ...]
    document: Document
    details: dict[str, str] = field(default_factory=dict)
    counterpart: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Skipped:
    """An input record that is not a document to curate, counted by kind.

    Kinds used by the WARC reader: ``request``, ``response_non_html``,
    ``response_non_200``, ``revisit``, ``metadata``, ``warcinfo``, ``resource``,
    ``conversion``, ``other``.
    """

    kind: str
    source: str
    offset: int
    record_id: str = ""


@dataclass(frozen=True)
class Failed:
    """An input record that could not be processed, with a stable error name.

    ``error`` becomes a counter name (``truncated_gzip``, ``bad_warc_header``,
    ``html_too_deep``, ``invalid_json`` ...); ``message`` is for people.
    """

    stage: str
    error: str
    source: str
    offset: int
    message: str
