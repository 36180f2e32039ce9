"""Text off the shuffle: documents stored once, compact records through the global stages.

:class:`StoreDocuments` ends the per-document stages: it writes every document (text,
metadata, signals) once to a spill file under ``<subset dir>/_work/``
(:mod:`massivetext.io.spill`; one file per up to :data:`DOCUMENTS_PER_FILE` documents of a
bundle, so the store is written in the fused per-document stage, by the worker that
already holds the text) and hands on a :class:`StoredDocument`: the id, the spill file,
the text's size and its row in the file. The keys the global stages need, computed from
the text before it is dropped (the exact-duplicate key and the LSH band keys of the
MinHash signature), go only into the file's key table, written beside it with the same
records (:func:`store_keys`; read back by :func:`read_keys` and :func:`read_key_column`):
the stages that group keys read them file by file, so the records Beam's local runner
holds between stages stay small (about 180 bytes a document, where the keys made 356).

Exact and near-duplicate removal and test-set filtering then group only compact
records, most documents only as a row number of their file
(:mod:`massivetext.pipelines.file_tables`); exact verification of a candidate pair reads
the two texts back from their spill files (:class:`ReadBack`, one read per file,
grouped by file), so texts travel only for the documents that are in a candidate pair.
The final write reads the kept documents back by shard, and the removed ones by file
for the samples.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.join_check import CountedGroupByKey

from massivetext.dedup.exact import exact_text_key
from massivetext.dedup.lsh import (
    DEFAULT_MIN_CANDIDATE_PROB,
    DEFAULT_THRESHOLD,
    BandSigner,
)
from massivetext.dedup.minhash import DEFAULT_NGRAM_SIZE, DEFAULT_NUM_PERM, DEFAULT_SEED
from massivetext.dedup.survivors import DEFAULT_SURVIVOR_SEED, survivor_node
from massivetext.document import Document, Removed
from massivetext.io.spill import (
    SPILL_DIRECTORY,
    key_table_name,
    read_key_table,
    read_spilled,
    read_spilled_rows,
    spill_name,
    write_key_table,
    write_spill,
)

# Our choice: 1,024 documents per spill file (one Arrow record batch), so a read-back
# of a few ids costs one batch and a worker holds at most that many texts while storing.
DOCUMENTS_PER_FILE = 1024
BAND_KEY_BYTES = 10  # massivetext.dedup.lsh.band_keys: band index (2 bytes), hash (8)


class StoredDocument(NamedTuple):
    """What the global stages see of a document once its text is stored.

    ``node`` is the survivor-order node of the dedup stages, (seeded rank, id, file):
    it orders as (rank, id) does, and it names the spill file so a candidate pair's
    texts can be read back without a join. ``banded``: whether the document has LSH
    band keys (a text without shingles has none); the keys themselves are in the key
    table (:func:`read_key_column`).

    A named tuple of plain values, not a dataclass: it is smaller to encode. The
    grouping stages shuffle only the file and row of most documents
    (:mod:`massivetext.pipelines.file_tables`).
    """

    node: tuple[int, str, str]
    num_bytes: int
    row: int = 0  # its row in the spill file (rows sorted by id) and in its key table
    banded: bool = False

    @property
    def id(self) -> str:
        return self.node[1]

    @property
    def file(self) -> str:
        return self.node[2]


def store_directory(subset_dir: str) -> str:
    return f"{subset_dir.rstrip('/')}/{SPILL_DIRECTORY}"


def store_keys(directory: str, name: str, stored: list[StoredDocument],
               exact_keys: list[bytes], band_bytes: list[bytes]) -> None:
    """The key table of spill file ``name`` (:mod:`massivetext.io.spill`), from its
    documents' records, exact keys and concatenated band keys (:data:`BAND_KEY_BYTES`
    each), in row order."""
    columns = {"id": [document.id for document in stored],
               "rank": [document.node[0] for document in stored],
               "num_bytes": [document.num_bytes for document in stored],
               "exact_key": exact_keys, "band_bytes": band_bytes}
    write_atomically(f"{directory}/{key_table_name(name)}",
                     lambda file: write_key_table(columns, file))


def _key_columns(directory: str, name: str, columns: tuple[str, ...]) -> dict[str, list]:
    with FileSystems.open(f"{directory}/{key_table_name(name)}") as file:
        return read_key_table(file, columns)


def read_keys(directory: str, name: str) -> list[StoredDocument]:
    """The records of every document of spill file ``name``, by row, from its key table."""
    columns = _key_columns(directory, name, ("id", "rank", "num_bytes", "band_bytes"))
    return [StoredDocument((rank, document_id, name), num_bytes, row, bool(band_bytes))
            for row, (document_id, rank, num_bytes, band_bytes) in enumerate(zip(
                columns["id"], columns["rank"], columns["num_bytes"], columns["band_bytes"],
                strict=True))]


def by_file(documents) -> dict[str, list[StoredDocument]]:
    """StoredDocuments by spill file, in their order within each file's list."""
    grouped = defaultdict(list)
    for document in documents:
        grouped[document.file].append(document)
    return grouped


