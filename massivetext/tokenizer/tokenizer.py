"""The Tokenizer: a trained SentencePiece model, lossless, with fixed reserved ids.

Reserved ids are the same in every model this package trains: :data:`PAD_ID` 0 (never
produced by encoding; zero-filled buffers read as padding), :data:`BOS_ID` 1,
:data:`EOS_ID` 2, :data:`UNK_ID` 3 (byte fallback means encoding never emits it), then
the 256 byte pieces ``<0x00>``..``<0xFF>`` at ids 4..259, then the learned pieces.

Lossless: with the default ``identity`` normalization ``decode(encode(s)) == s`` for
every string that UTF-8 can encode (Python strings with lone surrogates cannot be).
SentencePiece alone is lossless for everything but one character: it writes spaces as
U+2581 (``▁``) and decodes every ``▁`` back to a space, so a literal ``▁`` would come
back as a space. :meth:`Tokenizer.encode` therefore encodes a literal ``▁`` as its
three byte pieces, which decode to the character itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import sentencepiece

from massivetext.io.shard_reader import read_file
from massivetext.tokenizer.model_file import split_provenance

PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
PAD_PIECE, BOS_PIECE, EOS_PIECE, UNK_PIECE = "<pad>", "<s>", "</s>", "<unk>"
RESERVED_PIECES = {PAD_ID: PAD_PIECE, BOS_ID: BOS_PIECE, EOS_ID: EOS_PIECE, UNK_ID: UNK_PIECE}
SPACE_SYMBOL = "\u2581"  # SentencePiece's stand-in for a space


class Tokenizer:
    """Encode text to ids and back with a model trained by :func:`train_tokenizer`."""

    def __init__(self, model: bytes):
        self.model_bytes = model
        body, self.provenance = split_provenance(model)
        self._processor = sentencepiece.SentencePieceProcessor()
        try:
            self._processor.load_from_serialized_proto(body)
        except RuntimeError as error:
            raise ValueError(f"not a SentencePiece model: {error}") from None
        if self._processor.get_piece_size() < len(RESERVED_PIECES):
            raise ValueError("not a SentencePiece model (no pieces)")
        found = {index: self._processor.id_to_piece(index) for index in RESERVED_PIECES}
        if found != RESERVED_PIECES:
            raise ValueError(f"not a MassiveText tokenizer: reserved ids are {found}, "
                             f"expected {RESERVED_PIECES}")
        self._space_bytes = [self._processor.piece_to_id(f"<0x{byte:02X}>")
                             for byte in SPACE_SYMBOL.encode("utf-8")]
        if UNK_ID in self._space_bytes:
            raise ValueError("not a MassiveText tokenizer: it has no byte fallback pieces")

    @classmethod
    def load(cls, path: str) -> Tokenizer:
        """Read a tokenizer file from a local path or a URI pyarrow knows (gs://, s3://)."""
        return cls(read_file(path))

    pad_id, bos_id, eos_id, unk_id = PAD_ID, BOS_ID, EOS_ID, UNK_ID

    @property
    def vocab_size(self) -> int:
        return self._processor.get_piece_size()

    def id_to_piece(self, token: int) -> str:
        return self._processor.id_to_piece(int(token))

    def encode(self, text: str) -> list[int]:
        """The ids of ``text``, without BOS or EOS."""
        if SPACE_SYMBOL not in text:
            return self._processor.encode(text)
        return self._join_space_symbols(self._processor.encode(text.split(SPACE_SYMBOL)))

    def encode_batch(self, texts: Sequence[str], num_threads: int = 1) -> list[np.ndarray]:
        """The ids of each text as an int32 array; ``num_threads`` encode in parallel."""
        plain = [SPACE_SYMBOL not in text for text in texts]
        encoded = self._processor.encode(
            [text for text, ok in zip(texts, plain, strict=True) if ok], num_threads=num_threads)
        plain_ids = iter(encoded)
        return [np.asarray(next(plain_ids) if ok else self.encode(text), dtype=np.int32)
                for text, ok in zip(texts, plain, strict=True)]

    def _join_space_symbols(self, pieces: list[list[int]]) -> list[int]:
        ids = list(pieces[0])
        for part in pieces[1:]:
            ids += self._space_bytes
            ids += part
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """The text of ``ids``; reserved ids (PAD, BOS, EOS) decode to nothing."""
        ids = ids.tolist() if isinstance(ids, np.ndarray) else [int(token) for token in ids]
        return self._processor.decode(ids)
