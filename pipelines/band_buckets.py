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
  falls in the partition, its *grouping key* (the band's hash mixed with its band
  index, :func:`grouping_keys`) and the document's index in the table (:data:`ENTRY`),
  packed in 9 bytes (:data:`PACKED_ENTRY`): the key's low byte is the partition's, so
  it is dropped on the way and restored from the partition number.

A partition's group is unpacked with NumPy, sorted by grouping key, and each run of
equal keys is a band bucket whose members are *refs* ``(batch id, index)``. A bucket
of at most ``max_all_pairs`` members proposes all its pairs, which need no order; a
larger one proposes a star around its smallest node, so its members (rare: buckets of
boilerplate shared by many pages) go through :class:`StarPairs`, which reads their
nodes first. Candidate refs are resolved to nodes by grouping them by batch and
reading the batch's table (:class:`ResolveRefs`), so only documents in a candidate pair
pay for their id and rank. Every candidate is still verified exactly afterwards, so a
ref can never remove a document on its own, and two band keys that share a grouping
key (2^-64 per pair) only propose a pair that verification rejects.

The test documents' band keys are batched the same way (:class:`BatchTestBands`: the
table holds test refs), so a test document's 16 keys are not 16 elements
that each carry its test set, id and spill file; on the generated sample, whose test set
is a tenth of its pages, they were most of the band grouping.

Before, an entry also held the band index apart and the document's rank (22 bytes),
so that a star's centre could be chosen in the partition; the band grouping was the
largest shuffle of the generated sample.
"""

from __future__ import annotations

import json
import os

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems
from massivetext.pipelines.document_store import (
    BundleBatches,
    by_file,
    read_key_column,
    windowed,
)
from massivetext.pipelines.filesystem import write_atomically
from massivetext.pipelines.join_check import CountedCoGroupByKey, CountedGroupByKey

from massivetext.dedup.buckets import bucket_pairs

# Our choices: 4,096 documents per batch bound what a worker buffers (about 90 bytes
# of table and 160 of entries each; at most 2^16, the entries' index); 1,024
# partitions keep a group of 10^9 documents' band keys near 160 MB while a local run
# of 10^4 documents sends a quarter of an element per document.
BATCH_DOCUMENTS = 4096
PARTITIONS = 1024
# A band key (massivetext.dedup.lsh.band_keys): band index, then the band's hash.
BAND_KEY = np.dtype([("band", ">u2"), ("hash", ">u8")])
ENTRY = np.dtype([("key", ">u8"), ("index", ">u2")])
# An entry as shuffled: the grouping key without its low byte (every key of a partition
# has the same low byte, as PARTITIONS is a multiple of 256), then the index.
PACKED_ENTRY = np.dtype([("key_high", "u1", (7,)), ("index", ">u2")])
assert PARTITIONS % 256 == 0
# Odd, so band * _BAND_MIX differs for every band index (mod 2^64): 2^64 / golden ratio.
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)


def grouping_keys(band_bytes: bytes) -> np.ndarray:
    """Concatenated 10-byte band keys -> one uint64 per key: its hash XOR its band
    index times :data:`_BAND_MIX`, so equal hashes of different bands part."""
    keys = np.frombuffer(band_bytes, dtype=BAND_KEY)
    return keys["hash"].astype(np.uint64) ^ (keys["band"].astype(np.uint64) * _BAND_MIX)


def table_path(store: str, batch_id: str) -> str:
    return f"{store}/nodes-{batch_id}.json"


def partitioned(entries: np.ndarray, keys: np.ndarray, count: int, name: str,
                pack=lambda entries: entries):
    """Packed ``entries`` split by partition (``keys`` modulo ``count``) -> one
    (partition, (name, packed entries)) WindowedValue per partition that has any;
    ``pack`` turns a partition's entries into the records shuffled."""
    partitions = (keys % np.uint64(count)).astype(np.int64)
    order = np.argsort(partitions, kind="stable")
    entries, partitions = entries[order], partitions[order]
    starts = np.flatnonzero(np.diff(partitions, prepend=-1))
    for start, end in zip(starts, [*starts[1:], len(entries)], strict=True):
        yield windowed((int(partitions[start]), (name, pack(entries[start:end]).tobytes())))


