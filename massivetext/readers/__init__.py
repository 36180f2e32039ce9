"""Readers of the MassiveText subsets in the formats they are published in.

One module per format, each a generator of outcomes (:class:`~massivetext.document.Document`,
:class:`~massivetext.document.Skipped`, :class:`~massivetext.document.Failed`) that
streams its file with bounded memory: MediaWiki XML dumps (``wikipedia``, with the
wikitext-to-text conversion in ``wikitext``), Project Gutenberg / PG-19 books
(``books``), C4's ``c4-*.json.gz`` (``c4``), CC-News style JSONL (``news``), source code
trees, archives and The Stack style Parquet (``github``, with the file rules in
``code_files``), and the curated Arrow shards themselves (``shards``). ``formats`` picks
a reader by file name or by ``--input-format``; ``corpus_config`` reads the
``massivetext corpus`` configuration file; ``common`` holds what the readers share.

Modules here may import :mod:`massivetext.document`, :mod:`massivetext.io` and each
other, nothing else of the project, and never Apache Beam.
"""
