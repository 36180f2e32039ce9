"""`massivetext report` on a real sample run: the page's data, and the page in Chromium.

The session fixture writes the built-in sample (120 pages) plus one planted page whose
text holds a <script>, an <img onerror> and a javascript: URL, runs the real pipeline on
both, and writes the report with the real command. The browser test opens it in headless
Chromium (skipped, saying why, where Chromium or websocket-client is missing).
"""

import fcntl
import gzip
import json
import shutil
from pathlib import Path

import pytest

from massivetext.cli.main import main as cli_main
from massivetext.dedup.minhash import exact_jaccard, shingle_hashes
from massivetext.io.warc_writer import WarcWriter
from massivetext.report.compare import count_changes, only_removed
from massivetext.report.funnel import EXACT, STATS, funnel, funnel_counts
from massivetext.report.page import SECTIONS
from massivetext.report.run import load_run
from massivetext.report.samples import reason_samples
from massivetext.report.signals import signal_histograms

PLANTED_URL = "javascript:window.__planted='url'"
PLANTED_HTML = """<html><head><title>planted</title></head><body><article>
<p>This page is about the attack &lt;script&gt;window.__planted = 'script';
document.title = 'pwned'&lt;/script&gt; and it has an image
&lt;img src=x onerror="window.__planted = 'img'"&gt; with a link
&lt;a href="javascript:window.__planted = 'link'"&gt;click&lt;/a&gt; # # # # # # #</p>
</article></body></html>"""
PLANTED_MARK = "<script>window.__planted"
ARTEFACTS = Path(__file__).resolve().parent.parent / "out" / "test-artefacts"


def _write_planted_warc(path: Path) -> None:
    with open(path, "wb") as file:
        WarcWriter(file).write_response(PLANTED_URL, PLANTED_HTML.encode("utf-8"),
                                        record_id="<urn:uuid:00000000-0000-4000-8000-00000000beef>",
                                        date="2024-03-01T00:00:00Z")


def _build_run(root: Path) -> None:
    sample = root / "sample"
    assert cli_main(["sample", "--pages", "120", "--output", str(sample / "sample.warc.gz")]) == 0
    _write_planted_warc(sample / "planted.warc.gz")
    assert cli_main(["run", "--input", f"{sample}/sample.warc.gz,{sample}/planted.warc.gz",
                     "--test-sets", str(sample / "sample-testset.jsonl"),
                     "--output", str(root / "curated")]) == 0
    assert cli_main(["report", str(root / "curated")]) == 0


def _built_once(tmp_path_factory, worker_id, name: str, build) -> Path:
    """``build(root)`` run once per session, even under pytest-xdist (a file lock)."""
    base = tmp_path_factory.getbasetemp()
    root = (base if worker_id == "master" else base.parent) / name
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".done").exists():
            build(root)
            (root / ".done").touch()
    return root


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, worker_id) -> Path:
    """The subset directory of one real run of the sample plus the planted page."""
    return _built_once(tmp_path_factory, worker_id, "report-sample-run",
                       _build_run) / "curated" / "massiveweb"


@pytest.fixture(scope="session")
def lenient_run(sample_run, tmp_path_factory, worker_id) -> Path:
    """The same input with the '#' rule switched off and every removal kept."""
    sample = sample_run.parent.parent / "sample"

    def build(root):
        assert cli_main(["run", "--input", f"{sample}/sample.warc.gz,{sample}/planted.warc.gz",
                         "--test-sets", str(sample / "sample-testset.jsonl"),
                         "--output", str(root / "curated"), "--quality-max-hash-ratio", "1000",
                         "--keep-removed", "all"]) == 0
        assert cli_main(["report", str(sample_run), str(root / "curated")]) == 0

    return _built_once(tmp_path_factory, worker_id, "report-lenient-run",
                       build) / "curated" / "massiveweb"


def test_funnel_numbers_equal_stats_json(sample_run):
    run = load_run(sample_run)
    stats = json.loads((sample_run / "stats.json").read_text())
    rows = funnel(run)
    assert [row.stage for row in rows] == [entry["stage"] for entry in stats["stages"]]
    for row, entry in zip(rows, stats["stages"], strict=True):
        assert (row.docs_in, row.kept, row.removed) == (
            entry["docs_in"], entry["kept"], entry["removed"])
        assert row.skipped == sum(entry["skipped"].values())
        assert row.failed == sum(entry["failed"].values())
        assert {r.reason: r.removed for r in row.reasons} == entry["reasons"]
        if row.reasons and row.basis == EXACT:
            # Every removed document failed one rule (counted alone) or several.
            assert sum(r.alone for r in row.reasons) + row.several == entry["removed"]
    points = funnel_counts(run)
    assert points[0][1] == stats["accounting"]["input_records"]
    assert points[-1][1] == stats["accounting"]["kept"]
    quality = next(row for row in rows if row.stage == "quality")
    assert quality.reasons and all(r.alone is not None for r in quality.reasons)


def test_every_signal_histogram_has_its_thresholds(sample_run):
    stats = json.loads((sample_run / "stats.json").read_text())
    histograms = signal_histograms(stats)
    expected = {(e["stage"], s) for e in stats["stages"] for s in e["histograms"]}
    assert {(h.stage, h.signal) for h in histograms} == expected
    by_signal = {h.signal: h for h in histograms}
    assert [(t.bound, t.value) for t in by_signal["word_count"].thresholds] == [
        ("max", 100000.0), ("min", 50.0)]
    dup5 = by_signal["dup_5gram_char_frac"].thresholds[0]
    assert dup5.removed == stats["stages"][4]["reasons"]["dup_5gram_char_frac"]


