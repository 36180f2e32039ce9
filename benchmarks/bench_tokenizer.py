"""Tokenizer training and the sequence loader, beside SentencePiece and HF tokenizers.

Corpus: the built-in sample curated by the real pipeline plus, when ../shared/data is
present, its real texts (gold article bodies, books, CCNet and Dolma documents, LAMBADA,
WikiText), copied with fresh ids up to 100 MB (``BENCH_TOKENIZER_MB``) and written as
one curated subset. Each copy rotates the words of every line, so no line repeats
(SentencePiece keeps each distinct line once: plain repetition would understate its
memory), but the copies bring no new words: 100 MB of really distinct text has more,
which makes SentencePiece's training slower than measured here.

Figures, all on one core:
- tokenizer training: seconds and peak memory (RSS of a fresh process) for a 32,000
  piece model on the whole corpus;
- encode rates on the same texts: SentencePiece's own batch encode (the ceiling for
  us), our ``Tokenizer.encode_batch`` (NumPy arrays), HF ``tokenizers`` byte-level BPE
  (32,000 pieces, trained on the distinct texts);
- the loader: tokens per second of batches (seq_len 2048), crop reading and
  tokenisation included, per CPU second (the machine is shared: wall-clock seconds
  include waiting for a core) and per wall-clock second.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # HF tokenizers: one core, like the rest

from massivetext.cli.main import main as cli_main  # noqa: E402
from massivetext.data import Mixture, SequenceLoader  # noqa: E402
from massivetext.data.crops import crop_bytes  # noqa: E402
from massivetext.document import Document  # noqa: E402
from massivetext.io.shard_reader import find_subsets, open_shard  # noqa: E402
from massivetext.io.shard_writers import write_shard  # noqa: E402
from massivetext.io.shards import shard_name, shard_schema  # noqa: E402
from massivetext.sample.crawl import write_sample  # noqa: E402
from massivetext.tokenizer import Tokenizer, TokenizerOptions, train_tokenizer  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TARGET_MB = int(os.environ.get("BENCH_TOKENIZER_MB", "100"))
VOCAB_SIZE = 32_000
SHARD_BYTES = 64 * 1024 * 1024
ENCODE_TEXTS_MB = 8
LOADER_SECONDS = 15
LOADER_BATCH = 8
CROP_BYTES = crop_bytes(2048)
TARGET_LOADER_TOKENS_PER_CORE = 150_000


def real_texts() -> list[str]:
    texts = []
    for truth in sorted(DATA.glob("extraction/*/ground-truth.json")):
        texts += [entry["articleBody"] for entry in json.loads(truth.read_text()).values()
                  if entry.get("articleBody")]
    for book in sorted(DATA.glob("text/books/*.txt.gz")):
        texts.append(gzip.decompress(book.read_bytes()).decode("utf-8", errors="replace"))
    for sample in sorted(DATA.glob("text/dolma-ccnet-samples/*.gz")):
        for line in gzip.decompress(sample.read_bytes()).decode("utf-8").splitlines():
            record = json.loads(line)
            texts.append(record.get("text") or record.get("raw_content") or "")
    lambada = DATA / "evalsets" / "lambada_openai.jsonl"
    if lambada.exists():
        texts += [json.loads(line)["context"] for line in lambada.read_text().splitlines()]
    wikitext = DATA / "evalsets" / "wikitext-2" / "test.txt"
    if wikitext.exists():
        texts += [part for part in wikitext.read_text().split("\n = ") if part.strip()]
    return [text for text in texts if text]


def curated_sample_texts(root: Path) -> list[str]:
    write_sample(str(root / "sample.warc.gz"))
    assert cli_main(["run", "--input", str(root / "sample.warc.gz"),
                     "--output", str(root / "curated"), "--runner=FnApiRunner"]) == 0
    return [text for subset in find_subsets(str(root / "curated")) for shard in subset.shards
            for _, text in open_shard(subset.shard_path(shard)).iter_texts()]


def varied(text: str, copy: int) -> str:
    """Copy ``copy`` of a text: each line's words rotated by ``copy`` places, so that no
    line repeats across copies (SentencePiece stores each distinct line once)."""
    if not copy:
        return text
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        shift = copy % len(words)
        lines.append(" ".join(words[shift:] + words[:shift]))
    return "\n".join(lines)


def write_corpus(texts: list[str], directory: Path, target_bytes: int) -> int:
    """Varied copies of ``texts`` with fresh ids, as a curated subset of >= target_bytes."""
    directory.mkdir(parents=True)
    schema, shards, written, copy = shard_schema(()), [], 0, 0
    pending, pending_bytes = [], 0

    def flush():
        name = shard_name(len(shards), 9999)
        with open(directory / name, "wb") as file:
            rows = write_shard(pending, schema, file)
        shards.append({"name": name, "rows": rows, "text_bytes": pending_bytes})

    while written < target_bytes:
        for index, original in enumerate(texts):
            text = varied(original, copy)
            size = len(text.encode("utf-8"))
            pending.append(Document(id=f"copy{copy:04d}-{index:06d}", text=text))
            pending_bytes, written = pending_bytes + size, written + size
            if pending_bytes >= SHARD_BYTES:
                flush()
                pending, pending_bytes = [], 0
        copy += 1
    if pending:
        flush()
    manifest = {"format": "arrow-ipc-file", "rows": sum(s["rows"] for s in shards),
                "text_bytes": written, "shards": shards, "parameters": {"subset": "massiveweb"}}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return written


def peak_rss_gib() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that over
    exec from the parent, so a spawned child would report at least its parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _train_in_child(corpus: str, model_path: str, sample_bytes: int, queue) -> None:
    start = time.perf_counter()
    tokenizer, _ = train_tokenizer([corpus], TokenizerOptions(
        vocab_size=VOCAB_SIZE, sample_bytes=sample_bytes), {"massiveweb": 1.0})
    Path(model_path).write_bytes(tokenizer.model_bytes)
    queue.put((time.perf_counter() - start, peak_rss_gib()))


def train_measured(corpus: Path, model_path: Path, sample_bytes: int) -> tuple[float, float]:
    """(seconds, peak RSS in GiB) of training in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_train_in_child,
                            args=(str(corpus), str(model_path), sample_bytes, queue))
    child.start()
    seconds, peak_gib = queue.get()
    child.join()
    return seconds, peak_gib


