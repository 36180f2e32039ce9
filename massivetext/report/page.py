"""The report page: Jinja2 templates, Plotly inlined, a Content-Security-Policy.

Every document text reaches the page through Jinja2's autoescaping; figures travel as a
JSON data block (``<``, ``>`` and ``&`` escaped, so no text can close it) that one
inline script hands to Plotly. The policy allows exactly the two inline scripts
(Plotly and ours) by their SHA-256 hashes, no other script, no network: a document
holding ``<script>``, ``<img onerror=...>`` or a ``javascript:`` URL stays text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from massivetext.report import figures
from massivetext.report.compare import count_changes, only_removed
from massivetext.report.funnel import funnel, funnel_counts
from massivetext.report.run import Run
from massivetext.report.samples import (
    COUNTERPART_ROLES,
    DEFAULT_MAX_CHARS,
    DEFAULT_SHOWN_PER_REASON,
    reason_samples,
)
from massivetext.report.signals import signal_histograms

SECTIONS = (("funnel", "Funnel"), ("signals", "Signals"), ("removed", "Removed documents"),
            ("duplicates", "Near duplicates"), ("testsets", "Test-set overlap"),
            ("run", "Run"), ("failures", "Failures and skips"))


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("massivetext.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    environment.filters["percent"] = lambda value: f"{100 * value:.2f}%"
    environment.filters["number"] = lambda value: f"{value:,}" if isinstance(value, int) else (
        f"{value:.4g}" if isinstance(value, float) else str(value))
    return environment


def _asset(name: str) -> str:
    return resources.files("massivetext.report").joinpath("assets", name).read_text("utf-8")


def _inline_script(source: str) -> str:
    if "</script" in source.lower() or "<!--" in source:
        raise ValueError("an inline script may not hold '</script' or '<!--'")
    return source


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def json_data_block(value) -> Markup:
    """``value`` as JSON safe inside ``<script type="application/json">``."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def render(template: str, title: str, plots: dict[str, dict], **context) -> str:
    """The whole page: ``template`` with the styles, scripts and policy it needs."""
    scripts = [_inline_script(get_plotlyjs()), _inline_script(_asset("report.js"))]
    policy = ("default-src 'none'; script-src " + " ".join(map(_csp_hash, scripts))
              + "; style-src 'unsafe-inline'; img-src data:; font-src data:; "
              "base-uri 'none'; form-action 'none'")
    return _environment().get_template(template).render(
        title=title, policy=policy, style=Markup(_asset("report.css")),
        scripts=[Markup(script) for script in scripts], figures=json_data_block(plots),
        **context)


def _flatten(parameters: dict, prefix: str = "") -> list[tuple[str, str]]:
    rows = []
    for key, value in sorted(parameters.items()):
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value if isinstance(value, str) else json.dumps(value)))
    return rows


def _timings(run: Run) -> dict | None:
    if not run.timings:
        return None
    wall = float(run.timings.get("wall_seconds") or 0)
    read = run.stage("read") or {}
    steps = sorted(((step, msecs) for step, msecs in (run.timings.get("step_msecs") or {}).items()
                    if msecs > 0), key=lambda kv: -kv[1])
    return {"started": run.timings.get("started", ""), "wall_seconds": wall,
            "records_per_second": run.stats["accounting"]["input_records"] / wall if wall else 0,
            "megabytes_per_second": read.get("kept_bytes", 0) / 1e6 / wall if wall else 0,
            "steps": steps}


def _losses(run: Run) -> list[tuple[str, int]]:
    """Where the records that did not reach the output went: (stage and outcome, count)."""
    losses = []
    for entry in run.stats["stages"]:
        for outcome, count in (("removed", entry["removed"]),
                               ("skipped", sum(entry["skipped"].values())),
                               ("failed", sum(entry["failed"].values()))):
            if count:
                losses.append((f"{entry['stage']} {outcome}", count))
    return losses