def packed_entries(entries: np.ndarray) -> np.ndarray:
    """ENTRY records -> PACKED_ENTRY records (for entries of one partition)."""
    packed = np.empty(len(entries), dtype=PACKED_ENTRY)
    packed["key_high"] = entries["key"].astype(">u8").view(np.uint8).reshape(-1, 8)[:, :7]
    packed["index"] = entries["index"]
    return packed


def entries_of(packed: np.ndarray, partition: int) -> np.ndarray:
    """PACKED_ENTRY records of ``partition`` -> ENTRY records (native byte order)."""
    key_bytes = np.empty((len(packed), 8), dtype=np.uint8)
    key_bytes[:, :7] = packed["key_high"]
    key_bytes[:, 7] = partition & 0xFF
    entries = np.empty(len(packed), dtype=ENTRY.newbyteorder("="))
    entries["key"] = key_bytes.view(">u8").reshape(-1)
    entries["index"] = packed["index"]
    return entries


def _pack_batch(store: str, nodes: list[list], band_bytes: list[bytes]):
    """One batch's table (``nodes``) written to ``store``, and its band keys as
    (partition, (batch id, PACKED_ENTRY array)) per partition."""
    if len(nodes) > 1 << 16:
        raise ValueError(f"a batch holds at most 65,536 documents, not {len(nodes):,}")
    batch_id = os.urandom(8).hex()  # a retried bundle emits a new batch
    table = json.dumps(nodes)  # ASCII: any id
    write_atomically(table_path(store, batch_id), table.encode("ascii"))
    keys = [grouping_keys(bands) for bands in band_bytes]
    entries = np.empty(sum(map(len, keys)), dtype=ENTRY)
    entries["key"] = np.concatenate(keys)
    entries["index"] = np.repeat(np.arange(len(nodes)), list(map(len, keys)))
    yield from partitioned(entries, entries["key"], PARTITIONS, batch_id, packed_entries)


class _BatchBands(BundleBatches):
    """StoredDocuments -> (partition, (batch id, packed entries)); each batch's table
    is written to the store."""

    size = BATCH_DOCUMENTS

    def __init__(self, store: str):
        self._store = store

    def process(self, document):
        if document.banded:
            yield from super().process(document)

    def flush(self, pending):
        nodes, band_bytes = [], []
        for name, documents in by_file(pending).items():  # a key table read per batch
            bands = read_key_column(self._store, name, "band_bytes")
            nodes += [list(document.node) for document in documents]
            band_bytes += [bands[document.row] for document in documents]
        yield from _pack_batch(self._store, nodes, band_bytes)


class _BatchTestBands(BundleBatches):
    """(test ref, TestDocument) -> (partition, (batch id, packed entries)) of the test
    documents' band keys, each batch's table of test refs written to the store."""

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
                               [bands for _, bands in pending])


