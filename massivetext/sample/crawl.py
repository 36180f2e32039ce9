"""The built-in synthetic sample corpus, written as a WARC file (``massivetext sample``).

The sample exercises every branch of the pipeline: mostly clean English articles, and
planted pages that fail each quality rule and each repetition measure, non-English
pages, exact and near duplicates at known similarities, copies of and quotes from its
own test set, records to skip and malformed records. Beside ``NAME.warc.gz`` it writes
``NAME-testset.jsonl`` (the sample's evaluation set) and ``NAME-manifest.json`` (every
record in order with the outcome it plants). The same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from massivetext.io.atomic import atomic_output
from massivetext.io.warc_writer import WarcWriter, warc_date
from massivetext.sample.pages import FAITHFUL_LAYOUTS, Site, make_sites, render_page
from massivetext.sample.plan import PageSpec, plan_pages
from massivetext.sample.records import MALFORMED_KINDS, SkipWriter, write_malformed
from massivetext.sample.related import test_document
from massivetext.sample.text import EnglishGrammar

DEFAULT_PAGES = 400  # small enough for `make run` to finish well within a minute
TEST_DOCS_MIN = 12
REQUEST_SHARE = 0.1  # responses preceded by their request record, as crawlers write
METADATA_SHARE = 0.08  # responses followed by a metadata record
CRAWL_START = datetime(2024, 3, 1, tzinfo=timezone.utc)


@dataclass
class SampleManifest:
    """The files written and every WARC record in file order (see the module doc)."""

    warc_path: str
    testset_path: str
    manifest_path: str
    seed: int
    pages: int
    records: list[dict] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(record["case"] for record in self.records)

    def to_json(self) -> str:
        document = {"warc": os.path.basename(self.warc_path),
                    "testset": os.path.basename(self.testset_path),
                    "seed": self.seed, "pages": self.pages,
                    "counts": dict(sorted(self.counts().items())), "records": self.records}
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def sidecar_paths(path: str) -> tuple[str, str]:
    """(test set path, manifest path) that belong to the WARC file ``path``."""
    stem = re.sub(r"\.warc(\.gz)?$", "", path)
    return f"{stem}-testset.jsonl", f"{stem}-manifest.json"


class _Crawl:
    """Deterministic record ids and dates, and the manifest being written."""

    def __init__(self, rng: random.Random, manifest: SampleManifest):
        self.rng, self.manifest, self.clock = rng, manifest, CRAWL_START

    def record_id(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}>"

    def date(self) -> str:
        self.clock += timedelta(seconds=self.rng.randint(1, 40))
        return warc_date(self.clock)

    def log(self, offset: int, warc_type: str, record_id: str | None, url: str, **case):
        self.manifest.records.append({"offset": offset, "warc_type": warc_type,
                                      "record_id": record_id, "url": url, **case})


def _slug(title: str, index: int) -> str:
    words = re.sub(r"[^\w\s]", "", title.lower()).split()[:8]
    return "-".join(words + [str(index)])


def write_sample(path: str, pages: int = DEFAULT_PAGES, seed: int = 0) -> SampleManifest:
    """Write the sample WARC of ``pages`` HTML pages, its test set and its manifest."""
    rng = random.Random(seed)
    testset_path, manifest_path = sidecar_paths(path)
    manifest = SampleManifest(path, testset_path, manifest_path, seed, pages)
    test_docs = [{"id": f"sample-test-{i:04d}", "text": test_document(EnglishGrammar(rng))}
                 for i in range(max(TEST_DOCS_MIN, pages // 10))]
    specs = plan_pages(rng, pages, test_docs)
    rng.shuffle(specs)
    sites = make_sites(rng, [EnglishGrammar(rng).title() for _ in range(32)])
    crawl = _Crawl(rng, manifest)
    for spec in specs:
        spec.record_id = crawl.record_id()
    site_of = _assign_sites(rng, specs, sites)
    # One of each malformed kind, spread through the file, each followed by good records.
    malformed_at = {(i + 1) * len(specs) // (len(MALFORMED_KINDS) + 1): kind
                    for i, kind in enumerate(MALFORMED_KINDS)}

    with atomic_output(path) as out:
        writer = WarcWriter(out)
        skips = SkipWriter(writer, crawl, pages)
        offset = writer.write_warcinfo(os.path.basename(path), {"description":
                                       "massivetext built-in synthetic sample", "seed": str(seed)},
                                       record_id=(info_id := crawl.record_id()), date=crawl.date())
        crawl.log(offset, "warcinfo", info_id, "", case="skip", kind="warcinfo")
        for index, spec in enumerate(specs):
            if index in malformed_at:
                write_malformed(writer, crawl, malformed_at[index], sites[0].url(f"broken-{index}"))
            site = site_of[id(spec)]
            url = site.url(_slug(spec.article.title, index))
            if rng.random() < REQUEST_SHARE:
                skips.request(url, spec.record_id)
            _write_page(writer, crawl, spec, site, url)
            if rng.random() < METADATA_SHARE:
                skips.metadata(url, spec.record_id)
            skips.maybe_other(index, url, spec.record_id)

    with atomic_output(testset_path) as out:
        out.write("".join(json.dumps(doc, ensure_ascii=False) + "\n"
                          for doc in test_docs).encode("utf-8"))
    with atomic_output(manifest_path) as out:
        out.write(manifest.to_json().encode("utf-8"))
    return manifest


def _assign_sites(rng: random.Random, specs: list[PageSpec], sites: list[Site]) -> dict:
    """The site serving each page (keyed by ``id(spec)``). Pages whose similarity is
    recorded use faithful layouts; a copy lives on another site than its base."""
    faithful_sites = [site for site in sites if site.layout in FAITHFUL_LAYOUTS]
    site_of = {id(spec): rng.choice(faithful_sites if spec.faithful else sites)
               for spec in specs}
    for spec in specs:
        if spec.related_to is not None:
            site_of[id(spec)] = rng.choice([site for site in faithful_sites
                                            if site is not site_of[id(spec.related_to)]])
    return site_of


def _write_page(writer: WarcWriter, crawl: _Crawl, spec: PageSpec, site: Site, url: str) -> None:
    """The page's response record, its charset declared where ``spec`` says, and its
    manifest entry."""
    in_meta = spec.charset == "utf-8" or spec.charset_declared == "meta"
    html = render_page(site, spec.article, lang=spec.lang, byline=spec.byline,
                       comments=spec.comments, body=spec.body,
                       meta_charset=spec.charset if in_meta else "")
    content_type = (f"text/html; charset={spec.charset}"
                    if spec.charset_declared == "http-header" else "text/html")
    offset = writer.write_response(url, html.encode(spec.charset), content_type=content_type,
                                   record_id=spec.record_id, date=crawl.date())
    case = dict(spec.case)
    if spec.related_to is not None:
        case["of"] = spec.related_to.record_id
    if spec.charset != "utf-8":
        case.update(charset=spec.charset, charset_declared=spec.charset_declared)
    crawl.log(offset, "response", spec.record_id, url, site=site.domain, **case)
