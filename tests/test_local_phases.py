"""A local run's two phases: the crossing between them is read back whole, a missing part
of it fails the run, and the phased run writes what the one-pipeline job writes."""

from __future__ import annotations

import json
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to
from massivetext.pipelines import local_phases, massiveweb
from massivetext.pipelines.document_store import StoredDocument
from massivetext.pipelines.join_check import LostValuesError
from massivetext.pipelines.local_phases import (
    READ,
    WRITTEN,
    ReadCrossing,
    WriteCrossing,
    build_subsets,
    check_crossing,
    crossing_counts,
    crossing_directory,
)
from massivetext.pipelines.options import parse

from massivetext.cli.main import main
from massivetext.sample.crawl import write_sample

ONE_PROCESS = ["--runner=FnApiRunner", "--direct_running_mode=in_memory"]
# Elements of the kinds that cross: compact records, statistics, samples, input files.
ELEMENTS = {
    "documents": [StoredDocument((7, f"id-{n}", "file-a.arrow"), 100 + n, n, n % 2 == 0)
                  for n in range(8)],
    "stats": [{"stage": "read", "kept": 3, "signals": {"word_count": [1.5, 2.0]}}],
    "input_files": [("crawl/a.warc.gz", 1234), ("crawl/b.warc.gz", 0)],
}


def subset_options(output: Path, subset: str = "massiveweb"):
    return parse(["--input", "crawl.warc.gz", "--output", str(output),
                  "--subset", subset])[0]


def write_crossing(pipeline, options):
    crossing = {name: pipeline | f"Create {name}" >> beam.Create(elements)
                for name, elements in ELEMENTS.items()}
    _ = crossing | WriteCrossing(options)


def read_crossing(pipeline, options):
    read = pipeline | ReadCrossing(options, ELEMENTS)
    for name, elements in ELEMENTS.items():
        assert_that(read[name], equal_to(elements), label=f"Check {name}")


def write_then_read(subsets):
    """Both phases' pipelines over the crossings of ``subsets`` (each subset's options)."""
    with beam.Pipeline(options=PipelineOptions(ONE_PROCESS)) as pipeline:
        build_subsets(pipeline, write_crossing, subsets)
    written = crossing_counts(pipeline.result, WRITTEN)
    with beam.Pipeline(options=PipelineOptions(ONE_PROCESS)) as pipeline:
        build_subsets(pipeline, read_crossing, subsets)
    return written, pipeline.result


def crossing_files(options, name: str) -> list[Path]:
    return sorted(Path(crossing_directory(options)).glob(f"{name}-*.elements"))


def test_the_crossing_is_read_back_whole_from_several_files(tmp_path, monkeypatch):
    monkeypatch.setattr(local_phases._WriteFiles, "size", 3)  # 8 documents: 3 files
    options = subset_options(tmp_path)
    written, result = write_then_read([options])
    assert written == {"massiveweb documents": 8, "massiveweb stats": 1,
                       "massiveweb input_files": 2}
    assert crossing_counts(result, READ) == written
    assert len(crossing_files(options, "documents")) == 3
    check_crossing(written, result)


def test_each_subset_has_its_own_crossing_and_counts(tmp_path):
    subsets = [subset_options(tmp_path), subset_options(tmp_path, "c4")]
    written, result = write_then_read(subsets)
    assert written == {f"{subset} {name}": len(elements) for subset in ("massiveweb", "c4")
                       for name, elements in ELEMENTS.items()}
    check_crossing(written, result)
    assert all(crossing_files(options, "documents") for options in subsets)


def test_a_crossing_file_gone_missing_fails_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(local_phases._WriteFiles, "size", 3)
    options = subset_options(tmp_path)
    written, _ = write_then_read([options])
    crossing_files(options, "documents")[0].unlink()
    with beam.Pipeline(options=PipelineOptions(ONE_PROCESS)) as pipeline:
        _ = pipeline | ReadCrossing(options, ELEMENTS)
    with pytest.raises(LostValuesError, match=r"massiveweb documents: 8 written, 5 read"):
        check_crossing(written, pipeline.result)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.warc.gz"
    write_sample(str(path), pages=120, seed=3)
    return path


def output_files(directory: Path) -> dict[str, bytes]:
    """Every file a run wrote, but for run.json (times) and the output path in the
    parameters of the manifest and the statistics."""
    files = {str(path.relative_to(directory)): path.read_bytes()
             for path in directory.rglob("*") if path.is_file() and path.name != "run.json"}
    for name in ("manifest.json", "stats.json"):
        written = json.loads(files[name])
        written["parameters"].pop("output")
        files[name] = json.dumps(written, sort_keys=True).encode()
    return files


@pytest.mark.parametrize("mode", ["in_memory", "multi_processing"])
def test_a_phased_run_writes_what_the_one_pipeline_job_writes(sample, tmp_path, mode):
    testset = str(sample).replace(".warc.gz", "-testset.jsonl")
    arguments = ["--input", str(sample), "--test-sets", testset, "--runner=FnApiRunner",
                 f"--direct_running_mode={mode}", "--direct_num_workers=2"]
    assert main(["run", *arguments, "--output", str(tmp_path / "phased"), "--quiet"]) == 0
    massiveweb.run([*arguments, "--output", str(tmp_path / "one")])
    phased = output_files(tmp_path / "phased" / "massiveweb")
    one = output_files(tmp_path / "one" / "massiveweb")
    assert sorted(phased) == sorted(one)
    assert [name for name in phased if phased[name] != one[name]] == []
    assert not (tmp_path / "phased" / "massiveweb" / "_work").exists()
    steps = json.loads((tmp_path / "phased" / "massiveweb" / "run.json").read_text())
    assert {"Read WARC", "Write crossing", "Read crossing", "Write shards"} <= set(
        steps["step_msecs"])
