"""Loaders for the evaluation sets that training documents are checked against.

WikiText-103, LAMBADA, C4 validation, Curation Corpus and generic JSONL/text files,
each read with bounded memory into test documents (Gopher Appendix A.1.1 step 6).
The decontamination stage and the trainer's evaluation read the same files through
``loaders``. May import :mod:`massivetext.io`; never Beam.
"""
