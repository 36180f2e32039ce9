import os

from apache_beam.options.pipeline_options import DirectOptions, SetupOptions, StandardOptions
from massivetext.filters.quality import QualityFilter
from massivetext.pipelines.options import LOCAL_RUNNER, parse


def test_every_filter_threshold_is_an_option_with_the_papers_default():
    options, _ = parse(["--input=a.warc.gz,b/*.warc.gz", "--output=out"])
    assert options.inputs == ("a.warc.gz", "b/*.warc.gz")
    assert options.quality == QualityFilter()
    assert options.quality.min_word_count == 50 and options.repetition.max_dup_line_frac == 0.30
    changed, _ = parse(["--input=x", "--output=y", "--quality-min-word-count=10",
                        "--repetition-max-top-2gram-char-frac=0.5",
                        "--language-min-english-score=0.9"])
    assert changed.quality.min_word_count == 10
    assert changed.repetition.max_top_2gram_char_frac == 0.5
    assert changed.english.min_english_score == 0.9
    assert changed.parameters()["quality"]["min_word_count"] == 10


def test_without_a_runner_the_local_runner_uses_one_process_per_core():
    _, beam_options = parse(["--input=x", "--output=y"])
    assert beam_options.view_as(StandardOptions).runner == LOCAL_RUNNER
    direct = beam_options.view_as(DirectOptions)
    assert direct.direct_running_mode == "multi_processing"
    assert direct.direct_num_workers == (os.cpu_count() or 1)


def test_beam_options_pass_through_and_dataflow_gets_the_setup_file():
    _, beam_options = parse(["--input=x", "--output=y", "--runner=DataflowRunner",
                             "--project=p", "--region=r"])
    assert beam_options.view_as(StandardOptions).runner == "DataflowRunner"
    assert beam_options.view_as(SetupOptions).setup_file.endswith("setup.py")
    _, local = parse(["--input=x", "--output=y", "--runner=FnApiRunner",
                      "--direct_running_mode=in_memory"])
    assert local.view_as(DirectOptions).direct_running_mode == "in_memory"


def test_every_filter_follows_the_document_filter_protocol():
    import dataclasses

    from massivetext.filters.base import DocumentFilter, Judgement, is_filter_class, thresholds
    from massivetext.pipelines.options import FILTER_CLASSES

    assert [f.name for f in FILTER_CLASSES] == ["language", "quality", "repetition"]
    for filter_class in FILTER_CLASSES:
        assert is_filter_class(filter_class)
        document_filter = filter_class()
        assert isinstance(document_filter, DocumentFilter)
        judgement = document_filter.judge("The cat sat on the mat and that was that.")
        assert isinstance(judgement, Judgement)
        assert set(judgement.signals) == set(filter_class.signal_names)
        assert set(judgement.reasons) <= set(filter_class.rules)
        assert all(t.metadata.get("help") for t in thresholds(filter_class))
        first = thresholds(filter_class)[0]
        with __import__("pytest").raises(dataclasses.FrozenInstanceError):
            setattr(document_filter, first.name, first.default)
    assert not is_filter_class(dataclasses.make_dataclass("Loose", ["x"]))
