"""``massivetext score`` end to end, through the real command-line entry point."""

import gzip
import json
from pathlib import Path

import pytest
from massivetext.filters.quality import QualityFilter
from massivetext.filters.repetition import RepetitionFilter

from massivetext.cli.main import main

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

GOOD = ("The library will stay open in the evenings, and the members of the committee "
        "agreed that it should have more books with pictures for children. Several parents "
        "wrote letters asking for a quiet reading room, while teachers from the nearby school "
        "hope to bring their classes once a week. The council expects to decide on the new "
        "budget in March, after a public meeting where residents can share their views.")
REPEATED = "\n".join(["Click here to subscribe to our newsletter today"] * 20)
SHORT = "Too short to be a document."


def write_jsonl(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def read_jsonl(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def documents(*texts: str) -> list[str]:
    return [json.dumps({"id": f"doc-{i}", "text": text}) for i, text in enumerate(texts)]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_scores_every_document_in_input_order(tmp_path, capsys, suffix):
    texts = [GOOD, REPEATED, SHORT, GOOD + " Once more.", ""]
    source = write_jsonl(tmp_path / f"docs{suffix}", documents(*texts))
    output = tmp_path / f"scores{suffix}"
    assert main(["score", "--input", str(source), "--output", str(output)]) == 0
    results = read_jsonl(output)
    assert [r["id"] for r in results] == [f"doc-{i}" for i in range(len(texts))]
    for text, result in zip(texts, results, strict=True):
        quality, repetition = QualityFilter().judge(text), RepetitionFilter().judge(text)
        assert result["keep"] == (quality.keep and repetition.keep)
        assert result["reasons"] == list(quality.reasons + repetition.reasons)
        assert result["signals"] == quality.signals | repetition.signals
    assert [r["keep"] for r in results] == [True, False, False, True, False]
    assert "dup_line_frac" in results[1]["reasons"]
    assert "documents=5 kept=2 removed=3 failed=0" in capsys.readouterr().err


def test_bad_lines_are_counted_with_their_line_numbers(tmp_path, capsys):
    lines = [
        json.dumps({"id": "a", "text": GOOD}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": 42}),
        "",
        json.dumps({"id": "d", "text": SHORT}),
    ]
    source = tmp_path / "docs.jsonl"
    source.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "e", "text": "\xff"}\n')
    output = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(source), "--output", str(output)]) == 1
    results = read_jsonl(output)
    assert len(results) == 8  # one output line per input line
    assert [r.get("error") for r in results] == [
        None, "invalid_json", "not_an_object", "missing_text", "text_not_a_string",
        "invalid_json", None, "invalid_utf8"]
    assert [r.get("line") for r in results if "error" in r] == [2, 3, 4, 5, 6, 8]
    assert results[3]["id"] == "b" and results[4]["id"] == "c"
    assert [r["id"] for r in results if "error" not in r] == ["a", "d"]
    err = capsys.readouterr().err
    for number, name in [(2, "invalid_json"), (4, "missing_text"), (8, "invalid_utf8")]:
        assert f"docs.jsonl:{number}: {name}" in err
    assert "documents=2 kept=1 removed=1 failed=6" in err


def test_language_adds_the_english_filter(tmp_path):
    german = ("Der Ausschuss traf sich am Dienstag, um den Haushalt für das kommende Jahr "
              "zu besprechen, und die Bibliothek bleibt abends geöffnet. ") * 5
    source = write_jsonl(tmp_path / "docs.jsonl", documents(GOOD, german))
    output = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(source), "--output", str(output), "--language"]) == 0
    english, other = read_jsonl(output)
    assert english["keep"] and english["signals"]["english_score"] > 0.9
    assert "not_english" in other["reasons"]
    without = tmp_path / "plain.jsonl"
    main(["score", "--input", str(source), "--output", str(without)])
    assert "english_score" not in read_jsonl(without)[0]["signals"]


def test_score_takes_the_same_threshold_flags_as_run(tmp_path):
    import argparse

    from massivetext.pipelines.options import add_arguments

    from massivetext.cli import score

    def threshold_flags(add):
        parser = argparse.ArgumentParser()
        add(parser)
        # Generated threshold options store into "<filter>__<threshold>"; other options
        # that share a prefix (run's --language-filter) are not thresholds.
        return {flag for action in parser._actions for flag in action.option_strings
                if "__" in action.dest}

    assert threshold_flags(score.add_arguments) == threshold_flags(add_arguments)
    assert "--repetition-max-dup-line-frac" in threshold_flags(score.add_arguments)
    source = write_jsonl(tmp_path / "docs.jsonl", documents(GOOD))
    output = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(source), "--output", str(output)]) == 0
    assert read_jsonl(output)[0]["keep"]
    assert main(["score", "--input", str(source), "--output", str(output),
                 "--quality-min-word-count=1000"]) == 0
    assert read_jsonl(output)[0]["reasons"] == ["word_count_low"]


def test_truncated_gzip_input_is_reported_and_the_rest_kept(tmp_path, capsys):
    data = gzip.compress(("\n".join(documents(*[GOOD] * 200)) + "\n").encode())
    source = tmp_path / "docs.jsonl.gz"
    source.write_bytes(data[: len(data) // 2])
    output = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(source), "--output", str(output)]) == 1
    results = read_jsonl(output)
    assert results[-1]["error"] == "unreadable_input"
    assert results[-1]["line"] == len(results)
    assert all(r["keep"] for r in results[:-1]) and len(results) > 1
    assert "unreadable_input" in capsys.readouterr().err


def test_over_long_lines_are_skipped_without_reading_them_whole(tmp_path):
    lines = documents(GOOD, "x " * 5000, GOOD)
    source = write_jsonl(tmp_path / "docs.jsonl", lines)
    output = tmp_path / "scores.jsonl"
    code = main(["score", "--input", str(source), "--output", str(output),
                 "--max-line-bytes", "2000"])
    assert code == 1
    assert [r.get("error") for r in read_jsonl(output)] == [None, "line_too_long", None]


def test_a_missing_input_leaves_no_output(tmp_path, capsys):
    output = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(tmp_path / "absent.jsonl"), "--output",
                 str(output)]) == 2
    assert not output.exists() and list(tmp_path.iterdir()) == []
    assert "no such input file" in capsys.readouterr().err


def test_real_common_crawl_documents(tmp_path):
    source = DATA / "text" / "dolma-ccnet-samples" / "cc_en_head-0091.jsonl.gz"
    if not source.is_file():
        pytest.skip(f"real documents not found at {source}")
    output = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(source), "--output", str(output)]) == 0
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        ids = [json.loads(line)["id"] for line in lines]
    results = read_jsonl(output)
    assert [r["id"] for r in results] == ids
    assert all(set(r["signals"]) >= {"word_count", "dup_10gram_char_frac"} for r in results)
    assert list(tmp_path.iterdir()) == [output]  # no temporary file left behind
