"""The held-out split (documents by id hash, never in a training sequence, scored by
``--eval-data``) and the ablation command, which trains one small model per curated output
and scores every arm on the same held-out documents."""

import json

import numpy as np
import pytest

from massivetext.cli.main import main as cli_main
from massivetext.data import HoldOut, Mixture, SequenceLoader
from massivetext.data.documents import DocumentSource
from massivetext.io.shard_reader import find_subsets
from massivetext.train.evalsets import EvalSets
from massivetext.train.metrics import read_metrics
from tests.curated_sample import curated_run_and_tokenizer

FRACTION = 0.2
SEQ_LEN, BATCH, BATCHES = 64, 8, 40


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return curated_run_and_tokenizer(tmp_path_factory)


def _documents(run):
    source = DocumentSource(find_subsets(str(run))[0])
    return [(source.document_id(i), source[i]["text"]) for i in range(len(source))]


def _trained_ids(run, tokenizer, holdout):
    loader = SequenceLoader(Mixture.from_run(str(run)), tokenizer, SEQ_LEN + 1, BATCH,
                            holdout=holdout)
    numbers = np.unique(np.concatenate([next(loader)["doc_ids"].ravel()
                                        for _ in range(BATCHES)]))
    return {loader.document(int(number))[1] for number in numbers}


def test_held_out_documents_never_reach_a_training_sequence(data):
    run, tokenizer = data
    documents = _documents(run)
    held_out = {doc_id for doc_id, _ in documents if doc_id in HoldOut(FRACTION)}
    assert 0.1 * len(documents) < len(held_out) < 0.3 * len(documents)
    # Without the split the same number of batches reads held-out documents: the check
    # below could fail.
    assert _trained_ids(run, tokenizer, None) & held_out
    trained = _trained_ids(run, tokenizer, HoldOut(FRACTION))
    assert not trained & held_out
    assert len(trained) > 0.3 * (len(documents) - len(held_out))


def test_the_evaluation_scores_exactly_the_held_out_documents_in_shard_order(data):
    run, _ = data
    sets = EvalSets()
    sets.add_curated(str(run), HoldOut(FRACTION), limit=10_000)
    expected = [text for doc_id, text in _documents(run) if doc_id in HoldOut(FRACTION)]
    assert sets.texts["held-out:massiveweb"] == expected
    limited = EvalSets()
    limited.add_curated(str(run), HoldOut(FRACTION), limit=5)
    assert limited.texts["held-out:massiveweb"] == expected[:5]
    with pytest.raises(ValueError, match="fraction of 0"):
        EvalSets().add_curated(str(run), HoldOut(0.0))


def test_the_split_depends_on_the_id_alone_and_grows_with_the_fraction(data):
    run, _ = data
    ids = [doc_id for doc_id, _ in _documents(run)]
    smaller = {d for d in ids if d in HoldOut(0.1)}
    larger = {d for d in ids if d in HoldOut(FRACTION)}
    assert smaller < larger
    assert {d for d in reversed(ids) if d in HoldOut(0.1)} == smaller
    assert not any(d in HoldOut(0.0) for d in ids)
    with pytest.raises(ValueError):
        HoldOut(1.0)


def test_a_loader_state_does_not_move_across_held_out_fractions(data):
    run, tokenizer = data
    mixture = Mixture.from_run(str(run))
    loader = SequenceLoader(mixture, tokenizer, SEQ_LEN + 1, BATCH, holdout=HoldOut(FRACTION))
    next(loader)
    other = SequenceLoader(mixture, tokenizer, SEQ_LEN + 1, BATCH, holdout=HoldOut(0.1))
    with pytest.raises(ValueError, match="held-out fraction"):
        other.set_state(loader.get_state())


def test_a_subset_held_out_whole_is_a_clear_error(data):
    run, tokenizer = data
    loader = SequenceLoader(Mixture.from_run(str(run)), tokenizer, SEQ_LEN + 1, BATCH,
                            holdout=HoldOut(1.0 - 1e-15))
    with pytest.raises(ValueError, match="no training documents"):
        next(loader)


def test_ablate_trains_each_curated_output_and_scores_both_on_the_same_sets(data, tmp_path,
                                                                           capsys):
    run, tokenizer = data
    # The second arm: the same sample crawl curated without deduplication.
    no_dedup = tmp_path / "curated-no-dedup"
    assert cli_main(["run", "--input", str(run.parent / "sample.warc.gz"), "--no-dedup",
                     "--output", str(no_dedup), "--runner=FnApiRunner"]) == 0
    tokenizer_path = tmp_path / "tok.model"
    tokenizer_path.write_bytes(tokenizer.model_bytes)
    eval_file = tmp_path / "eval.jsonl"
    eval_file.write_text(json.dumps({"text": "A page about gophers and their burrows. " * 20})
                         + "\n")
    capsys.readouterr()
    assert cli_main(["ablate", "--data", str(run), str(no_dedup), "--output",
                     str(tmp_path / "ablation"), "--model", "gopher-tiny", "--tokenizer",
                     str(tokenizer_path), "--steps", "3", "--seq-len", "32", "--batch-tokens",
                     "256", "--eval-sets", str(eval_file), "--eval-data",
                     str(run), "--holdout-fraction", str(FRACTION), "--eval-docs", "5",
                     "--no-progress"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("bits per byte (lower is better)"):].splitlines()
    assert table[1].split()[-2:] == ["eval", "held-out:massiveweb"]
    rows = {line.split()[0]: [float(x) for x in line.split()[-2:]] for line in table[2:]
            if line.strip() and not line.startswith("untrained")}
    assert set(rows) == {str(run), str(no_dedup)}
    arms = sorted((tmp_path / "ablation").iterdir())
    assert [arm.name for arm in arms] == ["0-curated", "1-curated-no-dedup"]
    for arm, data_path in zip(arms, (run, no_dedup), strict=True):
        recorded = json.loads((arm / "run.json").read_text())
        assert recorded["holdout"]["fraction"] == FRACTION
        assert recorded["mixture"]["massiveweb"]["path"].startswith(str(data_path))
        evals = {r["step"]: r["eval"] for r in read_metrics(arm) if "eval" in r}
        assert sorted(evals) == [0, 3]
        printed = rows[str(data_path)]
        assert printed == pytest.approx([evals[3]["eval"]["bpb"],
                                         evals[3]["held-out:massiveweb"]["bpb"]], abs=1e-4)
        assert evals[3]["held-out:massiveweb"]["texts"] == 5
    # One curated output is no ablation.
    assert cli_main(["ablate", "--data", str(run), "--output", str(tmp_path / "one")]) == 2
