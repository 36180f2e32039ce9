"""Command-line options of the curation pipelines.

Our options are parsed here; everything else is handed to Beam's ``PipelineOptions``
(``--runner``, ``--project``, ``--direct_num_workers`` ...). Every filter threshold is
an option generated from the filter's dataclass fields
(:mod:`massivetext.cli.filter_options`), so the paper's defaults are written once, in
``filters/``; which filters a run has is read from :class:`CurationOptions`' fields.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions, StandardOptions
from massivetext.filters.base import is_filter_class
from massivetext.filters.language import EnglishFilter
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter

from massivetext.cli.filter_options import add_filter_arguments, filters_from_args
from massivetext.dedup.lsh import DEFAULT_THRESHOLD
from massivetext.dedup.minhash import DEFAULT_NUM_PERM
from massivetext.io.shard_writers import DEFAULT_OUTPUT_FORMAT, SHARD_WRITERS
from massivetext.readers.formats import INPUT_FORMATS

PROJECT_SETUP_FILE = Path(__file__).resolve().parents[1] / "setup.py"
# Beam's portable local runner, the engine under DirectRunner. Named directly because
# DirectRunner in current Beam first tries to download the Prism runner binary from the
# network and only falls back to this one when that fails.
LOCAL_RUNNER = "FnApiRunner"
SUBSETS = ("massiveweb", "books", "news", "c4", "github", "wikipedia")
DECONTAM_MODES = ("jaccard", "ngram-overlap")
# docs/paper.md: the paper is silent; language detection on source code is meaningless.
UNFILTERED_LANGUAGE_SUBSETS = ("github",)


@dataclass(frozen=True)
class CurationOptions:
    """Everything a curation run needs besides the Beam runner options."""

    inputs: tuple[str, ...]
    output: str
    subset: str = "massiveweb"
    input_format: str = "auto"
    extractor: str = "tree"
    blocklist: str | None = None
    language_filter: bool = True
    english: EnglishFilter = field(default_factory=EnglishFilter)
    quality: QualityFilter = field(default_factory=QualityFilter)
    repetition: RepetitionFilter = field(default_factory=RepetitionFilter)
    dedup: bool = True
    dedup_threshold: float = DEFAULT_THRESHOLD
    num_perm: int = DEFAULT_NUM_PERM
    seed: int = 0
    test_sets: tuple[str, ...] = ()
    decontam_mode: str = "jaccard"
    num_shards: int = 0
    keep_removed: str = "sample"
    output_format: str = DEFAULT_OUTPUT_FORMAT

    @property
    def subset_dir(self) -> str:
        return f"{self.output.rstrip('/')}/{self.subset}"

    def parameters(self) -> dict:
        """A JSON-ready record of the run's parameters for manifest.json and stats.json."""
        return json_ready(dataclasses.asdict(self))


def json_ready(value):
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


def _filter_fields() -> tuple[dataclasses.Field, ...]:
    """The fields of CurationOptions that hold a document filter, in stage order."""
    return tuple(option for option in dataclasses.fields(CurationOptions)
                 if is_filter_class(option.default_factory))


