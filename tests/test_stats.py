from massivetext.cli.stats import format_report
from massivetext.stats.model import (
    COUNT_EDGES,
    FRACTION_EDGES,
    assemble_stats,
    document_triples,
    histogram_bin,
)

ORDER = ("read", "quality", "output")


def summed(triples):
    sums = {}
    for stage, key, value in triples:
        sums[(stage, key)] = sums.get((stage, key), 0) + value
    return list(sums.items())


def test_histogram_bins_hold_their_lower_edge_and_clamp_the_extremes():
    assert histogram_bin("dup_line_frac", 0.0) == 0
    assert histogram_bin("dup_line_frac", 0.05) == 1
    assert histogram_bin("dup_line_frac", 0.049) == 0
    assert histogram_bin("dup_line_frac", 1.0) == len(FRACTION_EDGES) - 1
    assert histogram_bin("hash_ratio", 7.5) == len(FRACTION_EDGES) - 1
    assert histogram_bin("word_count", 49) == COUNT_EDGES.index(20)
    assert histogram_bin("word_count", 10**9) == len(COUNT_EDGES) - 1
    assert histogram_bin("mean_word_length", 4.5) == 4


def test_a_document_counts_once_as_removed_and_once_per_reason():
    triples = document_triples("quality", "removed", 120, ("hash_ratio", "stop_words"),
                               {"hash_ratio": 0.5})
    assert ("quality", "removed", 1) in triples
    assert ("quality", "removed_bytes", 120) in triples
    assert ("quality", "removed:hash_ratio", 1) in triples
    assert ("quality", "removed:stop_words", 1) in triples
    assert ("quality", f"hist:hash_ratio:{histogram_bin('hash_ratio', 0.5)}", 1) in triples


def run_triples(records=10, kept=6, removed=2, skipped=1, failed=1):
    triples = [("read", "records", records), ("read", "kept", kept + removed),
               ("read", "skipped:request", skipped), ("read", "failed:truncated_gzip", failed)]
    for _ in range(removed):
        triples += document_triples("quality", "removed", 10, ("stop_words", "hash_ratio"),
                                    {"word_count": 3})
    for _ in range(kept):
        triples += document_triples("quality", "kept", 100, (), {"word_count": 300})
    triples += [("output", "kept", kept), ("output", "kept_bytes", 100 * kept)]
    return triples


def test_assembled_stats_balance_when_every_record_is_accounted_for():
    stats = assemble_stats(summed(run_triples()), ORDER, {"seed": 0})
    accounting = stats["accounting"]
    assert accounting == {"input_records": 10, "kept": 6, "removed": 2, "skipped": 1,
                          "failed": 1, "balanced": True}
    quality = stats["stages"][1]
    assert quality["docs_in"] == 8
    assert quality["reasons"] == {"hash_ratio": 2, "stop_words": 2}
    assert sum(quality["histograms"]["word_count"]["counts"]) == 8
    assert stats["parameters"] == {"seed": 0}


def test_a_lost_record_breaks_the_balance():
    triples = run_triples(records=11)
    stats = assemble_stats(summed(triples), ORDER)
    assert stats["accounting"]["balanced"] is False
    assert "NOT BALANCED" in format_report(stats)


def test_stages_that_did_not_run_are_left_out_and_unknown_ones_kept_before_output():
    triples = run_triples() + [("custom", "kept", 6)]
    stats = assemble_stats(summed(triples), ("read", "extract", "quality", "output"))
    assert [entry["stage"] for entry in stats["stages"]] == [
        "read", "quality", "custom", "output"]


def test_report_shows_every_reason_with_its_share_and_a_histogram():
    report = format_report(assemble_stats(summed(run_triples()), ORDER))
    assert "removed: stop_words" in report
    assert "25.00%" in report  # 2 of 8 documents into the quality stage
    assert "quality / word_count" in report
    assert "(balanced)" in report


def test_stats_command_prints_every_subset_found_under_the_output_directory(tmp_path, capsys):
    import json

    from massivetext.cli.main import main

    for subset in ("books", "massiveweb"):
        (tmp_path / subset).mkdir()
        stats = assemble_stats(summed(run_triples()), ORDER)
        (tmp_path / subset / "stats.json").write_text(json.dumps(stats))
    assert main(["stats", str(tmp_path), "--no-histograms"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("input records 10 = kept 6") == 2
    assert "Signal histograms" not in printed
    assert main(["stats", str(tmp_path / "empty")]) == 1


def test_histograms_say_which_side_of_each_threshold_is_removed():
    from massivetext.cli.stats import format_histograms

    stats = assemble_stats(summed(run_triples()), ORDER,
                           {"quality": {"min_word_count": 50, "max_word_count": 100000},
                            "seed": 0})
    text = format_histograms(stats)
    assert "quality / word_count  (documents judged: 8; removed below 50 and above 100000)" \
        in text


def test_documents_failing_several_rules_are_counted_apart_and_the_table_says_so():
    # issue 9, item 13: reasons summed to more than the removed total, unexplained.
    triples = [("read", "records", 5), ("read", "kept", 5)]
    for reasons in [("stop_words", "hash_ratio"), ("stop_words",), ("stop_words",),
                    ("hash_ratio", "word_count", "stop_words"), ("word_count",)]:
        triples += document_triples("quality", "removed", 10, reasons)
    triples += [("output", "kept", 0)]
    stats = assemble_stats(summed(triples), ORDER)
    quality = stats["stages"][1]
    assert quality["removed"] == 5 and sum(quality["reasons"].values()) == 8
    assert quality["removed_alone"] == {"stop_words": 2, "word_count": 1}
    assert quality["removed_several"] == 2
    assert sum(quality["removed_alone"].values()) + quality["removed_several"] == 5
    table = format_report(stats, histograms=False)
    header = table.splitlines()[0]
    assert header.split()[-1] == "alone"
    row = next(line for line in table.splitlines() if "removed: stop_words" in line)
    assert row.split()[-1] == "2"
    assert ("quality: 2 of the 5 removed documents failed two or more rules, so its reason "
            "counts add up to 8") in table
