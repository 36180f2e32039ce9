"""The built-in sample corpus: deterministic, every planted case present and where the
manifest says, readable by a reference WARC reader, and planted outcomes that the
project's own extractor and filters reproduce."""

import gzip
import io
import json
import random
import zlib
from pathlib import Path

import pytest

from massivetext.cli.main import main as cli_main
from massivetext.sample.cases import QUALITY_CASES, REPETITION_CASES
from massivetext.sample.crawl import sidecar_paths, write_sample
from massivetext.sample.foreign import LANGUAGES
from massivetext.sample.records import MALFORMED_KINDS
from massivetext.sample.related import PASSAGE_MIN_WORDS
from massivetext.sample.text import EnglishGrammar, jaccard

PAGES = 80
SKIP_KINDS = {"request", "revisit", "response_non_html", "response_non_200", "warcinfo",
              "metadata"}
SIMILARITY_BUCKETS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "sample.warc.gz"
    manifest = write_sample(str(path), pages=PAGES, seed=3)
    return manifest, path.read_bytes()


def records_of(manifest, case):
    return [record for record in manifest.records if record["case"] == case]


def test_same_seed_same_bytes_other_seed_other_bytes(sample, tmp_path):
    manifest, data = sample
    # The file name is recorded in the warcinfo record, so the copy keeps it.
    again = write_sample(str(tmp_path / "sample.warc.gz"), pages=PAGES, seed=3)
    other = write_sample(str(tmp_path / "b.warc.gz"), pages=PAGES, seed=4)
    assert (tmp_path / "sample.warc.gz").read_bytes() == data
    for mine, theirs in zip(sidecar_paths(manifest.warc_path),
                            sidecar_paths(again.warc_path), strict=True):
        assert Path(mine).read_bytes() == Path(theirs).read_bytes()
    assert (tmp_path / "b.warc.gz").read_bytes() != data
    assert other.records[1]["record_id"] != manifest.records[1]["record_id"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # nothing temporary left
        "b-manifest.json", "b-testset.jsonl", "b.warc.gz",
        "sample-manifest.json", "sample-testset.jsonl", "sample.warc.gz"]


def test_every_planted_case_is_present(sample):
    manifest, _ = sample
    assert {r["rule"] for r in records_of(manifest, "quality")} == set(QUALITY_CASES)
    assert {r["rule"] for r in records_of(manifest, "repetition")} == set(REPETITION_CASES)
    assert len(REPETITION_CASES) == 13 and len(QUALITY_CASES) == 10
    assert {r["language"] for r in records_of(manifest, "non_english")} == set(LANGUAGES)
    assert {r["kind"] for r in records_of(manifest, "skip")} == SKIP_KINDS
    assert {r["error"] for r in records_of(manifest, "malformed")} == set(MALFORMED_KINDS)
    similarities = [r["jaccard"] for r in records_of(manifest, "near_duplicate")]
    for low, high in SIMILARITY_BUCKETS:
        assert any(low <= s < high for s in similarities), (low, high, similarities)
    assert 1.0 in similarities
    assert records_of(manifest, "exact_duplicate")
    assert all(r["jaccard"] > 0.8 for r in records_of(manifest, "test_set_copy"))
    passages = records_of(manifest, "test_set_passage")
    assert passages and all(r["passage_words"] >= PASSAGE_MIN_WORDS and r["jaccard"] < 0.2
                            for r in passages)
    declared = {r.get("charset_declared") for r in records_of(manifest, "clean")
                if r.get("charset") == "windows-1252"}
    assert declared == {"http-header", "meta", "none"}
    assert [r["error"] for r in records_of(manifest, "extraction_error")] == ["html_too_deep"]
    skips = {(r["kind"], r.get("content_type"), r.get("status"))
             for r in records_of(manifest, "skip")}
    assert {("response_non_html", "image/png", 200), ("response_non_html", "application/pdf", 200),
            ("response_non_200", "text/html", 404), ("response_non_200", "text/html", 301)} <= skips
    pages = [r for r in manifest.records if r["warc_type"] == "response"
             and r["case"] not in ("skip", "malformed")]
    assert len(pages) == PAGES
    assert len(records_of(manifest, "clean")) > PAGES // 3  # mostly clean, as the web is not


