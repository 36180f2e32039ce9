"""The per-document stages on Beam's TestPipeline."""

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.filters.base import Judgement
from massivetext.pipelines.judging import FilterStage, JudgeDocuments
from massivetext.pipelines.options import LOCAL_RUNNER
from massivetext.pipelines.stages import ExtractText

from massivetext.document import Document, WebPage


def judge_length(document: Document) -> Judgement:
    short = len(document.text) < 5
    return Judgement(not short, ("too_short",) if short else (), {"length": len(document.text)})


def judge_vowels(document: Document) -> Judgement:
    vowels = sum(document.text.count(v) for v in "aeiou")
    return Judgement(vowels > 0, () if vowels else ("no_vowels",), {"vowels": vowels})


def explode(document: Document) -> Judgement:
    if document.id == "bad":
        raise ValueError("a bug in a filter")
    return Judgement(True, (), {})


def test_judge_documents_reports_every_failed_rule_and_every_signal():
    documents = [Document(id="ok", text="a long enough text"), Document(id="x", text="xyz"),
                 Document(id="y", text="aaaaaa")]
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        output = (pipeline | beam.Create(documents)
                  | JudgeDocuments([FilterStage("test", lambda: [judge_length, judge_vowels])]))
        assert_that(output.kept | "Kept" >> beam.Map(lambda d: (d.id, d.signals)),
                    equal_to([("ok", {"length": 18, "vowels": 6}),
                              ("y", {"length": 6, "vowels": 6})]), label="kept")
        assert_that(output.removed | "Removed" >> beam.Map(
            lambda r: (r.stage, r.document.id, r.reasons, r.document.signals)),
            equal_to([("test", "x", ("too_short", "no_vowels"), {"length": 3, "vowels": 0})]),
            label="removed")


def test_consecutive_stages_each_count_their_own_outcomes():
    """A document the first stage removes never reaches the second; each stage's
    statistics are its own, as with one step per stage."""
    documents = [Document(id="ok", text="a long enough text"), Document(id="x", text="xyz"),
                 Document(id="y", text="qqqqqq")]
    stages = [FilterStage("length", lambda: [judge_length], ("length",)),
              FilterStage("vowels", lambda: [judge_vowels], ("vowels",))]
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        output = pipeline | beam.Create(documents) | JudgeDocuments(stages)
        assert_that(output.kept | "Kept" >> beam.Map(lambda d: (d.id, d.signals)),
                    equal_to([("ok", {"length": 18, "vowels": 6})]), label="kept")
        assert_that(output.removed | "Removed" >> beam.Map(
            lambda r: (r.stage, r.document.id, r.reasons, r.document.signals)),
            equal_to([("length", "x", ("too_short",), {"length": 3}),
                      ("vowels", "y", ("no_vowels",), {"length": 6, "vowels": 0})]),
            label="removed")
        counts = (output.stats
                  | "Key" >> beam.Map(lambda t: ((t[0], t[1]), t[2]))
                  | "Sum" >> beam.CombinePerKey(sum)
                  | "Counts" >> beam.Filter(lambda kv: kv[0][1] in ("kept", "removed")))
        assert_that(counts, equal_to([(("length", "kept"), 2), (("length", "removed"), 1),
                                      (("vowels", "kept"), 1), (("vowels", "removed"), 1)]),
                    label="stats")


def test_a_filter_exception_is_a_counted_failure_not_a_crash():
    documents = [Document(id="bad", text="t", source="f.jsonl", offset=3),
                 Document(id="good", text="t")]
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        output = (pipeline | beam.Create(documents)
                  | JudgeDocuments([FilterStage("test", lambda: [explode])]))
        assert_that(output.kept | "Kept" >> beam.Map(lambda d: d.id), equal_to(["good"]),
                    label="kept")
        assert_that(output.failed | "Failed" >> beam.Map(
            lambda f: (f.stage, f.error, f.source, f.offset)),
            equal_to([("test", "filter_exception", "f.jsonl", 3)]), label="failed")


def page(record_id: str, html: str) -> WebPage:
    return WebPage(url=f"http://example.com/{record_id}", record_id=record_id, date="2024",
                   source="crawl.warc.gz", offset=len(record_id), html=html, charset="utf-8",
                   charset_source="http-header")


def test_extract_text_keeps_pages_with_text_and_removes_empty_ones():
    article = "<html><body><article>" + "<p>The river runs past the old mill and the " \
        "bakery, and the people of the town walk there every evening.</p>" * 5 + \
        "</article></body></html>"
    pages = [page("<urn:uuid:1>", article), page("<urn:uuid:2>", "<html><body></body></html>")]
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        output = pipeline | beam.Create(pages) | ExtractText()
        assert_that(output.kept | "Kept" >> beam.Map(
            lambda d: (d.id, d.url, d.warc_record_id, "old mill" in d.text)),
            equal_to([("<urn:uuid:1>", "http://example.com/<urn:uuid:1>", "<urn:uuid:1>", True)]),
            label="kept")
        assert_that(output.removed | "Removed" >> beam.Map(lambda r: (r.document.id, r.reasons)),
                    equal_to([("<urn:uuid:2>", ("no_text",))]), label="removed")


def test_extract_text_counts_each_fallback_and_each_flattened_page():
    lines = "".join(f"<div>Weight {n} kg</div>" for n in range(9))
    deep = "<p>" + "The mill by the river grinds flour for the whole valley." * 2 + "</p>"
    pages = [page("<urn:uuid:1>", f"<html><body>{lines}</body></html>"),
             page("<urn:uuid:2>", "<html><body>" + "<font>" * 300 + deep + "</body></html>")]
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        output = pipeline | beam.Create(pages) | ExtractText()
        assert_that(output.kept | "Kept" >> beam.Map(lambda d: d.id),
                    equal_to(["<urn:uuid:1>", "<urn:uuid:2>"]), label="kept")
        assert_that(output.stats, equal_to([("extract", "fallback:largest_block", 1),
                                              ("extract", "deep_html_flattened", 1)]),
                    label="counts")


def test_content_filter_applies_the_blocklist_hook_and_the_english_filter():
    from massivetext.pipelines.curation import content_judges
    from massivetext.pipelines.options import parse

    options, _ = parse(["--input=x", "--output=y"])
    english = ("The people of the town walk along the river to the market, and they "
               "talk with the bakers about the weather and the harvest of the year.")
    documents = [Document(id="spam", text=english, url="https://ads.spam.example/a"),
                 Document(id="ok", text=english, url="https://news.example.org/b"),
                 Document(id="de", text="Die Leute gehen jeden Abend am Fluss entlang und "
                          "sprechen mit den Bäckern über das Wetter.", url="https://x.de/")]
    with TestPipeline(runner=LOCAL_RUNNER) as pipeline:
        output = pipeline | beam.Create(documents) | JudgeDocuments(
            [FilterStage("content", lambda: content_judges(options, "spam.example\n"))])
        assert_that(output.kept | "Kept" >> beam.Map(lambda d: d.id), equal_to(["ok"]),
                    label="kept")
        assert_that(output.removed | "Removed" >> beam.Map(lambda r: (r.document.id, r.reasons)),
                    equal_to([("spam", ("blocklisted_url",)), ("de", ("not_english",))]),
                    label="removed")
