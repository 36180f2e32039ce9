"""The removed documents the report shows: text, signals and the part that triggered.

For a rule about a part of the text (:data:`massivetext.report.highlights.RULE_SPANS`)
the highlighted spans are those the rule counted; for a near duplicate or a test-set
match, the 13-grams it shares with its survivor or test document (whose text the
pipeline writes beside it: :mod:`massivetext.pipelines.counterparts`), highlighted on
both sides. Texts are cut at ``max_chars`` for display only: highlights and the
figures shown with them are computed on the whole text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from massivetext.dedup.minhash import exact_jaccard, shingle_hashes
from massivetext.report.highlights import RULE_SPANS, Spans, segments, shared_shingle_spans
from massivetext.report.signals import signal_histograms

DEFAULT_SHOWN_PER_REASON = 20  # documents shown per (stage, reason): our choice
DEFAULT_MAX_CHARS = 20_000  # characters of a text shown: our choice
# Removals whose counterpart the pipeline writes as details["<role>_text"].
COUNTERPART_ROLES = {"near_duplicate": "survivor", "test_set_overlap": "test"}


@dataclass(frozen=True)
class ShownText:
    title: str
    segments: list[tuple[str, bool]]
    chars: int  # characters of the whole text
    shown_chars: int
    highlighted_chars: int

    @property
    def truncated(self) -> bool:
        return self.shown_chars < self.chars


@dataclass(frozen=True)
class ShownSignal:
    name: str
    value: float
    limit: str  # "max 0.2", "min 50, max 100000" or ""
    beyond: bool


@dataclass(frozen=True)
class ShownDocument:
    id: str
    url: str
    source: str
    offset: int
    stage: str
    reason: str
    reasons: list[str]
    text: ShownText
    signals: list[ShownSignal]
    details: dict[str, str]
    highlight: str  # what the marks show, for the legend
    counterpart: ShownText | None = None
    jaccard: str = ""


@dataclass
class ReasonSample:
    stage: str
    reason: str
    removed: int  # documents removed for this reason (stats.json)
    documents: list[ShownDocument] = field(default_factory=list)
    sampled: int = 0  # records in the sample file

    @property
    def anchor(self) -> str:
        return f"removed-{self.stage}-{self.reason}"


def _shown_text(title: str, text: str, spans: Spans, max_chars: int) -> ShownText:
    return ShownText(title, segments(text, spans, max_chars), len(text), min(len(text), max_chars),
                     sum(end - start for start, end in spans))


def limits_of(stats: dict) -> dict[str, tuple[str, list[tuple[str, float]]]]:
    """signal -> (its description, [(bound, value)]) from the run's parameters."""
    limits = {}
    for histogram in signal_histograms(stats):
        bounds = [(t.bound, t.value) for t in histogram.thresholds]
        limits[histogram.signal] = (", ".join(f"{b} {v:g}" for b, v in bounds), bounds)
    return limits


def _signals(record: dict, limits: dict) -> list[ShownSignal]:
    shown = []
    for name, value in sorted((record.get("signals") or {}).items()):
        if not isinstance(value, int | float):
            continue
        description, bounds = limits.get(name, ("", []))
        beyond = any((b == "max" and value > v) or (b == "min" and value < v) for b, v in bounds)
        shown.append(ShownSignal(name, float(value), description, beyond))
    return shown


def _highlight_legend(reason: str, role: str | None) -> str:
    if role is not None:
        other = "survivor" if role == "survivor" else "test document"
        return f"13-grams shared with the {other}"
    if reason in RULE_SPANS:
        return f"what {reason} counted"
    return ""


def show_document(record: dict, stage: str, reason: str, limits: dict,
                  max_chars: int = DEFAULT_MAX_CHARS) -> ShownDocument:
    text = str(record.get("text") or "")
    details = {str(k): str(v) for k, v in (record.get("details") or {}).items()}
    role = COUNTERPART_ROLES.get(reason)
    counterpart, jaccard, spans = None, "", []
    if role is not None and f"{role}_text" in details:
        other = details.pop(f"{role}_text")
        spans = shared_shingle_spans(text, other)
        full = f"{role}_chars" not in details
        jaccard = details.pop(f"{role}_jaccard", "") or (
            f"{exact_jaccard(shingle_hashes(text), shingle_hashes(other)):.4f}" if full else "")
        name = details.get("survivor") if role == "survivor" else details.get("test_doc", "")
        counterpart = _shown_text(f"{'survivor' if role == 'survivor' else 'test document'} "
                                  f"{name}", other, shared_shingle_spans(other, text), max_chars)
    elif reason in RULE_SPANS:
        spans = RULE_SPANS[reason](text)
    return ShownDocument(
        id=str(record.get("id", "")), url=str(record.get("url", "")),
        source=str(record.get("source", "")), offset=int(record.get("offset", -1)),
        stage=stage, reason=reason, reasons=[str(r) for r in record.get("reasons") or ()],
        text=_shown_text("removed document", text, spans, max_chars),
        signals=_signals(record, limits), details=details,
        highlight=_highlight_legend(reason, role if counterpart else None),
        counterpart=counterpart, jaccard=jaccard)


def reason_samples(run, shown_per_reason: int = DEFAULT_SHOWN_PER_REASON,
                   max_chars: int = DEFAULT_MAX_CHARS) -> list[ReasonSample]:
    """Per (stage, reason) in pipeline order: the first documents of its sample."""
    limits = limits_of(run.stats)
    result = []
    for entry in run.stats["stages"]:
        names = sorted(set(entry["reasons"]) | {r for s, r in run.removed if s == entry["stage"]})
        for reason in names:
            records = run.removed.get((entry["stage"], reason), [])
            sample = ReasonSample(entry["stage"], reason, entry["reasons"].get(reason, 0),
                                  sampled=len(records))
            sample.documents = [show_document(record, entry["stage"], reason, limits, max_chars)
                                for record in records[:shown_per_reason]]
            result.append(sample)
    return result
