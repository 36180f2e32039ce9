"""The whole MassiveText corpus (Gopher Table 2) in one command: its configuration
file (``config``) and the summary and mixture file written after a run (``summary``).

The Beam side, ``massivetext corpus``, is :mod:`massivetext.pipelines.corpus_command`.
Modules here may import :mod:`massivetext.document`, :mod:`massivetext.io`,
:mod:`massivetext.data` and :mod:`massivetext.tokenizer` (the latter only when a
tokenizer is given), never Apache Beam.
"""
