"""Run one curation pipeline as ``massivetext run`` does and report its shape and shuffle.

``python -m benchmarks.pipeline_probe REPORT.json <massivetext run arguments>`` builds the
pipeline exactly as ``massivetext run`` does on a local runner (same options, the same
two phases of :mod:`massivetext.pipelines.local_phases`: the documents phase in a child
process, the global phase in this one) and runs each phase on Beam's local runner,
through a subclass that keeps the runner's fused stages. Written to REPORT.json, for
the two phases together:

- ``leaf_transforms``: transforms of the pipeline proto without subtransforms;
- ``fused_stages``: the stages the local runner executes after fusion;
- ``shuffled_bytes`` and ``shuffled_elements``: the encoded bytes and the elements that
  entered every GroupByKey of the fused graph (CoGroupByKeys, Reshuffles, Distincts and
  combines are GroupByKeys there; after combiner lifting, so a lifted combine counts
  only its per-bundle partial results). The bytes are counted exactly as the runner's
  grouping buffers receive them (encoded windowed key-value pairs, as a shuffle would
  carry them); the elements come from the runner's per-PCollection metrics;
- ``sampled_shuffled_bytes``: the same bytes as Beam's own metrics estimate them
  (``beam:metric:sampled_byte_size:v1``: the mean size of randomly sampled elements,
  weighted towards each bundle's first ones, times the element count), which is what a
  runner's UI shows; the estimate varies from run to run;
- ``shuffled_by_transform``: (name, elements, exact bytes, sampled bytes) per
  GroupByKey, largest first;
- ``baseline_rss``: this process's resident bytes once the global phase is built, before
  it runs (Beam's and our modules);
- ``stage_peaks``: per fused stage (by the name of its first transform), the largest
  resident size of its phase's process while one of its bundles ran (Linux's peak RSS, reset
  before each bundle): in one process (``in_memory``), where the peak of a run goes.

The benchmark (:mod:`benchmarks.bench_memory`) runs this as a child process, so the
peak memory it samples is that of one whole run.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import apache_beam as beam
from apache_beam.metrics import monitoring_infos
from apache_beam.runners.portability.fn_api_runner import FnApiRunner, execution
from apache_beam.runners.worker.bundle_processor import DATA_OUTPUT_URN
from massivetext.pipelines import worker_exit
from massivetext.pipelines.arrow_allocator import use_system_allocator
from massivetext.pipelines.collector import frozen_starting_heap
from massivetext.pipelines.local_phases import (
    build_documents_phase,
    build_global_phase,
    global_phase_options,
)
from massivetext.pipelines.options import add_arguments, curation_options, pipeline_options

# The runner turns each GroupByKey into a write to a grouping buffer and a read from it.
GROUPING_BUFFER = b"group:"
STATUS, CLEAR_REFS = Path("/proc/self/status"), Path("/proc/self/clear_refs")
RESET_PEAK_RSS = "5"  # written to clear_refs: the peak RSS (VmHWM) restarts from now
DOCUMENTS_PHASE = "--documents-phase"  # the first argument of the first phase's child


def resident_bytes(field: str = "VmRSS") -> int:
    """This process's resident size (``VmRSS``) or its peak since the last reset
    (``VmHWM``), in bytes."""
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def stage_label(name: str) -> str:
    """A fused stage's name, short: its first transform's top-level label."""
    first = name.lstrip("(").removeprefix("ref_AppliedPTransform_").split(")")[0]
    return re.sub(r"_\d+$", "", first).split("/")[0].replace("-", " ")[:48]


class _CountedGrouping:
    """Counts the encoded bytes each grouping buffer of the local runner receives, by
    buffer id (``group:<GroupByKey transform>``), while installed."""

    def __init__(self):
        self.bytes: dict[bytes, int] = {}

    def install(self) -> None:
        counted = self.bytes
        get_buffer = execution.BundleContextManager.get_buffer
        append = execution.GroupingBuffer.append

        def named_buffer(manager, buffer_id, transform_id):
            buffer = get_buffer(manager, buffer_id, transform_id)
            if isinstance(buffer, execution.GroupingBuffer):
                buffer.probe_buffer_id = buffer_id
            return buffer

        def counting_append(buffer, elements_data):
            name = getattr(buffer, "probe_buffer_id", None)
            counted[name] = counted.get(name, 0) + len(elements_data)
            return append(buffer, elements_data)

        execution.BundleContextManager.get_buffer = named_buffer
        execution.GroupingBuffer.append = counting_append


class StageKeepingRunner(FnApiRunner):
    """Beam's local runner, keeping the pipeline proto, the number of fused stages and
    the GroupByKey writes (read before the run, which rewrites them into data ports)."""

    def __init__(self):
        super().__init__()
        self.grouped = _CountedGrouping()
        self.grouped.install()
        self.stage_peaks = {}  # stage -> the largest peak RSS while one of its bundles ran

    def create_stages(self, pipeline_proto):
        context, stages = super().create_stages(pipeline_proto)
        self.pipeline_proto, self.stage_count = pipeline_proto, len(stages)
        self.grouping_inputs = [
            (transform.unique_name.removesuffix("/Write"), pcollection,
             transform.spec.payload)
            for stage in stages for transform in stage.transforms
            if transform.spec.urn == DATA_OUTPUT_URN
            and transform.spec.payload.startswith(GROUPING_BUFFER)
            for pcollection in transform.inputs.values()]
        return context, stages

    def _execute_bundle(self, runner_execution_context, bundle_context_manager, bundle_input):
        CLEAR_REFS.write_text(RESET_PEAK_RSS)
        result = super()._execute_bundle(runner_execution_context, bundle_context_manager,
                                         bundle_input)
        stage = stage_label(bundle_context_manager.stage.name)
        peak = resident_bytes("VmHWM")
        self.stage_peaks[stage] = max(self.stage_peaks.get(stage, 0), peak)
        return result


def leaf_transform_count(pipeline_proto) -> int:
    return sum(1 for transform in pipeline_proto.components.transforms.values()
               if not transform.subtransforms)


def pcollection_sizes(result) -> dict[str, tuple[int, float]]:
    """PCollection id -> (elements, estimated encoded bytes) from the runner's metrics."""
    counts, sampled = {}, {}
    for info in result.monitoring_infos():
        pcollection = info.labels.get(monitoring_infos.PCOLLECTION_LABEL)
        if pcollection is None:
            continue
        if info.urn == monitoring_infos.ELEMENT_COUNT_URN:
            value = monitoring_infos.extract_counter_value(info)
            counts[pcollection] = counts.get(pcollection, 0) + value
        elif info.urn == monitoring_infos.SAMPLED_BYTE_SIZE_URN:
            value = monitoring_infos.extract_distribution(info)
            total, samples = sampled.get(pcollection, (0, 0))
            sampled[pcollection] = (total + value[1], samples + value[0])
    sizes = {}
    for pcollection, elements in counts.items():
        total, samples = sampled.get(pcollection, (0, 0))
        sizes[pcollection] = (elements, elements * total / samples if samples else 0.0)
    return sizes


