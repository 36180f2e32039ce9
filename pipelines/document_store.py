"""Text off the shuffle: documents stored once, compact records through the global stages.

:class:`StoreDocuments` ends the per-document stages: it writes every document (text,
metadata, signals) once to a spill file under ``<subset dir>/_work/``
(:mod:`massivetext.io.spill`; one file per up to :data:`DOCUMENTS_PER_FILE` documents of a
bundle, so the store is written in the fused per-document stage, by the worker that
already holds the text) and hands on a :class:`StoredDocument`: the id, the spill file,
the text's size, and the keys the global stages need, computed from the text before it
is dropped: the exact-duplicate key and the LSH band keys of the MinHash signature.

Exact and near-duplicate removal and test-set filtering then group only those compact
records; exact verification of a candidate pair reads the two texts back from their
spill files (:class:`ReadBack`, one read per file, grouped by file), so the shingle
hashes travel only for the documents that are in a candidate pair. The final write reads
the kept documents back by shard, and the removed ones by file for the samples.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from massivetext.pipelines.dedup import DEFAULT_SURVIVOR_SEED, exact_text_key, survivor_node
from massivetext.pipelines.filesystem import write_atomically

from massivetext.dedup.lsh import (
    DEFAULT_MIN_CANDIDATE_PROB,
    DEFAULT_THRESHOLD,
    band_keys,
    choose_bands,
)
from massivetext.dedup.minhash import (
    DEFAULT_NGRAM_SIZE,
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    MinHasher,
    shingle_hashes,
)
from massivetext.document import Document, Removed
from massivetext.io.spill import SPILL_DIRECTORY, read_spilled, spill_name, write_spill

# Our choice: 1,024 documents per spill file (one Arrow record batch), so a read-back
# of a few ids costs one batch and a worker holds at most that many texts while storing.
DOCUMENTS_PER_FILE = 1024


@dataclass(frozen=True)
class StoredDocument:
    """What the global stages see of a document once its text is stored.

    ``node`` is the survivor-order node of the dedup stages, (seeded rank, id, file):
    it orders as (rank, id) does, and it names the spill file so a candidate pair's
    texts can be read back without a join. ``bands`` are the LSH band keys of the
    document's MinHash signature (empty when it has no shingles).
    """

    node: tuple[int, str, str]
    num_bytes: int
    exact_key: bytes
    bands: tuple[bytes, ...]

    @property
    def id(self) -> str:
        return self.node[1]

    @property
    def file(self) -> str:
        return self.node[2]


def store_directory(subset_dir: str) -> str:
    return f"{subset_dir.rstrip('/')}/{SPILL_DIRECTORY}"


class _StoreDocuments(beam.DoFn):
    def __init__(self, directory: str, seed: int, ngram_size: int, num_perm: int,
                 minhash_seed: int, bands: int, rows: int):
        self._directory = directory
        self._seed = seed
        self._ngram_size = ngram_size
        self._num_perm = num_perm
        self._minhash_seed = minhash_seed
        self._bands = bands
        self._rows = rows

    def setup(self):
        self._hasher = MinHasher(self._num_perm, self._minhash_seed)

    def start_bundle(self):
        self._pending: list[Document] = []
        self._bundle_id = os.urandom(8).hex()  # a retried bundle writes new files
        self._part = 0

    def process(self, document: Document):
        self._pending.append(document)
        if len(self._pending) >= DOCUMENTS_PER_FILE:
            yield from self._flush()

    def finish_bundle(self):
        yield from self._flush()

    def _stored(self, document: Document, name: str) -> StoredDocument:
        hashes = shingle_hashes(document.text, self._ngram_size)
        bands = ()
        if hashes.size:
            bands = tuple(band_keys(self._hasher.signature(hashes), self._bands, self._rows))
        rank, document_id = survivor_node(document.id, self._seed)
        return StoredDocument((rank, document_id, name), document.num_bytes,
                              exact_text_key(document.text), bands)

    def _flush(self):
        if not self._pending:
            return
        name = spill_name(self._bundle_id, self._part)
        self._part += 1
        documents, self._pending = self._pending, []
        write_atomically(f"{self._directory}/{name}",
                         lambda file: write_spill(documents, file))
        for document in documents:
            yield WindowedValue(self._stored(document, name), MIN_TIMESTAMP, [GlobalWindow()])


class StoreDocuments(beam.PTransform):
    """PCollection[Document] -> PCollection[StoredDocument], each document's text and
    signals written once under ``directory`` (see the module docstring).

    ``seed`` is the survivor seed of the dedup stages; the MinHash parameters are those
    of near-duplicate removal and test-set filtering, which share the band keys.
    """

    def __init__(self, directory: str, seed: int = DEFAULT_SURVIVOR_SEED,
                 threshold: float = DEFAULT_THRESHOLD,
                 ngram_size: int = DEFAULT_NGRAM_SIZE, num_perm: int = DEFAULT_NUM_PERM,
                 min_candidate_prob: float = DEFAULT_MIN_CANDIDATE_PROB,
                 minhash_seed: int = DEFAULT_SEED):
        super().__init__()
        bands, rows = choose_bands(num_perm, threshold, min_candidate_prob)  # ValueError
        self._store = _StoreDocuments(directory, seed, ngram_size,
                                      num_perm, minhash_seed, bands, rows)

    def expand(self, documents):
        return documents | "Store" >> beam.ParDo(self._store)


def read_stored(directory: str, name: str, ids) -> list[Document]:
    """The documents ``ids`` of spill file ``name``, in id order."""
    with FileSystems.open(f"{directory}/{name}") as file:
        return list(read_spilled(file, set(ids)))


class _ReadBackFile(beam.DoFn):
    def __init__(self, directory: str, use):
        self._directory = directory
        self._use = use

    def process(self, item):
        name, entries = item
        by_id = defaultdict(list)
        for document_id, payload in entries:
            by_id[document_id].append(payload)
        for document in read_stored(self._directory, name, by_id):
            yield from self._use(document, by_id[document.id])


class ReadBack(beam.PTransform):
    """PCollection[(spill file, (id, payload))] -> what ``use(document, payloads)``
    yields for each stored document named, with all the payloads sent to it; the
    documents are read back one file at a time."""

    def __init__(self, directory: str, use):
        super().__init__()
        self._directory = directory
        self._use = use

    def expand(self, entries):
        return (entries
                | "By file" >> beam.GroupByKey()
                | "Read back" >> beam.ParDo(_ReadBackFile(self._directory, self._use)))


def _restore_removed(document: Document, removals):
    for stage, reasons, details in removals:
        yield Removed(stage, reasons, document, details)


class RestoreRemoved(beam.PTransform):
    """PCollection[Removed] -> the same removals, each whose document is a
    StoredDocument with its whole document read back from the store ``directory``
    (for the removed samples and ``--keep-removed all``)."""

    def __init__(self, directory: str):
        super().__init__()
        self._directory = directory

    def expand(self, removed):
        parts = removed | "Stored or whole" >> beam.Partition(
            lambda removal, _: int(isinstance(removal.document, StoredDocument)), 2)
        restored = (parts[1]
                    | "By file" >> beam.Map(lambda removal: (removal.document.file, (
                        removal.document.id,
                        (removal.stage, removal.reasons, removal.details))))
                    | "Read back" >> ReadBack(self._directory, _restore_removed))
        return (parts[0], restored) | "All" >> beam.Flatten()


class RemoveStore(beam.PTransform):
    """PCollection of anything written after the last read-back -> deletes the store
    directory once that PCollection is complete (an empty one included)."""

    def __init__(self, directory: str):
        super().__init__()
        self._directory = directory

    def expand(self, done):
        directory = self._directory

        def remove(_):
            if FileSystems.exists(directory):
                FileSystems.delete([directory])
            return directory

        return (done
                | "Count" >> beam.combiners.Count.Globally()
                | "Remove" >> beam.Map(remove))
