"""LSH band buckets from compact batches: the band keys of many documents per element.

Near dedup and test-set filtering find candidates by grouping the training documents'
LSH band keys (16 per document). One ``(band key, node)`` element per band made the
band grouping the largest shuffle of the job and, on Beam's local runner, which decodes
every grouped value into Python objects, about 430 bytes held per band key (7 KB per
document per grouping). Here a DoFn batches :data:`BATCH_DOCUMENTS` documents and
emits:

- one *table* per batch: the batch's survivor nodes ``[[rank, id, file], ...]`` as a
  JSON file ``nodes-<batch id>.json`` in the document store, written once and never
  shuffled;
- per band partition (:data:`PARTITIONS`, by the band hash), one element
  ``(partition, (batch id, packed entries))``: for every band key of the batch that
  falls in the partition, its band index, hash, the document's rank and its index in
  the table, 22 bytes (:data:`ENTRY`).

A partition's group is unpacked with NumPy, sorted by (band, hash), and each run of
equal keys is a band bucket whose members are *refs* ``(rank, batch id, index)``;
they order as the nodes do (rank first; two documents of one bucket with the same
63-bit rank, about 2^-63 per pair, tie by position instead of id). Candidate refs are
resolved to nodes by grouping them by batch and reading the batch's table
(:class:`ResolveRefs`), so only documents in a candidate pair pay for their id. Every
candidate is still verified exactly afterwards, so a ref can never remove a document on its own.

The test documents' band keys are batched the same way (:class:`BatchTestBands`: the
table holds test refs, the rank is 0), so a test document's 16 keys are not 16 elements
that each carry its test set, id and spill file; on the generated sample, whose test set
is a tenth of its pages, they were most of the band grouping.
"""

from __future__ import annotations

import json
import os

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems
from massivetext.pipelines.document_store import BundleBatches, windowed
from massivetext.pipelines.filesystem import write_atomically

from massivetext.dedup.buckets import bucket_pairs

# Our choices: 4,096 documents per batch bound what a worker buffers (about 90 bytes
# of table and 350 of entries each); 1,024 partitions keep a group of 10^9 documents'
# band keys near 350 MB while a local run of 10^4 documents sends a quarter of an
# element per document.
BATCH_DOCUMENTS = 4096
PARTITIONS = 1024
# A band key (massivetext.dedup.lsh.band_keys): band index, then the band's hash.
BAND_KEY = np.dtype([("band", ">u2"), ("hash", ">u8")])
ENTRY = np.dtype([("band", ">u2"), ("hash", ">u8"), ("rank", ">u8"), ("index", ">u4")])


def band_key_entries(band_bytes: bytes) -> np.ndarray:
    """Concatenated 10-byte band keys -> a BAND_KEY array."""
    return np.frombuffer(band_bytes, dtype=BAND_KEY)


def table_path(store: str, batch_id: str) -> str:
    return f"{store}/nodes-{batch_id}.json"


def partitioned(entries: np.ndarray, keys: np.ndarray, count: int, name: str):
    """Packed ``entries`` split by partition (``keys`` modulo ``count``) -> one
    (partition, (name, packed entries)) WindowedValue per partition that has any."""
    partitions = (keys % np.uint64(count)).astype(np.int64)
    order = np.argsort(partitions, kind="stable")
    entries, partitions = entries[order], partitions[order]
    starts = np.flatnonzero(np.diff(partitions, prepend=-1))
    for start, end in zip(starts, [*starts[1:], len(entries)], strict=True):
        yield windowed((int(partitions[start]), (name, entries[start:end].tobytes())))


def _pack_batch(store: str, nodes: list[list], ranks: list[int], band_bytes: list[bytes]):
    """One batch's table (``nodes``) written to ``store``, and its band keys as
    (partition, (batch id, packed ENTRY array)) per partition."""
    batch_id = os.urandom(8).hex()  # a retried bundle emits a new batch
    table = json.dumps(nodes)  # ASCII: any id
    write_atomically(table_path(store, batch_id), table.encode("ascii"))
    keys = [band_key_entries(bands) for bands in band_bytes]
    counts = [len(k) for k in keys]
    entries = np.empty(sum(counts), dtype=ENTRY)
    entries["band"] = np.concatenate([k["band"] for k in keys])
    entries["hash"] = np.concatenate([k["hash"] for k in keys])
    entries["rank"] = np.repeat(np.array(ranks, dtype=np.uint64), counts)
    entries["index"] = np.repeat(np.arange(len(nodes)), counts)
    yield from partitioned(entries, entries["hash"], PARTITIONS, batch_id)


