"""The tokenizer: real SentencePiece training on the curated sample, its file, its CLI."""

import hashlib
import json

import pytest
import sentencepiece

from massivetext.cli.main import main as cli_main
from massivetext.data.holdout import DEFAULT_HOLDOUT_FRACTION, HoldOut
from massivetext.io.shard_reader import find_subsets, open_shard
from massivetext.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Tokenizer
from massivetext.tokenizer.compression import PAPER_BYTES_PER_TOKEN, measure_compression
from massivetext.tokenizer.model_file import split_provenance, with_provenance
from massivetext.tokenizer.training import (
    TokenizerOptions,
    plan_samples,
    sentences,
    train_tokenizer,
    training_sentences,
)
from tests.curated_sample import curated_run

VOCAB = 600
WEIGHTS = {"massiveweb": 48.0}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return curated_run(tmp_path_factory)


@pytest.fixture(scope="module")
def trained(run):
    return train_tokenizer([str(run)], TokenizerOptions(vocab_size=VOCAB), WEIGHTS)


def test_vocabulary_has_the_reserved_ids_then_bytes(trained):
    tokenizer, _ = trained
    assert tokenizer.vocab_size == VOCAB
    assert (tokenizer.pad_id, tokenizer.bos_id, tokenizer.eos_id, tokenizer.unk_id) == (
        PAD_ID, BOS_ID, EOS_ID, UNK_ID) == (0, 1, 2, 3)
    assert [tokenizer.id_to_piece(i) for i in range(4)] == ["<pad>", "<s>", "</s>", "<unk>"]
    assert [tokenizer.id_to_piece(4 + byte) for byte in (0, 10, 255)] == [
        "<0x00>", "<0x0A>", "<0xFF>"]


def test_provenance_names_the_run_its_manifest_hash_options_and_seed(run, trained):
    tokenizer, samples = trained
    provenance = tokenizer.provenance
    manifest = (run / "massiveweb" / "manifest.json").read_bytes()
    [data] = provenance["data"]
    assert data["run"] == str(run) and data["subset"] == "massiveweb"
    assert data["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    # Every document but those a training run holds out at the default fraction.
    ids = [doc_id for doc_id, _ in _documents(run)]
    held_out = sum(doc_id in HoldOut(DEFAULT_HOLDOUT_FRACTION) for doc_id in ids)
    assert data["held_out_documents"] == held_out > 0
    assert data["sampled_documents"] + held_out == json.loads(manifest)["rows"] == samples[0].rows
    assert provenance["options"]["holdout_fraction"] == DEFAULT_HOLDOUT_FRACTION
    assert provenance["options"]["vocab_size"] == VOCAB
    assert provenance["options"]["seed"] == 0
    assert provenance["options"]["normalization"] == "identity"
    assert provenance["sentencepiece"] == sentencepiece.__version__


def _documents(run):
    [subset] = find_subsets(str(run))
    return [document for shard in subset.shards
            for document in open_shard(subset.shard_path(shard)).iter_texts()]


def test_a_held_out_documents_text_never_reaches_the_training_sentences(run):
    fraction = 0.2
    documents = _documents(run)
    trained_lines = {line for doc_id, text in documents if doc_id not in HoldOut(fraction)
                     for line in sentences(text)}
    # Lines of held-out documents that no training document also has (boilerplate shared
    # with training documents may be trained on through those).
    only_held_out = {line for doc_id, text in documents if doc_id in HoldOut(fraction)
                     for line in sentences(text)} - trained_lines
    assert len(only_held_out) > 20

    def training_lines(holdout_fraction):
        options = TokenizerOptions(vocab_size=VOCAB, holdout_fraction=holdout_fraction)
        subsets, samples = plan_samples([str(run)], options, WEIGHTS)
        return set(training_sentences(subsets, samples, options)), samples[0]

    everything, _ = training_lines(0.0)
    assert only_held_out <= everything  # without the split they are trained on
    kept, sample = training_lines(fraction)
    assert not kept & only_held_out
    assert kept == trained_lines
    assert sample.held_out_documents == sum(doc_id in HoldOut(fraction) for doc_id, _ in documents)


def test_same_data_and_seed_give_a_byte_identical_file(run, trained):
    again, _ = train_tokenizer([str(run)], TokenizerOptions(vocab_size=VOCAB), WEIGHTS)
    assert again.model_bytes == trained[0].model_bytes


def test_the_seed_picks_the_sample_and_the_budget_bounds_it(run):
    total = find_subsets(str(run))[0].text_bytes
    budget = total // 3
    options = [TokenizerOptions(vocab_size=VOCAB, sample_bytes=budget, seed=seed)
               for seed in (0, 0, 1)]
    results = [train_tokenizer([str(run)], option, WEIGHTS) for option in options]
    sampled = [result[1][0].sampled_bytes for result in results]
    assert all(0 < size <= budget for size in sampled), (sampled, budget)
    assert results[0][0].model_bytes == results[1][0].model_bytes
    assert results[0][0].model_bytes != results[2][0].model_bytes


def test_the_file_is_a_plain_sentencepiece_model_with_provenance_inside(tmp_path, trained):
    tokenizer, _ = trained
    path = tmp_path / "tok.model"
    path.write_bytes(tokenizer.model_bytes)
    plain = sentencepiece.SentencePieceProcessor(model_file=str(path))
    text = "The river runs past the old mill."
    assert plain.encode(text) == tokenizer.encode(text)
    loaded = Tokenizer.load(str(path))
    assert loaded.provenance == tokenizer.provenance
    body, provenance = split_provenance(tokenizer.model_bytes)
    assert provenance == tokenizer.provenance
    assert split_provenance(with_provenance(body, {"a": 1})) == (body, {"a": 1})


def test_a_file_that_is_not_a_tokenizer_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError):
        Tokenizer(b"\x0a\xff\xff\xff")  # a length running past the end
    with pytest.raises((ValueError, RuntimeError)):
        Tokenizer(b"")


