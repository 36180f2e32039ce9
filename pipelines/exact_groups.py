"""Exact-duplicate groups from packed keys: 28 bytes per document through the shuffle.

Exact dedup (:class:`massivetext.pipelines.dedup.ExactDedup`) groups documents by their
128-bit exact key (:func:`massivetext.dedup.exact.exact_text_key`). Instead of one
``(key, document record)`` element per document, :class:`PackExactKeys` packs, per
spill file and key partition (:data:`PARTITIONS`, by the key), one element ``(partition,
(spill file, entries))`` whose entries are the key, the survivor rank and the row
(:data:`ENTRY`). A partition is unpacked with NumPy and sorted; each run of equal keys
longer than one is a duplicate group whose smallest rank survives
(:class:`ExactGroups`; :mod:`massivetext.dedup.survivors`: the rank is the seeded hash
of the id, so the choice is the one by (rank, id) unless two ranks of a group are equal,
about 2^-63 per pair, which then tie by file and row instead). Only the removed
documents then pay for names: :class:`NameSurvivors` reads each survivor's id from its
file's key table and hands the removal notice to the removed document's file
(:mod:`massivetext.pipelines.file_tables`).
"""

from __future__ import annotations

import apache_beam as beam
import numpy as np
from massivetext.pipelines.band_buckets import partitioned, unpacked
from massivetext.pipelines.document_store import (
    BundleBatches,
    by_file,
    read_key_column,
)
from massivetext.pipelines.join_check import CountedGroupByKey

# Our choice: 256 partitions hold about 4 million documents each at 10^9 (112 MB of
# entries to sort), and pack about four entries per element for a 1,024-document file.
PARTITIONS = 256
KEY = np.dtype([("key_hi", ">u8"), ("key_lo", ">u8")])  # an exact key's 16 bytes
ENTRY = np.dtype([("key_hi", ">u8"), ("key_lo", ">u8"), ("rank", ">u8"), ("row", ">u4")])


def _pack(store: str, name: str, documents: list):
    exact_keys = read_key_column(store, name, "exact_key")
    keys = np.frombuffer(b"".join(exact_keys[document.row] for document in documents), dtype=KEY)
    entries = np.empty(len(documents), dtype=ENTRY)
    entries["key_hi"], entries["key_lo"] = keys["key_hi"], keys["key_lo"]
    entries["rank"] = np.array([document.node[0] for document in documents], dtype=np.uint64)
    entries["row"] = [document.row for document in documents]
    return partitioned(entries, entries["key_lo"], PARTITIONS, name)


class _PackExactKeys(BundleBatches):
    def __init__(self, store: str):
        self._store = store

    def flush(self, pending):
        for name, documents in by_file(pending).items():
            yield from _pack(self._store, name, documents)


class PackExactKeys(beam.PTransform):
    """PCollection[StoredDocument] -> PCollection[(partition, (spill file, packed ENTRY
    array))], the exact keys read from the files' key tables in ``store``."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, documents):
        return documents | "Pack" >> beam.ParDo(_PackExactKeys(self._store))


class ExactGroups(beam.DoFn):
    """A partition of packed keys -> per removed document (survivor's file, (survivor's
    row, removed file, removed row, group size)), and a ``size`` output per group."""

    def process(self, item):
        yield from _exact_groups(*item)


def _exact_groups(_, values):
    entries, names, files = unpacked(values, ENTRY)
    order = np.lexsort((entries["row"], files, entries["rank"], entries["key_lo"],
                        entries["key_hi"]))
    entries, files = entries[order], files[order]
    new = np.ones(len(entries), dtype=bool)
    new[1:] = (entries["key_hi"][1:] != entries["key_hi"][:-1]) | (
        entries["key_lo"][1:] != entries["key_lo"][:-1])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], len(entries))
    duplicated = ends - starts > 1  # only groups of duplicates reach Python
    rows = entries["row"].tolist()
    files = files.tolist()
    for start, end in zip(starts[duplicated].tolist(), ends[duplicated].tolist(), strict=True):
        size = end - start
        yield beam.pvalue.TaggedOutput("size", size)
        survivor = (names[files[start]], rows[start])
        for i in range(start + 1, end):
            yield survivor[0], (survivor[1], names[files[i]], rows[i], size)


def _name_survivors(store: str):
    def name(item):
        survivor_file, notices = item
        ids = read_key_column(store, survivor_file, "id")
        for survivor_row, removed_file, removed_row, size in notices:
            yield removed_file, (removed_row, ids[survivor_row], size)
    return name


class NameSurvivors(beam.PTransform):
    """:class:`ExactGroups`' notices -> PCollection[(removed file, (removed row,
    survivor id, group size))], the survivors' ids read from their files' key tables
    in ``store``."""

    def __init__(self, store: str):
        super().__init__()
        self._store = store

    def expand(self, notices):
        return (notices
                | "By survivor file" >> CountedGroupByKey()
                | "Survivor ids" >> beam.FlatMap(_name_survivors(self._store)))