class BatchTestBands(beam.PTransform):
    """PCollection[(test ref, TestDocument)] -> PCollection[(partition, (batch id,
    PACKED_ENTRY array))] of their band keys under ``signer``
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
    :class:`BatchTestBands`} -> PCollection[(partition, {"train": (batch id,
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
        return grouped | "Group bands" >> CountedCoGroupByKey()


class BatchBands(beam.PTransform):
    """PCollection[StoredDocument] -> PCollection[(partition, (batch id, PACKED_ENTRY
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


def unpack_entries(batches, partition: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Partition ``partition``'s (batch id, packed entries) values -> (ENTRY records
    sorted by grouping key, the batch ids, each entry's batch number)."""
    packed, batch_ids, batch_numbers = unpacked(batches, PACKED_ENTRY)
    entries = entries_of(packed, partition)
    order = np.argsort(entries["key"], kind="stable")
    return entries[order], batch_ids, batch_numbers[order]


def _refs(entries, batch_ids, batch_numbers, start, end):
    """The refs (batch id, index) of ``entries[start:end]``."""
    return [(batch_ids[number], index) for number, index in zip(
        batch_numbers[start:end].tolist(), entries["index"][start:end].tolist(), strict=True)]


def bucket_runs(entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of equal grouping keys in sorted entries."""
    if not len(entries):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    new = np.ones(len(entries), dtype=bool)
    new[1:] = entries["key"][1:] != entries["key"][:-1]
    starts = np.flatnonzero(new)
    return starts, np.append(starts[1:], len(entries))


def partition_pairs(item, max_all_pairs: int):
    """A partition of :class:`GroupBands` -> the candidate ref pairs (smaller ref first)
    of its training documents' band buckets of at most ``max_all_pairs`` members, all
    their pairs (:func:`massivetext.dedup.buckets.bucket_pairs`); and a ``star`` output
    (grouping key, ref) per member of a larger bucket, for :class:`StarPairs`."""
    partition, grouped = item
    entries, batch_ids, batch_numbers = unpack_entries(grouped["train"], partition)
    starts, ends = bucket_runs(entries)
    shared = ends - starts > 1
    for start, end in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
        refs = _refs(entries, batch_ids, batch_numbers, start, end)
        if end - start > max_all_pairs:
            key = int(entries["key"][start])
            for ref in refs:
                yield beam.pvalue.TaggedOutput("star", (key, ref))
        else:
            yield from bucket_pairs(refs, max_all_pairs)


def _star_pairs(bucket):
    """A star bucket's (node, ref) members -> each member's ref paired with the ref of
    the smallest node (the centre), smaller ref first."""
    _, members = bucket
    centre = min(members)[1]
    for _, ref in members:
        if ref != centre:
            yield (centre, ref) if centre < ref else (ref, centre)


class StarPairs(beam.PTransform):
    """PCollection[(grouping key, ref)], the members of the band buckets too large for
    all pairs (:func:`partition_pairs`' ``star``) -> {"pairs": PCollection[(ref, ref)],
    each member with the bucket's centre (:func:`massivetext.dedup.buckets.bucket_pairs`'
    star: its smallest node), smaller ref first; "buckets": one grouping key per bucket}.
    The members' nodes are read from their batches' tables in ``store`` first."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, members):
        buckets = (members
                   | "Ref first" >> beam.Map(lambda member: (member[1], member))
                   | "Nodes" >> ResolveRefs(self._store)
                   | "By bucket" >> beam.Map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
                   | "Group by bucket" >> CountedGroupByKey())
        return {"pairs": buckets | "Star" >> beam.FlatMap(_star_pairs),
                "buckets": buckets | "Keys" >> beam.Keys()}


def test_crossings(item):
    """A partition of :class:`GroupBands` -> (train ref, test batch ref) for every
    training document sharing a band bucket with a test document; a test batch ref is
    (batch id, index), resolved to the test ref by :class:`ResolveRefs`."""
    partition, grouped = item
    tests, test_batch_ids, test_numbers = unpack_entries(grouped["test"], partition)
    if not len(tests):
        return
    by_key: dict[int, list] = {}
    for key, batch_ref in zip(tests["key"].tolist(), _refs(
            tests, test_batch_ids, test_numbers, 0, len(tests)), strict=True):
        by_key.setdefault(key, []).append(batch_ref)
    entries, batch_ids, batch_numbers = unpack_entries(grouped["train"], partition)
    for i in np.flatnonzero(np.isin(entries["key"], tests["key"])).tolist():
        train_ref = _refs(entries, batch_ids, batch_numbers, i, i + 1)[0]
        for test_ref in by_key[int(entries["key"][i])]:
            yield train_ref, test_ref


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
                | "By batch" >> beam.Map(lambda kv: (kv[0][0], (kv[0][1], kv[1])))
                | "Group by batch" >> CountedGroupByKey()
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
