"""Training the tokenizer on a seeded, byte-budgeted sample of curated shards.

Gopher Section 3.1 and Appendix A.2: SentencePiece, 32,000 pieces, byte-level backoff.
A document of subset S is in the sample when a seeded hash of its id falls below
``budget(S) / bytes(S)``: one streaming pass, nothing held but the sample, and the same
documents for the same seed however the shards are laid out. Subset budgets split
:attr:`TokenizerOptions.sample_bytes` by the subsets' weights (Table 2 by default). The
sampled documents are streamed line by line to SentencePiece's trainer (no temporary
file); one thread and a fixed input order make the model file byte-identical for the
same data, options and seed. The documents a training run holds out for its bits per
byte (:mod:`massivetext.data.holdout`, by id, at ``holdout_fraction``) are left out of
the sample too, so the held-out text is text neither the model nor its vocabulary has
seen. Choices are explained in docs/tokenizer.md.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass

import sentencepiece

from massivetext.data.holdout import DEFAULT_HOLDOUT_FRACTION, HoldOut
from massivetext.io.shard_reader import CuratedSubset, find_subsets, open_shard
from massivetext.io.shards import stable_hash
from massivetext.tokenizer.model_file import with_provenance
from massivetext.tokenizer.tokenizer import (
    BOS_ID,
    BOS_PIECE,
    EOS_ID,
    EOS_PIECE,
    PAD_ID,
    PAD_PIECE,
    UNK_ID,
    UNK_PIECE,
    Tokenizer,
)

# Gopher Section 3.1: a SentencePiece vocabulary of 32,000.
DEFAULT_VOCAB_SIZE = 32_000
# Our choice: lossless. The paper's NFKC (its Appendix A.4 regrets it) is "nfkc".
NORMALIZATIONS = ("identity", "nfkc")
# Our choice: 200 MB of text is plenty for 32k pieces and trains in a few GiB.
DEFAULT_SAMPLE_BYTES = 200_000_000
# SentencePiece skips longer sentences; longer lines are cut to fit (at a character).
MAX_SENTENCE_BYTES = 4192
# Characters rarer than this share of the sample get no piece and go through bytes.
DEFAULT_CHARACTER_COVERAGE = 0.9995
_HASH_RANGE = float(2**64)


@dataclass(frozen=True)
class TokenizerOptions:
    vocab_size: int = DEFAULT_VOCAB_SIZE
    normalization: str = "identity"
    # Our choice (as PaLM and LLaMA): every digit its own piece, so numbers tokenise
    # the same way wherever they occur.
    split_digits: bool = True
    sample_bytes: int = DEFAULT_SAMPLE_BYTES
    character_coverage: float = DEFAULT_CHARACTER_COVERAGE
    seed: int = 0
    threads: int = 1
    # The training run's held-out split (the same default): those documents are not
    # sampled. 0 samples every document.
    holdout_fraction: float = DEFAULT_HOLDOUT_FRACTION

    def __post_init__(self):
        if self.normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {NORMALIZATIONS}, "
                             f"not {self.normalization!r}")
        HoldOut(self.holdout_fraction)  # raises on a fraction outside [0, 1)


@dataclass
class SubsetSample:
    """What the sample took from one subset directory (recorded in the provenance)."""

    run: str
    subset: str
    manifest_sha256: str
    rows: int
    text_bytes: int
    keep_probability: float
    sampled_documents: int = 0
    sampled_bytes: int = 0
    budget_bytes: int = 0
    held_out_documents: int = 0  # passed over because the training run holds them out


def keep_probabilities(subsets: Sequence[CuratedSubset], weights: Mapping[str, float],
                       sample_bytes: int) -> dict[str, tuple[float, int]]:
    """Subset name -> (probability a document is sampled, the subset's byte budget)."""
    names = sorted({subset.name for subset in subsets})
    missing = [name for name in names if name not in weights]
    if missing:
        raise ValueError(f"no sampling weight for subset(s) {', '.join(missing)} "
                         f"(weights known: {', '.join(sorted(weights))})")
    total_weight = sum(weights[name] for name in names)
    result = {}
    for name in names:
        budget = int(sample_bytes * weights[name] / total_weight)
        available = sum(subset.text_bytes for subset in subsets if subset.name == name)
        result[name] = (min(1.0, budget / available) if available else 0.0, budget)
    return result


def sampled_documents(subset: CuratedSubset, sample: SubsetSample, seed: int,
                      holdout: HoldOut | None = None) -> Iterator[str]:
    """The texts of the sampled documents of one subset directory, in shard order;
    documents in ``holdout`` are never sampled."""
    threshold = sample.keep_probability * _HASH_RANGE
    for shard in subset.shards:
        for document_id, text in open_shard(subset.shard_path(shard)).iter_texts():
            if sample.sampled_bytes >= sample.budget_bytes:
                return
            if holdout is not None and document_id in holdout:
                sample.held_out_documents += 1
                continue
            if stable_hash(document_id, seed) < threshold:
                sample.sampled_documents += 1
                sample.sampled_bytes += len(text.encode("utf-8"))
                yield text


def sentences(text: str, max_bytes: int = MAX_SENTENCE_BYTES) -> Iterator[str]:
    """The text's non-empty lines, each cut at character boundaries to ``max_bytes``."""
    for line in text.split("\n"):
        while len(line.encode("utf-8")) > max_bytes:
            head = line.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
            yield head
            line = line[len(head):]
        if line:
            yield line


def plan_samples(runs: Sequence[str], options: TokenizerOptions,
                 weights: Mapping[str, float]) -> tuple[list[CuratedSubset], list[SubsetSample]]:
    """The curated subsets under each run directory and, for each, what to sample from it
    (its keep probability and byte budget). ``weights``: subset name -> budget share."""
    located = [(run, subset) for run in runs for subset in find_subsets(run)]
    subsets = [subset for _, subset in located]
    probabilities = keep_probabilities(subsets, weights, options.sample_bytes)
    samples = []
    for run, subset in located:
        probability, budget = probabilities[subset.name]
        # A subset found in several runs splits its budget by the runs' text bytes.
        same_name = sum(other.text_bytes for other in subsets if other.name == subset.name)
        samples.append(SubsetSample(run, subset.name, subset.manifest_sha256, subset.rows,
                                    subset.text_bytes, probability,
                                    budget_bytes=budget * subset.text_bytes // max(1, same_name)))
    return subsets, samples


def training_sentences(subsets: Sequence[CuratedSubset], samples: Sequence[SubsetSample],
                       options: TokenizerOptions) -> Iterator[str]:
    """The lines SentencePiece trains on: the sampled documents' sentences, in order,
    the training run's held-out documents left out."""
    holdout = HoldOut(options.holdout_fraction)
    for subset, sample in zip(subsets, samples, strict=True):
        for text in sampled_documents(subset, sample, options.seed, holdout):
            yield from sentences(text)


def train_tokenizer(runs: Sequence[str], options: TokenizerOptions,
                    weights: Mapping[str, float]) -> tuple[Tokenizer, list[SubsetSample]]:
    """Train on the curated subsets under each run directory; returns the tokenizer and
    what was sampled. ``weights`` maps subset name -> share of the byte budget."""
    subsets, samples = plan_samples(runs, options, weights)
    sentence_count = [0]

    def stream() -> Iterator[str]:
        for sentence in training_sentences(subsets, samples, options):
            sentence_count[0] += 1
            yield sentence

    model = io.BytesIO()
    sentencepiece.set_random_generator_seed(options.seed)
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=stream(), model_writer=model, model_type="bpe",
            vocab_size=options.vocab_size, character_coverage=options.character_coverage,
            normalization_rule_name=options.normalization, add_dummy_prefix=False,
            remove_extra_whitespaces=False, allow_whitespace_only_pieces=True,
            split_digits=options.split_digits, byte_fallback=True,
            max_sentence_length=MAX_SENTENCE_BYTES, input_sentence_size=0,
            shuffle_input_sentence=False, num_threads=options.threads,
            pad_id=PAD_ID, bos_id=BOS_ID, eos_id=EOS_ID, unk_id=UNK_ID,
            pad_piece=PAD_PIECE, bos_piece=BOS_PIECE, eos_piece=EOS_PIECE,
            unk_piece=UNK_PIECE, minloglevel=2)
    except RuntimeError as error:
        sampled = sum(sample.sampled_bytes for sample in samples)
        raise ValueError(f"SentencePiece could not train {options.vocab_size} pieces on "
                         f"{sampled} sampled bytes: {error}") from None
    provenance = {
        "format": "massivetext-tokenizer",
        "version": 1,
        "options": asdict(options),
        "weights": {name: weights[name] for name in sorted({s.name for s in subsets})},
        "data": [asdict(sample) for sample in samples],
        "sentences": sentence_count[0],
        "reserved_ids": {"pad": PAD_ID, "bos": BOS_ID, "eos": EOS_ID, "unk": UNK_ID},
        "sentencepiece": sentencepiece.__version__,
    }
    return Tokenizer(with_provenance(model.getvalue(), provenance)), samples