def test_manifest_lists_every_gzip_member_in_order(sample):
    manifest, data = sample
    offsets = [r["offset"] for r in manifest.records]
    assert offsets[0] == 0 and offsets == sorted(set(offsets))
    # Walk the members of the file: each starts exactly at the next manifest offset.
    members, position = [], 0
    while position < len(data):
        members.append(position)
        record = next(r for r in manifest.records if r["offset"] == position)
        if record.get("error") == "truncated_gzip":
            position += record["length"]
            continue
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        decompressor.decompress(data[position:])
        position = len(data) - len(decompressor.unused_data)
    assert members == offsets
    on_disk = json.loads(Path(sidecar_paths(manifest.warc_path)[1]).read_text())
    assert on_disk["records"] == manifest.records and on_disk["pages"] == PAGES


def test_round_trip_through_warcio(sample):
    archive = pytest.importorskip("warcio.archiveiterator", reason="warcio is a dev extra")
    manifest, data = sample
    for record in manifest.records:
        if record["case"] == "malformed":
            continue
        parsed = next(iter(archive.ArchiveIterator(io.BytesIO(data[record["offset"]:]))))
        assert parsed.rec_type == record["warc_type"]
        assert parsed.rec_headers.get_header("WARC-Record-ID") == record["record_id"]
        if record["url"]:
            assert parsed.rec_headers.get_header("WARC-Target-URI") == record["url"]
        if record["warc_type"] == "response" and record["case"] != "skip":
            html = parsed.content_stream().read().decode(record.get("charset", "utf-8"))
            assert html.startswith("<!DOCTYPE html>") and "</html>" in html
            header = parsed.http_headers.get_header("Content-Type")
            declared = record.get("charset_declared", "http-header")
            assert ("charset=" in header) == (declared == "http-header")
            in_meta = "charset" not in record or declared == "meta"  # utf-8 pages: both
            assert (f'<meta charset="{record.get("charset", "utf-8")}">' in html) == in_meta


def test_malformed_records_are_where_the_manifest_says(sample):
    archive = pytest.importorskip("warcio.archiveiterator", reason="warcio is a dev extra")
    manifest, data = sample
    for index, record in enumerate(manifest.records):
        if record["case"] != "malformed":
            continue
        member = data[record["offset"]:record["offset"] + record["length"]]
        if record["error"] == "truncated_gzip":
            with pytest.raises(EOFError):
                gzip.decompress(member)
        else:
            block = gzip.decompress(member)
            head, _, rest = block.partition(b"\r\n\r\n")
            length = [line for line in head.split(b"\r\n") if line.startswith(b"Content-Length:")]
            if record["error"] == "bad_warc_header":
                assert b"this line is not a header field" in head
                assert not length[0].split(b":")[1].strip().isdigit()
            else:
                assert int(length[0].split(b":")[1]) > len(rest)
        following = manifest.records[index + 1]  # a good record comes next: resync point
        assert following["case"] != "malformed"
        parsed = next(iter(archive.ArchiveIterator(io.BytesIO(data[following["offset"]:]))))
        assert parsed.rec_headers.get_header("WARC-Record-ID") == following["record_id"]


def test_test_set_file(sample):
    manifest, _ = sample
    docs = [json.loads(line) for line in Path(manifest.testset_path).read_text().splitlines()]
    assert len(docs) >= 12 and len({d["id"] for d in docs}) == len(docs)
    assert all(150 <= len(d["text"].split()) <= 600 for d in docs)
    cited = {r["test_doc"] for r in manifest.records if "test_doc" in r}
    assert cited <= {d["id"] for d in docs}


def test_independent_articles_share_no_shingles():
    rng = random.Random(11)
    texts = [EnglishGrammar(rng).article().plain_text() for _ in range(8)]
    assert max(jaccard(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]) < 0.01
    assert jaccard(texts[0], texts[0]) == 1.0


def test_command_line(tmp_path, capsys):
    output = tmp_path / "out" / "s.warc.gz"
    assert cli_main(["sample", "--output", str(output), "--pages", "60", "--seed", "1"]) == 0
    assert output.exists() and (tmp_path / "out" / "s-testset.jsonl").exists()
    assert "near_duplicate" in capsys.readouterr().out
    assert cli_main(["sample", "--output", str(tmp_path / "t.warc.gz"), "--pages", "5"]) == 2
    assert "at least" in capsys.readouterr().out and not (tmp_path / "t.warc.gz").exists()


def _pages_via_warcio(manifest, data):
    """(manifest record, decoded HTML) of every page, read with the reference reader."""
    archive = pytest.importorskip("warcio.archiveiterator", reason="warcio is a dev extra")
    for record in manifest.records:
        if record["warc_type"] == "response" and record["case"] not in ("skip", "malformed"):
            parsed = next(iter(archive.ArchiveIterator(io.BytesIO(data[record["offset"]:]))))
            yield record, parsed.content_stream().read().decode(record.get("charset", "utf-8"))