def shuffle_report(runner: StageKeepingRunner, result) -> dict:
    sizes = pcollection_sizes(result)
    by_transform = []
    for name, pcollection, buffer_id in runner.grouping_inputs:
        elements, sampled = sizes.get(pcollection, (0, 0.0))
        by_transform.append((name, elements, runner.grouped.bytes.get(buffer_id, 0),
                             round(sampled)))
    by_transform.sort(key=lambda entry: -entry[2])
    return {
        "leaf_transforms": leaf_transform_count(runner.pipeline_proto),
        "fused_stages": runner.stage_count,
        "group_by_keys": len(by_transform),
        "shuffled_elements": sum(entry[1] for entry in by_transform),
        "shuffled_bytes": sum(entry[2] for entry in by_transform),
        "sampled_shuffled_bytes": sum(entry[3] for entry in by_transform),
        "shuffled_by_transform": by_transform,
    }


def run_phase(build, options, beam_options) -> dict:
    """Build one phase with ``build`` and run it on a StageKeepingRunner -> its report."""
    runner = StageKeepingRunner()
    pipeline = beam.Pipeline(runner=runner, options=beam_options)
    build(pipeline, options)
    use_system_allocator()  # as massivetext run does for a local run
    worker_exit.mark_parent()  # so are its worker processes (they freeze their heap too)
    baseline = resident_bytes()
    with frozen_starting_heap():  # as massivetext run runs each phase
        result = pipeline.run()
        result.wait_until_finish()
    report = shuffle_report(runner, result)
    report["baseline_rss"] = baseline
    report["stage_peaks"] = runner.stage_peaks
    return report


def merged(first: dict, second: dict) -> dict:
    """The two phases' reports as one run's (counts added, largest shuffles first)."""
    report = {key: first[key] + second[key] for key in (
        "leaf_transforms", "fused_stages", "group_by_keys", "shuffled_elements",
        "shuffled_bytes", "sampled_shuffled_bytes")}
    report["shuffled_by_transform"] = sorted(
        first["shuffled_by_transform"] + second["shuffled_by_transform"],
        key=lambda entry: -entry[2])
    report["baseline_rss"] = second["baseline_rss"]
    # A stage label found in both phases keeps its larger peak, not the last one.
    peaks = {stage: max(first["stage_peaks"].get(stage, 0), second["stage_peaks"].get(stage, 0))
             for stage in {**first["stage_peaks"], **second["stage_peaks"]}}
    report["stage_peaks"] = sorted(peaks.items(), key=lambda entry: -entry[1])
    return report


def main(argv: list[str]) -> None:
    documents_phase = argv[0] == DOCUMENTS_PHASE
    report_path, *run_args = argv[documents_phase:]
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args, beam_args = parser.parse_known_args(run_args)
    options = curation_options(args)
    if documents_phase:  # the child process of the first phase, as massivetext run's
        report = run_phase(build_documents_phase, options, pipeline_options(beam_args))
    else:
        phase_report = f"{report_path}.documents"
        worker_exit.mark_parent()  # the child is started as massivetext run starts it
        subprocess.run([sys.executable, "-m", "benchmarks.pipeline_probe", DOCUMENTS_PHASE,
                        phase_report, *run_args], check=True)
        with open(phase_report, encoding="utf-8") as file:
            first = json.load(file)
        report = merged(first, run_phase(build_global_phase, options,
                                         global_phase_options(beam_args)))
    with open(report_path, "w", encoding="utf-8") as file:
        json.dump(report, file, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