def rate(function, texts: list[str]) -> float:
    """Tokens per CPU second of ``function(texts) -> list of id sequences``."""
    start = time.process_time()
    tokens = sum(len(ids) for ids in function(texts))
    return tokens / (time.process_time() - start)


def crop_sized(texts: list[str], limit_bytes: int) -> list[str]:
    """The texts cut into pieces of at most one crop (what the loader tokenises)."""
    pieces, size = [], 0
    for text in texts:
        data = text.encode("utf-8")
        for start in range(0, len(data), CROP_BYTES):
            pieces.append(data[start:start + CROP_BYTES].decode("utf-8", errors="ignore"))
            size += len(pieces[-1])
        if size > limit_bytes:
            break
    return pieces


def hf_tokenizer(texts: list[str]):
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import decoders, models, pre_tokenizers, trainers

    tokenizer = HFTokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def loader_rate(corpus: Path, tokenizer: Tokenizer) -> tuple[float, float, float]:
    loader = SequenceLoader(Mixture.from_paths({"massiveweb": str(corpus)}), tokenizer,
                            seq_len=2048, batch_size=LOADER_BATCH, seed=0)
    next(loader)  # open the shards
    tokens, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < LOADER_SECONDS:
        tokens += next(loader)["tokens"].size
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return tokens / wall, tokens / cpu, loader.batches * loader.local_batch_size * 2048 / max(
        1, loader.tokenised_tokens)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-tokenizer-") as workdir:
        root = Path(workdir)
        distinct = curated_sample_texts(root) + (real_texts() if DATA.exists() else [])
        distinct_mb = sum(len(text.encode()) for text in distinct) / 1e6
        corpus = root / "corpus" / "massiveweb"
        total = write_corpus(distinct, corpus, TARGET_MB * 1_000_000)
        print(f"corpus: {total / 1e6:.0f} MB = word-rotated copies of {len(distinct)} texts "
              f"({distinct_mb:.1f} MB: curated sample"
              f"{' + ../shared/data texts' if DATA.exists() else ''})")

        model_path = root / "tok.model"
        seconds, peak = train_measured(corpus, model_path, total)
        print(f"SentencePiece BPE training, {VOCAB_SIZE} pieces, one thread, "
              f"{total / 1e6:.0f} MB: {seconds:.0f} s ({total / 1e6 / seconds:.2f} MB/s), "
              f"peak memory {peak:.2f} GiB")
        tokenizer = Tokenizer.load(str(model_path))

        texts = crop_sized(distinct, ENCODE_TEXTS_MB * 1_000_000)
        size = sum(len(text.encode()) for text in texts)
        start = time.perf_counter()
        reference = hf_tokenizer(distinct)
        hf_seconds = time.perf_counter() - start
        processor = tokenizer._processor
        rates = {
            "SentencePiece encode (ceiling)": rate(
                lambda batch: processor.encode(batch, num_threads=1), texts),
            "ours: Tokenizer.encode_batch": rate(tokenizer.encode_batch, texts),
            "HF tokenizers byte-level BPE": rate(
                lambda batch: [e.ids for e in reference.encode_batch(batch)], texts),
        }
        print(f"HF tokenizers BPE training on the {distinct_mb:.1f} MB of distinct texts: "
              f"{hf_seconds:.0f} s")
        mb = size / 1e6
        print(f"encode rate on {mb:.1f} MB of the same texts cut to crops of at most "
              f"{CROP_BYTES} bytes, per CPU second of one core:")
        for label, value in rates.items():
            print(f"  {label:<34} {value:>10,.0f} tokens/s")
        wall_rate, cpu_rate, kept = loader_rate(corpus, tokenizer)
        verdict = "meets" if cpu_rate >= TARGET_LOADER_TOKENS_PER_CORE else "BELOW"
        print(f"loader (seq_len 2048, batch {LOADER_BATCH}, worker_count 0): "
              f"{wall_rate:,.0f} tokens/s wall, {cpu_rate:,.0f} tokens/s per CPU second "
              f"({verdict} the {TARGET_LOADER_TOKENS_PER_CORE:,} target); "
              f"{cpu_rate / rates['SentencePiece encode (ceiling)']:.0%} of SentencePiece's "
              f"encode rate; {kept:.0%} of the tokens tokenised reach a row (each group "
              "of 10 crops drops its last, shorter piece)")
