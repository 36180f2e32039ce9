"""The sample's inputs for the text subsets: deterministic, in their real formats, and
read by the subset readers into what the sample says it planted."""

from collections import Counter
from pathlib import Path

from massivetext.corpus.config import CorpusConfig
from massivetext.readers.formats import read_input
from massivetext.sample.subsets import CONFIG_NAME, write_subset_samples


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_same_seed_same_files(tmp_path):
    write_subset_samples(str(tmp_path / "a"), "s.warc.gz", "s-testset.jsonl", seed=2)
    write_subset_samples(str(tmp_path / "b"), "s.warc.gz", "s-testset.jsonl", seed=2)
    write_subset_samples(str(tmp_path / "c"), "s.warc.gz", "s-testset.jsonl", seed=3)
    first = tree_bytes(tmp_path / "a")
    assert first == tree_bytes(tmp_path / "b")
    assert first != tree_bytes(tmp_path / "c")
    assert not [name for name in first if ".tmp" in name]


def test_readers_find_what_was_planted(tmp_path):
    contents = write_subset_samples(str(tmp_path), "s.warc.gz", "s-testset.jsonl")
    config = CorpusConfig.load(str(tmp_path / CONFIG_NAME))
    assert [subset.name for subset in config.subsets] == [
        "massiveweb", "wikipedia", "books", "c4", "news", "github"]
    outcomes = {}
    for subset in config.subsets[1:]:
        paths = sorted(str(p) for pattern in subset.inputs
                       for p in Path(pattern).parent.glob(Path(pattern).name))
        outcomes[subset.name] = Counter(
            getattr(o, "kind", None) or getattr(o, "error", None) or "document"
            for path in paths for o in read_input(path, subset.name))
    assert outcomes["wikipedia"] == {"document": contents["wikipedia"]["article"],
                                     "redirect": 1, "disambiguation": 1,
                                     "not_main_namespace": 1}
    assert outcomes["books"] == {"document": 4}
    assert outcomes["c4"] == {"document": contents["c4"]["document"], "invalid_json": 1}
    assert outcomes["news"] == {"document": contents["news"]["article"], "invalid_json": 1}
    github = dict(contents["github"])
    assert outcomes["github"] == {"document": github.pop("source_file"), **github}