def test_planted_outcomes_hold_on_extracted_text(sample):
    extraction = pytest.importorskip("massivetext.extract.extractor")
    quality = pytest.importorskip("massivetext.filters.quality")
    repetition = pytest.importorskip("massivetext.filters.repetition")
    language = pytest.importorskip("massivetext.filters.language")
    minhash = pytest.importorskip("massivetext.dedup.minhash")
    manifest, data = sample
    judges = (quality.QualityFilter(), repetition.RepetitionFilter(), language.EnglishFilter())
    texts = {}
    for record, html in _pages_via_warcio(manifest, data):
        if record["case"] == "extraction_error":
            with pytest.raises(extraction.ExtractionError) as error:
                extraction.extract_text(html, record["url"])
            assert error.value.error == record["error"]
            continue
        text = extraction.extract_text(html, record["url"])
        texts[record["record_id"]] = text
        reasons = [reason for judge in judges for reason in judge.judge(text).reasons]
        if record["case"] in ("quality", "repetition"):
            assert record["rule"] in reasons, (record, reasons, text[:300])
        elif record["case"] == "non_english":
            assert "not_english" in reasons, (record, text[:300])
        else:  # clean pages, and copies whose fate is decided only by deduplication
            assert reasons == [], (record, reasons, text[:300])

    def similarity(a: str, b: str) -> float:
        return minhash.exact_jaccard(minhash.shingle_hashes(a), minhash.shingle_hashes(b))

    for record in records_of(manifest, "exact_duplicate"):
        assert texts[record["record_id"]] == texts[record["of"]]
    for record in records_of(manifest, "near_duplicate"):
        assert texts[record["record_id"]] != texts[record["of"]]
        assert similarity(texts[record["record_id"]], texts[record["of"]]) == pytest.approx(
            record["jaccard"], abs=1e-4)
    tests = {d["id"]: d["text"] for d in map(json.loads, open(manifest.testset_path))}
    for record in records_of(manifest, "test_set_copy") + records_of(manifest, "test_set_passage"):
        assert similarity(texts[record["record_id"]], tests[record["test_doc"]]) == pytest.approx(
            record["jaccard"], abs=1e-4)


def test_project_reader_accounts_for_every_record(sample):
    warc = pytest.importorskip("massivetext.io.warc")
    document = pytest.importorskip("massivetext.document")
    manifest, _ = sample
    outcomes = list(warc.read_warc(manifest.warc_path))
    pages = {o.record_id for o in outcomes if isinstance(o, document.WebPage)}
    assert pages == {r["record_id"] for r in manifest.records
                     if r["warc_type"] == "response" and r["case"] not in ("skip", "malformed")}
    skipped = {o.offset: o.kind for o in outcomes if isinstance(o, document.Skipped)}
    assert skipped == {r["offset"]: r["kind"] for r in records_of(manifest, "skip")}
    failed = {o.offset for o in outcomes if isinstance(o, document.Failed)}
    assert failed == {r["offset"] for r in records_of(manifest, "malformed")}
    charsets = {o.record_id: o.charset_source for o in outcomes
                if isinstance(o, document.WebPage)}
    for record in records_of(manifest, "clean"):
        if record.get("charset") == "windows-1252":
            expected = {"none": "detected"}.get(record["charset_declared"],
                                                record["charset_declared"])
            assert charsets[record["record_id"]] == expected


@pytest.mark.parametrize("rule", sorted(set(QUALITY_CASES) - {"word_count_high"}
                                        | set(REPETITION_CASES)))
def test_each_planted_page_fails_its_rule_for_any_seed_and_layout(rule):
    """Three seeds, each page served in a different site layout, through the extractor."""
    extraction = pytest.importorskip("massivetext.extract.extractor")
    quality = pytest.importorskip("massivetext.filters.quality")
    repetition = pytest.importorskip("massivetext.filters.repetition")
    from massivetext.sample.pages import make_sites, render_page

    judge = (quality.QualityFilter() if rule in QUALITY_CASES else repetition.RepetitionFilter())
    build = QUALITY_CASES.get(rule) or REPETITION_CASES[rule]
    rng = random.Random(rule)
    sites = make_sites(rng, ["Related story"] * 32)
    for seed in range(3):
        article = build(EnglishGrammar(random.Random(seed)))
        html = render_page(rng.choice(sites), article)
        text = extraction.extract_text(html)
        assert rule in judge.judge(text).reasons, (seed, text[:300])
        assert rule in judge.judge(article.plain_text()).reasons