def test_failures_and_skips_come_with_examples(sample_run):
    run = load_run(sample_run)
    read = run.stage("read")
    assert read["skipped"] and read["failed"]
    for kind, count in read["skipped"].items():
        examples = run.skipped[("read", kind)]
        assert 0 < len(examples) <= count
        assert all(e["kind"] == kind and e["offset"] >= 0 for e in examples)
    for error in read["failed"]:
        assert all(e["error"] == error for e in run.failed[("read", error)])


def test_near_duplicates_and_test_matches_carry_their_counterpart(sample_run):
    for name, role in (("near_dedup.near_duplicate", "survivor"),
                       ("decontaminate.test_set_overlap", "test")):
        records = [json.loads(line) for line in
                   (sample_run / "removed" / f"{name}.jsonl").read_text().splitlines()]
        assert records
        for record in records:
            other = record["details"][f"{role}_text"]
            jaccard = exact_jaccard(shingle_hashes(record["text"]), shingle_hashes(other))
            assert record["details"][f"{role}_jaccard"] == f"{jaccard:.4f}"
    run = load_run(sample_run)
    near = next(s for s in reason_samples(run) if s.reason == "near_duplicate")
    assert all(doc.counterpart and doc.counterpart.highlighted_chars for doc in near.documents)


def test_the_planted_document_is_in_the_report_as_escaped_text(sample_run):
    html = (sample_run / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__planted" in html
    assert PLANTED_MARK not in html
    assert 'onerror="window' not in html


def test_two_runs_side_by_side(sample_run, lenient_run):
    strict, lenient = load_run(sample_run), load_run(lenient_run)
    changes = {(c.stage, c.reason): c for c in count_changes(strict, lenient)}
    assert changes[("quality", "hash_ratio")].a == strict.stage("quality")["reasons"]["hash_ratio"]
    assert changes[("quality", "hash_ratio")].b == 0
    only_strict = only_removed(strict, lenient, "A", limit=100)
    assert only_strict.other_complete  # the lenient run kept every removal (removed/all)
    lenient_removed = {json.loads(line)["id"] for path in (lenient_run / "removed" / "all").glob(
        "*.jsonl.gz") for line in gzip.open(path, "rt")}
    hash_alone = [r["id"] for r in strict.removed[("quality", "hash_ratio")]
                  if r["reasons"] == ["hash_ratio"]]
    assert hash_alone and set(hash_alone) <= {d.id for d in only_strict.documents}
    assert not {d.id for d in only_strict.documents} & lenient_removed
    assert (lenient_run / "compare.html").is_file()


def test_the_report_in_chromium(sample_run, lenient_run):
    chromium = pytest.importorskip("tests.chromium", reason="needs websocket-client")
    executable = chromium.find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set MASSIVETEXT_CHROMIUM)")
    stats = json.loads((sample_run / "stats.json").read_text())
    with chromium.Browser(executable) as browser:
        browser.open((sample_run / "report.html").as_uri())
        drawn = browser.wait_for("document.body.getAttribute('data-plots-drawn')")
        assert int(drawn) >= 1 + sum(len(e["histograms"]) for e in stats["stages"])
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        screenshot = browser.screenshot(ARTEFACTS / "report-first-screen.png")
        browser.screenshot(ARTEFACTS / "report-full-page.png", full_page=True)
        print(f"screenshots: {screenshot} and report-full-page.png beside it")
        sections = browser.evaluate("Array.from(document.querySelectorAll('main > section'))"
                                    ".map(s => s.id)")
        assert sections == [anchor for anchor, _ in SECTIONS]
        for entry in stats["stages"]:
            for signal in entry["histograms"]:
                plot = f"#plot-{entry['stage']}-{signal}"
                assert browser.evaluate(
                    f"document.querySelectorAll('{plot} .main-svg .bars path').length"), plot
        assert browser.evaluate("document.querySelectorAll('#plot-funnel .main-svg').length")
        # The planted page: shown as text, no script ran, no element made of it.
        assert browser.evaluate("typeof window.__planted") == "undefined"
        assert browser.evaluate("document.title") != "pwned"
        made = "pre.doc *:not(mark), main img, main a[href^='javascript']"
        assert browser.evaluate(f"document.querySelectorAll({json.dumps(made)}).length") == 0
        assert browser.evaluate(f"document.body.textContent.includes({json.dumps(PLANTED_MARK)})")
        assert browser.errors() == []
        browser.open((lenient_run / "compare.html").as_uri())
        browser.wait_for("document.body.getAttribute('data-plots-drawn')")
        assert browser.evaluate("document.querySelectorAll('main > section').length") == 3
        browser.screenshot(ARTEFACTS / "compare-first-screen.png")
        assert browser.errors() == []
    shutil.copy(sample_run / "report.html", ARTEFACTS / "report.html")


def test_alone_and_several_come_from_stats_json_when_the_run_counted_them(sample_run):
    run = load_run(sample_run)
    quality = run.stage("quality")
    reasons = sorted(quality["reasons"])
    quality["removed_alone"] = {reasons[0]: 1}  # as stats.json leaves out zero counts
    quality["removed_several"] = quality["removed"] - 1
    row = next(row for row in funnel(run) if row.stage == "quality")
    assert row.basis == STATS and row.several == quality["removed"] - 1
    assert {r.reason: r.alone for r in row.reasons} == {
        reason: int(reason == reasons[0]) for reason in reasons}
