"""The corpus configuration file: paths, per-subset options as `massivetext run` options,
and clear errors."""

import pytest

from massivetext.corpus.config import ConfigError, CorpusConfig


def load(tmp_path, text):
    path = tmp_path / "corpus.toml"
    path.write_text(text)
    return CorpusConfig.load(str(path))


def test_paths_are_relative_to_the_file_and_options_become_arguments(tmp_path):
    config = load(tmp_path, """
[corpus]
test_sets = ["eval/lambada.jsonl"]
tokenizer = "tok.model"
seed = 3

[subsets.wikipedia]
input = ["dumps/a.xml.bz2", "gs://bucket/b.xml.bz2"]

[subsets.github]
input = "/data/repos"
weight = 5
test_sets = []
input-format = "code-tree"
language_filter = true
dedup = false
dedup-threshold = 0.7
""")
    wikipedia, github = config.subsets
    assert wikipedia.inputs == (str(tmp_path / "dumps/a.xml.bz2"), "gs://bucket/b.xml.bz2")
    assert wikipedia.test_sets == (str(tmp_path / "eval/lambada.jsonl"),)
    assert wikipedia.weight is None and github.weight == 5.0 and github.test_sets == ()
    assert config.tokenizer == str(tmp_path / "tok.model") and config.seed == 3
    assert not config.cross_subset_dedup
    assert github.run_arguments("OUT", 3) == [
        "--subset", "github", "--input", "/data/repos", "--output", "OUT", "--seed", "3",
        "--input-format", "code-tree", "--language-filter", "--no-dedup",
        "--dedup-threshold", "0.7"]


@pytest.mark.parametrize(("text", "message"), [
    ("[corpus]\nseed = 1\n", "no \\[subsets"),
    ("[subsets.c4]\nweight = 1\n", "needs an input"),
    ("[subsets.c4]\ninput = 'a'\nweight = -1\n", "weight must be a number > 0"),
    ("[subsets.c4]\ninput = 3\n", "expected a path"),
    ("[corpus]\ntokeniser = 'x'\n[subsets.c4]\ninput = 'a'\n", "unknown keys"),
    ("[subsets.c4\n", "corpus.toml"),
])
def test_errors_say_what_and_where(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, text)
