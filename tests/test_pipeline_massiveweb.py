"""End to end: the MassiveWeb pipeline on the built-in sample, on real Beam.

The sample's manifest says what every record plants (a quality rule, a repetition
measure, a duplicate at a known Jaccard, a test-set copy, a skip, a malformed record);
these tests check that the pipeline does to each exactly what the paper's rules say.
"""

import json
from collections import defaultdict

import pyarrow as pa
import pytest

from massivetext.cli.main import main as cli_main
from massivetext.sample.crawl import write_sample
from massivetext.sample.expectations import meant_to_stay

SAMPLE_PAGES = 160


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    manifest = write_sample(str(root / "sample.warc.gz"), pages=SAMPLE_PAGES, seed=3)
    return root, json.loads((root / "sample-manifest.json").read_text()), manifest


def run(sample_root, output, *extra):
    return cli_main(["run", "--input", str(sample_root / "sample.warc.gz"), "--output",
                     str(output), "--test-sets", str(sample_root / "sample-testset.jsonl"),
                     "--runner=FnApiRunner", *extra])


@pytest.fixture(scope="module")
def result(sample, tmp_path_factory):
    output = tmp_path_factory.mktemp("curated")
    assert run(sample[0], output) == 0
    return output / "massiveweb"


def removed_by_file(result) -> dict[str, dict[str, dict]]:
    removed = defaultdict(dict)
    for path in (result / "removed").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            removed[path.stem][record["id"]] = record
    return removed


def kept_ids(result) -> set[str]:
    manifest = json.loads((result / "manifest.json").read_text())
    return {document_id for shard in manifest["shards"]
            for document_id in pa.ipc.open_file(str(result / shard["name"])).read_all()
            .column("id").to_pylist()}


def test_every_record_of_the_sample_is_accounted_for(sample, result):
    stats = json.loads((result / "stats.json").read_text())
    assert stats["accounting"]["balanced"]
    assert stats["accounting"]["input_records"] == len(sample[1]["records"])
    read = stats["stages"][0]
    planted_skips = defaultdict(int)
    for record in sample[1]["records"]:
        if record["case"] == "skip":
            planted_skips[record["kind"]] += 1
    assert read["skipped"] == planted_skips
    assert sum(read["failed"].values()) >= 1  # the planted malformed records


def test_each_planted_filter_case_is_removed_for_its_rule(sample, result):
    removed = removed_by_file(result)
    for record in sample[1]["records"]:
        if record["case"] in ("quality", "repetition"):
            assert record["record_id"] in removed[f"{record['case']}.{record['rule']}"], record
        elif record["case"] == "non_english":
            assert record["record_id"] in removed["content.not_english"], record
        elif record["case"] == "test_set_copy":
            match = removed["decontaminate.test_set_overlap"][record["record_id"]]
            assert match["details"]["test_doc"] == record["test_doc"]


def test_duplicates_above_the_threshold_lose_one_member_and_those_below_keep_both(
        sample, result):
    removed = removed_by_file(result)
    exact = removed["exact_dedup.exact_duplicate"]
    near = removed["near_dedup.near_duplicate"]
    kept = kept_ids(result)
    for record in sample[1]["records"]:
        pair = {record["record_id"], record.get("of")}
        if record["case"] == "exact_duplicate":
            assert len(pair & set(exact)) == 1, record
        elif record["case"] == "near_duplicate" and record["jaccard"] > 0.8:
            assert len(pair & set(near)) == 1, record
            survivor = near[(pair & set(near)).pop()]["details"]["survivor"]
            assert survivor in pair
        elif record["case"] == "near_duplicate":
            assert not pair & set(near), record
            assert pair <= kept, record


def test_the_cases_the_sample_says_stay_do_stay(sample, result, capsys):
    # issue 9, item 14: `massivetext sample` says which planted cases are meant to stay.
    stay = meant_to_stay(sample[1]["records"])
    assert len(stay["near_duplicate"]) >= 1 and len(stay["test_set_passage"]) >= 1
    kept = kept_ids(result)
    for records in stay.values():
        for record in records:
            assert record["record_id"] in kept, record
    assert cli_main(["sample", "--explain", str(sample[0] / "sample-manifest.json")]) == 0
    out = capsys.readouterr().out
    near = len(stay["near_duplicate"])
    assert f"{near} at " in out and "meant to stay (below the threshold)" in out
    assert "ngram-overlap removes them" in out


def test_clean_pages_reach_the_output(sample, result):
    removed = removed_by_file(result)
    filtered = {document_id for name, records in removed.items()
                if not name.startswith(("exact_dedup", "near_dedup")) for document_id in records}
    clean = {r["record_id"] for r in sample[1]["records"] if r["case"] == "clean"}
    assert not clean & filtered
    assert len(clean & kept_ids(result)) >= 0.9 * len(clean)


def test_multiprocess_rerun_gives_byte_identical_output(sample, result, tmp_path):
    assert run(sample[0], tmp_path, "--direct_running_mode=multi_processing",
               "--direct_num_workers=2") == 0
    names = sorted(path.name for path in result.glob("*.arrow"))
    assert names == sorted(path.name for path in (tmp_path / "massiveweb").glob("*.arrow"))
    for name in names:
        assert (tmp_path / "massiveweb" / name).read_bytes() == (result / name).read_bytes()


def test_ngram_overlap_mode_also_removes_pages_quoting_a_passage(sample, tmp_path):
    assert run(sample[0], tmp_path, "--decontam-mode=ngram-overlap", "--no-dedup") == 0
    removed = removed_by_file(tmp_path / "massiveweb")["decontaminate.test_set_overlap"]
    for record in sample[1]["records"]:
        if record["case"] in ("test_set_copy", "test_set_passage"):
            assert removed[record["record_id"]]["details"]["test_doc"] == record["test_doc"]
