"""Band entries as they are shuffled: packed, partitioned and grouped back into buckets."""

import numpy as np
from massivetext.pipelines.band_buckets import (
    BAND_KEY,
    ENTRY,
    PACKED_ENTRY,
    PARTITIONS,
    _pack_batch,
    entries_of,
    grouping_keys,
    packed_entries,
    partition_pairs,
)


def test_an_entry_travels_in_nine_bytes_and_comes_back_whole():
    rng = np.random.default_rng(5)
    partition = 777
    keys = rng.integers(0, 2**54, size=500, dtype=np.uint64) * np.uint64(PARTITIONS) \
        + np.uint64(partition)
    entries = np.empty(len(keys), dtype=ENTRY)
    entries["key"] = keys
    entries["index"] = rng.integers(0, 2**16, size=len(keys))
    packed = packed_entries(entries).tobytes()
    assert PACKED_ENTRY.itemsize == 9 and len(packed) == 9 * len(keys)
    restored = entries_of(np.frombuffer(packed, dtype=PACKED_ENTRY), partition)
    np.testing.assert_array_equal(restored["key"], keys)
    np.testing.assert_array_equal(restored["index"], entries["index"])


def _band_bytes(*pairs):
    keys = np.empty(len(pairs), dtype=BAND_KEY)
    keys["band"], keys["hash"] = zip(*pairs, strict=True)
    return keys.tobytes()


def test_documents_sharing_a_band_key_are_paired_and_a_crowd_becomes_a_star(tmp_path):
    # Documents 0 and 1 share band 3's hash; 2 shares the same hash in another band only.
    # Documents 3-7 share band 9's hash: a bucket of five, above an all-pairs size of 4.
    shared, crowd = 123456789, 987654321
    band_bytes = [_band_bytes((3, shared), (4, 1)), _band_bytes((3, shared), (4, 2)),
                  _band_bytes((5, shared)),
                  *[_band_bytes((9, crowd), (4, 10 + i)) for i in range(5)]]
    nodes = [[i, f"doc-{i}", "file"] for i in range(len(band_bytes))]
    by_partition = {}
    for element in _pack_batch(str(tmp_path), nodes, band_bytes):
        partition, value = element.value
        by_partition.setdefault(partition, []).append(value)
    pairs, stars = [], []
    for partition, values in by_partition.items():
        for output in partition_pairs((partition, {"train": values}), 4):
            if getattr(output, "tag", None) == "star":
                stars.append(output.value)
            else:
                pairs.append(output)
    (batch_id,) = {ref[0] for pair in pairs for ref in pair}
    assert pairs == [((batch_id, 0), (batch_id, 1))]
    crowd_key = int(grouping_keys(_band_bytes((9, crowd)))[0])
    assert sorted(stars) == [(crowd_key, (batch_id, i)) for i in range(3, 8)]