def test_encoding_never_emits_unk_pad_bos_or_eos(trained):
    tokenizer, _ = trained
    ids = tokenizer.encode("Ünïcödé ☃ 𝔘𝔫𝔦 \x00\x1b 漢字 <s></s><unk><pad>")
    assert not {PAD_ID, BOS_ID, EOS_ID, UNK_ID} & set(ids)


def test_batch_encoding_matches_one_by_one(trained):
    tokenizer, _ = trained
    texts = ["", "a▁b", "two  spaces", "line\nbreak\t tab", "☃" * 5]
    batch = tokenizer.encode_batch(texts, num_threads=2)
    assert [ids.dtype.name for ids in batch] == ["int32"] * len(texts)
    assert [ids.tolist() for ids in batch] == [tokenizer.encode(text) for text in texts]


def test_nfkc_reproduces_the_papers_lossy_choice(run):
    tokenizer, _ = train_tokenizer(
        [str(run)], TokenizerOptions(vocab_size=VOCAB, normalization="nfkc"), WEIGHTS)
    assert tokenizer.decode(tokenizer.encode("x² ①")) == "x2 1"


def test_long_lines_are_cut_to_sentencepiece_sentences_at_characters():
    line = "é" * 5000
    pieces = list(sentences(f"short\n\n{line}", max_bytes=4192))
    assert pieces[0] == "short" and "".join(pieces[1:]) == line
    assert all(len(piece.encode()) <= 4192 for piece in pieces)


def test_compression_is_measured_per_subset(run, trained):
    [row] = measure_compression(trained[0], [str(run)])
    assert row.subset == "massiveweb" and row.tokens > 0
    assert 2.0 < row.bytes_per_token < 8.0
    assert PAPER_BYTES_PER_TOKEN["massiveweb"] == 4.22


def test_cli_trains_measures_encodes_and_decodes(run, tmp_path, capsys):
    model = tmp_path / "tok.model"
    assert cli_main(["tokenizer", "train", "--data", str(run), "--output", str(model),
                     "--vocab-size", str(VOCAB), "--holdout-fraction", "0.2"]) == 0
    assert "held out" in capsys.readouterr().out
    loaded = Tokenizer.load(str(model))
    assert loaded.vocab_size == VOCAB
    assert loaded.provenance["options"]["holdout_fraction"] == 0.2
    assert cli_main(["tokenizer", "stats", "--tokenizer", str(model), "--data", str(run)]) == 0
    output = capsys.readouterr().out
    assert "massiveweb" in output and "4.22" in output
    assert cli_main(["tokenizer", "encode", "--tokenizer", str(model), "tab\there  x"]) == 0
    ids = capsys.readouterr().out.split()
    assert cli_main(["tokenizer", "decode", "--tokenizer", str(model), *ids]) == 0
    assert capsys.readouterr().out == "tab\there  x"


def test_cli_reports_missing_data_and_bad_ids(tmp_path, capsys):
    assert cli_main(["tokenizer", "train", "--data", str(tmp_path / "none"),
                     "--output", str(tmp_path / "t.model")]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert not (tmp_path / "t.model").exists()