# Every filter of a run, in stage order: also the order of the shards' signal columns.
FILTER_CLASSES = tuple(option.default_factory for option in _filter_fields())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, metavar="GLOBS",
                        help="comma-separated globs of input files (local, gs://, s3:// ...)")
    parser.add_argument("--output", required=True, metavar="DIR", help="output directory")
    parser.add_argument("--subset", choices=SUBSETS, default="massiveweb",
                        help="MassiveText subset: massiveweb reads WARC, the others text")
    parser.add_argument("--input-format", choices=INPUT_FORMATS, default="auto",
                        help="reader of the text subsets' inputs (auto: by file name and "
                             "subset; see massivetext.readers.formats)")
    parser.add_argument("--extractor", default="tree", metavar="NAME",
                        help="text extractor: tree (ours, the paper's method), tree-with-title "
                             "(the page's main heading first), or trafilatura")
    parser.add_argument("--blocklist", metavar="FILE",
                        help="URL/domain blocklist file for the content filter")
    parser.add_argument("--no-language-filter", dest="language_filter", action="store_false",
                        default=None, help="keep documents in every language")
    parser.add_argument("--language-filter", dest="language_filter", action="store_true",
                        help="keep English documents only: the default, except for github "
                             "(language detection on code is meaningless)")
    parser.add_argument("--no-dedup", dest="dedup", action="store_false",
                        help="skip exact and near-duplicate removal")
    parser.add_argument("--dedup-threshold", type=float, metavar="JACCARD",
                        default=DEFAULT_THRESHOLD,
                        help="13-gram Jaccard above which two documents are duplicates "
                             f"(Gopher Sec. A.1.1: {DEFAULT_THRESHOLD}); also the "
                             "decontamination threshold")
    parser.add_argument("--num-perm", type=int, metavar="N", default=DEFAULT_NUM_PERM,
                        help=f"MinHash permutations (our choice: {DEFAULT_NUM_PERM})")
    parser.add_argument("--seed", type=int, metavar="N", default=0,
                        help="seed of every random choice (duplicate survivors, samples)")
    parser.add_argument("--test-sets", default="", metavar="FILES",
                        help="comma-separated evaluation-set files to decontaminate against")
    parser.add_argument("--decontam-mode", choices=DECONTAM_MODES, default="jaccard",
                        help="jaccard: the paper's 13-gram Jaccard > threshold; ngram-overlap: "
                             "any shared 13-gram (stricter, as in later papers)")
    parser.add_argument("--num-shards", type=int, metavar="N", default=0,
                        help="output shards (0: about one per 256 MB of text)")
    parser.add_argument("--keep-removed", choices=("sample", "all"), default="sample",
                        help="sample: up to 100 removed documents per reason (always written); "
                             "all: also every removed document, under removed/all/")
    parser.add_argument("--output-format", choices=tuple(SHARD_WRITERS),
                        default=DEFAULT_OUTPUT_FORMAT,
                        help="shard file format: arrow (Arrow IPC, the default; what training "
                             "reads fastest), parquet, or jsonl.gz")
    add_filter_arguments(parser, FILTER_CLASSES)


def curation_options(args: argparse.Namespace) -> CurationOptions:
    filters = filters_from_args(args, FILTER_CLASSES)
    return CurationOptions(
        **{option.name: filters[option.default_factory.name] for option in _filter_fields()},
        inputs=tuple(pattern for pattern in args.input.split(",") if pattern),
        output=args.output, subset=args.subset, extractor=args.extractor,
        input_format=args.input_format, blocklist=args.blocklist,
        language_filter=(args.subset not in UNFILTERED_LANGUAGE_SUBSETS
                         if args.language_filter is None else args.language_filter),
        dedup=args.dedup,
        dedup_threshold=args.dedup_threshold, num_perm=args.num_perm, seed=args.seed,
        test_sets=tuple(path for path in args.test_sets.split(",") if path),
        decontam_mode=args.decontam_mode, num_shards=args.num_shards,
        keep_removed=args.keep_removed, output_format=args.output_format)


def parse(argv: list[str]) -> tuple[CurationOptions, PipelineOptions]:
    parser = argparse.ArgumentParser(description="Run a MassiveText curation pipeline.")
    add_arguments(parser)
    args, beam_args = parser.parse_known_args(argv)
    return curation_options(args), pipeline_options(beam_args)


def pipeline_options(beam_args: list[str]) -> PipelineOptions:
    """Beam options; without a runner, the local runner in one process per core."""
    if not any(arg.startswith("--runner") for arg in beam_args):
        beam_args = [f"--runner={LOCAL_RUNNER}", "--direct_running_mode=multi_processing",
                     f"--direct_num_workers={os.cpu_count() or 1}", *beam_args]
    options = PipelineOptions(beam_args)
    setup = options.view_as(SetupOptions)
    if ("Dataflow" in str(options.view_as(StandardOptions).runner) and not setup.setup_file
            and PROJECT_SETUP_FILE.exists()):
        # Remote workers install our packages through the project's setup.py (a source
        # checkout; an installed wheel has none: pass --setup_file or an SDK image).
        setup.setup_file = str(PROJECT_SETUP_FILE)
    return options
