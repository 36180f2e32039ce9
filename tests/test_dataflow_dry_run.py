"""The whole pipeline builds as a Dataflow job, offline and without credentials, and
the package Beam stages for the workers installs and imports."""

import io
import tarfile

import apache_beam as beam
import pytest
from apache_beam.runners.portability.stager import Stager
from massivetext.pipelines import massiveweb, text_corpus
from massivetext.pipelines.options import parse

from massivetext.cli.main import main
from tests.install_env import copy_source, fresh_environment, pip_install, run_isolated

pytest.importorskip("apache_beam.runners.dataflow.internal.apiclient",
                    reason="apache-beam[gcp] is not installed")

DATAFLOW_ARGS = [
    "--runner=DataflowRunner", "--project=massivetext-test", "--region=us-central1",
    "--temp_location=gs://massivetext-test/tmp", "--staging_location=gs://massivetext-test/stg",
    "--job_name=massivetext-dry-run", "--no_auth", "--dry_run=True",
    "--sdk_location=container",
]


def build_job(module, extra_args):
    options, pipeline_options = parse([
        "--input=gs://massivetext-test/crawl/*.warc.gz", "--output=gs://massivetext-test/out",
        "--test-sets=gs://massivetext-test/eval/wiki.test.tokens", *extra_args, *DATAFLOW_ARGS])
    pipeline = beam.Pipeline(options=pipeline_options)
    module.build(pipeline, options)
    result = pipeline.run()
    return result.job, pipeline_options



def test_massiveweb_builds_a_complete_dataflow_job():
    job, pipeline_options = build_job(massiveweb, [])
    names = " ".join(t.unique_name for t in job.proto_pipeline.components.transforms.values())
    for stage in ("Read WARC", "Extract text", "Content, quality and repetition filters",
                  "Exact dedup", "Near dedup", "Decontaminate",
                  "Write shards", "Write stats"):
        assert stage in names, stage
    # Workers install the project through its setup.py.
    setup_file = pipeline_options.view_as(
        beam.options.pipeline_options.SetupOptions).setup_file
    assert setup_file.endswith("setup.py")


# Dataflow refuses a job whose description is over 10 MB.
DATAFLOW_JOB_LIMIT_BYTES = 10 * 1024 * 1024


def describe(job, pipeline_options) -> dict[str, bytes]:
    """Build the job description Dataflow would receive, as Beam does before submitting
    it, with only the upload to Cloud Storage replaced: returns the staged files."""
    from apache_beam.runners.dataflow.internal import apiclient

    staged: dict[str, bytes] = {}

    class LocalStaging(apiclient.DataflowApplicationClient):
        def stage_file(self, location, file_name, stream, mime_type=None, total_size=None):
            staged[file_name] = stream.read()

    LocalStaging(pipeline_options, job.root_staging_location).create_job_description(job)
    return staged


def test_the_dry_run_job_description_is_complete_and_under_dataflows_limit():
    job, pipeline_options = build_job(massiveweb, [])
    assert not job.proto.environment.worker_pools  # --dry_run alone builds no environment
    staged = describe(job, pipeline_options)
    environment = job.proto.environment
    packages = {package.name for pool in environment.worker_pools for package in pool.packages}
    assert {"workflow.tar.gz", "pipeline.pb"} <= packages | set(staged)
    # The staged setup file: an sdist of this project with the three packages.
    with tarfile.open(fileobj=io.BytesIO(staged["workflow.tar.gz"])) as sdist:
        names = sdist.getnames()
    assert any(name.endswith("/setup.py") for name in names)
    for module in ("massivetext/io/warc.py", "filters/quality.py", "pipelines/massiveweb.py"):
        assert any(name.endswith(module) for name in names), module
    # Steps: the portable pipeline that is staged, and its size under the limit.
    assert len(staged["pipeline.pb"]) == len(job.proto_pipeline.SerializeToString())
    names = " ".join(t.unique_name for t in job.proto_pipeline.components.transforms.values())
    assert "Write shards" in names and "Near dedup" in names
    assert len(staged["pipeline.pb"]) < DATAFLOW_JOB_LIMIT_BYTES
    assert len(job.json()) < DATAFLOW_JOB_LIMIT_BYTES
    assert "use_runner_v2" in list(environment.experiments)


def test_a_dry_run_from_the_command_line_says_what_it_built_and_exits_0(capsys):
    code = main(["run", "--input=gs://massivetext-test/crawl/*.warc.gz",
                 "--output=gs://massivetext-test/out", *DATAFLOW_ARGS])
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("massiveweb: dry run: built ")
    assert "transforms" in out and "nothing was submitted" in out


def test_text_corpus_builds_a_complete_dataflow_job():
    # Books as published (the text subsets read WARC input through extraction).
    job, _ = build_job(text_corpus, ["--subset=books",
                                     "--input=gs://massivetext-test/books/*.txt.gz"])
    names = " ".join(t.unique_name for t in job.proto_pipeline.components.transforms.values())
    for stage in ("Read documents", "Content filter", "Near dedup", "Write shards"):
        assert stage in names, stage
    assert "Extract text" not in names


_WORKER_IMPORTS = """
import sys
import massivetext.filters.quality, massivetext.pipelines.massiveweb, massivetext.io.warc
for module in (massivetext.filters.quality, massivetext.pipelines.massiveweb):
    assert module.__file__.startswith(sys.prefix), module.__file__
print("ok")
"""


def test_workers_install_the_package_that_beam_stages_from_setup_py(tmp_path):
    """What Dataflow does with --setup_file: Beam's own stager builds the package from
    setup.py; a worker pip-installs it; both top-level folders import under the
    massivetext namespace (setup.py's package_dir)."""
    source = copy_source(tmp_path / "source")
    _, pipeline_options = parse(["--input=x", "--output=y", *DATAFLOW_ARGS,
                                 f"--setup_file={source / 'setup.py'}"])
    staging = tmp_path / "staging"
    staging.mkdir()
    Stager.create_job_resources(pipeline_options, str(staging),
                                log_submission_env_dependencies=False)
    (package,) = staging.glob("massivetext-*.tar.gz")
    members = tarfile.open(package).getnames()
    assert any(name.endswith("/filters/quality.py") for name in members)
    assert any(name.endswith("/pipelines/massiveweb.py") for name in members)
    python = fresh_environment(tmp_path / "worker")
    pip_install(python, str(package))
    result = run_isolated([str(python), "-c", _WORKER_IMPORTS], cwd=tmp_path)
    assert result.stdout.strip() == "ok", result.stderr[-2000:]
