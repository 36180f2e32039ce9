"""Reading and writing records: WARC files, HTTP payloads, charsets, text and shards.

WARC reading (``warc``, over the gzip byte layer ``warc_gzip``) and writing
(``warc_writer``), HTTP heads and bodies (``http_payload``), charset decoding
(``charset``), bounded line input (``byte_lines``), the text subsets' JSONL/Parquet
documents (``text_input``), atomic local output (``atomic``), what a shard holds
(``shards``), the shard output formats, Arrow IPC, Parquet and JSONL.gz
(``shard_writers``), and reading curated output back at random (``shard_reader``).
Modules here may import :mod:`massivetext.document` and each other, nothing else of
the project, and never Apache Beam.
"""
