"""Verdicts per spill file: members by row, facts by file, records from the key tables."""

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines.document_store import SpillDocuments, StoreDocuments
from massivetext.pipelines.file_tables import FileMembers, JudgeFiles
from massivetext.pipelines.minhash_stages import pack_text, packed_shingles
from massivetext.pipelines.options import LOCAL_RUNNER

from massivetext.dedup.minhash import shingle_hashes
from massivetext.document import Document


def _judge(documents, facts):
    """Each member with the facts about it, and the facts about no member."""
    by_id = {}
    for document_id, value in facts["note"]:
        by_id.setdefault(document_id, []).append(value)
    for document in documents:
        yield document.id, sorted(by_id.pop(document.id, []))
    for document_id in by_id:
        yield beam.pvalue.TaggedOutput("unmatched", document_id)


def test_each_file_is_judged_with_its_members_and_their_facts(tmp_path, monkeypatch):
    monkeypatch.setattr(SpillDocuments, "size", 4)  # ten documents over three files
    store = str(tmp_path / "store")
    documents = [Document(id=f"d{n}", text=f"text {n}") for n in range(10)]
    pipeline = TestPipeline(runner=LOCAL_RUNNER)
    stored = pipeline | beam.Create(documents) | StoreDocuments(store)
    # Only the even documents are this stage's input.
    members = (stored | beam.Filter(lambda d: int(d.id[1:]) % 2 == 0)
               | FileMembers())
    notes = ((stored | "Notes" >> beam.FlatMap(lambda d: [
                 (d.file, (d.id, f"note {d.id}")), (d.file, (d.id, "second"))]
                 if d.id in ("d2", "d3") else []),
              pipeline | "Elsewhere" >> beam.Create([("no-such-file", ("x", "lost"))]))
             | beam.Flatten())
    judged = ({"members": members, "note": notes}
              | JudgeFiles(store, _judge, outputs=("unmatched",)))
    assert_that(judged.main, equal_to(
        [(f"d{n}", ["note d2", "second"] if n == 2 else []) for n in range(0, 10, 2)]),
        label="members")
    # d3 is not a member: its file is judged, its facts decide nothing.
    assert_that(judged.unmatched, equal_to(["d3"]), label="unmatched")
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_name(
        "facts_without_documents"))["counters"]
    assert sum(counter.committed for counter in counters) == 1  # the file with no members


def test_a_packed_text_gives_the_same_shingles_in_fewer_bytes():
    text = " ".join(f"Wörter {n % 50} und \ud800 mehr." for n in range(400))
    packed = pack_text(text)
    assert (packed_shingles(packed, 13) == shingle_hashes(text, 13)).all()
    assert len(packed) < shingle_hashes(text, 13).nbytes / 4
