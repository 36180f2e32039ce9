"""End to end on FnApiRunner: `massivetext corpus` over the sample's six subsets, from
their published formats to curated shards, a balanced account per subset, the
cross-subset dedup job, the summary and a mixture file that the sequence loader reads.
(One run for all the tests: each subset's pipeline is a few dozen Beam stages.)"""

import json

import pytest

from massivetext.io.spill import SPILL_DIRECTORY

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from massivetext.cli.main import main as cli_main
from massivetext.data.mixture import Mixture
from massivetext.sample.crawl import write_sample
from massivetext.sample.plan import minimum_pages
from massivetext.sample.subsets import CONFIG_NAME, write_subset_samples

SUBSETS = ("massiveweb", "wikipedia", "books", "c4", "news", "github")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    sample = tmp_path_factory.mktemp("sample")
    manifest = write_sample(str(sample / "sample.warc.gz"), minimum_pages(), seed=1)
    contents = write_subset_samples(str(sample), "sample.warc.gz",
                                    "sample-testset.jsonl", seed=1)
    output = tmp_path_factory.mktemp("corpus")
    code = cli_main(["corpus", "--config", str(sample / CONFIG_NAME), "--output", str(output),
                     "--cross-subset-dedup", "--runner=FnApiRunner"])
    return {"code": code, "output": output, "contents": contents, "manifest": manifest}


def stats(corpus, subset, directory=""):
    return json.loads((corpus["output"] / directory / subset / "stats.json").read_text())


def test_every_subset_is_curated_and_balanced(corpus):
    assert corpus["code"] == 0
    for subset in SUBSETS:
        accounting = stats(corpus, subset)["accounting"]
        assert accounting["balanced"], (subset, accounting)
        assert accounting["kept"] > 0, subset


def test_each_reader_counted_what_its_format_holds(corpus):
    contents = corpus["contents"]
    wiki = {entry["stage"]: entry for entry in stats(corpus, "wikipedia")["stages"]}["read"]
    assert wiki["skipped"] == {"redirect": 1, "disambiguation": 1, "not_main_namespace": 1}
    github = stats(corpus, "github")
    read = {entry["stage"]: entry for entry in github["stages"]}["read"]
    expected_skips = {kind: count for kind, count in contents["github"].items()
                      if kind != "source_file"}
    assert read["skipped"] == expected_skips
    # No English filter on code by default; the file copied into both repos is removed.
    assert github["accounting"]["kept"] == contents["github"]["source_file"] - 1
    for subset in ("c4", "news"):
        read = {entry["stage"]: entry for entry in stats(corpus, subset)["stages"]}["read"]
        assert read["failed"] == {"invalid_json": 1}
    books = stats(corpus, "books")["accounting"]
    assert (books["input_records"], books["kept"]) == (4, 3)  # a duplicate edition removed


def test_cross_subset_dedup_removes_the_story_c4_and_news_share(corpus):
    removed = {}
    for subset in SUBSETS:
        cross = stats(corpus, subset, "cross_subset")
        assert cross["accounting"]["balanced"]
        assert cross["accounting"]["input_records"] == stats(corpus, subset)["accounting"]["kept"]
        removed[subset] = cross["accounting"]["removed"]
    # The syndicated story is in both; one copy survives, in either subset.
    assert removed["c4"] + removed["news"] == 1
    assert sum(removed.values()) == 1
    # Every document store (each subset's, the cross-subset job's) is gone at the end.
    assert not list(corpus["output"].rglob(SPILL_DIRECTORY))


def test_summary_and_mixture(corpus):
    output = corpus["output"]
    summary = json.loads((output / "summary.json").read_text())
    rows = {entry["name"]: entry for entry in summary["subsets"]}
    assert set(rows) == set(SUBSETS)
    for name, entry in rows.items():
        manifest = json.loads((output / "cross_subset" / name / "manifest.json").read_text())
        assert (entry["documents"], entry["text_bytes"]) == (manifest["rows"],
                                                             manifest["text_bytes"])
        assert entry["table2"]["documents"] > 0 and entry["tokens"] is None
    assert summary["parameters"]["cross_subset_dedup"] is True
    mixture_file = output / "mixture.toml"
    assert set(tomllib.loads(mixture_file.read_text())["subsets"]) == set(SUBSETS)
    mixture = Mixture.load(str(mixture_file))
    assert sorted(mixture.names) == sorted(SUBSETS)
    probabilities = dict(zip(mixture.names, mixture.probabilities, strict=True))
    assert probabilities["massiveweb"] == pytest.approx(0.48)


def test_tokens_per_subset_with_a_tokenizer(corpus):
    from massivetext.corpus.summary import format_table, summarise
    from massivetext.io.shard_reader import CuratedSubset, open_shard
    from massivetext.tokenizer import TokenizerOptions, train_tokenizer

    output = corpus["output"]
    tokenizer, _ = train_tokenizer([str(output)], TokenizerOptions(vocab_size=600),
                                   dict.fromkeys(SUBSETS, 1.0))
    summaries = summarise({name: str(output / name) for name in SUBSETS}, {}, tokenizer)
    for summary in summaries:
        subset = CuratedSubset.open(summary.directory)
        texts = [text for shard in subset.shards
                 for _, text in open_shard(subset.shard_path(shard)).iter_texts()]
        assert summary.tokens == sum(len(tokenizer.encode(text)) for text in texts) > 0
    assert "Table 2" in format_table(summaries)


def test_a_mistyped_option_is_refused_before_anything_runs(tmp_path, capsys):
    config = tmp_path / "corpus.toml"
    config.write_text('[subsets.c4]\ninput = "c4-*.json.gz"\n')
    output = tmp_path / "out"
    code = cli_main(["corpus", "--config", str(config), "--output", str(output),
                     "--cross-subset-dedupe", "--runner=FnApiRunner"])
    assert code == 2
    assert "--cross-subset-dedupe (did you mean --cross-subset-dedup?)" in capsys.readouterr().err
    assert not output.exists()


def test_progress_goes_to_stderr_unless_quiet(tmp_path, capsys):
    crawl = tmp_path / "crawl.warc.gz"
    write_sample(str(crawl), minimum_pages(), seed=2)
    config = tmp_path / "corpus.toml"
    config.write_text(f'[subsets.massiveweb]\ninput = "{crawl}"\n')
    arguments = ["corpus", "--config", str(config), "--runner=FnApiRunner",
                 "--direct_running_mode=in_memory"]
    assert cli_main([*arguments, "--output", str(tmp_path / "loud")]) == 0
    captured = capsys.readouterr()
    assert "read 1/1 input files" in captured.err and "records/s" in captured.err
    assert "records/s" not in captured.out
    assert cli_main([*arguments, "--output", str(tmp_path / "quiet"), "--quiet"]) == 0
    assert "records/s" not in capsys.readouterr().err


def test_a_failed_pipeline_is_one_line_not_a_traceback(tmp_path, capsys):
    config = tmp_path / "corpus.toml"
    config.write_text('[corpus]\ntest_sets = ["missing-testset.jsonl"]\n'
                      '[subsets.c4]\ninput = "c4-*.json.gz"\n')
    code = cli_main(["corpus", "--config", str(config), "--output", str(tmp_path / "out"),
                     "--runner=FnApiRunner", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("massivetext corpus: the pipeline failed: ")
    assert "missing-testset.jsonl" in err and "Traceback" not in err