class _BatchBands(BundleBatches):
    """StoredDocuments -> (partition, (batch id, packed entries)); each batch's table
    is written to the store."""

    size = BATCH_DOCUMENTS

    def __init__(self, store: str):
        self._store = store

    def process(self, document):
        if document.band_bytes:
            yield from super().process(document)

    def flush(self, pending):
        yield from _pack_batch(self._store, [list(document.node) for document in pending],
                               [document.node[0] for document in pending],
                               [document.band_bytes for document in pending])


class _BatchTestBands(BundleBatches):
    """(test ref, TestDocument) -> (partition, (batch id, packed entries)) of the test
    documents' band keys (rank 0), each batch's table of test refs written to the store."""

    size = BATCH_DOCUMENTS

    def __init__(self, store: str, signer):
        self._store = store
        self._signer = signer

    def process(self, item):
        test_ref, document = item
        bands = b"".join(self._signer.band_keys(self._signer.shingles(document.text)))
        if bands:
            yield from super().process((test_ref, bands))

    def flush(self, pending):
        yield from _pack_batch(self._store, [list(test_ref) for test_ref, _ in pending],
                               [0] * len(pending), [bands for _, bands in pending])


class BatchTestBands(beam.PTransform):
    """PCollection[(test ref, TestDocument)] -> PCollection[(partition, (batch id, packed
    ENTRY array))] of their band keys under ``signer``
    (:class:`massivetext.dedup.lsh.BandSigner`), batched as the training documents'
    are; a crossing's test ref is resolved from its batch's table (:class:`ResolveRefs`)."""

    def __init__(self, store: str, signer):
        super().__init__()
        self._store = store
        self._signer = signer

    def expand(self, tests):
        return tests | "Batch" >> beam.ParDo(_BatchTestBands(self._store, self._signer))


class GroupBands(beam.PTransform):
    """{"train": PCollection[StoredDocument], and optionally "test": the test documents'
    :class:`BatchTestBands`} -> PCollection[(partition, {"train": (batch id, packed
    entries) values, "test": the same of the test documents})]: the training documents'
    band batches (:class:`BatchBands`, tables written to ``store``) and the test
    documents' grouped by band partition in one shuffle, which near dedup
    (:func:`partition_pairs`) and test-set filtering (:func:`test_crossings`) both read."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, inputs):
        grouped = {"train": inputs["train"] | "Batch bands" >> BatchBands(self._store)}
        if "test" in inputs:
            grouped["test"] = inputs["test"]
        return grouped | "Group bands" >> beam.CoGroupByKey()


class BatchBands(beam.PTransform):
    """PCollection[StoredDocument] -> PCollection[(partition, (batch id, packed ENTRY
    array))], each batch's table written to the document store ``store``; documents
    without band keys (no shingles) take part in no bucket."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, documents):
        return documents | "Batch" >> beam.ParDo(_BatchBands(self._store))


def unpacked(values, dtype: np.dtype) -> tuple[np.ndarray, list[str], np.ndarray]:
    """A partition's (name, packed entries) values (:func:`partitioned`'s) -> (the entries
    in native byte order, the names, each entry's name number)."""
    arrays, names, numbers = [], [], []
    for name, packed in values:
        array = np.frombuffer(packed, dtype=dtype)
        numbers.append(np.full(len(array), len(names), dtype=np.int64))
        names.append(name)
        arrays.append(array)
    native = dtype.newbyteorder("=")
    if not arrays:
        return np.empty(0, dtype=native), names, np.empty(0, dtype=np.int64)
    return np.concatenate(arrays).astype(native), names, np.concatenate(numbers)


