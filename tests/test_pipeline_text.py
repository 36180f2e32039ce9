"""End to end: the text-subset pipeline on real Beam (FnApiRunner), JSONL in, Arrow out."""

import gzip
import json
import random

import pyarrow as pa
import pytest
from massivetext.pipelines import text_corpus

from massivetext.cli.main import main as cli_main

WORDS = ("the of and to in that have with be research river mountain city people water "
         "history music science garden family school market language winter summer travel "
         "kitchen library engine museum ocean forest village harbour teacher bridge doctor "
         "painter farmer station valley island window letter journey weather bakery").split()
GERMAN = ("Die Stadt liegt an einem breiten Fluss und wird von vielen Menschen besucht, "
          "weil die alten Häuser und die Brücken sehr schön sind. Im Sommer sitzen die "
          "Leute in den Gärten und trinken Kaffee, während die Kinder am Ufer spielen. ") * 6


def english(rng: random.Random, words: int = 240) -> str:
    sentences, sentence = [], []
    for _ in range(words):
        sentence.append(rng.choice(WORDS))
        if len(sentence) >= rng.randint(8, 16):
            sentences.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    return " ".join(sentences + [" ".join(sentence)]).strip()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("corpus")
    base, copied = english(rng, 400), english(rng, 300)
    near = base.split()
    near[-8:] = ["replaced"] * 8  # a few changed words: Jaccard well above 0.8
    records = [{"id": f"doc-{i}", "text": english(rng)} for i in range(30)]
    records += [{"id": "base", "text": base}, {"id": "exact-copy", "text": base},
                {"id": "near-copy", "text": " ".join(near)},
                {"id": "german", "text": GERMAN}, {"id": "eval-leak", "text": copied}]
    lines = [json.dumps(record) for record in records] + ["{broken json", '{"id": "no-text"}']
    (root / "part-1.jsonl").write_text("\n".join(lines[:20]) + "\n")
    (root / "part-2.jsonl").write_text("\n".join(lines[20:]) + "\n")
    (root / "eval.jsonl").write_text(json.dumps({"id": "t1", "text": copied}) + "\n")
    return root


def run_pipeline(corpus, output, *extra, inputs="part-*.jsonl"):
    patterns = ",".join(str(corpus / pattern) for pattern in inputs.split(","))
    return cli_main(["run", "--subset", "news", "--input", patterns,
                     "--output", str(output), "--test-sets", str(corpus / "eval.jsonl"),
                     "--runner=FnApiRunner", *extra])


