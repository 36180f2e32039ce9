"""Duplicate detection: span hashing, MinHash over 13-gram shingles, LSH bands.

``hashing`` is the vectorised 64-bit span hashing shared with the document filters,
``minhash`` the shingles and signatures (Gopher Appendix A.1.1 step 5), ``lsh`` the
band keys, ``buckets`` which candidate pairs a band bucket proposes, ``exact`` the
exact-duplicate text key, ``survivors`` which member of a group is kept, and
``evaluation`` the brute-force ground truth that tests and benchmarks score a removal
set against. Plain NumPy; the Beam stages that join on these keys live in
:mod:`massivetext.pipelines`. Never imports Beam.
"""