def read_key_column(directory: str, name: str, column: str) -> list:
    """One column of spill file ``name``'s key table, by row (``exact_key`` and
    ``band_bytes`` for the stages that group them, ``id`` to name a survivor)."""
    return _key_columns(directory, name, (column,))[column]


def windowed(value) -> WindowedValue:
    """``value`` in the global window, for output from ``finish_bundle``."""
    return WindowedValue(value, MIN_TIMESTAMP, [GlobalWindow()])


class BundleBatches(beam.DoFn):
    """Buffers the elements of a bundle and hands them to :meth:`flush` :attr:`size` at a
    time, and the rest when the bundle ends; what ``flush`` yields is the output (as
    WindowedValues: it may run in ``finish_bundle``)."""

    size = DOCUMENTS_PER_FILE

    def flush(self, pending: list):
        raise NotImplementedError

    def start_bundle(self):
        self._pending: list = []

    def process(self, element):
        self._pending.append(element)
        if len(self._pending) >= self.size:
            yield from self._flush()

    def finish_bundle(self):
        yield from self._flush()

    def _flush(self):
        if self._pending:
            pending, self._pending = self._pending, []
            yield from self.flush(pending)


class SpillDocuments(BundleBatches):
    """Writes the documents of a bundle DOCUMENTS_PER_FILE at a time; each element is
    handed on (:meth:`handed_on`) once its document is written. Elements without a
    document to write (:meth:`document_of` is None) pass through."""

    def __init__(self, directory: str):
        self._directory = directory

    def document_of(self, element) -> Document | None:
        return element

    def handed_on(self, element, document: Document, name: str, row: int):
        """What is handed on for ``element``, its document written to row ``row`` of
        spill file ``name``."""
        raise NotImplementedError

    def start_bundle(self):
        super().start_bundle()
        self._bundle_id = os.urandom(8).hex()  # a retried bundle writes new files
        self._part = 0

    def process(self, element):
        document = self.document_of(element)
        if document is None:
            yield element
        else:
            yield from super().process((element, document))

    def flush(self, pending):
        name = spill_name(self._bundle_id, self._part)
        self._part += 1
        pending = sorted(pending, key=lambda entry: entry[1].id)  # the spill file's rows
        write_atomically(f"{self._directory}/{name}",
                         lambda file: write_spill([document for _, document in pending], file))
        for row, (element, document) in enumerate(pending):
            yield windowed(self.handed_on(element, document, name, row))


class _StoreDocuments(SpillDocuments):
    def __init__(self, directory: str, seed: int, signer: BandSigner):
        super().__init__(directory)
        self._seed = seed
        self._signer = signer

    def handed_on(self, element, document: Document, name: str, row: int) -> StoredDocument:
        bands = b"".join(self._signer.band_keys(self._signer.shingles(document.text)))
        self._exact_keys.append(exact_text_key(document.text))
        self._band_bytes.append(bands)
        rank, document_id = survivor_node(document.id, self._seed)
        return StoredDocument((rank, document_id, name), document.num_bytes, row, bool(bands))

    def flush(self, pending):
        self._exact_keys, self._band_bytes = [], []  # filled by handed_on, in row order
        stored = list(super().flush(pending))
        name = stored[0].value.file
        store_keys(self._directory, name, [value.value for value in stored],
                   self._exact_keys, self._band_bytes)
        yield from stored