@pytest.fixture(scope="module")
def result(corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("out")
    assert run_pipeline(corpus, output) == 0
    return output / "news"


def stats_of(result):
    return json.loads((result / "stats.json").read_text())


def test_every_record_is_accounted_for(result):
    accounting = stats_of(result)["accounting"]
    # 30 distinct documents + one survivor of base/exact-copy/near-copy; removed: the
    # German page, two duplicates, the test-set leak; failed: two bad lines.
    assert accounting == {"input_records": 37, "kept": 31, "removed": 4, "skipped": 0,
                          "failed": 2, "balanced": True}


def test_each_stage_removes_what_was_planted_for_it(result):
    stages = {entry["stage"]: entry for entry in stats_of(result)["stages"]}
    assert list(stages) == ["read", "content", "exact_dedup", "near_dedup", "decontaminate",
                            "output"]
    assert stages["read"]["failed"] == {"invalid_json": 1, "missing_text": 1}
    assert stages["content"]["reasons"] == {"not_english": 1}
    assert stages["exact_dedup"]["reasons"] == {"exact_duplicate": 1}
    assert stages["near_dedup"]["reasons"] == {"near_duplicate": 1}
    assert stages["decontaminate"]["reasons"] == {"test_set_overlap": 1}

    removed = [json.loads(line) for path in sorted((result / "removed").glob("*.jsonl"))
               for line in path.read_text().splitlines()]
    by_id = {record["id"]: record for record in removed}
    assert by_id["german"]["signals"]["english_score"] < 0.5
    assert by_id["eval-leak"]["details"]["test_doc"] == "t1"
    survivors = {by_id[i]["details"]["survivor"] for i in by_id if i in ("exact-copy", "base")}
    assert len(survivors) == 1


def test_shards_load_with_pyarrow_and_hugging_face_datasets(result):
    manifest = json.loads((result / "manifest.json").read_text())
    paths = [result / shard["name"] for shard in manifest["shards"]]
    tables = [pa.ipc.open_file(str(path)).read_all() for path in paths]
    assert sum(table.num_rows for table in tables) == manifest["rows"] == 31
    ids = {row for table in tables for row in table.column("id").to_pylist()}
    assert "german" not in ids and "eval-leak" not in ids and len(ids) == 31
    assert "english_score" in tables[0].schema.names

    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset("arrow", data_files=[str(p) for p in paths], split="train",
                                   cache_dir=str(result.parent / "hf-cache"))
    assert len(loaded) == 31 and set(loaded["id"]) == ids


def test_a_rerun_gives_byte_identical_shards_and_can_keep_every_removed_document(
        corpus, result, tmp_path):
    # Overlapping patterns: each file is still read once. Run through the module's own
    # run(argv), which returns the Beam result, to read the Beam Metrics counters too.
    patterns = f"{corpus / 'part-*.jsonl'},{corpus / 'part-1.jsonl'}"
    beam_result = text_corpus.run([
        "--subset=news", f"--input={patterns}", f"--output={tmp_path}",
        f"--test-sets={corpus / 'eval.jsonl'}", "--runner=FnApiRunner", "--keep-removed=all"])
    assert stats_of(tmp_path / "news")["accounting"]["input_records"] == 37
    counters = {(c.key.metric.namespace, c.key.metric.name): c.committed
                for c in beam_result.metrics().query()["counters"]}
    assert counters[("massivetext.read", "records")] == 37
    assert counters[("massivetext.read", "failed.invalid_json")] == 1
    assert counters[("massivetext.content", "removed.not_english")] == 1
    assert counters[("massivetext.exact_dedup", "removed.exact_duplicate")] == 1
    assert counters[("massivetext.output", "kept")] == 31
    manifest = json.loads((result / "manifest.json").read_text())
    for shard in manifest["shards"]:
        assert (tmp_path / "news" / shard["name"]).read_bytes() == (
            result / shard["name"]).read_bytes()
    every_removed = [json.loads(line) for path in (tmp_path / "news" / "removed" / "all").glob(
        "part-*.jsonl.gz") for line in gzip.decompress(path.read_bytes()).splitlines()]
    sampled = {json.loads(line)["id"] for path in (result / "removed").glob("*.jsonl")
               for line in path.read_text().splitlines()}
    assert len(every_removed) == 4
    assert {record["id"] for record in every_removed} == sampled
    assert {"german", "eval-leak"} <= sampled


def test_news_from_a_warc_crawl_goes_through_extraction(tmp_path):
    from massivetext.sample.crawl import write_sample
    from massivetext.sample.plan import minimum_pages

    warc = tmp_path / "news-crawl.warc.gz"
    write_sample(str(warc), minimum_pages(), seed=3)
    assert cli_main(["run", "--subset", "news", "--input", str(warc),
                     "--output", str(tmp_path / "out"), "--runner=FnApiRunner"]) == 0
    stats = stats_of(tmp_path / "out" / "news")
    stages = [entry["stage"] for entry in stats["stages"]]
    assert stages[:3] == ["read", "extract", "content"] and "quality" not in stages
    assert stats["accounting"]["balanced"] and stats["accounting"]["kept"] > 0
    assert stats["stages"][0]["skipped"]  # WARC requests, metadata ... as for MassiveWeb