def unpack_entries(batches) -> tuple[np.ndarray, list[str], np.ndarray]:
    """A partition's (batch id, packed entries) values -> (entries sorted by band key,
    the batch ids, each entry's batch number)."""
    entries, batch_ids, batch_numbers = unpacked(batches, ENTRY)
    order = np.lexsort((entries["hash"], entries["band"]))
    return entries[order], batch_ids, batch_numbers[order]


def _refs(entries, batch_ids, batch_numbers, start, end):
    return [(int(entries["rank"][i]), batch_ids[batch_numbers[i]], int(entries["index"][i]))
            for i in range(start, end)]


def bucket_runs(entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of equal band keys in sorted entries."""
    if not len(entries):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    new = np.ones(len(entries), dtype=bool)
    new[1:] = (entries["band"][1:] != entries["band"][:-1]) | (
        entries["hash"][1:] != entries["hash"][:-1])
    starts = np.flatnonzero(new)
    return starts, np.append(starts[1:], len(entries))


def partition_pairs(item, max_all_pairs: int):
    """A partition of :class:`GroupBands` -> the candidate ref pairs of its training
    documents' band buckets (:func:`massivetext.dedup.buckets.bucket_pairs`), and a
    ``star`` output per bucket too large for all pairs."""
    _, grouped = item
    entries, batch_ids, batch_numbers = unpack_entries(grouped["train"])
    starts, ends = bucket_runs(entries)
    shared = ends - starts > 1
    for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        if end - start > max_all_pairs:
            yield beam.pvalue.TaggedOutput("star", 1)
        yield from bucket_pairs(_refs(entries, batch_ids, batch_numbers, start, end),
                                max_all_pairs)


def test_crossings(item):
    """A partition of :class:`GroupBands` -> (train ref, test batch ref) for every
    training document sharing a band bucket with a test document; a test batch ref is
    (0, batch id, index), resolved to the test ref by :class:`ResolveRefs`."""
    _, grouped = item
    tests, test_batch_ids, test_numbers = unpack_entries(grouped["test"])
    if not len(tests):
        return
    by_key: dict[tuple[int, int], list] = {}
    for band, band_hash, batch_ref in zip(tests["band"].tolist(), tests["hash"].tolist(),
                                          _refs(tests, test_batch_ids, test_numbers, 0,
                                                len(tests)), strict=True):
        by_key.setdefault((band, band_hash), []).append(batch_ref)
    entries, batch_ids, batch_numbers = unpack_entries(grouped["train"])
    for i in np.flatnonzero(np.isin(entries["hash"], tests["hash"])).tolist():
        for test_ref in by_key.get((int(entries["band"][i]), int(entries["hash"][i])), ()):
            yield _refs(entries, batch_ids, batch_numbers, i, i + 1)[0], test_ref


class _ReadTable(beam.DoFn):
    def __init__(self, store: str):
        self._store = store

    def process(self, item):
        batch_id, refs = item
        with FileSystems.open(table_path(self._store, batch_id)) as file:
            nodes = json.loads(file.read())
        for index, payload in refs:
            yield tuple(nodes[index]), payload


class ResolveRefs(beam.PTransform):
    """PCollection[(ref, payload)] -> PCollection[(node, payload)], each ref replaced
    by its document's survivor node, read from its batch's table in ``store``."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, refs):
        return (refs
                | "By batch" >> beam.Map(lambda kv: (kv[0][1], (kv[0][2], kv[1])))
                | "Group by batch" >> beam.GroupByKey()
                | "Read table" >> beam.ParDo(_ReadTable(self._store)))


def _ordered(pair):
    left, right = pair
    return (left, right) if left < right else (right, left)


class ResolvePairs(beam.PTransform):
    """PCollection[(ref, ref)] -> PCollection[(node, node)], smaller node first."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, pairs):
        return (pairs
                | "Left" >> ResolveRefs(self._store)
                | "Swap" >> beam.Map(lambda kv: (kv[1], kv[0]))
                | "Right" >> ResolveRefs(self._store)
                | "Order" >> beam.Map(_ordered))