class _StoreRemoved(SpillDocuments):
    def document_of(self, removal: Removed) -> Document | None:
        return None if isinstance(removal.document, StoredDocument) else removal.document

    def handed_on(self, removal: Removed, document: Document, name: str, row: int) -> Removed:
        # Removed documents get no dedup keys (and no key table): they take part in no
        # grouping.
        stored = StoredDocument((0, document.id, name), document.num_bytes, row)
        return dataclasses.replace(removal, document=stored)


class StoreRemoved(beam.PTransform):
    """PCollection[Removed] -> the same removals, each removed document written to the
    store ``directory`` and replaced by a StoredDocument (apply it to each stage's
    removals, so it runs fused with the stage: no removed text is held or shuffled;
    :class:`RestoreRemoved` reads back the ones a sample or ``--keep-removed all``
    needs)."""

    def __init__(self, directory: str):
        super().__init__()
        self._directory = directory

    def expand(self, removed):
        return removed | "Store" >> beam.ParDo(_StoreRemoved(self._directory))


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
        self._store = _StoreDocuments(directory, seed, BandSigner.for_threshold(  # ValueError
            ngram_size, num_perm, minhash_seed, threshold, min_candidate_prob))

    def expand(self, documents):
        return documents | "Store" >> beam.ParDo(self._store)


def iter_stored_rows(directory: str, name: str, rows) -> Iterator[Document]:
    """The documents at ``rows`` of spill file ``name`` (its rows are sorted by id, so
    in id order), read one record batch at a time as the caller advances."""
    with FileSystems.open(f"{directory}/{name}") as file:
        yield from read_spilled_rows(file, rows)


def read_stored(directory: str, name: str, ids) -> list[Document]:
    """The documents ``ids`` of spill file ``name``, in id order."""
    with FileSystems.open(f"{directory}/{name}") as file:
        return list(read_spilled(file, set(ids)))


class _ReadBackFile(beam.DoFn):
    def __init__(self, directory: str, use):
        self._directory = directory
        self._use = use
        # Ids asked of a spill file that does not hold them (none should be): counted,
        # so a lost document shows in the run's counters rather than nowhere.
        self._missing = Metrics.counter("massivetext.document_store", "missing_documents")

    def process(self, item, *side_inputs):
        name, entries = item
        by_id = defaultdict(list)
        for document_id, payload in entries:
            by_id[document_id].append(payload)
        found = set()
        for document in read_stored(self._directory, name, by_id):
            found.add(document.id)
            yield from self._use(document, by_id[document.id], *side_inputs)
        if len(found) < len(by_id):
            self._missing.inc(len(by_id) - len(found))


class ReadBack(beam.PTransform):
    """PCollection[(spill file, (id, payload))] -> what ``use(document, payloads,
    *side_inputs)`` yields for each stored document named, with all the payloads sent to
    it; the documents are read back one file at a time."""

    def __init__(self, directory: str, use, *side_inputs):
        super().__init__()
        self._directory = directory
        self._use = use
        self._side_inputs = side_inputs

    def expand(self, entries):
        return (entries
                | "By file" >> CountedGroupByKey()
                | "Read back" >> beam.ParDo(_ReadBackFile(self._directory, self._use),
                                            *self._side_inputs))


def _restore_removed(document: Document, removals):
    for removal in removals:
        yield dataclasses.replace(removal, document=document)


class RestoreRemoved(beam.PTransform):
    """PCollection[Removed] with StoredDocuments -> the same removals with their whole
    documents, read back from the store ``directory`` file by file."""

    def __init__(self, directory: str):
        super().__init__()
        self._directory = directory

    def expand(self, removed):
        return (removed
                | "By file" >> beam.Map(lambda removal: (removal.document.file, (
                    removal.document.id, removal)))
                | "Read back" >> ReadBack(self._directory, _restore_removed))


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
