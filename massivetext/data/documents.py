"""Random access to the documents of one curated subset, across all its shards.

Document ``i`` of a subset is row ``i`` of its shards taken in name order; the row counts
come from ``manifest.json``, so nothing is opened until a document is asked for, and the
first document of a 1 TB subset is read after opening one shard. At most
:data:`OPEN_SHARDS` shards are open at a time.

:class:`DocumentSource` follows Grain's ``RandomAccessDataSource`` protocol
(``__len__``, ``__getitem__``), so ``grain.MapDataset.source(DocumentSource(subset))``
gives a Grain pipeline over curated documents.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from massivetext.io.shard_reader import CuratedSubset, ShardReader, open_shard

# Our choice: enough open shards that random draws rarely reopen one, few enough
# that file handles and cached record batches stay bounded.
OPEN_SHARDS = 64


class DocumentSource:
    """The documents of one curated subset, by index: ``len``, ``[i]``, bytes of ``i``."""

    def __init__(self, subset: CuratedSubset, open_shards: int = OPEN_SHARDS):
        self.subset = subset
        self._shards = [shard for shard in subset.shards if shard["rows"]]
        self._starts = np.concatenate(
            [[0], np.cumsum([shard["rows"] for shard in self._shards], dtype=np.int64)])
        self._open: OrderedDict[int, ShardReader] = OrderedDict()
        self._open_limit = open_shards

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _reader(self, index: int) -> tuple[ShardReader, int]:
        if not 0 <= index < len(self):
            raise IndexError(f"document {index} out of range for {len(self)} documents")
        shard = int(np.searchsorted(self._starts, index, side="right")) - 1
        reader = self._open.get(shard)
        if reader is None:
            reader = self._open[shard] = open_shard(self.subset.shard_path(self._shards[shard]))
            expected = self._shards[shard]["rows"]
            if reader.num_rows != expected:
                raise ValueError(f"{self.subset.shard_path(self._shards[shard])} has "
                                 f"{reader.num_rows} rows, its manifest says {expected}")
            if len(self._open) > self._open_limit:
                self._open.popitem(last=False)
        else:
            self._open.move_to_end(shard)
        return reader, index - int(self._starts[shard])

    def text_bytes(self, index: int) -> np.ndarray:
        """Document ``index``'s UTF-8 text as a read-only uint8 array (no copy, no decode)."""
        reader, row = self._reader(index)
        return reader.text_bytes(row)

    def document_id(self, index: int) -> str:
        reader, row = self._reader(index)
        return reader.document_id(row)

    def __getitem__(self, index: int) -> dict:
        return {"id": self.document_id(index),
                "text": self.text_bytes(index).tobytes().decode("utf-8")}
