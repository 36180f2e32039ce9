"""The sequence loader on the curated sample with a real trained tokenizer: rows, BOS/EOS,
mixture frequencies, determinism, resume, multi-host shares, Grain checkpointing."""

import json

import grain
import numpy as np
import pytest
from etils import epath
from scipy.stats import chisquare

from massivetext.cli.main import main as cli_main
from massivetext.data import Mixture, SequenceLoader
from massivetext.tokenizer import BOS_ID, EOS_ID, PAD_ID, TokenizerOptions, train_tokenizer
from tests.curated_sample import curated_run

SEQ_LEN = 64


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return curated_run(tmp_path_factory)


@pytest.fixture(scope="module")
def tokenizer(run):
    return train_tokenizer([str(run)], TokenizerOptions(vocab_size=600), {"massiveweb": 1})[0]


@pytest.fixture(scope="module")
def mixture(run):
    # Three subsets read from the one curated sample, at their Table 2 weights.
    subset = str(run / "massiveweb")
    return Mixture.from_paths({"massiveweb": subset, "books": subset, "c4": subset})


def loader(mixture, tokenizer, **options):
    return SequenceLoader(mixture, tokenizer, **{"seq_len": SEQ_LEN, "batch_size": 8, **options})


def batches(source, count):
    return [next(source) for _ in range(count)]


def test_rows_are_exactly_n_tokens_of_int32_with_no_padding(mixture, tokenizer):
    for batch in batches(loader(mixture, tokenizer), 5):
        assert batch["tokens"].shape == batch["doc_ids"].shape == (8, SEQ_LEN)
        assert batch["tokens"].dtype == np.int32 and batch["doc_ids"].dtype == np.int64
        assert PAD_ID not in batch["tokens"]


def test_a_group_is_its_crops_tokenised_between_bos_and_eos_cut_into_rows(mixture, tokenizer):
    source = loader(mixture, tokenizer)
    [group] = source.builder.build([(3, 7)])
    assert len(group.crops) == 10
    expected, numbers = [], []
    for crop in group.crops:
        data = source.sources[crop.subset].text_bytes(crop.document)
        ids = [BOS_ID, *tokenizer.encode(data[crop.start:crop.stop].tobytes().decode()), EOS_ID]
        assert crop.tokens == len(ids)
        expected += ids
        numbers += [crop.document_number] * len(ids)
    rows = len(expected) // SEQ_LEN
    assert len(expected) - rows * SEQ_LEN < SEQ_LEN  # only the last, shorter piece dropped
    assert sorted(group.order.tolist()) == list(range(rows))
    unshuffled = np.empty_like(group.rows)
    unshuffled[group.order] = group.rows
    assert unshuffled.ravel().tolist() == expected[:rows * SEQ_LEN]
    restored = np.empty_like(group.doc_ids)
    restored[group.order] = group.doc_ids
    assert restored.ravel().tolist() == numbers[:rows * SEQ_LEN]


def test_bos_starts_and_eos_ends_every_crop_inside_one_document(mixture, tokenizer):
    source = loader(mixture, tokenizer)
    for batch in batches(source, 5):
        for tokens, doc_ids in zip(batch["tokens"], batch["doc_ids"], strict=True):
            changes = np.flatnonzero(doc_ids[1:] != doc_ids[:-1]) + 1
            # A document changes only where an EOS ends one crop and a BOS starts the next
            # (the same document twice in a row changes nothing).
            assert all(tokens[i - 1] == EOS_ID and tokens[i] == BOS_ID for i in changes)
    subset, document_id = source.document(int(batch["doc_ids"][0, 0]))
    assert subset in mixture.names and document_id.startswith("<urn:uuid:")


def test_subset_frequencies_match_the_mixture_weights(mixture, tokenizer):
    groups = loader(mixture, tokenizer).builder.build([(lane, 0) for lane in range(300)])
    counts = np.bincount([crop.subset for group in groups for crop in group.crops],
                         minlength=len(mixture.names))
    assert counts.sum() == 3000
    expected = np.asarray(mixture.probabilities) * counts.sum()
    assert chisquare(counts, expected).pvalue > 1e-4, (counts, expected)


def test_the_stream_does_not_depend_on_worker_count(mixture, tokenizer):
    single = batches(loader(mixture, tokenizer, worker_count=0), 6)
    threaded = batches(loader(mixture, tokenizer, worker_count=3), 6)
    for one, other in zip(single, threaded, strict=True):
        assert np.array_equal(one["tokens"], other["tokens"])
        assert np.array_equal(one["doc_ids"], other["doc_ids"])


def test_seeds_give_different_streams(mixture, tokenizer):
    one = next(loader(mixture, tokenizer, seed=0))["tokens"]
    other = next(loader(mixture, tokenizer, seed=1))["tokens"]
    assert not np.array_equal(one, other)


def test_restoring_the_state_continues_the_exact_stream(mixture, tokenizer):
    first = loader(mixture, tokenizer, seed=5)
    batches(first, 7)
    state = json.loads(json.dumps(first.get_state()))
    assert len(json.dumps(state)) < 400
    expected = batches(first, 9)
    resumed = loader(mixture, tokenizer, seed=5)
    resumed.set_state(state)
    for one, other in zip(expected, batches(resumed, 9), strict=True):
        assert np.array_equal(one["tokens"], other["tokens"])
    with pytest.raises(ValueError, match="another"):
        loader(mixture, tokenizer, seed=6).set_state(state)


@pytest.mark.parametrize("process_count", [2, 4])
def test_process_shares_are_disjoint_and_make_the_single_process_batch(
        mixture, tokenizer, process_count):
    whole = loader(mixture, tokenizer)
    shares = [loader(mixture, tokenizer, process_index=index, process_count=process_count)
              for index in range(process_count)]
    for _ in range(4):
        expected = next(whole)
        parts = [next(share) for share in shares]
        assert all(part["tokens"].shape == (8 // process_count, SEQ_LEN) for part in parts)
        assert np.array_equal(np.concatenate([p["tokens"] for p in parts]), expected["tokens"])
        assert np.array_equal(np.concatenate([p["doc_ids"] for p in parts]),
                              expected["doc_ids"])


def test_a_batch_that_does_not_split_over_processes_is_refused(mixture, tokenizer):
    with pytest.raises(ValueError, match="split evenly"):
        loader(mixture, tokenizer, batch_size=6, process_count=4)


def test_grain_checkpoint_handler_saves_and_restores_the_loader(mixture, tokenizer, tmp_path):
    first = loader(mixture, tokenizer)
    batches(first, 3)
    grain.checkpoint.CheckpointHandler().save(epath.Path(tmp_path), first)
    expected = next(first)
    restored = grain.checkpoint.CheckpointHandler().restore(
        epath.Path(tmp_path), loader(mixture, tokenizer))
    assert np.array_equal(next(restored)["tokens"], expected["tokens"])


def test_cli_shows_decoded_rows_with_documents_and_crop_marks(run, tokenizer, tmp_path, capsys):
    model = tmp_path / "tok.model"
    model.write_bytes(tokenizer.model_bytes)
    mixture_file = tmp_path / "mix.toml"
    mixture_file.write_text(f'[subsets.massiveweb]\npath = "{run}"\n')
    assert cli_main(["sequences", "--mixture", str(mixture_file), "--tokenizer", str(model),
                     "--seq-len", "32", "--show", "8"]) == 0
    output = capsys.readouterr().out
    assert output.count("--- batch 0, row") == 8
    assert "[massiveweb <urn:uuid:" in output and "weights sum to 48" in output
    assert "</s>[massiveweb <urn:uuid:" in output and "]<s>" in output
