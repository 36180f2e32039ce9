"""The bundled SentencePiece tokenizer (Gopher Section 3.1, Appendix A.2 and A.4).

What the trainer uses (docs/tokenizer.md says why each choice was made):

- ``Tokenizer.load(path)`` reads a tokenizer file (local, ``gs://``, ``s3://``);
  ``.encode(text) -> list[int]``, ``.encode_batch(texts, num_threads=1)`` -> one int32
  NumPy array per text, ``.decode(ids) -> str``, ``.vocab_size``, ``.provenance`` (the
  runs, manifest hashes, options and seed it was trained with).
- Reserved ids, the same in every model: ``pad_id`` 0, ``bos_id`` 1, ``eos_id`` 2,
  ``unk_id`` 3 (never emitted: byte fallback covers every character), byte pieces at
  4..259. Encoding adds no BOS/EOS; the sequence builder does.
- Lossless by default: ``decode(encode(s)) == s`` for every UTF-8 encodable string
  (identity normalization, no dummy prefix, whitespace kept, byte fallback).
- ``train_tokenizer(runs, TokenizerOptions(...), weights)`` trains on a seeded,
  byte-budgeted sample of curated shards; ``bytes_per_token`` measures Table A2.

Modules: ``tokenizer`` (the class), ``model_file`` (provenance inside the model file),
``training`` (sampling and SentencePiece training), ``compression`` (Table A2).
"""

from massivetext.tokenizer.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, Tokenizer
from massivetext.tokenizer.training import TokenizerOptions, train_tokenizer

__all__ = ["BOS_ID", "EOS_ID", "PAD_ID", "UNK_ID", "Tokenizer", "TokenizerOptions",
           "train_tokenizer"]