def _cluster_histograms(run: Run) -> list[tuple[str, list[tuple[str, int]]]]:
    found = []
    for entry in run.stats["stages"]:
        sizes = [(key.partition("=")[2], value) for key, value in entry["extra"].items()
                 if key.startswith("cluster_size=")]
        if sizes:
            order = ["2", "3", "4", "5-9", "10-99", "100+"]
            sizes.sort(key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
            found.append((entry["stage"], sizes))
    return found


def _failures(run: Run) -> list[dict]:
    rows = []
    for entry in run.stats["stages"]:
        for kind, count in sorted(entry["skipped"].items()):
            examples = run.skipped.get((entry["stage"], kind), [])[:5]
            rows.append({"stage": entry["stage"], "outcome": "skipped", "kind": kind,
                         "count": count, "examples": examples})
        for error, count in sorted(entry["failed"].items()):
            examples = run.failed.get((entry["stage"], error), [])[:5]
            rows.append({"stage": entry["stage"], "outcome": "failed", "kind": error,
                         "count": count, "examples": examples})
    return rows


def report_page(run: Run, shown_per_reason: int = DEFAULT_SHOWN_PER_REASON,
                max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The HTML report of one run."""
    histograms = signal_histograms(run.stats)
    samples = reason_samples(run, shown_per_reason, max_chars)
    plots = {"plot-funnel": figures.funnel_figure(funnel_counts(run))}
    losses = _losses(run)
    if losses:
        labels, values = zip(*losses, strict=True)
        plots["plot-losses"] = figures.bars_figure(
            list(labels), list(values), "records", colour=figures.REMOVED,
            height=60 + 24 * len(labels), horizontal=True)
    for histogram in histograms:
        plots[f"plot-{histogram.stage}-{histogram.signal}"] = figures.histogram_figure(histogram)
    clusters = _cluster_histograms(run)
    for stage, sizes in clusters:
        labels, values = zip(*sizes, strict=True)
        plots[f"plot-clusters-{stage}"] = figures.bars_figure(
            list(labels), list(values), "clusters")
    timings = _timings(run)
    if timings and timings["steps"]:
        labels, values = zip(*timings["steps"][:15], strict=True)
        plots["plot-timings"] = figures.bars_figure(
            list(labels), [v / 1000 for v in values], "seconds of processing",
            height=60 + 22 * len(labels), horizontal=True)
    counterparts = {reason: [s for s in samples if s.reason == reason]
                    for reason in COUNTERPART_ROLES}
    return render(
        "report.html", f"MassiveText report: {run.name}", plots, run=run,
        sections=SECTIONS, stages=funnel(run), accounting=run.stats["accounting"],
        histograms=histograms, samples=[s for s in samples if s.reason not in COUNTERPART_ROLES],
        near=counterparts["near_duplicate"], tests=counterparts["test_set_overlap"],
        clusters=clusters, parameters=_flatten(run.stats.get("parameters", {})),
        manifest=run.manifest, timings=timings, failures=_failures(run),
        shown_per_reason=shown_per_reason)


def _differing_parameters(a: Run, b: Run) -> list[tuple[str, str, str]]:
    values_a = dict(_flatten(a.stats.get("parameters", {})))
    values_b = dict(_flatten(b.stats.get("parameters", {})))
    return [(key, values_a.get(key, ""), values_b.get(key, ""))
            for key in sorted(set(values_a) | set(values_b))
            if values_a.get(key) != values_b.get(key)]


def compare_page(a: Run, b: Run, shown: int = DEFAULT_SHOWN_PER_REASON,
                 max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Two runs side by side: counts per stage and reason, documents only one removed."""
    plots = {"plot-funnel": figures.funnel_figure(funnel_counts(a), funnel_counts(b),
                                                  names=("A", "B"))}
    return render(
        "compare.html", f"MassiveText: {a.name} against {b.name}", plots, a=a, b=b,
        sections=(("funnel", "Funnel"), ("removed", "Kept by one, removed by the other"),
                  ("run", "Parameters")),
        changes=count_changes(a, b), parameters=_differing_parameters(a, b),
        differences=[only_removed(b, a, "B", shown, max_chars),
                     only_removed(a, b, "A", shown, max_chars)])
